/**
 * Numbers as people read them: a negative number printed for a person (a figure, a table in the
 * window, Markdown, HTML, SVG) carries the minus sign U+2212, not the hyphen the number formatting
 * of JavaScript gives. CSV keeps the ASCII hyphen so spreadsheets read the numbers; LaTeX writes
 * its minus in math mode.
 */
export const MINUS = '\u2212';

/** One number's text with its minus signs typographic: JavaScript prints a hyphen only before the number and its exponent. */
const withMinus = (text: string) => text.replaceAll('-', MINUS);

/** `value.toFixed(digits)` with a minus sign, and without one on a value that rounds to zero ("0.000", never "−0.000"). */
export function fixedText(value: number, digits: number): string {
  const text = value.toFixed(digits);
  if (Number(text) === 0) return text.replace(/^-/, '');
  return withMinus(text);
}

/** A plain number as text (its shortest form) with a minus sign: −30, 0.001, 1e−7. */
export function numberText(value: number): string {
  return withMinus(String(value));
}
