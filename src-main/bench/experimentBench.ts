/**
 * Experiment figures (`--import tsx`): the quick preset's wall time on the positive control
 * (real training processes, as the app runs it), and the paper preset's projected time on
 * the full-size built-in dataset from measured batch times of the paper's model.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { FEATURE_COUNT } from '@shared/emotions';
import { POSITIVE_CONTROL_ID } from '@shared/data/controls';
import { experimentPlan, PAPER_LABEL_COUNTS, supervisedConfig } from '@shared/experiments/presets';
import { FULL_BUILTIN } from '../data/synthetic';
import { chooseBackend } from '../training/backend';
import { defaultWorkers } from '../training/trainingService';
import { openHeadless } from '../cli/headless';
import { adamOptimizer } from '../training/jobs/context';
import { Encoder } from '../training/model/paperModel';

/** The quick preset from scratch with `workers` training processes: seconds and jobs per minute. */
async function quickPresetWallTime(workDir: string, workers: number): Promise<number> {
  const dataDir = join(workDir, `quick-experiment-${workers}`);
  rmSync(dataDir, { recursive: true, force: true });
  const headless = await openHeadless(dataDir, workers);
  const { events, experiments } = headless;
  // The bench process plays main here: how long its event loop stalls while every training process is busy.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  const done = new Promise<string>((resolve) => events.subscribe((name, p) => name === 'experiment.status' && resolve((p as { status: string }).status)));
  const { runsTotal } = experiments.start({ datasetId: POSITIVE_CONTROL_ID, preset: 'quick' });
  const status = await done;
  headless.close();
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  console.log(`  quick preset, ${workers} training process${workers > 1 ? 'es' : ''}: ${status}, 1 pre-training + ${runsTotal} runs in ${seconds.toFixed(0)} s (${(((runsTotal + 1) / seconds) * 60).toFixed(1)} jobs/min)`);
  console.log(`    main's event loop meanwhile: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`);
  return seconds;
}

/** The quick preset's baseline arm alone (8 runs, no dependencies) with `workers` processes. */
async function baselineArm(workDir: string, workers: number): Promise<number> {
  const dataDir = join(workDir, `baseline-arm-${workers}`);
  rmSync(dataDir, { recursive: true, force: true });
  const headless = await openHeadless(dataDir, workers);
  const plan = experimentPlan('quick');
  const ids = new Set<number>();
  const started = performance.now();
  const done = new Promise<void>((resolve) =>
    headless.events.subscribe((name, p) => {
      const s = p as { runId: number; status: string };
      if (name === 'run.status' && s.status === 'done' && ids.delete(s.runId) && ids.size === 0) resolve();
    }),
  );
  for (const n of plan.labelCounts) {
    for (let r = 0; r < plan.repeats; r++) ids.add(headless.training.start({ datasetId: POSITIVE_CONTROL_ID, kind: 'baseline', config: supervisedConfig(plan, n, r) }).id);
  }
  const jobs = ids.size;
  await done;
  const seconds = (performance.now() - started) / 1000;
  headless.close();
  console.log(`  baseline arm (${jobs} runs), ${workers} process${workers > 1 ? 'es' : ''}: ${seconds.toFixed(0)} s (${((jobs / seconds) * 60).toFixed(1)} jobs/min)`);
  return seconds;
}

/** Median seconds of `fn` over a few calls after one warm-up. */
async function timeIt(fn: () => Promise<void>, times = 3): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < times; i++) {
    const s = performance.now();
    await fn();
    t.push((performance.now() - s) / 1000);
  }
  return t.sort((a, b) => a - b)[Math.floor(times / 2)];
}

async function paperProjection(): Promise<void> {
  const plan = experimentPlan('paper');
  const { maxFrames: T } = plan.pretrain.sequence;
  const B = plan.pretrain.batchSize;
  const encoder = Encoder.initial(plan.pretrain.model, 1, plan.pretrain.initialisation);
  const optimizer = adamOptimizer(plan.pretrain);
  const x = tf.randomNormal([B, T, FEATURE_COUNT]) as tf.Tensor3D;
  const mask = tf.ones([B, T]) as tf.Tensor2D;
  const trainBatch = await timeIt(async () => {
    const loss = optimizer.minimize(() => tf.mean(tf.square(encoder.encode(x, mask).reconstruction)) as tf.Scalar, true, encoder.variables())!;
    await loss.data();
    loss.dispose();
  });
  const inferBatch = await timeIt(async () => {
    const out = tf.tidy(() => encoder.encode(x, mask).reconstruction);
    await out.data();
    out.dispose();
  });
  const segments = FULL_BUILTIN.segments;
  const val = Math.round(segments * plan.pretrain.split.validationFraction);
  const train = segments - val;
  const batches = (n: number) => Math.ceil(n / B);
  const pretrain = plan.pretrain.epochs * (batches(train) * trainBatch + batches(val) * inferBatch);
  const validations = plan.supervised.validation === 'final' ? 1 : plan.supervised.epochs;
  const baselines = PAPER_LABEL_COUNTS.reduce((s, n) => s + plan.repeats * (plan.supervised.epochs * batches(n) * trainBatch + validations * batches(val) * inferBatch), 0);
  const encoding = batches(segments) * inferBatch;
  const h = (s: number) => `${(s / 3600).toFixed(1)} h`;
  console.log(`  paper model, batch ${B}, T=${T}: ${trainBatch.toFixed(2)} s per training batch, ${inferBatch.toFixed(2)} s per inference batch`);
  console.log(`  projected paper preset on the full-size built-in dataset (${train} train / ${val} validation), one training process:`);
  const row = (what: string, value: string) => console.log(`    ${what.padEnd(52)} ${value}`);
  row(`pre-training, ${plan.pretrain.epochs} epochs`, h(pretrain));
  row('encoder outputs for the fine-tunes, once', h(encoding));
  row(`${PAPER_LABEL_COUNTS.length * plan.repeats} baselines (30 epochs, validation ${plan.supervised.validation === 'final' ? 'at the end' : 'every epoch'})`, h(baselines));
  row(`${PAPER_LABEL_COUNTS.length * plan.repeats} fine-tunes on cached outputs`, 'under a minute (see the sweep fine-tune figures)');
  row('total', h(pretrain + encoding + baselines));
}

const workDir = process.argv[2];
mkdirSync(workDir, { recursive: true });
const backend = await chooseBackend(process.env.MOSEI_BACKEND);
console.log(`  backend ${backend.name} (${backend.reason})`);
const defaultPool = defaultWorkers(backend.name);
const armOne = await baselineArm(workDir, 1);
const armTwo = await baselineArm(workDir, 2);
console.log(`  baseline arm speed-up with 2 processes: ${(armOne / armTwo).toFixed(2)}x`);
const one = await quickPresetWallTime(workDir, 1);
const two = await quickPresetWallTime(workDir, 2);
console.log(`  speed-up with 2 processes: ${(one / two).toFixed(2)}x`);
if (defaultPool !== 1 && defaultPool !== 2) console.log(`  speed-up with the default ${defaultPool}: ${(one / (await quickPresetWallTime(workDir, defaultPool))).toFixed(2)}x`);
else console.log(`  the default pool on this machine is ${defaultPool} (one per core on ${backend.name})`);
await paperProjection();
