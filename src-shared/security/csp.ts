/**
 * The one Content-Security-Policy of the window, in both modes: only our own scripts, no eval,
 * no remote content; 'self' also covers the bridge's same-origin WebSocket and uploads. Inline
 * styles are allowed because chart.js sizes its canvas through the style attribute. The HTTP
 * headers (browser mode, and Electron's responses) carry all of it; the page's <meta> carries
 * the directives a <meta> may hold (browsers ignore frame-ancestors there, with a console error).
 */
const DIRECTIVES: ReadonlyArray<readonly [string, string, 'header-only'?]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data: blob:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'", 'header-only'],
];

export const CONTENT_SECURITY_POLICY = DIRECTIVES.map(([name, value]) => `${name} ${value}`).join('; ');
export const CONTENT_SECURITY_POLICY_META = DIRECTIVES.filter(([, , where]) => where !== 'header-only')
  .map(([name, value]) => `${name} ${value}`)
  .join('; ');
