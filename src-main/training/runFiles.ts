import { existsSync, rmSync } from 'node:fs';
import { runDir } from './trainingService';

/**
 * Deletes a run's checkpoint and cached encoder outputs, including the `.old` and
 * `.writing` folders a save interrupted by a crash leaves. Returns whether anything was there.
 */
export function removeRunFiles(dataDir: string, runId: number): boolean {
  const dir = runDir(dataDir, runId);
  const present = [dir, `${dir}.old`, `${dir}.writing`].filter((p) => existsSync(p));
  for (const p of present) rmSync(p, { recursive: true, force: true });
  return present.length > 0;
}
