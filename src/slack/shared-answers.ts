/** Milliseconds on a clock that only moves forward (`performance.now`), for how old a shared answer is. */
export type MonotonicMs = () => number;

interface Entry<T> {
  readonly answer: Promise<T>;
  /** When the build started: its reads are at least this old, so a settled answer is shared until `reuseMs` after. */
  readonly startedAt: number;
  settled: boolean;
}

/**
 * Answers that do not depend on who asks (`/cspm status`, `list`, `accepted`), shared by requests for the same key:
 * one build for everyone asking while it runs, and its result for anyone asking within `reuseMs` of its start.
 * The answer carries the time it was built ("As of …"), so a shared one never claims to be newer than it is.
 * A failed build is not kept: the next request builds again.
 */
export class SharedAnswers<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly reuseMs: number,
    private readonly now: MonotonicMs,
  ) {}

  get(key: string, build: () => Promise<T>): Promise<T> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && (!entry.settled || now - entry.startedAt <= this.reuseMs)) return entry.answer;
    this.forgetOldAnswers(now);
    // A build that throws at once fails its requests like one that rejects.
    const answer = new Promise<T>((resolve) => resolve(build()));
    const fresh: Entry<T> = { answer, startedAt: now, settled: false };
    this.entries.set(key, fresh);
    answer.then(
      () => {
        fresh.settled = true;
      },
      () => {
        if (this.entries.get(key) === fresh) this.entries.delete(key);
      },
    );
    return answer;
  }

  /** Keys seen once and never again would otherwise stay in memory for the life of the process. */
  private forgetOldAnswers(now: number): void {
    for (const [key, entry] of this.entries)
      if (entry.settled && now - entry.startedAt > this.reuseMs) this.entries.delete(key);
  }
}
