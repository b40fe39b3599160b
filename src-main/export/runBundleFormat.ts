import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WorkbenchError } from '@shared/api/contract';
import { BackendName, EpochRecord, EvaluationSplitName, MetricRecord, RecordedTrainConfig, RunKind } from '@shared/api/entities';
import { Tag } from '@shared/history/query';

/**
 * The run bundle file: one JSON document, written by `sealBundle` and read back by
 * `openBundle`, which checks, in this order and before anything is written:
 *   1. the text is JSON (a truncated copy is not);
 *   2. `format` names this kind of file and `version` is one this workbench reads;
 *   3. `sha256` matches the content (SHA-256 of the document without its `sha256` key,
 *      serialised compactly in file order, so re-indenting the file does not break it but
 *      any changed value does);
 *   4. every field against the schema below, each bounded; every bundled file name is a
 *      plain name (no folders, no ".."); a fine-tune's pre-training run precedes it.
 *
 * {
 *   format: 'mosei-ssl-workbench/run-bundle', version: 2, exportedAt,
 *   source: { workbenchVersion, host, dataDir },
 *   dataset: { id, name, fingerprint },     // matched here by fingerprint, not by id
 *   runs: [ { sourceRunId, name, kind, status, parentSourceRunId, config, seed, backend,
 *             backendReason, createdAt, startedAt, finishedAt, error, labelCount, notes,
 *             tags, epochs, metrics, testMetrics, predictions: [ { split, segments, values } ],
 *             files: { 'weights.json': <base64>, ... } }, ... ],
 *   sha256
 * }
 *
 * Version 2 added `testMetrics` (metrics on the test split) and `predictions` (per split, the
 * dataset's segment indices as little-endian int32 and the predictions as little-endian float32,
 * segments x 6, both base64). A version 1 bundle reads as a run without them.
 */

export const BUNDLE_FORMAT = 'mosei-ssl-workbench/run-bundle';
export const BUNDLE_VERSION = 2;
/** Versions this workbench reads. */
const READABLE_VERSIONS = [1, 2];
export const BUNDLE_EXTENSION = '.mosei-run.json';

/** Statuses a bundle may carry: every ended run; queued and running ones are still changing. */
export const EXPORTABLE_STATUSES = ['done', 'failed', 'cancelled', 'interrupted'] as const;

/** A file name that can only land directly inside the run's own folder. */
const PLAIN_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
export const isPlainFileName = (name: string) => PLAIN_FILE_NAME.test(name) && !name.includes('..');

const Timestamp = z.iso.datetime({ offset: true });
const Base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
  .refine((s) => s.length % 4 === 0, 'must be base64 (its length is not a multiple of 4)');

const BundledFiles = z.record(z.string().max(200), Base64).superRefine((files, ctx) => {
  const names = Object.keys(files);
  if (names.length > 20) ctx.addIssue({ code: 'custom', message: `holds ${names.length} files; a run has at most 20` });
  for (const name of names.filter((n) => !isPlainFileName(n))) {
    ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a plain file name (no folders, no "..")` });
  }
});

/** A run's predictions on one split: base64 of little-endian int32 segment indices and float32 values (segments x 6). */
export const BundledPredictions = z.strictObject({
  split: EvaluationSplitName,
  segments: Base64,
  values: Base64,
});
export type BundledPredictions = z.infer<typeof BundledPredictions>;

export const BundledRun = z.strictObject({
  sourceRunId: z.number().int().min(1),
  name: z.string().min(1).max(200),
  kind: RunKind,
  status: z.enum(EXPORTABLE_STATUSES),
  parentSourceRunId: z.number().int().min(1).nullable(),
  // A bundle from an older workbench lacks the settings added since: they read as what its runs used.
  config: RecordedTrainConfig,
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  backend: BackendName.nullable(),
  backendReason: z.string().max(5000).nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  error: z.string().max(50_000).nullable(),
  labelCount: z.number().int().min(1).nullable(),
  notes: z.string().max(20_000),
  tags: z.array(Tag).max(30),
  epochs: z.array(EpochRecord).max(10_000),
  metrics: z.array(MetricRecord).max(1000),
  testMetrics: z.array(MetricRecord).max(1000).default([]),
  predictions: z
    .array(BundledPredictions)
    .max(2)
    .default([])
    .refine((list) => new Set(list.map((p) => p.split)).size === list.length, 'holds one split twice'),
  files: BundledFiles,
});
export type BundledRun = z.infer<typeof BundledRun>;

export const RunBundle = z
  .strictObject({
    format: z.literal(BUNDLE_FORMAT),
    version: z.union([z.literal(1), z.literal(2)]),
    exportedAt: Timestamp,
    source: z.strictObject({ workbenchVersion: z.string().min(1).max(64), host: z.string().max(255), dataDir: z.string().max(4096) }),
    dataset: z.strictObject({ id: z.string().min(1).max(200), name: z.string().max(200), fingerprint: z.string().min(1).max(128) }),
    runs: z.array(BundledRun).min(1).max(50),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .superRefine((bundle, ctx) => {
    const seen = new Map<number, BundledRun>();
    bundle.runs.forEach((run, i) => {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['runs', i], message });
      if (seen.has(run.sourceRunId)) issue(`run #${run.sourceRunId} appears twice`);
      if (run.seed !== run.config.seed) issue(`seed ${run.seed} differs from the configuration's ${run.config.seed}`);
      const parent = run.parentSourceRunId === null ? null : seen.get(run.parentSourceRunId);
      if (run.kind === 'finetune' && parent?.kind !== 'pretrain') issue(`fine-tune #${run.sourceRunId} needs its pre-training run (#${run.parentSourceRunId}) earlier in the bundle`);
      if (run.kind !== 'finetune' && run.parentSourceRunId !== null) issue(`a ${run.kind} run has no parent run`);
      seen.set(run.sourceRunId, run);
    });
  });
