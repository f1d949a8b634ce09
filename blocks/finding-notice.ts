import type { KnownBlock } from '@slack/types';
import type { Decision } from '../src/domain/decision.js';
import type { FindingNotice } from '../src/domain/finding-notice.js';
import type { GroupRunProgress } from '../src/domain/group-remediation.js';
import { BLOCK_LIMITS } from './limits.js';
import { escapeText, mentionOrText, slackDate, truncate } from './mrkdwn.js';
import { mrkdwn } from './text-objects.js';

function who(decision: Decision): string {
  return decision.actor.kind === 'user'
    ? mentionOrText(decision.actor.userId)
    : `cspm-bot (${escapeText(decision.actor.reason, 200)})`;
}

function seconds(decision: Decision): string {
  return decision.durationMs === undefined
    ? ''
    : ` in ${Math.max(1, Math.round(decision.durationMs / 1000))} s`;
}

function reconciledText(notice: Extract<FindingNotice, { kind: 'action-reconciled' }>): string {
  const { decision } = notice;
  const what = `${escapeText(decision.what, 1200)} (requested by ${who(decision)} ${slackDate(decision.requestedAt)})`;
  const detail = escapeText(notice.detail, 1200);
  switch (notice.outcome) {
    case 'done':
      return `:white_check_mark: *Done, confirmed after an interruption*: ${what}\n${detail}`;
    case 'not-done':
      return `:x: *Interrupted, nothing changed*: ${what}\n${detail}\nThe buttons work again; nothing is retried automatically.`;
    case 'unknown':
      return `:warning: *Interrupted, outcome unknown*: ${what}\n${detail}`;
  }
}

function noticeText(notice: FindingNotice): string {
  switch (notice.kind) {
    case 'remediated': {
      const { decision } = notice;
      const execution = decision.executionId
        ? ` · SSM execution \`${escapeText(decision.executionId, 100)}\``
        : '';
      const steps = (decision.steps ?? []).map((step) => `\n• ${escapeText(step, 400)}`).join('');
      return `:white_check_mark: *Remediated* by ${who(decision)}${seconds(decision)}${execution}\n${escapeText(decision.what, 1500)}${steps}`;
    }
    case 'mitigated': {
      const steps = (notice.decision.steps ?? []).map((step) => `\n• ${escapeText(step, 400)}`).join('');
      return `:large_yellow_circle: *Done, but the finding stays open* (by ${who(notice.decision)}${seconds(notice.decision)})\n${escapeText(notice.decision.what, 1500)}${steps}\nSecurity Hub will still fail it: ${escapeText(notice.stillFails, 1000)}`;
    }
    case 'remediation-failed':
      return `:x: *Remediation failed* (requested by ${who(notice.decision)})\n${escapeText(notice.userMessage, 1500)}\nThe buttons still work; nothing is retried automatically.`;
    case 'already-fixed':
      return `:white_check_mark: *Nothing to change* (checked by ${who(notice.decision)}): ${escapeText(notice.decision.what, 1500)}. Marked resolved in Security Hub.`;
    case 'workflow-partly-applied':
      return `:warning: *${escapeText(notice.decision.what, 200)} in one Security Hub only* (by ${who(notice.decision)}). This finding is in both Security Hubs, and ${notice.refused.map((words) => escapeText(words, 500)).join('; ')}. Set it there by hand, or try again.`;
    case 'account-fixed': {
      const steps = (notice.decision.steps ?? []).map((step) => `\n• ${escapeText(step, 400)}`).join('');
      return `:large_yellow_circle: *Account default changed* by ${who(notice.decision)}${seconds(notice.decision)}\n${escapeText(notice.decision.what, 1500)}${steps}\nThis finding stays open: its own instance or launch template is not changed by the account default. Use Remediate… for it.`;
    }
    case 'auto-remediation-started':
      return `:robot_face: *Auto-remediation* of this control is on: running attempt ${notice.attempt} of ${notice.maxAttempts} in 24 h.`;
    case 'acceptance-reminder':
      return `:alarm_clock: ${mentionOrText(notice.acceptedBy)} your risk acceptance ends after *${escapeText(notice.until, 20)}* (${notice.findingsCovered} finding${notice.findingsCovered === 1 ? '' : 's'}). Fix it, or accept again with a new date; otherwise it re-opens the day after.`;
    case 'acceptance-expired':
      return `:hourglass: Risk acceptance by ${mentionOrText(notice.acceptedBy)} ended after *${escapeText(notice.until, 20)}* (“${escapeText(notice.reason, 500)}”). The finding is open again in Security Hub.`;
    case 'action-reconciled':
      return reconciledText(notice);
    case 'auto-remediation-capped':
      return `:octagonal_sign: *Auto-remediation stopped*: this resource came back ${notice.attempts} times within ${notice.windowHours} h, so something keeps re-opening it. A person needs to look; the buttons still work.`;
  }
}

