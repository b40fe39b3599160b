import { WorkbenchError } from '@shared/api/contract';
import { hostname } from 'node:os';
import type { ExperimentHost, ExperimentPreview, ExperimentResults, ExperimentSummary, ReferencePredictors, RunSummary } from '@shared/api/entities';
import { sampleLabelled } from '@shared/data/sampling';
import { hasTestPart, type EvaluationSplit } from '@shared/data/splits';
import { armConfig, planShape, variantPlan, type PlanShape } from '@shared/experiments/ablationPlan';
import { variantResults, type KeyedRun } from '@shared/experiments/ablationResults';
import { aggregateArm, compareArms, labelsSaved, testFamilies } from '@shared/experiments/aggregate';
import { combinationLabel, valuesKey } from '@shared/experiments/factors';
import { referencePoints, type LabelledSample } from '@shared/experiments/references';
import { supervisedConfig, type ExperimentPlan } from '@shared/experiments/presets';
import type { EventSink } from '../platform/events';
import type { DatasetService } from '../data/datasetService';
import type { ExperimentRepository, StoredExperiment } from '../store/experiments';
import type { RunRepository } from '../store/runs';
import { processIsAlive } from '../platform/processIsAlive';
import type { TrainingService } from '../training/trainingService';
import { checkPlan, planOf, type ExperimentRequest } from './planRules';
import { previewExperiment } from './experimentPreview';

export type { ExperimentRequest } from './planRules';

const STOPPED = ['interrupted', 'cancelled'];
const summary = ({ plan: _plan, pretrainRuns: _runs, ...s }: StoredExperiment): ExperimentSummary => s;
/** The key of the factor values a run stands for ('{}' for a run of a plain experiment). */
const keyOf = (run: Pick<RunSummary, 'factorValues'>) => valuesKey(run.factorValues ?? {});
const NO_REFERENCES: ReferencePredictors = { labelMean: [], majorityClass: [] };

/** An experiment that has not finished, and the live process running it now (null: none, it was interrupted or ended early). */
export interface UnfinishedExperiment {
  experiment: ExperimentSummary;
  runningIn: number | null;
}

/**
 * The paper's protocol as one experiment: one pre-training run (reused when an identical
 * finished one exists), then for every label count and repeat an SSL fine-tune and a
 * baseline on the same labelled sample. Baselines need no pre-training, so they are queued
 * with it and train beside it from the start; runs are queued longest first. The experiment advances whenever one of its runs
 * ends, and picks up where it stopped after a crash: finished runs are kept, interrupted
 * ones resume from their checkpoints, missing ones are queued.
 *
 * Several processes may share a data directory (the app and commands), so each advances
 * only the experiments it drives: those it started or resumed, and at the app's start
 * those a crash left running that no live process is running now. Otherwise two
 * processes would queue the same missing runs of one sweep.
 */
export class ExperimentService {
  private advancing = false;
  private again = false;
  /** Experiments this process advances. */
  private readonly driven = new Set<number>();

  constructor(
    private readonly experiments: ExperimentRepository,
    private readonly runs: RunRepository,
    private readonly training: TrainingService,
    private readonly datasets: DatasetService,
    private readonly events: EventSink,
  ) {
    events.subscribe((name, payload) => {
      if (name === 'run.status' && !['queued', 'running'].includes((payload as { status: string }).status)) this.advanceAll();
    });
  }

  /** What a request would run and how long it would take; checked by the same rules as start, nothing recorded. */
  preview(request: ExperimentRequest): ExperimentPreview {
    return previewExperiment(checkPlan(request, { datasets: this.datasets, training: this.training }), { runs: this.runs, datasets: this.datasets, training: this.training });
  }

  start(request: ExperimentRequest): ExperimentSummary {
    const { dataset, plan } = checkPlan(request, { datasets: this.datasets, training: this.training });
    const kind = plan.factors.length ? 'ablation' : 'sweep';
    const name = request.name?.trim() || `${request.preset === 'paper' ? 'Paper' : 'Quick'} ${kind} on ${dataset.name}`;
    const experiment = this.experiments.create(name, dataset.id, request.preset, plan);
    this.driven.add(experiment.id);
    this.advanceAll();
    return summary(this.experiments.get(experiment.id));
  }

