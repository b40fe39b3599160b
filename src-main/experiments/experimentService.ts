import { WorkbenchError } from '@shared/api/contract';
import type { ExperimentResults, ExperimentSummary, RunSummary } from '@shared/api/entities';
import { aggregateArm, compareArms, labelsSaved, testFamilies, type ExperimentRun } from '@shared/experiments/aggregate';
import { experimentPlan, supervisedConfig, withOverrides, type ExperimentPreset, type PlanOverrides } from '@shared/experiments/presets';
import type { EventSink } from '../app/events';
import type { DatasetService } from '../data/datasetService';
import type { ExperimentRepository, StoredExperiment } from '../store/experiments';
import type { RunRepository } from '../store/runs';
import type { TrainingService } from '../training/trainingService';

const STOPPED = ['interrupted', 'cancelled'];
const summary = ({ plan: _plan, ...s }: StoredExperiment): ExperimentSummary => s;

/**
 * The paper's protocol as one experiment: one pre-training run (reused when an identical
 * finished one exists), then for every label count and repeat an SSL fine-tune and a
 * baseline on the same labelled sample. The experiment advances whenever one of its runs
 * ends, and picks up where it stopped after a crash: finished runs are kept, interrupted
 * ones resume from their checkpoints, missing ones are queued.
 */
export class ExperimentService {
  private advancing = false;
  private again = false;

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

  start(request: { datasetId: string; preset: ExperimentPreset; name?: string; labelCounts?: number[]; repeats?: number; overrides?: PlanOverrides }): ExperimentSummary {
    const dataset = this.datasets.get(request.datasetId);
    const labelCounts = request.labelCounts ? [...new Set(request.labelCounts)].sort((a, b) => a - b) : undefined;
    const plan = withOverrides(experimentPlan(request.preset, labelCounts, request.repeats), request.overrides);
    const trainSize = this.datasets.split(dataset.id, plan.supervised.split).assignment.train.length;
    const tooMany = plan.labelCounts.filter((n) => n > trainSize);
    if (tooMany.length) {
      throw new WorkbenchError(
        'invalid_params',
        `The training split of "${dataset.name}" has ${trainSize} segments, fewer than the label counts ${tooMany.join(', ')}. Use a larger dataset or smaller label counts.`,
      );
    }
    const name = request.name?.trim() || `${request.preset === 'paper' ? 'Paper' : 'Quick'} sweep on ${dataset.name}`;
    const experiment = this.experiments.create(name, dataset.id, request.preset, plan);
    this.advanceAll();
    return summary(this.experiments.get(experiment.id));
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

  results(id: number): ExperimentResults {
    const experiment = this.experiments.get(id);
    const done: ExperimentRun[] = this.runs
      .ofExperiment(id)
      .filter((r) => r.status === 'done' && r.kind !== 'pretrain' && r.labelCount !== null && r.repeat !== null)
      .map((r) => ({ id: r.id, arm: r.kind === 'finetune' ? 'ssl' : 'baseline', labelCount: r.labelCount!, repeat: r.repeat!, metrics: this.runs.metricsOf(r.id) }));
    const ssl = aggregateArm(done, 'ssl');
    const baseline = aggregateArm(done, 'baseline');
    const comparisons = compareArms(done);
    return { experiment: summary(experiment), ssl, baseline, comparisons, testFamilies: testFamilies(comparisons), labelsSaved: labelsSaved(ssl, baseline) };
  }

  /** Moves every running experiment forward; safe to call at any time (re-entrant calls are folded). */
  advanceAll(): void {
    if (this.advancing) {
      this.again = true;
      return;
    }
    this.advancing = true;
    try {
      do {
        this.again = false;
        for (const experiment of this.experiments.running()) this.advance(experiment);
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
      for (const labelCount of plan.labelCounts) {
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
