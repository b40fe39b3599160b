import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName, RecurrentChoice } from '@shared/api/entities';
import { writeFileAtomically } from '../platform/atomicFile';
import { chooseRecurrentLayer, CALIBRATED_BACKENDS, timeRecurrentLayers, useRecurrentLayer } from './gru/recurrentLayer';
import { startThreadedWasm } from './wasmThreads';

const requireCjs = createRequire(import.meta.url);

export const BACKEND_LABELS: Record<BackendName, string> = { 'tensorflow-gpu': 'tfjs-node-gpu', tensorflow: 'tfjs-node', wasm: 'WASM', cpu: 'plain JS (cpu)' };

/** Fastest first: a GPU, native CPU kernels, WASM (XNNPACK, SIMD, threads), plain JavaScript. */
const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** What a started backend adds to its record. */
type Started = Pick<BackendInfo, 'threads' | 'gpu'> & { note?: string };

/** One way of starting a backend; `start` throws, in words for the researcher, when it cannot. */
export interface BackendAttempt {
  name: BackendName;
  start(): Promise<Started>;
}

/** Why a backend could not be used, in words for the researcher. */
function explain(err: unknown): string {
  const message = err instanceof Error ? err.message : String((err as { message?: unknown })?.message ?? err);
  if (/Cannot find (module|package)/.test(message)) return 'not installed';
  return message.split('\n')[0];
}

/** What MOSEI_BACKEND takes for each backend (its name, e.g. `tensorflow-gpu`, and its label work too). */
const ENV_NAMES: Record<BackendName, string> = { 'tensorflow-gpu': 'tfjs-node-gpu', tensorflow: 'tfjs-node', wasm: 'wasm', cpu: 'cpu' };

/** The backend MOSEI_BACKEND names, if any. */
export function forcedBackend(preferred: string | undefined): BackendName | undefined {
  if (!preferred) return undefined;
  const wanted = preferred.toLowerCase();
  return BACKEND_ORDER.find((b) => [b, ENV_NAMES[b], BACKEND_LABELS[b].toLowerCase()].includes(wanted));
}

function unknownPreference(preferred: string): string {
  return `MOSEI_BACKEND=${preferred} names no backend (it takes ${BACKEND_ORDER.map((b) => ENV_NAMES[b]).join(', ')})`;
}

/**
 * Starts the first backend of `attempts` that works, in their order, the one `preferred`
 * names (MOSEI_BACKEND) first; says why it was chosen and what failed before it.
 */
export async function pickBackend(attempts: readonly BackendAttempt[], preferred?: string): Promise<{ name: BackendName; reason: string } & Started> {
  const forced = forcedBackend(preferred);
  const tries = forced ? [...attempts.filter((a) => a.name === forced), ...attempts.filter((a) => a.name !== forced)] : attempts;
  const failures: string[] = [];
  for (const attempt of tries) {
    try {
      const { note, ...started } = await attempt.start();
      const chosen = forced === attempt.name ? `chosen by MOSEI_BACKEND=${preferred}` : failures.length ? `fallback: ${failures.join('; ')}` : 'fastest available';
      const why = preferred && !forced ? `${unknownPreference(preferred)}; ${chosen}` : chosen;
      return { name: attempt.name, reason: note ? `${why}; ${note}` : why, ...started };
    } catch (err) {
      failures.push(`${BACKEND_LABELS[attempt.name]} ${explain(err)}`);
    }
  }
  const unknown = preferred && !forced ? ` (${unknownPreference(preferred)})` : '';
  throw new Error(`No TensorFlow.js backend could start${unknown}: ${failures.join('; ')}`);
}

