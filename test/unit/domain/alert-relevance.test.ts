import { describe, expect, it } from 'vitest';
import {
  alertRelevance,
  cameBackOpen,
  isOlderUpdate,
  isSameUpdate,
  predatesDecision,
  visibleStateChanged,
} from '../../../src/domain/alert-relevance.js';
import type { Finding } from '../../../src/domain/finding.js';
import { makeFinding } from '../../fixtures/finding.js';

describe('alertRelevance', () => {
  it.each([
    ['an active, failed, new HIGH finding', {}, { alert: true }],
    ['a CRITICAL one', { severity: 'CRITICAL' }, { alert: true }],
    ['a NOTIFIED one (another tool saw it, nobody acted)', { workflowStatus: 'NOTIFIED' }, { alert: true }],
    ['an archived finding', { recordState: 'ARCHIVED' }, { alert: false, reason: 'archived' }],
    ['a passed control', { complianceStatus: 'PASSED' }, { alert: false, reason: 'passed' }],
    ['a suppressed finding', { workflowStatus: 'SUPPRESSED' }, { alert: false, reason: 'not-open' }],
    ['a resolved finding', { workflowStatus: 'RESOLVED' }, { alert: false, reason: 'not-open' }],
    [
      'a MEDIUM finding under a HIGH threshold',
      { severity: 'MEDIUM' },
      { alert: false, reason: 'below-threshold' },
    ],
  ] satisfies [string, Partial<Finding>, unknown][])('judges %s', (_case, overrides, expected) => {
    expect(alertRelevance(makeFinding(overrides), 'HIGH')).toEqual(expected);
  });

  it('admits MEDIUM findings when the threshold is lowered', () => {
    expect(alertRelevance(makeFinding({ severity: 'MEDIUM' }), 'MEDIUM')).toEqual({ alert: true });
  });
});

describe('visibleStateChanged', () => {
  it('ignores a re-delivery that only moved LastObservedAt', () => {
    const before = makeFinding();

    expect(visibleStateChanged(before, { ...before, lastObservedAt: '2026-11-03T00:00:00.000Z' })).toBe(
      false,
    );
  });

  it.each([
    { workflowStatus: 'RESOLVED' },
    { recordState: 'ARCHIVED' },
    { complianceStatus: 'PASSED' },
    { severity: 'CRITICAL' },
  ] satisfies Partial<Finding>[])('sees %o', (change) => {
    const before = makeFinding();

    expect(visibleStateChanged(before, { ...before, ...change })).toBe(true);
  });
});

describe('cameBackOpen', () => {
  it('is true for a resolved finding that Security Hub set back to NEW', () => {
    expect(cameBackOpen(makeFinding({ workflowStatus: 'RESOLVED' }), makeFinding())).toBe(true);
  });

  it('is false for a finding that stayed open or was suppressed', () => {
    expect(cameBackOpen(makeFinding(), makeFinding())).toBe(false);
    expect(cameBackOpen(makeFinding({ workflowStatus: 'SUPPRESSED' }), makeFinding())).toBe(false);
  });
});

describe('predatesDecision', () => {
  const decidedAt = '2026-11-22T10:00:00.000Z';

  it.each([
    ['the original event, weeks before the decision', '2026-11-02T09:15:00.000Z', true],
    ['an update at the very instant of the decision', '2026-11-22T10:00:00.000Z', true],
    ['an offset timestamp one minute before, that sorts after as text', '2026-11-22T18:59:00+09:00', true],
    ['an offset timestamp one minute after, that sorts before as text', '2026-11-22T05:01:00-05:00', false],
    ['a Security Hub update a day later', '2026-11-23T10:00:00.000Z', false],
  ])('%s → %s', (_case, updatedAt, expected) => {
    expect(predatesDecision({ decidedAt }, { updatedAt })).toBe(expected);
  });

  it('never holds a finding nobody decided on', () => {
    expect(predatesDecision({}, { updatedAt: '2026-11-02T09:15:00.000Z' })).toBe(false);
  });

  it('lets the decision stand when the delivered timestamp cannot be read', () => {
    expect(predatesDecision({ decidedAt }, { updatedAt: 'yesterday' })).toBe(true);
  });
});

describe('update order', () => {
  it('compares updates as instants, not as text', () => {
    const stored = { updatedAt: '2026-11-22T10:00:00.000Z' };
    expect(isOlderUpdate({ updatedAt: '2026-11-22T18:59:00+09:00' }, stored)).toBe(true);
    expect(isSameUpdate({ updatedAt: '2026-11-22T19:00:00+09:00' }, stored)).toBe(true);
    expect(isOlderUpdate({ updatedAt: '2026-11-22T05:01:00-05:00' }, stored)).toBe(false);
  });
});
