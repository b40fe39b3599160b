/**
 * One Content-Security-Policy for both modes: only our own scripts, no eval, no remote
 * content; 'self' also covers the bridge's same-origin WebSocket. Inline styles are
 * allowed because chart.js sizes its canvas through the style attribute.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
