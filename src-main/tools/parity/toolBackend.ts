/**
 * Backend switching for the parity CLI and the GRU and trajectory specs. Unlike
 * training/backend.ts (the app's "fastest that works" choice), asking for wasm here either
 * gets wasm or fails with the reason, so a parity run never silently checks another backend.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type ToolBackend = 'cpu' | 'wasm';

let wasmPathsSet = false;

function pointWasmAtPackage(): void {
  if (wasmPathsSet) return;
  // In Node the .wasm binaries are read from the package's dist folder (absolute, trailing slash).
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${dirname(entry)}/`);
  wasmPathsSet = true;
}

export async function useBackend(name: ToolBackend): Promise<void> {
  if (name === 'wasm') pointWasmAtPackage();
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
  await tf.ready();
}

/** Tries wasm once, then returns to `fallback`; the reason is for skip messages. */
export async function probeWasm(fallback: ToolBackend = 'cpu'): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await useBackend('wasm');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await useBackend(fallback);
  }
}
