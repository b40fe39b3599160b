import { randomUUID } from 'node:crypto';
import type { EventSink } from '../platform/events';
import type { DatasetService } from '../data/datasetService';
import type { RunBundleService } from '../export/runBundleService';
import type { RunRepository } from '../store/runs';
import type { SettingsRepository } from '../store/settings';
import type { TrainingService } from '../training/trainingService';
import { ClusterDispatch, DEFAULT_RETRY, type RetrySettings } from './clusterDispatch';
import { parseRedisUrl, REDIS_URL_ENV, RedisUrlError, type RedisTarget } from './redisUrl';

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
