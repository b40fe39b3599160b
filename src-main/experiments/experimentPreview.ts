import type { ExperimentPreview, TrainConfig } from '@shared/api/entities';
import { armConfig } from '@shared/experiments/ablationPlan';
import { encodingWork, measuredSpeeds, projectExperiment, trainingWork, type MeasuredRun, type PlannedJobs, type SplitSizes } from '@shared/experiments/projection';
import type { DatasetService } from '../data/datasetService';
import type { RunRepository } from '../store/runs';
import type { TrainingService } from '../training/trainingService';
import type { CheckedPlan } from './planRules';

export interface PreviewDeps {
  runs: Pick<RunRepository, 'finishedOn' | 'findReusablePretrain' | 'hasFinishedFinetune'>;
  datasets: Pick<DatasetService, 'splitSizes'>;
  training: Pick<TrainingService, 'backendInfo' | 'poolSize'>;
}

/** Segments of a split, per part, computed once per dataset and split configuration. */
function splitSizes(datasets: PreviewDeps['datasets']): (datasetId: string, split: TrainConfig['split']) => SplitSizes | null {
  const cache = new Map<string, SplitSizes | null>();
  return (datasetId, split) => {
    const key = JSON.stringify([datasetId, split]);
    if (!cache.has(key)) {
      try {
        cache.set(key, datasets.splitSizes(datasetId, split));
      } catch {
        // A run of a dataset removed since: it measures nothing.
        cache.set(key, null);
      }
    }
    return cache.get(key)!;
  };
}

/** The finished runs of this backend as the projection reads them (their work from their configuration and split). */
export function measuredRuns(deps: PreviewDeps, backend: NonNullable<ReturnType<TrainingService['backendInfo']>>['name']): MeasuredRun[] {
  const sizes = splitSizes(deps.datasets);
  return deps.runs.finishedOn(backend).flatMap((r): MeasuredRun[] => {
    const s = sizes(r.datasetId, r.config.split);
    if (!s || !(r.seconds > 0)) return [];
    if (r.kind === 'finetune') return [{ kind: 'finetune', encodingWork: r.encoded ? encodingWork(r.config, s) : null, seconds: r.seconds }];
    return [{ kind: r.kind, work: trainingWork(r.kind, r.config, s), seconds: r.seconds }];
  });
}

/** The runs a checked plan will train: reused pre-trainings are done already (and their outputs cached once one of their fine-tunes finished). */
export function plannedJobs(checked: CheckedPlan, deps: PreviewDeps): { jobs: PlannedJobs; reused: number[] } {
  const { plan, shape, dataset } = checked;
  const sizes = splitSizes(deps.datasets);
  const cells = plan.labelCounts.length * plan.repeats;
  const reused: number[] = [];
  const pretrainings = shape.pretrainings.map((p) => {
    const reusable = deps.runs.findReusablePretrain(dataset.id, p.config);
    if (reusable) reused.push(reusable.id);
    const s = sizes(dataset.id, p.config.split)!;
    const variants = shape.variants.filter((v) => v.pretrainKey === p.key).length;
    return { work: trainingWork('pretrain', p.config, s), done: reusable !== null, finetunes: variants * cells, encodingWork: encodingWork(p.config, s), encoded: reusable !== null && deps.runs.hasFinishedFinetune(reusable.id) };
  });
  const baselines = shape.baselineArms.flatMap((arm) => {
    const s = sizes(dataset.id, arm.supervised.split)!;
    return plan.labelCounts.flatMap((n) => Array.from({ length: plan.repeats }, (_, r) => trainingWork('baseline', armConfig(plan, arm, n, r), s)));
  });
  return { jobs: { pretrainings, baselines }, reused };
}

/** What starting the plan will run, and how long it will take on this backend and pool, from measured speeds. */
export function previewExperiment(checked: CheckedPlan, deps: PreviewDeps): ExperimentPreview {
  const { shape } = checked;
  const backend = deps.training.backendInfo();
  const workers = deps.training.poolSize();
  const { jobs, reused } = plannedJobs(checked, deps);
  const projection = backend
    ? projectExperiment(jobs, measuredSpeeds(measuredRuns(deps, backend.name)), workers)
    : { seconds: null, unknown: 'unknown until a run has trained (the training process has not chosen its backend yet)' };
  return {
    variants: shape.variants.length,
    pretrainings: shape.pretrainings.length,
    reusedPretrainings: reused,
    finetunes: shape.finetunes,
    baselines: shape.baselines,
    baselineArms: shape.baselineArms.length,
    warnings: checked.warnings,
    projection: { ...projection, backend: backend?.name ?? null, workers },
  };
}
