import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ToTrainer } from '@shared/api/trainerProtocol';
import { EventSink } from '../platform/events';
import type { ProcessChannel } from '../platform/workerProcesses';
import { DatasetService } from '../data/datasetService';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { ExperimentRepository } from '../store/experiments';
import { RunRepository } from '../store/runs';
import { SplitRepository } from '../store/splits';
import { TrainingService } from '../training/trainingService';
import { ExperimentService } from './experimentService';
import { plannedJobs } from './experimentPreview';
import { checkPlan } from './planRules';
import { experimentPlan, supervisedConfig } from '@shared/experiments/presets';
import { sampleLabelled } from '@shared/data/sampling';

/** A training process that finishes every job at once with metrics that depend on the arm and label count. */
class InstantTrainer implements ProcessChannel {
  private listener: (m: unknown) => void = () => undefined;
  /** `shift`: added to a run's accuracy (an ablation's test gives each run its own numbers). */
  constructor(readonly started: number[], private readonly shift: (runId: number) => number = () => 0) {}
  send(m: unknown) {
    const msg = m as ToTrainer;
    if (msg.type !== 'start') return;
    const { runId, kind, config } = msg.job;
    this.started.push(runId);
    queueMicrotask(() => {
      this.listener({ type: 'started', runId, backend: 'cpu', backendReason: 'test' });
      this.listener({ type: 'epoch', runId, record: { epoch: 1, loss: 1, valLoss: 1, seconds: 0.1 } });
      const n = config.labels.count ?? 0;
      const acc4 = (kind === 'finetune' ? 0.85 : 0.8) + n / 1000 + config.labels.seed / 1000 + this.shift(runId);
      const metrics = (shift: number) => (kind === 'pretrain' ? [] : [{ scope: 'overall', name: 'acc4', value: acc4 + shift }, { scope: 'overall', name: 'mae', value: 1 - acc4 - shift }]);
      // With a test part: test metrics, and predictions of each split (fine-tunes predict 0 everywhere, baselines vary by segment).
      const { split } = msg.job;
      const predictions = (segments: number[], which: 'validation' | 'test') => ({ split: which, segments, values: segments.flatMap((i) => Array.from({ length: 6 }, () => (kind === 'finetune' ? 0 : i % 4))) });
      const tested = split.test.length > 0 && kind !== 'pretrain';
      this.listener({
        type: 'done',
        runId,
        metrics: metrics(0),
        ...(tested ? { testMetrics: metrics(-0.1), predictions: [predictions(split.validation, 'validation'), predictions(split.test, 'test')] } : {}),
      });
    });
  }
  onMessage(l: (m: unknown) => void) {
    this.listener = l;
    queueMicrotask(() => l({ type: 'ready', backend: { name: 'cpu', reason: 'test', tfjsVersion: '4' } }));
  }
  onExit() {}
  kill() {}
}

/** A training process that starts what it is given and holds it until the test finishes it. */
class HoldingTrainer implements ProcessChannel {
  listener: (m: unknown) => void = () => undefined;
  running: number | null = null;
  constructor(private readonly started: Array<{ runId: number; kind: string; labels: number | null }>) {}
  send(m: unknown) {
    const msg = m as ToTrainer;
    if (msg.type !== 'start') return;
    this.running = msg.job.runId;
    this.started.push({ runId: msg.job.runId, kind: msg.job.kind, labels: msg.job.kind === 'pretrain' ? null : msg.job.config.labels.count });
    this.listener({ type: 'started', runId: msg.job.runId, backend: 'cpu', backendReason: 'test' });
  }
  finish() {
    const runId = this.running!;
    this.running = null;
    this.listener({ type: 'done', runId, metrics: [{ scope: 'overall', name: 'acc4', value: 0.5 }, { scope: 'overall', name: 'mae', value: 0.5 }] });
  }
  onMessage(l: (m: unknown) => void) {
    this.listener = l;
    queueMicrotask(() => l({ type: 'ready', backend: { name: 'cpu', reason: 'test', tfjsVersion: '4' } }));
  }
  onExit() {}
  kill() {}
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function session(dir: string, shift?: (runId: number) => number) {
  const db = openDatabase(dir);
  const runs = new RunRepository(db);
  runs.markInterrupted();
  const datasets = new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db));
  await datasets.ensureBuiltin({ seed: 1, segments: 30, segmentsPerVideo: 5, minFrames: 40, maxFrames: 70 });
  const events = new EventSink();
  const started: number[] = [];
  // A pool of two processes, as on a 2-core machine.
  const training = new TrainingService(runs, () => new InstantTrainer(started, shift), events, dir, datasets, 2);
  const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
  const statuses: string[] = [];
  events.subscribe((name, p) => name === 'experiment.status' && statuses.push((p as { status: string }).status));
  return { db, runs, training, experiments, started, statuses, datasets };
}

