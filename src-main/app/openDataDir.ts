import type Database from 'better-sqlite3';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { RunRepository } from '../store/runs';
import { reconcileDataDir } from './reconcileDataDir';

export interface OpenedDataDir {
  db: Database.Database;
  runs: RunRepository;
  /** Runs found unfinished from a previous session and marked interrupted. */
  interrupted: number;
  /** One line per folder removed because the store did not know it. */
  removed: string[];
}

/**
 * How every entry point (the app, browser mode, each command) opens a data directory: the
 * store, then recovery from whatever a crash left: runs that were training are marked
 * interrupted, folders without rows are removed (reconcileDataDir), each removal logged.
 */
export function openDataDir(dataDir: string, log: (line: string) => void = (line) => console.warn(line)): OpenedDataDir {
  const db = openDatabase(dataDir);
  const runs = new RunRepository(db);
  const interrupted = runs.markInterrupted();
  const datasetIds = new Set(new DatasetRepository(db).list().map((d) => d.id));
  const removed = reconcileDataDir(dataDir, { datasetIds, runIds: runs.ids() });
  removed.forEach((line) => log(line));
  return { db, runs, interrupted, removed };
}
