/**
 * A cluster worker, for the lab's training servers:
 *   npm run worker -- --redis URL [--data-dir DIR] [--workers N] [--allow-insecure-redis]
 * Takes pre-training and baseline jobs, for the datasets its data directory holds, from the
 * workbenches that use the same Redis, and hands each back as a run bundle. Ctrl+C stops it
 * (a job it was training is handed to another worker).
 */
import { defaultUserDataDir, resolveDataDir, resolveWorkers } from '../config/dataDir';
import { openDataDir } from '../app/openDataDir';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { DatasetService } from '../data/datasetService';
import { datasetExists } from '../data/datasetFiles';
import { ClusterWorker } from '../cluster/clusterWorker';
import { CLUSTER_OPTIONS, clusterFlags, resolveRedis } from '../cluster/connectCluster';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, readCommandLine, runCommand, UsageError, WORKERS_OPTION } from './commandLine';
import { forkSourceProcess } from './sourceProcesses';
import { counted } from '@shared/format';

const COMMAND = {
  usage: [
    'Usage: npm run worker -- --redis URL [--data-dir DIR] [--workers N] [--allow-insecure-redis]',
    '',
    'A cluster worker: trains the pre-trainings and baselines that workbenches using the same Redis queue,',
    'for the datasets this data directory holds, and sends each back as a run bundle. Ctrl+C stops it.',
    '  --redis URL        the Redis the workbenches use: redis://[user:password@]host[:port][/db], rediss:// for TLS (default: MOSEI_REDIS_URL)',
    '  --allow-insecure-redis  accept a redis:// URL without a password to another machine',
    DATA_DIR_USAGE,
    '  --workers N        jobs trained at once (default: MOSEI_WORKERS, else one per core)',
  ].join('\n'),
  options: { ...DATA_DIR_OPTION, ...WORKERS_OPTION, ...CLUSTER_OPTIONS },
} as const;

async function main(): Promise<number> {
  const { values } = readCommandLine(COMMAND);
  const redis = resolveRedis(values.redis, process.env, null, clusterFlags(values).allowInsecure);
  if (!redis) throw new UsageError('A worker needs the Redis its workbenches use: --redis URL, or MOSEI_REDIS_URL.');
  let poolSize: number | null;
  try {
    poolSize = resolveWorkers(values.workers, process.env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
  // The worker reads datasets; it writes no run into this store (the workbench that queued a job records it).
  const { db } = openDataDir(dataDir);
  const datasets = new DatasetService(dataDir, new DatasetRepository(db), new SplitRepository(db)).list().filter((d) => datasetExists(dataDir, d.id));
  db.close();
  const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
  log(`Data directory ${dataDir}: ${counted(datasets.length, 'dataset')}`);
  const worker = new ClusterWorker({ redis, dataDir, poolSize, datasets, spawn: (env) => forkSourceProcess('trainer', env), log });
  await worker.start();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      log('Stopping: the job in progress, if any, goes to another worker.');
      void worker.close(true).then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

runCommand(COMMAND, main);