const settle = async () => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 5));
};

describe('ExperimentService: results on a test part', () => {
  it('reports a sweep with a test share on test, with the flags of its runs and the reference predictors of its own labelled samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { experiments, datasets } = await session(dir);
    const split = { kind: 'random-segment' as const, validationFraction: 0.2, seed: 0, testFraction: 0.2 };
    const started = experiments.start({ datasetId: 'builtin-small', preset: 'quick', labelCounts: [4], repeats: 2, overrides: { split } });
    // Before any run has finished, the results already say they will be on test.
    expect(experiments.results(started.id).split).toBe('test');
    await settle();
    const results = experiments.results(started.id);
    expect(results.split).toBe('test');
    // The test metrics, not validation's: the trainer reported them 0.1 lower.
    expect(results.ssl[0].metrics.acc4.overall.mean).toBeCloseTo(0.85 + 0.004 + 0.0005 - 0.1, 12);
    // Fine-tunes predicted 0 for every segment: every emotion of both runs flagged; the baselines varied.
    expect(results.ssl[0].flagged).toEqual(results.ssl[0].runIds.map((runId) => ({ runId, emotions: ['happiness', 'sadness', 'anger', 'surprise', 'disgust', 'fear'] })));
    expect(results.ssl[0].checked).toBe(2);
    expect(results.baseline[0]).toMatchObject({ flagged: [], checked: 2 });
    // The label mean of each repeat's sample, scored on the test segments: its happiness MAE by hand.
    const labels = datasets.emotionLabels('builtin-small');
    const assignment = datasets.split('builtin-small', split).assignment;
    const plan = experimentPlan('quick', [4], 2);
    const maes = [0, 1].map((repeat) => {
      const sample = sampleLabelled(assignment.train, 4, supervisedConfig(plan, 4, repeat).labels.seed).map((i) => labels[i][0]);
      const mean = sample.reduce((a, v) => a + v, 0) / sample.length;
      return assignment.test!.reduce((a, i) => a + Math.abs(labels[i][0] - mean), 0) / assignment.test!.length;
    });
    expect(results.references.labelMean).toHaveLength(1);
    expect(results.references.labelMean[0].metrics.mae.happiness.mean).toBeCloseTo((maes[0] + maes[1]) / 2, 12);
    expect(results.references.majorityClass[0].metrics.acc4.overall.n).toBe(2);
  });
});

