import { expect, test, type Locator } from '@playwright/test';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_DIR, workbenchPerFile } from './launch';

const workbench = workbenchPerFile();

async function pointsOf(chart: Locator): Promise<Array<{ arm: string; series: string; labelCount: number }>> {
  return JSON.parse((await chart.getAttribute('data-points')) ?? '[]');
}

test('a user runs a Quick ablation over three mask spans: three pre-trainings, one baseline arm, a curve per span and the heat map, numbers as in the store', async () => {
  test.setTimeout(20 * 60_000);
  const { page, errors } = await workbench.open({ width: 1360, height: 900 });
  await page.keyboard.press('Alt+4');
  await expect(page.getByTestId('experiment-preset')).toHaveValue('quick');
  await page.getByLabel('Experiment name').fill('e2e span ablation');
  const counts = (await page.getByTestId('experiment-label-counts').inputValue()).split(/[\s,]+/).filter(Boolean).map(Number).slice(0, 3);
  await page.getByTestId('experiment-label-counts').fill(counts.join(', '));
  await page.getByTestId('experiment-repeats').fill('2');

  // A value a run may not have is named before anything starts.
  await page.getByTestId('factor-add').click();
  await page.getByTestId('factor-field').selectOption('mask.spanLength');
  await page.getByTestId('factor-values').fill('5, 0');
  await expect(page.getByTestId('factor-error')).toHaveText('Mask span length (steps): "0" is not allowed; use whole numbers from 1 to 10000.');
  await expect(page.getByTestId('start-experiment')).toBeDisabled();

  await page.getByTestId('factor-values').fill('5, 15, 30');
  const preview = page.getByTestId('plan-preview');
  await expect(preview.getByTestId('plan-pretrainings')).toHaveText('3 pre-trainings');
  await expect(preview.getByTestId('plan-finetunes')).toHaveText(`${3 * counts.length * 2} fine-tunes`);
  await expect(preview.getByTestId('plan-baselines')).toHaveText(`${counts.length * 2} baselines`);
  // Nothing has trained on this fresh data directory: no speed measured, so no number invented.
  await expect(preview.getByTestId('plan-projection')).toContainText('unknown until a run has trained');
  // No cluster: the local pool's processes alone are counted.
  await expect(preview.getByTestId('plan-counted')).toHaveText(/^\d+ local process(es)?$/);
  await page.screenshot({ path: join(OUTPUT_DIR, 'ablation-form.png') });

  await page.getByTestId('start-experiment').click();
  const row = page.getByTestId('experiment-row').filter({ hasText: 'e2e span ablation' });
  await expect(row.getByTestId('experiment-kind')).toHaveText('ablation: span');
  await expect(row.getByTestId('experiment-status')).toHaveText('done', { timeout: 18 * 60_000 });
  await expect(row.getByTestId('experiment-progress')).toHaveText(`${4 * counts.length * 2} / ${4 * counts.length * 2} runs`);

  const results = page.getByTestId('experiment-results');
  await expect(results.getByTestId('pretrain-link')).toHaveCount(3);
  for (const n of [4, 5]) {
    const chart = results.getByTestId(`figure-${n}`).getByTestId('sweep-chart');
    await expect(chart).toHaveAttribute('data-ssl-series', '3');
    await expect(chart).toHaveAttribute('data-baseline-series', '1');
    await expect(chart).toHaveAttribute('data-series-labels', 'SSL, span = 5|SSL, span = 15|SSL, span = 30|Baseline (shared by every value)');
    const points = await pointsOf(chart);
    for (const s of ['SSL, span = 5', 'SSL, span = 15', 'SSL, span = 30', 'Baseline (shared by every value)']) expect(points.filter((p) => p.series === s)).toHaveLength(counts.length);
  }
  const heatmap = results.getByTestId('ablation-heatmap');
  await expect(heatmap.getByTestId('heatmap-acc4').getByTestId('heatmap-cell')).toHaveCount(3 * counts.length);
  await expect(heatmap.getByTestId('best-values')).toContainText(`4-class accuracy, ${counts[0]} labels: `);
  await heatmap.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUTPUT_DIR, 'ablation-results.png'), fullPage: true });

  // The Quick preset holds out a test part: the view says its numbers are on it.
  await expect(results.getByTestId('results-split')).toHaveText('numbers on the test split');
  const split = 'test';
  // The heat map's differences, recomputed from the store: mean over repeats of SSL(span) − the shared baseline, on that split.
  const db = new Database(join(workbench.dataDir, 'workbench.sqlite'), { readonly: true });
  const runs = db
    .prepare(
      `SELECT r.kind, r.label_count AS n, r.factor_values_json AS v, m.value FROM runs r JOIN metrics m ON m.run_id = r.id
       WHERE r.experiment_id = (SELECT id FROM experiments WHERE name = 'e2e span ablation') AND m.split = ? AND m.scope = 'overall' AND m.name = 'acc4'`,
    )
    .all(split) as Array<{ kind: string; n: number; v: string; value: number }>;
  const pretrainings = db.prepare(`SELECT COUNT(*) FROM runs WHERE kind = 'pretrain' AND experiment_id = (SELECT id FROM experiments WHERE name = 'e2e span ablation')`).pluck().get();
  db.close();
  expect(pretrainings).toBe(3);
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const cells = await heatmap.getByTestId('heatmap-acc4').getByTestId('heatmap-cell').all();
  let k = 0;
  for (const span of [5, 15, 30]) {
    for (const n of [...counts].sort((a, b) => a - b)) {
      const ssl = runs.filter((r) => r.kind === 'finetune' && r.n === n && JSON.parse(r.v)['mask.spanLength'] === span).map((r) => r.value);
      const base = runs.filter((r) => r.kind === 'baseline' && r.n === n).map((r) => r.value);
      expect(ssl).toHaveLength(2);
      expect(base).toHaveLength(2);
      expect(Number(await cells[k++].getAttribute('data-difference'))).toBeCloseTo(mean(ssl) - mean(base), 9);
    }
  }

  // The heat map's exports: CSV keeps ASCII minus signs; the SVG prints every negative difference with U+2212.
  const [csv] = await Promise.all([page.waitForEvent('download'), heatmap.getByTestId('export-csv-heatmap-acc4').click()]);
  expect(readFileSync(await csv.path()).toString('utf8').split('\r\n')[0]).toBe('metric,factor_values,label_count,n,ssl_minus_baseline,p,p_holm,significant,best,split');
  const [svgFile] = await Promise.all([page.waitForEvent('download'), heatmap.getByTestId('export-svg-heatmap-acc4').click()]);
  const svg = readFileSync(await svgFile.path()).toString('utf8');
  const differences = await Promise.all(cells.map(async (c) => Number(await c.getAttribute('data-difference'))));
  expect(svg.match(/<rect class="cell"/g)).toHaveLength(3 * counts.length);
  expect(svg).not.toMatch(/>-\d/);
  expect((svg.match(/>\u2212\d/g) ?? []).length).toBe(differences.filter((d) => Number(d.toFixed(3)) < 0).length);
  // The summary's tests name the value each belongs to.
  const [summaryFile] = await Promise.all([page.waitForEvent('download'), results.getByTestId('export-summary').click()]);
  const summaryRows = readFileSync(await summaryFile.path()).toString('utf8').trim().split('\r\n');
  expect(summaryRows[0]).toMatch(/^factor_values,metric,scope,label_count,/);
  expect(new Set(summaryRows.slice(1).map((r) => r.split(',')[0]))).toEqual(new Set(['span = 5', 'span = 15', 'span = 30']));
  const [png] = await Promise.all([page.waitForEvent('download'), results.getByTestId('export-png-4').click()]);
  const bytes = readFileSync(await png.path());
  const width = bytes.readUInt32BE(16);
  const shown = (await results.getByTestId('figure-4').getByTestId('sweep-chart').boundingBox())!.width;
  // A print export: twice the size on screen by default.
  expect(Math.abs(width - 2 * shown)).toBeLessThanOrEqual(2);
  expect(errors).toEqual([]);
});
