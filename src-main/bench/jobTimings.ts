/**
 * Timings of the training jobs' own steps on the paper's configuration, in a process of its
 * own (a backend and its threads are chosen once per process). Run by `npm run bench`:
 *
 *   node --import tsx src-main/bench/jobTimings.ts steps|jobs THREADS WORK_DIR
 *
 * `steps`: the pre-training step, the baseline step and a fine-tune epoch on cached outputs
 * through the jobs' exported code, against the same network built from tf.layers, and the
 * matMul-only ceiling of each step. `jobs`: what `paper` projects a sweep from: every kind of
 * step and validation batch, reading batches, the standardisation pass and checkpoint writes.
 * Prints progress on stderr and one JSON line on stdout. Figures only, never asserted.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from '@shared/emotions';
import { encoderWeightShapes, headWeightShapes } from '@shared/model/weightShapes';
import { chooseBackend } from '../training/backend';
import { adamOptimizer, statisticsOf } from '../training/jobs/context';
import { maskBatch, pretrainStep, reconstructionLoss } from '../training/jobs/pretrain';
import { baselineStep, finetuneStep } from '../training/jobs/supervised';
import { headInputs, poolTensor } from '../training/jobs/tensors';
import { EmotionHead, Encoder, PaperModel } from '../training/model/paperModel';
import { checkpointBytes, saveCheckpoint } from '../training/model/checkpoint';
import type { SequenceBatch } from '../training/sequences';
import { benchRows, openBenchData, type BenchData } from './benchData';
import { layersEmotionLoss, layersNetwork, layersReconstructionLoss } from './layersModel';
import { matMulCeiling, stepMatMuls } from './matMulCeiling';

/**
 * Milliseconds: the median of the timed calls (after the warm-up ones), with the fastest and
 * slowest; and the median CPU time the process used per call (all its threads together: on a
 * busy machine, what one thread's call would take on a quiet one).
 */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
  cpuMedian: number;
}

/** Calls before timing and calls timed: steps and batches; checkpoint writes (slow to repeat, little spread) fewer. */
export const ROUNDS = { warmUp: 2, timed: 5, checkpointWarmUp: 1, checkpointTimed: 3 } as const;

async function timed(what: string, fn: (i: number) => Promise<unknown>, warmUp: number = ROUNDS.warmUp, times: number = ROUNDS.timed): Promise<Stat> {
  for (let i = 0; i < warmUp; i++) await fn(i);
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await fn(warmUp + i);
    ms.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const middle = Math.floor(ms.length / 2);
  const stat = { median: ms[middle], min: ms[0], max: ms[ms.length - 1], n: ms.length, cpuMedian: cpu[middle] };
  process.stderr.write(`  ${what}: median ${stat.median.toFixed(0)} ms (${stat.min.toFixed(0)}-${stat.max.toFixed(0)})\n`);
  return stat;
}

/** Resolves once a tensor's values are back (a step is over), and frees it. */
async function settle(t: tf.Tensor): Promise<void> {
  await t.data();
  t.dispose();
}

/** The i-th training batch of the paper's size, masked as pre-training masks it. */
function maskedBatch(bench: BenchData, i: number, size = bench.config.batchSize) {
  const rows = benchRows(bench.train, i, size);
  const batch = bench.train.batch(rows);
  return { rows, batch, masked: maskBatch(batch, rows, bench.config.sequence.maxFrames, bench.job, 1 + i) };
}

/** Cached encoder outputs stand-in: the fine-tune step only sees rows of width 74 and their labels. */
function cachedRows(rows: number, seed: number): { inputs: Float32Array; labels: Float32Array } {
  return tf.tidy(() => ({
    inputs: tf.randomNormal([rows, FEATURE_COUNT], 0, 1, 'float32', seed).dataSync() as Float32Array,
    labels: tf.randomUniform([rows, 6], 0, 3, 'float32', seed + 1).dataSync() as Float32Array,
  }));
}

/** One epoch of a fine-tune on `rows` labelled segments: finetuneStep over batches of 32. */
async function finetuneEpoch(step: (inputs: Float32Array, labels: Float32Array) => Promise<unknown>, data: { inputs: Float32Array; labels: Float32Array }, batchSize: number) {
  const rows = data.labels.length / 6;
  for (let start = 0; start < rows; start += batchSize) {
    const end = Math.min(rows, start + batchSize);
    await step(data.inputs.subarray(start * FEATURE_COUNT, end * FEATURE_COUNT), data.labels.subarray(start * 6, end * 6));
  }
}