  /** Experiments with the plan this request would start (dataset, preset, label counts, repeats, overrides) that have not finished. */
  unfinishedWithPlan(request: ExperimentRequest): UnfinishedExperiment[] {
    const plan = JSON.stringify(planOf(request));
    return this.experiments
      .list()
      .filter((e) => e.status !== 'done' && e.datasetId === request.datasetId && e.preset === request.preset && JSON.stringify(e.plan) === plan)
      .map((e) => ({ experiment: summary(e), runningIn: e.status === 'running' ? this.runningIn(e.id) : null }));
  }

  /**
   * Continues an experiment that did not finish (a crash, a cancel, a failed run): finished
   * runs are kept, interrupted and cancelled ones resume from their checkpoints, failed ones
   * are retried from theirs, missing ones are queued. Refused while a live process runs it.
   */
  resume(id: number): ExperimentSummary {
    const experiment = this.experiments.get(id);
    const named = `Experiment ${id} "${experiment.name}"`;
    if (experiment.status === 'done') throw new WorkbenchError('conflict', `${named} is done: all its ${experiment.runsTotal} runs finished, so there is nothing to resume.`);
    const owner = experiment.status === 'running' ? this.runningIn(id) : null;
    if (owner === process.pid) throw new WorkbenchError('conflict', `${named} is already running here.`);
    if (owner !== null) throw new WorkbenchError('conflict', `${named} is running now in another workbench or command on this data directory (process ${owner}); it continues there.`);
    this.experiments.reopen(id);
    for (const run of this.runs.ofExperiment(id)) if (run.status === 'failed') this.training.resume(run.id);
    this.driven.add(id);
    this.advanceAll();
    return summary(this.experiments.get(id));
  }

  /** At the app's start: continues every experiment a crash left running that no live process runs now. */
  resumeInterrupted(): void {
    for (const experiment of this.experiments.running()) if (this.runningIn(experiment.id) === null) this.driven.add(experiment.id);
    this.advanceAll();
  }

  /** The live process running an experiment: this one if it drives it, else one that queued its unfinished runs. */
  private runningIn(id: number): number | null {
    if (this.driven.has(id)) return process.pid;
    return this.runs.ownersOfUnfinished(id).find((pid) => pid !== process.pid && processIsAlive(pid)) ?? null;
  }

  cancel(id: number): boolean {
    const experiment = this.experiments.get(id);
    if (experiment.status !== 'running') throw new WorkbenchError('conflict', `Experiment ${id} is ${experiment.status}.`);
    this.experiments.finish(id, 'cancelled');
    for (const run of this.runs.ofExperiment(id)) if (run.status === 'queued' || run.status === 'running') this.training.cancel(run.id);
    this.events.emit('experiment.status', { id, status: 'cancelled', error: null });
    return true;
  }

  list(): ExperimentSummary[] {
    return this.experiments.list().map(summary);
  }

  /**
   * The experiment's results on one split: test when its runs were evaluated on one (the split
   * model selection never saw), else validation. Runs recorded before test splits existed have
   * validation metrics only, so they show as validation.
   */
  /** Where the experiment's runs trained, per host and kind (this machine by its host name). */
  hosts(id: number): ExperimentHost[] {
    this.experiments.get(id); // refuses an unknown id with its number
    return this.runs.hostsOfExperiment(id, hostname());
  }

