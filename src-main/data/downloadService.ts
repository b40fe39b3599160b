import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorkbenchError } from '@shared/api/contract';
import type { ChosenFile, DownloadStatus } from '@shared/api/entities';
import type { EventSink } from '../platform/events';
import { downloadFile, OFFICIAL_SOURCES } from './download';

type Sources = typeof OFFICIAL_SOURCES;

/**
 * Fetches the two official CMU-MOSEI files into a folder (labels first: small, so a wrong
 * network setup shows at once), resuming partial downloads, with progress and ETA. Network
 * I/O only: it runs in main without blocking it. Once done, the two files are handed out
 * as file handles, ready for the import.
 */
export class DownloadService {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly events: EventSink,
    /** A one-time handle for a downloaded file (see FileHandles). */
    private readonly handOut: (path: string) => ChosenFile,
    private readonly sources: Sources = OFFICIAL_SOURCES,
  ) {}

  start(folder: string): { jobId: string } {
    const dir = resolve(folder);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new WorkbenchError('invalid_params', `The folder ${dir} cannot be created: ${(err as Error).message}`);
    }
    if (this.running.size) throw new WorkbenchError('conflict', 'A download is already running; wait for it or cancel it.');
    const jobId = randomBytes(6).toString('hex');
    const controller = new AbortController();
    this.running.set(jobId, controller);
    const paths = { covarepPath: join(dir, this.sources.covarep.fileName), labelsPath: join(dir, this.sources.labels.fileName) };
    const status = (s: Pick<DownloadStatus, 'status' | 'error'>, files: DownloadStatus['files'] = null) =>
      this.events.emit('download.status', { jobId, folder: dir, files, ...s });
    status({ status: 'running', error: null });
    void (async () => {
      try {
        for (const file of ['labels', 'covarep'] as const) {
          const started = Date.now();
          let startBytes: number | null = null;
          let last = 0;
          await downloadFile(this.sources[file], file === 'labels' ? paths.labelsPath : paths.covarepPath, {
            signal: controller.signal,
            onProgress: (done, total) => {
              startBytes ??= done;
              const now = Date.now();
              if (now - last < 250 && done !== total) return;
              last = now;
              const rate = (done - startBytes) / Math.max((now - started) / 1000, 1e-3);
              const eta = total !== null && rate > 0 ? (total - done) / rate : null;
              this.events.emit('download.progress', { jobId, file, bytesDone: done, bytesTotal: total, etaSeconds: eta });
            },
          });
        }
        status({ status: 'done', error: null }, { covarep: this.handOut(paths.covarepPath), labels: this.handOut(paths.labelsPath) });
      } catch (err) {
        if (controller.signal.aborted) status({ status: 'cancelled', error: null });
        else status({ status: 'failed', error: (err as Error).message });
      } finally {
        this.running.delete(jobId);
      }
    })();
    return { jobId };
  }

  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId);
    if (!controller) throw new WorkbenchError('not_found', `No download ${jobId} is running.`);
    controller.abort();
    return true;
  }
}
