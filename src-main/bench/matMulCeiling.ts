/**
 * The matMul-only ceiling of a training step: every product the jobs' step performs (the
 * fused GRU's forward and backward passes, as gruForward.ts and gruBackward.ts take them, and
 * the per-step Dense(74)), each timed alone with plain tf.matMul at its own shape. Their summed
 * time is the fastest the step could be if nothing but those products ran (and if XNNPACK
 * never repacked an operand, which the step must for its gradients: so it is optimistic).
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from '@shared/emotions';

/** [m, k] x [k, n], `count` times per training step. */
export interface MatMulShape {
  what: string;
  m: number;
  k: number;
  n: number;
  count: number;
}

/** Every matMul of one training step of GRU(H) x layers -> Dense(74) per step, batch B, T steps. */
export function stepMatMuls(batch: number, steps: number, units: number, layers: number): MatMulShape[] {
  const rows = batch * steps;
  const shapes: MatMulShape[] = [];
  for (let l = 1, d = FEATURE_COUNT; l <= layers; l++, d = units) {
    shapes.push(
      { what: `GRU ${l} forward: z, r gates`, m: batch, k: d + units, n: units, count: 2 * steps },
      { what: `GRU ${l} forward: x Kh`, m: batch, k: d, n: units, count: steps },
      { what: `GRU ${l} forward: h Uh`, m: batch, k: units, n: units, count: steps },
      { what: `GRU ${l} backward: dh`, m: batch, k: 3 * units, n: units, count: steps },
      { what: `GRU ${l} kernel gradient`, m: 3 * units, k: rows, n: d + 1, count: 1 },
      { what: `GRU ${l} recurrent gradient`, m: 3 * units, k: rows, n: units + 1, count: 1 },
      { what: `GRU ${l} input gradient`, m: rows, k: 3 * units, n: d, count: 1 },
    );
  }
  shapes.push(
    { what: 'Dense(74) forward', m: rows, k: units, n: FEATURE_COUNT, count: 1 },
    { what: 'Dense(74) input gradient', m: rows, k: FEATURE_COUNT, n: units, count: 1 },
    { what: 'Dense(74) kernel gradient', m: units + 1, k: rows, n: FEATURE_COUNT, count: 1 },
  );
  return shapes;
}

const flopsOf = (shapes: readonly MatMulShape[]) => shapes.reduce((sum, s) => sum + 2 * s.m * s.k * s.n * s.count, 0);

/** Plain tf.matMul GFLOP/s at one shape: the best of five runs, since a ceiling should be optimistic. */
async function gflopsAt(s: MatMulShape): Promise<number> {
  const a = tf.randomNormal([s.m, s.k]);
  const b = tf.randomNormal([s.k, s.n]);
  const reps = Math.max(2, Math.min(200, Math.round(1e9 / (2 * s.m * s.k * s.n))));
  const once = async () => {
    const out = tf.matMul(a, b);
    await out.data();
    out.dispose();
  };
  for (let i = 0; i < 2; i++) await once();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    for (let i = 0; i < reps; i++) await once();
    best = Math.min(best, (performance.now() - started) / reps);
  }
  tf.dispose([a, b]);
  return (2 * s.m * s.k * s.n) / (best * 1e6);
}

/** The ceiling in milliseconds per step, with each shape's rate. */
export async function matMulCeiling(shapes: readonly MatMulShape[]): Promise<{ ms: number; gflops: number; rates: number[] }> {
  const rates: number[] = [];
  for (const s of shapes) rates.push(await gflopsAt(s));
  const ms = shapes.reduce((sum, s, i) => sum + (2 * s.m * s.k * s.n * s.count) / (rates[i] * 1e6), 0);
  return { ms, gflops: flopsOf(shapes) / 1e9, rates };
}
