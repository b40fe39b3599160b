/**
 * The one CSV writer: every CSV the workbench writes (Table 1, the figures' data, the SSL −
 * baseline tests) goes through `toCsv`, so they share quoting, line endings and the formula guard.
 *
 * - RFC 4180: fields separated by commas, records ended by CRLF (the last one too); a field
 *   holding a comma, a double quote, CR or LF is put in double quotes, its quotes doubled.
 * - Numbers are written bare (shortest round-trip form); NaN, ±Infinity, null and undefined
 *   are empty fields.
 * - Formula guard (spreadsheets run a cell that starts with = + - @, and some tab or CR, as a
 *   formula): a text field starting with one of those (or their full-width forms ＝ ＋ － ＠) gets
 *   a leading apostrophe, which spreadsheets show as text and never evaluate. A text field that
 *   is a plain decimal number ("-0.125000", "+3", "1e-7") is left alone: a spreadsheet reads it
 *   as that number, and a number cannot call anything, so negative values stay numeric whether
 *   they arrive as numbers or as numbers already formatted to fixed decimals.
 */
export type CsvCell = string | number | null | undefined;

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, encoded by the rules above. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const guarded = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Records (the header first) as one CSV document. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}

/** A number to fixed decimals for a CSV field; empty when absent or not finite. */
export function fixedDecimals(value: number | null | undefined, decimals: number): string | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value.toFixed(decimals);
}

/**
 * Reads CSV text into records of fields. Quoted fields may hold commas, doubled quotes and line
 * breaks. `strict` (what the workbench writes, checked by its specs): every record ends with
 * CRLF and a quote or bare CR/LF inside an unquoted field is an error. Otherwise (a file a
 * spreadsheet or another tool saved) LF or CRLF end records, the last may end without one,
 * and an empty last line is ignored.
 */
export function parseCsv(text: string, options: { strict?: boolean } = {}): string[][] {
  const strict = options.strict ?? false;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let wasQuoted = false;
  const endRecord = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
    wasQuoted = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"' && field === '' && !wasQuoted) (quoted = true), (wasQuoted = true), i++;
    else if (c === ',') row.push(field), (field = ''), (wasQuoted = false), i++;
    else if (c === '\r' && text[i + 1] === '\n') endRecord(), (i += 2);
    else if (c === '\n' && !strict) endRecord(), i++;
    else {
      if (c === '"' || c === '\n' || c === '\r') throw new Error(`Stray ${JSON.stringify(c)} at ${i}`);
      (field += c), i++;
    }
  }
  if (quoted) throw new Error('A quoted field is not closed before the end of the file');
  if (field !== '' || row.length || wasQuoted) {
    if (strict) throw new Error('The last record is not ended by CRLF');
    endRecord();
  }
  return rows;
}
