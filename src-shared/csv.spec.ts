import { describe, expect, it } from 'vitest';
import { csvField, fixedDecimals, parseCsv, toCsv } from './csv';

describe('the CSV writer', () => {
  it('quotes per RFC 4180 and ends every record, the last too, with CRLF', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('"q"')).toBe('"""q"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain text')).toBe('plain text');
    expect(toCsv([['h1', 'h2'], ['x', 1]])).toBe('h1,h2\r\nx,1\r\n');
    expect(toCsv([])).toBe('');
    const hostile = ['a,b', '"q",\n', 'x\r\ny', ''];
    expect(parseCsv(toCsv([hostile, ['1', '2', '3', '4']]), { strict: true })).toEqual([hostile, ['1', '2', '3', '4']]);
  });

  it('writes numbers bare and leaves missing or non-finite values empty', () => {
    expect(toCsv([[-0.5, 0, 1e-7, 12345678901234, null, undefined, Number.NaN, Infinity]])).toBe('-0.5,0,1e-7,12345678901234,,,,\r\n');
    expect(fixedDecimals(-0.5, 6)).toBe('-0.500000');
    expect(fixedDecimals(null, 6)).toBeNull();
    expect(fixedDecimals(Number.NaN, 3)).toBeNull();
  });

  it('neutralises text a spreadsheet would run as a formula', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+A1')).toBe("'+A1");
    expect(csvField('-1+1')).toBe("'-1+1");
    expect(csvField('-A1')).toBe("'-A1");
    expect(csvField('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvField('\t=cmd')).toBe("'\t=cmd");
    expect(csvField('\r=cmd')).toBe('"\'\r=cmd"');
    expect(csvField('＝1+1')).toBe("'＝1+1");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('-Infinity')).toBe("'-Infinity");
    // Not at the start: nothing to guard.
    expect(csvField('a=b')).toBe('a=b');
  });

  it('keeps negative numbers numeric, as numbers or as text already formatted', () => {
    for (const n of ['-1', '-0.125000', '+3', '-.5', '-2.5e-3', '1E+9']) expect(csvField(n)).toBe(n);
    expect(csvField(-0.125)).toBe('-0.125');
    expect(parseCsv(toCsv([[fixedDecimals(-0.04, 6), -0.04]]), { strict: true })).toEqual([['-0.040000', '-0.04']]);
  });
});
