import { describe, expect, it } from 'vitest';
import { fixedText, numberText } from './numberText';

describe('numbers as people read them', () => {
  it('print a negative number with the minus sign U+2212, and zero without a sign', () => {
    expect(fixedText(-0.0123, 3)).toBe('\u22120.012');
    expect(fixedText(-0.0001, 3)).toBe('0.000');
    expect(fixedText(0.5, 2)).toBe('0.50');
    expect(numberText(-30)).toBe('\u221230');
    expect(numberText(1e-7)).toBe('1e\u22127');
  });

  it('give every minus of a number the sign, the exponent\'s too', () => {
    expect(numberText(-1e-7)).toBe('\u22121e\u22127');
    expect(fixedText(-1234.5, 1)).toBe('\u22121234.5');
  });
});
