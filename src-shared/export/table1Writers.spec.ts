import { describe, expect, it } from 'vitest';
import { HOSTILE_NAME, hostileTable } from '../../test/builders/table1Fixtures';
import { parseCsv } from '../csv';
import { escapeLatex, escapeMarkdown, table1Csv, table1Latex, table1Markdown, TABLE1_CSV_HEADER } from './table1Writers';

describe('Markdown', () => {
  it('escapes pipes, backslashes, markup and line breaks', () => {
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('50% & $x_1$ {y} ~ ^ \\')).toBe('50% \\& \\$x\\_1\\$ {y} \\~ ^ \\\\');
    expect(escapeMarkdown('"q",\n')).toBe('"q",<br>');
    expect(escapeMarkdown('<script>')).toBe('\\<script\\>');
  });

  it('writes one table row per Table 1 row, each with exactly the columns of the header', () => {
    const t = hostileTable();
    const md = table1Markdown(t);
    const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
    expect(tableLines).toHaveLength(2 + t.rows.length);
    // Unescaped pipes delimit cells: Model + six emotions between the outer pipes.
    for (const line of tableLines) expect(line.split(/(?<!\\)\|/).length).toBe(1 + 7 + 1);
    expect(tableLines[0]).toBe('| Model | Happiness | Sadness | Anger | Surprise | Disgust | Fear |');
    // mean ± sd [95% CI], the interval 0.0123456 · t(0.975, 2) / √3 = 0.030668 either side (t from scipy: 4.302652729749462).
    expect(tableLines[2]).toBe(
      '| SSL (this experiment, 200 labels) | 0.771 ± 0.012 [0.741, 0.802] | 0.772 ± 0.012 [0.742, 0.803] | 0.773 ± 0.012 [0.743, 0.804] † | 0.774 ± 0.012 [0.744, 0.805] | 0.775 ± 0.012 [0.745, 0.806] | — |',
    );
    // A reference row prints as measured: mean ± sd [95% CI].
    expect(tableLines[3]).toMatch(/^\| Label mean \(no audio\), 200 labels \| 0\.600 ± 0\.010 \[0\.575, 0\.625\] \|/);
    expect(tableLines[4]).toBe('| a\\|b | 0.50 | 0.50 | 0.50 | 0.50 | 0.50 | 0.51 |');
    expect(tableLines.at(-1)).toBe('| one repeat | 0.250 (n=1) | 0.251 (n=1) | 0.252 (n=1) | 0.253 (n=1) | 0.254 (n=1) | 0.255 (n=1) |');
    expect(md).not.toMatch(/(?<!\\)<script/);
    expect(md).toContain('**F1 definition.** Weighted F1');
    expect(md).toContain('- Second note');
    // The name's line break does not start a new Markdown line: it is there whole, escaped.
    expect(md).toContain(`Experiment #9 "${escapeMarkdown(HOSTILE_NAME)}"`);
  });
});

describe('CSV', () => {
  it('writes one row per table row and emotion, readable back field for field', () => {
    const t = hostileTable();
    const rows = parseCsv(table1Csv(t), { strict: true });
    expect(rows[0]).toEqual([...TABLE1_CSV_HEADER]);
    expect(rows).toHaveLength(1 + t.rows.length * 6);
    expect(rows.every((r) => r.length === TABLE1_CSV_HEADER.length)).toBe(true);
    const col = (name: string) => TABLE1_CSV_HEADER.indexOf(name as never);
    // The name starts with "a|b", so it is not a formula: kept as is, quoted for its comma, quote and newline.
    expect(rows[1][col('experiment_name')]).toBe(HOSTILE_NAME);
    const half = (4.302652729749462 * 0.0123456) / Math.sqrt(3);
    expect(rows[1]).toEqual([
      '9', HOSTILE_NAME, 'f1Weighted', 'SSL (this experiment, 200 labels)', 'runs', '200', 'happiness', '0.771235', '0.012346', (0.7712345 - half).toFixed(6), (0.7712345 + half).toFixed(6), '3', 'validation', '0',
    ]);
    // Two of the runs predict anger degenerately: the count the other formats mark with †.
    expect(rows[3].slice(col('emotion'))).toEqual(['anger', '0.773235', '0.012346', expect.any(String), expect.any(String), '3', 'validation', '2']);
    // The missing cell: empty numbers, nothing shifted; its degenerate count unknown.
    expect(rows[6].slice(col('emotion'))).toEqual(['fear', '', '', '', '', '', 'validation', '']);
    // A reference row: measured on the same split, with sd and interval, never flagged.
    const reference = rows.filter((r) => r[col('source')] === 'reference');
    expect(reference).toHaveLength(6);
    expect(reference[0].slice(col('mean'))).toEqual(['0.600000', '0.010000', expect.any(String), expect.any(String), '3', 'validation', '']);
    // Literature: quoted values, no sd, interval, n or split.
    const formula = rows.filter((r) => r[col('row')] === "'=1+1");
    expect(formula).toHaveLength(6);
    expect(formula[0].slice(col('source'))).toEqual(['literature', '', 'happiness', '0.800000', '', '', '', '', '', '']);
    // One repeat: no sd and no interval, n 1.
    expect(rows.at(-1)!.slice(col('mean'))).toEqual(['0.255000', '', '', '', '1', 'validation', '']);
    expect(rows.find((r) => r[col('row')] === '"q",\n')).toBeDefined();
    // Means keep at least 3 decimals and parse as numbers.
    for (const r of rows.slice(1)) if (r[col('mean')] !== '') expect(r[col('mean')]).toMatch(/^\d+\.\d{6}$/);
  });

  it('guards a name that starts like a formula', () => {
    const rows = parseCsv(table1Csv({ ...hostileTable(), experimentName: '=HYPERLINK("x")' }), { strict: true });
    expect(rows[1][1]).toBe('\'=HYPERLINK("x")');
  });
});

