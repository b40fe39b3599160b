import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { OUTPUT_DIR, workbenchPerFile } from './launch';

/**
 * The Quick preset on each built-in control, from the Experiments view, judged from the numbers
 * the view shows: the positive control shows an effect where there is one, the negative control
 * none where there is none, and the plain-words conclusion says so. `npm run bench -- controls`
 * checks the same on the command line (npm run experiment -- --json).
 */

const workbench = workbenchPerFile();

/** A whole Quick sweep takes minutes on 2 cores, longer when they are shared. */
const SWEEP_TIMEOUT = 40 * 60_000;

/** The leading number of a cell ("0.891 ± 0.008 [0.88, 0.90]" -> 0.891); null for a dash. */
const leading = (text: string) => {
  const m = /-?\d+(\.\d+)?(e-?\d+)?/.exec(text.trim());
  return text.trim().startsWith('—') || !m ? null : Number(m[0]);
};
/** A formatted p-value: "<0.001" reads as 0.001, "—" (no test) as null. */
const pValue = (text: string) => leading(text.replace('<', ''));

interface SummaryRow {
  labels: number;
  ssl: number;
  baseline: number;
  pHolm: number | null;
  labelMean: number;
  majority: number;
}

/** The SSL − baseline table as shown, for one metric and scope. */
async function summary(page: Page, metric: 'acc4' | 'mae', scope: string): Promise<SummaryRow[]> {
  const results = page.getByTestId('experiment-results');
  await results.getByTestId('tests-metric').selectOption(metric);
  await results.getByTestId('tests-scope').selectOption(scope);
  const rows = await results.getByTestId('summary-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.querySelector('span')?.textContent ?? td.textContent ?? '')));
  return rows.map((cells) => ({
    labels: Number(cells[0]),
    ssl: leading(cells[1])!,
    baseline: leading(cells[2])!,
    pHolm: pValue(cells[6]),
    labelMean: leading(cells[7])!,
    majority: leading(cells[8])!,
  }));
}

/** Starts the Quick preset, as the form offers it, on a dataset and waits for it to finish. */
async function runQuick(page: Page, datasetId: string, name: string): Promise<void> {
  await page.keyboard.press('Alt+4');
  await page.getByTestId('experiment-dataset').selectOption(datasetId);
  await expect(page.getByTestId('experiment-preset')).toHaveValue('quick');
  await page.getByLabel('Experiment name').fill(name);
  await page.getByTestId('start-experiment').click();
  const row = page.getByTestId('experiment-row').filter({ hasText: name });
  await expect(row.getByTestId('experiment-status')).toHaveText('done', { timeout: SWEEP_TIMEOUT });
  await row.click();
  await expect(page.getByTestId('experiment-results')).toContainText(name);
  await expect(page.getByTestId('results-split')).toHaveText('numbers on the test split');
}

test('positive control: SSL beats predicting absent and the baseline with the fewest labels, significantly, finds presence in four emotions or more, and no SSL run is flagged', async () => {
  test.setTimeout(SWEEP_TIMEOUT + 5 * 60_000);
  const { page, errors } = await workbench.open({ width: 1360, height: 900 });
  await runQuick(page, 'positive-control', 'e2e positive control');
  const results = page.getByTestId('experiment-results');

  const overall = await summary(page, 'acc4', 'overall');
  expect(overall.map((r) => r.labels)).toEqual([20, 50, 100, 200]);
  const smallest = overall[0];
  expect(smallest.ssl, 'SSL above always absent at 20 labels').toBeGreaterThan(smallest.majority);
  expect(smallest.ssl, 'SSL above the baseline at 20 labels').toBeGreaterThan(smallest.baseline);
  expect(smallest.pHolm, 'the paired test at 20 labels, Holm-corrected').toBeLessThan(0.05);

  // Binary F1 of SSL at the largest label count, per emotion, as Table 1 shows it.
  const table1 = results.getByTestId('table1-panel');
  await table1.getByTestId('table1-f1').selectOption('f1Binary');
  const own = table1.locator('[data-testid="table1-row"][data-source="runs"] td');
  await expect(own.first()).toContainText('200 labels');
  const f1 = (await own.allTextContents()).slice(1).map(leading);
  expect(f1).toHaveLength(6);
  expect(f1.filter((v) => v !== null && v > 0).length, `binary F1 per emotion: ${f1.join(', ')}`).toBeGreaterThanOrEqual(4);

  // No SSL run is flagged: no marked SSL mean in the tests table (every scope), no dagger on SSL's row of Table 1.
  // A baseline trained from scratch on 20 labels may be (npm run bench -- controls names any): the view marks it.
  for (const scope of await results.getByTestId('tests-scope').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))) {
    await results.getByTestId('tests-scope').selectOption(scope);
    await expect(results.getByTestId('summary-row').locator('td:nth-child(2) [data-testid="cell-flag"]'), `SSL flagged (${scope})`).toHaveCount(0);
  }
  await expect(own.getByTestId('table1-flag')).toHaveCount(0);

  const conclusions = results.getByTestId('experiment-conclusions');
  await expect(conclusions).toContainText('SSL beats both reference predictors in 4-class accuracy');
  await expect(conclusions).toContainText(/SSL beats the baseline at 20( and|,) /);
  await conclusions.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUTPUT_DIR, 'controls-positive.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

test('negative control: neither arm beats predicting absent, no Holm-corrected p of 4-class accuracy is below 0.05, and the conclusion says the differences mean nothing', async () => {
  test.setTimeout(SWEEP_TIMEOUT + 5 * 60_000);
  const { page, errors } = await workbench.open({ width: 1360, height: 900 });
  await runQuick(page, 'negative-control', 'e2e negative control');
  const results = page.getByTestId('experiment-results');

  for (const row of await summary(page, 'acc4', 'overall')) {
    expect(row.ssl, `SSL at ${row.labels} labels`).toBeLessThanOrEqual(row.majority);
    expect(row.baseline, `baseline at ${row.labels} labels`).toBeLessThanOrEqual(row.majority);
  }
  // Every p of 4-class accuracy the view shows, overall and per emotion. MAE is left to npm run bench -- controls,
  // which requires no MAE test significant either and names any that is, with why it is no sign of learning:
  // two arms that learned nothing may differ in how far each strays from the labels' mean.
  const scopes = await results.getByTestId('tests-scope').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(scopes).toHaveLength(7);
  for (const scope of scopes) {
    for (const row of await summary(page, 'acc4', scope)) expect(row.pHolm ?? 1, `4-class accuracy, ${scope} at ${row.labels} labels, Holm-corrected`).toBeGreaterThanOrEqual(0.05);
  }
  await summary(page, 'acc4', 'overall');
  // Neither arm learned: no difference is coloured as a win.
  await expect(results.locator('[data-testid="summary-row"] td.good')).toHaveCount(0);
  await expect(results.getByTestId('tests-method')).toContainText('Differences are not coloured');

  const conclusions = results.getByTestId('experiment-conclusions');
  await expect(conclusions).toContainText(
    'Neither arm beats the reference predictors (label mean, majority class) in 4-class accuracy at any label count: the differences between SSL and the baseline are no evidence that either learned the emotions.',
  );
  await expect(conclusions).not.toContainText('SSL beats the baseline');
  await conclusions.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUTPUT_DIR, 'controls-negative.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});
