/**
 * Builds of `/cspm` answers, a few at a time, in the order they were asked for. Acks and report builds share one
 * event loop (and, with the embedded DynamoDB, the store's own work): fifty builds at once made later acks wait
 * behind them. Queued work is never dropped; a failure is handed back to whoever queued it.
 */
export class AnswerQueue {
  private readonly waiting: (() => void)[] = [];
  private running = 0;

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`An answer queue runs at least one build at a time, not ${concurrency}`);
  }

  /** Runs `build` once fewer than `concurrency` builds are running and all queued before it have started. */
  async run<T>(build: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency || this.waiting.length > 0)
      await new Promise<void>((start) => this.waiting.push(start));
    else this.running += 1;
    try {
      return await build();
    } finally {
      this.release();
    }
  }

  /** Builds running plus builds waiting: what a shutdown or a log line may want to know. */
  get pending(): number {
    return this.running + this.waiting.length;
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next build, so `running` never drops below what is actually running.
    if (next) next();
    else this.running -= 1;
  }
}
