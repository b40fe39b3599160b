import { pathToFileURL } from 'node:url';
import { isAllowedExternalLink } from '@shared/security/externalLinks';

/**
 * The desktop window's rules about where its page may be, what may call into main and
 * which links leave the app, as pure functions of URLs (main.ts wires them to Electron).
 */

/** The page's own URL: the built renderer's index.html, as loadFile opens it. */
export function rendererUrl(indexHtml: string): string {
  return pathToFileURL(indexHtml).href;
}

/**
 * Whether a request comes from the workbench's own page: exactly its URL (a fragment aside),
 * not any file:// page the renderer might have been led to.
 */
export function isOwnPage(senderUrl: string | undefined, ownUrl: string): boolean {
  if (!senderUrl) return false;
  try {
    const url = new URL(senderUrl);
    url.hash = '';
    return url.href === ownUrl;
  } catch {
    return false;
  }
}

/** A link the window may open in the system browser: only the pages the app itself links to. */
export function mayOpenExternally(url: string): boolean {
  return isAllowedExternalLink(url);
}
