/**
 * Building Slack text safely. Slack parses `&`, `<` and `>` in every text object (mrkdwn and plain_text, and the
 * top-level message `text`) for mentions (`<!channel>`, `<@U…>`), links (`<https://…|label>`) and dates, so text we
 * did not write must have exactly those three replaced by entities (Slack's formatting reference, "Escaping text";
 * Slack decodes only these three, so nothing else is entity-encoded).
 *
 * mrkdwn has no escape for its formatting characters (`*`, `_`, `~`, `` ` ``). Where we wrap foreign text in a
 * span, the one character that would close that span early is swapped for a look-alike (`*` → `∗` in bold,
 * `` ` `` → `ˋ` in code) and line breaks become spaces, so the text can neither end the span nor start a line
 * of its own (a fake bullet, a `>` quote, a forged "Resolved by" line). Text outside spans is escaped and kept
 * on one line the same way; `_` and `~` only restyle it, which is harmless.
 *
 * Invisible and direction-changing characters (zero-width, bidi overrides; blocks/invisible-characters.ts) are
 * shown as markers such as `⟨U+202E⟩` by every function here before anything is measured or cut, so a disguised
 * resource name is visibly disguised and lengths still hold.
 *
 * Lengths are counted in UTF-16 code units (`string.length`). Slack does not say whether it counts code points
 * or code units; code units are never fewer, so text that fits here fits there.
 */

import { revealInvisible } from './invisible-characters.js';

export const ELLIPSIS = '…';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `&`, `<`, `>` → `&amp;`, `&lt;`, `&gt;`: `<!channel>` then shows as text instead of notifying everyone. */
export function escapeMrkdwn(text: string): string {
  return revealInvisible(text).replace(/[&<>]/g, (character) => ENTITIES[character] ?? character);
}

/**
 * Line breaks (CR, LF, NEL, U+2028/2029) and other control characters become single spaces, so foreign text
 * stays on the line we put it on.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return revealInvisible(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/**
 * At most `max` code units, cut on a code point boundary (never half an emoji), ending in `…` when cut.
 * `max` below 1 gives the empty string.
 */
export function truncate(foreign: string, max: number): string {
  const text = revealInvisible(foreign);
  if (text.length <= max) return text;
  if (max < 1) return '';
  const budget = max - ELLIPSIS.length;
  let kept = '';
  for (const codePoint of text) {
    if (kept.length + codePoint.length > budget) break;
    kept += codePoint;
  }
  return kept + ELLIPSIS;
}

/**
 * Foreign text made safe for mrkdwn and cut to `max` code units *after* escaping, without splitting an entity
 * (a cut `&am…` would show as garbage) or a code point. Use this rather than `truncate(escapeMrkdwn(…))`.
 */
export function escapeText(text: string, max: number = Number.POSITIVE_INFINITY): string {
  return escapeAndFit(oneLine(text), max, {});
}

/** `*text*` with the foreign text escaped and unable to close the bold span early. */
export function boldText(text: string, max: number = Number.POSITIVE_INFINITY): string {
  return `*${escapeAndFit(oneLine(text), max - 2, { '*': '∗' })}*`;
}

/** `` `text` `` with the foreign text escaped and unable to close the code span early. */
export function codeText(text: string, max: number = Number.POSITIVE_INFINITY): string {
  return `\`${escapeAndFit(oneLine(text), max - 2, { '`': 'ˋ' })}\``;
}

function escapeAndFit(text: string, max: number, lookalikes: Readonly<Record<string, string>>): string {
  const whole = [...text].map((codePoint) => lookalikes[codePoint] ?? ENTITIES[codePoint] ?? codePoint);
  const joined = whole.join('');
  if (joined.length <= max) return joined;
  if (max < 1) return '';
  const budget = max - ELLIPSIS.length;
  let kept = '';
  for (const piece of whole) {
    if (kept.length + piece.length > budget) break;
    kept += piece;
  }
  return kept + ELLIPSIS;
}

/**
 * `<url|label>`. The URL must be one we built (percent-encoded, so without `|` or `>`); it is escaped anyway,
 * as Slack asks for `&` in link URLs. The label is foreign-safe.
 */
export function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url)}|${escapeText(label)}>`;
}

/** Slack user ids (`U…`, `W…` for Enterprise Grid) — anything else is not rendered as a mention. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

export function isSlackUserId(value: string): boolean {
  return SLACK_USER_ID.test(value);
}

/** `<@U123>` for a real user id; any other value is shown as escaped text, never parsed. */
export function mentionOrText(value: string, max = 80): string {
  return isSlackUserId(value) ? `<@${value}>` : escapeText(value, max);
}

/**
 * A Slack date token that each reader sees in their own time zone: `<!date^UNIX^{date_short_pretty} {time}|ISO>`.
 * An instant that does not parse is shown as escaped text.
 */
export function slackDate(iso: string): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return escapeText(iso, 40);
  const seconds = Math.floor(millis / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${new Date(millis).toISOString()}>`;
}
