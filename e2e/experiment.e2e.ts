import { expect, test, type Download, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_DIR, workbenchPerFile, expectAccessible } from './launch';

const workbench = workbenchPerFile();

async function saved(page: Page, click: () => Promise<void>): Promise<{ download: Download; text: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  const bytes = readFileSync(path);
  return { download, text: bytes.toString('utf8'), bytes };
}

/** The chart's mean points as drawn: arm, label count, position in the canvas, and whether it is flagged. */
async function pointsOf(chart: Locator): Promise<Array<{ arm: string; labelCount: number; x: number; y: number; flagged: boolean }>> {
  return JSON.parse((await chart.getAttribute('data-points')) ?? '[]');
}

/** The vertices of the chart's reference lines as drawn. */
async function referencePointsOf(chart: Locator): Promise<Array<{ predictor: string; labelCount: number; x: number; y: number }>> {
  return JSON.parse((await chart.getAttribute('data-reference-points')) ?? '[]');
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

  // Where the runs trained: all on this machine, with no cluster.
  const hosts = page.getByTestId('experiment-hosts').locator('tbody tr');
  await expect(hosts).toHaveCount(1);
  await expect(hosts.locator('th')).toHaveText(/^this machine \(.+\)$/);
  await expect(hosts.locator('td')).toHaveText(['1 done', `${counts.length * repeats} done`, `${counts.length * repeats} done`, /^\d+ (s|min \d\d s)$/]);
  await page.getByTestId('experiment-hosts').screenshot({ path: join(OUTPUT_DIR, 'experiment-hosts.png') });

  // Every figure has both curves at every label count: 2 overall charts and 2 x 6 small multiples,
  // and the two reference predictors (no audio) drawn across the same label counts, inside the plot.
  const results = page.getByTestId('experiment-results');
  await expect(results.getByTestId('results-split')).toHaveText('numbers on the test split');
  for (const n of [4, 5, 6, 7]) {
    const charts = results.getByTestId(`figure-${n}`).getByTestId('sweep-chart');
    await expect(charts).toHaveCount(n <= 5 ? 1 : 6);
    for (const chart of await charts.all()) {
      await expect(chart).toHaveAttribute('data-ssl-points', String(counts.length));
      await expect(chart).toHaveAttribute('data-baseline-points', String(counts.length));
      await expect(chart).toHaveAttribute('data-label-counts', [...counts].sort((a, b) => a - b).join(','));
      await expect(chart).toHaveAttribute('data-reference-lines', 'labelMean,majorityClass');
      const drawn = await referencePointsOf(chart);
      const box = (await chart.locator('canvas').boundingBox())!;
      for (const predictor of ['labelMean', 'majorityClass']) {
        const line = drawn.filter((p) => p.predictor === predictor);
        expect(line.map((p) => p.labelCount).sort((a, b) => a - b)).toEqual([...counts].sort((a, b) => a - b));
        for (const p of line) expect(p.x > 0 && p.x < box.width && p.y > 0 && p.y < box.height, `${predictor} at ${p.labelCount} inside the canvas`).toBe(true);
      }
    }
  }
  await expect(results.getByTestId('figure-4')).toContainText('Dashed grey: predictors that use no audio');
  await expect(results.getByTestId('summary-row')).toHaveCount(counts.length);
  await expect(results.getByTestId('labels-saved')).toContainText(/SSL at \d+ labels/);
  // The reference predictors sit in the SSL − baseline table beside both arms, at every label count.
  await expect(results.getByTestId('reference-head')).toHaveText(['Label meanno audio', 'Majorityno audio']);
  await expect(results.getByTestId('reference-cell')).toHaveCount(2 * counts.length);
  await expect(results.getByTestId('reference-cell').first()).toHaveText(/^\d\.\d{3}( ± \d\.\d{3})?$/);

  // SSL and baseline with their 95% CIs, and each p raw and Holm-adjusted across label counts × {overall, six emotions}.
  const summary = results.getByTestId('experiment-summary');
  await expect(summary.getByTestId('mean-ci')).toHaveCount(2 * counts.length);
  await expect(summary.getByTestId('mean-ci').first()).toHaveText(/^\[\d\.\d{3}, \d\.\d{3}\]$/);
  // The family: every label count × {overall, six emotions}, less any comparison without a p-value (identical differences), which the text counts.
  const family = (text: string, metric: string) => {
    const m = new RegExp(`${metric}: paired t-test over repeats \\(two-sided\\), Holm-adjusted across (\\d+) tests? \\(${counts.length} label counts × [^;)]+(?:; (\\d+) comparisons? without a p-value)?`).exec(text);
    expect(m, text).not.toBeNull();
    return Number(m![1]) + Number(m![2] ?? 0);
  };
  expect(family((await summary.getByTestId('tests-method').textContent())!, '4-class accuracy')).toBe(counts.length * 7);
  const rawP = await summary.getByTestId('p-raw').allTextContents();
  const holmP = await summary.getByTestId('p-holm').allTextContents();
  rawP.forEach((p, i) => {
    if (p !== '—' && !p.startsWith('<')) expect(Number(holmP[i])).toBeGreaterThanOrEqual(Number(p));
  });
  // Per emotion and for MAE too.
  await summary.getByTestId('tests-scope').selectOption('fear');
  await summary.getByTestId('tests-metric').selectOption('mae');
  await expect(summary.getByTestId('summary-row')).toHaveCount(counts.length);
  await expect(summary.getByTestId('tests-method')).toContainText('MAE: paired t-test over repeats (two-sided), Holm-adjusted across');
  expect(family((await summary.getByTestId('tests-method').textContent())!, 'MAE')).toBe(counts.length * 7);
  await expect(results.getByTestId('labels-saved-interval').first()).toContainText(/SSL's 95% CI there is \[|No interval/);

  // The data behind Figure 4 as CSV: one row per arm and label count, with both bands and the runs behind each.
  const csv = await saved(page, () => results.getByTestId('export-csv-4').click());
  expect(csv.download.suggestedFilename()).toMatch(/^experiment-\d+-figure-4-.*\.csv$/);
  expect(csv.text.endsWith('\r\n')).toBe(true);
  const lines = csv.text.trimEnd().split('\r\n');
  expect(lines[0]).toBe('arm,metric,scope,label_count,mean,sd,n,mean_minus_sd,mean_plus_sd,ci95_lower,ci95_upper,run_ids,split,flagged_run_ids');
  expect(lines.filter((l) => l.startsWith('ssl,acc4,overall,'))).toHaveLength(counts.length);
  expect(lines.filter((l) => l.startsWith('baseline,acc4,overall,'))).toHaveLength(counts.length);
  expect(lines.filter((l) => l.startsWith('label_mean_no_audio,acc4,overall,'))).toHaveLength(counts.length);
  expect(lines.filter((l) => l.startsWith('majority_class_no_audio,acc4,overall,'))).toHaveLength(counts.length);
  for (const l of lines.slice(1).filter((x) => /^(ssl|baseline),/.test(x))) expect(l.split(',')[11].split(' ')).toHaveLength(repeats);
  for (const l of lines.slice(1)) expect(l.split(',')[12]).toBe('test');
  // The tests as CSV: raw and Holm p for every metric, scope and label count.
  const tests = await saved(page, () => results.getByTestId('export-summary').click());
  const testLines = tests.text.trimEnd().split('\r\n');
  expect(testLines[0]).toBe('metric,scope,label_count,n,ssl_minus_baseline,ci95_lower,ci95_upper,t,p,p_holm,holm_family_size,split');
  expect(testLines).toHaveLength(1 + 2 * 7 * counts.length);

  // Figure 7 as SVG (six panels) and Figure 5 as PNG.
  const svg = await saved(page, () => results.getByTestId('export-svg-7').click());
  expect(svg.text).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  expect(svg.text.match(/<g class="panel">/g)).toHaveLength(6);
  expect(svg.text.match(/class="point( flagged)?"/g)).toHaveLength(6 * 2 * counts.length);
  expect(svg.text.match(/<polyline class="reference-line"/g)).toHaveLength(6 * 2);
  const png = await saved(page, () => results.getByTestId('export-png-5').click());
  expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  // Print quality: twice the size on screen by default, 3x or a width in pixels on request; always on white.
  const shown = (await results.getByTestId('figure-5').getByTestId('sweep-chart').boundingBox())!.width;
  const pngWidth = (bytes: Buffer) => bytes.readUInt32BE(16);
  expect(Math.abs(pngWidth(png.bytes) - 2 * shown)).toBeLessThanOrEqual(2);
  await results.getByTestId('png-size-5').selectOption('3x');
  expect(Math.abs(pngWidth((await saved(page, () => results.getByTestId('export-png-5').click())).bytes) - 3 * shown)).toBeLessThanOrEqual(3);
  await results.getByTestId('png-size-5').selectOption('width');
  await results.getByTestId('png-width-5').fill('1800');
  const wide = await saved(page, () => results.getByTestId('export-png-5').click());
  expect(Math.abs(pngWidth(wide.bytes) - 1800)).toBeLessThanOrEqual(2);
  await wide.download.saveAs(join(OUTPUT_DIR, 'experiments-export-figure5-1800px.png'));
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

  // 95% CI bands instead of ±1 sd: the legend and captions say so, and the SVG export draws them.
  await expect(results.getByTestId('figure-4').getByTestId('sweep-chart')).toHaveAttribute('data-band', 'sd');
  await results.getByTestId('figure-band').selectOption('ci95');
  for (const n of [4, 5, 6, 7]) for (const chart of await results.getByTestId(`figure-${n}`).getByTestId('sweep-chart').all()) await expect(chart).toHaveAttribute('data-band', 'ci95');
  await expect(results.getByTestId('figure-4')).toContainText('band: 95% CI of the mean');
  await expect(results.locator('.legend')).toContainText('SSL (mean, 95% CI)');
  const ciSvg = await saved(page, () => results.getByTestId('export-svg-4').click());
  expect(ciSvg.text).toContain('(mean, 95% CI)');
  await page.screenshot({ path: join(OUTPUT_DIR, 'experiments-ci-bands.png'), fullPage: true });
  await results.getByTestId('figure-band').selectOption('sd');

  // With the paper's numbers overlaid, clearly labelled as not the user's data.
  await results.getByTestId('show-paper').check();
  await expect(results.getByTestId('paper-note')).toContainText('paper (not your data)');
  await results.getByTestId('shared-y').check();
  await results.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUTPUT_DIR, 'experiments.png'), fullPage: true });
  await expectAccessible(page, 'Experiments, results shown');
  // The paper's labels sit where they cross no curve.
  await expect(results.getByTestId('figure-4').getByTestId('sweep-chart')).toHaveAttribute('data-paper-labels-clear', 'yes');

  // Dark mode: the charts follow the theme on screen (dark canvas), a PNG export stays white.
  await page.getByTestId('theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await results.getByTestId('figure-4').scrollIntoViewIfNeeded();
  const corner = await results.getByTestId('figure-4').locator('canvas').evaluate((c: HTMLCanvasElement) => [...c.getContext('2d')!.getImageData(2, 2, 1, 1).data]);
  expect(corner.slice(0, 3).every((v) => v < 80), `dark canvas corner ${corner}`).toBe(true);
  await page.screenshot({ path: join(OUTPUT_DIR, 'experiments-dark.png'), fullPage: true });
  await expectAccessible(page, 'Experiments in dark mode');
  const printed = await saved(page, () => results.getByTestId('export-png-4').click());
  const printedImage = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return [...ctx.getImageData(2, 2, 1, 1).data];
  }, printed.bytes.toString('base64'));
  expect(printedImage.slice(0, 3)).toEqual([255, 255, 255]);
  await page.getByTestId('theme').selectOption('system');

  // Hovering a point shows its values; clicking it lists its runs, and a run opens in the history.
  const fig4 = results.getByTestId('figure-4');
  const chart = fig4.getByTestId('sweep-chart');
  // The whole figure in view, so its screenshot below does not scroll the page under the pointer.
  await fig4.scrollIntoViewIfNeeded();
  const canvasBox = (await chart.locator('canvas').boundingBox())!;
  const points = await pointsOf(chart);
  expect(points.filter((p) => p.arm === 'ssl')).toHaveLength(counts.length);
  const target = points.find((p) => p.arm === 'ssl' && p.labelCount === Math.min(...counts))!;
  await page.mouse.move(canvasBox.x + target.x, canvasBox.y + target.y);
  await page.waitForTimeout(300);
  await fig4.screenshot({ path: join(OUTPUT_DIR, 'experiments-hover.png') });
  const clickBox = (await chart.locator('canvas').boundingBox())!;
  await page.mouse.click(clickBox.x + target.x, clickBox.y + target.y);
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

  // Table 1 holds both reference predictors as rows, in the preview and in every export format.
  const table1 = results.getByTestId('table1-panel');
  await expect(table1.locator('[data-testid="table1-row"][data-source="reference"]')).toHaveCount(2);
  await expect(table1.locator('[data-testid="table1-row"][data-source="reference"]').first()).toContainText(`Label mean (no audio), ${Math.max(...counts)} labels`);
  const exported = async (format: string) => (await saved(page, () => table1.getByTestId(`table1-export-${format}`).click())).text;
  expect(await exported('md')).toMatch(/\| Majority class \(no audio\), \d+ labels \| \d\.\d{3}/);
  const csvRows = (await exported('csv')).trimEnd().split('\r\n');
  expect(csvRows[0].endsWith(',split,degenerate_runs')).toBe(true);
  expect(csvRows.filter((l) => l.includes(',reference,'))).toHaveLength(2 * 6);
  expect(await exported('tex')).toContain('Label mean (no audio), ');
  expect((await exported('html')).match(/<tr class="reference" data-source="reference">/g)).toHaveLength(2);
  expect(errors).toEqual([]);
  await page.close();
});

