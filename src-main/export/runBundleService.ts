import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { WorkbenchError } from '@shared/api/contract';
import { TrainConfig, type DatasetSummary, type RunDetail, type RunSummary, type SavedFile } from '@shared/api/entities';
import { MAX_RUN_BUNDLE_BYTES, mebibytes } from '@shared/api/limits';
import { nonRegularFileKind } from '../data/fileKind';
import { WORKBENCH_VERSION } from '../platform/version';
import type { DatasetService } from '../data/datasetService';
import { ImportedRunRepository } from '../store/importedRuns';
import type { RunRepository } from '../store/runs';
import { runDir } from '../training/trainingService';
import { bundleStagingName } from '../training/runFiles';
import {
  BUNDLE_EXTENSION,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  EXPORTABLE_STATUSES,
  isPlainFileName,
  openBundle,
  runContentHash,
  sealBundle,
  type BundledRun,
  type RunBundle,
} from './runBundleFormat';
import { diskError, saveForUser } from '../platform/savedFile';
import { checkBundledCheckpoints } from './bundledCheckpoint';
import { decodeFloat32, decodeInt32, encodeFloat32, encodeInt32 } from '../store/blobs';
import type { ImportedRun } from '../store/importedRuns';
import { runBundleFileName } from '@shared/figures/sweepSeries';

/**
 * Run bundles move a run between workbenches (a training server and a laptop): its
 * configuration, per-epoch records, metrics, annotations and checkpoint in one JSON file
 * (format and checks: runBundleFormat.ts).
 *
 * Export
 * - Any ended run (done, failed, cancelled, interrupted); a queued or running one is still
 *   changing and is refused. A fine-tune carries its pre-training run, parent first: its
 *   head is useless without that encoder.
 * - Files: the checkpoint folder's own files (weights, state with the standardisation
 *   statistics). Sub-folders are caches (a pre-training run's `encoded/` encoder outputs)
 *   that the first fine-tune here recomputes. A done run leaves out the optimizer state and
 *   the copy of the selected epoch's weights (`best.*`), which only resuming needs; an
 *   interrupted, failed or cancelled run keeps them, so it can be resumed on the machine it
 *   moves to. Its stored predictions and test metrics travel with its records (version 2). A fine-tune's `state.json` keeps the source's
 *   `parentRunDir` as written (nothing reads it; the store's parent link is what counts).
 *
 * Import
 * - Each run's checkpoint must fit its configuration (bundledCheckpoint.ts): the checksum
 *   only proves the file is as sealed, not that the weights in it are sound.
 * - The dataset must be here with the same fingerprint (ids may differ between machines);
 *   each run gets its split on this machine from its split configuration.
 * - Every run gets a new local id and `origin` provenance; nothing existing is changed.
 *   A run imported before (same source host, source run id and content hash: see
 *   `runContentHash`) is a conflict naming the local run unless `asCopy`; a bundle of runs
 *   exported from this very data directory is recognised the same way. A pre-training run
 *   that came with a fine-tune and is already here is reused, not duplicated.
 * - Nothing is written until the whole file has passed every check. Files are first
 *   written to a staging folder (`runs/.import-<pid>-<random>`, removed by the next start
 *   if a crash leaves it), then the rows are recorded
 *   in one transaction, then the staged folders are renamed into place; a failure at any
 *   step removes what the earlier steps wrote. The rename comes after the commit so a crash
 *   in between leaves a run without files, never a run folder whose id a later run reuses.
 */

/** Writes of an import, replaceable so tests can make the disk fail. */
export interface BundleFiles {
  writeFile(path: string, data: Uint8Array): void;
  rename(from: string, to: string): void;
}

export interface RunBundleDeps {
  db: Database.Database;
  runs: RunRepository;
  datasets: DatasetService;
  dataDir: string;
  files?: BundleFiles;
  /** This machine's name, recorded as a bundle's source. */
  host?: string;
}

