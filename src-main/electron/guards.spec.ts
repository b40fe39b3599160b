import { describe, expect, it } from 'vitest';
import { EXTERNAL_LINKS } from '@shared/security/externalLinks';
import { isOwnPage, mayOpenExternally, rendererUrl } from './guards';

describe('the desktop window guards', () => {
  const own = rendererUrl('/opt/MOSEI SSL Workbench/resources/app/out/renderer/index.html');

  it('accept requests from the workbench page only, not from any other file:// page', () => {
    expect(own).toBe('file:///opt/MOSEI%20SSL%20Workbench/resources/app/out/renderer/index.html');
    expect(isOwnPage(own, own)).toBe(true);
    expect(isOwnPage(`${own}#history`, own)).toBe(true);
    for (const other of [
      'file:///tmp/evil.html',
      'file:///opt/MOSEI%20SSL%20Workbench/resources/app/out/renderer/other.html',
      `${own}?x=1`,
      'https://example.org/index.html',
      'about:blank',
      'not a url',
      '',
      undefined,
    ]) {
      expect(isOwnPage(other, own)).toBe(false);
    }
  });

  it('open in the system browser only the pages the app links to', () => {
    for (const url of Object.values(EXTERNAL_LINKS)) expect(mayOpenExternally(url)).toBe(true);
    for (const url of ['https://example.org', 'file:///etc/passwd', 'javascript:alert(1)', `${EXTERNAL_LINKS.multimodalSdk}/../../evil`, 'smb://host/share']) {
      expect(mayOpenExternally(url)).toBe(false);
    }
  });
});
