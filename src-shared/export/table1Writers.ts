/**
 * Table 1 as Markdown, CSV and LaTeX (the HTML report is in table1Html.ts). Pure string
 * building: every text that came from the user or the store is escaped for its format.
 */
import { fixedDecimals, toCsv, type CsvCell } from '../csv';
import { cellFlagged, cellParts, cellText, DEGENERATE_MARK, emotionHeading, F1_LABELS, MISSING, table1Subtitle, table1Title } from './table1';
import type { Table1 } from './table1Model';

const LINE_BREAK = /\r\n|\r|\n/g;

// ---------------------------------------------------------------------------
// Markdown (GitHub-flavoured: pipe table).
// ---------------------------------------------------------------------------

/**
 * Text safe in a Markdown table cell or paragraph: backslash-escapes the characters that start
 * markup (pipes would split a cell; `$` starts math on GitHub; `<` raw HTML), and a line break
 * becomes <br> so a cell stays on its row. (Escaped text never starts a line, so `#`, `-` and
 * `1.` cannot make headings or lists.)
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>|~&$]/g, (c) => `\\${c}`).replace(LINE_BREAK, '<br>');
}

export function table1Markdown(table: Table1): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `## ${escapeMarkdown(table1Title(table))}`,
    '',
    escapeMarkdown(table1Subtitle(table)),
    '',
    row(['Model', ...table.emotions.map(emotionHeading)]),
    row(['---', ...table.emotions.map(() => '---:')]),
    ...table.rows.map((r) => row([escapeMarkdown(r.label), ...r.cells.map((c, i) => `${cellText(r, c)}${cellFlagged(r, i) ? ` ${DEGENERATE_MARK}` : ''}`)])),
    '',
    `**F1 definition.** ${escapeMarkdown(table.f1Definition)}`,
    '',
    'Notes:',
    '',
    ...table.notes.map((n) => `- ${escapeMarkdown(n)}`),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------
// CSV: one row per table row and emotion, numbers in full columns (src-shared/csv.ts's rules).
// ---------------------------------------------------------------------------

/** Decimals of mean, sd and interval in the CSV: more than any display, for machines comparing with the store. */
export const CSV_DECIMALS = 6;
export const TABLE1_CSV_HEADER = ['experiment_id', 'experiment_name', 'f1_metric', 'row', 'source', 'label_count', 'emotion', 'mean', 'sd', 'ci95_lower', 'ci95_upper', 'n', 'split', 'degenerate_runs'] as const;

/**
 * `split`: the split a measured row (runs, reference) was scored on; empty for quoted rows.
 * `degenerate_runs`: of a runs row's repeats, how many predict that emotion degenerately (the † of the other formats).
 */
export function table1Csv(table: Table1): string {
  const rows: CsvCell[][] = [[...TABLE1_CSV_HEADER]];
  for (const r of table.rows) {
    r.cells.forEach((c, i) => {
      // Quoted literature values have no sd, interval or n: they are not averages of runs.
      const measured = r.source !== 'literature' && c !== null;
      rows.push([
        table.experimentId,
        table.experimentName,
        table.f1Metric,
        r.label,
        r.source,
        r.labelCount,
        table.emotions[i],
        fixedDecimals(c?.mean, CSV_DECIMALS),
        fixedDecimals(measured ? c.sd : null, CSV_DECIMALS),
        fixedDecimals(measured ? c.ci95?.lower : null, CSV_DECIMALS),
        fixedDecimals(measured ? c.ci95?.upper : null, CSV_DECIMALS),
        measured ? c.n : null,
        r.source === 'literature' ? null : table.split,
        r.degenerate[i],
      ]);
    });
  }
  return toCsv(rows);
}

// ---------------------------------------------------------------------------
// LaTeX (booktabs).
// ---------------------------------------------------------------------------

const LATEX: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  // Not special, but OT1 fonts print them as other glyphs.
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  // Characters the notes use, in forms every engine typesets.
  '±': '$\\pm$',
  '—': '---',
  '–': '--',
  '·': '$\\cdot$',
  '†': '\\dag{}',
};

/** Text safe anywhere in a LaTeX document, comments included: the ten special characters escaped, line breaks as spaces. */
export function escapeLatex(s: string): string {
  return s.replace(LINE_BREAK, ' ').replace(/[\\&%$#_{}~^<>|±—–·†]/g, (c) => LATEX[c]);
}

function latexCell(r: Table1['rows'][number], c: Table1['rows'][number]['cells'][number], i: number): string {
  const p = cellParts(r, c);
  if (!p) return escapeLatex(MISSING);
  const mark = cellFlagged(r, i) ? '\\textsuperscript{\\dag}' : '';
  if (p.sd !== null) return `$${p.mean} \\pm ${p.sd}$${mark}${p.ci ? ` {\\footnotesize [${p.ci.lower}, ${p.ci.upper}]}` : ''}`;
  return `${p.n !== null ? `${p.mean} ($n=${p.n}$)` : p.mean}${mark}`;
}

export function table1Latex(table: Table1): string {
  const line = (cells: readonly string[]) => `    ${cells.join(' & ')} \\\\`;
  const measured = table.rows.filter((r) => r.source === 'runs');
  const references = table.rows.filter((r) => r.source === 'reference');
  const literature = table.rows.filter((r) => r.source === 'literature');
  const body = (rows: Table1['rows']) => rows.map((r) => line([escapeLatex(r.label), ...r.cells.map((c, i) => latexCell(r, c, i))]));
  return [
    `% ${escapeLatex(table1Title(table))}`,
    `% ${escapeLatex(table1Subtitle(table))}`,
    '% Needs \\usepackage{booktabs} in the preamble.',
    '\\begin{table}[htbp]',
    '  \\centering',
    `  \\caption{Per-emotion F1 (${escapeLatex(F1_LABELS[table.f1Metric])}) of the SSL model at ${table.labelCount} labels, experiment \\#${table.experimentId} ${escapeLatex(`"${table.experimentName}"`)}, beside the paper's Table 1.}`,
    `  \\label{tab:table1-experiment-${table.experimentId}}`,
    `  \\begin{tabular}{l${'r'.repeat(table.emotions.length)}}`,
    '    \\toprule',
    line(['Model', ...table.emotions.map(emotionHeading)]),
    '    \\midrule',
    ...body(measured),
    ...(references.length ? ['    \\midrule', ...body(references)] : []),
    ...(literature.length ? ['    \\midrule', ...body(literature)] : []),
    '    \\bottomrule',
    '  \\end{tabular}',
    '  \\par\\smallskip',
    '  {\\footnotesize',
    `  \\emph{F1 definition.} ${escapeLatex(table.f1Definition)}\\par`,
    ...table.notes.map((n) => `  ${escapeLatex(n)}\\par`),
    '  }',
    '\\end{table}',
    '',
  ].join('\n');
}
