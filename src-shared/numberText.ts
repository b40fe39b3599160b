/**
 * Numbers as people read them: a negative number printed for a person (a figure, a table in the
 * window, Markdown, HTML, SVG) carries the minus sign U+2212, not the hyphen the number formatting
 * of JavaScript gives. CSV keeps the ASCII hyphen so spreadsheets read the numbers; LaTeX writes
 * its minus in math mode.
 */
export const MINUS = '\u2212';

/** A hyphen that is a minus: at the start of a number (after the start, a space, a bracket, a sign or an equals sign). */
const HYPHEN_MINUS = /(^|[\s([{=,;:/±])-(?=\.?\d|∞|Infinity)/g;

/** Text with every number's hyphen-minus made a minus sign (words with hyphens are left alone). */
export function typographicMinus(text: string): string {
  return text.replace(HYPHEN_MINUS, `$1${MINUS}`);
}

/** `value.toFixed(digits)` with a minus sign, and without one on a value that rounds to zero ("0.000", never "−0.000"). */
export function fixedText(value: number, digits: number): string {
  const text = value.toFixed(digits);
  if (Number(text) === 0) return text.replace(/^-/, '');
  return typographicMinus(text);
}

/** A plain number as text (its shortest form) with a minus sign: −30, 0.001, 1e−7. */
export function numberText(value: number): string {
  return typographicMinus(String(value)).replace(/e-(\d)/, `e${MINUS}$1`);
}
