import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import type { BackendInfo } from '@shared/api/entities';
import { WORKBENCH_VERSION } from '../platform/version';

const requireHere = createRequire(import.meta.url);

/** An installed package's version from its package.json; "unknown" when it cannot be found (a packaging mistake, not a reason to fail an export). */
export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(requireHere.resolve(`${name}/package.json`), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The software an export was made with, for a reader who wants the same numbers. The training
 * backend reports the TensorFlow.js it loaded once warmed up; before that, the installed one.
 */
export function softwareVersions(db: Database.Database, backend: BackendInfo | null): Array<{ name: string; version: string }> {
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  return [
    { name: 'MOSEI SSL Workbench', version: WORKBENCH_VERSION },
    { name: 'TensorFlow.js', version: backend?.tfjsVersion ?? packageVersion('@tensorflow/tfjs') },
    { name: 'Node.js', version: process.versions.node },
    { name: 'Electron', version: process.versions.electron ?? 'none (command line or browser mode)' },
    { name: 'better-sqlite3', version: packageVersion('better-sqlite3') },
    { name: 'SQLite', version: sqlite },
    { name: 'Platform', version: `${process.platform} ${process.arch}` },
  ];
}
