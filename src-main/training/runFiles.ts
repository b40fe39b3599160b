import { randomBytes } from 'node:crypto';
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

/** A run bundle import stages its files in `runs/.import-<pid>-<random>` before they become run folders. */
export const bundleStagingName = (pid: number) => `.import-${pid}-${randomBytes(6).toString('hex')}`;

/**
 * What a name in `runs/` is: a run's folder (or the `.old` / `.writing` copy a checkpoint
 * save leaves while it renames), a bundle import's staging folder, or nothing of ours (null).
 */
export function parseRunsEntry(name: string): { kind: 'run'; runId: number } | { kind: 'staging'; pid: number } | null {
  const run = /^(\d+)(\.old|\.writing)?$/.exec(name);
  if (run) return { kind: 'run', runId: Number(run[1]) };
  const staging = /^\.import-(\d+)-/.exec(name);
  return staging ? { kind: 'staging', pid: Number(staging[1]) } : null;
}
