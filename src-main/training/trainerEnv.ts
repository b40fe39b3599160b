import { join } from 'node:path';
import type { BackendInfo } from '@shared/api/entities';

/** Where a data directory keeps the one-off timings of the GRU implementations per backend (see backend.ts). */
export const calibrationFile = (dataDir: string) => join(dataDir, 'backend-calibration.json');
/** Where a data directory keeps the threaded WASM build's scripts (see wasmThreads.ts). */
export const wasmScriptDir = (dataDir: string) => join(dataDir, 'wasm-threads');

/**
 * The environment of a new training process, the same for the workbench's pool and a cluster
 * worker's: the data directory's GRU timings (so every process picks the implementation timed
 * once, not one of its own) and, on GPUs, a GPU of its own. `backend` is null until the first
 * process said which one it chose; `takenSlots` are the GPUs of the processes still alive.
 */
export function trainerEnv(dataDir: string, backend: Pick<BackendInfo, 'name'> | null, takenSlots: Iterable<number>): { env: Record<string, string>; gpuSlot: number | null } {
  const env: Record<string, string> = { MOSEI_CALIBRATION_FILE: calibrationFile(dataDir), MOSEI_WASM_SCRIPT_DIR: wasmScriptDir(dataDir) };
  if (backend?.name !== 'tensorflow-gpu') return { env, gpuSlot: null };
  // The first process saw every GPU and trains on GPU 0; each further one gets a free GPU of its own.
  const taken = new Set(takenSlots);
  let slot = 0;
  while (taken.has(slot)) slot++;
  return { env: { ...env, CUDA_VISIBLE_DEVICES: String(slot) }, gpuSlot: slot };
}
