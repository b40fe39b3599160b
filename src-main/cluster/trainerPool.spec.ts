import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '@shared/api/entities';
import type { ProcessChannel } from '../platform/workerProcesses';
import { calibrationFile, wasmScriptDir } from '../training/trainerEnv';
import { TrainerPool } from './trainerPool';

/** A training process double: says ready with `backend` as soon as it is listened to, or exits first when `dies`. */
function fakeSpawns(backend: BackendInfo, dies = false) {
  const spawned: Array<{ env: Record<string, string>; killed: boolean }> = [];
  const spawn = (env: Record<string, string>): ProcessChannel => {
    const record = { env, killed: false };
    spawned.push(record);
    let exit: ((code: number | null, signal: string | null) => void) | null = null;
    return {
      send: () => undefined,
      onMessage: (listener) => {
        if (!dies) queueMicrotask(() => listener({ type: 'ready', backend }));
      },
      onExit: (listener) => {
        exit = listener;
        if (dies) queueMicrotask(() => exit?.(1, null));
      },
      kill: () => {
        record.killed = true;
      },
    };
  };
  return { spawn, spawned };
}

const WASM: BackendInfo = { name: 'wasm', reason: 'test', tfjsVersion: '4' };
const GPU: BackendInfo = { name: 'tensorflow-gpu', reason: 'test', tfjsVersion: '4', gpu: { name: 'test GPU', count: 2 } };
const settled = () => new Promise((r) => setTimeout(r, 20));

describe('TrainerPool', () => {
  it('hands out at most its limit of processes at once, across every caller, and the next waits for one handed back', async () => {
    const { spawn, spawned } = fakeSpawns(WASM);
    const pool = new TrainerPool(spawn, '/data');
    pool.limit(2);
    const a = await pool.acquire();
    await pool.acquire();
    let third = false;
    const waiting = pool.acquire().then((t) => ((third = true), t));
    await settled();
    expect(third).toBe(false);
    expect(spawned).toHaveLength(2);
    pool.release(a);
    expect(await waiting).toBe(a);
    expect(spawned).toHaveLength(2);
  });

  it('frees the place of a process that failed to start, and of one discarded', async () => {
    const dead = fakeSpawns(WASM, true);
    const pool = new TrainerPool(dead.spawn, '/data');
    await expect(pool.acquire()).rejects.toThrow(/exited before it was ready \(code 1/);
    await expect(pool.acquire()).rejects.toThrow(/exited before it was ready/);

    const live = fakeSpawns(WASM);
    const other = new TrainerPool(live.spawn, '/data');
    const t = await other.acquire();
    other.discard(t);
    expect(live.spawned[0].killed).toBe(true);
    await expect(Promise.race([other.acquire(), settled().then(() => 'still waiting')])).resolves.not.toBe('still waiting');
  });

  it("starts its processes with the workbench's environment: the data directory's GRU timings and, on GPUs, a GPU each", async () => {
    const { spawn, spawned } = fakeSpawns(GPU);
    const pool = new TrainerPool(spawn, '/data');
    pool.limit(2);
    await pool.acquire();
    await pool.acquire();
    expect(spawned[0].env).toEqual({ MOSEI_CALIBRATION_FILE: calibrationFile('/data'), MOSEI_WASM_SCRIPT_DIR: wasmScriptDir('/data') });
    expect(spawned[1].env).toMatchObject({ MOSEI_CALIBRATION_FILE: calibrationFile('/data'), CUDA_VISIBLE_DEVICES: '1' });
  });
});
