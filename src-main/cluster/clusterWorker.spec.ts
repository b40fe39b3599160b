/** The worker against a real redis-server, with training process doubles (no training happens). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo, DatasetSummary } from '@shared/api/entities';
import { quickTrainConfig } from '@shared/model/presets';
import type { ProcessChannel } from '../platform/workerProcesses';
import { REDIS_SERVER, startLocalRedis } from '../bench/localRedis';
import { ClusterWorker } from './clusterWorker';
import { ANNOUNCE_EVERY_MS, queueName, workerKey, WorkerAnnouncement, type RemoteJobData } from './protocol';
import { parseRedisUrl } from './redisUrl';
import { until } from '../../test/until';

const BACKEND: BackendInfo = { name: 'wasm', reason: 'test', tfjsVersion: '4' };

/** Training process doubles: each says ready, or exits before that once `failNext` is set; `exit(i)` ends the i-th. */
function doubles() {
  const exits: Array<() => void> = [];
  const state = { failNext: false };
  const spawn = (): ProcessChannel => {
    const fails = state.failNext;
    let onExit: ((code: number | null, signal: string | null) => void) | null = null;
    exits.push(() => onExit?.(1, null));
    return {
      send: () => undefined,
      onMessage: (l) => {
        if (!fails) queueMicrotask(() => l({ type: 'ready', backend: BACKEND }));
      },
      onExit: (l) => {
        onExit = l;
        if (fails) queueMicrotask(() => l(1, null));
      },
      kill: () => undefined,
    };
  };
  return { spawn, exits, state };
}

describe.skipIf(!REDIS_SERVER)('ClusterWorker on a real redis-server', () => {
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  let client: Redis;
  const dataDir = mkdtempSync(join(tmpdir(), 'wb-worker-'));

  beforeAll(async () => {
    redis = await startLocalRedis();
    client = new Redis(redis.url);
  }, 30_000);

  afterAll(() => {
    client?.disconnect();
    redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a job whose training process fails to start fails (to be retried) and leaves the worker announced idle', async () => {
    const dataset = { id: 'd', name: 'D', fingerprint: 'fp-start' } as DatasetSummary;
    const { spawn, exits, state } = doubles();
    const lines: string[] = [];
    const worker = new ClusterWorker({ redis: parseRedisUrl(redis.url), dataDir, poolSize: 1, datasets: [dataset], spawn, log: (l) => void lines.push(l), host: 'test-host' });
    const queue = new Queue(queueName('fp-start'), { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      await worker.start();
      // The process that told the backend exits while idle; the job's own process then dies before it is ready.
      exits[0]();
      state.failNext = true;
      const data: RemoteJobData = { workbenchId: 'wb', runId: 7, kind: 'baseline', name: 'b', createdAt: new Date().toISOString(), dataset: { fingerprint: 'fp-start', name: 'D' }, config: quickTrainConfig(), split: { train: [0], validation: [1], test: [] } };
      await queue.add('baseline', data, { jobId: 'wb-run7' });

      await until('the job to fail', async () => (await queue.getJobState('wb-run7')) === 'failed');
      expect(lines.join('\n')).toMatch(/Failed run #7 \(baseline "b"\): The training process exited before it was ready \(code 1/);
      // Read after the next periodic announcement, which says what the worker holds then.
      await new Promise((r) => setTimeout(r, ANNOUNCE_EVERY_MS + 500));
      const announced = WorkerAnnouncement.parse(JSON.parse((await client.get(workerKey(worker.id)))!));
      expect(announced).toMatchObject({ host: 'test-host', running: [] });
    } finally {
      await worker.close(true);
      await queue.close();
    }
  });
});
