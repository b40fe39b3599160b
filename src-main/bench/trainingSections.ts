/**
 * `npm run bench -- steps` and `npm run bench -- paper`: the training figures. Each measuring
 * process is jobTimings.ts (a backend and its threads are chosen once per process); this
 * module starts them, then prints their figures side by side or projects the sweep from them.
 */
import { execFile } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { freeCores } from '@shared/training/coreShares';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BackendInfo } from '@shared/api/entities';
import { assignSplit } from '@shared/data/splits';
import { experimentPlan } from '@shared/experiments/presets';
import { EMOTIONS, FEATURE_COUNT } from '@shared/emotions';
import { FULL_BUILTIN } from '../data/synthetic';
import { BACKEND_LABELS } from '../training/backend';
import { CHECKPOINT_EVERY_CPU_SECONDS } from '../training/model/checkpoint';
import { defaultWorkers } from '../training/trainingService';
import { openBenchData } from './benchData';
import { ROUNDS, type JobFigures, type Stat, type StepsFigures } from './jobTimings';
import { projectSweep, type StepTimes } from './sweepProjection';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Report<F> {
  backend: BackendInfo;
  threads: number | null;
  load: [number, number];
  figures: F;
}

/** Runs jobTimings.ts in a process of its own; its progress goes to our stderr. */
async function measure<F>(mode: 'steps' | 'jobs', threads: number, workDir: string): Promise<Report<F>> {
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'src-main/bench/jobTimings.ts'), mode, String(threads), workDir], {
    cwd: ROOT,
    maxBuffer: 16 * 2 ** 20,
    timeout: 3 * 3600_000,
  });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Report<F>;
}

export function machine(): string {
  const [cpu] = cpus();
  return `${availableParallelism()} cores (${cpu?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GB`;
}

function backendLine(b: BackendInfo): string {
  const threads = b.threads ? `, XNNPACK threads up to ${b.threads.max}` : '';
  const gpu = b.gpu ? ` on ${b.gpu.name}` : '';
  return `${BACKEND_LABELS[b.name]}${gpu}${threads} (tfjs ${b.tfjsVersion}; ${b.recurrent?.why ?? 'fused GRU'})`;
}

const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
const stat = (s: Stat) => `${ms(s.median)} (${Math.round(s.min)}-${Math.round(s.max)})`;
const loads = (rs: Array<Report<unknown>>) => rs.map((r) => `${r.load[0].toFixed(1)}-${r.load[1].toFixed(1)}`).join(', ');

