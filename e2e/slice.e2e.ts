import { expect, test, type Page } from '@playwright/test';
import { chromium, type Browser } from 'playwright-core';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumLaunch, OUTPUT_DIR, serveWorkbench, tempDataDir, type ServedWorkbench, expectAccessible } from './launch';

let browser: Browser;
const dataDir = tempDataDir();

test.beforeAll(async () => {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  browser = await chromium.launch(chromiumLaunch);
});
test.afterAll(async () => {
  await browser.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openApp(served: ServedWorkbench): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.url);
  await expect(page.getByRole('heading', { name: 'Datasets' })).toBeVisible();
  expect(errors).toEqual([]);
  return page;
}

async function setNumber(page: Page, label: string, value: number) {
  await page.getByLabel(label, { exact: true }).fill(String(value));
}

test('a user trains a run, watches it, cancels another, and finds both after a restart', async () => {
  let served = await serveWorkbench(dataDir);
  let page = await openApp(served);

  // The two controls exist on first start and say they are synthetic.
  const datasets = page.getByTestId('datasets-table');
  await expect(datasets).toContainText('Positive control');
  await expect(datasets).toContainText('synthetic — positive control');
  await expect(datasets).toContainText('synthetic — negative control');
  await expect(datasets).toContainText('2,400');
  await expect(datasets).toContainText('1,920 / 480'); // the default random 80/20 split
  await expect(page.getByTestId('backend')).toContainText(/WASM|tfjs-node|plain JS/);
  await page.screenshot({ path: join(OUTPUT_DIR, 'datasets.png') });

  // The number of training processes can be changed from the status bar.
  await page.getByTestId('workers').getByRole('button').click();
  await page.getByLabel('Training processes').selectOption('1');
  await expect(page.getByTestId('workers')).toContainText('1');

  // Start a short run from the Train view and watch its progress.
  await page.keyboard.press('Alt+2');
  await expect(page.getByRole('heading', { name: 'Start a training run' })).toBeVisible();
  await page.getByLabel('Run name').fill('e2e short run');
  await setNumber(page, 'Epochs', 3);
  await page.getByTestId('start-run').click();
  const progress = page.getByTestId('run-progress');
  await expect(progress).toContainText('e2e short run');
  await expect(page.getByTestId('progress-epoch')).toHaveText(/[1-3]/, { timeout: 60_000 });
  await expect(page.getByTestId('progress-eta')).not.toHaveText('—');
  // Its loss curve grows live, epoch by epoch.
  await expect(progress.locator('canvas')).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: join(OUTPUT_DIR, 'train-progress.png') });
  await expectAccessible(page, 'Train, a run training');
  await expect(progress).toHaveCount(0, { timeout: 120_000 });

  // A second, longer run is cancelled from the UI.
  await page.getByLabel('Run name').fill('e2e cancelled run');
  await setNumber(page, 'Epochs', 50);
  await page.getByTestId('start-run').click();
  await expect(page.getByTestId('run-progress').locator('canvas')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('cancel-run').click();
  await expect(page.getByTestId('run-progress')).toHaveCount(0, { timeout: 30_000 });
  // What became of it, and the way to continue it.
  const outcome = page.getByTestId('run-outcome');
  await expect(outcome).toContainText(/e2e cancelled run was cancelled at epoch \d+ of 50, last loss \d+\.\d{4}/);
  await expect(outcome.getByTestId('outcome-resume')).toBeVisible();
  await page.screenshot({ path: join(OUTPUT_DIR, 'train-summary.png') });

  // A third run is cancelled from the history, where it shows as training.
  await page.getByLabel('Run name').fill('e2e cancelled from history');
  await page.getByTestId('start-run').click();
  await expect(page.getByTestId('progress-epoch')).toBeVisible({ timeout: 60_000 });
  await page.keyboard.press('Alt+3');
  const rows = page.getByTestId('history-row');
  await rows.filter({ hasText: 'e2e cancelled from history' }).getByTestId('row-cancel').click();
  await expect(rows.filter({ hasText: 'e2e cancelled from history' }).getByTestId('run-status')).toHaveText('cancelled', { timeout: 30_000 });

  // History shows all three, with their outcome and metrics; a row opens its detail.
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: 'e2e short run' }).getByTestId('run-status')).toHaveText('done');
  await expect(rows.filter({ hasText: 'e2e cancelled run' }).getByTestId('run-status')).toHaveText('cancelled');
  await rows.filter({ hasText: 'e2e short run' }).focus();
  await page.keyboard.press('Enter');
  const detail = page.getByTestId('run-detail');
  await expect(detail).toContainText('Validation metrics');
  const metrics = detail.getByTestId('metrics-table');
  await expect(metrics).toContainText('4-class accuracy');
  await expect(metrics.getByRole('row', { name: /^MAE/ })).toContainText(/0\.\d{3}/);
  await expect(detail.locator('canvas')).toBeVisible();
  await page.screenshot({ path: join(OUTPUT_DIR, 'history.png'), fullPage: true });
  await expectAccessible(page, 'Run history');
  await page.close();

  // Restart on the same data directory: the history is still there.
  await served.stop();
  served = await serveWorkbench(dataDir);
  page = await openApp(served);
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('history-row')).toHaveCount(3);
  await expect(page.getByTestId('history-table')).toContainText('e2e short run');
  await page.close();
  await served.stop();
});

