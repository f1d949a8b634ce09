import type { KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { findingListMessage, type FindingListFilter } from '../../../blocks/finding-list-message.js';
import { checkMessageLimits } from '../../../blocks/limits.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import {
  CHANNEL,
  INJECTION,
  makeOpenFinding,
  manyOpenFindings,
  permalinkOf,
  withText,
} from '../../fixtures/status-report.js';

const NOW = '2026-11-16T09:00:00.000Z';
const NO_FILTER: FindingListFilter = { exposedOnly: false };

function lines(blocks: readonly KnownBlock[]): string[] {
  return blocks
    .filter((block): block is SectionBlock => block.type === 'section')
    .flatMap((block) => (block.text?.text ?? '').split('\n'));
}

function contextText(blocks: readonly KnownBlock[]): string {
  return JSON.stringify(blocks.filter((block) => block.type === 'context'));
}

describe('findingListMessage', () => {
  describe('snapshots', () => {
    it('renders exposed findings of one control in one account', () => {
      const { channel: _none, ...notPosted } = makeOpenFinding({
        resourceShortId: 'sg-0123456789abcdef0',
        region: 'eu-west-1',
        firstObservedAt: '2026-11-16T07:30:00.000Z',
      });
      const findings = [
        makeOpenFinding({ severity: 'CRITICAL', firstObservedAt: '2026-10-02T12:00:00.000Z' }),
        makeOpenFinding({ resourceShortId: 'sg-0fed9876cba543210', messageTs: '1762333200.000200' }),
        notPosted,
      ];
      const message = findingListMessage({
        findings,
        filter: { accountId: ACCOUNT, controlId: 'EC2.13', exposedOnly: true },
        now: NOW,
        permalinkOf,
      });
      expect(message).toMatchSnapshot();
    });

    it('renders an empty list', () => {
      expect(
        findingListMessage({ findings: [], filter: { controlId: 'EC2.8', exposedOnly: false } }),
      ).toMatchSnapshot();
    });
  });

  it.each<[FindingListFilter, string]>([
    [NO_FILTER, 'Open findings'],
    [{ accountId: ACCOUNT, exposedOnly: false }, `Open findings · account ${ACCOUNT}`],
    [{ controlId: 'EC2.8', exposedOnly: true }, 'Open findings · EC2.8 · internet-exposed only'],
  ])('names the filter %j in the header', (filter, expected) => {
    const [header] = findingListMessage({ findings: manyOpenFindings(1), filter }).blocks;
    expect(header).toEqual({ type: 'header', text: expect.objectContaining({ text: expected }) });
  });

  it('shows one line per finding, in the order given', () => {
    const findings = manyOpenFindings(3);
    const shown = lines(findingListMessage({ findings, filter: NO_FILTER }).blocks);
    expect(shown).toHaveLength(3);
    shown.forEach((line, index) => expect(line).toContain(findings[index]?.resourceShortId));
  });

  it('shows at most 20 findings and says how many more match', () => {
    const message = findingListMessage({ findings: manyOpenFindings(25), filter: NO_FILTER, total: 134 });

    expect(lines(message.blocks)).toHaveLength(20);
    expect(contextText(message.blocks)).toContain('…and 114 more');
    expect(message.text).toBe('134 open findings');
  });

  it('counts the findings given when the total is missing or smaller', () => {
    const message = findingListMessage({ findings: manyOpenFindings(22), filter: NO_FILTER, total: 5 });
    expect(contextText(message.blocks)).toContain('…and 2 more');
  });

  it('says how many there are when all are shown', () => {
    const message = findingListMessage({ findings: manyOpenFindings(1), filter: NO_FILTER });
    expect(contextText(message.blocks)).toContain('1 open finding in all.');
  });

  it('says so positively when nothing matches', () => {
    const message = findingListMessage({ findings: [], filter: { accountId: ACCOUNT, exposedOnly: true } });
    expect(message.text).toBe(`No open findings match account ${ACCOUNT}, internet-exposed only.`);
    expect(lines(message.blocks)[0]).toMatch(/^✅ No open findings match/);
  });

  it('links each finding to its Slack message when it has one', () => {
    const { messageTs: _none, ...notPosted } = makeOpenFinding({ resourceShortId: 'sg-notposted' });
    const shown = lines(
      findingListMessage({ findings: [makeOpenFinding(), notPosted], filter: NO_FILTER, permalinkOf }).blocks,
    );
    expect(shown[0]).toContain(`<https://acme.slack.com/archives/${CHANNEL}/p1762246800000100|message>`);
    expect(shown[1]).not.toContain('https://');
  });

  it.each([
    ['nothing', () => undefined],
    ['a non-https URL', () => 'javascript:alert(1)'],
    ['an overlong URL', () => `https://acme.slack.com/${'x'.repeat(600)}`],
  ])('leaves the link out when the permalink is %s', (_label, badPermalinkOf) => {
    const [line] = lines(
      findingListMessage({ findings: [makeOpenFinding()], filter: NO_FILTER, permalinkOf: badPermalinkOf })
        .blocks,
    );
    expect(line).not.toContain('|message>');
  });

  it('gives the age as of now, or since when without a now', () => {
    const firstObservedAt = '2026-11-15T08:00:00.000Z';
    const finding = makeOpenFinding({ firstObservedAt });
    const [withNow] = lines(findingListMessage({ findings: [finding], filter: NO_FILTER, now: NOW }).blocks);
    const [withoutNow] = lines(findingListMessage({ findings: [finding], filter: NO_FILTER }).blocks);

    expect(withNow).toContain('open 1 day');
    expect(withoutNow).toContain(`open since <!date^${Date.parse(firstObservedAt) / 1000}^`);
  });

  it('marks internet-exposed findings', () => {
    const [exposed, internal] = lines(
      findingListMessage({
        findings: [makeOpenFinding(), makeOpenFinding({ exposed: false })],
        filter: NO_FILTER,
      }).blocks,
    );
    expect(exposed).toContain('🌐 internet-exposed');
    expect(internal).not.toContain('🌐');
  });

  it('escapes foreign text so it cannot mention, link or restyle', () => {
    const finding = makeOpenFinding(withText(INJECTION, 'title', 'resourceShortId', 'controlId', 'region'));

    const payload = JSON.stringify(findingListMessage({ findings: [finding], filter: NO_FILTER }));

    expect(payload).not.toMatch(/<!channel>|<@U999>|<https:\/\/evil/);
    expect(payload).toContain('&lt;!channel&gt;');
  });

  it('stays within Slack limits with 100 findings of 5,000-character text', () => {
    const long = INJECTION + 'x'.repeat(5000);
    const findings = manyOpenFindings(
      100,
      withText(long, 'title', 'resourceShortId', 'controlId', 'accountId', 'region'),
    );

    const message = findingListMessage({
      findings,
      filter: { accountId: long, controlId: long, exposedOnly: true },
      total: 100,
      now: NOW,
      permalinkOf,
    });

    expect(checkMessageLimits(message)).toEqual([]);
    expect(lines(message.blocks)).toHaveLength(20);
  });
});
