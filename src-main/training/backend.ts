import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName } from '@shared/api/entities';

const requireCjs = createRequire(import.meta.url);

/** Why a backend could not be used, in words for the researcher. */
function explain(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)/.test(message)) return 'not installed';
  return message.split('\n')[0];
}

async function tryTfjsNode(): Promise<void> {
  // tfjs-node registers the 'tensorflow' backend when loaded; it is an optional dependency.
  requireCjs('@tensorflow/tfjs-node');
  if (!(await tf.setBackend('tensorflow'))) throw new Error('registered but failed to initialise');
}

async function tryWasm(): Promise<void> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  // In Node the .wasm binaries are read from the package's dist folder.
  const dist = dirname(requireCjs.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(join(dist, '/'));
  if (!(await tf.setBackend('wasm'))) throw new Error('failed to initialise');
}

const ATTEMPTS: Record<BackendName, () => Promise<void>> = {
  tensorflow: tryTfjsNode,
  wasm: tryWasm,
  cpu: async () => {
    await tf.setBackend('cpu');
  },
};

const LABELS: Record<BackendName, string> = { tensorflow: 'tfjs-node', wasm: 'WASM', cpu: 'plain JS (cpu)' };

/**
 * Chooses the fastest backend that works here: tfjs-node, then WASM, then plain JS.
 * `preferred` (from MOSEI_BACKEND) forces one, still falling back if it fails.
 */
export async function chooseBackend(preferred?: string): Promise<BackendInfo> {
  const order: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
  const forced = order.find((b) => b === preferred || LABELS[b] === preferred || (preferred === 'tfjs-node' && b === 'tensorflow'));
  const tries = forced ? [forced, ...order.filter((b) => b !== forced)] : order;
  const failures: string[] = [];
  for (const name of tries) {
    try {
      await ATTEMPTS[name]();
      await tf.ready();
      const why = forced === name ? `chosen by MOSEI_BACKEND=${preferred}` : failures.length ? `fallback: ${failures.join('; ')}` : 'fastest available';
      return { name, reason: why, tfjsVersion: tf.version.tfjs };
    } catch (err) {
      failures.push(`${LABELS[name]} ${explain(err)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${failures.join('; ')}`);
}