/** A created run and the index of its record in the bundle. */
interface Created {
  index: number;
  id: number;
}

function exportableStatus(run: RunSummary): BundledRun['status'] {
  const status = EXPORTABLE_STATUSES.find((s) => s === run.status);
  if (!status) throw new WorkbenchError('conflict', `Run #${run.id} "${run.name}" is ${run.status}. Export it once it has ended, or cancel it first.`);
  return status;
}

function tooLarge(label: string, bytes: number): WorkbenchError {
  return new WorkbenchError('invalid_params', `${label} is ${mebibytes(bytes)} MiB; a run bundle holds at most ${mebibytes(MAX_RUN_BUNDLE_BYTES)} MiB. Is it the right file?`);
}

function readBundleFile(path: string, label: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new WorkbenchError('not_found', `There is no file at ${path}. Check the path, or choose the bundle again.`);
  const kind = nonRegularFileKind(stat);
  if (kind) throw new WorkbenchError('invalid_params', `${path} is ${kind}, not a file. Choose a run bundle (${BUNDLE_EXTENSION}).`);
  if (stat.size > MAX_RUN_BUNDLE_BYTES) throw tooLarge(label, stat.size);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new WorkbenchError('storage', `${label} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check its permissions, or copy it somewhere readable.`);
  }
}

/** A disk error of an import: nothing was kept. */
const importStorageError = (err: unknown, folder: string) => diskError(err, folder, 'the bundle was not imported and nothing was kept', 'import it into another data directory');

/**
 * A bundled run's predictions, decoded and checked against the dataset here (whose segment order
 * a matching fingerprint guarantees): whole segments of six finite values, indices inside it.
 */
function bundledPredictions(run: BundledRun, datasetSegments: number, label: string): ImportedRun['predictions'] {
  return run.predictions.map((p) => {
    const refuse = (problem: string) =>
      new WorkbenchError('invalid_params', `${label} cannot be imported: the ${p.split} predictions of its run #${run.sourceRunId} "${run.name}" ${problem}. Export the run again from the workbench it came from.`);
    const segmentBytes = Buffer.from(p.segments, 'base64');
    const valueBytes = Buffer.from(p.values, 'base64');
    if (segmentBytes.length % 4 !== 0 || valueBytes.length !== segmentBytes.length * 6) {
      throw refuse(`hold ${valueBytes.length} bytes of values for ${segmentBytes.length / 4} segments; each segment has 6 float32 values (24 bytes)`);
    }
    const segments = decodeInt32(segmentBytes);
    const values = decodeFloat32(valueBytes);
    const outside = segments.findIndex((i) => i < 0 || i >= datasetSegments);
    if (outside >= 0) throw refuse(`name segment ${segments[outside]}, but the dataset has ${datasetSegments}`);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw refuse(`hold ${values[bad]} (segment ${Math.floor(bad / 6) + 1}); predictions are finite`);
    return { split: p.split, segments: Array.from(segments), values };
  });
}

/** A run's predictions on one split as a bundle holds them (little-endian int32 and float32, base64). */
export function bundlePredictions(p: { split: BundledRun['predictions'][number]['split']; segments: ArrayLike<number>; values: ArrayLike<number> }): BundledRun['predictions'][number] {
  return { split: p.split, segments: encodeInt32(p.segments).toString('base64'), values: encodeFloat32(p.values).toString('base64') };
}

/**
 * A checkpoint folder's files as a bundle carries them, base64 by name (see the top of this
 * file for which); `label` names the run in the message when a done run's weights are missing.
 */
