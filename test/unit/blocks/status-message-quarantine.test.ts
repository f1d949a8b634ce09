import { describe, expect, it } from 'vitest';
import { checkMessageLimits } from '../../../blocks/limits.js';
import { statusMessage } from '../../../blocks/status-message.js';
import type { QuarantinedFindingSummary } from '../../../src/domain/status-report.js';
import { ACCOUNT, REGION, makeFinding } from '../../fixtures/finding.js';
import { INJECTION, makeStatusReport } from '../../fixtures/status-report.js';
import { sectionText } from '../../support/block-text.js';

const REFUSED: QuarantinedFindingSummary = {
  id: makeFinding().id,
  accountId: ACCOUNT,
  region: REGION,
  controlId: 'EC2.13',
  reason: 'ValidationException: Item size has exceeded the maximum allowed size',
  attempts: 3,
  lastFailedAt: '2026-11-22T09:00:00.000Z',
};

describe('statusMessage needs attention: quarantined findings', () => {
  it('names each finding that could not be stored, where it is, how often it failed and why', () => {
    const report = makeStatusReport({ quarantined: { recent: [REFUSED], total: 1 } });

    const lines = sectionText(statusMessage(report).blocks, 'Needs attention').split('\n');

    expect(lines).toEqual([
      '*Needs attention*',
      `• 🚫 \`${REFUSED.id}\` · EC2.13 · ${ACCOUNT}/${REGION} · 3 attempts: ValidationException: Item size has exceeded the maximum allowed size`,
      '_1 finding could not be stored and is skipped (nothing else is held up); each is tried again when Security Hub updates it and leaves this list once stored._',
    ]);
  });

  it('says how many more there are beyond those shown', () => {
    const report = makeStatusReport({
      quarantined: { recent: [REFUSED, { ...REFUSED, attempts: 1 }], total: 12 },
    });

    const text = sectionText(statusMessage(report).blocks, 'Needs attention');

    expect(text).toContain('…and 10 more findings.');
    expect(text).toContain('_12 findings could not be stored and are skipped');
  });

  it('shows no "Needs attention" part when nothing is quarantined', () => {
    expect(JSON.stringify(statusMessage(makeStatusReport()).blocks)).not.toContain('Needs attention');
    expect(
      JSON.stringify(statusMessage(makeStatusReport({ quarantined: { recent: [], total: 0 } })).blocks),
    ).not.toContain('Needs attention');
  });

  it('stays within Slack limits and inert with huge foreign ids and reasons', () => {
    const long = INJECTION + 'x'.repeat(5000);
    const recent = Array.from({ length: 5 }, () => ({
      ...REFUSED,
      id: long,
      reason: long,
      controlId: long,
      region: long,
    }));

    const message = statusMessage(makeStatusReport({ quarantined: { recent, total: 5000 } }));

    expect(checkMessageLimits(message)).toEqual([]);
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });

  it('sits with stuck deliveries in one "Needs attention" part', () => {
    const report = makeStatusReport({
      quarantined: { recent: [REFUSED], total: 1 },
      stuckDeliveries: {
        groups: [{ channel: 'C0FINDINGS', reason: 'channel_not_found', count: 2 }],
        total: 2,
        more: false,
      },
    });

    expect(statusMessage(report)).toMatchSnapshot();
  });
});