/** The three job kinds' steps, ours against tf.layers and the matMul ceiling, at 1 and N threads side by side. */
export async function stepsSection(workDir: string, threads: number): Promise<void> {
  (await openBenchData(workDir)).close();
  const one = await measure<StepsFigures>('steps', 1, workDir);
  const many = one.backend.threads && threads > 1 ? await measure<StepsFigures>('steps', threads, workDir) : null;
  const reports = many ? [one, many] : [one];
  const plan = experimentPlan('paper');
  const { maxFrames: T } = plan.pretrain.sequence;
  const B = plan.pretrain.batchSize;
  console.log(`  machine: ${machine()}; backend: ${backendLine(one.backend)}`);
  console.log(`  paper configuration: 2 x GRU(256) returning sequences, Dense(74) per step, T = ${T}, batch ${B}; pre-training masks one 30-step span at -30, loss on every real step`);
  console.log(`  batches from ${openBenchSummary()}; median of ${one.figures.pretrain.ours.n} timed steps after ${ROUNDS.warmUp} warm-ups (min-max); load average ${loads(reports)}`);
  if (!many) console.log(`  (${one.backend.threads ? 'only 1 thread asked for' : `${BACKEND_LABELS[one.backend.name]} is not multi-threaded WASM`}: one column)`);
  const columns = reports.map((r) => `${r.threads ?? 1} thread${(r.threads ?? 1) > 1 ? 's' : ''}`);
  const row = (label: string, values: string[]) => console.log(`  ${label.padEnd(44)}${values.map((v) => v.padEnd(30)).join('')}`);
  row('', columns);
  const rate = (s: Stat) => `${Math.round((B * T) / (s.median / 1000)).toLocaleString('en-US')} sample-timesteps/s`;
  for (const kind of ['pretrain', 'baseline'] as const) {
    row(kind === 'pretrain' ? 'pre-training step (pretrainStep)' : 'baseline step (baselineStep)', reports.map((r) => stat(r.figures[kind].ours)));
    row('  training speed', reports.map((r) => rate(r.figures[kind].ours)));
    row('  tf.layers, same network and loss', reports.map((r) => stat(r.figures[kind].layers)));
    row('  speed-up over tf.layers', reports.map((r) => `${(r.figures[kind].layers.median / r.figures[kind].ours.median).toFixed(1)}x`));
    row(`  matMul-only ceiling (${one.figures[kind].gflop.toFixed(1)} GFLOP)`, reports.map((r) => `${ms(r.figures[kind].ceilingMs)}: step at ${((100 * r.figures[kind].ceilingMs) / r.figures[kind].ours.median).toFixed(0)}%`));
  }
  const labels = one.figures.finetune.labels;
  row(`fine-tune epoch, ${labels} labels (finetuneStep)`, reports.map((r) => stat(r.figures.finetune.ours)));
  row('  tf.layers Dense(6)', reports.map((r) => stat(r.figures.finetune.layers)));
  if (many) {
    const speed = (kind: 'pretrain' | 'baseline') => (one.figures[kind].ours.median / many.figures[kind].ours.median).toFixed(2);
    console.log(`  speed on ${many.threads} threads relative to 1 (above 1: faster): pre-training step ${speed('pretrain')}, baseline step ${speed('baseline')}`);
    if (Math.max(...reports.map((r) => r.load[0])) >= availableParallelism()) {
      console.log('  (other programs kept every core busy: threads then wait for each other, which is why the pool gives none on a busy machine)');
    }
  }
}

function openBenchSummary(): string {
  return `a 1,600-segment dataset generated like the full-size built-in one (clips of 150-600 frames, the jobs' own sources and masking)`;
}

