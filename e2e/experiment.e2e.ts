import { expect, test, type Download, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_DIR, workbenchPerFile } from './launch';

const workbench = workbenchPerFile();

async function saved(page: Page, click: () => Promise<void>): Promise<{ download: Download; text: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  const bytes = readFileSync(path);
  return { download, text: bytes.toString('utf8'), bytes };
}

/** The chart's mean points as drawn: arm, label count and position in the canvas. */
async function pointsOf(chart: Locator): Promise<Array<{ arm: string; labelCount: number; x: number; y: number }>> {
  return JSON.parse((await chart.getAttribute('data-points')) ?? '[]');
}

test('a user runs the quick experiment, reads the four figures, exports them and opens a run behind a point', async () => {
  test.setTimeout(12 * 60_000);
  const { page, errors } = await workbench.open({ width: 1360, height: 900 });

  // Alt+4 opens the Experiments view; the form defaults to the quick preset on the positive control.
  await page.keyboard.press('Alt+4');
  await expect(page.getByRole('heading', { name: 'Run an experiment' })).toBeVisible();
  await expect(page.getByTestId('experiment-dataset').locator('option:checked')).toContainText('Positive control');
  await expect(page.getByTestId('experiment-preset')).toHaveValue('quick');
  await expect(page.getByTestId('experiment-label-counts')).toHaveValue('20, 50, 100, 200');
  await expect(page.getByTestId('experiment-repeats')).toHaveValue('6');
  // This test is about the view, not the outcome (npm run bench -- controls checks that): a smaller sweep.
  await page.getByTestId('experiment-label-counts').fill('20, 50');
  await page.getByTestId('experiment-repeats').fill('2');
  const counts = [20, 50];
  const repeats = 2;

  await page.getByLabel('Experiment name').fill('e2e quick sweep');
  await page.getByTestId('start-experiment').click();
  const row = page.getByTestId('experiment-row').filter({ hasText: 'e2e quick sweep' });
  await expect(row.getByTestId('experiment-status')).toHaveText('running');
  await expect(row.getByTestId('experiment-progress')).toHaveText(/\d+ \/ \d+ runs/);
  await expect(page.getByTestId('experiment-results')).toContainText('Experiment #');
  // Once a run has finished, the ETA is an estimate rather than a dash.
  await expect(row.getByTestId('experiment-eta')).not.toHaveText('—', { timeout: 180_000 });
  // The open experiment's figures fill in while it runs.
  await expect(page.getByTestId('figure-4').getByTestId('sweep-chart')).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: join(OUTPUT_DIR, 'experiments-progress.png') });

  // The quick preset is meant to finish in a few minutes on 2 cores.
  await expect(row.getByTestId('experiment-status')).toHaveText('done', { timeout: 8 * 60_000 });
  await expect(row.getByTestId('experiment-progress')).toHaveText(/^(\d+) \/ \1 runs$/);

  // Every figure has both curves at every label count: 2 overall charts and 2 x 6 small multiples.
  const results = page.getByTestId('experiment-results');
  for (const n of [4, 5, 6, 7]) {
    const charts = results.getByTestId(`figure-${n}`).getByTestId('sweep-chart');
    await expect(charts).toHaveCount(n <= 5 ? 1 : 6);
    for (const chart of await charts.all()) {
      await expect(chart).toHaveAttribute('data-ssl-points', String(counts.length));
      await expect(chart).toHaveAttribute('data-baseline-points', String(counts.length));
      await expect(chart).toHaveAttribute('data-label-counts', [...counts].sort((a, b) => a - b).join(','));
    }
  }
  await expect(results.getByTestId('summary-row')).toHaveCount(counts.length);
  await expect(results.getByTestId('labels-saved')).toContainText(/SSL at \d+ labels/);

  // The data behind Figure 4 as CSV: one row per arm and label count, with the runs behind each.
  const csv = await saved(page, () => results.getByTestId('export-csv-4').click());
  expect(csv.download.suggestedFilename()).toMatch(/^experiment-\d+-figure-4-.*\.csv$/);
  const lines = csv.text.trim().split('\n');
  expect(lines[0]).toBe('arm,metric,scope,label_count,mean,sd,n,mean_minus_sd,mean_plus_sd,run_ids');
  expect(lines.filter((l) => l.startsWith('ssl,acc4,overall,'))).toHaveLength(counts.length);
  expect(lines.filter((l) => l.startsWith('baseline,acc4,overall,'))).toHaveLength(counts.length);
  for (const l of lines.slice(1)) expect(l.split(',')[9].split(' ')).toHaveLength(repeats);

  // Figure 7 as SVG (six panels) and Figure 5 as PNG.
  const svg = await saved(page, () => results.getByTestId('export-svg-7').click());
  expect(svg.text).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  expect(svg.text.match(/<g class="panel">/g)).toHaveLength(6);
  expect(svg.text.match(/class="point"/g)).toHaveLength(6 * 2 * counts.length);
  const png = await saved(page, () => results.getByTestId('export-png-5').click());
  expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  const grid = await saved(page, () => results.getByTestId('export-png-6').click());
  expect(grid.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  await grid.download.saveAs(join(OUTPUT_DIR, 'experiments-export-figure6.png'));
  // What the SVG export looks like, drawn by the browser.
  const svg4 = await saved(page, () => results.getByTestId('export-svg-4').click());
  const viewer = await workbench.browser().newPage({ viewport: { width: 1100, height: 1000 } });
  await viewer.setContent(
    `<body style="margin:0;background:#ddd">` +
      `<img src="data:image/svg+xml;base64,${Buffer.from(svg4.text).toString('base64')}">` +
      `<img src="data:image/svg+xml;base64,${Buffer.from(svg.text).toString('base64')}" style="display:block">` +
      `</body>`,
  );
  await viewer.screenshot({ path: join(OUTPUT_DIR, 'experiments-export-svg.png'), fullPage: true });
  await viewer.close();

  // With the paper's numbers overlaid, clearly labelled as not the user's data.
  await results.getByTestId('show-paper').check();
  await expect(results.getByTestId('paper-note')).toContainText('paper (not your data)');
  await results.getByTestId('shared-y').check();
  await results.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUTPUT_DIR, 'experiments.png'), fullPage: true });

  // Hovering a point shows its values; clicking it lists its runs, and a run opens in the history.
  const fig4 = results.getByTestId('figure-4');
  const chart = fig4.getByTestId('sweep-chart');
  const canvasBox = (await chart.locator('canvas').boundingBox())!;
  const points = await pointsOf(chart);
  expect(points.filter((p) => p.arm === 'ssl')).toHaveLength(counts.length);
  const target = points.find((p) => p.arm === 'ssl' && p.labelCount === Math.min(...counts))!;
  await page.mouse.move(canvasBox.x + target.x, canvasBox.y + target.y);
  await page.waitForTimeout(300);
  await fig4.screenshot({ path: join(OUTPUT_DIR, 'experiments-hover.png') });
  await page.mouse.click(canvasBox.x + target.x, canvasBox.y + target.y);
  const picked = fig4.getByTestId('point-runs');
  await expect(picked).toContainText(`${target.labelCount} labelled segments`);
  const runButtons = picked.getByTestId('open-run');
  await expect(runButtons).toHaveCount(repeats);
  await fig4.screenshot({ path: join(OUTPUT_DIR, 'experiments-point-runs.png') });
  const runLabel = (await runButtons.first().textContent())!.trim();
  const runId = Number(/#(\d+)/.exec(runLabel)![1]);
  await runButtons.first().click();
  await expect(page.getByRole('heading', { name: 'Run history' })).toBeVisible();
  const detail = page.getByTestId('run-detail');
  await expect(detail.getByRole('heading', { name: new RegExp(`^Run #${runId} `) })).toBeVisible();
  await expect(detail).toContainText('finetune of pre-training run #');
  await expect(detail.getByTestId('metrics-table')).toContainText('4-class accuracy');
  await expect(page.locator(`[data-testid="history-row"][data-run-id="${runId}"]`)).toHaveClass(/open/);
  await page.screenshot({ path: join(OUTPUT_DIR, 'experiments-open-run.png') });

  // Back to the experiment: it is still selected.
  await page.keyboard.press('Alt+4');
  await expect(page.getByTestId('experiment-results')).toContainText('e2e quick sweep');
  expect(errors).toEqual([]);
  await page.close();
});
