import { z } from 'zod';
import { ImportSummary } from './entities';

/** Messages between main and the import process (one process per import, killed to cancel). */
export interface ImportJob {
  covarepPath: string;
  labelsPath: string;
  dataDir: string;
  datasetId: string;
  reportPath?: string;
  /** Fingerprints already in the store: the importer stops early on a match. */
  knownFingerprints: string[];
  /** Main's pid: it records the dataset, so a folder in place without a row is its to record while it lives. */
  recorderPid: number;
}

export const ImportPhase = z.enum(['fingerprint', 'align']);
export type ImportPhase = z.infer<typeof ImportPhase>;

export const FromImporter = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), phase: ImportPhase, done: z.number(), total: z.number() }),
  z.object({ type: z.literal('duplicate'), fingerprint: z.string() }),
  z.object({
    type: z.literal('done'),
    fingerprint: z.string(),
    summary: ImportSummary,
    /** The ids behind the summary's counts of videos in one file only, kept with the dataset. */
    droppedVideos: z.object({ covarepOnly: z.array(z.string()), labelsOnly: z.array(z.string()) }),
  }),
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type FromImporter = z.infer<typeof FromImporter>;
