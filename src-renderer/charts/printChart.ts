import { Chart, type ChartDataset, type ChartOptions, type Plugin } from 'chart.js';

/**
 * Draws a chart off screen at `scale` times its CSS size and returns the canvas: what a print
 * export encodes. The chart is built anew with the datasets, options and plugins given (the
 * light theme's colours), so the window's chart and theme are left alone.
 */
export function renderOffscreen(
  config: { datasets: ChartDataset<'line', Array<{ x: number; y: number }>>[]; options: ChartOptions<'line'>; plugins: Plugin<'line'>[] },
  cssWidth: number,
  cssHeight: number,
  scale: number,
): HTMLCanvasElement {
  // In the document (chart.js measures text with its styles) but out of sight.
  const host = document.createElement('div');
  host.style.cssText = `position: fixed; left: -100000px; top: 0; width: ${cssWidth}px; height: ${cssHeight}px;`;
  const canvas = document.createElement('canvas');
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  host.appendChild(canvas);
  document.body.appendChild(host);
  try {
    const chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: config.datasets },
      options: { ...config.options, responsive: false, devicePixelRatio: scale, events: [] },
      plugins: config.plugins,
    });
    chart.resize(cssWidth, cssHeight);
    chart.draw();
    // The drawing is kept on a canvas of its own: the chart and its host go.
    const out = document.createElement('canvas');
    out.width = canvas.width;
    out.height = canvas.height;
    out.getContext('2d')!.drawImage(canvas, 0, 0);
    chart.destroy();
    return out;
  } finally {
    host.remove();
  }
}
