import type { BackendName, ExperimentPreview, TrainConfig } from '@shared/api/entities';
import { armConfig } from '@shared/experiments/ablationPlan';
import {
  encodingWork,
  measuredSpeeds,
  projectExperiment,
  threadScaling,
  trainingWork,
  type MeasuredRun,
  type PlannedJobs,
  type Pool,
  type Projection,
  type RemoteSlots,
  type SplitSizes,
  type Speeds,
  type ThreadScaling,
  SPEED_KINDS,
} from '@shared/experiments/projection';
import { counted } from '@shared/format';
import type { DatasetService } from '../data/datasetService';
import type { FinishedRun, RunRepository } from '../store/runs';
import type { RemoteWorker } from '../training/remoteDispatch';
import type { TrainingService } from '../training/trainingService';
import type { CheckedPlan } from './planRules';

export interface PreviewDeps {
  runs: Pick<RunRepository, 'finishedRuns' | 'findReusablePretrain' | 'hasFinishedFinetune'>;
  datasets: Pick<DatasetService, 'splitSizes'>;
  training: Pick<TrainingService, 'backendInfo' | 'poolSize' | 'coreSharing' | 'remoteWorkersFor'>;
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

/** Finished runs as the projection reads them (their work from their configuration and split), with where and on what they trained. */
export function measuredRuns(deps: Pick<PreviewDeps, 'runs' | 'datasets'>): Array<MeasuredRun & Pick<FinishedRun, 'backend' | 'host'>> {
  const sizes = splitSizes(deps.datasets);
  return deps.runs.finishedRuns().flatMap((r): Array<MeasuredRun & Pick<FinishedRun, 'backend' | 'host'>> => {
    const s = sizes(r.datasetId, r.config.split);
    if (!s || !(r.seconds > 0)) return [];
    const where = { backend: r.backend, host: r.host, threads: r.threads };
    if (r.kind === 'finetune') return [{ kind: 'finetune', encodingWork: r.encoded ? encodingWork(r.config, s) : null, seconds: r.seconds, ...where }];
    return [{ kind: r.kind, work: trainingWork(r.kind, r.config, s), seconds: r.seconds, ...where }];
  });
}

/** The runs a checked plan will train: reused pre-trainings are done already (and their outputs cached once one of their fine-tunes finished). */
export function plannedJobs(checked: CheckedPlan, deps: Pick<PreviewDeps, 'runs' | 'datasets'>): { jobs: PlannedJobs; reused: number[] } {
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

/**
 * A worker's speeds: those of runs that trained on its host, else of runs on its backend, as
 * measured there (their wall time, whatever ran beside them); null when neither measured both kinds.
 */
function workerSlots(worker: RemoteWorker, runs: ReadonlyArray<MeasuredRun & Pick<FinishedRun, 'backend' | 'host'>>): RemoteSlots | null {
  const asMeasured = (subset: readonly MeasuredRun[]) => measuredSpeeds(subset.map((r) => ({ ...r, threads: null })));
  const onHost = asMeasured(runs.filter((r) => r.host === worker.host));
  const onBackend = asMeasured(runs.filter((r) => r.backend === worker.backend));
  const pretrain = onHost.pretrain ?? onBackend.pretrain;
  const baseline = onHost.baseline ?? onBackend.baseline;
  return pretrain === null || baseline === null ? null : { slots: worker.poolSize, pretrain, baseline };
}

/** The local pool and the cluster's workers that hold the dataset, as the projection plays them; workers without measured speeds left out. */
export function projectionPool(deps: PreviewDeps, datasetId: string, runs: ReadonlyArray<MeasuredRun & Pick<FinishedRun, 'backend' | 'host'>>, scaling: Pool['scaling']): { pool: Pool; counted: string; leftOut: string[] } {
  const workers = deps.training.poolSize();
  const remote: RemoteSlots[] = [];
  const leftOut: string[] = [];
  for (const worker of deps.training.remoteWorkersFor(datasetId)) {
    const slots = workerSlots(worker, runs);
    if (slots) remote.push(slots);
    else leftOut.push(`the worker on ${worker.host} (${worker.backend}, ${counted(worker.poolSize, 'slot')}): unknown until a pre-training and a baseline have trained on its host or backend, so not counted`);
  }
  const slots = remote.reduce((n, w) => n + w.slots, 0);
  const local = counted(workers, 'local process', 'local processes');
  return {
    pool: { workers, ...deps.training.coreSharing(), scaling, remote },
    counted: slots ? `${local} + ${counted(slots, 'slot')} on ${counted(remote.length, 'worker')}` : local,
    leftOut,
  };
}

/** Speeds from this machine's runs, each kind none of them measured filled in from every run of the backend, as measured. */
function localSpeeds(here: readonly MeasuredRun[], onBackend: readonly MeasuredRun[], scaling: ThreadScaling): Speeds {
  const own = measuredSpeeds(here, scaling);
  const anywhere = measuredSpeeds(onBackend.map((r) => ({ ...r, threads: null })));
  const missing = SPEED_KINDS.filter((k) => own[k] === null && anywhere[k] !== null);
  return { ...own, ...Object.fromEntries(missing.map((k) => [k, anywhere[k]])), asMeasured: [...own.asMeasured, ...missing] };
}

const ROUGH =
  'rough: the runs it is measured from did not record their threads, so it takes their times as they were, whatever shares the cores beside them';

/** What starting the plan will run, and how long it will take on this backend, pool and cluster, from measured speeds. */
export function previewExperiment(checked: CheckedPlan, deps: PreviewDeps): ExperimentPreview {
  const { shape } = checked;
  const backend = deps.training.backendInfo();
  const { jobs, reused } = plannedJobs(checked, deps);
  const runs = measuredRuns(deps);
  const onBackend = backend ? runs.filter((r) => r.backend === backend.name) : [];
  // This machine's runs; a kind none of them measured is read from the workers' runs of this backend, as measured there.
  const here = onBackend.filter((r) => r.host === null);
  const scaling = threadScaling(here);
  const { pool, counted: countedText, leftOut } = projectionPool(deps, checked.dataset.id, runs, scaling);
  const projection: Projection = backend
    ? projectExperiment(jobs, localSpeeds(here, onBackend, scaling), pool)
    : { seconds: null, unknown: 'unknown until a run has trained (the training process has not chosen its backend yet)', rough: false };
  return {
    variants: shape.variants.length,
    pretrainings: shape.pretrainings.length,
    reusedPretrainings: reused,
    finetunes: shape.finetunes,
    baselines: shape.baselines,
    baselineArms: shape.baselineArms.length,
    warnings: checked.warnings,
    projection: {
      seconds: projection.seconds,
      unknown: projection.unknown,
      backend: (backend?.name ?? null) as BackendName | null,
      workers: pool.workers,
      counted: countedText,
      rough: projection.rough ? ROUGH : null,
      leftOut,
    },
  };
}
