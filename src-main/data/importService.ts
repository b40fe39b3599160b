import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorkbenchError } from '@shared/api/contract';
import type { ImportStatus } from '@shared/api/entities';
import { FromImporter, type ImportJob, type ImportPhase } from '@shared/api/importerProtocol';
import { FEATURE_COUNT } from '@shared/emotions';
import type { EventSink } from '../platform/events';
import type { ProcessChannel } from '../platform/workerProcesses';
import type { DatasetRepository } from '../store/datasets';
import { removeDataset } from './datasetFiles';
import { nonRegularFileKind } from './fileKind';
import { importNotes } from './importSummary';

export interface ImportRequest {
  covarepPath: string;
  labelsPath: string;
  name?: string;
  reportPath?: string;
  /**
   * How messages and the dataset's record name the two files when their paths mean nothing to
   * the user (an upload's copy in the data directory: its original file name).
   */
  displayNames?: { covarep: string; labels: string };
}

/** Replaces the two files' paths in a message by the names the user knows them by. */
function fileNamer(request: ImportRequest): (text: string) => string {
  const names = request.displayNames;
  if (!names) return (text) => text;
  const pairs: Array<[string, string]> = [
    [resolve(request.covarepPath), names.covarep],
    [resolve(request.labelsPath), names.labels],
  ];
  return (text) => pairs.reduce((t, [path, name]) => t.split(path).join(name), text);
}

function checkReadableFile(path: string, role: string): string {
  const full = resolve(path);
  let size: number;
  try {
    const stat = statSync(full);
    const kind = nonRegularFileKind(stat);
    if (kind) throw new WorkbenchError('invalid_params', `The ${role} path is ${kind}, not a file: ${full}. Choose the .csd file itself.`);
    accessSync(full, constants.R_OK);
    size = stat.size;
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    const code = (err as { code?: string }).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : `cannot be opened${code ? ` (${code})` : ''}`;
    throw new WorkbenchError('invalid_params', `The ${role} file ${why}: ${full}. Check the path and that you may read the file.`);
  }
  if (size === 0) throw new WorkbenchError('invalid_params', `The ${role} file is empty (0 bytes): ${full}. The download probably failed; download it again.`);
  return full;
}

interface RunningImport {
  channel: ProcessChannel;
  datasetId: string;
  name: string;
  request: ImportRequest;
  phase: ImportPhase | null;
  phaseStarted: number;
  settled: boolean;
  outcome: ImportStatus['status'];
}

/**
 * Imports a COVAREP + labels pair in its own process (one per import), records the
 * dataset when it is complete, and reports progress with an ETA. Cancel kills the
 * process; the dataset folder is only renamed into place at the very end, and main
 * removes whatever a killed import may have left.
 */
export class ImportService {
  private readonly running = new Map<string, RunningImport>();

  constructor(
    private readonly dataDir: string,
    private readonly datasets: DatasetRepository,
    private readonly spawn: () => ProcessChannel,
    private readonly events: EventSink,
  ) {}

