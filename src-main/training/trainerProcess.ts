/**
 * Entry of the training process: an Electron utilityProcess in the desktop app, a Node
 * child process in browser mode and the CLI. It owns TensorFlow.js, runs one job at a
 * time and reports everything to main, which is the only writer of the run store.
 */
import type { BackendInfo } from '@shared/api/entities';
import type { FromTrainer, ToTrainer, TrainerJob } from '@shared/api/trainerProtocol';
import { chooseBackend } from './backend';
import { onParentMessage, sendToParent } from '../platform/parentPort';
import { runJob } from './jobs/runJob';
import { idleWasmWorkers, setWasmThreads } from './wasmThreads';

const send = (message: FromTrainer) => sendToParent(message);
const onMessage = (listener: (message: ToTrainer) => void) => onParentMessage((m) => listener(m as ToTrainer));

let cancelledRunId: number | null = null;
let busy = false;

async function run(job: TrainerJob, backend: BackendInfo): Promise<void> {
  busy = true;
  cancelledRunId = null;
  try {
    // The run records the backend and the GRU implementation it trained with.
    await runJob(job, { name: backend.name, reason: backend.recurrent ? `${backend.reason}; ${backend.recurrent.why}` : backend.reason }, send, () => cancelledRunId === job.runId);
  } finally {
    busy = false;
  }
}

/** Applies the pool's share of cores (between operations) and says what this process uses now. */
function useThreads(backend: BackendInfo, count: number): void {
  if (!backend.threads) return;
  const { max } = backend.threads;
  const current = setWasmThreads(Math.max(1, Math.min(count, max)));
  backend.threads = { current, max };
  send({ type: 'threads', current, max, canGrow: (idleWasmWorkers() ?? 0) >= max - 1 });
}

/** MOSEI_WASM_THREADS=0 keeps WASM single-threaded (the threaded build's 8 idle workers cost ~140 MB per process). */
function startingThreads(): number {
  const value = process.env.MOSEI_WASM_THREADS;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : 1;
}

async function main(): Promise<void> {
  const backend = await chooseBackend(process.env.MOSEI_BACKEND, {
    wasmThreads: startingThreads(),
    calibrationFile: process.env.MOSEI_CALIBRATION_FILE,
    wasmScriptDir: process.env.MOSEI_WASM_SCRIPT_DIR,
  });
  send({ type: 'ready', backend });
  onMessage((message) => {
    switch (message.type) {
      case 'start':
        if (busy) send({ type: 'failed', runId: message.job.runId, error: 'The training process is busy with another run.' });
        else void run(message.job, backend);
        break;
      case 'cancel':
        cancelledRunId = message.runId;
        break;
      case 'threads':
        useThreads(backend, message.count);
        break;
      case 'shutdown':
        process.exit(0);
    }
  });
}

main().catch((err) => {
  send({ type: 'log', level: 'error', message: `Training process could not start: ${err instanceof Error ? err.message : String(err)}` });
  process.exit(1);
});
