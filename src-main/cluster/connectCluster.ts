import { randomUUID } from 'node:crypto';
import type { EventSink } from '../platform/events';
import type { DatasetService } from '../data/datasetService';
import type { RunBundleService } from '../export/runBundleService';
import type { RunRepository } from '../store/runs';
import type { SettingsRepository } from '../store/settings';
import type { TrainingService } from '../training/trainingService';
import { ClusterDispatch, DEFAULT_RETRY, type RetrySettings } from './clusterDispatch';
import { parseRedisUrl, REDIS_URL_ENV, RedisUrlError, type RedisTarget } from './redisUrl';
import { WorkbenchError } from '@shared/api/contract';
import type { ClusterStatus } from '@shared/api/entities';

/** The command-line flags about the cluster (npm start, serve, train, experiment). */
export interface ClusterFlags {
  redis: string | undefined;
  allowInsecure: boolean;
}

export const CLUSTER_OPTIONS = { redis: { type: 'string' }, 'allow-insecure-redis': { type: 'boolean' } } as const;
export const CLUSTER_USAGE = [
  '  --redis URL        send pre-trainings and baselines to the workers of this Redis (redis:// or rediss://; default: MOSEI_REDIS_URL, else the saved setting)',
  '  --allow-insecure-redis  accept a redis:// URL without a password to another machine',
].join('\n');
export const clusterFlags = (values: { redis?: string; 'allow-insecure-redis'?: boolean }): ClusterFlags => ({ redis: values.redis, allowInsecure: values['allow-insecure-redis'] ?? false });

/** Settings keys kept with the data directory. */
export const REDIS_SETTING = 'cluster.redisUrl';
const WORKBENCH_ID_SETTING = 'cluster.workbenchId';
const RETRY_SETTING = 'cluster.retry';
const INSECURE_SETTING = 'cluster.allowInsecure';

/**
 * The Redis to use: `--redis URL`, else MOSEI_REDIS_URL, else the one saved in the status bar's
 * settings; null when none is set (everything runs here). A bad URL is an error naming where it came from.
 */
export function resolveRedis(flag: string | undefined, env: NodeJS.ProcessEnv, settings: SettingsRepository | null, allowInsecure = false): RedisTarget | null {
  const [text, from] =
    flag !== undefined ? [flag, '--redis']
    : env[REDIS_URL_ENV] ? [env[REDIS_URL_ENV]!, REDIS_URL_ENV]
    : [settings?.get<string>(REDIS_SETTING) ?? null, 'the Redis setting'];
  if (text === null || text.trim() === '') return null;
  try {
    return parseRedisUrl(text, allowInsecure);
  } catch (err) {
    if (err instanceof RedisUrlError) throw new RedisUrlError(`${from}: ${err.message}`);
    throw err;
  }
}

/** Attempts and backoff of remote jobs, from the settings (defaults otherwise). */
export function retrySettings(settings: SettingsRepository): RetrySettings {
  const saved = settings.get<Partial<RetrySettings>>(RETRY_SETTING) ?? {};
  return { ...DEFAULT_RETRY, ...saved };
}

/** This data directory's id on the cluster, made once. */
function workbenchId(settings: SettingsRepository): string {
  const existing = settings.get<string>(WORKBENCH_ID_SETTING);
  if (existing) return existing;
  const id = randomUUID();
  settings.set(WORKBENCH_ID_SETTING, id);
  return id;
}

/** Sends the TrainingService's pre-trainings and baselines to the cluster on `redis`; finished runs are imported by `bundles`. */
export function connectCluster(deps: {
  redis: RedisTarget;
  settings: SettingsRepository;
  runs: RunRepository;
  datasets: DatasetService;
  bundles: RunBundleService;
  events: EventSink;
  training: TrainingService;
}): ClusterDispatch {
  const dispatch = new ClusterDispatch({
    redis: deps.redis,
    workbenchId: workbenchId(deps.settings),
    events: deps.events,
    dataset: (id) => deps.datasets.get(id),
    run: (id) => deps.runs.summary(id),
    complete: (runId, bundle, label) => deps.bundles.completeRemoteRun(runId, bundle, label),
    retry: retrySettings(deps.settings),
  });
  deps.training.useRemote(dispatch);
  return dispatch;
}

/**
 * A workbench's cluster: the Redis of `--redis`/MOSEI_REDIS_URL or of the saved setting, and
 * changing that setting while the app runs. A new URL is checked (parseRedisUrl) before it is
 * saved; it is refused while runs of this workbench are on the cluster, which would lose them.
 */
export class ClusterConnection {
  private dispatch: ClusterDispatch | null = null;
  private readonly overriddenBy: string | null;

  constructor(
    private readonly deps: Omit<Parameters<typeof connectCluster>[0], 'redis'>,
    flags: ClusterFlags | null,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.overriddenBy = flags?.redis !== undefined ? '--redis' : env[REDIS_URL_ENV] ? REDIS_URL_ENV : null;
    const savedInsecure = deps.settings.get<boolean>(INSECURE_SETTING) ?? false;
    const redis = resolveRedis(flags?.redis, env, deps.settings, (flags?.allowInsecure ?? false) || (this.overriddenBy === null && savedInsecure));
    if (redis) this.dispatch = connectCluster({ ...deps, redis });
  }

  get current(): ClusterDispatch | null {
    return this.dispatch;
  }

  status(): ClusterStatus | null {
    return this.dispatch?.status() ?? null;
  }

  /** Saves a new Redis URL (null: none) and, unless --redis or MOSEI_REDIS_URL set this session's, connects to it now. */
  async set(url: string | null, allowInsecure: boolean): Promise<{ cluster: ClusterStatus | null; overriddenBy: string | null }> {
    let target: RedisTarget | null = null;
    if (url !== null && url.trim() !== '') {
      try {
        target = parseRedisUrl(url, allowInsecure);
      } catch (err) {
        if (err instanceof RedisUrlError) throw new WorkbenchError('invalid_params', err.message, [{ path: 'url', message: err.message }]);
        throw err;
      }
    }
    if (this.overriddenBy === null) {
      const remote = this.dispatch?.status();
      if (remote && remote.queued + remote.running > 0) {
        throw new WorkbenchError('conflict', `${remote.queued + remote.running} run(s) of this workbench are on the cluster ${remote.redis}. Change the Redis setting once they have finished, or cancel them first.`);
      }
    }
    this.deps.settings.set(REDIS_SETTING, target ? url!.trim() : null);
    this.deps.settings.set(INSECURE_SETTING, target && allowInsecure ? true : null);
    if (this.overriddenBy !== null) return { cluster: this.status(), overriddenBy: this.overriddenBy };
    const previous = this.dispatch;
    this.dispatch = null;
    this.deps.training.useRemote(null);
    await previous?.close();
    if (target) this.dispatch = connectCluster({ ...this.deps, redis: target });
    else this.deps.events.emit('cluster.status', null);
    return { cluster: this.status(), overriddenBy: null };
  }

  close(): Promise<void> {
    return this.dispatch?.close() ?? Promise.resolve();
  }
}