export function checkpointFilesOf(dir: string, status: BundledRun['status'], label: string): Record<string, string> {
  // Where loadCheckpoint reads: the folder, or the `.old` one a crash mid-save leaves.
  const from = [dir, `${dir}.old`].find((d) => existsSync(join(d, 'state.json')));
  if (!from) {
    if (status !== 'done') return {};
    throw new WorkbenchError('not_found', `${label} is done but its saved weights are missing from ${dir}, so a bundle of it could not be fine-tuned from or checked. Train it again to export it.`);
  }
  const names = readdirSync(from, { withFileTypes: true })
    // A done run is never resumed: its optimizer state and the selected epoch's copy (its weights already are those) stay behind.
    .filter((e) => e.isFile() && isPlainFileName(e.name) && (status !== 'done' || !(e.name.startsWith('optimizer.') || e.name.startsWith('best.'))))
    .map((e) => e.name)
    .sort();
  return Object.fromEntries(names.map((name) => [name, readFileSync(join(from, name)).toString('base64')]));
}

export class RunBundleService {
  private readonly imported: ImportedRunRepository;
  private readonly files: BundleFiles;
  private readonly host: string;

  constructor(private readonly deps: RunBundleDeps) {
    this.imported = new ImportedRunRepository(deps.db, deps.runs);
    this.files = deps.files ?? { writeFile: writeFileSync, rename: renameSync };
    this.host = deps.host ?? hostname();
  }

  async exportBundle(id: number, path: string | undefined): Promise<SavedFile> {
    const lineage = this.lineage(id);
    const run = lineage.at(-1)!;
    const dataset: DatasetSummary = this.deps.datasets.get(run.datasetId);
    const content = sealBundle({
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      exportedAt: new Date().toISOString(),
      source: { workbenchVersion: WORKBENCH_VERSION, host: this.host, dataDir: resolve(this.deps.dataDir) },
      dataset: { id: dataset.id, name: dataset.name, fingerprint: dataset.fingerprint },
      runs: lineage.map((r) => this.bundledRun(r)),
    });
    const bytes = Buffer.byteLength(content);
    if (bytes > MAX_RUN_BUNDLE_BYTES) throw new WorkbenchError('conflict', `The bundle of run #${id} would be ${mebibytes(bytes)} MiB, more than the ${mebibytes(MAX_RUN_BUNDLE_BYTES)} MiB a bundle may hold.`);
    const fileName = runBundleFileName(id, run.name);
    return saveForUser({ fileName, mimeType: 'application/json', content }, path);
  }

