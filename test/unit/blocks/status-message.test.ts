import type { KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkMessageLimits } from '../../../blocks/limits.js';
import { statusMessage } from '../../../blocks/status-message.js';
import type {
  AcceptanceSummary,
  OpenFindingSummary,
  StatusReport,
  StatusScope,
} from '../../../src/domain/status-report.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

const GENERATED_AT = '2026-11-16T09:00:00.000Z';
const CHANNEL = 'C0123SECURITY';
const INJECTION = '<!channel> <@U999> <https://evil.example|click> & *bold* `code`\n> quote';

const permalinkOf = (channel: string, ts: string): string =>
  `https://acme.slack.com/archives/${channel}/p${ts.replace('.', '')}`;

function makeOpenFinding(overrides: Partial<OpenFindingSummary> = {}): OpenFindingSummary {
  return {
    findingId: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.13/finding/1f2e3d4c-0001`,
    controlId: 'EC2.13',
    title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
    severity: 'HIGH',
    accountId: ACCOUNT,
    region: REGION,
    resourceShortId: 'sg-0abc1234def567890',
    firstObservedAt: '2026-11-04T09:00:00.000Z',
    exposed: true,
    channel: CHANNEL,
    messageTs: '1762246800.000100',
    ...overrides,
  };
}

function makeAcceptance(overrides: Partial<AcceptanceSummary> = {}): AcceptanceSummary {
  return {
    acceptanceId: 'acc-0001',
    scope: 'resource',
    accountId: ACCOUNT,
    controlId: 'EC2.8',
    resourceShortId: 'i-0abc1234def567890',
    until: '2026-11-19',
    acceptedBy: 'U012AB3CD',
    reason: 'Batch host replaced by the new launch template in sprint 47',
    ...overrides,
  };
}

function makeStatusReport(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    scope: { kind: 'all' },
    generatedAt: GENERATED_AT,
    open: {
      total: 42,
      bySeverity: { CRITICAL: 3, HIGH: 21, MEDIUM: 12, LOW: 4, INFORMATIONAL: 2 },
      byControl: [
        { key: 'EC2.13', count: 14 },
        { key: 'EC2.8', count: 11 },
        { key: 'EC2.19', count: 7 },
        { key: 'EC2.2', count: 5 },
        { key: 'AutoScaling.3', count: 3 },
        { key: 'EC2.53', count: 2 },
      ],
      byAccount: [
        { key: ACCOUNT, count: 30 },
        { key: '444455556666', count: 12 },
      ],
      exposed: 7,
    },
    oldestOpen: [
      makeOpenFinding({
        severity: 'CRITICAL',
        controlId: 'EC2.19',
        firstObservedAt: '2026-10-02T12:00:00.000Z',
      }),
      makeOpenFinding({ exposed: false }),
      makeOpenFinding({
        controlId: 'EC2.8',
        title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
        resourceShortId: 'i-0abc1234def567890',
        firstObservedAt: '2026-11-16T01:00:00.000Z',
        exposed: false,
        messageTs: '1763254800.000300',
      }),
    ],
    last7Days: { remediated: 9, suppressed: 2, accepted: 3, reopened: 1 },
    expiringSoon: [
      makeAcceptance({ until: '2026-11-27', acceptanceId: 'acc-0002', acceptedBy: 'U0456EF7GH' }),
      makeAcceptance(),
    ],
    meanTimeToRemediateHours: 30.5,
    ...overrides,
  };
}

/** A report at every cap: 100 findings, 50 acceptances, 5,000-character foreign text everywhere. */
function hugeReport(): StatusReport {
  const long = INJECTION + 'x'.repeat(5000);
  const findings = Array.from({ length: 100 }, (_, index) =>
    makeOpenFinding({
      findingId: `finding-${index}`,
      title: long,
      controlId: long,
      resourceShortId: long,
      region: long,
      accountId: long,
      messageTs: `1762246800.${String(index).padStart(6, '0')}`,
    }),
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
    expiringSoon: Array.from({ length: 50 }, (_, index) =>
      makeAcceptance({ acceptanceId: `acc-${index}`, reason: long, resourceShortId: long, acceptedBy: long }),
    ),
  });
}

function sections(blocks: readonly KnownBlock[]): SectionBlock[] {
  return blocks.filter((block): block is SectionBlock => block.type === 'section');
}

function sectionText(blocks: readonly KnownBlock[], heading: string): string {
  const found = sections(blocks).find((block) => block.text?.text.includes(heading));
  if (found?.text === undefined) throw new Error(`no section with ${heading}`);
  return found.text.text;
}

function fieldTexts(blocks: readonly KnownBlock[]): string[] {
  return sections(blocks).flatMap((block) => (block.fields ?? []).map((field) => field.text));
}

describe('statusMessage', () => {
  describe('snapshots', () => {
    it('renders a posture across all accounts', () => {
      expect(statusMessage(makeStatusReport(), permalinkOf)).toMatchSnapshot();
    });

    it('renders an account with no open findings', () => {
      const report = makeStatusReport({
        scope: { kind: 'account', accountId: ACCOUNT },
        open: {
          total: 0,
          bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 },
          byControl: [],
          byAccount: [],
          exposed: 0,
        },
        oldestOpen: [],
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
      open: {
        total: 0,
        bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 },
        byControl: [],
        byAccount: [],
        exposed: 0,
      },
      oldestOpen: [],
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
