/**
 * Waits for `work` at most `ms`: closing a BullMQ queue or worker waits for Redis forever
 * while it is unreachable, and a stopping workbench or worker must not.
 */
export function withinMs(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}
