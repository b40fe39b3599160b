import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../../test/fixturePaths';
import { probeWasm, useBackend } from './toolBackend';
import { FixtureError, readJsonFile } from './jsonFixture';
import { checkTrajectory, formatTrajectoryTable, LOSS_TOLERANCE, percentile, UPDATE_P99_TOLERANCE, type TrajectoryResult } from './trajectoryCheck';
import { parseTrajectoryFixture } from './trajectoryFixture';

const TORCH = fixture('reference', 'train_parity_small.json');
const NUMPY = fixture('reference', 'train_parity_numpy.json');
// Decided at collection time so the wasm runs can be skipped with the reason.
const wasm = await probeWasm('cpu');

// A reference file's JSON, damaged on purpose by the tests below: any shape goes.
type Doc = Record<string, any>;
const torchDoc = readJsonFile(TORCH) as Doc;
const variant = (change: (d: Doc) => void, doc: Doc = torchDoc): Doc => {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
};
const check = (doc: Doc, name = 'variant.json') => checkTrajectory(parseTrajectoryFixture(doc, name));
const parseError = (doc: Doc): string => {
  try {
    parseTrajectoryFixture(doc, 'bad.json');
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    return (error as Error).message;
  }
  throw new Error('the malformed file was accepted');
};
const regime = (result: TrajectoryResult, name: string) => result.regimes.find((r) => r.regime === name)!;

beforeAll(async () => {
  await useBackend('cpu');
});

/** Every regime within tolerance, the table naming all three; the whole table on failure. */
function expectPass(result: TrajectoryResult): void {
  const table = formatTrajectoryTable(result);
  expect(result.masking.mismatch, table).toBeNull();
  expect(result.regimes.map((r) => r.regime)).toEqual(['pretrain', 'finetune', 'baseline']);
  for (const r of result.regimes) {
    expect(r.lossRelativeError, table).toBeLessThanOrEqual(LOSS_TOLERANCE);
    expect(r.updateP99, table).toBeLessThanOrEqual(UPDATE_P99_TOLERANCE);
  }
  expect(result.ok).toBe(true);
}

describe('training trajectories against float64 references (the jobs\' own steps, float32)', () => {
  it('PyTorch file: masking, pre-training, frozen fine-tune and baseline all within tolerance on cpu', async () => {
    const result = await check(torchDoc, TORCH);
    expectPass(result);
    // Every trained weight is compared: 2 GRU layers of 8 units, Dense(74), and the head where there is one.
    expect(regime(result, 'pretrain').weights).toBe(74 * 24 + 8 * 24 + 48 + 8 * 24 + 8 * 24 + 48 + 8 * 74 + 74);
    expect(regime(result, 'baseline').weights).toBe(regime(result, 'pretrain').weights + 74 * 6 + 6);
  });

  it('numpy file of another shape (3 layers, 4 steps, clips of 1 to 9 steps, head on GRU states, mean pooling, loss on masked steps only) on cpu', async () => {
    const doc = readJsonFile(NUMPY) as Doc;
    expect(doc.config).toMatchObject({ layers: 3, steps: 4, head_input: 'encoder', pooling: 'mean-valid', loss_scope: 'masked-only' });
    expectPass(await check(doc, NUMPY));
  });

  it.skipIf(!wasm.ok)(`both files on wasm${wasm.ok ? '' : ` (skipped: ${wasm.reason})`}`, async () => {
    await useBackend('wasm');
    try {
      expectPass(await check(torchDoc, TORCH));
      expectPass(await check(readJsonFile(NUMPY) as Doc, NUMPY));
    } finally {
      await useBackend('cpu');
    }
  });
});

// The numpy reference is an independent implementation: it must reproduce the PyTorch file before its own file is trusted.
const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const numpyMissing = numpy.error ? `python3 not found (${numpy.error.message})` : numpy.status !== 0 ? `numpy not importable: ${numpy.stderr.trim().split('\n').at(-1)}` : null;

