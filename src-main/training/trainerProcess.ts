/**
 * Entry of the training process: an Electron utilityProcess in the desktop app, a Node
 * child process in browser mode and the CLI. It owns TensorFlow.js, runs one job at a
 * time and reports everything to main, which is the only writer of the run store.
 */
import type { FromTrainer, ToTrainer, TrainerJob } from '@shared/api/trainerProtocol';
import { chooseBackend } from './backend';
import { onParentMessage, sendToParent } from '../platform/parentPort';
import { runJob } from './jobs/runJob';

const send = (message: FromTrainer) => sendToParent(message);
const onMessage = (listener: (message: ToTrainer) => void) => onParentMessage((m) => listener(m as ToTrainer));

let cancelledRunId: number | null = null;
let busy = false;

async function run(job: TrainerJob, backend: { name: 'tensorflow' | 'wasm' | 'cpu'; reason: string }): Promise<void> {
  busy = true;
  cancelledRunId = null;
  try {
    await runJob(job, backend, send, () => cancelledRunId === job.runId);
  } finally {
    busy = false;
  }
}

async function main(): Promise<void> {
  const backend = await chooseBackend(process.env.MOSEI_BACKEND);
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
      case 'shutdown':
        process.exit(0);
    }
  });
}

main().catch((err) => {
  send({ type: 'log', level: 'error', message: `Training process could not start: ${err instanceof Error ? err.message : String(err)}` });
  process.exit(1);
});