/** A thread reply about what happened to a finding. */
export function findingNoticeMessage(notice: FindingNotice): { text: string; blocks: KnownBlock[] } {
  const text = truncate(noticeText(notice), BLOCK_LIMITS.sectionText);
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

function groupCounts(progress: GroupRunProgress): string {
  const handled = progress.done + progress.failed.length + progress.skipped.length;
  return `*${handled} of ${progress.total} done*, ${progress.failed.length} failed, ${progress.skipped.length} skipped`;
}

/** The one progress message of a group remediation, updated in place in the grouped message's thread. */
export function groupProgressMessage(progress: GroupRunProgress): { text: string; blocks: KnownBlock[] } {
  const state = progress.finished
    ? ':checkered_flag: Remediate all finished'
    : ':gear: Remediating all reachable';
  const text = truncate(`${state}: ${groupCounts(progress)}`, BLOCK_LIMITS.sectionText);
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** Lines packed into sections of at most 3,000 characters each, so a long list is split, never cut mid-list. */
function packedSections(lines: readonly string[]): string[] {
  const sections: string[] = [];
  let current = '';
  for (const line of lines.map((text) => truncate(text, BLOCK_LIMITS.sectionText))) {
    if (current && current.length + 1 + line.length > BLOCK_LIMITS.sectionText) {
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  return current ? [...sections, current] : sections;
}

/** The final summary: what was fixed, and each failure and skip with its reason (the first ones, then a count). */
export function groupSummaryMessage(
  progress: GroupRunProgress,
  listed = 20,
): { text: string; blocks: KnownBlock[] } {
  const lines = (items: readonly { resource: string; reason: string }[]) => [
    // Reasons name people as <@U…>: escaped like any text, then turned back into mentions (nothing else can match).
    ...items
      .slice(0, listed)
      .map(
        (item) =>
          `• ${escapeText(item.resource, 200)}: ${escapeText(item.reason, 300).replace(/&lt;@([UW][A-Z0-9]{2,20})&gt;/g, '<@$1>')}`,
      ),
    ...(items.length > listed ? [`• …and ${items.length - listed} more`] : []),
  ];
  const head = `${progress.failed.length === 0 ? ':white_check_mark:' : ':warning:'} *Remediate all: ${progress.done} of ${progress.total} fixed and verified*, ${progress.failed.length} failed, ${progress.skipped.length} skipped${progress.leftOut > 0 ? ` (${progress.leftOut} left out before you confirmed)` : ''}.`;
  const sections = [
    truncate(
      head + (progress.stoppedBecause ? `\nStopped early: ${escapeText(progress.stoppedBecause, 500)}.` : ''),
      BLOCK_LIMITS.sectionText,
    ),
    ...(progress.failed.length > 0
      ? packedSections([
          "*Failed* (nothing is retried automatically; each finding's buttons still work)",
          ...lines(progress.failed),
        ])
      : []),
    ...(progress.skipped.length > 0 ? packedSections(['*Skipped*', ...lines(progress.skipped)]) : []),
  ];
  return { text: sections[0]!, blocks: sections.map((text) => ({ type: 'section', text: mrkdwn(text) })) };
}
