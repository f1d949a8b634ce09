import type { KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { acceptancesMessage } from '../../../blocks/acceptances-message.js';
import { checkMessageLimits } from '../../../blocks/limits.js';
import type { AcceptanceSummary } from '../../../src/domain/status-report.js';
import { INJECTION, makeAcceptance, manyAcceptances, withText } from '../../fixtures/status-report.js';

const NOW = '2026-11-16T09:00:00.000Z';

function sectionTexts(blocks: readonly KnownBlock[]): string[] {
  return blocks
    .filter((block): block is SectionBlock => block.type === 'section')
    .map((block) => block.text?.text ?? '');
}

describe('acceptancesMessage', () => {
  describe('snapshots', () => {
    it('renders acceptances of a resource and of a control across an account', () => {
      const acceptances = [
        makeAcceptance({
          acceptanceId: 'acc-0002',
          scope: 'control-in-account',
          accountId: '444455556666',
          controlId: 'EC2.19',
          until: '2026-12-31',
          acceptedBy: 'U0456EF7GH',
          reason: 'Sandbox account: no production data, torn down every night',
        }),
        makeAcceptance(),
      ];
      expect(acceptancesMessage(acceptances, NOW)).toMatchSnapshot();
    });

    it('renders no acceptances', () => {
      expect(acceptancesMessage([], NOW)).toMatchSnapshot();
    });
  });

  it('lists acceptances soonest to end first', () => {
    const acceptances = [
      makeAcceptance({ acceptanceId: 'late', resourceShortId: 'sg-late', until: '2027-01-15' }),
      makeAcceptance({ acceptanceId: 'soon', resourceShortId: 'sg-soon', until: '2026-11-17' }),
      makeAcceptance({ acceptanceId: 'mid', resourceShortId: 'sg-mid', until: '2026-12-01' }),
    ];

    const texts = sectionTexts(acceptancesMessage(acceptances, NOW).blocks);

    expect(texts.map((text) => /`(sg-\w+)`/.exec(text)?.[1])).toEqual(['sg-soon', 'sg-mid', 'sg-late']);
  });

  it.each<[string, string, string]>([
    ['2026-11-30', NOW, 'Until *2026-11-30* (14 days left)'],
    ['2026-11-19', NOW, '⏳ Until *2026-11-19* (3 days left)'],
    ['2026-11-17', NOW, '⏳ Until *2026-11-17* (1 day left)'],
    ['2026-11-16', NOW, '⏳ Until *2026-11-16* (last day today)'],
    ['2026-11-15', NOW, '⏳ Until *2026-11-15* (ended)'],
    // Late on the 16th in UTC is already the 17th in Tokyo: the day is the one written in `now`.
    ['2026-11-19', '2026-11-17T02:00:00.000+09:00', '⏳ Until *2026-11-19* (2 days left)'],
    ['next sprint', NOW, 'Until *next sprint*'],
  ])('shows an acceptance until %s, as of %s, as %j', (until, now, expected) => {
    const [text] = sectionTexts(acceptancesMessage([makeAcceptance({ until })], now).blocks);
    expect(text?.split('\n')[1]).toBe(`${expected} · accepted by <@U012AB3CD>`);
  });

  it('names who accepted as a mention, and a non-id as text', () => {
    const [mention, notAnId] = sectionTexts(
      acceptancesMessage(
        [
          makeAcceptance(),
          makeAcceptance({ acceptanceId: 'acc-0002', until: '2026-11-20', acceptedBy: 'alice@example.com' }),
        ],
        NOW,
      ).blocks,
    );
    expect(mention).toContain('accepted by <@U012AB3CD>');
    expect(notAnId).toContain('accepted by alice@example.com');
  });

  it.each<[Partial<AcceptanceSummary>, string]>([
    [{}, '`i-0abc1234def567890` · `EC2.8` in `111122223333`'],
    [{ scope: 'control-in-account', controlId: 'EC2.19' }, '`EC2.19` on every resource in `111122223333`'],
  ])('describes the scope of %j', (overrides, expected) => {
    const [text] = sectionTexts(acceptancesMessage([makeAcceptance(overrides)], NOW).blocks);
    expect(text?.split('\n')[0]).toBe(expected);
  });

  it('quotes the reason, and says when there is none', () => {
    const [given, missing] = sectionTexts(
      acceptancesMessage([makeAcceptance(), makeAcceptance({ until: '2026-11-20', reason: '  ' })], NOW)
        .blocks,
    );
    expect(given?.split('\n')[2]).toBe('“Batch host replaced by the new launch template in sprint 47”');
    expect(missing?.split('\n')[2]).toBe('_No reason given._');
  });

  it('cuts a long reason to one short line', () => {
    const [text] = sectionTexts(
      acceptancesMessage([makeAcceptance({ reason: `first\nsecond ${'x'.repeat(5000)}` })], NOW).blocks,
    );
    const reasonLine = text?.split('\n')[2] ?? '';
    expect(reasonLine.startsWith('“first second x')).toBe(true);
    expect(reasonLine.endsWith('…”')).toBe(true);
    expect(reasonLine.length).toBeLessThanOrEqual(302);
  });

  it('escapes foreign text so it cannot mention, link or restyle', () => {
    const payload = JSON.stringify(
      acceptancesMessage(
        [makeAcceptance(withText(INJECTION, 'reason', 'resourceShortId', 'controlId', 'acceptedBy'))],
        NOW,
      ),
    );
    expect(payload).not.toMatch(/<!channel>|<@U999>|<https:\/\/evil/);
    expect(payload).toContain('&lt;!channel&gt;');
  });

  it('says how many active acceptances there are in the header and the notification', () => {
    const message = acceptancesMessage([makeAcceptance(), makeAcceptance({ until: '2026-12-01' })], NOW);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: expect.objectContaining({ text: 'Active risk acceptances (2)' }),
    });
    expect(message.text).toBe('2 active risk acceptances; the first ends 2026-11-19.');
  });

  it('stays within Slack limits with 50 acceptances of 5,000-character text, saying how many are left out', () => {
    const long = INJECTION + 'x'.repeat(5000);
    const acceptances = manyAcceptances(
      50,
      withText(long, 'reason', 'resourceShortId', 'controlId', 'acceptedBy', 'accountId', 'until'),
    );

    const message = acceptancesMessage(acceptances, NOW);

    expect(checkMessageLimits(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('…and 10 more.');
  });
});
