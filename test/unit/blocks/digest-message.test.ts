import { describe, expect, it } from 'vitest';
import { digestMessage } from '../../../blocks/digest-message.js';
import { checkMessageLimits } from '../../../blocks/limits.js';
import type { DigestReport } from '../../../src/domain/status-report.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import {
  INJECTION,
  makeAcceptance,
  makeDigestFinding,
  makeDigestReport,
  makeWeek,
  manyAcceptances,
  withText,
} from '../../fixtures/status-report.js';
import { fieldTexts, sectionText } from '../../support/block-text.js';

const CHART_URL = 'https://acme.slack.com/files/U0BOT/F0123CHART/open-findings.png';

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
      oldestOpen: [makeDigestFinding({ title: INJECTION, resourceShortId: INJECTION })],
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
        makeDigestFinding(withText(long, 'title', 'resourceShortId', 'controlId', 'region', 'accountId')),
      ),
      expiringSoon: manyAcceptances(50, withText(long, 'reason', 'resourceShortId', 'acceptedBy', 'until')),
    });

    const message = digestMessage(report, { chartFileUrl: CHART_URL });

    expect(checkMessageLimits(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('…and 40 more');
  });
});
