/**
 * Run history figures (`--import tsx`, argument: a work folder): a store filled with 10,000
 * runs shaped like real sweeps (pre-training with masking variants, then fine-tunes and
 * baselines per label count and repeat, epochs and ~50 metrics each, some tags and notes),
 * then the median time of the history's requests on it. Figures only, never asserted.
 * The store is deleted afterwards unless KEEP_HISTORY_BENCH is set (to EXPLAIN against it).
 */
import type Database from 'better-sqlite3';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricRecord, RunKind, TrainConfig } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { experimentPlan, PAPER_LABEL_COUNTS } from '@shared/experiments/presets';
import { RunQuery, type RunQueryInput } from '@shared/history/query';
import { paperTrainConfig } from '@shared/model/presets';
import { DATABASE_FILE, openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { ExperimentRepository } from '../store/experiments';
import { RunHistory } from '../store/runHistory';
import { RunRepository } from '../store/runs';
import { Rng } from '@shared/random';

const RUNS = 10_000;
const REPEATS = 9;
const SLOW_MS = 100;

/** Deterministic, so every bench run measures the same store. */
const rng = new Rng(20240607);
const rand = () => rng.next();
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const chance = (p: number) => rand() < p;

const TAGS = ['paper', 'ablation', 'sanity', 'keep', 'lr-sweep', 'bad-split', 'v2', 'span-study', 'rerun'];
const NOTES = [
  'loss diverged after epoch 4, lr too high',
  'matches the paper within noise',
  'validation curve flat; check the split',
  'rerun with the fixed padding',
  'best so far on fear',
  'cancelled: wrong dataset',
];
/** The per-emotion metric names the evaluation stores (see training/evaluation.ts): 2 + 6 x 8 = 50 rows. */
const PER_EMOTION = ['mae', 'acc4', 'f1Binary', 'f1Weighted', 'weightedAccuracy', 'binaryAccuracy', 'f1FourClassMicro', 'f1FourClassMacro'];

function metrics(labelCount: number, ssl: boolean): MetricRecord[] {
  // More labels, lower error; pre-trained encoders a little better with few labels.
  const mae = 0.55 - 0.05 * Math.log10(labelCount) - (ssl ? 0.02 : 0) + (rand() - 0.5) * 0.04;
  const records: MetricRecord[] = [
    { scope: 'overall', name: 'mae', value: mae },
    { scope: 'overall', name: 'acc4', value: 0.3 + rand() * 0.2 },
  ];
  for (const emotion of EMOTIONS) for (const name of PER_EMOTION) records.push({ scope: emotion, name, value: name === 'mae' ? mae + (rand() - 0.5) * 0.1 : rand() });
  return records;
}

interface Filled {
  runs: number;
  epochs: number;
  metrics: number;
  experiments: number;
  seconds: number;
}

/** Sweeps until RUNS runs exist, in one transaction, through the repositories the app writes with. */
function fill(db: Database.Database): Filled {
  const started = performance.now();
  new DatasetRepository(db).insert({ id: 'bench', name: 'bench dataset', source: 'synthetic', segments: 23_000, videos: 3_200, frames: 0, features: 74, nonFiniteReplaced: 0, fingerprint: 'bench', params: {} });
  const runs = new RunRepository(db);
  const history = new RunHistory(db);
  const experiments = new ExperimentRepository(db);
  const base = paperTrainConfig();
  const plan = experimentPlan('quick');
  // Runs start over a year, oldest first, so dates and durations vary as in a long-used store.
  const yearAgo = Date.now() - 365 * 86_400_000;
  const setTimes = db.prepare('UPDATE runs SET created_at = ?, started_at = ?, finished_at = ? WHERE id = ?');
  let count = 0;
  let epochRows = 0;
  let metricRows = 0;
  let experimentCount = 0;

  const addRun = (name: string, kind: RunKind, config: TrainConfig, parentRunId: number | null, experiment: { id: number; repeat: number | null } | null) => {
    const run = runs.create({ name, kind, datasetId: 'bench', parentRunId, config, splitId: null, experiment: experiment ?? undefined });
    runs.markRunning(run.id, pick(['tensorflow', 'wasm', 'wasm', 'cpu'] as const), 'bench');
    const outcome = rand();
    const status = outcome < 0.9 ? 'done' : outcome < 0.96 ? 'failed' : 'cancelled';
    const epochs = status === 'done' ? config.epochs : 1 + Math.floor(rand() * config.epochs);
    let loss = 1 + rand();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      loss *= 0.9 + rand() * 0.08;
      runs.recordEpoch(run.id, { epoch, loss, valLoss: config.validation === 'each-epoch' ? loss * 1.1 : null, seconds: 2 + rand() * 20 });
    }
    epochRows += epochs;
    if (status === 'done' && kind !== 'pretrain') {
      const m = metrics(config.labels.count ?? 1200, kind === 'finetune');
      runs.recordMetrics(run.id, m);
      metricRows += m.length;
    }
    runs.finish(run.id, status, status === 'failed' ? 'Out of memory' : null);
    const t0 = yearAgo + (count / RUNS) * 365 * 86_400_000;
    setTimes.run(new Date(t0).toISOString(), new Date(t0 + 1_000).toISOString(), new Date(t0 + epochs * 15_000).toISOString(), run.id);
    if (chance(0.15) || chance(0.1)) {
      const tags = [pick(TAGS), ...(chance(0.3) ? [pick(TAGS)] : [])];
      history.update(run.id, { tags, ...(chance(0.5) ? { notes: pick(NOTES) } : {}), archived: chance(0.1) });
    }
    count++;
    return run.id;
  };

  db.transaction(() => {
    while (count < RUNS) {
      const mask = chance(0.1)
        ? null
        : { spanLength: pick([5, 10, 20, 30, 30, 50, 100]), spanCount: pick([1, 1, 2, 3]), value: pick([-30, -30, 0]), lossScope: pick(['all-valid', 'masked-only'] as const) };
      const hiddenUnits = pick([32, 64, 128, 256, 256]);
      const learningRate = pick([0.0003, 0.001, 0.001, 0.003]);
      const common = { ...base, learningRate, model: { ...base.model, hiddenUnits }, seed: Math.floor(rand() * 1000) };
      const inExperiment = chance(0.5);
      const experiment = inExperiment ? experiments.create(`sweep ${experimentCount + 1}`, 'bench', 'quick', plan) : null;
      if (experiment) experimentCount++;
      const pretrainConfig: TrainConfig = { ...common, mask, epochs: 5 + Math.floor(rand() * 26), labels: { count: null, seed: 0 } };
      const span = mask ? `span${mask.spanLength}x${mask.spanCount}` : 'nomask';
      const pretrainId = addRun(`pretrain ${span} h${hiddenUnits}`, 'pretrain', pretrainConfig, null, experiment ? { id: experiment.id, repeat: null } : null);
      if (experiment) experiments.setPretrainRun(experiment.id, pretrainId);
      const labelCounts = PAPER_LABEL_COUNTS.filter(() => chance(0.35)).slice(0, 8);
      const repeats = 1 + Math.floor(rand() * 3);
      for (const n of labelCounts.length ? labelCounts : [200]) {
        for (let r = 0; r < repeats && count < RUNS; r++) {
          const supervised: TrainConfig = { ...common, mask: null, epochs: 5 + Math.floor(rand() * 26), validation: pick(['each-epoch', 'final'] as const), labels: { count: n, seed: r } };
          const exp = experiment ? { id: experiment.id, repeat: r } : null;
          addRun(`finetune n=${n} r${r} (${span})`, 'finetune', supervised, pretrainId, exp);
          if (count < RUNS) addRun(`baseline n=${n} r${r}`, 'baseline', supervised, null, exp);
        }
      }
      if (experiment) experiments.finish(experiment.id, 'done');
    }
  })();
  return { runs: count, epochs: epochRows, metrics: metricRows, experiments: experimentCount, seconds: (performance.now() - started) / 1000 };
}

