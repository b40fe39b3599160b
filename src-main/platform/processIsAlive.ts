/**
 * Whether a process with this id is running on this machine (signal 0 tests without
 * signalling). A process of another user counts as running (EPERM).
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
