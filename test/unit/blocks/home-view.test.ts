import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { homeView } from '../../../blocks/home-view.js';
import { BLOCK_LIMITS, checkBlockLimits } from '../../../blocks/limits.js';
import type { StatusReport } from '../../../src/domain/status-report.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import {
  ACCEPTOR,
  INJECTION,
  makeAcceptance,
  makeOpenFinding,
  makeStatusReport,
  manyAcceptances,
  permalinkOf,
  withText,
} from '../../fixtures/status-report.js';

/** Whose Home it is: the one who made the fixture's acceptances. */
const USER = ACCEPTOR;

/** A smaller posture than the status message's, so that the Home snapshot stays readable. */
const HOME_POSTURE = {
  open: {
    total: 12,
    bySeverity: { CRITICAL: 1, HIGH: 8, MEDIUM: 3, LOW: 0, INFORMATIONAL: 0 },
    byControl: [
      { key: 'EC2.13', count: 6 },
      { key: 'EC2.8', count: 4 },
      { key: 'AutoScaling.3', count: 2 },
    ],
    byAccount: [{ key: ACCOUNT, count: 12 }],
    exposed: 3,
  },
  oldestOpen: [
    makeOpenFinding({ severity: 'CRITICAL', firstObservedAt: '2026-10-20T00:00:00.000Z' }),
    makeOpenFinding(),
  ],
  last7Days: { remediated: 5, suppressed: 1, accepted: 2, reopened: 0 },
  expiringSoon: [makeAcceptance()],
  meanTimeToRemediateHours: 52,
} satisfies Partial<StatusReport>;

function headers(blocks: readonly KnownBlock[]): string[] {
  return blocks.flatMap((block) => (block.type === 'header' ? [block.text.text] : []));
}

describe('homeView', () => {
  it('renders the posture and the acceptances of the user (snapshot)', () => {
    const { resourceShortId: _none, ...wholeControl } = makeAcceptance({
      acceptanceId: 'acc-0002',
      scope: 'control-in-account',
      controlId: 'EC2.19',
      until: '2027-01-31',
      reason: 'Sandbox account, rebuilt nightly',
    });
    const view = homeView({
      report: makeStatusReport(HOME_POSTURE),
      myAcceptances: [wholeControl, makeAcceptance()],
      userId: USER,
      permalinkOf,
    });
    expect(view).toMatchSnapshot();
  });

  it('is a Home tab with the status first, then the acceptances of the user', () => {
    const view = homeView({
      report: makeStatusReport(HOME_POSTURE),
      myAcceptances: [makeAcceptance()],
      userId: USER,
    });

    expect(view.type).toBe('home');
    expect(headers(view.blocks)).toEqual(['Security posture · all accounts', 'Your risk acceptances (1)']);
    expect(JSON.stringify(view.blocks)).toContain(`Accepted by <@${USER}> and still active`);
  });

  it('shows the days left on each of the user’s acceptances, counted from the report time', () => {
    const view = homeView({
      report: makeStatusReport(HOME_POSTURE),
      myAcceptances: [makeAcceptance({ until: '2026-11-26' })],
      userId: USER,
    });
    expect(JSON.stringify(view.blocks.at(-1))).toContain('Until *2026-11-26* (10 days left)');
  });

  it('tells the user how to make one when they have none', () => {
    const view = homeView({ report: makeStatusReport(HOME_POSTURE), myAcceptances: [], userId: USER });
    expect(JSON.stringify(view.blocks.at(-1))).toContain('You have no active risk acceptances.');
  });

  it('links oldest findings to their messages when permalinks are known', () => {
    const withLinks = JSON.stringify(
      homeView({ report: makeStatusReport(HOME_POSTURE), myAcceptances: [], userId: USER, permalinkOf }),
    );
    const without = JSON.stringify(
      homeView({ report: makeStatusReport(HOME_POSTURE), myAcceptances: [], userId: USER }),
    );
    expect(withLinks).toContain('|message>');
    expect(without).not.toContain('|message>');
  });

  it('never mentions a user id that is not one', () => {
    const view = homeView({
      report: makeStatusReport(HOME_POSTURE),
      myAcceptances: [],
      userId: '<!channel>',
    });
    expect(JSON.stringify(view)).not.toContain('<!channel>');
  });

  it('stays within Home tab limits with 100 findings and 50 acceptances of 5,000-character text', () => {
    const long = INJECTION + 'x'.repeat(5000);
    const acceptances = manyAcceptances(
      50,
      withText(long, 'reason', 'resourceShortId', 'controlId', 'accountId'),
    );
    const report = makeStatusReport({
      ...HOME_POSTURE,
      oldestOpen: Array.from({ length: 100 }, () =>
        makeOpenFinding({ title: long, resourceShortId: long, region: long }),
      ),
      expiringSoon: acceptances,
      open: {
        total: 100,
        bySeverity: { CRITICAL: 20, HIGH: 20, MEDIUM: 20, LOW: 20, INFORMATIONAL: 20 },
        byControl: Array.from({ length: 10 }, (_, index) => ({ key: `${long}${index}`, count: 10 })),
        byAccount: Array.from({ length: 10 }, (_, index) => ({ key: `${long}${index}`, count: 10 })),
        exposed: 100,
      },
    });

    const view = homeView({ report, myAcceptances: acceptances, userId: USER, permalinkOf });

    expect(checkBlockLimits(view.blocks, 'home')).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(BLOCK_LIMITS.blocksPerView);
    expect(JSON.stringify(view.blocks.at(-1))).toContain('…and 10 more');
    expect(JSON.stringify(view)).not.toContain('<!channel>');
  });
});