/**
 * Median milliseconds of `fn` over REPEATS calls after one warm-up (which fills SQLite's page
 * cache): wall time, and this process's CPU time, which other load on the machine skews less.
 */
function medianMs(fn: () => unknown): { wall: number; cpu: number } {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const s = performance.now();
    const c = process.cpuUsage();
    fn();
    const used = process.cpuUsage(c);
    wall.push(performance.now() - s);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
  return { wall: median(wall), cpu: median(cpu) };
}

const workDir = process.argv[2] ?? join(process.cwd(), 'test-output', 'bench');
const dataDir = join(workDir, 'history-10k');
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const db = openDatabase(dataDir);
const filled = fill(db);
db.pragma('wal_checkpoint(TRUNCATE)');
console.log(
  `  store: ${filled.runs} runs (${filled.experiments} experiments), ${filled.epochs} epoch rows, ${filled.metrics} metric rows, ` +
    `${(statSync(join(dataDir, DATABASE_FILE)).size / 2 ** 20).toFixed(1)} MB, filled in ${filled.seconds.toFixed(1)} s`,
);

const history = new RunHistory(db);
const cases: Array<[string, RunQueryInput | 'facets']> = [
  ['first page (200), default sort', {}],
  ['sort by MAE ascending', { sort: { field: 'mae', direction: 'asc' } }],
  ['sort by MAE descending (nulls last)', { sort: { field: 'mae', direction: 'desc' } }],
  ['filter mask span = 30', { filters: [{ field: 'maskSpan', op: 'eq', value: 30 }] }],
  ['search "diverged"', { search: 'diverged' }],
  ['search two words "span30x1 n=200"', { search: 'span30x1 n=200' }],
  ['tag = ablation', { filters: [{ field: 'tags', op: 'eq', value: 'ablation' }] }],
  ['config.model.hiddenUnits = 256', { filters: [{ field: 'config.model.hiddenUnits', op: 'eq', value: 256 }] }],
  ['config.learningRate < 0.001, sort MAE', { filters: [{ field: 'config.learningRate', op: 'lt', value: 0.001 }], sort: { field: 'mae', direction: 'asc' } }],
  ['kind = finetune, label count >= 400', { filters: [{ field: 'kind', op: 'eq', value: 'finetune' }, { field: 'labelCount', op: 'gte', value: 400 }] }],
  ['last page (offset 9,800)', { archived: 'include', offset: 9_800 }],
  ['count (limit 1, archived included)', { archived: 'include', limit: 1 }],
  ['facets()', 'facets'],
];
console.log(`  median of ${REPEATS} after a warm-up, ${filled.runs} runs (wall ms, CPU ms):`);
for (const [title, input] of cases) {
  let shown = '';
  const ms =
    input === 'facets'
      ? medianMs(() => {
          const f = history.facets();
          shown = `${f.configFields.length} config fields, ${f.tags.length} tags`;
        })
      : medianMs(() => {
          const r = history.query(RunQuery.parse(input));
          shown = `${r.rows.length} rows of ${r.total}`;
        });
  console.log(`    ${title.padEnd(40)} ${ms.wall.toFixed(1).padStart(7)} ms ${ms.cpu.toFixed(1).padStart(7)} ms cpu   ${shown}${ms.wall > SLOW_MS ? '   (over 100 ms)' : ''}`);
}
db.close();
if (!process.env.KEEP_HISTORY_BENCH) rmSync(dataDir, { recursive: true, force: true });