/** `nvidia-smi --query-gpu=name --format=csv,noheader` output: one GPU name a line. */
export function parseGpuNames(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The machine's GPUs by name, as CUDA_VISIBLE_DEVICES lets this process see them (empty when nvidia-smi cannot tell). */
function gpuNames(): string[] {
  try {
    return parseGpuNames(execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return [];
  }
}

/** The most XNNPACK threads one process may use here (tfjs caps its pool at 8). */
export const maxWasmThreads = (cores = availableParallelism()) => Math.max(1, Math.min(8, cores));

export interface BackendOptions {
  /** XNNPACK threads the WASM backend starts with (it can change them later: see wasmThreads.ts); 0 keeps the single-threaded build. */
  wasmThreads?: number;
  /** Where timings of the GRU implementations are kept per backend (one-off); none: timed at every start. */
  calibrationFile?: string;
  /** Where the threaded WASM build's scripts are written (see wasmThreads.ts); none: the system's temporary folder. */
  wasmScriptDir?: string;
}

function wasmFolder(): string {
  return join(dirname(requireCjs.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')), '/');
}

/** The real attempts, in BACKEND_ORDER. */
function attempts(options: BackendOptions): BackendAttempt[] {
  const threads = options.wasmThreads ?? 1;
  return [
    {
      name: 'tensorflow-gpu',
      start: async () => {
        // Each training process takes GPU memory as it needs it, so processes can share a GPU.
        process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';
        requireCjs('@tensorflow/tfjs-node-gpu');
        if (!(await tf.setBackend('tensorflow'))) throw new Error('registered but failed to initialise');
        const names = gpuNames();
        return { gpu: { name: names[0] ?? 'a CUDA GPU (nvidia-smi could not name it)', count: Math.max(1, names.length) } };
      },
    },
    {
      name: 'tensorflow',
      start: async () => {
        // tfjs-node registers the 'tensorflow' backend when loaded; it is an optional dependency.
        requireCjs('@tensorflow/tfjs-node');
        if (!(await tf.setBackend('tensorflow'))) throw new Error('registered but failed to initialise');
        return {};
      },
    },
    {
      name: 'wasm',
      start: async () => {
        const max = maxWasmThreads();
        if (threads > 0) {
          try {
            const started = await startThreadedWasm(Math.min(threads, max), wasmFolder(), options.wasmScriptDir);
            return { threads: { current: started.threads, max } };
          } catch (err) {
            // The single-threaded build may still work (tfjs keeps the factory and runs it again).
            tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
            if (!(await tf.setBackend('wasm'))) throw new Error(`failed to initialise, threaded (${explain(err)}) or not`);
            return { threads: null, note: `one thread (the threaded build failed: ${explain(err)})` };
          }
        }
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(wasmFolder());
        if (!(await tf.setBackend('wasm'))) throw new Error('failed to initialise');
        return { threads: null };
      },
    },
    {
      name: 'cpu',
      start: async () => {
        await tf.setBackend('cpu');
        return {};
      },
    },
  ];
}

/** Timings kept per backend, so the one-off calibration runs once per backend, version and GPU. */
function calibrationKey(info: Pick<BackendInfo, 'name' | 'tfjsVersion' | 'gpu'>): string {
  return [info.name, info.tfjsVersion, info.gpu?.name ?? ''].join('|');
}

/**
 * The GRU implementation for a started backend (see chooseRecurrentLayer): on the native
 * backends both are timed once (`time`) and the timing kept in `file` under the backend, its
 * version and its GPU, so later processes read it instead.
 */
export async function recurrentChoiceFor(
  info: Pick<BackendInfo, 'name' | 'tfjsVersion' | 'gpu'>,
  file: string | undefined,
  time: () => Promise<{ fused: number; autograd: number }> = timeRecurrentLayers,
): Promise<RecurrentChoice> {
  if (!CALIBRATED_BACKENDS.includes(info.name)) return chooseRecurrentLayer(info.name, null);
  const key = calibrationKey(info);
  let kept: Record<string, { fused: number; autograd: number }> = {};
  try {
    if (file && existsSync(file)) kept = JSON.parse(readFileSync(file, 'utf8')) as typeof kept;
  } catch {
    kept = {}; // a damaged file is timed again
  }
  let measured = kept[key];
  if (!measured || !Number.isFinite(measured.fused) || !Number.isFinite(measured.autograd)) {
    measured = await time();
    if (file) {
      writeFileAtomically(file, JSON.stringify({ ...kept, [key]: measured }, null, 2));
    }
  }
  return chooseRecurrentLayer(info.name, measured);
}

/**
 * Chooses the fastest backend that works here: tfjs-node-gpu, tfjs-node, then WASM (threaded
 * when it can be), then plain JS; `preferred` (MOSEI_BACKEND) forces one, still falling back
 * if it fails. Then picks the GRU implementation for it (see recurrentLayer.ts).
 */
export async function chooseBackend(preferred?: string, options: BackendOptions = {}): Promise<BackendInfo> {
  const { name, reason, threads, gpu } = await pickBackend(attempts(options), preferred);
  await tf.ready();
  const info = { name, reason, tfjsVersion: tf.version.tfjs, threads: threads ?? null, gpu: gpu ?? null };
  const recurrent = await recurrentChoiceFor(info, options.calibrationFile);
  useRecurrentLayer(recurrent.layer);
  return { ...info, recurrent };
}
