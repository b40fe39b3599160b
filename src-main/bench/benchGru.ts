/**
 * Training-step speed of the fused GRU vs tf.layers.gru on the wasm backend, and how close the
 * fused step gets to the backend's plain-matMul ceiling.
 *
 *   npx tsx src-main/training/gru/benchGru.ts [--backend wasm|cpu]
 *
 * Model (as in the paper): GRU(256, return sequences) -> GRU(256) -> Dense(74), batch 32,
 * T = 100, D = 74, Adam, MSE. One step = forward + backward + update.
 * Ceiling: every matMul of one fused training step (see matMulInventory), each timed alone
 * with plain tf.matMul at its own shape; their summed time is the fastest the step could be
 * if nothing but those products ran. Takes ~1-2 minutes, mostly the tf.layers.gru steps.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { fusedGru } from '../training/gru/fusedGruLayer';
import { useBackend, type ToolBackend } from '../tools/parity/toolBackend';

const B = 32;
const T = 100;
const D = 74;
const H = 256;
const OUT = 74;

type RecurrentLayer = (units: number, returnSequences: boolean, inputShape?: number[]) => tf.layers.Layer;

const fusedLayer: RecurrentLayer = (units, returnSequences, inputShape) => fusedGru({ units, returnSequences, inputShape });
const tfjsLayer: RecurrentLayer = (units, returnSequences, inputShape) => tf.layers.gru({ units, returnSequences, inputShape });

function buildModel(layer: RecurrentLayer): tf.LayersModel {
  return tf.sequential({ layers: [layer(H, true, [T, D]), layer(H, false), tf.layers.dense({ units: OUT })] });
}

/** Median milliseconds of `timed` training steps after `warmup` untimed ones. */
function timeTrainingSteps(model: tf.LayersModel, warmup: number, timed: number): number {
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 1);
  const y = tf.randomNormal([B, OUT], 0, 1, 'float32', 2);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () => {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars);
    loss?.dataSync();
    loss?.dispose();
  };
  for (let i = 0; i < warmup; i++) step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < timed; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) console.warn(`  warning: ${leaked} tensors left behind over ${timed} steps`);
  tf.dispose([x, y]);
  optimizer.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** [m, k] x [k, n], `count` times per training step. */
interface MatMulShape {
  readonly what: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly count: number;
}

/** Every matMul one fused training step performs (two layers; Dense omitted, it is <0.1%). */
function matMulInventory(): MatMulShape[] {
  const shapes: MatMulShape[] = [];
  for (const [layer, d] of [[1, D], [2, H]] as const) {
    shapes.push(
      { what: `L${layer} fwd z,r  [x,h]·W`, m: B, k: d + H, n: H, count: 2 * T },
      { what: `L${layer} fwd x·Kh`, m: B, k: d, n: H, count: T },
      { what: `L${layer} fwd h·Uh`, m: B, k: H, n: H, count: T },
      { what: `L${layer} bwd dG·U^T`, m: B, k: 3 * H, n: H, count: T },
      { what: `L${layer} bwd [X|1]^T·dGin`, m: d + 1, k: T * B, n: 3 * H, count: 1 },
      { what: `L${layer} bwd [H|1]^T·dGrec`, m: H + 1, k: T * B, n: 3 * H, count: 1 },
      { what: `L${layer} bwd dGin·K^T`, m: T * B, k: 3 * H, n: d, count: 1 },
    );
  }
  return shapes;
}

/** Plain tf.matMul GFLOP/s at one shape: the best of five runs, since a ceiling should be optimistic. */
function matMulGflops(s: MatMulShape): number {
  const a = tf.randomNormal([s.m, s.k]);
  const b = tf.randomNormal([s.k, s.n]);
  const reps = Math.max(3, Math.min(200, Math.round(2e9 / (2 * s.m * s.k * s.n))));
  const once = () => tf.matMul(a, b).dispose();
  for (let i = 0; i < 3; i++) once();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) once();
    times.push((performance.now() - start) / reps);
  }
  tf.dispose([a, b]);
  return (2 * s.m * s.k * s.n) / (Math.min(...times) * 1e6);
}

const rate = (ms: number) => Math.round((B * T) / (ms / 1000));

/** Per-shape best GFLOP/s over two passes (before and after the training runs, to dodge load spikes). */
function bestRates(shapes: readonly MatMulShape[], previous: readonly number[] | null): number[] {
  return shapes.map((s, i) => Math.max(matMulGflops(s), previous?.[i] ?? 0));
}

function printCeiling(shapes: readonly MatMulShape[], gflops: readonly number[]): { ceilingMs: number; flops: number } {
  let ceilingMs = 0;
  let flops = 0;
  shapes.forEach((s, i) => {
    const stepFlops = s.count * 2 * s.m * s.k * s.n;
    const ms = stepFlops / (gflops[i] * 1e6);
    ceilingMs += ms;
    flops += stepFlops;
    const shape = `[${s.m}x${s.k}]·[${s.k}x${s.n}] x${s.count}`;
    console.log(`  ${s.what.padEnd(24)} ${shape.padEnd(28)} ${gflops[i].toFixed(1).padStart(6)} GFLOP/s ${ms.toFixed(1).padStart(7)} ms/step`);
  });
  console.log(`  total ${(flops / 1e9).toFixed(2)} GFLOP/step; matMul-only ceiling ${ceilingMs.toFixed(0)} ms/step = ${rate(ceilingMs)} sample-timesteps/s\n`);
  return { ceilingMs, flops };
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--backend');
  const backend = (arg >= 0 ? process.argv[arg + 1] : 'wasm') as ToolBackend;
  await useBackend(backend);
  console.log(`backend ${tf.getBackend()}; batch ${B}, T ${T}, D ${D}, H ${H}; GRU(${H}, seq) -> GRU(${H}) -> Dense(${OUT}); one step = fwd + bwd + Adam`);
  console.log(`load average at start: ${loadavg()[0].toFixed(1)} (timings are wall-clock; other processes inflate them)\n`);

  const shapes = matMulInventory();
  const firstPass = bestRates(shapes, null);
  const fusedMs = timeTrainingSteps(buildModel(fusedLayer), 2, 5);
  const tfjsMs = timeTrainingSteps(buildModel(tfjsLayer), 1, 2);
  console.log('plain tf.matMul at the shapes of one fused training step (best of two passes):');
  const { ceilingMs, flops } = printCeiling(shapes, bestRates(shapes, firstPass));

  console.log(`FusedGRU        ${fusedMs.toFixed(0).padStart(6)} ms/step  ${String(rate(fusedMs)).padStart(6)} sample-timesteps/s  (${(flops / fusedMs / 1e6).toFixed(1)} GFLOP/s achieved)`);
  console.log(`tf.layers.gru   ${tfjsMs.toFixed(0).padStart(6)} ms/step  ${String(rate(tfjsMs)).padStart(6)} sample-timesteps/s  (reset_before variant, tfjs defaults)\n`);
  const speedup = tfjsMs / fusedMs;
  const ofCeiling = ceilingMs / fusedMs;
  console.log(`speed-up vs tf.layers.gru: ${speedup.toFixed(1)}x (target >= 5x: ${speedup >= 5 ? 'met' : 'NOT met'})`);
  console.log(`fraction of matMul ceiling: ${(100 * ofCeiling).toFixed(0)}% (target >= 40%: ${ofCeiling >= 0.4 ? 'met' : 'NOT met'})`);
  console.log(`load average at end: ${loadavg()[0].toFixed(1)}`);
}

await main();
