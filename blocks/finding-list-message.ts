import type { ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { OpenFindingSummary } from '../src/domain/status-report.js';
import { SEVERITY_EMOJI } from './finding-message.js';
import { BLOCK_LIMITS, MESSAGE_TEXT_LIMIT } from './limits.js';
import { ELLIPSIS, boldText, codeText, escapeText, link, slackDate, truncate } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

/**
 * The link to a finding's Slack message, from its channel and message ts (chat.getPermalink knows the workspace
 * host; blocks do not), or undefined when there is none to give.
 */
export type PermalinkOf = (channel: string, messageTs: string) => string | undefined;

export interface FindingListFilter {
  readonly accountId?: string;
  readonly controlId?: string;
  readonly exposedOnly: boolean;
}

export interface FindingListInput {
  /** In the order to show them; only the first 20 are shown. */
  readonly findings: readonly OpenFindingSummary[];
  readonly filter: FindingListFilter;
  /** How many open findings match the filter in all, when more than `findings` holds. */
  readonly total?: number;
  /** The instant ages are counted to. Without it, each line says since when the finding is open. */
  readonly now?: string;
  readonly permalinkOf?: PermalinkOf;
}

export interface SlackMessage {
  /** Top-level `text`: the notification and screen-reader fallback. */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/** The same marks as a finding's own message, so a list reads like the channel. */
const MAX_FINDINGS_SHOWN = 20;
/** A permalink longer than this is not one Slack made; the line goes without it rather than grow unbounded. */
const MAX_PERMALINK_LENGTH = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `/cspm list`: the matching open findings, one line each, each linking to its message. */
export function findingListMessage(input: FindingListInput): SlackMessage {
  const shown = input.findings.slice(0, MAX_FINDINGS_SHOWN);
  const total = Math.max(input.total ?? 0, input.findings.length);
  const header: HeaderBlock = {
    type: 'header',
    text: plainText(truncate(`Open findings${filterText(input.filter)}`, BLOCK_LIMITS.headerText)),
  };
  if (shown.length === 0) {
    const nothing = nothingMatches(input.filter);
    return { text: nothing, blocks: [header, section(`✅ ${nothing} Nothing to act on here.`)] };
  }
  const lines = shown.map((finding) => openFindingLine(finding, input));
  const hidden = total - shown.length;
  const footer: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        hidden > 0
          ? `${ELLIPSIS}and ${count(hidden)} more. Narrow the list with an account id, a control id or \`--exposed\`.`
          : `${plural(total, 'open finding')} in all.`,
      ),
    ],
  };
  return {
    text: truncate(`${plural(total, 'open finding')}${filterText(input.filter)}`, MESSAGE_TEXT_LIMIT),
    blocks: [header, ...lineSections(lines), footer],
  };
}

/** " · account 111122223333 · EC2.13 · internet-exposed only", or "" without a filter. */
function filterText(filter: FindingListFilter): string {
  return filterParts(filter)
    .map((part) => ` · ${part}`)
    .join('');
}

/** "No open findings match account 111122223333, EC2.13, internet-exposed only." */
function nothingMatches(filter: FindingListFilter): string {
  const parts = filterParts(filter);
  return parts.length > 0 ? `No open findings match ${parts.join(', ')}.` : 'No open findings.';
}

function filterParts(filter: FindingListFilter): string[] {
  const parts: string[] = [];
  if (filter.accountId !== undefined) parts.push(`account ${escapeText(filter.accountId, 40)}`);
  if (filter.controlId !== undefined) parts.push(escapeText(filter.controlId, 40));
  if (filter.exposedOnly) parts.push('internet-exposed only');
  return parts;
}

/**
 * "🟠 *EC2.13* Security groups should not… · `sg-0abc` in `111122223333` ap-northeast-1 · open 12 days · 🌐 ·
 * <permalink|message>": under 900 characters whatever the finding holds.
 */
export function openFindingLine(
  finding: OpenFindingSummary,
  options: { readonly now?: string; readonly permalinkOf?: PermalinkOf } = {},
): string {
  const parts = [
    `${SEVERITY_EMOJI[finding.severity]} ${finding.controlId !== undefined ? `${boldText(finding.controlId, 40)} ` : ''}${escapeText(finding.title, 80)}`,
    `${codeText(finding.resourceShortId, 80)} in ${codeText(finding.accountId, 20)} ${escapeText(finding.region, 30)}`,
    ageText(finding.firstObservedAt, options.now),
  ];
  if (finding.exposed) parts.push('🌐 internet-exposed');
  const permalink = permalinkFor(finding, options.permalinkOf);
  if (permalink !== undefined) parts.push(link(permalink, 'message'));
  return parts.join(' · ');
}

function permalinkFor(finding: OpenFindingSummary, permalinkOf: PermalinkOf | undefined): string | undefined {
  if (permalinkOf === undefined || finding.channel === undefined || finding.messageTs === undefined)
    return undefined;
  const url = permalinkOf(finding.channel, finding.messageTs);
  return url !== undefined && /^https:\/\//.test(url) && url.length <= MAX_PERMALINK_LENGTH ? url : undefined;
}

/** Whole days open as of `now`, or since when when there is no `now` to count to. */
function ageText(firstObservedAt: string, now: string | undefined): string {
  const since = Date.parse(firstObservedAt);
  const until = now === undefined ? Number.NaN : Date.parse(now);
  if (Number.isNaN(since) || Number.isNaN(until)) return `open since ${slackDate(firstObservedAt)}`;
  const days = Math.floor((until - since) / DAY_MS);
  return days < 1 ? 'open less than a day' : `open ${plural(days, 'day')}`;
}

/**
 * Lines packed into as few sections as fit Slack's 3000-character section text, in order. A single line that
 * is itself too long (none of ours are) is cut rather than dropped.
 */
export function lineSections(lines: readonly string[]): SectionBlock[] {
  const sections: SectionBlock[] = [];
  let current = '';
  for (const line of lines) {
    const fitted = truncate(line, BLOCK_LIMITS.sectionText);
    if (current.length > 0 && current.length + 1 + fitted.length > BLOCK_LIMITS.sectionText) {
      sections.push(section(current));
      current = '';
    }
    current = current.length > 0 ? `${current}\n${fitted}` : fitted;
  }
  if (current.length > 0) sections.push(section(current));
  return sections;
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

export function plural(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? '' : 's'}`;
}
