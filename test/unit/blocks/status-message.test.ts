import { describe, expect, it } from 'vitest';
import { checkMessageLimits } from '../../../blocks/limits.js';
import { statusMessage } from '../../../blocks/status-message.js';
import type { StatusReport, StatusScope } from '../../../src/domain/status-report.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import {
  CHANNEL,
  INJECTION,
  makeAcceptance,
  makeOpenFinding,
  makeStatusReport,
  manyAcceptances,
  manyOpenFindings,
  permalinkOf,
  withText,
} from '../../fixtures/status-report.js';
import { fieldTexts, sectionText } from '../../support/block-text.js';

/** What a report holds when nothing is open. */
const NOTHING_OPEN = {
  open: {
    total: 0,
    bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 },
    byControl: [],
    byAccount: [],
    exposed: 0,
  },
  oldestOpen: [],
} satisfies Partial<StatusReport>;

/** A report at every cap: 100 findings, 50 acceptances, 5,000-character foreign text everywhere. */
function hugeReport(): StatusReport {
  const long = INJECTION + 'x'.repeat(5000);
  const findings = manyOpenFindings(
    100,
    withText(long, 'title', 'controlId', 'resourceShortId', 'region', 'accountId'),
  );
  const counts = Array.from({ length: 100 }, (_, index) => ({
    key: `${long}${index}`,
    count: 1_000_000 - index,
  }));
  return makeStatusReport({
    scope: { kind: 'control', controlId: long },
    open: {
      total: 1_000_000,
      bySeverity: { CRITICAL: 200_000, HIGH: 200_000, MEDIUM: 200_000, LOW: 200_000, INFORMATIONAL: 200_000 },
      byControl: counts,
      byAccount: counts,
      exposed: 999_999,
    },
    oldestOpen: findings,
    expiringSoon: manyAcceptances(50, { reason: long, resourceShortId: long, acceptedBy: long }),
  });
}

describe('statusMessage', () => {
  describe('snapshots', () => {
    it('renders a posture across all accounts', () => {
      expect(statusMessage(makeStatusReport(), permalinkOf)).toMatchSnapshot();
    });

    it('renders an account with no open findings', () => {
      const report = makeStatusReport({
        scope: { kind: 'account', accountId: ACCOUNT },
        ...NOTHING_OPEN,
        expiringSoon: [],
        last7Days: { remediated: 4, suppressed: 0, accepted: 0, reopened: 0 },
      });
      expect(statusMessage(report)).toMatchSnapshot();
    });
  });

  it.each<[StatusScope, string]>([
    [{ kind: 'all' }, 'Security posture · all accounts'],
    [{ kind: 'account', accountId: ACCOUNT }, `Security posture · account ${ACCOUNT}`],
    [{ kind: 'control', controlId: 'EC2.13' }, 'Security posture · EC2.13'],
  ])('names the scope %j in the header', (scope, expected) => {
    const [header] = statusMessage(makeStatusReport({ scope })).blocks;
    expect(header).toEqual({ type: 'header', text: expect.objectContaining({ text: expected }) });
  });

  it('shows open findings per severity, most severe first, and the internet-exposed count', () => {
    const fields = fieldTexts(statusMessage(makeStatusReport()).blocks);
    expect(fields.slice(0, 6)).toEqual([
      '*🔴 CRITICAL*\n3',
      '*🟠 HIGH*\n21',
      '*🟡 MEDIUM*\n12',
      '*🔵 LOW*\n4',
      '*⚪ INFORMATIONAL*\n2',
      '*🌐 Internet-exposed*\n7',
    ]);
  });

  it('shows what happened in the last 7 days', () => {
    const fields = fieldTexts(statusMessage(makeStatusReport()).blocks);
    expect(fields).toEqual(
      expect.arrayContaining([
        '*✅ Remediated*\n9',
        '*🔕 Suppressed*\n2',
        '*🤝 Risk accepted*\n3',
        '*↩️ Reopened*\n1',
      ]),
    );
  });

  it.each<[number | undefined, string]>([
    [undefined, '—'],
    [0.25, 'under 1 h'],
    [5.25, '5.3 h'],
    [47.9, '47.9 h'],
    [48, '2 days'],
    [76.8, '3.2 days'],
  ])('shows a mean time to remediate of %s hours as %j', (hours, expected) => {
    const { meanTimeToRemediateHours: _none, ...withoutMttr } = makeStatusReport();
    const report = hours === undefined ? withoutMttr : { ...withoutMttr, meanTimeToRemediateHours: hours };

    const fields = fieldTexts(statusMessage(report).blocks);

    expect(fields).toContain(`*⏱️ Mean time to remediate*\n${expected}`);
  });

  it('says so positively when nothing is open, and still shows the last 7 days', () => {
    const report = makeStatusReport({
      ...NOTHING_OPEN,
    });

    const message = statusMessage(report);

    expect(message.text).toBe('Security posture (all accounts): no open findings.');
    expect(sectionText(message.blocks, 'No open findings')).toContain('✅');
    expect(JSON.stringify(message.blocks)).not.toContain('Oldest open findings');
    expect(fieldTexts(message.blocks)).toContain('*✅ Remediated*\n9');
  });

  it('lists the top controls and accounts, five at most', () => {
    const text = sectionText(statusMessage(makeStatusReport()).blocks, 'Top controls');
    expect(text).toContain(
      '*Top controls*: `EC2.13` 14 · `EC2.8` 11 · `EC2.19` 7 · `EC2.2` 5 · `AutoScaling.3` 3',
    );
    expect(text).not.toContain('EC2.53');
    expect(text).toContain(`*Top accounts*: \`${ACCOUNT}\` 30 · \`444455556666\` 12`);
  });

  it('leaves out the top accounts when the scope is one account', () => {
    const blocks = statusMessage(makeStatusReport({ scope: { kind: 'account', accountId: ACCOUNT } })).blocks;
    expect(sectionText(blocks, 'Top controls')).not.toContain('Top accounts');
  });

  it('gives each oldest finding its age in days as of the report', () => {
    const text = sectionText(statusMessage(makeStatusReport()).blocks, 'Oldest open findings');
    // Prepare (in the report): opened 2026-10-02T12:00Z, 2026-11-04T09:00Z and 2026-11-16T01:00Z; report at 11-16T09:00Z.
    expect(text).toContain('open 44 days');
    expect(text).toContain('open 12 days');
    expect(text).toContain('open less than a day');
    expect(text.split('\n')[1]).toMatch(/^• 🔴 \*EC2\.19\* /);
  });

  it('links each oldest finding to its Slack message when a permalink is known', () => {
    const { messageTs: _none, ...notPosted } = makeOpenFinding({ resourceShortId: 'sg-nomessage' });
    const report = makeStatusReport({ oldestOpen: [makeOpenFinding(), notPosted] });
    const lines = sectionText(statusMessage(report, permalinkOf).blocks, 'Oldest open findings').split('\n');

    expect(lines[1]).toContain(`<https://acme.slack.com/archives/${CHANNEL}/p1762246800000100|message>`);
    expect(lines[2]).toContain('sg-nomessage');
    expect(lines[2]).not.toContain('https://');
  });

  it('shows no link without a way to build permalinks', () => {
    const text = sectionText(statusMessage(makeStatusReport()).blocks, 'Oldest open findings');
    expect(text).not.toContain('https://');
  });

  it('lists acceptances ending soon, soonest first, with who and the days left', () => {
    const text = sectionText(statusMessage(makeStatusReport()).blocks, 'Risk acceptances ending');
    const [, first, second] = text.split('\n');
    expect(first).toContain(
      '<@U012AB3CD> · ⏳ Until *2026-11-19* (3 days left) · `i-0abc1234def567890` · `EC2.8`',
    );
    expect(second).toContain('<@U0456EF7GH> · Until *2026-11-27* (11 days left)');
  });

  it('escapes foreign text so it cannot mention, link or restyle', () => {
    const report = makeStatusReport({
      oldestOpen: [makeOpenFinding({ title: INJECTION, resourceShortId: INJECTION })],
      expiringSoon: [makeAcceptance({ acceptedBy: INJECTION, resourceShortId: INJECTION })],
    });

    const message = statusMessage(report);
    const payload = JSON.stringify(message);

    expect(payload).not.toContain('<!channel>');
    expect(payload).not.toContain('<@U999>');
    expect(payload).not.toContain('<https://evil.example');
    expect(payload).toContain('&lt;!channel&gt;');
  });

  it('stays within Slack limits for a report at every cap', () => {
    const message = statusMessage(hugeReport(), permalinkOf);

    expect(checkMessageLimits(message)).toEqual([]);
    expect(JSON.stringify(message)).not.toContain('<!channel>');
    expect(JSON.stringify(message.blocks)).toContain('…and 40 more');
  });
});

