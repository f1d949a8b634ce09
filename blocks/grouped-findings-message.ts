import type { ActionsBlock, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { Severity } from '../src/domain/severity.js';
import type { Urgency } from '../src/domain/triage.js';
import { GROUP_REMEDIATE_REACHABLE_ACTION } from './action-ids.js';
import { SEVERITY_EMOJI } from './finding-message.js';
import type { FindingMessage } from './finding-message.js';
import { count, lineSections, plural } from './finding-list-message.js';
import { BLOCK_LIMITS } from './limits.js';
import { codeText, escapeText, slackDate } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

/** One member as the grouped message lists it. */
export interface GroupedMemberLine {
  readonly severity: Severity;
  readonly urgency: Urgency;
  readonly resourceShortId: string;
  readonly resourceName?: string;
  readonly accountId: string;
  readonly region: string;
  /** "tcp/22, tcp/3389" when reachable from the internet on those. */
  readonly reachableOn?: string;
  readonly firstObservedAt: string;
}

export interface GroupedFindingsView {
  readonly groupId: string;
  readonly controlId: string;
  /** From the control catalog, e.g. "SSH (22) open to the internet"; the control id alone when unknown. */
  readonly controlSummary?: string;
  /** The resource kind, singular and plural: "security group" / "security groups". */
  readonly resourceNoun: { readonly one: string; readonly many: string };
  readonly members: number;
  readonly open: number;
  /** Open members reachable from the internet now (act-now because of reach). */
  readonly reachable: number;
  readonly openByUrgency: Readonly<Record<Urgency, number>>;
  /** The most urgent open members, in order (at most `TOP_SHOWN` are shown). */
  readonly top: readonly GroupedMemberLine[];
  /** The control has a runbook: the bulk button is offered while something reachable is open. */
  readonly canRemediate: boolean;
  readonly highestSeverity: Severity;
}

/** The grouped message lists this many members; the rest are replies in its thread and in `/cspm list`. */
export const TOP_SHOWN = 10;

const URGENCY_MARK: Readonly<Record<Urgency, string>> = { 'act-now': '🚨', high: '⚠️', normal: '·' };

function memberLine(member: GroupedMemberLine): string {
  const name =
    member.resourceName && member.resourceName !== member.resourceShortId
      ? ` ${escapeText(member.resourceName, 60)}`
      : '';
  const reach = member.reachableOn ? ` · reachable on ${escapeText(member.reachableOn, 100)}` : '';
  return (
    `${URGENCY_MARK[member.urgency]} ${SEVERITY_EMOJI[member.severity]} ${codeText(member.resourceShortId, 80)}${name}` +
    ` · ${codeText(member.accountId, 20)} ${escapeText(member.region, 30)}${reach} · first seen ${slackDate(member.firstObservedAt)}`
  );
}

/** "37 security groups · SSH (22) open to the internet" */
function headline(view: GroupedFindingsView): string {
  const noun = view.members === 1 ? view.resourceNoun.one : view.resourceNoun.many;
  return `${count(view.members)} ${noun}: ${view.controlSummary ?? view.controlId}`;
}

/** "12 reachable from the internet · 30 open · 7 no longer open" */
function countsLine(view: GroupedFindingsView): string {
  const closed = view.members - view.open;
  const parts = [
    view.reachable > 0
      ? `🚨 *${count(view.reachable)} reachable from the internet*`
      : 'none reachable from the internet',
    `${count(view.open)} open`,
    ...(view.openByUrgency['act-now'] > view.reachable
      ? [`${count(view.openByUrgency['act-now'])} to act on now`]
      : []),
    ...(closed > 0 ? [`${count(closed)} resolved or closed`] : []),
  ];
  return parts.join(' · ');
}

/**
 * One message for many new findings of one control in one channel: the counts, the most urgent members, and a
 * button to remediate every reachable one. Each member has its own reply (with its own buttons) in the thread.
 */
export function groupedFindingsMessage(view: GroupedFindingsView): FindingMessage {
  const header: HeaderBlock = {
    type: 'header',
    text: plainText(
      escapeText(
        `${SEVERITY_EMOJI[view.highestSeverity]} ${view.controlId} · ${headline(view)}`,
        BLOCK_LIMITS.headerText,
      ),
    ),
  };
  const shown = view.top.slice(0, TOP_SHOWN);
  const more = view.open - shown.length;
  const summary: SectionBlock = { type: 'section', text: mrkdwn(countsLine(view)) };
  const list: SectionBlock[] =
    shown.length > 0
      ? lineSections([
          `*Most urgent${view.open > shown.length ? ` ${shown.length}` : ''}:*`,
          ...shown.map(memberLine),
        ])
      : [];
  const rest: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        (more > 0 ? `…and ${plural(more, `more open ${view.resourceNoun.one}`)}. ` : '') +
          `Every finding has its own message with its buttons in this thread; \`/cspm list ${view.controlId}\` lists the open ones.`,
      ),
    ],
  };
  const actions: ActionsBlock[] =
    view.canRemediate && view.reachable > 0
      ? [
          {
            type: 'actions',
            block_id: 'group.actions',
            elements: [
              {
                type: 'button',
                action_id: GROUP_REMEDIATE_REACHABLE_ACTION,
                text: plainText(`Remediate all reachable (${count(view.reachable)})…`),
                value: view.groupId,
                style: 'primary',
              },
            ],
          },
        ]
      : [];
  const blocks: KnownBlock[] = [header, summary, ...list, rest, ...actions];
  const text = `${view.controlId}: ${headline(view)} (${view.reachable} reachable from the internet, ${view.open} open)`;
  return { text: escapeText(text, 1000), blocks };
}
