/**
 * Entry of an import process: fingerprints the two files, stops if the store already has
 * them, otherwise aligns and writes the dataset cache. Main kills the process to cancel;
 * the cache is written under a temporary name and renamed at the end, so nothing is left
 * half-written.
 */
import type { FromImporter, ImportJob, ImportPhase } from '@shared/api/importerProtocol';
import { importMoseiCsd } from './csd/importCsd';
import { fingerprintFiles } from './fingerprint';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}
const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromImporter): void {
  if (electronPort) electronPort.postMessage(message);
  else if (process.connected) process.send?.(message);
}

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
      segments: result.written.segments,
      videos: result.written.videos,
      frames: result.written.frames,
      nonFiniteReplaced: result.totals.nonFiniteReplaced,
      droppedVideos: { covarepOnly: [...result.droppedVideos.onlyInCovarep], labelsOnly: [...result.droppedVideos.onlyInLabels] },
      skippedZeroLengthRows: result.totals.zeroLengthRowsSkipped,
    });
  } catch (err) {
    send({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
}

process.on('disconnect', () => process.exit(0));
const onJob = (job: ImportJob) => void run(job).finally(() => setTimeout(() => process.exit(0), 50));
if (electronPort) electronPort.on('message', (e) => onJob(e.data as ImportJob));
else process.once('message', (m) => onJob(m as ImportJob));
