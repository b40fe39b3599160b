import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { processCpuMilliseconds } from './cpuClock';

// A machine shared with other work may give a thread a fraction of a core: the tests wait for
// CPU time to pass (up to a wall-clock deadline), never for a fixed wall time.
const DEADLINE_MS = 15_000;

describe('processCpuMilliseconds', () => {
  it('advances while the main thread computes', () => {
    const start = processCpuMilliseconds();
    const giveUp = Date.now() + DEADLINE_MS;
    while (processCpuMilliseconds() - start < 50 && Date.now() < giveUp);
    expect(processCpuMilliseconds() - start).toBeGreaterThanOrEqual(50);
  });

  it('counts the CPU time of the process\'s other threads (as XNNPACK\'s workers are) while the main thread waits', async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    // Once started (starting a thread costs CPU time too), the worker spins until told to stop;
    // this thread only looks at the clock between waits.
    const worker = new Worker(`const { parentPort, workerData } = require('node:worker_threads'); parentPort.postMessage('spinning'); while (Atomics.load(workerData, 0) === 0);`, {
      eval: true,
      workerData: stop,
    });
    try {
      await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
      const start = processCpuMilliseconds();
      const giveUp = Date.now() + DEADLINE_MS;
      while (processCpuMilliseconds() - start < 300 && Date.now() < giveUp) await sleep(100);
      expect(processCpuMilliseconds() - start).toBeGreaterThanOrEqual(300);
    } finally {
      Atomics.store(stop, 0, 1);
      await worker.terminate();
    }
  });

  it('stands nearly still while the process waits and the wall clock runs on', async () => {
    const cpu = processCpuMilliseconds();
    const wall = Date.now();
    await sleep(500);
    expect(Date.now() - wall).toBeGreaterThanOrEqual(490);
    expect(processCpuMilliseconds() - cpu).toBeLessThan(250);
  });
});
