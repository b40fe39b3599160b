import type { BackendName, EpochRecord, RunKind, RunProgress } from '@shared/api/entities';
import type { TrainerJob } from '@shared/api/trainerProtocol';

/**
 * What the TrainingService needs of a cluster: whether a queued job goes to a remote worker,
 * handing it over, cancelling it, and hearing back. The local pool is unchanged when none
 * is given. Implemented over BullMQ by ClusterDispatch; fakes in tests.
 */
export interface RemoteDispatch {
  /** Whether this job should run on a worker now (see `placeJob`). */
  takes(job: TrainerJob): boolean;
  /** Hands the job over; what happens to it comes back through `sink`. */
  submit(job: TrainerJob, sink: RemoteRunSink): void;
  /** Asks a job it holds to stop; false when it holds none for this run. */
  cancel(runId: number): boolean;
  /** The live workers that hold this dataset, so would take its pre-trainings and baselines (none while Redis is unreachable). */
  workersFor(datasetId: string): RemoteWorker[];
  /** Called whenever the cluster changes (a worker came or went), so waiting jobs are placed again. */
  onChange(listener: () => void): void;
  // No close(): whoever connects the cluster (ClusterConnection) closes it, once.
}

/** What a remote run reports, mapped by the TrainingService onto the store and events. */
export interface RemoteRunSink {
  /** The worker on `host` started the run; with its machine's cores and its process's threads when it says. */
  started(runId: number, backend: BackendName, backendReason: string, on: { host: string; cores: number | null; threads: number | null }): void;
  progress(progress: RunProgress): void;
  /** Shown live; the epochs recorded are the run bundle's, imported when the run is done. */
  epoch(runId: number, record: EpochRecord): void;
  log(runId: number, level: 'info' | 'warn' | 'error', message: string): void;
  /** The run ended; for `done`, its bundle has been imported into the store already. */
  finished(runId: number, status: 'done' | 'failed' | 'cancelled', error: string | null): void;
}

/** A worker as projected times see it: where it runs, on which backend, and how many jobs it trains at once. */
export interface RemoteWorker {
  host: string;
  backend: BackendName;
  poolSize: number;
}

/** A worker as far as placement is concerned: the datasets it holds. */
export interface PlacementWorker {
  datasets: ReadonlyArray<{ fingerprint: string }>;
}

/**
 * Where a job runs. Pre-trainings and baselines (minutes to hours) go to a worker when a live
 * one holds their dataset; fine-tunes stay here: they train a Dense(6) head on cached encoder
 * outputs in milliseconds per epoch, less than a queue round trip.
 */
export function placeJob(kind: RunKind, fingerprint: string | null, workers: readonly PlacementWorker[]): 'remote' | 'local' {
  if (kind === 'finetune' || fingerprint === null) return 'local';
  return workers.some((w) => w.datasets.some((d) => d.fingerprint === fingerprint)) ? 'remote' : 'local';
}
