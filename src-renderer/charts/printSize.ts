/**
 * The size of a printed figure (PNG export): 1x, 2x or 3x the size on screen, or a width in
 * pixels. Exports are drawn off screen at that scale, on white, in the light theme's colours.
 */
export type PrintSize = { scale: 1 | 2 | 3 } | { width: number };

export const PRINT_SIZES: ReadonlyArray<{ id: string; label: string; size: PrintSize }> = [
  { id: '1x', label: '1x (screen)', size: { scale: 1 } },
  { id: '2x', label: '2x (print)', size: { scale: 2 } },
  { id: '3x', label: '3x', size: { scale: 3 } },
];
export const DEFAULT_PRINT_SIZE: PrintSize = { scale: 2 };
/** Widths a PNG may be asked for: below, text is unreadable; above, the canvas is too large for some browsers. */
export const PRINT_WIDTH_RANGE = { min: 300, max: 8000 } as const;

/** The drawing scale that gives a figure of `cssWidth` CSS pixels (several side by side: their total) the chosen size. */
export function printScale(size: PrintSize, cssWidth: number): number {
  if ('scale' in size) return size.scale;
  return size.width / Math.max(1, cssWidth);
}

/** A width typed in the export menu (a number input's binding gives a number, or null when emptied), or why it cannot be used. */
export function parsePrintWidth(typed: string | number | null | undefined): { size: PrintSize } | { error: string } {
  const text = typed === null || typed === undefined ? '' : String(typed).trim();
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < PRINT_WIDTH_RANGE.min || n > PRINT_WIDTH_RANGE.max) {
    return { error: `The PNG width must be a whole number of pixels from ${PRINT_WIDTH_RANGE.min} to ${PRINT_WIDTH_RANGE.max}.` };
  }
  return { size: { width: n } };
}
