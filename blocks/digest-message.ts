import type { ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import type { CountByKey, DigestReport, WeekCounts } from '../src/domain/status-report.js';
import { type SlackMessage, count, lineSections, openFindingLine, plural } from './finding-list-message.js';
import { MESSAGE_TEXT_LIMIT } from './limits.js';
import { codeText, escapeText, truncate } from './mrkdwn.js';
import { durationText, expiringLines } from './status-message.js';
import { mrkdwn, plainText } from './text-objects.js';

export interface DigestOptions {
  /**
   * Where the chart PNG was uploaded. Image blocks need a public URL and files.uploadV2 shares the file in the
   * channel itself, so the digest only points to it; the caller uploads it.
   */
  readonly chartFileUrl?: string;
}

const TOP_SHOWN = 5;
const OLDEST_SHOWN = 5;

const COUNTERS: readonly { readonly key: keyof WeekCounts; readonly label: string }[] = [
  { key: 'new', label: '🆕 New' },
  { key: 'remediated', label: '✅ Remediated' },
  { key: 'suppressed', label: '🔕 Suppressed' },
  { key: 'accepted', label: '🤝 Risk accepted' },
  { key: 'reopened', label: '↩️ Reopened' },
];

/** The weekly digest: this week against last, what is open now, and what needs a decision soon. */
export function digestMessage(report: DigestReport, options: DigestOptions = {}): SlackMessage {
  const period = `${escapeText(report.weekStart, 30)}–${escapeText(report.weekEnd, 30)}`;
  const header: HeaderBlock = { type: 'header', text: plainText(`Weekly security digest · ${period}`) };
  const blocks: KnownBlock[] = [header, weekSection(report), openSection(report)];
  const top = topSection(report);
  if (top) blocks.push(top);
  if (report.oldestOpen.length > 0) {
    const lines = report.oldestOpen.slice(0, OLDEST_SHOWN).map((finding) => `• ${openFindingLine(finding)}`);
    blocks.push(...lineSections(['*Oldest open findings*', ...lines]));
  }
  if (report.expiringSoon.length > 0) {
    blocks.push(
      ...lineSections([
        '*Risk acceptances ending within 14 days*',
        ...expiringLines(report.expiringSoon, report.weekEnd),
      ]),
    );
  }
  blocks.push(footer(report, options));
  return { text: digestText(report, period), blocks };
}

function weekSection(report: DigestReport): SectionBlock {
  return {
    type: 'section',
    text: mrkdwn('*This week*'),
    fields: [
      ...COUNTERS.map(({ key, label }) =>
        field(
          label,
          `${count(report.thisWeek[key])} ${trendText(report.thisWeek[key], report.lastWeek[key])} (last week: ${count(report.lastWeek[key])})`,
        ),
      ),
      field('⏱️ Mean time to remediate', durationText(report.meanTimeToRemediateHours)),
    ],
  };
}

function openSection(report: DigestReport): SectionBlock {
  const { now, weekAgo } = report.openHighCritical;
  const trend =
    weekAgo === undefined
      ? 'no count from a week ago'
      : `${trendText(now, weekAgo)} against a week ago (${count(weekAgo)})`;
  return {
    type: 'section',
    text: mrkdwn(`*Open HIGH and CRITICAL findings now*: *${count(now)}* ${trend}`),
  };
}

/** "▲ 3", "▼ 2" or "＝": direction and size of the change, without judging it (more remediated is good). */
export function trendText(current: number, previous: number): string {
  const delta = current - previous;
  if (delta > 0) return `▲ ${count(delta)}`;
  if (delta < 0) return `▼ ${count(-delta)}`;
  return '＝';
}

function topSection(report: DigestReport): SectionBlock | undefined {
  const fields: MrkdwnElement[] = [];
  if (report.topControls.length > 0) fields.push(field('Top controls', rankedLines(report.topControls)));
  if (report.topAccounts.length > 0) fields.push(field('Top accounts', rankedLines(report.topAccounts)));
  return fields.length > 0 ? { type: 'section', fields } : undefined;
}

/** "1. `EC2.13` 12\n2. `EC2.8` 7", at most five. */
function rankedLines(counts: readonly CountByKey[]): string {
  return counts
    .slice(0, TOP_SHOWN)
    .map((entry, index) => `${index + 1}. ${codeText(entry.key, 60)} ${count(entry.count)}`)
    .join('\n');
}

function footer(report: DigestReport, options: DigestOptions): ContextBlock {
  const parts = [`Week ${escapeText(report.weekId, 20)} · days in ${escapeText(report.timeZone, 60)}`];
  if (options.chartFileUrl !== undefined && report.openPerDay.length > 0) {
    parts.push(`📈 Chart: open findings per day, ${weeksText(report.openPerDay.length)} (attached)`);
  }
  return { type: 'context', elements: [mrkdwn(parts.join(' · '))] };
}

function weeksText(days: number): string {
  const weeks = Math.round(days / 7);
  return weeks >= 1 ? plural(weeks, 'week') : plural(days, 'day');
}

/** "Weekly security digest 2026-11-09–2026-11-15: 12 new, 9 remediated; 14 HIGH/CRITICAL open." */
function digestText(report: DigestReport, period: string): string {
  const text =
    `Weekly security digest ${period}: ${count(report.thisWeek.new)} new, ` +
    `${count(report.thisWeek.remediated)} remediated; ${count(report.openHighCritical.now)} HIGH/CRITICAL open.`;
  return truncate(text, MESSAGE_TEXT_LIMIT);
}

function field(label: string, value: string): MrkdwnElement {
  return mrkdwn(`*${label}*\n${value}`);
}
