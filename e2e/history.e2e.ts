import { expect, test, type Download, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_DIR, workbenchPerFile, expectAccessible } from './launch';

/**
 * The history, comparison and reporting path a researcher takes after a sweep: find runs
 * by their masking, compare two, group a set by a config field, annotate, archive, delete,
 * move a run between machines as a bundle, and export Table 1, every figure checked
 * against what the store holds.
 */
const workbench = workbenchPerFile();
const { dataDir } = workbench;

/** Read-only queries on the workbench's own store, to check the screen against it. */
function store<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'workbench.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function saved(page: Page, click: () => Promise<void>): Promise<{ download: Download; text: string; path: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { download, text: readFileSync(path, 'utf8'), path };
}

const rowIds = async (page: Page) => (await page.getByTestId('history-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))))).filter(Boolean);

test('a researcher finds, compares, annotates and reports runs after the quick sweep', async () => {
  test.setTimeout(15 * 60_000);
  const { page, errors } = await workbench.open({ width: 1400, height: 1000 });

  // The quick preset from the Experiments view (pre-training with the paper's 30-step span), on two label counts and two repeats to keep it short.
  await page.keyboard.press('Alt+4');
  await page.getByLabel('Experiment name').fill('history sweep');
  await page.getByTestId('experiment-label-counts').fill('20, 50');
  await page.getByTestId('experiment-repeats').fill('2');
  await page.getByTestId('start-experiment').click();
  const experimentRow = page.getByTestId('experiment-row').filter({ hasText: 'history sweep' });
  await expect(experimentRow.getByTestId('experiment-status')).toHaveText('running');

  // Meanwhile, a masking ablation from the Train view: a one-epoch pre-training with 10-step spans.
  await page.keyboard.press('Alt+2');
  await page.getByTestId('run-kind').selectOption('pretrain');
  await page.getByLabel('Run name').fill('ablation span 10');
  await page.getByLabel('Epochs').fill('1');
  await page.getByLabel('Span length (steps)').fill('10');
  await page.getByTestId('start-run').click();

  await page.keyboard.press('Alt+4');
  await expect(experimentRow.getByTestId('experiment-status')).toHaveText('done', { timeout: 10 * 60_000 });
  const [ablation] = store<{ id: number; status: string }>(`SELECT id, status FROM runs WHERE name = 'ablation span 10'`);
  expect(ablation).toBeDefined();
  await expect.poll(() => store<{ status: string }>('SELECT status FROM runs WHERE id = ?', ablation!.id)[0]!.status, { timeout: 120_000 }).toBe('done');

  // History: every run of the store, newest first.
  await page.keyboard.press('Alt+3');
  const total = store<{ n: number }>('SELECT count(*) AS n FROM runs')[0]!.n;
  await expect(page.getByTestId('history-count')).toHaveText(new RegExp(`^${total} runs`));

  // Filter by mask span: exactly the runs the store has with that span.
  await page.getByTestId('filter-maskSpan').selectOption({ label: '10' });
  await expect(page.getByTestId('history-count')).toContainText(`1 run of ${total}`);
  expect(await rowIds(page)).toEqual([ablation!.id]);
  await page.getByTestId('filter-maskSpan').selectOption({ label: '30' });
  const span30 = store<{ id: number }>('SELECT id FROM runs WHERE mask_span = 30 ORDER BY id DESC').map((r) => r.id);
  await expect.poll(() => rowIds(page)).toEqual(span30);
  await expect(page.getByTestId('history-row').locator('[data-col="maskSpan"]')).toHaveText(span30.map(() => '30'));
  await page.screenshot({ path: join(OUTPUT_DIR, 'history-filtered.png') });
  await page.getByTestId('filter-maskSpan').selectOption({ label: 'any' });

  // Baselines only, sorted by MAE (best first; the column is validation's), matches the store's order.
  await page.getByTestId('filter-kind').selectOption({ label: 'baseline' });
  await page.getByTestId('sort-mae').click();
  const baselines = store<{ id: number; mae: number }>(
    `SELECT r.id, m.value AS mae FROM runs r JOIN metrics m ON m.run_id = r.id AND m.split = 'validation' AND m.scope = 'overall' AND m.name = 'mae' WHERE r.kind = 'baseline' ORDER BY m.value ASC, r.id DESC`,
  );
  await expect.poll(() => rowIds(page)).toEqual(baselines.map((b) => b.id));

  // Compare the two best baselines: both in the metrics table with the store's values, config differences only.
  const [a, b] = baselines;
  for (const id of [a!.id, b!.id]) await page.locator(`[data-testid="history-row"][data-run-id="${id}"]`).getByTestId('compare-tick').check();
  const comparison = page.getByTestId('comparison');
  await expect(comparison.getByRole('heading', { name: /Comparing 2 runs/ })).toBeVisible();
  await expect(comparison.getByTestId('curves-chart').first()).toBeVisible();
  const overallRow = comparison.getByTestId('compare-metrics').locator('tbody tr').first();
  await expect(overallRow.locator('td')).toHaveText(['overall', a!.mae.toFixed(3), b!.mae.toFixed(3)]);
  const differing = await comparison.getByTestId('config-diff-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field')));
  const configs = store<{ config_json: string }>('SELECT config_json FROM runs WHERE id IN (?, ?)', a!.id, b!.id).map((r) => JSON.parse(r.config_json));
  // The seed of initialisation varies with the repeat, the labelled sample's with the repeat and label count.
  const at = (config: Record<string, unknown>, path: string) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], config);
  const expectDiff = ['labels.count', 'labels.seed', 'seed'].filter((k) => at(configs[0], k) !== at(configs[1], k));
  expect(differing).toEqual(expectDiff.map((k) => `config.${k}`));
  await comparison.getByTestId('compare-all-fields').check();
  expect(await comparison.getByTestId('config-diff-row').count()).toBeGreaterThan(20);
  await page.screenshot({ path: join(OUTPUT_DIR, 'history-compare.png'), fullPage: true });
  await expectAccessible(page, 'Run history, runs compared');

  // Group every baseline by label count: mean ± sd across its repeats of validation's MAE (the comparison's split until test is chosen), as the store's numbers give.
  await comparison.getByTestId('compare-clear').click();
  await page.getByTestId('compare-all-shown').click();
  await expect(comparison.getByRole('heading', { name: new RegExp(`Comparing ${baselines.length} runs`) })).toBeVisible();
  await comparison.getByTestId('compare-group-by').selectOption({ label: 'Labels' });
  const groups = store<{ label_count: number; values: string }>(
    `SELECT r.label_count, group_concat(m.value) AS "values" FROM runs r JOIN metrics m ON m.run_id = r.id AND m.split = 'validation' AND m.scope = 'overall' AND m.name = 'mae'
     WHERE r.kind = 'baseline' GROUP BY r.label_count ORDER BY r.label_count`,
  );
  await expect(comparison.getByTestId('group-row')).toHaveCount(groups.length);
  for (const g of groups) {
    const values = g.values.split(',').map(Number);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    await expect(comparison.locator(`[data-testid="group-row"][data-group="${g.label_count}"] td`).nth(4)).toHaveText(`${mean.toFixed(3)} ± ${sd.toFixed(3)}`);
  }
  await page.screenshot({ path: join(OUTPUT_DIR, 'history-groups.png'), fullPage: true });
  await expectAccessible(page, 'Run history, grouped');
  await comparison.getByTestId('compare-clear').click();
  await page.getByTestId('history-clear-filters').click();

  // Annotate the ablation: a tag and a note, found again by search.
  await page.locator(`[data-testid="history-row"][data-run-id="${ablation!.id}"]`).click();
  const detail = page.getByTestId('run-detail');
  await detail.getByTestId('run-tags').fill('ablation, span-10');
  await detail.getByTestId('run-notes').fill('Shorter spans: does the reconstruction get easier?');
  await detail.getByTestId('run-save').click();
  await expect(detail.getByTestId('run-message')).toHaveText('Saved.');
  expect(store<{ notes: string }>('SELECT notes FROM runs WHERE id = ?', ablation!.id)[0]!.notes).toBe('Shorter spans: does the reconstruction get easier?');
  expect(store<{ tag: string }>('SELECT tag FROM run_tags WHERE run_id = ? ORDER BY tag', ablation!.id).map((t) => t.tag)).toEqual(['ablation', 'span-10']);
  await page.getByTestId('history-search').fill('reconstruction easier');
  await expect.poll(() => rowIds(page)).toEqual([ablation!.id]);
  await page.getByTestId('history-search').fill('');
  await page.getByTestId('filter-tags').selectOption({ label: 'span-10' });
  await expect.poll(() => rowIds(page)).toEqual([ablation!.id]);
  await page.getByTestId('history-clear-filters').click();

  // Archive hides it from the active runs; the archived view shows it.
  await detail.getByTestId('run-archive').click();
  await expect.poll(() => rowIds(page)).not.toContain(ablation!.id);
  await page.getByTestId('history-archived').selectOption('only');
  await expect.poll(() => rowIds(page)).toEqual([ablation!.id]);
  await detail.getByTestId('run-archive').click();
  await page.getByTestId('history-archived').selectOption('hide');
  await expect.poll(() => rowIds(page)).toContain(ablation!.id);

  // Deleting the experiment's pre-training run is refused: its fine-tunes need it.
  const [pretrain] = store<{ id: number }>(`SELECT id FROM runs WHERE kind = 'pretrain' AND experiment_id IS NOT NULL`);
  await page.locator(`[data-testid="history-row"][data-run-id="${pretrain!.id}"]`).click();
  await detail.getByTestId('run-delete').click();
  await detail.getByTestId('run-delete-confirm').click();
  await expect(detail.getByTestId('run-error')).toContainText('fine-tune');
  expect(existsSync(join(dataDir, 'runs', String(pretrain!.id)))).toBe(true);

  // Move the ablation to "another machine": export its bundle, delete it here, import it back.
  await page.locator(`[data-testid="history-row"][data-run-id="${ablation!.id}"]`).click();
  await expect(detail.getByRole('heading', { name: new RegExp(`Run #${ablation!.id}`) })).toBeVisible();
  const bundle = await saved(page, () => detail.getByTestId('run-export-bundle').click());
  expect(bundle.download.suggestedFilename()).toMatch(/^run-\d+-ablation-span-10\.mosei-run\.json$/);
  const bundled = JSON.parse(bundle.text);
  expect(bundled.format).toBe('mosei-ssl-workbench/run-bundle');
  expect(bundled.runs).toHaveLength(1);
  const epochsInStore = store<{ epoch: number; loss: number }>('SELECT epoch, loss FROM epochs WHERE run_id = ? ORDER BY epoch', ablation!.id);
  expect(bundled.runs[0].sourceRunId).toBe(ablation!.id);
  expect(bundled.runs[0].epochs.map((e: { epoch: number; loss: number }) => ({ epoch: e.epoch, loss: e.loss }))).toEqual(epochsInStore);
  expect(Object.keys(bundled.runs[0].files)).toContain('weights.bin');

  await detail.getByTestId('run-delete').click();
  await expect(detail.getByRole('alertdialog')).toContainText('cannot be undone');
  await detail.getByTestId('run-delete-confirm').click();
  await expect(detail).toHaveCount(0);
  expect(store('SELECT id FROM runs WHERE id = ?', ablation!.id)).toEqual([]);
  expect(existsSync(join(dataDir, 'runs', String(ablation!.id)))).toBe(false);
  await expect.poll(() => rowIds(page)).not.toContain(ablation!.id);

  await page.getByTestId('import-bundle-file').setInputFiles(bundle.path);
  await expect(page.getByTestId('import-bundle-message')).toContainText('ablation span 10');
  const [imported] = store<{ id: number; origin_json: string; notes: string }>(`SELECT id, origin_json, notes FROM runs WHERE name = 'ablation span 10'`);
  expect(imported!.id).not.toBe(ablation!.id);
  expect(JSON.parse(imported!.origin_json)).toMatchObject({ sourceRunId: ablation!.id });
  expect(imported!.notes).toBe('Shorter spans: does the reconstruction get easier?');
  expect(store<{ epoch: number; loss: number }>('SELECT epoch, loss FROM epochs WHERE run_id = ? ORDER BY epoch', imported!.id)).toEqual(epochsInStore);
  expect(readFileSync(join(dataDir, 'runs', String(imported!.id), 'weights.bin')).toString('base64')).toBe(bundled.runs[0].files['weights.bin']);
  await expect(page.getByTestId('run-provenance')).toContainText(`from run #${ablation!.id}`);
  await expect.poll(() => rowIds(page)).toContain(imported!.id);

  // The same bundle again is refused, naming the run it would duplicate, until asked for a copy.
  await page.getByTestId('import-bundle-file').setInputFiles(bundle.path);
  await expect(page.getByTestId('import-bundle-error')).toContainText(`#${imported!.id}`);
  expect(store('SELECT id FROM runs WHERE name = ?', 'ablation span 10')).toHaveLength(1);
  await page.getByTestId('import-bundle-copy').click();
  await expect(page.getByTestId('import-bundle-message')).toContainText('ablation span 10');
  expect(store('SELECT id FROM runs WHERE name = ?', 'ablation span 10')).toHaveLength(2);
  await page.screenshot({ path: join(OUTPUT_DIR, 'history-bundle.png'), fullPage: true });

  // Table 1 from the experiment, in every format, each checked against the store's metrics.
  await page.keyboard.press('Alt+4');
  await experimentRow.click();
  const panel = page.getByTestId('table1-panel');
  const [experiment] = store<{ id: number; plan_json: string }>(`SELECT id, plan_json FROM experiments WHERE name = 'history sweep'`);
  const largest = Math.max(...(JSON.parse(experiment!.plan_json).labelCounts as number[]));
  const [dataset] = store<{ fingerprint: string }>('SELECT d.fingerprint FROM datasets d JOIN experiments e ON e.dataset_id = d.id WHERE e.id = ?', experiment!.id);
  const emotions = ['happiness', 'sadness', 'anger', 'surprise', 'disgust', 'fear'];
  /** t(0.975, df) from scipy, for the 95% interval over n = df + 1 repeats. */
  const T_975: Record<number, number> = { 1: 12.706204736174694, 2: 4.302652729749462, 3: 3.1824463052837078, 4: 2.7764451051977934, 5: 2.5705818356363146 };
  /** Emotions some SSL fine-tune at the largest label count predicts degenerately, from the flags stored with its predictions: Table 1 marks them †. */
  const flaggedEmotions = new Set(
    store<{ flags_json: string }>(
      `SELECT p.flags_json FROM run_predictions p JOIN runs r ON r.id = p.run_id WHERE r.experiment_id = ? AND r.kind = 'finetune' AND r.label_count = ? AND p.split = 'test'`,
      experiment!.id, largest,
    ).flatMap((r) => (JSON.parse(r.flags_json) as Array<{ emotion: string }>).map((f) => f.emotion)),
  );
  /** Mean, sample sd and 95% CI of one F1 per emotion over the SSL fine-tunes at the largest label count, from the store. */
  const sslF1 = (metric: string) =>
    emotions.map((emotion) => {
      const values = store<{ value: number }>(
        `SELECT m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.experiment_id = ? AND r.kind = 'finetune' AND r.label_count = ? AND m.split = 'test' AND m.scope = ? AND m.name = ?`,
        experiment!.id, largest, emotion, metric,
      ).map((v) => v.value);
      const mean = values.reduce((a, v) => a + v, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
      const half = (T_975[values.length - 1]! * sd) / Math.sqrt(values.length);
      const [lower, upper] = [mean - half, mean + half];
      const ci = `[${lower.toFixed(3)}, ${upper.toFixed(3)}]`;
      const flagged = flaggedEmotions.has(emotion);
      const text = `${mean.toFixed(3)} ± ${sd.toFixed(3)} ${ci}`;
      // The preview puts the dagger after the sd (the interval below it); Markdown after the cell.
      return { emotion, mean, sd, lower, upper, n: values.length, pm: `${mean.toFixed(3)} ± ${sd.toFixed(3)}`, ci, text, flagged, preview: `${mean.toFixed(3)} ± ${sd.toFixed(3)}${flagged ? '†' : ''} ${ci}`, md: `${text}${flagged ? ' †' : ''}` };
    });
  const weighted = sslF1('f1Weighted');
  expect(weighted.every((c) => c.n >= 2)).toBe(true);
  const ownRow = panel.locator('[data-testid="table1-row"][data-source="runs"]');
  await expect(ownRow.locator('td')).toHaveText([new RegExp(`${largest} labels`), ...weighted.map((c) => c.preview)]);
  await expect(panel.locator('[data-testid="table1-row"][data-source="reference"]')).toHaveCount(2);
  await expect(panel.locator('[data-testid="table1-row"][data-source="literature"]')).toHaveCount(3);

  const exported: Record<string, string> = {};
  for (const format of ['md', 'csv', 'tex', 'html']) {
    const file = await saved(page, () => panel.getByTestId(`table1-export-${format}`).click());
    expect(file.download.suggestedFilename()).toMatch(new RegExp(`^table1-experiment-${experiment!.id}-history-sweep\\.${format}$`));
    exported[format] = file.text;
    await expect(panel.getByTestId('table1-saved')).toContainText(file.download.suggestedFilename());
  }
  // Markdown: the SSL row with the store's values, then the paper's rows, then the F1 definition.
  expect(exported.md).toContain(`| SSL (this experiment, ${largest} labels) | ${weighted.map((c) => c.md).join(' | ')} |`);
  expect(exported.md).toContain('| BLSTM | 0.37 | 0.36 | 0.16 | 0.74 | 0.22 | 0.77 |');
  expect(exported.md).toMatch(/\*\*F1 definition\.\*\* Weighted F1/);
  // CSV: machine-readable means and sds that equal the store's to the 6 decimals written.
  const csv = exported.csv!.trim().split(/\r?\n/);
  expect(csv[0]).toBe('experiment_id,experiment_name,f1_metric,row,source,label_count,emotion,mean,sd,ci95_lower,ci95_upper,n,split,degenerate_runs');
  const own = csv.filter((line) => line.includes(',runs,'));
  expect(own).toHaveLength(6);
  for (const c of weighted) {
    const cells = own.find((line) => line.includes(`,${c.emotion},`))!.split(',');
    expect(cells.at(-2)).toBe('test');
    expect(Number(cells.at(-1)) > 0).toBe(c.flagged);
    const [mean, sd, lower, upper, n] = cells.slice(-7, -2).map(Number);
    expect(mean).toBeCloseTo(c.mean, 6);
    expect(sd).toBeCloseTo(c.sd, 6);
    expect(lower).toBeCloseTo(c.lower, 6);
    expect(upper).toBeCloseTo(c.upper, 6);
    expect(n).toBe(c.n);
  }
  // LaTeX: booktabs rules and the same cells in math mode.
  expect(exported.tex).toContain('\\toprule');
  expect(exported.tex).toContain('\\bottomrule');
  expect(exported.tex).toContain(weighted.map((c) => `$${c.pm.replace('±', '\\pm')}$${c.flagged ? '\\textsuperscript{\\dag}' : ''} {\\footnotesize ${c.ci}}`).join(' & '));
  // HTML: the cells, Figures 4-7 inline, the fingerprint, and nothing fetched or run.
  for (const c of weighted) {
    expect(exported.html).toContain(c.flagged ? `<td class="num flagged">${c.text}<sup class="flag" title="degenerate predictions: see the notes">†</sup></td>` : `<td class="num">${c.text}</td>`);
  }
  expect((exported.html!.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
  expect(exported.html).toContain(dataset!.fingerprint);
  expect(exported.html).not.toMatch(/<script|src="http|href="http/);

  // The F1 switch: the binary definition's values, in the preview and the CSV.
  await panel.getByTestId('table1-f1').selectOption('f1Binary');
  const binary = sslF1('f1Binary');
  await expect(ownRow.locator('td')).toHaveText([new RegExp(`${largest} labels`), ...binary.map((c) => c.preview)]);
  const binaryCsv = (await saved(page, () => panel.getByTestId('table1-export-csv').click())).text.trim().split(/\r?\n/).filter((l) => l.includes(',runs,'));
  expect(binaryCsv.every((l) => l.includes(',f1Binary,'))).toBe(true);
  expect(Number(binaryCsv.find((l) => l.includes(',fear,'))!.split(',').at(-7))).toBeCloseTo(binary[5]!.mean, 6);
  await page.screenshot({ path: join(OUTPUT_DIR, 'table1.png'), fullPage: true });

  expect(errors).toEqual([]);
});
