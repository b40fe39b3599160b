import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { datasetRecorder, parsePartialName } from '../data/datasetFiles';
import { processIsAlive } from '../platform/processIsAlive';
import { parseRunsEntry } from '../training/runFiles';

/** What the store holds, against which the data directory's folders are checked. */
export interface StoreContents {
  datasetIds: ReadonlySet<string>;
  runIds: ReadonlySet<number>;
}

/**
 * Makes the data directory's folders agree with the store, for every entry point (app,
 * browser mode, each command) as it opens the directory. A kill can come between a
 * folder's write and its row (an import renamed into place, a run deleted, a bundle
 * staged), so folders the store does not know are removed:
 * - `datasets/<id>.partial-<pid>`: an import or generation that never finished;
 * - `datasets/<id>` without a dataset row: written, never recorded;
 * - `runs/<id>` (and its `.old` / `.writing`) without a run row;
 * - `runs/.import-<pid>-*`: the staging folder of a bundle import that stopped;
 * - `uploads/<pid>`: files a browser-mode workbench received and never used.
 * A folder whose writer (or, for a dataset in place, its recorder) is another process
 * still alive is left alone: that process is writing or recording it right now. This
 * process's own pid counts as gone: it is checked before this process writes anything,
 * so a folder bearing it is from an earlier process that had the same pid.
 * Returns one line per removed folder, saying what it was and why it went.
 */
export function reconcileDataDir(dataDir: string, store: StoreContents, isAlive: (pid: number) => boolean = processIsAlive): string[] {
  const liveElsewhere = (pid: number | null) => pid !== null && pid !== process.pid && isAlive(pid);
  const removed: string[] = [];
  const remove = (folder: 'datasets' | 'runs' | 'uploads', name: string, why: string) => {
    rmSync(join(dataDir, folder, name), { recursive: true, force: true });
    removed.push(`Removed ${folder}/${name} from ${dataDir}: ${why}`);
  };

  for (const entry of entriesOf(join(dataDir, 'datasets'))) {
    const partial = parsePartialName(entry);
    if (partial) {
      if (!liveElsewhere(partial.pid)) remove('datasets', entry, `the import or generation of dataset "${partial.id}" (process ${partial.pid}) stopped before it finished, so nothing of it was recorded.`);
    } else if (!store.datasetIds.has(entry) && !liveElsewhere(datasetRecorder(dataDir, entry))) {
      remove('datasets', entry, `the store has no dataset "${entry}": the process that wrote it stopped before recording it. Import or generate it again if you need it.`);
    }
  }
  for (const entry of entriesOf(join(dataDir, 'runs'))) {
    const parsed = parseRunsEntry(entry);
    if (parsed?.kind === 'run' && !store.runIds.has(parsed.runId)) {
      remove('runs', entry, `the store has no run ${parsed.runId}: it was deleted, or removed with its import, before its files were.`);
    } else if (parsed?.kind === 'staging' && !liveElsewhere(parsed.pid)) {
      remove('runs', entry, `a run bundle import (process ${parsed.pid}) stopped before it finished.`);
    }
  }
  for (const entry of entriesOf(join(dataDir, 'uploads'))) {
    const pid = /^\d+$/.test(entry) ? Number(entry) : null;
    if (!liveElsewhere(pid)) remove('uploads', entry, `files uploaded to a browser-mode workbench (process ${entry}) that is no longer running; nothing was imported from them.`);
  }
  return removed;
}

/** The folders directly in `root` (none if it does not exist yet). */
function entriesOf(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
}
