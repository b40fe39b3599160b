import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTPUT_DIR, workbenchPerFile, expectAccessible } from './launch';
import { FIXTURES_DIR as FIXTURES } from '../test/fixturePaths';
import { defaultCovarep, goodRows, labelsFor, NEUTRAL, writeCsdPair, type LabelRow } from '../test/csdVariants';

const COVAREP = join(FIXTURES, 'mosei-mini/CMU_MOSEI_COVAREP.csd');
const LABELS = join(FIXTURES, 'mosei-mini/CMU_MOSEI_Labels.csd');
/** A real CSD file of word timestamps: strings where COVAREP has numbers. */
const WORDS = join(FIXTURES, 'real/CMU_MOSI_ModifiedTimestampedWords.csd');

const workbench = workbenchPerFile();

test('a first start opens the positive control: what it is for, its parameters, 2,400 segments, a heat map', async () => {
  const { page, errors } = await workbench.open();
  // The application icon, served by the bridge with the page.
  const icon = await page.request.get(new URL((await page.locator('link[rel="icon"]').getAttribute('href'))!, page.url()).href);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/svg+xml');
  expect(await icon.text()).toContain('MOSEI SSL Workbench');
  // Opened without a click, described, and with its recorded parameters.
  const detail = page.getByTestId('dataset-detail');
  await expect(detail.getByRole('heading', { level: 2 })).toContainText('Positive control');
  await expect(detail.getByTestId('synthetic-badge')).toHaveText('synthetic — positive control');
  await expect(detail.getByTestId('control-description')).toContainText('known effect');
  const params = detail.getByTestId('control-params');
  await expect(params).toContainText('Signal strength');
  await expect(params).toContainText("1 of each emotion score's variance");
  await expect(params).toContainText('2,400 segments, 6 per video, 60-160 frames each');
  await expect(params).toContainText('20240611');
  await expect(page.getByTestId('dataset-row').filter({ hasText: 'Negative control' }).getByTestId('synthetic-badge')).toHaveText('synthetic — negative control');

  // Opening it from its row (Enter) keeps it open.
  const row = page.getByTestId('dataset-row').filter({ hasText: 'Positive control' });
  await row.focus();
  await page.keyboard.press('Enter');
  await expect(detail.getByRole('heading', { level: 2 })).toContainText('Positive control');
  await expect(detail.getByTestId('segment-count')).toHaveText(/2,400 of 2,400 segments/);
  await expect(detail.getByTestId('label-distribution').locator('canvas')).toBeVisible();

  // Virtualised: far fewer rows in the DOM than in the dataset, and scrolling brings others.
  const rows = detail.getByTestId('segment-row');
  const rendered = await rows.count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);
  await detail.getByRole('grid').evaluate((el) => (el.scrollTop = el.scrollHeight));
  // Segment 2399, at 6 segments per video, is the last of video 399.
  await expect(rows.filter({ hasText: 'control_0399[5]' })).toBeVisible();
  expect(await rows.count()).toBeLessThan(60);

  // Sorting by a header button, both ways.
  const sentimentHeader = detail.getByRole('columnheader', { name: /sentiment/i });
  await sentimentHeader.getByRole('button').click();
  await expect(sentimentHeader).toHaveAttribute('aria-sort', 'ascending');
  await sentimentHeader.getByRole('button').click();
  await expect(sentimentHeader).toHaveAttribute('aria-sort', 'descending');

  // Filter: only segments with strong anger.
  await detail.getByRole('combobox', { name: 'Emotion' }).selectOption('anger');
  await detail.getByLabel('Minimum intensity').fill('2');
  await expect(detail.getByTestId('segment-count')).toHaveText(/^\s*\d+ of 2,400 segments/);
  const angerCells = await rows.evaluateAll((els) => els.map((el) => Number(el.querySelectorAll('[role="gridcell"]')[7].textContent)));
  expect(angerCells.length).toBeGreaterThan(0);
  expect(angerCells.every((v) => v >= 2)).toBe(true);

  // Keyboard: focus the first row, move down, open with Enter.
  await rows.first().focus();
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => document.activeElement?.querySelector('[role="gridcell"]')?.textContent);
  await page.keyboard.press('Enter');
  await expect(detail.getByTestId('segment-detail')).toBeVisible();
  await expect(detail.getByTestId('segment-detail').getByRole('heading', { level: 3 })).toContainText(second ?? 'missing');
  await expect(detail.getByTestId('heatmap-original')).toBeVisible();
  await expect(detail.getByTestId('masked-ranges')).toHaveText(/masked frames \d+-\d+ \(\d+\.\d\d-\d+\.\d\d s\)/);

  // Opening a segment far down the table keeps the table where it was scrolled to.
  await detail.getByRole('combobox', { name: 'Emotion' }).selectOption('');
  const grid = detail.getByRole('grid');
  await grid.evaluate((el) => (el.scrollTop = 6000));
  const far = grid.locator('[data-pos="205"]');
  await expect(far).toBeVisible();
  const farId = (await far.locator('[role="gridcell"]').first().textContent()) ?? 'missing';
  await far.click();
  await expect(detail.getByTestId('segment-detail').getByRole('heading', { level: 3 })).toContainText(farId);
  expect(await grid.evaluate((el) => el.scrollTop)).toBeGreaterThan(5000);

  // End and Home jump across the virtualised rows, keeping the focus on a row.
  await far.focus();
  await page.keyboard.press('End');
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-pos'))).toBe('2399');
  await page.keyboard.press('Home');
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-pos'))).toBe('0');
  expect(await grid.evaluate((el) => el.scrollTop)).toBe(0);
  await page.screenshot({ path: join(OUTPUT_DIR, 'builtin-segment.png'), fullPage: true });
  await expectAccessible(page, 'Datasets, a segment open');
  // Dark mode, chosen in the status bar (by default it follows the system): the same view, as readable.
  await page.getByTestId('theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(20, 24, 31)');
  await page.screenshot({ path: join(OUTPUT_DIR, 'datasets-dark.png'), fullPage: true });
  await expectAccessible(page, 'Datasets in dark mode');
  await page.getByTestId('theme').selectOption('system');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(errors).toEqual([]);
  await page.close();
});