/** Median of the medians measured by several processes (running side by side). */
function pooled(reports: Array<Report<JobFigures>>, pick: (f: JobFigures) => number): number {
  const values = reports.map((r) => pick(r.figures)).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

/** Seconds per step of each kind, by wall-clock time, or (`cpu`) by the CPU time the process used. */
function stepTimes(reports: Array<Report<JobFigures>>, clock: 'wall' | 'cpu' = 'wall'): StepTimes {
  const s = (pick: (f: JobFigures) => Stat) => pooled(reports, (f) => (clock === 'wall' ? pick(f).median : pick(f).cpuMedian)) / 1000;
  const sizes = (pick: (f: JobFigures) => Record<number, Stat>) => Object.fromEntries(Object.keys(pick(reports[0].figures)).map((k) => [Number(k), s((f) => pick(f)[Number(k)])]));
  return {
    threads: reports[0].threads ?? 1,
    pretrainStep: s((f) => f.pretrainStep),
    pretrainValidationBatch: s((f) => f.pretrainValidation),
    baselineStep: sizes((f) => f.baselineStep),
    inferenceBatch: s((f) => f.inference),
    finetuneEpoch: sizes((f) => f.finetuneEpoch),
    readBatch: s((f) => f.readBatch),
    statisticsPerSegment: pooled(reports, (f) => f.statisticsPerSegment) / 1000,
    checkpointWrite: { resumable: s((f) => f.checkpointWrite.resumable), final: s((f) => f.checkpointWrite.final) },
  };
}

/** The paper preset's wall time and disk on this backend and pool, projected from measured times of each job kind. */
export async function paperSection(workDir: string, workers: number | undefined): Promise<void> {
  (await openBenchData(workDir)).close();
  const cores = availableParallelism();
  // A lone run gets the cores other programs leave free, as the pool gives them (freeCores).
  const loadBefore = loadavg()[0];
  const aloneThreads = Math.min(8, freeCores(cores, loadBefore, 0));
  process.stderr.write(`Measuring one process alone, with ${aloneThreads} thread${aloneThreads > 1 ? 's' : ''}…\n`);
  const aloneReport = await measure<JobFigures>('jobs', aloneThreads, workDir);
  const pool = workers ?? defaultWorkers(aloneReport.backend, cores);
  const sideThreads = Math.max(1, Math.floor(cores / pool));
  process.stderr.write(`Measuring ${pool} processes side by side, ${sideThreads} thread${sideThreads > 1 ? 's' : ''} each…\n`);
  const sideReports = pool > 1 ? await Promise.all(Array.from({ length: pool }, () => measure<JobFigures>('jobs', sideThreads, workDir))) : [aloneReport];
  const side = stepTimes(sideReports);
  const alone = stepTimes([aloneReport]);

  const plan = experimentPlan('paper');
  // The split's sizes as the app draws them for a dataset of this many segments (videos of 7).
  const ids = Array.from({ length: FULL_BUILTIN.segments }, (_, i) => ({ id: `v${Math.floor(i / FULL_BUILTIN.segmentsPerVideo)}[${i}]`, video: `v${Math.floor(i / FULL_BUILTIN.segmentsPerVideo)}` }));
  const assigned = assignSplit(ids, plan.pretrain.split);
  const split = { train: assigned.train.length, validation: assigned.validation.length, test: assigned.test?.length ?? 0 };
  const shape = {
    trainSegments: split.train,
    validationSegments: split.validation,
    batchSize: plan.pretrain.batchSize,
    pretrainEpochs: plan.pretrain.epochs,
    pretrainValidatesEachEpoch: plan.pretrain.validation === 'each-epoch',
    supervisedEpochs: plan.supervised.epochs,
    supervisedValidatesEachEpoch: plan.supervised.validation === 'each-epoch',
    labelCounts: plan.labelCounts,
    repeats: plan.repeats,
  };
  const bytes = aloneReport.figures.checkpointBytes;
  // A supervised run stores its predictions of every evaluated segment: six float32 and an int32 index.
  const storedPredictions = (split.validation + split.test) * (EMOTIONS.length * 4 + 4);
  const sizes = { ...bytes, encoderCache: FULL_BUILTIN.segments * FEATURE_COUNT * 4, storedPredictions };
  // Resumable checkpoints come every 10 minutes of a training process's CPU time: what the sweep
  // writes follows the steps' CPU times (side by side and alone), whatever the wall times.
  const sideCpu = stepTimes(sideReports, 'cpu');
  const checkpointClock = { everyCpuSeconds: CHECKPOINT_EVERY_CPU_SECONDS, cpu: [sideCpu, stepTimes([aloneReport], 'cpu')] };
  const p = projectSweep(shape, side, alone, sizes, { processes: pool, cores: Math.max(aloneThreads, pool * sideThreads), ...checkpointClock });
  // On a busy machine: the same, timing each single-threaded step by the CPU time it used (what it
  // takes with a core to itself), and a lone run no faster than one beside another (no thread gain).
  const sideCpuOk = sideCpu.threads === 1;
  const quiet = sideCpuOk ? projectSweep(shape, sideCpu, sideCpu, sizes, { processes: pool, cores, ...checkpointClock }) : null;

  const h = (s: number) => `${(s / 3600).toFixed(1)} h`;
  const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
  const row = (label: string, value: string) => console.log(`    ${label.padEnd(58)} ${value}`);
  console.log(`  machine: ${machine()}; backend: ${backendLine(aloneReport.backend)}; load average ${loads([aloneReport, ...(pool > 1 ? sideReports : [])])}`);
  console.log(`  the paper preset on CMU-MOSEI's size (${FULL_BUILTIN.segments.toLocaleString('en-US')} segments: ${split.train.toLocaleString('en-US')} training, ${split.validation.toLocaleString('en-US')} validation), ${p.runs.baseline} baselines and ${p.runs.finetune} fine-tunes`);
  console.log(`  pool: ${pool} training process${pool > 1 ? 'es' : ''} on ${cores} cores; runs side by side at ${sideThreads} thread${sideThreads > 1 ? 's' : ''} each, a lone run at ${alone.threads}`);
  if (aloneThreads < Math.min(cores, 8)) console.log(`  (other programs keep this machine busy, load average ${loadBefore.toFixed(1)}: the pool gives a lone run ${aloneThreads} thread${aloneThreads > 1 ? 's' : ''}, as projected here)`);
  console.log(`  measured (side by side / alone; medians of ${ROUNDS.timed} after ${ROUNDS.warmUp} warm-ups, checkpoint writes of ${ROUNDS.checkpointTimed} after ${ROUNDS.checkpointWarmUp}):`);
  const pair = (a: number, b: number, unit = 's') => `${a.toFixed(2)} / ${b.toFixed(2)} ${unit}`;
  row('pre-training step (32 clips)', pair(side.pretrainStep, alone.pretrainStep));
  row('pre-training validation batch', pair(side.pretrainValidationBatch, alone.pretrainValidationBatch));
  row('baseline step, 32 / 20 rows', `${side.baselineStep[32].toFixed(2)} / ${side.baselineStep[20].toFixed(2)} s side by side, ${alone.baselineStep[32].toFixed(2)} / ${alone.baselineStep[20].toFixed(2)} s alone`);
  row('inference batch (validation, encoding)', pair(side.inferenceBatch, alone.inferenceBatch));
  row('fine-tune epoch, 1200 / 20 labels', `${(1000 * side.finetuneEpoch[1200]).toFixed(0)} / ${(1000 * side.finetuneEpoch[20]).toFixed(0)} ms`);
  row('reading and masking a batch; standardisation per segment', `${(1000 * side.readBatch).toFixed(1)} ms; ${(1000 * side.statisticsPerSegment).toFixed(2)} ms`);
  row('peak memory of a training process, side by side / alone', `${pooled(sideReports, (f) => f.peakMemoryMb).toFixed(0)} / ${aloneReport.figures.peakMemoryMb.toFixed(0)} MB`);
  row('checkpoint write, resumable / final', `${(1000 * side.checkpointWrite.resumable).toFixed(0)} / ${(1000 * side.checkpointWrite.final).toFixed(0)} ms (${(bytes.baselineResumable / 1e6).toFixed(1)} / ${(bytes.baselineFinal / 1e6).toFixed(1)} MB)`);
  console.log('  projected:');
  const w = p.work;
  const sum = (k: 'training' | 'validation' | 'io') => w.pretrain[k] + w.baseline[k] + w.finetune[k];
  row('wall time', h(p.wallSeconds));
  row('  pre-training (steps; ends at)', `${h(w.pretrain.training)}; ${h(p.ends.pretrain)}`);
  row(`  ${p.runs.baseline} baselines (steps; last ends at)`, `${h(w.baseline.training)}; ${h(p.ends.baseline)}`);
  row(`  ${p.runs.finetune} fine-tunes (epochs on cached outputs; last ends at)`, `${h(w.finetune.training)}; ${h(p.ends.finetune)}`);
  row('  validation (pre-training each epoch, baselines at the end, encoding)', h(sum('validation')));
  row('  I/O (reading batches, standardisation, checkpoints)', h(sum('io')));
  row('  process time in all / cores x wall time', `${h(sum('training') + sum('validation') + sum('io'))} / ${h(cores * p.wallSeconds)}`);
  if (quiet) row('wall time from CPU time (a quiet machine, no thread gain)', h(quiet.wallSeconds));
  row(`disk written by the sweep (${p.resumableCheckpoints} resumable checkpoints, every ${CHECKPOINT_EVERY_CPU_SECONDS / 60} min of CPU time)`, gb(p.bytesWritten));
  row('disk kept once done (final weights, encoder outputs, stored predictions)', gb(p.bytesKept));
  row('  of which stored predictions (in the run store)', gb(p.bytesPredictions));
  console.log('  (the dataset itself, about 2.6 GB at this size, and the run store\'s other records are not counted)');
}
