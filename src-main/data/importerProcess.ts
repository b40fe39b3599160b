/**
 * Entry of an import process: fingerprints the two files, stops if the store already has
 * them, otherwise aligns and writes the dataset cache. Main kills the process to cancel;
 * the cache is written under a temporary name and renamed at the end, so nothing is left
 * half-written.
 */
import type { FromImporter, ImportJob, ImportPhase } from '@shared/api/importerProtocol';
import { importMoseiCsd } from './csd/importCsd';
import { fingerprintFiles } from './fingerprint';
import { summariseImport } from './importSummary';
import { onParentMessage, sendToParent } from '../platform/parentPort';

const send = (message: FromImporter) => sendToParent(message);

/** At most a few progress messages a second, whatever the file size. */
function throttled(phase: ImportPhase) {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (now - last < 200 && done < total) return;
    last = now;
    send({ type: 'progress', phase, done, total });
  };
}

async function run(job: ImportJob): Promise<void> {
  try {
    const fingerprint = await fingerprintFiles([job.covarepPath, job.labelsPath], throttled('fingerprint'));
    if (job.knownFingerprints.includes(fingerprint)) {
      send({ type: 'duplicate', fingerprint });
      return;
    }
    const result = await importMoseiCsd({ ...job, onProgress: throttled('align') });
    send({
      type: 'done',
      fingerprint,
      summary: summariseImport(result),
      droppedVideos: { covarepOnly: [...result.droppedVideos.onlyInCovarep], labelsOnly: [...result.droppedVideos.onlyInLabels] },
    });
  } catch (err) {
    send({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
}

let started = false;
onParentMessage((m) => {
  if (started) return; // one import per process
  started = true;
  void run(m as ImportJob).finally(() => setTimeout(() => process.exit(0), 50));
});
