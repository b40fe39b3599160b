import { expect, test } from '@playwright/test';
import { _electron as electron } from 'playwright-core';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: plain-JS launcher helpers, shared with `npm start`.
import { electronBinary, electronSqliteBinding, electronVersion } from '../src-main/launcher/electron.mjs';
import { OUTPUT_DIR, ROOT, tempDataDir } from './launch';

/**
 * The desktop build, driven through Playwright's Electron support. It needs Electron's
 * binary (downloaded by `npm start` on a machine with internet) and a display; where
 * either is missing it reports itself skipped with the reason.
 */
const found = electronBinary({ download: false }) as { path?: string; reason?: string };

const skipReason = found.path ? null : `Electron e2e skipped: ${found.reason}`;
if (skipReason) console.log(skipReason);

test('the desktop window opens on the built-in dataset with a sandboxed renderer', async () => {
  test.skip(skipReason !== null, skipReason ?? '');
  const binding = electronSqliteBinding(electronVersion()) as string | null;
  test.skip(!binding, 'Electron e2e skipped: the SQLite module could not be built for Electron');
  const dataDir = tempDataDir();
  const app = await electron.launch({
    executablePath: found.path,
    args: [ROOT, '--data-dir', dataDir],
    env: { ...process.env, MOSEI_SQLITE_BINDING: binding! } as Record<string, string>,
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('datasets-table')).toContainText('Positive control');
    // The page has no Node: only the preload's narrow API.
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => Object.keys((globalThis as unknown as { workbench: object }).workbench).sort())).toEqual(['onEvent', 'request']);
    await window.screenshot({ path: join(OUTPUT_DIR, 'electron-datasets.png') });
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
