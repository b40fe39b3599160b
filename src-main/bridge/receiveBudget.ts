/**
 * Bytes of requests the bridge holds on all its WebSockets together: counted from the
 * first byte received until the request is answered, so many large requests at once are
 * refused instead of filling memory.
 */
export class ReceiveBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Takes `bytes` if they fit; false (and nothing taken) if they do not. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  /** Counts bytes already in memory, whether or not they fit. */
  hold(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get inUse(): number {
    return this.used;
  }
}