describe('ExperimentService', () => {
  it('trains baselines beside the pre-training from the start, longest first, and the fine-tunes once it is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-order-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    const runs = new RunRepository(db);
    const datasets = new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db));
    await datasets.ensureBuiltin({ seed: 1, segments: 30, segmentsPerVideo: 5, minFrames: 40, maxFrames: 70 });
    const events = new EventSink();
    const started: Array<{ runId: number; kind: string; labels: number | null }> = [];
    const processes: HoldingTrainer[] = [];
    const training = new TrainingService(runs, () => { const p = new HoldingTrainer(started); processes.push(p); return p; }, events, dir, datasets, 2);
    const experiments = new ExperimentService(new ExperimentRepository(db), runs, training, datasets, events);
    experiments.start({ datasetId: 'builtin-small', preset: 'quick', labelCounts: [2, 8, 4], repeats: 1 });
    await settle();
    // Both processes busy from the start: the pre-training and the largest baseline.
    expect(started).toEqual([{ runId: expect.any(Number), kind: 'pretrain', labels: null }, { runId: expect.any(Number), kind: 'baseline', labels: 8 }]);
    const second = processes.find((p) => p.running === started[1].runId)!;
    second.finish();
    await settle();
    second.finish();
    await settle();
    expect(started.slice(2).map((s) => `${s.kind} ${s.labels}`)).toEqual(['baseline 4', 'baseline 2']);
    processes.find((p) => p.running === started[0].runId)!.finish(); // the pre-training is done
    await settle();
    // The first fine-tune computes the encoder's outputs; the others wait for it, then train on them.
    expect(started.slice(4).map((s) => `${s.kind} ${s.labels}`)).toEqual(['finetune 8']);
    training.shutdown();
    db.close();
  });

  it('runs one pre-training, then an SSL fine-tune and a baseline per label count and repeat, and aggregates them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { experiments, runs, statuses } = await session(dir);
    const started = experiments.start({ datasetId: 'builtin-small', preset: 'quick', labelCounts: [4, 2], repeats: 2 });
    expect(started).toMatchObject({ status: 'running', labelCounts: [2, 4], repeats: 2, runsTotal: 8 });
    await settle();
    const all = runs.ofExperiment(started.id);
    expect(all.filter((r) => r.kind === 'pretrain')).toHaveLength(1);
    expect(all.filter((r) => r.kind === 'finetune').every((r) => r.parentRunId === started.pretrainRunId)).toBe(true);
    expect(all.filter((r) => r.status === 'done')).toHaveLength(9);
    expect(statuses).toEqual(['done']);
    // Both arms of a repeat draw the same labelled sample.
    const seeds = (kind: string) => all.filter((r) => r.kind === kind).map((r) => `${r.labelCount}:${r.config.labels.seed}`).sort();
    expect(seeds('finetune')).toEqual(seeds('baseline'));

    const results = experiments.results(started.id);
    expect(results.ssl.map((p) => p.labelCount)).toEqual([2, 4]);
    expect(results.baseline.map((p) => p.runIds.length)).toEqual([2, 2]);
    // The quick preset holds out a test share: its numbers are test's, which the trainer reported 0.1 lower.
    expect(results.split).toBe('test');
    expect(results.ssl[0].metrics.acc4.overall.mean).toBeCloseTo(0.85 + 0.002 + 0.0005 - 0.1, 10);
    const diff = results.comparisons.find((c) => c.labelCount === 2 && c.metric === 'acc4' && c.scope === 'overall')!;
    expect(diff.meanDifference).toBeCloseTo(0.05, 10);
    // Served with the Holm families and the interval of every mean.
    expect(results.testFamilies.map((f) => f.metric)).toEqual(['acc4', 'mae']);
    expect(results.ssl[0].metrics.acc4.overall.ci95).not.toBeNull();
    expect(results.experiment.runsDone).toBe(8);
  });

  it('reuses an identical finished pre-training run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { experiments, runs } = await session(dir);
    const first = experiments.start({ datasetId: 'builtin-small', preset: 'quick', labelCounts: [2], repeats: 1 });
    await settle();
    const second = experiments.start({ datasetId: 'builtin-small', preset: 'quick', labelCounts: [3], repeats: 1 });
    await settle();
    expect(experiments.list().find((e) => e.id === second.id)?.pretrainRunId).toBe(experiments.list().find((e) => e.id === first.id)?.pretrainRunId);
    expect(runs.ofExperiment(second.id).filter((r) => r.kind === 'pretrain')).toHaveLength(0);
  });

  it('refuses label counts the training split cannot supply', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { experiments } = await session(dir);
    expect(() => experiments.start({ datasetId: 'builtin-small', preset: 'paper' })).toThrow(/has 24 segments, fewer than the label counts 35, 50/);
  });

  it('continues after a crash: finished runs are kept, interrupted ones resume, missing ones are queued', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const first = await session(dir);
    const exp = first.experiments.start({ datasetId: 'builtin-small', preset: 'quick', labelCounts: [2], repeats: 2 });
    await settle();
    const doneBefore = first.runs.ofExperiment(exp.id).filter((r) => r.status === 'done').map((r) => r.id);
    // Simulate the crash: one finished run is put back to running, as if the app died during it.
    first.db.prepare(`UPDATE runs SET status = 'running' WHERE id = ?`).run(doneBefore.at(-1));
    first.db.prepare(`UPDATE experiments SET status = 'running', finished_at = NULL WHERE id = ?`).run(exp.id);
    first.db.close();

    const second = await session(dir);
    expect(second.runs.summary(doneBefore.at(-1)!).status).toBe('interrupted');
    second.experiments.resumeInterrupted();
    await settle();
    expect(second.started).toEqual([doneBefore.at(-1)]);
    expect(second.experiments.list()[0].status).toBe('done');
  });

  /** An experiment of the quick preset that ran to the end, then set back as a kill during its last run leaves it. */
  async function crashedExperiment(dir: string, request = { datasetId: 'builtin-small', preset: 'quick' as const, labelCounts: [2], repeats: 2 }) {
    const first = await session(dir);
    const exp = first.experiments.start(request);
    await settle();
    const runs = first.runs.ofExperiment(exp.id);
    const killed = runs.filter((r) => r.kind === 'baseline').at(-1)!.id;
    first.db.prepare(`UPDATE runs SET status = 'running' WHERE id = ?`).run(killed);
    first.db.prepare(`UPDATE experiments SET status = 'running', finished_at = NULL WHERE id = ?`).run(exp.id);
    first.db.close();
    return { id: exp.id, killed, request };
  }

  it('resumes one experiment on request (a command after a crash): only its interrupted run trains again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { id, killed } = await crashedExperiment(dir);
    const second = await session(dir);
    const resumed = second.experiments.resume(id);
    expect(resumed).toMatchObject({ id, status: 'running' });
    await settle();
    expect(second.started).toEqual([killed]);
    expect(second.experiments.list()[0]).toMatchObject({ id, status: 'done', runsDone: 4 });
    expect(second.statuses).toEqual(['done']);
    expect(() => second.experiments.resume(id)).toThrow(/is done: all its 4 runs finished, so there is nothing to resume/);
    expect(() => second.experiments.resume(99)).toThrow(/Experiment 99 does not exist/);
  });

  it.each(['failed', 'cancelled'] as const)('resumes a %s experiment, retrying its stopped run', async (status) => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { id, killed } = await crashedExperiment(dir);
    const db = openDatabase(dir);
    db.prepare(`UPDATE runs SET status = ?, error = 'Out of memory' WHERE id = ?`).run(status, killed);
    db.prepare(`UPDATE experiments SET status = ?, error = 'It stopped' WHERE id = ?`).run(status, id);
    db.close();
    const second = await session(dir);
    second.experiments.resume(id);
    await settle();
    expect(second.started).toEqual([killed]);
    expect(second.experiments.list()[0]).toMatchObject({ status: 'done', error: null });
  });

  it('advances only the experiments it started or resumed: starting one does not also rerun another a crash left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const crashed = await crashedExperiment(dir);
    const second = await session(dir);
    const other = second.experiments.start({ datasetId: 'builtin-small', preset: 'quick', labelCounts: [3], repeats: 1 });
    await settle();
    expect(second.runs.summary(crashed.killed).status).toBe('interrupted');
    expect(second.started.every((runId) => second.runs.summary(runId).experimentId === other.id)).toBe(true);
    expect(second.experiments.list().find((e) => e.id === crashed.id)?.status).toBe('running');
  });

  it('finds an unfinished experiment of the same plan, and says when another live process is running it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { id, killed, request } = await crashedExperiment(dir);
    const second = await session(dir);
    expect(second.experiments.unfinishedWithPlan(request)).toEqual([{ experiment: expect.objectContaining({ id, status: 'running', runsDone: 3 }), runningIn: null }]);
    // Another plan: other label counts, repeats, overrides or dataset.
    expect(second.experiments.unfinishedWithPlan({ ...request, labelCounts: [2, 3] })).toEqual([]);
    expect(second.experiments.unfinishedWithPlan({ ...request, repeats: 3 })).toEqual([]);
    expect(second.experiments.unfinishedWithPlan({ ...request, overrides: { mask: { spanLength: 10, spanCount: 1, value: -30, lossScope: 'all-valid' } } })).toEqual([]);
    // The same label counts, given in another order or twice, are the same plan.
    expect(second.experiments.unfinishedWithPlan({ ...request, labelCounts: [2, 2] })).toHaveLength(1);
    // While another live process (here: the test runner) runs it, it is not this one's to resume.
    second.db.prepare(`UPDATE runs SET status = 'running', owner_pid = ? WHERE id = ?`).run(process.ppid, killed);
    expect(second.experiments.unfinishedWithPlan(request)).toEqual([{ experiment: expect.objectContaining({ id }), runningIn: process.ppid }]);
    expect(() => second.experiments.resume(id)).toThrow(`Experiment ${id} "Quick sweep on Built-in synthetic (small) — not real CMU-MOSEI" is running now in another workbench or command on this data directory (process ${process.ppid}); it continues there.`);
    second.experiments.resumeInterrupted();
    await settle();
    expect(second.started).toEqual([]);
  });
});

