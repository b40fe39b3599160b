import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kerasToTorch, torchToKeras, type HostArray } from './gateLayout';
import { gruFinalState, gruOutputs, gruSequence, type GruSequenceOptions, type GruWeights } from './fusedGru';
import { checkParity, formatParityTable, PARITY_TOLERANCE, relativeError, worstRow } from '../../tools/parity/parityCheck';
import { loadParityFixture, parseParityFixture, FixtureError } from '../../tools/parity/parityFixture';
import { autogradGruSequence } from './autogradGru';
import { probeWasm, useBackend } from '../../tools/parity/toolBackend';
import { fixture } from '../../../test/fixturePaths';

const FIXTURE_DIR = fixture('reference');
const FIXTURES = readdirSync(FIXTURE_DIR)
  .filter((f) => /^gru_parity_.*\.json$/.test(f))
  .sort();
const fixturePath = (name: string) => resolve(FIXTURE_DIR, name);

// Decided at collection time so the wasm test can be skipped with its reason.
const wasm = await probeWasm('cpu');

beforeAll(async () => {
  await useBackend('cpu');
});

/** Fails with the whole table, so a regression shows which quantity moved. */
function expectParity(rows: ReturnType<typeof checkParity>): void {
  const worst = worstRow(rows);
  expect(worst.relativeError, `worst: ${worst.quantity}\n${formatParityTable(rows)}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
}

describe('parity with torch.nn.GRU (cpu backend, float32)', () => {
  it('finds the reference files (any further gru_parity_*.json is checked too)', () => {
    expect(FIXTURES).toEqual(expect.arrayContaining(['gru_parity_lengths.json', 'gru_parity_small.json', 'gru_parity_stack.json']));
  });

  it.each(FIXTURES)('%s: outputs, final states, loss and every gradient within 1e-4', (name) => {
    const rows = checkParity(loadParityFixture(fixturePath(name)));
    expect(rows.map((r) => r.quantity)).toContain('layer 0 grad weight_hh');
    expectParity(rows);
  });

  it('stack file really is a 2-layer stack: both final states and both layers\' gradients are checked', () => {
    const rows = checkParity(loadParityFixture(fixturePath('gru_parity_stack.json')));
    expect(rows.map((r) => r.quantity)).toEqual(expect.arrayContaining(['final_state[1]', 'layer 1 grad kernel', 'layer 1 grad bias_hh']));
  });

  it('lengths file: padding given as a [B, T] mask tensor instead of lengths', () => {
    expectParity(checkParity(loadParityFixture(fixturePath('gru_parity_lengths.json')), { padding: 'mask' }));
  });

  it('lengths file with carried-state outputs (tfjs/Keras semantics): padded outputs repeat the last valid state, gradients unchanged', () => {
    expectParity(checkParity(loadParityFixture(fixturePath('gru_parity_lengths.json')), { zeroOutputForMask: false }));
  });

  it('lengths file: padded steps get exactly zero input gradient', () => {
    const fx = loadParityFixture(fixturePath('gru_parity_lengths.json'));
    const lengths = fx.lengths ?? [];
    expect(lengths).toEqual([6, 4, 2]);
    const gradX = tf.tidy(() => {
      const x = tf.tensor3d(Float32Array.from(fx.x.data), [fx.batch, fx.steps, fx.inputSize]);
      const k = fx.layers[0].keras;
      const w: GruWeights = {
        kernel: tf.tensor2d(Float32Array.from(k.kernel.data), [fx.inputSize, 3 * fx.hiddenSize]),
        recurrentKernel: tf.tensor2d(Float32Array.from(k.recurrentKernel.data), [fx.hiddenSize, 3 * fx.hiddenSize]),
        bias: tf.tensor2d(Float32Array.from(k.bias.data), [2, 3 * fx.hiddenSize]),
      };
      // All-ones upstream gradient, including at padded steps (carried outputs there).
      return tf.grad((xi: tf.Tensor) => tf.sum(gruOutputs(xi as tf.Tensor3D, w, { lengths })))(x).arraySync() as number[][][];
    });
    lengths.forEach((length, b) => {
      for (let t = length; t < fx.steps; t++) expect(gradX[b][t].every((v) => v === 0)).toBe(true);
      expect(gradX[b][length - 1].some((v) => v !== 0)).toBe(true);
    });
  });
});

describe('weight layouts', () => {
  const close = (a: HostArray, b: HostArray) => {
    expect(a.shape).toEqual(b.shape);
    expect(relativeError(a.data, b.data).maxAbsError).toBe(0);
  };

  it.each(FIXTURES)('%s: torchToKeras reproduces the Keras weights and kerasToTorch the PyTorch gradients', (name) => {
    for (const layer of loadParityFixture(fixturePath(name)).layers) {
      const keras = torchToKeras(layer.torch);
      close(keras.kernel, layer.keras.kernel);
      close(keras.recurrentKernel, layer.keras.recurrentKernel);
      close(keras.bias, layer.keras.bias);
      const torchGrad = kerasToTorch(layer.gradKeras);
      close(torchGrad.weightIh, layer.gradTorch.weightIh);
      close(torchGrad.weightHh, layer.gradTorch.weightHh);
      close(torchGrad.biasIh, layer.gradTorch.biasIh);
      close(torchGrad.biasHh, layer.gradTorch.biasHh);
    }
  });
});

describe('fixture validation', () => {
  it('names the file and the key of a malformed array', () => {
    const raw = { batch: 1, seq_len: 2, input_size: 1, hidden_size: 1, num_layers: 1, layers: [{}], loss: 0, x: [[[1]]] };
    expect(() => parseParityFixture(raw, 'bad.json')).toThrow(FixtureError);
    expect(() => parseParityFixture(raw, 'bad.json')).toThrow("bad.json: x[0] must be a list of length 2 (expected shape [1, 2, 1]), got length 1");
  });

  it('reports a missing file in one sentence', () => {
    expect(() => loadParityFixture('/nonexistent/gru.json')).toThrow('no such file: /nonexistent/gru.json');
  });
});

/** Random weights and inputs for the cases the fixtures do not cover. */
function randomCase(batch: number, steps: number, inputSize: number, units: number, seed: number) {
  const w: GruWeights = {
    kernel: tf.randomNormal([inputSize, 3 * units], 0, 0.5, 'float32', seed),
    recurrentKernel: tf.randomNormal([units, 3 * units], 0, 0.5, 'float32', seed + 1),
    bias: tf.randomNormal([2, 3 * units], 0, 0.5, 'float32', seed + 2),
  };
  const x = tf.randomNormal([batch, steps, inputSize], 0, 1, 'float32', seed + 3) as tf.Tensor3D;
  const h0 = tf.randomNormal([batch, units], 0, 1, 'float32', seed + 4) as tf.Tensor2D;
  const g = tf.randomNormal([batch, steps, units], 0, 1, 'float32', seed + 5);
  const g2 = tf.randomNormal([batch, units], 0, 1, 'float32', seed + 6);
  return { w, x, h0, g, g2 };
}

type SequenceFn = (x: tf.Tensor3D, w: GruWeights, o: GruSequenceOptions) => { outputs: tf.Tensor3D; finalState: tf.Tensor2D };

/** Values and gradients (x, kernel, recurrentKernel, bias[, h0]) of sum(out*g) + sum(final*g2). */
function valuesAndGrads(fn: SequenceFn, c: ReturnType<typeof randomCase>, options: GruSequenceOptions, withH0: boolean): number[][] {
  return tf.tidy(() => {
    const f = (...args: tf.Tensor[]) => {
      const [x, kernel, recurrentKernel, bias, h0] = args;
      const w = { kernel, recurrentKernel, bias } as GruWeights;
      const r = fn(x as tf.Tensor3D, w, { ...options, initialState: h0 as tf.Tensor2D | undefined });
      return tf.add(tf.sum(tf.mul(r.outputs, c.g)), tf.sum(tf.mul(r.finalState, c.g2))) as tf.Scalar;
    };
    const inputs = [c.x, c.w.kernel, c.w.recurrentKernel, c.w.bias, ...(withH0 ? [c.h0] : [])];
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    const r = fn(c.x, c.w, { ...options, initialState: withH0 ? c.h0 : undefined });
    return [value, r.outputs, r.finalState, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

describe('gruSequence against a plain-ops autograd reference (cpu)', () => {
  const names = ['loss', 'outputs', 'finalState', 'dx', 'dKernel', 'dRecurrentKernel', 'dBias', 'dInitialState'];
  const cases: Array<[string, number[][] | null, boolean, boolean]> = [
    ['no mask, zero initial state', null, false, false],
    ['initial state given', null, true, false],
    // Holes in the middle, a sample padded from the start, a fully padded step (t = 4).
    ['mask with holes, carried outputs', [[1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 0, 0], [1, 0, 1, 1, 0, 1]], true, false],
    ['mask with holes, zeroed outputs', [[1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 0, 0], [1, 0, 1, 1, 0, 1]], true, true],
  ];
  it.each(cases)('%s', (_, maskRows, withH0, zeroOutputForMask) => {
    const c = randomCase(3, 6, 4, 5, 11);
    const mask = maskRows === null ? undefined : tf.tensor2d(maskRows);
    const ours = valuesAndGrads((x, w, o) => gruSequence(x, w, o), c, { mask, zeroOutputForMask }, withH0);
    const ref = valuesAndGrads(autogradGruSequence, c, { mask, zeroOutputForMask }, withH0);
    ours.forEach((values, i) => {
      if (names[i] === 'dInitialState' && !withH0) return;
      expect(relativeError(values, ref[i]).relativeError, names[i]).toBeLessThan(1e-5);
    });
    tf.dispose([c.w.kernel, c.w.recurrentKernel, c.w.bias, c.x, c.h0, c.g, c.g2, mask ?? []]);
  });

  it('gruOutputs and gruFinalState equal the two halves of gruSequence', () => {
    const c = randomCase(2, 5, 3, 4, 3);
    tf.tidy(() => {
      const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
      const both = gruSequence(c.x, c.w, { mask });
      expect(relativeError(gruOutputs(c.x, c.w, { mask }).dataSync(), both.outputs.dataSync()).maxAbsError).toBe(0);
      expect(relativeError(gruFinalState(c.x, c.w, { mask }).dataSync(), both.finalState.dataSync()).maxAbsError).toBe(0);
    });
    tf.dispose([c.w.kernel, c.w.recurrentKernel, c.w.bias, c.x, c.h0, c.g, c.g2]);
  });

  it('rejects inconsistent shapes with a clear message', () => {
    const c = randomCase(2, 3, 3, 4, 5);
    expect(() => gruSequence(c.x, { ...c.w, bias: tf.zeros([3, 12]) })).toThrow('bias must have shape [2, 12], got [3, 12]');
    expect(() => gruSequence(c.x, c.w, { lengths: [3, 4] })).toThrow('lengths[1] = 4 is not an integer in [0, 3]');
    tf.dispose([c.w.kernel, c.w.recurrentKernel, c.w.bias, c.x, c.h0, c.g, c.g2]);
  });
});

describe('memory', () => {
  it('forward + backward leaves no tensors behind (with and without mask / initial state)', () => {
    const c = randomCase(3, 6, 4, 5, 21);
    const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]]);
    const before = tf.memory().numTensors;
    for (const options of [{}, { mask }, { mask, zeroOutputForMask: true }, { lengths: [6, 2, 4] }]) {
      for (const withH0 of [false, true]) valuesAndGrads((x, w, o) => gruSequence(x, w, o), c, options, withH0);
      tf.dispose(tf.grads((x: tf.Tensor) => tf.sum(gruFinalState(x as tf.Tensor3D, c.w, options)))([c.x]));
      tf.dispose(tf.grads((x: tf.Tensor) => tf.sum(gruOutputs(x as tf.Tensor3D, c.w, options)))([c.x]));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([c.w.kernel, c.w.recurrentKernel, c.w.bias, c.x, c.h0, c.g, c.g2, mask]);
  });

  it('forward alone (no gradient tape) keeps only its results', () => {
    const c = randomCase(2, 4, 3, 4, 31);
    const before = tf.memory().numTensors;
    const r = gruSequence(c.x, c.w, { lengths: [4, 1] });
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([r.outputs, r.finalState]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([c.w.kernel, c.w.recurrentKernel, c.w.bias, c.x, c.h0, c.g, c.g2]);
  });
});

describe('wasm backend', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  it.skipIf(!wasm.ok)(`parity on wasm for every fixture${wasm.ok ? '' : ` (skipped: wasm did not initialise: ${wasm.reason})`}`, async () => {
    await useBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    for (const name of FIXTURES) {
      const before = tf.memory().numTensors;
      expectParity(checkParity(loadParityFixture(fixturePath(name))));
      expectParity(checkParity(loadParityFixture(fixturePath(name)), { zeroOutputForMask: false }));
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