test('a sweep whose models cannot tell segments apart is flagged on its points, in the tests table, in Table 1 and on its runs', async () => {
  test.setTimeout(16 * 60_000);
  const { page, errors } = await workbench.open({ width: 1360, height: 900 });
  await page.keyboard.press('Alt+4');
  // A learning rate so small the fine-tunes and baselines keep their initial, near-constant predictions. Their
  // validation loss still creeps down every epoch, so early stopping never ends them: each trains the preset's 300 epochs.
  await page.getByLabel('Experiment name').fill('e2e frozen sweep');
  await page.getByTestId('experiment-label-counts').fill('20');
  await page.getByTestId('experiment-repeats').fill('1');
  await page.getByTestId('experiment-learning-rate').fill('0.0000001');
  await page.getByTestId('start-experiment').click();
  const row = page.getByTestId('experiment-row').filter({ hasText: 'e2e frozen sweep' });
  await expect(row.getByTestId('experiment-status')).toHaveText('done', { timeout: 15 * 60_000 });
  const results = page.getByTestId('experiment-results');
  await expect(results).toContainText('e2e frozen sweep');

  // The figures mark the degenerate points (a red-ringed triangle) and say so above them.
  await expect(results.getByTestId('flag-note')).toContainText('predict degenerately');
  const fig4 = results.getByTestId('figure-4');
  const chart = fig4.getByTestId('sweep-chart');
  await expect(chart).not.toHaveAttribute('data-flagged-points', '0');
  await expect(chart).toHaveAttribute('data-reference-lines', 'labelMean,majorityClass');
  const flagged = (await pointsOf(chart)).filter((p) => p.flagged);
  expect(flagged.length).toBeGreaterThan(0);
  // Per emotion, only the panels of the flagged emotions carry it.
  const perEmotion = await results.getByTestId('figure-6').getByTestId('sweep-chart').evaluateAll((charts) => charts.map((c) => Number(c.getAttribute('data-flagged-points'))));
  expect(perEmotion.some((n) => n > 0)).toBe(true);
  // The SVG export draws the mark too.
  const svg = await saved(page, () => results.getByTestId('export-svg-4').click());
  expect(svg.text).toContain('class="point flagged"');
  expect(svg.text).toContain('⚑ degenerate predictions');
  await fig4.scrollIntoViewIfNeeded();
  await fig4.screenshot({ path: join(OUTPUT_DIR, 'experiments-flagged-point.png') });

  // The tests table marks the means resting on flagged runs.
  await expect(results.getByTestId('cell-flag').first()).toHaveText(/^⚑ 1 of 1$/);
  await expect(results.getByTestId('tests-flag-note')).toBeVisible();

  // Table 1 puts a dagger on the flagged cells and explains it under the table.
  const table1 = results.getByTestId('table1-panel');
  await expect(table1.getByTestId('table1-flag').first()).toHaveText('†');
  await expect(table1.locator('.notes')).toContainText('† Degenerate predictions:');
  const md = (await saved(page, () => table1.getByTestId('table1-export-md').click())).text;
  expect(md).toMatch(/\| SSL \(this experiment, 20 labels\) \|.* † \|/);
  expect(md).toContain('† Degenerate predictions:');
  await expectAccessible(page, 'Experiments, flagged results');

  // A flagged point opens its run, which says which emotions and lets its predictions be saved.
  await fig4.scrollIntoViewIfNeeded();
  const canvasBox = (await chart.locator('canvas').boundingBox())!;
  await page.mouse.click(canvasBox.x + flagged[0].x, canvasBox.y + flagged[0].y);
  const detail = page.getByTestId('run-detail');
  // Both arms share the label count: when their points overlap, the click lists their runs first.
  const picked = fig4.getByTestId('point-runs');
  await expect(detail.or(picked)).toBeVisible();
  if (await picked.isVisible()) await picked.getByTestId('open-run').first().click();
  await expect(detail.getByTestId('run-flags')).toContainText('Degenerate predictions on the test split');
  await expect(detail.getByTestId('run-flags')).toContainText(/every segment in four-class bin \d|predicted (present|absent) for every segment/);
  await expect(detail.getByTestId('run-selection')).toHaveText(/^Evaluated with the weights of epoch \d+ of 300 \(lowest validation loss, [\d.e-]+\)(; stopped early after epoch \d+: no improvement in 10 epochs)?\.$/);
  const runId = Number(/Run #(\d+)/.exec((await detail.getByRole('heading').first().textContent())!)![1]);
  await expect(page.locator(`[data-testid="history-row"][data-run-id="${runId}"] [data-col="flagged"]`)).toContainText('⚑');
  const predictions = await saved(page, () => detail.getByTestId('run-export-predictions').click());
  expect(predictions.download.suggestedFilename()).toMatch(new RegExp(`^run-${runId}-.*-predictions\\.csv$`));
  const predictionLines = predictions.text.trimEnd().split('\r\n');
  expect(predictionLines[0]).toBe('segment_id,split,label_happiness,label_sadness,label_anger,label_surprise,label_disgust,label_fear,pred_happiness,pred_sadness,pred_anger,pred_surprise,pred_disgust,pred_fear');
  expect(predictionLines.length).toBeGreaterThan(10);
  // The Quick preset holds out a test split: the run's predictions on validation (model selection) and on test (its numbers).
  expect(new Set(predictionLines.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(['validation', 'test']));
  await page.screenshot({ path: join(OUTPUT_DIR, 'run-flagged.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});