describe('statusMessage needs attention: stuck deliveries', () => {
  it('lists finding messages the bot gave up on, by channel and reason, with the total', () => {
    const report = makeStatusReport({
      stuckDeliveries: {
        groups: [
          {
            channel: 'C0ARCHIVED',
            reason: '<#C0ARCHIVED> is archived: unarchive it or route these findings to another channel.',
            count: 150,
          },
          {
            channel: 'C0FINDINGS',
            reason: 'Not delivered after 10 attempts; last error: service_unavailable',
            count: 1,
          },
        ],
        total: 100,
        more: true,
      },
    });

    const lines = sectionText(statusMessage(report).blocks, 'Needs attention').split('\n');

    expect(lines).toEqual([
      '*Needs attention*',
      '• 📭 <#C0ARCHIVED> · 150 finding messages not delivered: <#C0ARCHIVED> is archived: unarchive it or route these findings to another channel.',
      '• 📭 <#C0FINDINGS> · 1 finding message not delivered: Not delivered after 10 attempts; last error: service_unavailable',
      '_100+ stuck in all: each is tried again when its finding changes; fix the cause first._',
    ]);
  });

  it('shows no "Needs attention" part when nothing is stuck', () => {
    expect(JSON.stringify(statusMessage(makeStatusReport()).blocks)).not.toContain('Needs attention');
    expect(
      JSON.stringify(
        statusMessage(makeStatusReport({ stuckDeliveries: { groups: [], total: 0, more: false } })).blocks,
      ),
    ).not.toContain('Needs attention');
  });

  it('stays within Slack limits with many stuck channels and long reasons', () => {
    const groups = Array.from({ length: 40 }, (_, index) => ({
      channel: `C0CH${index}`,
      reason: 'x'.repeat(5000),
      count: 40 - index,
    }));
    const message = statusMessage(makeStatusReport({ stuckDeliveries: { groups, total: 100, more: true } }));

    expect(checkMessageLimits(message)).toEqual([]);
    expect(sectionText(message.blocks, 'Needs attention')).toContain('…and 35 more channels or reasons.');
  });
});
