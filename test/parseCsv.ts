/** A strict RFC 4180 reader for the specs: it throws on a field that leaks into the next, a bare CR or LF, or a last record without CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"' && field === '') (quoted = true), i++;
    else if (c === ',') row.push(field), (field = ''), i++;
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    else {
      if (c === '"' || c === '\n' || c === '\r') throw new Error(`Stray ${JSON.stringify(c)} at ${i}`);
      (field += c), i++;
    }
  }
  if (quoted || field !== '' || row.length) throw new Error('The last record is not ended by CRLF');
  return rows;
}
