import type { KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { digestMessage } from '../../../blocks/digest-message.js';
import { checkMessageLimits } from '../../../blocks/limits.js';
import type {
  AcceptanceSummary,
  DigestReport,
  OpenFindingSummary,
  WeekCounts,
} from '../../../src/domain/status-report.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

const INJECTION = '<!channel> <@U999> <https://evil.example|click> & *bold* `code`\n> quote';
const CHART_URL = 'https://acme.slack.com/files/U0BOT/F0123CHART/open-findings.png';

function makeOpenFinding(overrides: Partial<OpenFindingSummary> = {}): OpenFindingSummary {
  return {
    findingId: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.13/finding/1f2e3d4c-0001`,
    controlId: 'EC2.13',
    title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
    severity: 'HIGH',
    accountId: ACCOUNT,
    region: REGION,
    resourceShortId: 'sg-0abc1234def567890',
    firstObservedAt: '2026-10-02T12:00:00.000Z',
    exposed: true,
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

function makeWeek(overrides: Partial<WeekCounts> = {}): WeekCounts {
  return { new: 12, remediated: 9, suppressed: 2, accepted: 3, reopened: 1, ...overrides };
}

/** Eight weeks of open counts, one per day, ending on the last day of the digest week. */
function openPerDay(days = 56): DigestReport['openPerDay'] {
  return Array.from({ length: days }, (_, index) => ({
    day: new Date(Date.UTC(2026, 8, 21 + index)).toISOString().slice(0, 10),
    open: 30 + (index % 7),
  }));
}

function makeDigestReport(overrides: Partial<DigestReport> = {}): DigestReport {
  return {
    weekId: '2026-W47',
    weekStart: '2026-11-09',
    weekEnd: '2026-11-15',
    timeZone: 'Asia/Tokyo',
    thisWeek: makeWeek(),
    lastWeek: makeWeek({ new: 8, remediated: 11, suppressed: 2, accepted: 0, reopened: 3 }),
    openHighCritical: { now: 14, weekAgo: 16 },
    topControls: [
      { key: 'EC2.13', count: 6 },
      { key: 'EC2.8', count: 4 },
      { key: 'EC2.19', count: 2 },
      { key: 'AutoScaling.3', count: 1 },
      { key: 'EC2.2', count: 1 },
      { key: 'EC2.53', count: 1 },
    ],
    topAccounts: [
      { key: ACCOUNT, count: 10 },
      { key: '444455556666', count: 4 },
    ],
    oldestOpen: [
      makeOpenFinding({ severity: 'CRITICAL', controlId: 'EC2.19' }),
      makeOpenFinding({
        resourceShortId: 'sg-0fed9876cba543210',
        firstObservedAt: '2026-10-30T03:00:00.000Z',
      }),
    ],
    expiringSoon: [
      makeAcceptance({ until: '2026-11-25', acceptanceId: 'acc-0002', acceptedBy: 'U0456EF7GH' }),
      makeAcceptance(),
    ],
    meanTimeToRemediateHours: 19.25,
    openPerDay: openPerDay(),
    ...overrides,
  };
}

function fieldTexts(blocks: readonly KnownBlock[]): string[] {
  return blocks
    .filter((block): block is SectionBlock => block.type === 'section')
    .flatMap((block) => (block.fields ?? []).map((field) => field.text));
}

function sectionText(blocks: readonly KnownBlock[], heading: string): string {
  const found = blocks.find(
    (block): block is SectionBlock =>
      block.type === 'section' && (block.text?.text.includes(heading) ?? false),
  );
  if (found?.text === undefined) throw new Error(`no section with ${heading}`);
  return found.text.text;
}

describe('digestMessage', () => {
  it('renders a week of activity with its chart (snapshot)', () => {
    expect(digestMessage(makeDigestReport(), { chartFileUrl: CHART_URL })).toMatchSnapshot();
  });

  it('names the week in the header', () => {
    expect(digestMessage(makeDigestReport()).blocks[0]).toEqual({
      type: 'header',
      text: expect.objectContaining({ text: 'Weekly security digest · 2026-11-09–2026-11-15' }),
    });
  });

  it.each<[number, number, string]>([
    [12, 8, '12 ▲ 4 (last week: 8)'],
    [9, 11, '9 ▼ 2 (last week: 11)'],
    [2, 2, '2 ＝ (last week: 2)'],
    [0, 1_500, '0 ▼ 1,500 (last week: 1,500)'],
  ])('compares %i new findings this week with %i last week as %j', (current, previous, expected) => {
    const report = makeDigestReport({
      thisWeek: makeWeek({ new: current }),
      lastWeek: makeWeek({ new: previous }),
    });
    expect(fieldTexts(digestMessage(report).blocks)).toContain(`*🆕 New*\n${expected}`);
  });

  it('compares every counter with last week, and shows the mean time to remediate', () => {
    const fields = fieldTexts(digestMessage(makeDigestReport()).blocks);
    expect(fields.slice(0, 6)).toEqual([
      '*🆕 New*\n12 ▲ 4 (last week: 8)',
      '*✅ Remediated*\n9 ▼ 2 (last week: 11)',
      '*🔕 Suppressed*\n2 ＝ (last week: 2)',
      '*🤝 Risk accepted*\n3 ▲ 3 (last week: 0)',
      '*↩️ Reopened*\n1 ▼ 2 (last week: 3)',
      '*⏱️ Mean time to remediate*\n19.3 h',
    ]);
  });

  it.each<[DigestReport['openHighCritical'], string]>([
    [{ now: 14, weekAgo: 16 }, '*14* ▼ 2 against a week ago (16)'],
    [{ now: 14, weekAgo: 14 }, '*14* ＝ against a week ago (14)'],
    [{ now: 14 }, '*14* no count from a week ago'],
  ])('shows open HIGH and CRITICAL findings %j with their trend', (openHighCritical, expected) => {
    const text = sectionText(
      digestMessage(makeDigestReport({ openHighCritical })).blocks,
      'Open HIGH and CRITICAL',
    );
    expect(text).toContain(expected);
  });

  it('ranks the top five controls and accounts', () => {
    const fields = fieldTexts(digestMessage(makeDigestReport()).blocks);
    expect(fields).toContain(
      '*Top controls*\n1. `EC2.13` 6\n2. `EC2.8` 4\n3. `EC2.19` 2\n4. `AutoScaling.3` 1\n5. `EC2.2` 1',
    );
    expect(fields).toContain(`*Top accounts*\n1. \`${ACCOUNT}\` 10\n2. \`444455556666\` 4`);
  });

  it('lists the oldest open findings with when they were first seen', () => {
    const text = sectionText(digestMessage(makeDigestReport()).blocks, 'Oldest open findings');
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toContain(`open since <!date^${Date.parse('2026-10-02T12:00:00.000Z') / 1000}^`);
  });

  it('lists acceptances ending soon, with days left counted from the end of the week', () => {
    const text = sectionText(digestMessage(makeDigestReport()).blocks, 'Risk acceptances ending');
    const [, first, second] = text.split('\n');
    expect(first).toContain('<@U012AB3CD> · Until *2026-11-19* (4 days left)');
    expect(second).toContain('<@U0456EF7GH> · Until *2026-11-25* (10 days left)');
  });

  it('mentions the attached chart only when there is one', () => {
    const withChart = JSON.stringify(digestMessage(makeDigestReport(), { chartFileUrl: CHART_URL }).blocks);
    const without = JSON.stringify(digestMessage(makeDigestReport()).blocks);

    expect(withChart).toContain('Chart: open findings per day, 8 weeks (attached)');
    expect(without).not.toContain('Chart');
    // Assess: no image block; Slack would need a public URL for one.
    expect(withChart).not.toContain('"image"');
  });

  it('leaves out sections with nothing to show', () => {
    const report = makeDigestReport({ topControls: [], topAccounts: [], oldestOpen: [], expiringSoon: [] });
    const payload = JSON.stringify(digestMessage(report).blocks);
    expect(payload).not.toMatch(/Top controls|Top accounts|Oldest open|Risk acceptances ending/);
  });

  it('sums the week up in the notification text', () => {
    expect(digestMessage(makeDigestReport()).text).toBe(
      'Weekly security digest 2026-11-09–2026-11-15: 12 new, 9 remediated; 14 HIGH/CRITICAL open.',
    );
  });

  it('escapes foreign text so it cannot mention, link or restyle', () => {
    const report = makeDigestReport({
      topControls: [{ key: INJECTION, count: 1 }],
      oldestOpen: [makeOpenFinding({ title: INJECTION, resourceShortId: INJECTION })],
      expiringSoon: [makeAcceptance({ acceptedBy: INJECTION, resourceShortId: INJECTION })],
      timeZone: INJECTION,
    });
    const payload = JSON.stringify(digestMessage(report));
    expect(payload).not.toMatch(/<!channel>|<@U999>|<https:\/\/evil/);
    expect(payload).toContain('&lt;!channel&gt;');
  });

  it('stays within Slack limits with 100 findings and 50 acceptances of 5,000-character text', () => {
    const long = INJECTION + 'x'.repeat(5000);
    const counts = Array.from({ length: 100 }, (_, index) => ({
      key: `${long}${index}`,
      count: 100 - index,
    }));
    const report = makeDigestReport({
      weekId: long,
      weekStart: long,
      weekEnd: long,
      timeZone: long,
      topControls: counts,
      topAccounts: counts,
      oldestOpen: Array.from({ length: 100 }, () =>
        makeOpenFinding({
          title: long,
          resourceShortId: long,
          controlId: long,
          region: long,
          accountId: long,
        }),
      ),
      expiringSoon: Array.from({ length: 50 }, (_, index) =>
        makeAcceptance({
          acceptanceId: `acc-${index}`,
          reason: long,
          resourceShortId: long,
          acceptedBy: long,
          until: long,
        }),
      ),
    });

    const message = digestMessage(report, { chartFileUrl: CHART_URL });

    expect(checkMessageLimits(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('…and 40 more');
  });
});
