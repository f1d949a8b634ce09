import type { CounterKey } from './finding-stats.js';

export interface CounterDelta {
  readonly key: CounterKey;
  readonly delta: number;
}

/**
 * Counter changes gathered in memory and written together (one ingest batch, one decision): the store then sends
 * one update per counter item touched instead of one per counter.
 */
export class CounterTally {
  private readonly totals = new Map<string, CounterDelta>();

  add(deltas: Iterable<CounterDelta>): void {
    for (const { key, delta } of deltas) {
      const id = `${key.group}|${key.key}`;
      this.totals.set(id, { key, delta: (this.totals.get(id)?.delta ?? 0) + delta });
    }
  }

  /** A finding first stored (`new`) or open again (`reopened`) on a UTC day. */
  countDay(day: string, event: 'new' | 'reopened'): void {
    this.add([{ key: { group: `DAY#${day}`, key: event }, delta: 1 }]);
  }

  /** One remediation, `hours` after the finding was first observed (mean time to remediate). */
  addRemediationTime(hours: number): void {
    this.add([
      { key: { group: 'MTTR', key: 'count' }, delta: 1 },
      { key: { group: 'MTTR', key: 'sumHours' }, delta: hours },
    ]);
  }

  /** The changes gathered so far (those that cancelled out left out), and forget them. */
  take(): CounterDelta[] {
    const taken = [...this.totals.values()].filter((change) => change.delta !== 0);
    this.totals.clear();
    return taken;
  }
}
