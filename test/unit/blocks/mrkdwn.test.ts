import { describe, expect, it } from 'vitest';
import {
  boldText,
  codeText,
  escapeMrkdwn,
  escapeText,
  isSlackUserId,
  link,
  mentionOrText,
  oneLine,
  slackDate,
  truncate,
} from '../../../blocks/mrkdwn.js';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['<@U0123ABCD>', '&lt;@U0123ABCD&gt;'],
    ['<!subteam^S123>', '&lt;!subteam^S123&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['<!date^0^{date}|x>', '&lt;!date^0^{date}|x&gt;'],
    ['R&D', 'R&amp;D'],
    ['&lt; already an entity', '&amp;lt; already an entity'],
    ['plain text', 'plain text'],
  ])('renders %j literally as %j', (input, escaped) => {
    expect(escapeMrkdwn(input)).toBe(escaped);
  });

  it('leaves no raw control character for Slack to parse', () => {
    const escaped = escapeMrkdwn('a <b> & <c> > d <');

    expect(escaped).not.toMatch(/[<>]/);
    expect(escaped.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
  });
});

describe('oneLine', () => {
  it.each([
    ['web\n:white_check_mark: Resolved by security', 'web :white_check_mark: Resolved by security'],
    ['a\r\n> quoted', 'a > quoted'],
    ['a\u2028b\u2029c', 'a b c'],
    ['tab\there', 'tab here'],
  ])('keeps %j on one line', (input, expected) => {
    expect(oneLine(input)).toBe(expected);
  });
});

describe('truncate', () => {
  it('keeps text that fits', () => {
    expect(truncate('sg-0abc', 7)).toBe('sg-0abc');
  });

  it('cuts long text to the limit, ending in an ellipsis', () => {
    const cut = truncate('a'.repeat(5000), 3000);

    expect(cut).toHaveLength(3000);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits an emoji in half', () => {
    // Each 🔥 is two UTF-16 code units: a cut at an odd position would leave a lone surrogate.
    const cut = truncate('🔥'.repeat(10), 6);

    expect(cut).toBe('🔥🔥…');
    expect(cut).not.toMatch(/\p{Cs}/u);
  });

  it('returns nothing for a limit below one', () => {
    expect(truncate('abc', 0)).toBe('');
  });
});

describe('escapeText', () => {
  it('counts the limit after escaping', () => {
    const escaped = escapeText('<'.repeat(100), 20);

    expect(escaped.length).toBeLessThanOrEqual(20);
    expect(escaped).toBe('&lt;&lt;&lt;&lt;…');
  });

  it('never cuts an entity in half', () => {
    const escaped = escapeText('ab&cd', 6);

    expect(escaped).toBe('ab…');
  });

  it('escapes and flattens foreign text', () => {
    expect(escapeText('name\n<!channel>')).toBe('name &lt;!channel&gt;');
  });
});

describe('boldText', () => {
  it('wraps the text in one bold span whatever asterisks it holds', () => {
    expect(boldText('*not* bold <!here>')).toBe('*∗not∗ bold &lt;!here&gt;*');
  });

  it('stays within the limit including its markers', () => {
    expect(boldText('x'.repeat(50), 10)).toHaveLength(10);
  });
});

describe('codeText', () => {
  it('wraps the text in one code span whatever backticks it holds', () => {
    expect(codeText('sg-`rm -rf`\n<@U1>')).toBe('`sg-ˋrm -rfˋ &lt;@U1&gt;`');
  });

  it('stays within the limit including its markers', () => {
    expect(codeText('x'.repeat(50), 12)).toHaveLength(12);
  });
});

describe('link', () => {
  it('escapes the label so it cannot end the link or start another', () => {
    expect(link('https://example.com/a?b=1&c=2', 'x|<!channel>')).toBe(
      '<https://example.com/a?b=1&amp;c=2|x|&lt;!channel&gt;>',
    );
  });
});

describe('mentionOrText', () => {
  it.each([
    ['U0123ABCD', '<@U0123ABCD>'],
    ['W0123ABCD', '<@W0123ABCD>'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['U123> <!here', 'U123&gt; &lt;!here'],
    ['alice', 'alice'],
  ])('renders %j as %j', (value, rendered) => {
    expect(mentionOrText(value)).toBe(rendered);
  });

  it('recognises only Slack user ids', () => {
    expect(isSlackUserId('U0123ABCD')).toBe(true);
    expect(isSlackUserId('u0123abcd')).toBe(false);
    expect(isSlackUserId('C0123ABCD')).toBe(false);
  });
});

describe('slackDate', () => {
  it('renders a date token each reader sees in their own time zone, with the ISO instant as fallback', () => {
    expect(slackDate('2026-11-02T09:15:00.000Z')).toBe(
      '<!date^1793610900^{date_short_pretty} {time}|2026-11-02T09:15:00.000Z>',
    );
  });

  it('shows an unparseable instant as escaped text', () => {
    expect(slackDate('<!channel>')).toBe('&lt;!channel&gt;');
  });
});
