/**
 * Training figures, in a process of their own (`--import tsx`):
 *   finetune  all fine-tunes of the paper's sweep (18 label counts x 3 repeats, 30 epochs)
 *             on cached encoder outputs: total seconds, and the one-off encoding pass;
 *   memory    peak memory of pre-training the paper's model on the full-size built-in
 *             dataset: the first batches of an epoch (memory holds one batch, so the peak is
 *             reached at once) and the epoch's projected duration.
 */
import { PAPER_LABEL_COUNTS } from '@shared/experiments/presets';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';
import { assignSplit } from '@shared/data/splits';
import { paperTrainConfig } from '@shared/model/presets';
import { datasetExists, readIndex, writeDataset } from '../data/datasetFiles';
import { FULL_BUILTIN, generateSynthetic, type SyntheticParams } from '../data/synthetic';
import { chooseBackend } from '../training/backend';
import { JobCancelled, type JobHooks } from '../training/jobs/loop';
import { runPretrain } from '../training/jobs/pretrain';
import { runFinetune } from '../training/jobs/supervised';

const LABEL_COUNTS = PAPER_LABEL_COUNTS;
const REPEATS = 3;

async function ensureDataset(dataDir: string, id: string, params: SyntheticParams): Promise<void> {
  if (datasetExists(dataDir, id)) return;
  process.stderr.write(`Generating ${params.segments} synthetic segments (kept in ${dataDir} for later runs)…\n`);
  await writeDataset(dataDir, id, generateSynthetic(params));
}

function jobFor(dataDir: string, datasetId: string, runId: number, kind: TrainerJob['kind'], config: TrainConfig, parentRunDir: string | null = null): TrainerJob {
  const { segments } = readIndex(dataDir, datasetId);
  const split = assignSplit(segments, config.split);
  return { runId, kind, dataDir, datasetId, config, runDir: join(dataDir, 'runs', `${kind}-${runId}`), parentRunDir, split: { train: split.train, validation: split.validation, test: split.test ?? [] } };
}

const quietHooks = (stopAfterBatches = Infinity): JobHooks & { batches: number; batchTimes: number[] } => {
  const h = {
    batches: 0,
    batchTimes: [] as number[],
    progress: () => {
      h.batches++;
      h.batchTimes.push(performance.now());
    },
    epoch: () => undefined,
    isCancelled: () => h.batches >= stopAfterBatches,
  };
  return h;
};

async function finetuneSweep(workDir: string): Promise<void> {
  const dataDir = join(workDir, 'finetune');
  // 6,000 segments: a validation split of 1,200 and enough training segments for 1,200 labels.
  await ensureDataset(dataDir, 'sweep', { seed: 5, segments: 6000, segmentsPerVideo: 7, minFrames: 60, maxFrames: 120 });
  const paper = paperTrainConfig();
  const config: TrainConfig = { ...paper, epochs: 1, model: { ...paper.model, hiddenUnits: 32 }, sequence: { ...paper.sequence, maxFrames: 50 } };
  const pre = jobFor(dataDir, 'sweep', 1, 'pretrain', config);
  rmSync(join(dataDir, 'runs'), { recursive: true, force: true });
  await runPretrain(pre, quietHooks());
  let started = performance.now();
  await runFinetune(jobFor(dataDir, 'sweep', 0, 'finetune', { ...config, epochs: 1, labels: { count: 20, seed: 0 } }, pre.runDir), quietHooks());
  const encodeSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  let runs = 0;
  for (const count of LABEL_COUNTS) {
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      await runFinetune(jobFor(dataDir, 'sweep', ++runs, 'finetune', { ...config, epochs: 30, labels: { count, seed: repeat } }, pre.runDir), quietHooks());
    }
  }
  const total = (performance.now() - started) / 1000;
  console.log(`  encoder outputs cached once (6,000 segments)   ${encodeSeconds.toFixed(2)} s`);
  console.log(`  sweep fine-tunes (${LABEL_COUNTS.length} label counts x ${REPEATS} repeats, 30 epochs each)`);
  console.log(`    total                                        ${total.toFixed(2)} s`);
  console.log(`    per fine-tune                                ${((1000 * total) / runs).toFixed(0)} ms`);
  console.log(`    per epoch                                    ${((1000 * total) / runs / 30).toFixed(1)} ms`);
}

async function pretrainMemory(workDir: string): Promise<void> {
  const dataDir = join(workDir, 'full');
  mkdirSync(dataDir, { recursive: true });
  await ensureDataset(dataDir, 'full', FULL_BUILTIN);
  const config = paperTrainConfig();
  const job = jobFor(dataDir, 'full', 1, 'pretrain', config);
  rmSync(job.runDir, { recursive: true, force: true });
  const batches = 6;
  const hooks = quietHooks(batches);
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  await runPretrain(job, hooks).catch((err) => {
    if (!(err instanceof JobCancelled)) throw err;
  });
  const firstBatchAt = hooks.batchTimes[0];
  const setupSeconds = (firstBatchAt - started) / 1000;
  // Time per batch after the first, which also pays for warm-up.
  const perBatch = (hooks.batchTimes.at(-1)! - hooks.batchTimes[0]) / 1000 / (hooks.batchTimes.length - 1);
  const perEpoch = Math.ceil(job.split.train.length / config.batchSize);
  console.log(`  full-size dataset: ${job.split.train.length.toLocaleString('en-US')} training segments, T=${config.sequence.maxFrames}, 2 x GRU(256), batch ${config.batchSize}`);
  console.log(`  RSS before / peak over ${batches} batches       ${rssBefore.toFixed(0)} / ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (tensors: ${tf.memory().numTensors})`);
  console.log(`  standardisation statistics (once per run)      ${setupSeconds.toFixed(1)} s`);
  console.log(`  per batch / projected epoch (${perEpoch} batches) ${perBatch.toFixed(2)} s / ${((perBatch * perEpoch) / 60).toFixed(1)} min on this backend`);
}

const what = process.argv[2];
const workDir = process.argv[3];
const backend = await chooseBackend(process.env.MOSEI_BACKEND);
console.log(`  backend ${backend.name} (${backend.reason})`);
if (!existsSync(workDir)) mkdirSync(workDir, { recursive: true });
if (what === 'finetune') await finetuneSweep(workDir);
else await pretrainMemory(workDir);