async function stepsFigures(bench: BenchData) {
  const { config } = bench;
  const T = config.sequence.maxFrames;
  const B = config.batchSize;
  const { hiddenUnits: H, gruLayers: L } = config.model;

  // Pre-training: the jobs' step, then the tf.layers network on the same masked batches.
  const encoder = Encoder.initial(config.model, 1, config.initialisation);
  let optimizer = adamOptimizer(config);
  const pretrainOurs = await timed('pre-training step, jobs code', (i) => {
    const { batch, masked } = maskedBatch(bench, i);
    return pretrainStep(optimizer, encoder, batch, masked, T);
  });
  optimizer.dispose();
  encoder.dispose();
  const net = layersNetwork(T, H, L);
  optimizer = adamOptimizer(config);
  const pretrainLayers = await timed('pre-training step, tf.layers', (i) => {
    const { batch, masked } = maskedBatch(bench, i);
    const x = tf.tensor3d(masked.x, [B, T, FEATURE_COUNT]);
    const target = tf.tensor3d(batch.x, [B, T, FEATURE_COUNT]);
    const w = tf.tensor2d(masked.weights, [B, T]);
    const loss = optimizer.minimize(() => layersReconstructionLoss(net, x, target, w), true, net.variables(false))!;
    return settle(loss).finally(() => tf.dispose([x, target, w]));
  });
  optimizer.dispose();

  // Baseline: the whole network on labelled batches.
  const model = PaperModel.initial(config.model, 1, config.initialisation);
  optimizer = adamOptimizer(config);
  const baselineOurs = await timed('baseline step, jobs code', (i) => baselineStep(optimizer, model, bench.train.batch(benchRows(bench.train, i, B)), T));
  optimizer.dispose();
  model.dispose();
  optimizer = adamOptimizer(config);
  const baselineLayers = await timed('baseline step, tf.layers', (i) => {
    const batch = bench.train.batch(benchRows(bench.train, i, B));
    const x = tf.tensor3d(batch.x, [B, T, FEATURE_COUNT]);
    const pool = poolTensor(batch, T, config.model.pooling);
    const y = tf.tensor2d(batch.y, [B, 6]);
    const loss = optimizer.minimize(() => layersEmotionLoss(net, x, pool, y), true, net.variables(true))!;
    return settle(loss).finally(() => tf.dispose([x, pool, y]));
  });
  optimizer.dispose();

  // A fine-tune epoch of the paper's largest sample on cached encoder outputs.
  const labels = 1200;
  const cached = cachedRows(labels, 5);
  const head = EmotionHead.initial(config.model, 1);
  optimizer = adamOptimizer(config);
  const finetuneOurs = await timed(`fine-tune epoch (${labels} labels), jobs code`, () =>
    finetuneEpoch((inputs, y) => finetuneStep(optimizer, head, inputs, y, FEATURE_COUNT), cached, B),
  );
  optimizer.dispose();
  head.dispose();
  optimizer = adamOptimizer(config);
  const finetuneLayers = await timed(`fine-tune epoch (${labels} labels), tf.layers`, () =>
    finetuneEpoch(async (inputs, y) => {
      const rows = y.length / 6;
      const x = tf.tensor2d(inputs, [rows, FEATURE_COUNT]);
      const t = tf.tensor2d(y, [rows, 6]);
      const headVars = net.head.trainableWeights.map((w) => w.read() as tf.Variable);
      await settle(optimizer.minimize(() => tf.losses.meanSquaredError(t, net.head.apply(x) as tf.Tensor2D) as tf.Scalar, true, headVars)!);
      tf.dispose([x, t]);
    }, cached, B),
  );
  optimizer.dispose();
  net.dispose();

  process.stderr.write('  matMul ceiling…\n');
  const ceiling = await matMulCeiling(stepMatMuls(B, T, H, L));
  return {
    pretrain: { ours: pretrainOurs, layers: pretrainLayers, ceilingMs: ceiling.ms, gflop: ceiling.gflops },
    baseline: { ours: baselineOurs, layers: baselineLayers, ceilingMs: ceiling.ms, gflop: ceiling.gflops },
    finetune: { labels, ours: finetuneOurs, layers: finetuneLayers },
  };
}

