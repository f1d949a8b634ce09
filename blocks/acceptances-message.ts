import type { HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { AcceptanceSummary } from '../src/domain/status-report.js';
import { type SlackMessage, count, plural } from './finding-list-message.js';
import { ELLIPSIS, boldText, codeText, escapeText, mentionOrText } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

/** Room for the header and the "…and N more" line within a message's 50 blocks, and still readable. */
const MAX_ACCEPTANCES_SHOWN = 40;
const MAX_REASON_LENGTH = 300;
/** At or under this many days left, the line is flagged: someone should decide before it re-opens. */
const ENDING_SOON_DAYS = 3;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `/cspm accepted`: every active acceptance, soonest to end first, with who, what, until when and why. */
export function acceptancesMessage(acceptances: readonly AcceptanceSummary[], now: string): SlackMessage {
  const header: HeaderBlock = {
    type: 'header',
    text: plainText(`Active risk acceptances (${count(acceptances.length)})`),
  };
  if (acceptances.length === 0) {
    return {
      text: 'No active risk acceptances.',
      blocks: [
        header,
        section('✅ *No active risk acceptances.* *Accept risk…* on a finding time-boxes one.'),
      ],
    };
  }
  const sorted = soonestFirst(acceptances);
  const shown = sorted.slice(0, MAX_ACCEPTANCES_SHOWN);
  const blocks: KnownBlock[] = [header, ...shown.map((acceptance) => acceptanceSection(acceptance, now))];
  const hidden = sorted.length - shown.length;
  if (hidden > 0)
    blocks.push({ type: 'context', elements: [mrkdwn(`${ELLIPSIS}and ${count(hidden)} more.`)] });
  const [first] = sorted;
  const soonest = first === undefined ? '' : `; the first ends ${escapeText(first.until, 40)}`;
  return { text: `${plural(acceptances.length, 'active risk acceptance')}${soonest}.`, blocks };
}

/** By `until`, soonest first; ISO dates sort as text. Stable for equal dates. */
export function soonestFirst(acceptances: readonly AcceptanceSummary[]): AcceptanceSummary[] {
  return [...acceptances].sort((a, b) => (a.until < b.until ? -1 : a.until > b.until ? 1 : 0));
}

/**
 * Three lines: what is accepted, until when and by whom, and the reason.
 * "*`sg-0abc`* · EC2.13 in `111122223333`\nUntil *2026-11-20* (3 days left) · accepted by <@U…>\n“reason”"
 */
export function acceptanceSection(acceptance: AcceptanceSummary, now: string): SectionBlock {
  const reason = acceptance.reason.trim();
  const lines = [
    acceptanceScopeText(acceptance),
    `${untilText(acceptance.until, now)} · accepted by ${mentionOrText(acceptance.acceptedBy)}`,
    reason.length > 0 ? `“${escapeText(reason, MAX_REASON_LENGTH)}”` : '_No reason given._',
  ];
  return section(lines.join('\n'));
}

/** "`sg-0abc` · EC2.13 in `111122223333`" or "EC2.13 on every resource in `111122223333`". */
export function acceptanceScopeText(acceptance: AcceptanceSummary): string {
  const control = acceptance.controlId !== undefined ? codeText(acceptance.controlId, 40) : 'any control';
  const account = codeText(acceptance.accountId, 20);
  if (acceptance.scope === 'control-in-account') return `${control} on every resource in ${account}`;
  const resource =
    acceptance.resourceShortId !== undefined ? codeText(acceptance.resourceShortId, 100) : 'a resource';
  return `${resource} · ${control} in ${account}`;
}

/** "Until *2026-11-20* (3 days left)", flagged ⏳ when it ends within a few days. */
export function untilText(until: string, now: string): string {
  const days = daysLeft(until, now);
  const date = `Until ${boldText(until, 42)}`;
  if (days === undefined) return date;
  const flag = days <= ENDING_SOON_DAYS ? '⏳ ' : '';
  return `${flag}${date} (${daysLeftText(days)})`;
}

function daysLeftText(days: number): string {
  if (days < 0) return 'ended';
  if (days === 0) return 'last day today';
  return `${plural(days, 'day')} left`;
}

/**
 * Whole days from `now`'s calendar date to `until` (the last day covered). `now`'s date is read as written, so
 * an instant in the configured zone (luxon `toISO()`, `+09:00`) counts from that zone's day, not UTC's.
 */
function daysLeft(until: string, now: string): number | undefined {
  const today = now.slice(0, 10);
  if (!ISO_DATE.test(until) || !ISO_DATE.test(today)) return undefined;
  const difference = Date.parse(`${until}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`);
  return Number.isNaN(difference) ? undefined : Math.round(difference / DAY_MS);
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}
