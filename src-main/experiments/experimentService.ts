import { WorkbenchError } from '@shared/api/contract';
import type { ExperimentResults, ExperimentSummary, ReferencePredictors, RunSummary } from '@shared/api/entities';
import { sampleLabelled } from '@shared/data/sampling';
import { hasTestPart, type EvaluationSplit } from '@shared/data/splits';
import { aggregateArm, compareArms, labelsSaved, testFamilies, type ExperimentRun } from '@shared/experiments/aggregate';
import { referencePoints, type LabelledSample } from '@shared/experiments/references';
import { experimentPlan, supervisedConfig, withOverrides, type ExperimentPlan, type LabelSampling, type ExperimentPreset, type PlanOverrides } from '@shared/experiments/presets';
import type { EventSink } from '../platform/events';
import type { DatasetService } from '../data/datasetService';
import type { ExperimentRepository, StoredExperiment } from '../store/experiments';
import type { RunRepository } from '../store/runs';
import { processIsAlive } from '../platform/processIsAlive';
import type { TrainingService } from '../training/trainingService';

const STOPPED = ['interrupted', 'cancelled'];
const summary = ({ plan: _plan, ...s }: StoredExperiment): ExperimentSummary => s;

export interface ExperimentRequest {
  datasetId: string;
  preset: ExperimentPreset;
  name?: string;
  labelCounts?: number[];
  repeats?: number;
  sampling?: LabelSampling;
  overrides?: PlanOverrides;
}

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

  /** The plan a request makes: its preset with its label counts (sorted, once each), repeats and overrides. */
  private planOf(request: ExperimentRequest): ExperimentPlan {
    const labelCounts = request.labelCounts ? [...new Set(request.labelCounts)].sort((a, b) => a - b) : undefined;
    return withOverrides(experimentPlan(request.preset, labelCounts, request.repeats, request.sampling), request.overrides);
  }

  start(request: ExperimentRequest): ExperimentSummary {
    const dataset = this.datasets.get(request.datasetId);
    const plan = this.planOf(request);
    const trainSize = this.datasets.split(dataset.id, plan.supervised.split).assignment.train.length;
    const tooMany = plan.labelCounts.filter((n) => n > trainSize);
    if (tooMany.length) {
      throw new WorkbenchError(
        'invalid_params',
        `The training split of "${dataset.name}" has ${trainSize} segments, fewer than the label counts ${tooMany.join(', ')}. Use a larger dataset or smaller label counts.`,
      );
    }
    // The same rules as a single run's, on the plan's pre-training and its supervised runs.
    this.training.check(dataset.id, 'pretrain', plan.pretrain);
    this.training.check(dataset.id, 'baseline', supervisedConfig(plan, Math.max(...plan.labelCounts), 0));
    const name = request.name?.trim() || `${request.preset === 'paper' ? 'Paper' : 'Quick'} sweep on ${dataset.name}`;
    const experiment = this.experiments.create(name, dataset.id, request.preset, plan);
    this.driven.add(experiment.id);
    this.advanceAll();
    return summary(this.experiments.get(experiment.id));
  }

  /** Experiments with the plan this request would start (dataset, preset, label counts, repeats, overrides) that have not finished. */
  unfinishedWithPlan(request: ExperimentRequest): UnfinishedExperiment[] {
    const plan = JSON.stringify(this.planOf(request));
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
  results(id: number): ExperimentResults {
    const experiment = this.experiments.get(id);
    const finished = this.runs.ofExperiment(id).filter((r) => r.status === 'done' && r.kind !== 'pretrain' && r.labelCount !== null && r.repeat !== null);
    const testMetrics = new Map(finished.map((r) => [r.id, this.runs.metricsOf(r.id, 'test')]));
    // Test when the plan holds one out, unless its finished runs predate test metrics (an older sweep on the SDK folds).
    const anyTested = [...testMetrics.values()].some((m) => m.length > 0);
    const split: EvaluationSplit = anyTested || (hasTestPart(experiment.plan.supervised.split) && finished.length === 0) ? 'test' : 'validation';
    const done: ExperimentRun[] = finished.map((r) => ({
      id: r.id,
      arm: r.kind === 'finetune' ? 'ssl' : 'baseline',
      labelCount: r.labelCount!,
      repeat: r.repeat!,
      metrics: split === 'test' ? testMetrics.get(r.id)! : this.runs.metricsOf(r.id),
      flags: this.runs.flagsOf(r.id, split),
    }));
    const ssl = aggregateArm(done, 'ssl');
    const baseline = aggregateArm(done, 'baseline');
    const comparisons = compareArms(done);
    return {
      experiment: summary(experiment),
      split,
      ssl,
      baseline,
      references: this.references(experiment, split),
      comparisons,
      testFamilies: testFamilies(comparisons),
      labelsSaved: labelsSaved(ssl, baseline),
    };
  }

  /** Reference predictors per (experiment, split): deterministic from the plan and the dataset, so computed once. */
  private readonly referenceCache = new Map<string, ReferencePredictors>();

  /**
   * The label-mean and majority-class predictors of every planned label count and repeat,
   * fitted to that repeat's labelled sample (the same draw its runs trained on) and scored on
   * the split shown. Empty when the dataset's files are gone (the runs' numbers still show).
   */
  private references(experiment: StoredExperiment, split: EvaluationSplit): ReferencePredictors {
    const { plan } = experiment;
    const key = JSON.stringify([experiment.id, split, plan]);
    const cached = this.referenceCache.get(key);
    if (cached) return cached;
    let labels: number[][];
    try {
      labels = this.datasets.emotionLabels(experiment.datasetId);
    } catch (err) {
      if (err instanceof WorkbenchError && err.code === 'not_found') return { labelMean: [], majorityClass: [] };
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
      const pretrain = this.ensurePretrain(experiment);
      const runs = this.runs.ofExperiment(experiment.id);
      const { plan } = experiment;
      let done = 0;
      // Longest runs first (the most labels), so the sweep does not end on one long run on one core.
      for (const labelCount of [...plan.labelCounts].sort((a, b) => b - a)) {
        for (let repeat = 0; repeat < plan.repeats; repeat++) {
          for (const kind of ['baseline', 'finetune'] as const) {
            if (kind === 'finetune' && pretrain.status !== 'done') continue;
            const run = runs.find((r) => r.kind === kind && r.labelCount === labelCount && r.repeat === repeat);
            if (!run) {
              this.training.start({
                datasetId: experiment.datasetId,
                kind,
                name: `${experiment.name}: ${kind === 'finetune' ? 'SSL' : 'baseline'}, ${labelCount} labels, repeat ${repeat + 1}`,
                parentRunId: kind === 'finetune' ? pretrain.id : undefined,
                config: supervisedConfig(plan, labelCount, repeat),
                experiment: { id: experiment.id, repeat },
              });
            } else if (STOPPED.includes(run.status)) this.training.resume(run.id);
            else if (run.status === 'failed') throw new Error(`Run #${run.id} (${kind}, ${labelCount} labels, repeat ${repeat + 1}) failed: ${run.error}`);
            else if (run.status === 'done') done++;
          }
        }
      }
      const total = plan.labelCounts.length * plan.repeats * 2;
      this.events.emit('experiment.progress', { id: experiment.id, runsDone: done, runsTotal: total, etaSeconds: this.eta(runs, total - done) });
      if (done === total && this.experiments.finish(experiment.id, 'done')) this.events.emit('experiment.status', { id: experiment.id, status: 'done', error: null });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.experiments.finish(experiment.id, 'failed', message)) this.events.emit('experiment.status', { id: experiment.id, status: 'failed', error: message });
    }
  }

  /** The experiment's pre-training run: an identical finished one if there is one, else its own. */
  private ensurePretrain(experiment: StoredExperiment): RunSummary {
    if (experiment.pretrainRunId !== null) {
      const run = this.runs.summary(experiment.pretrainRunId);
      if (STOPPED.includes(run.status)) return this.training.resume(run.id);
      if (run.status === 'failed') throw new Error(`The pre-training run #${run.id} failed: ${run.error}`);
      return run;
    }
    const reusable = this.runs.findReusablePretrain(experiment.datasetId, experiment.plan.pretrain);
    const run =
      reusable ??
      this.training.start({
        datasetId: experiment.datasetId,
        kind: 'pretrain',
        name: `${experiment.name}: pre-training`,
        config: experiment.plan.pretrain,
        experiment: { id: experiment.id, repeat: null },
      });
    this.experiments.setPretrainRun(experiment.id, run.id);
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
