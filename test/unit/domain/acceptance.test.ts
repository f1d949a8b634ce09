import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Acceptance } from '../../../src/domain/acceptance.js';
import {
  acceptanceCovers,
  defaultAcceptanceUntil,
  isDueForReminder,
  isExpired,
  validateAcceptanceUntil,
} from '../../../src/domain/acceptance.js';
import { makeFinding } from '../../fixtures/finding.js';

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });
const rules = (timeZone: string) => ({ timeZone, defaultDays: 30, maxDays: 365 });

function acceptance(overrides: Partial<Acceptance> = {}): Acceptance {
  const finding = makeFinding();
  return {
    acceptanceId: 'acc-1',
    scope: 'resource',
    accountId: finding.accountId,
    controlId: 'EC2.13',
    resourceId: finding.resource.id,
    originFindingId: finding.id,
    until: '2027-03-31',
    expiresAt: '2027-03-31T15:00:00.000Z',
    timeZone: 'Asia/Tokyo',
    acceptedBy: 'U0ALICE01',
    reason: 'Bastion kept open for the migration weekend',
    createdAt: '2026-11-22T10:00:00.000Z',
    status: 'active',
    ...overrides,
  };
}

describe('validateAcceptanceUntil', () => {
  it.each([
    ['UTC', '2026-11-22T10:00:00.000Z', '2026-11-23', '2026-11-24T00:00:00.000Z'],
    ['Asia/Tokyo', '2026-11-22T10:00:00.000Z', '2027-03-31', '2027-03-31T15:00:00.000Z'],
    ['America/New_York', '2026-11-22T10:00:00.000Z', '2026-12-01', '2026-12-02T05:00:00.000Z'],
    // The night clocks spring forward (2027-03-14 in New York): still ends at local midnight, EDT.
    ['America/New_York', '2026-11-22T10:00:00.000Z', '2027-03-14', '2027-03-15T04:00:00.000Z'],
    // Paris falls back on 2027-10-31: the last day has 25 hours, the end is midnight CET.
    ['Europe/Paris', '2027-09-01T10:00:00.000Z', '2027-10-31', '2027-10-31T23:00:00.000Z'],
  ])('in %s at %s accepts %s, ending at %s', (zone, now, until, expiresAt) => {
    expect(validateAcceptanceUntil(until, at(now), rules(zone))).toEqual({ ok: true, until, expiresAt });
  });

  it('refuses today and the past, naming today in the configured zone', () => {
    // 23:30 UTC on the 22nd is already the 23rd in Tokyo: "today" there is the 23rd.
    const now = at('2026-11-22T23:30:00.000Z');

    expect(validateAcceptanceUntil('2026-11-23', now, rules('Asia/Tokyo'))).toEqual({
      ok: false,
      error: 'Pick a day after today (2026-11-23 in Asia/Tokyo).',
    });
    expect(validateAcceptanceUntil('2026-11-23', now, rules('UTC'))).toMatchObject({ ok: true });
    expect(validateAcceptanceUntil('2025-01-01', now, rules('UTC'))).toMatchObject({ ok: false });
  });

  it('refuses more than the maximum ahead, and accepts exactly the maximum', () => {
    const now = at('2026-11-22T10:00:00.000Z');

    expect(validateAcceptanceUntil('2027-11-22', now, rules('UTC'))).toMatchObject({ ok: true });
    expect(validateAcceptanceUntil('2027-11-23', now, rules('UTC'))).toEqual({
      ok: false,
      error: 'At most 365 days ahead: 2027-11-22 or earlier.',
    });
  });

  it('refuses a missing or impossible date', () => {
    const now = at('2026-11-22T10:00:00.000Z');

    expect(validateAcceptanceUntil(undefined, now, rules('UTC'))).toMatchObject({ ok: false });
    expect(validateAcceptanceUntil('2027-02-30', now, rules('UTC'))).toEqual({
      ok: false,
      error: '2027-02-30 is not a date.',
    });
  });

  it('defaults to 30 days from today in the zone', () => {
    expect(defaultAcceptanceUntil(at('2026-11-22T23:30:00.000Z'), rules('Asia/Tokyo'))).toBe('2026-12-23');
  });
});

describe('acceptanceCovers', () => {
  const now = at('2026-12-01T00:00:00.000Z');

  it('covers the same resource and control while active', () => {
    expect(acceptanceCovers(acceptance(), makeFinding(), now)).toBe(true);
  });

  it('covers every finding of the control in the account when account-wide, and not another control', () => {
    const accountWide = acceptance({ scope: 'control-in-account' });
    const otherGroup = makeFinding({
      resource: {
        ...makeFinding().resource,
        id: 'arn:aws:ec2:ap-northeast-1:111122223333:security-group/sg-0other',
      },
    });

    expect(acceptanceCovers(accountWide, otherGroup, now)).toBe(true);
    expect(acceptanceCovers(accountWide, makeFinding({ controlId: 'EC2.19' }), now)).toBe(false);
    expect(acceptanceCovers(accountWide, makeFinding({ accountId: '444455556666' }), now)).toBe(false);
    expect(acceptanceCovers(acceptance(), otherGroup, now)).toBe(false);
  });

  it('stops covering at expiry and once revoked', () => {
    expect(acceptanceCovers(acceptance(), makeFinding(), at('2027-03-31T15:00:00.000Z'))).toBe(false);
    expect(acceptanceCovers(acceptance({ status: 'revoked' }), makeFinding(), now)).toBe(false);
  });
});

describe('expiry and reminders', () => {
  it('is expired from the start of the day after the last day', () => {
    expect(isExpired(acceptance(), at('2027-03-31T14:59:59.999Z'))).toBe(false);
    expect(isExpired(acceptance(), at('2027-03-31T15:00:00.000Z'))).toBe(true);
    expect(isExpired(acceptance({ status: 'expired' }), at('2027-04-30T00:00:00.000Z'))).toBe(false);
  });

  it('reminds once, within the last 7 days', () => {
    expect(isDueForReminder(acceptance(), at('2027-03-24T14:59:00.000Z'), 7)).toBe(false);
    expect(isDueForReminder(acceptance(), at('2027-03-24T15:00:00.000Z'), 7)).toBe(true);
    expect(
      isDueForReminder(
        acceptance({ reminderSentAt: '2027-03-24T15:00:00.000Z' }),
        at('2027-03-25T00:00:00.000Z'),
        7,
      ),
    ).toBe(false);
  });
});
