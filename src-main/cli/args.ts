import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '@shared/api/contract';
import { DATABASE_FILE } from '../store/database';
import { formatDuration } from '@shared/format';

/** " · ETA 3 min 05 s" for a progress line, nothing while unknown. */
export function formatEta(seconds: number | null): string {
  return seconds === null || !Number.isFinite(seconds) ? '' : ` · ETA ${formatDuration(seconds)}`;
}

/** A data directory the workbench has used: the folder exists and holds its store (a mistyped --data-dir is not a new, empty one). */
export function requireStore(dataDir: string): void {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new WorkbenchError('not_found', `The data directory ${dataDir} does not exist. Pass --data-dir with the folder the app or npm run experiment used.`);
  }
  if (!existsSync(join(dataDir, DATABASE_FILE))) {
    throw new WorkbenchError('not_found', `${dataDir} holds no workbench store (${DATABASE_FILE}). Pass --data-dir with the folder the app or npm run experiment used.`);
  }
}