test('a researcher imports the mini CMU-MOSEI pair, browses it and sees a clear error for a wrong file', async () => {
  const { page, errors } = await workbench.open();
  const panel = page.getByTestId('import-panel');

  // Browser mode names no path on the server: the two files are uploaded from this machine.
  await expect(panel.getByTestId('upload-note')).toContainText('npm run import');
  await panel.getByLabel('COVAREP file').setInputFiles(COVAREP);
  await panel.getByLabel('Labels file').setInputFiles(LABELS);
  await panel.getByLabel('Dataset name').fill('MOSEI mini (e2e)');
  await panel.getByRole('button', { name: 'Import', exact: true }).click();

  // Progress may be too quick to catch on 17 segments; the outcome is not.
  const outcome = panel.getByTestId('import-outcome');
  await expect(outcome).toContainText('Import finished', { timeout: 60_000 });
  const notes = panel.getByTestId('import-notes');
  await expect(notes).toContainText('77 NaN or infinite COVAREP values were replaced with 0 in 1 segment (most in 0eTibWQdO6k[1]: 77 values;');
  await expect(notes).toContainText('1 video has features but no labels and was dropped.');
  await expect(notes).toContainText('1 video has labels but no features and was dropped.');

  // The list is reloaded with the new dataset, which is not synthetic.
  const row = page.getByTestId('dataset-row').filter({ hasText: 'MOSEI mini (e2e)' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('imported');
  await expect(row.getByTestId('synthetic-badge')).toHaveCount(0);
  await expect(row.locator('td').nth(2)).toHaveText('17');
  await expect(row.locator('td').nth(6)).toHaveText('14 / 3'); // default 80/20 split
  await expect(row.locator('td').nth(7)).toHaveText('77');

  // Open it: the label distribution and all 17 segments.
  await row.click();
  const detail = page.getByTestId('dataset-detail');
  await expect(detail.getByRole('heading', { level: 2 })).toHaveText('MOSEI mini (e2e)');
  await expect(detail.getByTestId('label-distribution').locator('canvas')).toBeVisible();
  await expect(detail.getByTestId('label-distribution-table')).toContainText('happiness');
  await expect(detail.getByTestId('segment-count')).toHaveText(/17 of 17 segments/);
  await expect(detail.getByTestId('segment-row')).toHaveCount(17);
  // Each segment says how many of its values were replaced; the one with NaN frames sorts first.
  await detail.getByRole('columnheader', { name: /replaced/i }).getByRole('button').click();
  await detail.getByRole('columnheader', { name: /replaced/i }).getByRole('button').click();
  await expect(detail.getByTestId('segment-row').first()).toContainText('0eTibWQdO6k[1]');
  await expect(detail.getByTestId('segment-row').first().getByTestId('segment-replaced')).toHaveText('77');
  await page.screenshot({ path: join(OUTPUT_DIR, 'datasets-browser.png'), fullPage: true });
  await expectAccessible(page, 'Datasets, an import done');

  // The distribution of one side of the default split.
  await expect(detail.getByTestId('label-distribution')).toContainText('17 segments in all');
  await detail.getByTestId('distribution-split').selectOption('validation');
  await expect(detail.getByTestId('label-distribution')).toContainText('3 segments in all');
  await detail.getByTestId('distribution-split').selectOption('all');

  // Search a video id.
  await detail.getByLabel('Video id').fill('-3g5y');
  await expect(detail.getByTestId('segment-count')).toHaveText(/^\s*\d+ of 17 segments/);
  const videos = await detail.getByTestId('segment-row').evaluateAll((els) => els.map((el) => el.querySelectorAll('[role="gridcell"]')[1].textContent));
  expect(videos.length).toBeGreaterThan(0);
  expect(new Set(videos)).toEqual(new Set(['-3g5yACwYnA']));

  // Open its first segment: the heat map, its labels and the masked version.
  await detail.getByTestId('segment-row').filter({ hasText: '-3g5yACwYnA[0]' }).click();
  const segment = detail.getByTestId('segment-detail');
  await expect(segment.getByRole('heading', { name: /-3g5yACwYnA\[0\]/ })).toBeVisible();
  await expect(segment.getByTestId('segment-labels')).toContainText('surprise');
  await expect(segment.getByTestId('segment-labels')).toContainText('3.00');
  await expect(segment).toContainText('338 frames');
  await expect(segment.getByTestId('heatmap-original')).toBeVisible();
  await expect(segment.getByTestId('heatmap-masked')).toBeVisible();
  // The paper's masking: one span of 30 frames.
  const ranges = segment.getByTestId('masked-ranges');
  const [, first, last] = /masked frames (\d+)-(\d+)/.exec((await ranges.textContent()) ?? '') ?? [];
  expect(Number(last) - Number(first) + 1).toBe(30);
  // A new seed moves the span; two spans are listed separately or merged if they touch.
  await segment.getByLabel('Seed').fill('7');
  await segment.getByLabel('Spans', { exact: true }).fill('2');
  await expect(ranges).toHaveText(/masked frames \d+-\d+/);
  // Many spans on one clip overlap, and the view says by how much.
  await segment.getByLabel('Spans', { exact: true }).fill('20');
  await expect(segment.getByTestId('mask-overlap')).toContainText(/20 spans of 30 frames .* overlap by \d+ frames, and \d+ frames are masked in all, not 600/);
  // The canvas really was painted: some of its pixels are the mask green.
  const greenPixels = await segment.getByTestId('heatmap-masked').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 20 && d[i + 1] === 160 && d[i + 2] === 80) n++;
    return n;
  });
  expect(greenPixels).toBeGreaterThan(100);
  await segment.getByLabel('Spans', { exact: true }).fill('1');
  await segment.getByLabel('Seed').fill('1');
  await segment.scrollIntoViewIfNeeded();
  await segment.screenshot({ path: join(OUTPUT_DIR, 'segment-heatmap.png') });

  // Importing the same files again is recognised.
  await panel.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(outcome).toContainText('Already imported', { timeout: 60_000 });
  await expect(panel.getByTestId('import-notes')).toContainText('MOSEI mini (e2e)');

  // A wrong file: word timestamps given as COVAREP features.
  await panel.getByLabel('COVAREP file').setInputFiles(WORDS);
  await panel.getByLabel('Dataset name').fill('should not exist');
  await panel.getByRole('button', { name: 'Import', exact: true }).click();
  const error = panel.getByRole('alert');
  await expect(error).toContainText('Import failed', { timeout: 60_000 });
  await expect(error).toContainText(/ModifiedTimestampedWords|COVAREP|feature/i);
  await expect(page.getByTestId('dataset-row').filter({ hasText: 'should not exist' })).toHaveCount(0);

  // An empty file is refused before anything is uploaded, naming it.
  await panel.getByLabel('Labels file').setInputFiles({ name: 'CMU_MOSEI_Labels.csd', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) });
  await panel.getByLabel('COVAREP file').setInputFiles(COVAREP);
  await panel.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(error).toContainText('CMU_MOSEI_Labels.csd is empty');

  // Back to the string-feature file for the screenshot of the error as a researcher sees it.
  await panel.getByLabel('COVAREP file').setInputFiles(WORDS);
  await panel.getByLabel('Labels file').setInputFiles(LABELS);
  await panel.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(error).toContainText('Import failed', { timeout: 60_000 });
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: join(OUTPUT_DIR, 'import-error.png') });
  expect(errors).toEqual([]);
  await page.close();
});

