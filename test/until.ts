/**
 * Polls `probe` until it gives a truthy value, or fails naming `what` once `timeoutMs` has passed.
 * For specs that wait on other processes (Redis, workers): generous by default, since a loaded
 * 2-core machine can make them slow, and a passing wait returns as soon as the value is there.
 */
export async function until<T>(what: string, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