test('the page refuses a visit without the launch token', async () => {
  const served = await serveWorkbench(tempDataDir());
  const page = await browser.newPage();
  const response = await page.goto(served.url.replace(/\?token=.*/, ''));
  expect(response?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('access token');
  await page.close();
  await served.stop();
});

test('a run interrupted by killing the workbench is marked interrupted at the next start', async () => {
  const dir = tempDataDir();
  let served = await serveWorkbench(dir);
  let page = await openApp(served);
  await page.keyboard.press('Alt+2');
  await page.getByLabel('Run name').fill('killed mid-run');
  await setNumber(page, 'Epochs', 200);
  await page.getByTestId('start-run').click();
  await expect(page.getByTestId('progress-epoch')).toBeVisible({ timeout: 60_000 });
  served.process.kill('SIGKILL');
  await page.close();
  await new Promise((r) => setTimeout(r, 500));
  served = await serveWorkbench(dir);
  expect(served.output()).toContain('marked interrupted');
  page = await openApp(served);
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('history-row').getByTestId('run-status')).toHaveText('interrupted');
  // It can be resumed from its checkpoint, and it trains again.
  await page.getByTestId('history-row').click();
  await page.getByTestId('resume-run').click();
  await expect(page.getByTestId('history-row').getByTestId('run-status')).toHaveText(/queued|running/);
  await page.keyboard.press('Alt+2');
  await expect(page.getByTestId('run-progress').locator('canvas')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('cancel-run').click();
  await expect(page.getByTestId('run-progress')).toHaveCount(0, { timeout: 30_000 });
  await page.close();
  await served.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a user pre-trains, then fine-tunes the frozen encoder, and the fine-tune names its pre-training run', async () => {
  const dir = tempDataDir();
  const served = await serveWorkbench(dir);
  const page = await openApp(served);
  await page.keyboard.press('Alt+2');
  await page.getByTestId('run-kind').selectOption('pretrain');
  await page.getByLabel('Run name').fill('ssl pre-training');
  await setNumber(page, 'Epochs', 1);
  await expect(page.getByLabel('Span length (steps)')).toHaveValue('30');
  await expect(page.getByLabel('Mask value')).toHaveValue('-30');
  await page.getByTestId('start-run').click();
  await expect(page.getByTestId('run-progress')).toContainText('ssl pre-training');
  await expect(page.getByTestId('run-progress')).toHaveCount(0, { timeout: 120_000 });

  await page.getByTestId('run-kind').selectOption('finetune');
  await expect(page.getByLabel('Pre-training run')).toContainText('ssl pre-training');
  await page.getByLabel('Run name').fill('ssl fine-tune');
  await setNumber(page, 'Labelled segments', 50);
  await page.getByTestId('start-run').click();
  await expect(page.getByTestId('run-progress')).toHaveCount(0, { timeout: 120_000 });

  await page.keyboard.press('Alt+3');
  const rows = page.getByTestId('history-row');
  await expect(rows.filter({ hasText: 'ssl fine-tune' }).getByTestId('run-status')).toHaveText('done');
  await rows.filter({ hasText: 'ssl fine-tune' }).click();
  await expect(page.getByTestId('run-detail')).toContainText('finetune of pre-training run #1');
  await expect(page.getByTestId('metrics-table')).toContainText('F1 (presence)');
  await page.screenshot({ path: join(OUTPUT_DIR, 'finetune-detail.png'), fullPage: true });
  await page.close();
  await served.stop();
  rmSync(dir, { recursive: true, force: true });
});