  start(request: ImportRequest): { jobId: string } {
    const named = fileNamer(request);
    const check = (path: string, role: string) => {
      try {
        return checkReadableFile(path, role);
      } catch (err) {
        throw err instanceof WorkbenchError ? new WorkbenchError(err.code, named(err.message)) : err;
      }
    };
    const covarepPath = check(request.covarepPath, 'COVAREP');
    const labelsPath = check(request.labelsPath, 'labels');
    if (covarepPath === labelsPath) throw new WorkbenchError('invalid_params', 'The COVAREP and labels paths name the same file.');
    const jobId = randomBytes(6).toString('hex');
    const datasetId = `mosei-${new Date().toISOString().slice(0, 10)}-${jobId}`;
    const name = request.name?.trim() || `CMU-MOSEI COVAREP (imported ${new Date().toLocaleDateString('en-GB')})`;
    const channel = this.spawn();
    const job: RunningImport = { channel, datasetId, name, request: { ...request, covarepPath, labelsPath }, phase: null, phaseStarted: Date.now(), settled: false, outcome: 'running' };
    this.running.set(jobId, job);
    channel.onMessage((raw) => this.handle(jobId, raw));
    channel.onExit((code, signal) => {
      // Whatever a cancelled or crashed import wrote is removed once its process is gone.
      if (job.outcome !== 'done') removeDataset(this.dataDir, datasetId);
      if (!job.settled) this.settle(jobId, { status: 'failed', error: `The import process stopped unexpectedly (exit code ${code ?? '-'}, signal ${signal ?? '-'}). Nothing was imported.` });
    });
    const message: ImportJob = {
      covarepPath,
      labelsPath,
      dataDir: this.dataDir,
      datasetId,
      reportPath: request.reportPath ? resolve(request.reportPath) : undefined,
      knownFingerprints: this.datasets.list().map((d) => d.fingerprint),
      recorderPid: process.pid,
    };
    channel.send(message);
    this.emitStatus(jobId, { status: 'running' });
    return { jobId };
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) throw new WorkbenchError('not_found', `No import ${jobId} is running.`);
    this.settle(jobId, { status: 'cancelled' });
    job.channel.kill();
    return true;
  }

  private handle(jobId: string, raw: unknown): void {
    const job = this.running.get(jobId);
    const parsed = FromImporter.safeParse(raw);
    if (!job || job.settled || !parsed.success) return;
    const m = parsed.data;
    switch (m.type) {
      case 'progress': {
        if (job.phase !== m.phase) {
          job.phase = m.phase;
          job.phaseStarted = Date.now();
        }
        const elapsed = (Date.now() - job.phaseStarted) / 1000;
        const eta = m.done > 0 && elapsed > 0.5 ? ((m.total - m.done) * elapsed) / m.done : null;
        this.events.emit('import.progress', { jobId, phase: m.phase, done: m.done, total: m.total, etaSeconds: eta });
        break;
      }
      case 'duplicate': {
        const existing = this.datasets.list().find((d) => d.fingerprint === m.fingerprint);
        this.settle(jobId, { status: 'duplicate', datasetId: existing?.id ?? null, notes: [`These files were already imported as "${existing?.name ?? m.fingerprint}"; nothing was imported again.`] });
        break;
      }
      case 'done': {
        const { summary } = m;
        try {
          this.datasets.insert({
            id: job.datasetId,
            name: job.name,
            source: 'import',
            segments: summary.segments,
            videos: summary.videos,
            frames: summary.frames,
            features: FEATURE_COUNT,
            nonFiniteReplaced: summary.nonFiniteReplaced,
            fingerprint: m.fingerprint,
            params: {
              covarepPath: job.request.displayNames?.covarep ?? job.request.covarepPath,
              labelsPath: job.request.displayNames?.labels ?? job.request.labelsPath,
              droppedVideos: m.droppedVideos,
              summary,
            },
          });
        } catch (err) {
          this.settle(jobId, { status: 'failed', error: `The dataset could not be recorded: ${(err as Error).message}` });
          return;
        }
        this.settle(jobId, { status: 'done', datasetId: job.datasetId, notes: importNotes(summary), summary });
        break;
      }
      case 'failed':
        this.settle(jobId, { status: 'failed', error: fileNamer(job.request)(m.error) });
        break;
    }
  }

  private settle(jobId: string, outcome: Partial<Omit<ImportStatus, 'jobId'>> & { status: ImportStatus['status'] }): void {
    const job = this.running.get(jobId);
    if (!job || job.settled) return;
    job.settled = true;
    job.outcome = outcome.status;
    this.running.delete(jobId);
    this.emitStatus(jobId, outcome);
  }

  private emitStatus(jobId: string, outcome: Partial<Omit<ImportStatus, 'jobId'>> & { status: ImportStatus['status'] }): void {
    this.events.emit('import.status', { jobId, datasetId: null, error: null, notes: [], ...outcome });
  }
}