describe('ExperimentService: ablations', () => {
  const spans = { datasetId: 'builtin-small', preset: 'quick' as const, labelCounts: [2, 3, 4], repeats: 2, factors: [{ field: 'mask.spanLength', values: [5, 15, 30] }] };
  /** Every run its own accuracy, so a mix-up of runs between values shows in the means. */
  const byRun = (runId: number) => ((runId * runId) % 7) / 1000;

  it('reads an experiment\'s results in as many queries however many runs it has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { db, experiments } = await session(dir);
    const small = experiments.start({ ...spans, labelCounts: [2], repeats: 2 });
    await settle();
    const large = experiments.start({ ...spans, labelCounts: [2, 3, 4], repeats: 2 });
    await settle();
    const queries = vi.spyOn(db, 'prepare');
    const count = (id: number) => {
      queries.mockClear();
      const results = experiments.results(id);
      expect(results.variants.every((v) => v.ssl.length > 0 && v.baseline.length > 0)).toBe(true);
      return queries.mock.calls.length;
    };
    expect(count(large.id)).toBe(count(small.id));
  });

  it('projects a plan from the splits\' stored counts, without reading their assignments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { runs, training, datasets } = await session(dir);
    const checked = checkPlan(spans, { datasets, training });
    const reads = vi.spyOn(datasets, 'split');
    const { jobs } = plannedJobs(checked, { runs, datasets });
    expect(jobs.pretrainings).toHaveLength(3);
    expect(jobs.baselines).toHaveLength(6);
    expect(reads).not.toHaveBeenCalled();
  });

  it('over three mask spans: three pre-trainings, one baseline arm, each value\'s fine-tunes on its own pre-training, numbers as recomputed from the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { experiments, runs, statuses } = await session(dir, byRun);
    const preview = experiments.preview(spans);
    expect(preview).toMatchObject({ variants: 3, pretrainings: 3, reusedPretrainings: [], finetunes: 18, baselines: 6, baselineArms: 1 });
    expect(preview.projection).toMatchObject({ seconds: null, unknown: expect.stringMatching(/^unknown until/) });
    const started = experiments.start(spans);
    expect(started).toMatchObject({ name: expect.stringMatching(/^Quick ablation on /), runsTotal: 24, factors: spans.factors });
    await settle();
    expect(statuses).toEqual(['done']);
    const all = runs.ofExperiment(started.id);
    const pretrains = all.filter((r) => r.kind === 'pretrain');
    expect(pretrains.map((r) => r.config.mask!.spanLength)).toEqual([5, 15, 30]);
    expect(pretrains.map((r) => r.factorValues)).toEqual([{ 'mask.spanLength': 5 }, { 'mask.spanLength': 15 }, { 'mask.spanLength': 30 }]);
    const baselines = all.filter((r) => r.kind === 'baseline');
    expect(baselines).toHaveLength(6);
    expect(baselines.every((r) => JSON.stringify(r.factorValues) === '{}')).toBe(true);
    for (const f of all.filter((r) => r.kind === 'finetune')) {
      expect(runs.summary(f.parentRunId!).config.mask!.spanLength).toBe(f.factorValues!['mask.spanLength']);
    }
    const listed = experiments.list().find((e) => e.id === started.id)!;
    expect(listed).toMatchObject({ status: 'done', runsDone: 24, runsTotal: 24 });
    expect(listed.pretrainRunIds.sort()).toEqual(pretrains.map((r) => r.id).sort());
    // Every run trained in this machine's pool.
    const trained = (done: number) => ({ done, running: 0, queued: 0, stopped: 0, seconds: expect.any(Number) });
    expect(experiments.hosts(started.id)).toEqual([{ host: hostname(), thisMachine: true, pretrain: trained(3), baseline: trained(6), finetune: trained(18) }]);
    expect(() => experiments.hosts(started.id + 100)).toThrow(`Experiment ${started.id + 100} does not exist.`);

    const results = experiments.results(started.id);
    expect(results.variants.map((v) => v.label)).toEqual(['span = 5', 'span = 15', 'span = 30']);
    const acc = (ids: number[]) => ids.map((id) => runs.metricsOf(id, results.split).find((m) => m.scope === 'overall' && m.name === 'acc4')!.value);
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    for (const v of results.variants) {
      for (const n of [2, 3, 4]) {
        const ssl = all.filter((r) => r.kind === 'finetune' && r.labelCount === n && r.factorValues!['mask.spanLength'] === v.values['mask.spanLength']).map((r) => r.id);
        const point = v.ssl.find((p) => p.labelCount === n)!;
        expect(point.runIds.sort()).toEqual(ssl.sort());
        expect(point.metrics.acc4.overall.mean).toBeCloseTo(mean(acc(ssl)), 12);
        // Every value is paired with the one shared baseline arm.
        expect(v.baseline.find((p) => p.labelCount === n)!.runIds.sort()).toEqual(baselines.filter((r) => r.labelCount === n).map((r) => r.id).sort());
        const diff = v.comparisons.find((c) => c.labelCount === n && c.metric === 'acc4' && c.scope === 'overall')!;
        const base = baselines.filter((r) => r.labelCount === n).map((r) => r.id);
        expect(diff.meanDifference).toBeCloseTo(mean(acc(ssl)) - mean(acc(base)), 12);
      }
    }
    expect(results.testFamilies.find((f) => f.metric === 'acc4')).toMatchObject({ values: 3, labelCounts: [2, 3, 4] });
    // The plain fields stay empty: an ablation's numbers are per value.
    expect(results.ssl).toEqual([]);
    expect(results.best.filter((b) => b.metric === 'acc4')).toHaveLength(3);
  });

  it('trains a baseline arm per value of a setting that changes the baseline, sharing one pre-training across head settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { experiments, runs } = await session(dir);
    const started = experiments.start({ ...spans, labelCounts: [2], factors: [{ field: 'model.pooling', values: ['last-valid', 'mean-valid'] }] });
    await settle();
    const all = runs.ofExperiment(started.id);
    expect(all.filter((r) => r.kind === 'pretrain')).toHaveLength(1);
    expect(all.filter((r) => r.kind === 'baseline').map((r) => r.config.model.pooling).sort()).toEqual(['last-valid', 'last-valid', 'mean-valid', 'mean-valid']);
    const results = experiments.results(started.id);
    expect(results.variants.map((v) => v.baseline[0].runIds.length)).toEqual([2, 2]);
    expect(new Set(results.variants.flatMap((v) => v.baseline[0].runIds)).size).toBe(4);
  });

  it('refuses a value a single run may not have before anything is recorded, naming the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const { experiments, runs } = await session(dir);
    expect(() => experiments.start({ ...spans, factors: [{ field: 'mask.spanLength', values: [5, 5000] }] })).toThrow(/^span = 5000: A mask span of 5000 steps covers every real step of 100% of the training clips/);
    expect(() => experiments.start({ ...spans, factors: [{ field: 'model.hiddenUnits', values: [8, -1] }] })).toThrow('Hidden units per GRU (model width): -1 is not allowed; use whole numbers from 1 to 4096.');
    expect(() => experiments.start({ ...spans, overrides: { mask: { spanLength: 10, spanCount: 1, value: -30, lossScope: 'all-valid' } } })).toThrow(/Mask span length \(steps\) is both set \(mask\) and varied/);
    expect(() => experiments.preview({ ...spans, factors: [{ field: 'mask.spanLength', values: [5, 5000] }] })).toThrow(/^span = 5000/);
    expect(experiments.list()).toEqual([]);
    expect(runs.list()).toEqual([]);
  });

  it('continues an interrupted ablation: finished pre-trainings and runs are kept, only the killed run trains again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-exp-'));
    dirs.push(dir);
    const first = await session(dir);
    const exp = first.experiments.start({ ...spans, labelCounts: [2] });
    await settle();
    const killed = first.runs.ofExperiment(exp.id).filter((r) => r.kind === 'finetune').at(-1)!.id;
    first.db.prepare(`UPDATE runs SET status = 'running' WHERE id = ?`).run(killed);
    first.db.prepare(`UPDATE experiments SET status = 'running', finished_at = NULL WHERE id = ?`).run(exp.id);
    first.db.close();
    const second = await session(dir);
    second.experiments.resume(exp.id);
    await settle();
    expect(second.started).toEqual([killed]);
    expect(second.experiments.list()[0]).toMatchObject({ status: 'done', runsDone: 8 });
    // A later ablation over the same spans reuses all three pre-trainings.
    expect(second.experiments.preview({ ...spans, labelCounts: [3] }).reusedPretrainings).toHaveLength(3);
    const again = second.experiments.start({ ...spans, labelCounts: [3] });
    await settle();
    expect(second.runs.ofExperiment(again.id).filter((r) => r.kind === 'pretrain')).toEqual([]);
  });
});