export type RunBundle = z.infer<typeof RunBundle>;
export type BundleBody = Omit<RunBundle, 'sha256'>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The bundle's text: the body, then its checksum as the last key (the body is serialised once). */
export function sealBundle(body: BundleBody): string {
  const json = JSON.stringify(body);
  return `${json.slice(0, -1)},"sha256":"${sha256(json)}"}`;
}

/**
 * What identifies a bundled run's results, to recognise it when imported again: everything
 * but its editable annotations (name, notes, tags), with its files in name order.
 */
export function runContentHash(run: BundledRun): string {
  const { name: _name, notes: _notes, tags: _tags, files, testMetrics, predictions, ...results } = run;
  // Without test metrics or predictions, a run hashes as a version 1 bundle of it did.
  const added = { ...(testMetrics.length ? { testMetrics } : {}), ...(predictions.length ? { predictions } : {}) };
  return sha256(JSON.stringify({ ...results, ...added, files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) }));
}

const AGAIN = 'Export it again from the workbench it came from.';

function invalid(label: string, problem: string): WorkbenchError {
  return new WorkbenchError('invalid_params', `${label} ${problem}`);
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const cut = /end of (JSON )?input|Unterminated/i.test((err as Error).message);
    throw invalid(label, cut
      ? 'ends early: it was cut off while being copied or downloaded. Copy it again, or export it again from the workbench it came from.'
      : 'is not a run bundle: it is not valid JSON. Choose the .mosei-run.json file the workbench exported.');
  }
}

/** The format and version checks, before anything else, so an unrelated or newer file gets a message that says so. */
function checkHeader(raw: unknown, label: string): Record<string, unknown> {
  const doc = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  if (doc?.format !== BUNDLE_FORMAT) throw invalid(label, `is not a run bundle of the MOSEI SSL Workbench (its "format" is not "${BUNDLE_FORMAT}"). Choose a file exported with "Export bundle".`);
  const version = doc.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > BUNDLE_VERSION) {
    throw invalid(label, `was written by a newer workbench (bundle version ${version}; this one reads versions up to ${BUNDLE_VERSION}). Update the workbench on this machine, then import it again.`);
  }
  if (!READABLE_VERSIONS.includes(version as number)) throw invalid(label, `has an unknown bundle version (${JSON.stringify(version)}). ${AGAIN}`);
  return doc;
}

function checkChecksum(doc: Record<string, unknown>, label: string): void {
  const { sha256: recorded, ...body } = doc;
  if (typeof recorded !== 'string') throw invalid(label, `has no checksum ("sha256"), so its content cannot be trusted. ${AGAIN}`);
  if (sha256(JSON.stringify(body)) !== recorded) {
    throw invalid(label, `does not match its checksum: it was changed or damaged after it was exported. ${AGAIN}`);
  }
}

function checkSchema(doc: unknown, label: string): RunBundle {
  const parsed = RunBundle.safeParse(doc);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(bundle)', message: i.message }));
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new WorkbenchError('invalid_params', `${label} is not a valid run bundle (${shown}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}). ${AGAIN}`, issues);
}

/** Reads a bundle's text; throws an `invalid_params` error saying what is wrong and what to do. `label` names the file in messages. */
export function openBundle(text: string, label: string): RunBundle {
  const doc = checkHeader(parseJson(text, label), label);
  checkChecksum(doc, label);
  return checkSchema(doc, label);
}
