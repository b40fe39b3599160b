import { describe, expect, it } from 'vitest';
import { fixedText, numberText, typographicMinus } from './numberText';

describe('numbers as people read them', () => {
  it('print a negative number with the minus sign U+2212, and zero without a sign', () => {
    expect(fixedText(-0.0123, 3)).toBe('\u22120.012');
    expect(fixedText(-0.0001, 3)).toBe('0.000');
    expect(fixedText(0.5, 2)).toBe('0.50');
    expect(numberText(-30)).toBe('\u221230');
    expect(numberText(1e-7)).toBe('1e\u22127');
  });

  it('turn the hyphen of a number into a minus sign in running text, and leave hyphenated words alone', () => {
    expect(typographicMinus('SSL − baseline: -0.020 [-0.05, 0.01], all-valid, 4-class, masked-only')).toBe('SSL − baseline: \u22120.020 [\u22120.05, 0.01], all-valid, 4-class, masked-only');
    expect(typographicMinus('±-1.5 (=-2)')).toBe('±\u22121.5 (=\u22122)');
  });
});
