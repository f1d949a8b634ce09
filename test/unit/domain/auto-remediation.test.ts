import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { shouldAutoRemediate } from '../../../src/domain/auto-remediation.js';

const now = DateTime.fromISO('2026-11-22T10:00:00.000Z', { zone: 'utc' });
const policy = { controls: ['EC2.13', 'EC2.19'], maxAttempts: 3, windowHours: 24 };
const attemptAt = (iso: string) => ({ kind: 'auto-remediate' as const, requestedAt: iso });

describe('shouldAutoRemediate', () => {
  it('is off for controls not opted in, and off by default', () => {
    expect(shouldAutoRemediate({ controlId: 'EC2.8' }, [], policy, now)).toEqual({ verdict: 'off' });
    expect(shouldAutoRemediate({ controlId: 'EC2.13' }, [], { ...policy, controls: [] }, now)).toEqual({
      verdict: 'off',
    });
  });

  it('remediates an opted-in control and counts the attempt', () => {
    expect(
      shouldAutoRemediate({ controlId: 'EC2.13' }, [attemptAt('2026-11-22T02:00:00.000Z')], policy, now),
    ).toEqual({ verdict: 'remediate', attempt: 2 });
  });

  it('stops at the cap within the window, so a resource that keeps re-opening cannot loop', () => {
    const three = ['2026-11-21T12:00:00.000Z', '2026-11-22T01:00:00.000Z', '2026-11-22T09:00:00.000Z'].map(
      attemptAt,
    );

    expect(shouldAutoRemediate({ controlId: 'EC2.13' }, three, policy, now)).toEqual({
      verdict: 'capped',
      attempts: 3,
    });
  });

  it('forgets attempts older than the window, and ignores manual remediations', () => {
    const old = [
      attemptAt('2026-11-20T12:00:00.000Z'),
      attemptAt('2026-11-21T09:59:59.000Z'),
      { kind: 'remediate' as const, requestedAt: '2026-11-22T09:00:00.000Z' },
    ];

    expect(shouldAutoRemediate({ controlId: 'EC2.19' }, old, policy, now)).toEqual({
      verdict: 'remediate',
      attempt: 1,
    });
  });
});
