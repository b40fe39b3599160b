import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';
import { chromium, type Browser } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LaunchOptions } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..');
export const OUTPUT_DIR = join(ROOT, 'test-output', 'e2e');

/** Debian's Chromium (Playwright's own browser download is not used). */
export const chromiumLaunch: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
};

const madeHere = new Set<string>();
// Whatever a spec made is removed when its process ends, even after a failure (Playwright also
// loads each spec file once to list its tests, which runs their top-level code).
process.on('exit', () => madeHere.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh data directory for a workbench under test, removed when this process ends at the latest. */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mosei-wb-e2e-'));
  madeHere.add(dir);
  return dir;
}

export interface ServedWorkbench {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts the built workbench in browser mode and resolves with the URL it prints. */
export function serveWorkbench(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ServedWorkbench> {
  const child = spawn(process.execPath, [join(ROOT, 'out/main/serve.js'), '--data-dir', dataDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolveServed, reject) => {
    const timer = setTimeout(() => reject(new Error(`The workbench did not print its URL within 30 s:\n${log}`)), 30_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /Open: (\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolveServed({
          url: match[1],
          process: child,
          output: () => log,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The workbench exited with code ${code}:\n${log}`));
    });
  });
}

/**
 * A spec file's browser and workbench: Chromium, and the built app served on a fresh data
 * directory, started before the file's tests; both stopped and the directory removed after.
 */
export function workbenchPerFile(): {
  dataDir: string;
  browser: () => Browser;
  /** A new page on the workbench, at its first view; `errors` collects what the page threw or logged as an error. */
  open: (viewport?: { width: number; height: number }) => Promise<{ page: Page; errors: string[] }>;
} {
  const dataDir = tempDataDir();
  let browser: Browser | undefined;
  let served: ServedWorkbench | undefined;
  test.beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    browser = await chromium.launch(chromiumLaunch);
    served = await serveWorkbench(dataDir);
  });
  test.afterAll(async () => {
    await served?.stop();
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  async function open(viewport = { width: 1280, height: 900 }) {
    const page = await browser!.newPage({ viewport });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(served!.url);
    await expect(page.getByRole('heading', { name: 'Datasets', exact: true })).toBeVisible();
    return { page, errors };
  }
  return { dataDir, browser: () => browser!, open };
}

/** axe-core's script, injected into the page for accessibility checks (not part of the app). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on what the page shows now and returns its serious
 * and critical violations, each with the elements it found them on.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 8) }));
  });
}

/** Fails the test with a readable list when the view shown has serious or critical accessibility violations. */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  expect(violations, `${view}: ${violations.map((v) => `${v.impact} ${v.id} (${v.help}) on ${v.nodes.join(', ')}`).join('; ')}`).toEqual([]);
}
