/**
 * The web pages the window links to. The desktop app opens these, and only these, in the
 * system browser; any other URL a page tries to open is refused.
 */
export const EXTERNAL_LINKS = {
  multimodalSdk: 'https://github.com/CMU-MultiComp-Lab/CMU-MultimodalSDK',
} as const;

const ALLOWED = new Set<string>(Object.values(EXTERNAL_LINKS));

export function isAllowedExternalLink(url: string): boolean {
  return ALLOWED.has(url);
}
