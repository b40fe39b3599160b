import type { SavedFile } from '@shared/api/entities';
import type { Api } from './api/client';

/**
 * Saving figures and their data from the window: a Blob handed to an <a download> made in
 * JS (blob: URLs are allowed by the page's CSP; no inline script, no eval). In Electron the
 * same click opens the save dialog.
 */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the download time to start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function downloadText(text: string, fileName: string, type: string): void {
  downloadBlob(new Blob([text], { type }), fileName);
}

function canvasBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The figure could not be encoded as PNG.'))), 'image/png'));
}

/** One chart's canvas (already opaque) as a PNG file. */
export async function downloadCanvasPng(canvas: HTMLCanvasElement, fileName: string): Promise<void> {
  downloadBlob(await canvasBlob(canvas), fileName);
}

/**
 * Several charts as one PNG: a title line, then the canvases in a grid at their drawn
 * resolution (small multiples of Figures 6 and 7).
 */
export async function downloadGridPng(
  canvases: readonly HTMLCanvasElement[],
  cols: number,
  title: string,
  legend: ReadonlyArray<{ label: string; colour: string }>,
  fileName: string,
  /** The scale the canvases were drawn at (a print export's); else read from the first canvas on screen. */
  drawnScale?: number,
): Promise<void> {
  if (!canvases.length) return;
  const cw = Math.max(...canvases.map((c) => c.width));
  const ch = Math.max(...canvases.map((c) => c.height));
  const scale = drawnScale ?? cw / Math.max(1, canvases[0].clientWidth || cw);
  const head = Math.round(56 * scale);
  const rows = Math.ceil(canvases.length / cols);
  const out = document.createElement('canvas');
  out.width = cols * cw;
  out.height = head + rows * ch;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('Could not draw the figure.');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#1d2330';
  ctx.font = `600 ${Math.round(16 * scale)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(title, out.width / 2, 16 * scale);
  // One legend for all panels (they have none of their own).
  ctx.font = `${Math.round(12 * scale)}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  const widths = legend.map((l) => 34 * scale + ctx.measureText(l.label).width);
  let x = (out.width - widths.reduce((a, b) => a + b + 24 * scale, 0)) / 2;
  const y = 40 * scale;
  legend.forEach((l, i) => {
    ctx.fillStyle = l.colour;
    ctx.globalAlpha = 0.2;
    ctx.fillRect(x, y - 6 * scale, 26 * scale, 12 * scale);
    ctx.globalAlpha = 1;
    ctx.fillRect(x, y - 1 * scale, 26 * scale, 2 * scale);
    ctx.fillStyle = '#1d2330';
    ctx.fillText(l.label, x + 32 * scale, y);
    x += widths[i] + 24 * scale;
  });
  canvases.forEach((c, i) => ctx.drawImage(c, (i % cols) * cw, head + Math.floor(i / cols) * ch));
  downloadBlob(await canvasBlob(out), fileName);
}

/**
 * Saves a file main writes (Table 1, a run bundle). On the desktop the save dialog picks the
 * place and main writes there (the request carries the dialog's handle); in a browser main
 * hands the content back and it downloads. Returns a line for the user, or null when they
 * closed the dialog.
 */
export async function saveFromMain(
  api: Api,
  desktop: boolean,
  dialog: { title: string; defaultName: string },
  produce: (saveTo?: string) => Promise<SavedFile>,
): Promise<string | null> {
  if (desktop) {
    const { file } = await api.request('app.pickPath', { kind: 'save-file', title: dialog.title, defaultName: dialog.defaultName });
    if (file === null) return null;
    const saved = await produce(file.handle);
    return `Saved to ${saved.path}`;
  }
  const file = await produce();
  downloadText(file.content ?? '', file.fileName, file.mimeType);
  return `Downloaded ${file.fileName}`;
}

/** An SVG document drawn on a white canvas at `scale` times its size, as a PNG file (the heat map's PNG). */
export async function downloadSvgAsPng(svg: string, scale: number, fileName: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The figure could not be drawn as PNG.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(img.width * scale);
    canvas.height = Math.round(img.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('Could not draw the figure.');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    downloadBlob(await canvasBlob(canvas), fileName);
  } finally {
    URL.revokeObjectURL(url);
  }
}