test('an import that leaves segments out for their labels says how many, per kind of label', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'mosei-wb-e2e-labels-'));
  try {
    const rows = (video: string): LabelRow[] =>
      video === 'vidA'
        ? [
            { interval: [0, 1], values: [Number.NaN, 1, 0, 0, 0, 0, 0] },
            { interval: [1, 2], values: [1, 1, 0, 0, 0, 0, 3.5] },
            { interval: [2, 3], values: [...NEUTRAL] },
          ]
        : goodRows();
    const pair = await writeCsdPair(folder, defaultCovarep(), labelsFor(rows));
    const { page, errors } = await workbench.open();
    const panel = page.getByTestId('import-panel');
    await panel.getByLabel('COVAREP file').setInputFiles(pair.covarepPath);
    await panel.getByLabel('Labels file').setInputFiles(pair.labelsPath);
    await panel.getByLabel('Dataset name').fill('labels left out (e2e)');
    await panel.getByRole('button', { name: 'Import', exact: true }).click();

    await expect(panel.getByTestId('import-outcome')).toContainText('Import finished', { timeout: 60_000 });
    await expect(panel.getByTestId('import-notes')).toContainText('4 segments of 2 videos imported');
    await expect(panel.getByTestId('import-notes')).toContainText('2 segments were left out because a label is NaN, infinite or outside its range');
    const table = panel.getByTestId('import-label-problems');
    await expect(table.getByRole('row')).toHaveCount(3); // header, sentiment, fear
    await expect(table.getByRole('row', { name: /sentiment/ })).toHaveText(/sentiment \(-3\.\.3\)\s*1\s*0/);
    await expect(table.getByRole('row', { name: /fear/ })).toHaveText(/fear \(0\.\.3\)\s*0\s*1/);
    await expect(page.getByTestId('dataset-row').filter({ hasText: 'labels left out (e2e)' }).locator('td').nth(2)).toHaveText('4');
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(OUTPUT_DIR, 'import-label-problems.png') });
    expect(errors).toEqual([]);
    await page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