describe('the numpy reference', () => {
  it.skipIf(numpyMissing !== null)(`reproduces the PyTorch file and its own to 1e-9${numpyMissing ? ` (skipped: ${numpyMissing})` : ''}`, () => {
    for (const file of [TORCH, NUMPY]) {
      const run = spawnSync('python3', [fixture('reference', 'train_trajectory_numpy.py'), 'check', file], { encoding: 'utf8' });
      expect(run.status, `${file}\n${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/^baseline .*final weights: largest absolute difference/m);
    }
  });
});

describe('what the check catches', () => {
  it('a reference loss off by 0.1% fails that regime only', async () => {
    const result = await check(variant((d) => (d.pretrain.losses_before_each_step[1] *= 1.001)));
    expect(regime(result, 'pretrain')).toMatchObject({ ok: false });
    expect(regime(result, 'pretrain').lossRelativeError).toBeCloseTo(1e-3, 4);
    expect(regime(result, 'finetune').ok && regime(result, 'baseline').ok).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('final weights moved by a tenth of a step fail on the 99th percentile', async () => {
    const result = await check(variant((d) => {
      const kernel: number[][] = d.baseline.final.gru[0].keras.kernel;
      for (const row of kernel) row.forEach((_, j) => (row[j] += 0.1 * d.config.optimizer.lr));
    }));
    expect(regime(result, 'baseline').updateP99).toBeGreaterThan(0.09);
    expect(regime(result, 'baseline').worstTensor).toBe('gru_1/kernel');
    expect(regime(result, 'baseline').ok).toBe(false);
  });

  it("Adam's epsilon is the run's: the reference's 1e-7 trained with PyTorch's 1e-8 instead fails", async () => {
    const result = await check(variant((d) => (d.config.optimizer.epsilon = 1e-8)));
    expect(regime(result, 'pretrain').updateP99).toBeGreaterThan(UPDATE_P99_TOLERANCE);
    expect(result.ok).toBe(false);
  });

  it('the head reading another step than the reference fails the supervised regimes', async () => {
    const result = await check(variant((d) => (d.config.pooling = 'mean-valid')));
    expect(regime(result, 'pretrain').ok).toBe(true);
    expect(regime(result, 'finetune').ok || regime(result, 'baseline').ok).toBe(false);
  });

  it('masking that differs from the file is named: a masked value, or a loss weight under another scope', async () => {
    const value = await check(variant((d) => (d.batches[1].masked_input[0][6][3] = 0.5)));
    expect(value.masking.mismatch).toBe("batches[1] clip 0 step 6 feature 3: the workbench's masking of span [5, 4] gives -30, masked_input has 0.5");
    expect(value.ok).toBe(false);
    const scope = await check(variant((d) => (d.config.loss_scope = 'masked-only')));
    expect(scope.masking.mismatch).toBe('batches[0] clip 0 step 0: the workbench weighs the step 0 in the loss (scope masked-only), loss_weights has 1');
    expect(formatTrajectoryTable(scope)).toContain('masking: DIFFERS, batches[0] clip 0 step 0');
  });
});

describe('malformed files are refused with what is wrong and where', () => {
  it.each([
    ['another version', (d: Doc) => (d.format = 'train-trajectory v2'), 'bad.json: "format" must be "train-trajectory v1", got "train-trajectory v2"'],
    ['a missing setting', (d: Doc) => delete d.config.hidden, 'bad.json: missing "config.hidden"'],
    ['another feature count', (d: Doc) => (d.config.features = 40), `bad.json: "config.features" is 40, but the workbench's network has 74 (COVAREP features)`],
    ['an unknown pooling', (d: Doc) => (d.config.pooling = 'max'), 'bad.json: "config.pooling" must be one of "last-valid", "mean-valid", got "max"'],
    ['a beta of 1', (d: Doc) => (d.config.optimizer.beta2 = 1), 'bad.json: "config.optimizer.beta2" must be in [0, 1), got 1'],
    ['fewer batches than steps', (d: Doc) => d.batches.pop(), 'bad.json: "batches" must be a list of 3 entries (config.steps), got 2'],
    ['a layer missing', (d: Doc) => d.init.gru.pop(), 'bad.json: "init.gru" must be a list of 2 entries (config.layers), got 1'],
    ['a recurrent kernel per gate', (d: Doc) => (d.init.gru[1].keras.recurrent_kernel = d.init.gru[1].keras.recurrent_kernel.map((row: number[]) => row.slice(0, 8))),
      'bad.json: init.gru[1].keras.recurrent_kernel[0] must be a list of length 24 (expected shape [8, 24]), got length 8'],
    ['a NaN written as null', (d: Doc) => (d.baseline.final.head6.keras.bias[2] = null), 'bad.json: baseline.final.head6.keras.bias[2] must be a finite number, got null'],
    ['a span past the clip', (d: Doc) => (d.batches[0].mask_spans[1] = [4, 4]), "bad.json: batches[0].mask_spans[1] = [4, 4] must be [start, length] inside the clip's 6 valid steps"],
    ['a clip longer than seq_len', (d: Doc) => (d.batches[2].lengths[0] = 11), 'bad.json: batches[2].lengths[0] = 11 must be an integer from 1 to seq_len (10)'],
    ['no regime', (d: Doc) => delete d.finetune, 'bad.json: missing "finetune"'],
    ['a final without its head', (d: Doc) => delete d.finetune.final.head6, 'bad.json: missing "finetune.final.head6"'],
  ])('%s', (_, change, message) => {
    expect(parseError(variant(change))).toBe(message);
  });
});

describe('percentile', () => {
  it('is the nearest rank: the smallest value with at least p% of the values at or below it', () => {
    const values = Float64Array.from({ length: 200 }, (_, i) => 200 - i); // 200 ... 1, unsorted order
    expect(percentile(values, 99)).toBe(198);
    expect(percentile(values, 100)).toBe(200);
    expect(percentile(Float64Array.from([5]), 99)).toBe(5);
  });
});

describe('npm run parity on trajectory files', () => {
  const root = resolve(import.meta.dirname, '../../..');
  const parity = (...args: string[]) =>
    promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), [resolve(root, 'src-main/tools/parity/cli.ts'), ...args], { cwd: root }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  const dir = mkdtempSync(join(tmpdir(), 'wb-parity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints each regime and PASS, exit 0, on the reference file', async () => {
    const { code, stdout } = await parity(TORCH, '--backend', 'cpu');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pretrain\s+\S+\s+\S+\s+\S+\s+\S+\s+yes$/m);
    expect(stdout).toMatch(/^finetune\s.*yes$/m);
    expect(stdout).toMatch(/^baseline\s.*yes$/m);
    expect(stdout).toMatch(/^PASS: /m);
  });

  it('exit 1 naming the failing regime when a reference loss is off; one clear line for a malformed file', async () => {
    const off = join(dir, 'off.json');
    writeFileSync(off, JSON.stringify(variant((d) => (d.baseline.losses_before_each_step[2] *= 1.01))));
    const failed = await parity(off);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^baseline\s.*NO$/m);
    expect(failed.stdout).toMatch(/^FAIL \(baseline\): /m);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(variant((d) => (d.init.dense74.keras.kernel = [[1, 2]]))));
    const refused = await parity(bad);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim()).toBe(`parity: ${bad}: init.dense74.keras.kernel must be a list of length 8 (expected shape [8, 74]), got length 1`);
  });
});