  results(id: number): ExperimentResults {
    const experiment = this.experiments.get(id);
    const { plan } = experiment;
    const finished = this.runs.ofExperiment(id).filter((r) => r.status === 'done' && r.kind !== 'pretrain' && r.labelCount !== null && r.repeat !== null);
    // The metrics and flags of every run in three queries, whatever the number of runs (the view reloads as runs finish).
    const testMetrics = this.runs.experimentMetrics(id, 'test');
    // Test when the plan holds one out, unless its finished runs predate test metrics (an older sweep on the SDK folds).
    const anyTested = finished.some((r) => testMetrics.has(r.id));
    const split: EvaluationSplit = anyTested || (hasTestPart(plan.supervised.split) && finished.length === 0) ? 'test' : 'validation';
    const metrics = split === 'test' ? testMetrics : this.runs.experimentMetrics(id, 'validation');
    const flags = this.runs.experimentFlags(id, split);
    const done: KeyedRun[] = finished.map((r) => ({
      id: r.id,
      arm: r.kind === 'finetune' ? 'ssl' : 'baseline',
      labelCount: r.labelCount!,
      repeat: r.repeat!,
      metrics: metrics.get(r.id) ?? [],
      flags: flags.get(r.id) ?? null,
      key: keyOf(r),
    }));
    if (plan.factors.length) {
      const shape = planShape(plan);
      const ablation = variantResults({
        variants: shape.variants,
        runs: done,
        pretrainRunOf: (v) => experiment.pretrainRuns[v.pretrainKey] ?? null,
        referencesOf: (v) => this.references(experiment, split, variantPlan(plan, v)),
      });
      return { experiment: summary(experiment), split, ssl: [], baseline: [], references: NO_REFERENCES, comparisons: [], labelsSaved: [], factors: plan.factors, ...ablation };
    }
    const ssl = aggregateArm(done, 'ssl');
    const baseline = aggregateArm(done, 'baseline');
    const comparisons = compareArms(done);
    return {
      experiment: summary(experiment),
      split,
      ssl,
      baseline,
      references: this.references(experiment, split, plan),
      comparisons,
      testFamilies: testFamilies(comparisons),
      labelsSaved: labelsSaved(ssl, baseline),
      factors: [],
      variants: [],
      best: [],
    };
  }

  /** Reference predictors per (dataset, split shown, labelled samples): deterministic, so computed once. */
  private readonly referenceCache = new Map<string, ReferencePredictors>();

  /**
   * The label-mean and majority-class predictors of every planned label count and repeat,
   * fitted to that repeat's labelled sample (the same draw its runs trained on) and scored on
   * the split shown. Empty when the dataset's files are gone (the runs' numbers still show).
   */
  private references(experiment: StoredExperiment, split: EvaluationSplit, plan: ExperimentPlan): ReferencePredictors {
    // What the samples depend on: the supervised split, the label counts, repeats and how they are drawn.
    const key = JSON.stringify([experiment.datasetId, split, plan.supervised.split, plan.labelCounts, plan.repeats, plan.sampling]);
    const cached = this.referenceCache.get(key);
    if (cached) return cached;
    let labels: number[][];
    try {
      labels = this.datasets.emotionLabels(experiment.datasetId);
    } catch (err) {
      if (err instanceof WorkbenchError && err.code === 'not_found') return NO_REFERENCES;
      throw err;
    }
    const assignment = this.datasets.split(experiment.datasetId, plan.supervised.split).assignment;
    const evaluated = (split === 'test' ? (assignment.test ?? []) : assignment.validation).map((i) => labels[i]);
    const samples: LabelledSample[] = plan.labelCounts.flatMap((labelCount) =>
      Array.from({ length: plan.repeats }, (_, repeat) => {
        const drawn = supervisedConfig(plan, labelCount, repeat).labels;
        return { labelCount, repeat, labels: sampleLabelled(assignment.train, drawn.count, drawn.seed).map((i) => labels[i]) };
      }),
    );
    const references = referencePoints(samples, evaluated);
    this.referenceCache.set(key, references);
    return references;
  }

  /** Moves every running experiment this process drives forward; safe to call at any time (re-entrant calls are folded). */
  advanceAll(): void {
    if (this.advancing) {
      this.again = true;
      return;
    }
    this.advancing = true;
    try {
      do {
        this.again = false;
        for (const experiment of this.experiments.running()) if (this.driven.has(experiment.id)) this.advance(experiment);
      } while (this.again);
    } finally {
      this.advancing = false;
    }
  }