describe('LaTeX', () => {
  it('escapes all ten special characters and line breaks', () => {
    expect(escapeLatex('& % $ # _ { } ~ ^ \\')).toBe('\\& \\% \\$ \\# \\_ \\{ \\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
    expect(escapeLatex('50% & $x_1$ {y} ~ ^ \\')).toBe('50\\% \\& \\$x\\_1\\$ \\{y\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
    expect(escapeLatex('"q",\n')).toBe('"q", ');
    expect(escapeLatex('a|b <x>')).toBe('a\\textbar{}b \\textless{}x\\textgreater{}');
  });

  it('writes a booktabs table with \\pm cells and every text escaped', () => {
    const t = hostileTable();
    const tex = table1Latex(t);
    expect(tex.indexOf('\\toprule')).toBeLessThan(tex.indexOf('\\midrule'));
    expect(tex.indexOf('\\midrule')).toBeLessThan(tex.indexOf('\\bottomrule'));
    expect(tex).toContain('\\begin{tabular}{lrrrrrr}');
    expect(tex).toContain('SSL (this experiment, 200 labels) & $0.771 \\pm 0.012$ {\\footnotesize [0.741, 0.802]} & $0.772 \\pm 0.012$ {\\footnotesize [0.742, 0.803]} &');
    expect(tex).toContain('& $0.775 \\pm 0.012$ {\\footnotesize [0.745, 0.806]} & --- \\\\');
    // The degenerate cell carries a dagger; the reference rows sit between their own rules.
    expect(tex).toContain('& $0.773 \\pm 0.012$\\textsuperscript{\\dag} {\\footnotesize [0.743, 0.804]} &');
    expect(tex.match(/\\midrule/g)).toHaveLength(3);
    expect(tex.indexOf('Label mean (no audio)')).toBeLessThan(tex.indexOf('a\\textbar{}b & 0.50'));
    expect(tex).toContain('one repeat & 0.250 ($n=1$) &');
    expect(tex).toContain('=1+1 & 0.80 &');
    // The hostile name, wherever it appears, is escaped: no raw special character survives.
    const escapedName = escapeLatex(HOSTILE_NAME);
    expect(tex.split(escapedName).length - 1).toBeGreaterThanOrEqual(3);
    const outsideName = tex.split(escapedName).join('');
    expect(outsideName).not.toMatch(/50%|\$x_1|<script>/);
    // Comment lines stay comments: the name's line break did not end one.
    for (const line of tex.split('\n')) if (line.includes('=1+1') && line.startsWith('%')) expect(line).toMatch(/^% /);
    expect(tex.split('\n').filter((l) => l.includes('textasciicircum')).every((l) => /^(% |  |    )/.test(l))).toBe(true);
    // Balanced braces and math: a quick check that escaping left no stray delimiter.
    const unescaped = tex.replace(/\\[{}$%&#_]/g, '');
    expect(unescaped.split('{').length).toBe(unescaped.split('}').length);
    expect((unescaped.match(/\$/g) ?? []).length % 2).toBe(0);
  });
});
