import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { openHeadless } from '../cli/headless';

/** Debian's redis-server, or one on the PATH's usual place; null when none is installed. */
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? null;

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

/** redis-server on a loopback port, nothing saved to disk; `detached`: in a process group of its own. */
export function spawnRedis(port: number, detached = false): ChildProcess {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed (Debian: apt-get install redis-server).');
  return spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()], { stdio: 'ignore', detached });
}

/** A throwaway redis-server on a free loopback port (nothing saved to disk), for the cluster bench and spec. */
export async function startLocalRedis(): Promise<{ url: string; port: number; process: ChildProcess; stop(): void }> {
  const port = await freePort();
  const child = spawnRedis(port);
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  probe.on('error', () => undefined);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if ((await probe.ping().catch(() => null)) === 'PONG') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      probe.disconnect();
      throw new Error(`redis-server did not answer on port ${port} within 20 s.`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  probe.disconnect();
  return { url: `redis://127.0.0.1:${port}`, port, process: child, stop: () => void child.kill('SIGKILL') };
}

/** Adds the small built-in dataset to a data directory (a fresh one holds only the 2,400-segment controls, slow for the cluster spec and bench). */
export async function withBuiltinDataset(dataDir: string): Promise<void> {
  const h = await openHeadless(dataDir);
  try {
    await h.datasets.ensureBuiltin();
  } finally {
    await h.close();
  }
}
