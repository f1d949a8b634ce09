import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  MAX_DELIVERY_ATTEMPTS,
  afterFailedDelivery,
  claimedDelivery,
  deliveryFailureKindOf,
} from '../../../src/domain/delivery-retry.js';
import type { DeliveryRetry } from '../../../src/domain/delivery-retry.js';

const NOW = DateTime.fromISO('2026-11-22T10:00:00.000Z', { zone: 'utc' });

function minutesUntilNext(retry: DeliveryRetry): number | undefined {
  return retry.state === 'retry'
    ? DateTime.fromISO(retry.nextAttemptAt).diff(NOW, 'minutes').minutes
    : undefined;
}

describe('afterFailedDelivery', () => {
  it('backs a failing message off longer after each attempt, up to an hour, and gives up at the bound', () => {
    const waits: (number | undefined)[] = [];
    let attempts = 0;
    let retry: DeliveryRetry;
    do {
      retry = afterFailedDelivery({ failure: 'transient', attemptsBefore: attempts, now: NOW });
      waits.push(minutesUntilNext(retry));
      attempts = retry.attempts;
    } while (retry.state === 'retry');

    expect(retry).toEqual({ state: 'stuck', attempts: MAX_DELIVERY_ATTEMPTS });
    expect(waits.slice(0, 7)).toEqual([1, 2, 4, 8, 16, 32, 60]);
    expect(waits.slice(7, -1).every((wait) => wait === 60)).toBe(true);
    expect(waits.at(-1)).toBeUndefined();
  });

  it('counts a lost post as an attempt like any other failure', () => {
    expect(afterFailedDelivery({ failure: 'uncertain', attemptsBefore: 2, now: NOW })).toMatchObject({
      state: 'retry',
      attempts: 3,
    });
  });

  it.each(['channel', 'message'] as const)('gives up at once when retrying cannot help (%s)', (failure) => {
    expect(afterFailedDelivery({ failure, attemptsBefore: 0, now: NOW })).toEqual({
      state: 'stuck',
      attempts: 1,
    });
  });

  it('never blames a message for a revoked token or a rate limit: no attempt counted', () => {
    const workspace = afterFailedDelivery({
      failure: 'workspace',
      attemptsBefore: MAX_DELIVERY_ATTEMPTS - 1,
      now: NOW,
    });
    const rateLimited = afterFailedDelivery({
      failure: 'rate-limited',
      attemptsBefore: MAX_DELIVERY_ATTEMPTS - 1,
      now: NOW,
    });

    expect(workspace).toMatchObject({ state: 'retry', attempts: MAX_DELIVERY_ATTEMPTS - 1 });
    expect(minutesUntilNext(workspace)).toBe(5);
    expect(rateLimited).toMatchObject({ state: 'retry', attempts: MAX_DELIVERY_ATTEMPTS - 1 });
  });
});

describe('deliveryFailureKindOf', () => {
  it('reads the kind an error carries, and treats any other error as transient', () => {
    expect(deliveryFailureKindOf({ deliveryFailure: 'channel' })).toBe('channel');
    expect(deliveryFailureKindOf({ deliveryFailure: 'nonsense' })).toBe('transient');
    expect(deliveryFailureKindOf(new Error('disk full'))).toBe('transient');
  });
});

describe('claimedDelivery', () => {
  it("marks a post taken over from a run that died mid-post as uncertain from that run's claim, and nothing else", () => {
    const died = { delivery: 'in-flight', deliveryClaimedAt: '2026-11-22T09:00:00.000Z' };
    expect(claimedDelivery(died, '2026-11-22T10:00:00.000Z')).toEqual({
      delivery: 'in-flight',
      deliveryClaimedAt: '2026-11-22T10:00:00.000Z',
      deliveryUncertainSince: '2026-11-22T09:00:00.000Z',
    });
    expect(claimedDelivery({ delivery: 'pending' }, '2026-11-22T10:00:00.000Z')).not.toHaveProperty(
      'deliveryUncertainSince',
    );
    expect(
      claimedDelivery({ ...died, messageTs: '1763805600.000001' }, '2026-11-22T10:00:00.000Z'),
    ).not.toHaveProperty('deliveryUncertainSince');
  });
});
