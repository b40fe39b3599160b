import { describe, expect, it } from 'vitest';
import { DEFAULT_PRINT_SIZE, parsePrintWidth, printScale } from './printSize';

describe('the size of a printed figure', () => {
  it('defaults to twice the screen size, and turns a width in pixels into a scale of what is drawn', () => {
    expect(printScale(DEFAULT_PRINT_SIZE, 600)).toBe(2);
    expect(printScale({ width: 1800 }, 600)).toBe(3);
    expect(printScale({ width: 2400 }, 3 * 400)).toBe(2);
  });

  it('refuses a width that is not a whole number of pixels in range, saying which are allowed', () => {
    expect(parsePrintWidth('2400')).toEqual({ size: { width: 2400 } });
    // What a number input's binding hands over: a number, or null once emptied.
    expect(parsePrintWidth(1800)).toEqual({ size: { width: 1800 } });
    expect(parsePrintWidth(null)).toEqual({ error: 'The PNG width must be a whole number of pixels from 300 to 8000.' });
    for (const bad of ['', 'wide', '2400.5', '10', '90000']) expect(parsePrintWidth(bad)).toEqual({ error: 'The PNG width must be a whole number of pixels from 300 to 8000.' });
  });
});