async function jobFigures(bench: BenchData, workDir: string) {
  const { config } = bench;
  const T = config.sequence.maxFrames;
  const B = config.batchSize;
  const small = 20;

  const encoder = Encoder.initial(config.model, 1, config.initialisation);
  let optimizer = adamOptimizer(config);
  const pretrainStepStat = await timed('pre-training step', (i) => {
    const { batch, masked } = maskedBatch(bench, i);
    return pretrainStep(optimizer, encoder, batch, masked, T);
  });
  const pretrainValidation = await timed('pre-training validation batch', (i) => {
    const rows = benchRows(bench.validation, i, B);
    const batch = bench.validation.batch(rows);
    return settle(tf.tidy(() => reconstructionLoss(encoder, batch, maskBatch(batch, rows, T, bench.job, 0), T)));
  });
  const checkpointDir = join(workDir, 'checkpoint-probe');
  const encoderVars = encoder.byName(encoder.variables());
  const checkpointResumable = await timed('resumable checkpoint write (weights + Adam)', (i) => saveCheckpoint(checkpointDir, encoderVars, optimizer, { epoch: i + 1 }), ROUNDS.checkpointWarmUp, ROUNDS.checkpointTimed);
  optimizer.dispose();
  encoder.dispose();

  const model = PaperModel.initial(config.model, 1, config.initialisation);
  optimizer = adamOptimizer(config);
  const baselineStep32 = await timed(`baseline step (${B} rows)`, (i) => baselineStep(optimizer, model, bench.train.batch(benchRows(bench.train, i, B)), T));
  const baselineStepSmall = await timed(`baseline step (${small} rows)`, (i) => baselineStep(optimizer, model, bench.train.batch(benchRows(bench.train, i, small)), T));
  const inference = await timed('inference batch (encoder and head)', (i) => {
    const batch: SequenceBatch = bench.validation.batch(benchRows(bench.validation, i, B));
    return settle(tf.tidy(() => model.head.predict(headInputs(model.encoder, batch, T))));
  });
  const modelVars = model.byName(model.variables());
  const checkpointFinal = await timed('final weights write', (i) => saveCheckpoint(checkpointDir, modelVars, null, { epoch: i + 1 }), ROUNDS.checkpointWarmUp, ROUNDS.checkpointTimed);
  optimizer.dispose();
  model.dispose();
  rmSync(workDir, { recursive: true, force: true });

  const head = EmotionHead.initial(config.model, 2);
  const finetune: Record<number, Stat> = {};
  for (const rows of [1200, small]) {
    const cached = cachedRows(rows, rows);
    optimizer = adamOptimizer(config);
    finetune[rows] = await timed(`fine-tune epoch (${rows} labels)`, () => finetuneEpoch((inputs, y) => finetuneStep(optimizer, head, inputs, y, FEATURE_COUNT), cached, B));
    optimizer.dispose();
  }
  head.dispose();

  const readBatch = await timed('reading and masking a batch', async (i) => maskedBatch(bench, i));
  const statsSegments = Math.min(400, bench.train.length);
  const started = performance.now();
  statisticsOf({ ...bench.data, train: bench.data.train.slice(0, statsSegments) }, bench.job);
  const statisticsPerSegment = (performance.now() - started) / statsSegments;

  const parameters = (shapes: Array<{ shape: number[] }>) => shapes.reduce((sum, s) => sum + s.shape.reduce((n, d) => n * d, 1), 0);
  const encoderParameters = parameters(encoderWeightShapes(config.model));
  const headParameters = parameters(headWeightShapes(config.model));
  return {
    pretrainStep: pretrainStepStat,
    pretrainValidation,
    baselineStep: { [B]: baselineStep32, [small]: baselineStepSmall },
    inference,
    finetuneEpoch: finetune,
    readBatch,
    statisticsPerSegment,
    checkpointWrite: { resumable: checkpointResumable, final: checkpointFinal },
    /** Peak resident memory of this training process, MB. */
    peakMemoryMb: process.resourceUsage().maxRSS / 1024,
    parameters: { encoder: encoderParameters, head: headParameters },
    checkpointBytes: {
      pretrainResumable: checkpointBytes(encoderParameters, true),
      pretrainFinal: checkpointBytes(encoderParameters, false),
      baselineResumable: checkpointBytes(encoderParameters + headParameters, true),
      baselineFinal: checkpointBytes(encoderParameters + headParameters, false),
      finetuneFinal: checkpointBytes(headParameters, false),
    },
  };
}

export type StepsFigures = Awaited<ReturnType<typeof stepsFigures>>;
export type JobFigures = Awaited<ReturnType<typeof jobFigures>>;

async function main(): Promise<void> {
  const [mode, threadsArg, workDir] = process.argv.slice(2);
  const threads = Number(threadsArg);
  const loadBefore = loadavg()[0];
  const backend = await chooseBackend(process.env.MOSEI_BACKEND, { wasmThreads: threads, wasmScriptDir: join(workDir, 'wasm-threads') });
  process.stderr.write(`[${mode}, ${backend.threads ? `${backend.threads.current} thread${backend.threads.current > 1 ? 's' : ''}` : backend.name}] load average ${loadBefore.toFixed(1)}\n`);
  const bench = await openBenchData(workDir);
  try {
    const figures = mode === 'steps' ? await stepsFigures(bench) : await jobFigures(bench, join(workDir, `probe-${process.pid}`));
    const report = JSON.stringify({ backend, threads: backend.threads?.current ?? null, load: [loadBefore, loadavg()[0]], figures });
    process.stdout.write(`${report}\n`, () => process.exit(0));
  } finally {
    bench.close();
  }
}

if (process.argv[1]?.endsWith('jobTimings.ts')) {
  // One readable line on failure (the threaded build's own handler would print its minified source).
  await main().catch((err: unknown) => {
    process.stderr.write(`jobTimings failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`, () => process.exit(1));
  });
}