  private advance(experiment: StoredExperiment): void {
    try {
      const { plan } = experiment;
      const shape = planShape(plan);
      const ablation = plan.factors.length > 0;
      const pretrains = new Map(shape.pretrainings.map((p) => [p.key, this.ensurePretrain(experiment, p, ablation)]));
      const runs = this.runs.ofExperiment(experiment.id);
      let done = 0;
      /** Starts, resumes or counts the run of one cell of the plan. */
      const cell = (kind: 'baseline' | 'finetune', labelCount: number, repeat: number, key: string, start: () => void) => {
        const run = runs.find((r) => r.kind === kind && r.labelCount === labelCount && r.repeat === repeat && keyOf(r) === key);
        if (!run) start();
        else if (STOPPED.includes(run.status)) this.training.resume(run.id);
        else if (run.status === 'failed') throw new Error(`Run #${run.id} (${kind}, ${labelCount} labels, repeat ${repeat + 1}) failed: ${run.error}`);
        else if (run.status === 'done') done++;
      };
      // Longest runs first (the most labels), so the sweep does not end on one long run on one core.
      for (const labelCount of [...plan.labelCounts].sort((a, b) => b - a)) {
        for (let repeat = 0; repeat < plan.repeats; repeat++) {
          for (const arm of shape.baselineArms) {
            cell('baseline', labelCount, repeat, arm.key, () =>
              this.training.start({
                datasetId: experiment.datasetId,
                kind: 'baseline',
                name: `${experiment.name}: baseline${ablation ? ` (${Object.keys(arm.values).length ? combinationLabel(arm.values) : 'shared by every value'})` : ''}, ${labelCount} labels, repeat ${repeat + 1}`,
                config: armConfig(plan, arm, labelCount, repeat),
                experiment: { id: experiment.id, repeat, ...(ablation ? { factorValues: arm.values } : {}) },
              }),
            );
          }
          for (const variant of shape.variants) {
            const pretrain = pretrains.get(variant.pretrainKey)!;
            if (pretrain.status !== 'done') continue;
            cell('finetune', labelCount, repeat, variant.key, () =>
              this.training.start({
                datasetId: experiment.datasetId,
                kind: 'finetune',
                name: `${experiment.name}: SSL${ablation ? ` (${variant.label})` : ''}, ${labelCount} labels, repeat ${repeat + 1}`,
                parentRunId: pretrain.id,
                config: armConfig(plan, variant, labelCount, repeat),
                experiment: { id: experiment.id, repeat, ...(ablation ? { factorValues: variant.values } : {}) },
              }),
            );
          }
        }
      }
      const total = shape.runsTotal;
      this.events.emit('experiment.progress', { id: experiment.id, runsDone: done, runsTotal: total, etaSeconds: this.eta(runs, total - done) });
      if (done === total && this.experiments.finish(experiment.id, 'done')) this.events.emit('experiment.status', { id: experiment.id, status: 'done', error: null });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.experiments.finish(experiment.id, 'failed', message)) this.events.emit('experiment.status', { id: experiment.id, status: 'failed', error: message });
    }
  }

  /**
   * One pre-training of the experiment: the run it recorded for these values, else an identical
   * finished one (of any experiment), else a new one. Every fine-tune of the values builds on it.
   */
  private ensurePretrain(experiment: StoredExperiment, pretraining: PlanShape['pretrainings'][number], ablation: boolean): RunSummary {
    const recorded = experiment.pretrainRuns[pretraining.key];
    if (recorded !== undefined) {
      const run = this.runs.summary(recorded);
      if (STOPPED.includes(run.status)) return this.training.resume(run.id);
      if (run.status === 'failed') throw new Error(`The pre-training run #${run.id} failed: ${run.error}`);
      return run;
    }
    const label = Object.keys(pretraining.values).length ? combinationLabel(pretraining.values) : 'shared by every value';
    const run =
      this.runs.findReusablePretrain(experiment.datasetId, pretraining.config) ??
      this.training.start({
        datasetId: experiment.datasetId,
        kind: 'pretrain',
        name: `${experiment.name}: pre-training${ablation ? ` (${label})` : ''}`,
        config: pretraining.config,
        experiment: { id: experiment.id, repeat: null, ...(ablation ? { factorValues: pretraining.values } : {}) },
      });
    this.experiments.setPretrainRun(experiment.id, run.id, pretraining.key);
    // Kept for this pass: the stored experiment is read again at the next.
    experiment.pretrainRuns[pretraining.key] = run.id;
    return run;
  }

  /** Mean duration of the experiment's finished runs times the runs left, shared by the pool (null until one finished). */
  private eta(runs: RunSummary[], left: number): number | null {
    const durations = runs
      .filter((r) => r.status === 'done' && r.kind !== 'pretrain' && r.startedAt && r.finishedAt)
      .map((r) => (Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)) / 1000);
    return durations.length ? ((durations.reduce((s, d) => s + d, 0) / durations.length) * left) / this.training.poolSize() : null;
  }
}
