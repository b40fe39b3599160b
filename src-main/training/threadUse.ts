/**
 * The XNNPACK threads a training process used over one run, as a time-weighted mean: the pool
 * changes a run's share of the cores as runs start and end beside it, and projected times read
 * a run's seconds at the threads it mostly had.
 */
export class ThreadUse {
  private weighted = 0;
  private since: number;
  private readonly started: number;

  constructor(
    private current: number,
    private readonly clock: () => number,
  ) {
    this.since = this.started = clock();
  }

  /** The process now uses `threads`. */
  set(threads: number): void {
    this.advance();
    this.current = threads;
  }

  /** The mean over the run so far (the current count before any time passed). */
  mean(): number {
    this.advance();
    const elapsed = this.since - this.started;
    return elapsed > 0 ? this.weighted / elapsed : this.current;
  }

  private advance(): void {
    const now = this.clock();
    this.weighted += (now - this.since) * this.current;
    this.since = now;
  }
}
