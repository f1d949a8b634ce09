import type { ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { SEVERITY_LABELS } from '../src/domain/severity.js';
import type {
  AcceptanceSummary,
  CountByKey,
  StatusReport,
  StatusScope,
} from '../src/domain/status-report.js';
import { acceptanceScopeText, soonestFirst, untilText } from './acceptances-message.js';
import {
  type PermalinkOf,
  type SlackMessage,
  count,
  lineSections,
  openFindingLine,
  plural,
} from './finding-list-message.js';
import { SEVERITY_EMOJI } from './finding-message.js';
import { MESSAGE_TEXT_LIMIT } from './limits.js';
import { ELLIPSIS, codeText, escapeText, mentionOrText, slackDate, truncate } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

const TOP_SHOWN = 5;
const OLDEST_SHOWN = 5;
const EXPIRING_SHOWN = 10;
/** From two days on, hours are harder to read than days. */
const HOURS_BEFORE_DAYS = 48;

/** `/cspm status`: the posture at a glance, as an ephemeral message. */
export function statusMessage(report: StatusReport, permalinkOf?: PermalinkOf): SlackMessage {
  return { text: statusText(report), blocks: statusBlocks(report, permalinkOf) };
}

/** The blocks of the status, shared with the App Home: a dozen at most, whatever the report holds. */
export function statusBlocks(report: StatusReport, permalinkOf?: PermalinkOf): KnownBlock[] {
  const header: HeaderBlock = {
    type: 'header',
    text: plainText(`Security posture · ${scopeText(report.scope)}`),
  };
  const blocks: KnownBlock[] = [header, openSection(report), lastWeekSection(report)];
  if (report.open.total > 0) {
    const top = topSection(report);
    if (top) blocks.push(top);
    if (report.oldestOpen.length > 0) {
      const options =
        permalinkOf === undefined ? { now: report.generatedAt } : { now: report.generatedAt, permalinkOf };
      const lines = report.oldestOpen
        .slice(0, OLDEST_SHOWN)
        .map((finding) => `• ${openFindingLine(finding, options)}`);
      blocks.push(...lineSections(['*Oldest open findings*', ...lines]));
    }
  }
  if (report.expiringSoon.length > 0) {
    blocks.push(
      ...lineSections([
        '*Risk acceptances ending within 14 days*',
        ...expiringLines(report.expiringSoon, report.generatedAt),
      ]),
    );
  }
  const needsAttention = [...stuckDeliveryLines(report), ...quarantineLines(report)];
  if (needsAttention.length > 0) blocks.push(...lineSections(['*Needs attention*', ...needsAttention]));
  blocks.push(footer(report));
  return blocks;
}

const STUCK_GROUPS_SHOWN = 5;

/** "• <#C…> · 150 finding messages not delivered: <reason>", then how they get going again. Nothing when none. */
export function stuckDeliveryLines(report: StatusReport): string[] {
  const stuck = report.stuckDeliveries;
  if (!stuck || stuck.groups.length === 0) return [];
  const lines = stuck.groups
    .slice(0, STUCK_GROUPS_SHOWN)
    .map(
      (group) =>
        `• 📭 ${channelText(group.channel)} · ${plural(group.count, 'finding message')} not delivered: ${truncate(group.reason, 300)}`,
    );
  const hidden = stuck.groups.length - lines.length;
  if (hidden > 0) lines.push(`${ELLIPSIS}and ${count(hidden)} more channels or reasons.`);
  const total = `${count(stuck.total)}${stuck.more ? '+' : ''}`;
  lines.push(`_${total} stuck in all: each is tried again when its finding changes; fix the cause first._`);
  return lines;
}

/**
 * "• 🚫 `arn:…/finding/…` · EC2.13 · 111122223333/ap-northeast-1 · 3 attempts: <reason>", then what to do.
 * Nothing when no finding is quarantined.
 */
export function quarantineLines(report: StatusReport): string[] {
  const quarantined = report.quarantined;
  if (!quarantined || quarantined.recent.length === 0) return [];
  const lines = quarantined.recent.map((entry) => {
    const where = [entry.controlId, `${entry.accountId}/${entry.region}`].filter(
      (part) => part !== undefined,
    );
    const what = [
      codeText(entry.id, 120),
      ...where.map((part) => escapeText(part, 80)),
      plural(entry.attempts, 'attempt'),
    ];
    return `• 🚫 ${what.join(' · ')}: ${escapeText(entry.reason, 300)}`;
  });
  const hidden = quarantined.total - quarantined.recent.length;
  if (hidden > 0) lines.push(`${ELLIPSIS}and ${plural(hidden, 'more finding')}.`);
  lines.push(
    `_${plural(quarantined.total, 'finding')} could not be stored and ${quarantined.total === 1 ? 'is' : 'are'} skipped (nothing else is held up); each is tried again when Security Hub updates it and leaves this list once stored._`,
  );
  return lines;
}

/** A channel id as a Slack mention; anything else as code. */
function channelText(channel: string): string {
  return /^[CG][A-Z0-9]{2,}$/.test(channel) ? `<#${channel}>` : codeText(channel, 80);
}

/** "all accounts", "account 111122223333" or "EC2.13": plain text, safe for a header. */
function scopeText(scope: StatusScope): string {
  switch (scope.kind) {
    case 'all':
      return 'all accounts';
    case 'account':
      return `account ${escapeText(scope.accountId, 40)}`;
    case 'control':
      return escapeText(scope.controlId, 40);
  }
}

function openSection(report: StatusReport): SectionBlock {
  const { open } = report;
  if (open.total === 0) {
    return section(`✅ *No open findings* in ${scopeText(report.scope)}. Nothing waits for a fix.`);
  }
  const fields = SEVERITY_LABELS.toReversed().map((severity) =>
    field(`${SEVERITY_EMOJI[severity]} ${severity}`, count(open.bySeverity[severity])),
  );
  fields.push(field('🌐 Internet-exposed', count(open.exposed)));
  return { ...section(`*${plural(open.total, 'open finding')}*`), fields };
}

function lastWeekSection(report: StatusReport): SectionBlock {
  const week = report.last7Days;
  return {
    ...section('*Last 7 days*'),
    fields: [
      field('✅ Remediated', count(week.remediated)),
      field('🔕 Suppressed', count(week.suppressed)),
      field('🤝 Risk accepted', count(week.accepted)),
      field('↩️ Reopened', count(week.reopened)),
      field('⏱️ Mean time to remediate', durationText(report.meanTimeToRemediateHours)),
    ],
  };
}

function topSection(report: StatusReport): SectionBlock | undefined {
  const lines: string[] = [];
  // A control scope has one control and an account scope one account: their "top" line would say nothing.
  if (report.scope.kind !== 'control' && report.open.byControl.length > 0) {
    lines.push(`*Top controls*: ${topText(report.open.byControl)}`);
  }
  if (report.scope.kind !== 'account' && report.open.byAccount.length > 0) {
    lines.push(`*Top accounts*: ${topText(report.open.byAccount)}`);
  }
  return lines.length > 0 ? section(lines.join('\n')) : undefined;
}

/** "`EC2.13` 12 · `EC2.8` 7 · …", at most five, most first as the report gives them. */
export function topText(counts: readonly CountByKey[]): string {
  return counts
    .slice(0, TOP_SHOWN)
    .map((entry) => `${codeText(entry.key, 60)} ${count(entry.count)}`)
    .join(' · ');
}

/** "• <@U…> · Until *2026-11-20* (3 days left) · `sg-0abc` · EC2.13 in `111122223333`", then "…and N more". */
export function expiringLines(acceptances: readonly AcceptanceSummary[], now: string): string[] {
  const sorted = soonestFirst(acceptances);
  const lines = sorted
    .slice(0, EXPIRING_SHOWN)
    .map(
      (acceptance) =>
        `• ${mentionOrText(acceptance.acceptedBy)} · ${untilText(acceptance.until, now)} · ${acceptanceScopeText(acceptance)}`,
    );
  const hidden = sorted.length - lines.length;
  if (hidden > 0) lines.push(`${ELLIPSIS}and ${count(hidden)} more: \`/cspm accepted\` lists them all.`);
  return lines;
}

/** "—" without remediations yet, "5.5 h" under two days, "3.2 days" from then on. */
export function durationText(hours: number | undefined): string {
  if (hours === undefined || !Number.isFinite(hours) || hours < 0) return '—';
  if (hours < 1) return 'under 1 h';
  if (hours < HOURS_BEFORE_DAYS) return `${oneDecimal(hours)} h`;
  return `${oneDecimal(hours / 24)} days`;
}

function oneDecimal(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function footer(report: StatusReport): ContextBlock {
  return {
    type: 'context',
    elements: [
      mrkdwn(
        `As of ${slackDate(report.generatedAt)} · \`/cspm list\` for every open finding · \`/cspm help\``,
      ),
    ],
  };
}

/** "Security posture (all accounts): 42 open findings, 3 CRITICAL, 12 HIGH, 5 internet-exposed." */
function statusText(report: StatusReport): string {
  const { open } = report;
  const prefix = `Security posture (${scopeText(report.scope)})`;
  if (open.total === 0) return `${prefix}: no open findings.`;
  const text =
    `${prefix}: ${plural(open.total, 'open finding')}, ${count(open.bySeverity.CRITICAL)} CRITICAL, ` +
    `${count(open.bySeverity.HIGH)} HIGH, ${count(open.exposed)} internet-exposed.`;
  return truncate(text, MESSAGE_TEXT_LIMIT);
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

function field(label: string, value: string): MrkdwnElement {
  return mrkdwn(`*${label}*\n${value}`);
}