  /**
   * Imports a bundle file (or its text, for tests); `label` names it in messages when its path
   * means nothing to the user (an upload's copy in the data directory).
   */
  async importBundle(source: { path?: string; content?: string; asCopy: boolean; label?: string }): Promise<{ runs: RunSummary[] }> {
    const label = source.label ?? (source.path === undefined ? 'The bundle' : `The file ${source.path}`);
    const text = source.path !== undefined ? readBundleFile(source.path, label) : (source.content ?? '');
    const bundle = openBundle(text, label);
    checkBundledCheckpoints(bundle.runs, label);
    const dataset = this.localDataset(bundle.dataset);
    const datasetId = dataset.id;
    const predictions = bundle.runs.map((run) => bundledPredictions(run, dataset.segments, label));
    const staging = this.stage(bundle);
    try {
      const created = this.record(bundle, datasetId, source.asCopy, predictions);
      this.place(staging, created);
      return { runs: created.map((c) => this.deps.runs.summary(c.id)) };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /**
   * Records the outcome of a run that trained on a cluster worker into the run main queued
   * for it (the same checks as an import: checksum, schema, weights against the config,
   * dataset by fingerprint). The bundle must be that very run (its id, kind, configuration),
   * done, and the run still queued or running here: a result is never recorded twice.
   * Its epochs replace any an earlier local attempt recorded; its files replace that
   * attempt's checkpoint. The run keeps the worker as its origin.
   */
  completeRemoteRun(runId: number, text: string, label: string): void {
    const run = this.deps.runs.summary(runId);
    if (run.status !== 'queued' && run.status !== 'running') {
      throw new WorkbenchError('conflict', `${label} came back for run #${runId}, which is already ${run.status} here; it was not recorded again.`);
    }
    const bundle = openBundle(text, label);
    checkBundledCheckpoints(bundle.runs, label);
    const [remote] = bundle.runs;
    const dataset = this.deps.datasets.get(run.datasetId);
    const mismatch =
      bundle.runs.length !== 1 ? `holds ${bundle.runs.length} runs, not one`
      : remote.sourceRunId !== runId ? `is of run #${remote.sourceRunId}, not #${runId}`
      : remote.kind !== run.kind ? `is a ${remote.kind} run, not a ${run.kind} run`
      : remote.status !== 'done' ? `is ${remote.status}, not done`
      : !isDeepStrictEqual(TrainConfig.parse(remote.config), run.config) ? 'was trained with another configuration'
      : bundle.dataset.fingerprint !== dataset.fingerprint ? `was trained on another dataset (fingerprint ${bundle.dataset.fingerprint})`
      : null;
    if (mismatch) throw new WorkbenchError('invalid_params', `${label} ${mismatch}; nothing was recorded.`);
    const predictions = bundledPredictions(remote, dataset.segments, label);
    const staging = this.stage(bundle);
    const dir = runDir(this.deps.dataDir, runId);
    try {
      rmSync(dir, { recursive: true, force: true });
      if (existsSync(join(staging, '0'))) this.files.rename(join(staging, '0'), dir);
      this.imported.completeRemote(runId, {
        ...remote,
        predictions,
        origin: {
          bundleSha256: runContentHash(remote),
          sourceRunId: remote.sourceRunId,
          sourceHost: bundle.source.host,
          sourceDataDir: bundle.source.dataDir,
          exportedAt: bundle.exportedAt,
          workbenchVersion: bundle.source.workbenchVersion,
          importedAt: new Date().toISOString(),
          via: 'cluster',
        },
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err instanceof WorkbenchError ? err : importStorageError(err, join(this.deps.dataDir, 'runs'));
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** The run and the runs it needs, parents first. */
  private lineage(id: number): RunDetail[] {
    const run = this.deps.runs.detail(id);
    exportableStatus(run);
    return run.parentRunId === null ? [run] : [...this.lineage(run.parentRunId), run];
  }

  private bundledRun(run: RunDetail): BundledRun {
    const status = exportableStatus(run);
    return {
      sourceRunId: run.id,
      name: run.name,
      kind: run.kind,
      status,
      parentSourceRunId: run.parentRunId,
      config: run.config,
      seed: run.seed,
      backend: run.backend,
      backendReason: run.backendReason,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      error: run.error,
      labelCount: run.labelCount,
      notes: run.notes,
      tags: run.tags,
      epochs: run.epochs,
      metrics: run.metrics,
      testMetrics: run.testMetrics,
      predictions: this.deps.runs.predictionsOf(run.id).map(bundlePredictions),
      files: this.checkpointFiles(run, status),
    };
  }

  /** The checkpoint's files, base64, by name (see the top of this file for which). */
  private checkpointFiles(run: RunSummary, status: BundledRun['status']): Record<string, string> {
    return checkpointFilesOf(runDir(this.deps.dataDir, run.id), status, `Run #${run.id} "${run.name}"`);
  }

  /** The dataset here with the bundle's fingerprint (preferring the same id). */
  private localDataset(wanted: RunBundle['dataset']): DatasetSummary {
    const matches = this.deps.datasets.list().filter((d) => d.fingerprint === wanted.fingerprint);
    const found = matches.find((d) => d.id === wanted.id) ?? matches[0];
    if (found) return found;
    throw new WorkbenchError(
      'not_found',
      `The runs in this bundle were trained on the dataset "${wanted.name}" (fingerprint ${wanted.fingerprint}), which this workbench does not have. ` +
        'Import the same CMU-MOSEI files here first (Datasets), then import the bundle again.',
    );
  }

  /** Writes every bundled run's files under a staging folder (one sub-folder per record index). */
  private stage(bundle: RunBundle): string {
    const root = join(this.deps.dataDir, 'runs');
    // Staging folders a crash left are removed when the data directory is opened (reconcileDataDir).
    const staging = join(root, bundleStagingName(process.pid));
    try {
      bundle.runs.forEach((run, index) => {
        const entries = Object.entries(run.files);
        if (!entries.length) return;
        const dir = join(staging, String(index));
        mkdirSync(dir, { recursive: true });
        for (const [name, base64] of entries) this.files.writeFile(join(dir, name), Buffer.from(base64, 'base64'));
      });
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw importStorageError(err, root);
    }
    return staging;
  }

  /** Records the bundle's runs in one transaction; returns those created (reused parents are not). */
  private record(bundle: RunBundle, datasetId: string, asCopy: boolean, predictions: ReadonlyArray<ImportedRun['predictions']>): Created[] {
    const parents = new Set(bundle.runs.map((r) => r.parentSourceRunId));
    return this.deps.db
      .transaction(() => {
        const localIds = new Map<number, number>();
        const created: Created[] = [];
        bundle.runs.forEach((run, index) => {
          const hash = runContentHash(run);
          const earlier = this.earlierCopy(bundle, run, hash);
          if (earlier && parents.has(run.sourceRunId)) {
            localIds.set(run.sourceRunId, earlier.id);
            return;
          }
          if (earlier && !asCopy) {
            throw new WorkbenchError(
              'conflict',
              `Run "${run.name}" (#${run.sourceRunId} on ${bundle.source.host}) is already here as run #${earlier.id} "${earlier.name}". ` +
                'Open that run, or import the bundle as a copy to get a second one.',
            );
          }
          const id = this.imported.insert({
            ...run,
            predictions: predictions[index],
            datasetId,
            parentRunId: run.parentSourceRunId === null ? null : localIds.get(run.parentSourceRunId)!,
            splitId: this.deps.datasets.split(datasetId, run.config.split).id,
            origin: {
              bundleSha256: hash,
              sourceRunId: run.sourceRunId,
              sourceHost: bundle.source.host,
              sourceDataDir: bundle.source.dataDir,
              exportedAt: bundle.exportedAt,
              workbenchVersion: bundle.source.workbenchVersion,
              importedAt: new Date().toISOString(),
            },
          });
          const dir = runDir(this.deps.dataDir, id);
          if (existsSync(dir)) throw new WorkbenchError('conflict', `The folder ${dir} already exists but belongs to no run in the store. Move it out of the data directory, then import again.`);
          localIds.set(run.sourceRunId, id);
          created.push({ index, id });
        });
        return created;
      })
      .immediate();
  }

  /** The local run this bundled run already is: imported earlier, or exported from this very data directory. */
  private earlierCopy(bundle: RunBundle, run: BundledRun, hash: string): { id: number; name: string } | null {
    const imported = this.imported.findByOrigin(bundle.source.host, run.sourceRunId, hash);
    if (imported) return imported;
    if (bundle.source.host !== this.host || resolve(bundle.source.dataDir) !== resolve(this.deps.dataDir)) return null;
    try {
      const original = this.deps.runs.detail(run.sourceRunId);
      return runContentHash(this.bundledRun(original)) === hash ? original : null;
    } catch (err) {
      if (err instanceof WorkbenchError) return null; // gone, running again, or its weights removed: not the same run any more
      throw err;
    }
  }

  /** Moves the staged folders to the new runs' folders; on failure undoes the import. */
  private place(staging: string, created: Created[]): void {
    const placed: string[] = [];
    try {
      for (const { index, id } of created) {
        const from = join(staging, String(index));
        if (!existsSync(from)) continue;
        const to = runDir(this.deps.dataDir, id);
        this.files.rename(from, to);
        placed.push(to);
      }
    } catch (err) {
      for (const dir of placed) rmSync(dir, { recursive: true, force: true });
      this.imported.remove(created.map((c) => c.id));
      throw importStorageError(err, join(this.deps.dataDir, 'runs'));
    }
  }
}
