import { DateTime } from 'luxon';
import type { Clock } from '../../src/usecases/ports.js';

/** A clock that stays where the test puts it. */
export function fixedClock(iso: string): Clock & { set(iso: string): void } {
  let now = DateTime.fromISO(iso, { zone: 'utc' });
  return {
    now: () => now,
    set: (next) => {
      now = DateTime.fromISO(next, { zone: 'utc' });
    },
  };
}
