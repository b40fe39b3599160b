/** The parts of a request's target the bridge reads: its decoded path and its query. */
export interface RequestTarget {
  /** Percent-decoded path, starting with "/". */
  path: string;
  query: URLSearchParams;
}

/**
 * Parses a request target as a client sent it, once, for every check that reads it (the
 * token, the file served, the WebSocket path). Only the origin form ("/path?query") is
 * accepted: the absolute form is for proxies, which the bridge is not. Null for anything
 * that does not parse (an invalid port in an absolute target, a malformed percent escape,
 * a NUL byte), which the caller answers with 400.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | null {
  if (raw === undefined || !raw.startsWith('/')) return null;
  try {
    // Prefixed rather than resolved against a base, so "//x" stays a path instead of naming a host "x".
    const url = new URL(`http://127.0.0.1${raw}`);
    const path = decodeURIComponent(url.pathname);
    return path.includes('\0') ? null : { path, query: url.searchParams };
  } catch {
    return null;
  }
}
