import { countedState, countersOf } from '../domain/finding-stats.js';
import type { FindingRepository } from '../store/finding-repository.js';
import type { StatsRepository } from '../store/stats-repository.js';
import type { Clock, Log } from './ports.js';

/** A batch not ended this long after it started has died (longer than any Lambda runs). */
const BATCH_DIED_AFTER_MS = 20 * 60 * 1000;

export type RecountOutcome =
  /** The counters now equal the open index; `corrected` counters were off (e.g. a batch died before writing its counts). */
  | { readonly kind: 'recounted'; readonly corrected: number; readonly openFindings: number }
  /** Something was writing (a batch running, or counters moving while the index was read): nothing changed, try later. */
  | { readonly kind: 'busy'; readonly reason: string };

export interface RecountDeps {
  readonly findings: FindingRepository;
  readonly stats: StatsRepository;
  readonly clock: Clock;
  readonly log: Log;
}

/**
 * Repairs the open-finding counters from the open index: what a batch that died between storing findings and writing
 * their counts left under-counted. Run by the sync at a quiet hour. It corrects with ADD only when nothing was
 * writing: no batch running (a batch's counts are written at its end), and the counters unchanged across the read.
 */
export async function recountOpenCounters(deps: RecountDeps): Promise<RecountOutcome> {
  const running = async () => {
    const now = deps.clock.now().toMillis();
    const batches = await deps.stats.batchesNotEnded();
    return {
      live: batches.filter((batch) => now - Date.parse(batch.startedAt) < BATCH_DIED_AFTER_MS),
      died: batches.filter((batch) => now - Date.parse(batch.startedAt) >= BATCH_DIED_AFTER_MS),
    };
  };
  if ((await running()).live.length > 0) return { kind: 'busy', reason: 'an ingest batch is running' };
  const before = await deps.stats.openCounters();
  const open = await deps.findings.openFindings({ limit: Number.MAX_SAFE_INTEGER });
  const after = await deps.stats.openCounters();
  const batches = await running();
  if (batches.live.length > 0) return { kind: 'busy', reason: 'an ingest batch started during the recount' };
  if (!sameCounters(before, after))
    return { kind: 'busy', reason: 'the counters changed during the recount' };

  const expected = new Map<string, number>();
  for (const record of open) {
    for (const key of countersOf(countedState(record)))
      expected.set(`${key.group}|${key.key}`, (expected.get(`${key.group}|${key.key}`) ?? 0) + 1);
  }
  const corrections = [...new Set([...expected.keys(), ...after.keys()])]
    .map((name) => ({ name, delta: (expected.get(name) ?? 0) - (after.get(name) ?? 0) }))
    .filter((change) => change.delta !== 0)
    .map(({ name, delta }) => {
      const cut = name.indexOf('|');
      return { key: { group: name.slice(0, cut), key: name.slice(cut + 1) }, delta };
    });
  await deps.stats.add(corrections);
  // The dead batches' counts are repaired: their marks would only hold up the next recount.
  for (const batch of batches.died) await deps.stats.endBatch(batch.batchId);
  if (corrections.length > 0 || batches.died.length > 0) {
    deps.log.warn('open-finding counters repaired from the open index', {
      corrected: corrections.length,
      deadBatches: batches.died.length,
    });
  }
  return { kind: 'recounted', corrected: corrections.length, openFindings: open.length };
}

function sameCounters(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].every((name) => (a.get(name) ?? 0) === (b.get(name) ?? 0));
}
