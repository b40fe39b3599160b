import { parseCsv as readCsv } from '../src-shared/csv';

/** A strict RFC 4180 reader for the specs: it throws on a field that leaks into the next, a bare CR or LF, or a last record without CRLF. */
export function parseCsv(text: string): string[][] {
  return readCsv(text, { strict: true });
}
