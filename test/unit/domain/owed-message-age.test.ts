import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { oldestOwedAgeMs } from '../../../src/domain/owed-message-age.js';

const NOW = DateTime.fromISO('2026-11-22T11:00:00.000Z', { zone: 'utc' });
const MINUTE = 60_000;

describe('the age of the oldest message owed to Slack', () => {
  it('is undefined when nothing is due', () => {
    expect(oldestOwedAgeMs([], NOW)).toBeUndefined();
  });

  it('counts each message from the last change that made it owed, and reports the longest wait', () => {
    const age = oldestOwedAgeMs(
      [
        // A new finding, ingested 50 minutes ago.
        { lastIngestedAt: '2026-11-22T10:10:00.000Z' },
        // Ingested long ago, but a decision 5 minutes ago owes the update.
        { lastIngestedAt: '2026-11-01T08:00:00.000Z', decidedAt: '2026-11-22T10:55:00.000Z' },
        // A thread notice owed 20 minutes ago.
        { lastIngestedAt: '2026-11-22T09:00:00.000Z', owedNoticeAt: '2026-11-22T10:40:00.000Z' },
      ],
      NOW,
    );

    expect(age).toBe(50 * MINUTE);
  });

  it('never reports a negative wait for a message stamped after the sweep started', () => {
    expect(oldestOwedAgeMs([{ lastIngestedAt: '2026-11-22T11:00:01.000Z' }], NOW)).toBe(0);
  });
});
