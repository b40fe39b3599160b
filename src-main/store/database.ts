import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrations';

export const DATABASE_FILE = 'workbench.sqlite';

/**
 * Opens (creating if needed) the run store of a data directory: WAL so readers never
 * block the writer, foreign keys enforced, a busy timeout so a second process waits
 * instead of failing, and every pending migration applied.
 * `nativeBinding` lets Electron load a better-sqlite3 build for its own ABI while
 * Node (tests, CLI, browser mode) keeps the one npm built.
 */
export function openDatabase(dataDir: string, nativeBinding = process.env.MOSEI_SQLITE_BINDING): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE), nativeBinding ? { nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}
