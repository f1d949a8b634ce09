import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MrkdwnElement,
  SectionBlock,
} from '@slack/types';
import type { AcceptanceScope } from '../src/domain/acceptance.js';
import type { Finding } from '../src/domain/finding.js';
import { findingKeyOf } from '../src/domain/finding-key.js';
import { REMOTE_ADMIN_PORTS } from '../src/domain/control-catalog.js';
import { describeAclEntry, worldOpenings } from '../src/domain/network-acl-plan.js';
import { settingName, settingsOff } from '../src/domain/public-bucket-access.js';
import type { NetworkInterfaceFacts, NetworkReach, RuleReach } from '../src/domain/reachability.js';
import { describeRule } from '../src/domain/rule-description.js';
import type { Severity } from '../src/domain/severity.js';
import type { OpenRule, UrgencyBasis } from '../src/domain/triage.js';
import type {
  OwnReachFinding,
  OwnReachVerdict,
  SecurityHubExposure,
} from '../src/domain/security-hub-exposure.js';
import {
  ACCEPT_RISK_ACTION,
  ACCOUNT_FIX_ACTION,
  FINDING_ACTIONS_BLOCK,
  REMEDIATE_ACTION,
  REOPEN_ACTION,
  REVOKE_ACCEPTANCE_ACTION,
  SUPPRESS_ACTION,
  findingButtonValue,
} from './action-ids.js';
import { securityHubConsoleUrl } from './console-link.js';
import { mrkdwn, plainText } from './text-objects.js';
import { BLOCK_LIMITS, MESSAGE_TEXT_LIMIT } from './limits.js';
import { ELLIPSIS, codeText, escapeText, link, mentionOrText, slackDate, truncate } from './mrkdwn.js';

export interface FindingMessageView {
  readonly finding: Finding;
  /** One line from the control catalog, e.g. "SSH (22) open to the internet". */
  readonly controlSummary?: string;
  /** The rules the control flags, as analysed from current state (may be empty), each with its reach if known. */
  readonly openRules: readonly OpenRule[];
  /** False when the group's rules are unknown (EC2 not read, finding without rules): not the same as none open. */
  readonly rulesKnown?: boolean;
  /** Where the security group is attached; absent for findings that are not about a security group. */
  readonly reach?: NetworkReach;
  readonly imds?: { readonly httpTokens: 'required' | 'optional' | 'unknown' };
  readonly urgency: 'act-now' | 'high' | 'normal';
  /** What the urgency rests on; absent in records triaged before it was kept (the plain urgency line then). */
  readonly urgencyBasis?: UrgencyBasis;
  readonly state: MessageState;
  /** False for controls without a runbook: the Remediate button is left out. Defaults to true. */
  readonly canRemediate?: boolean;
  /** The label of the control's account-wide fix button (EC2.8/EC2.170); absent when it offers none. */
  readonly accountFixLabel?: string;
  /**
   * The newer Security Hub's exposure analysis of the resource, shown beside the bot's own check, and the bot's own
   * verdict when the two disagree (one finds a path from the internet, the other none).
   */
  readonly securityHubExposure?: {
    readonly exposure: SecurityHubExposure;
    readonly disagreesWith?: OwnReachFinding;
  };
}

export type MessageState =
  /** Shows the Remediate, Suppress and Accept risk buttons. */
  | { readonly kind: 'open' }
  /** Came back NEW after we resolved it: the buttons again, plus what happened before. */
  | { readonly kind: 'reopened'; readonly previously: string }
  /** No buttons. `by` is `security-hub` or the Slack user id of whoever resolved it. */
  | {
      readonly kind: 'resolved';
      readonly by: 'security-hub' | string;
      readonly at: string;
      readonly details?: readonly string[];
    }
  /** Suppressed without an end date: only a Reopen button. `by` is a Slack user id. */
  | { readonly kind: 'suppressed'; readonly by?: string; readonly at: string; readonly reason?: string }
  /** Risk accepted until a day: only a Revoke acceptance button. `until` is the last day covered (ISO date). */
  | {
      readonly kind: 'accepted';
      readonly by: string;
      readonly at: string;
      readonly until: string;
      readonly reason: string;
      readonly scope: AcceptanceScope;
    }
  /** No buttons: Security Hub archived the finding or the control passes. */
  /** `reposted`: this message is superseded by a fresh one (a risk acceptance ended). */
  | { readonly kind: 'closed'; readonly why: 'archived' | 'passed' | 'reposted'; readonly at: string };

export interface FindingMessage {
  /** Top-level `text`: the notification and screen-reader fallback. */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/** The colour a person associates with each severity, the same in every message. */
export const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  CRITICAL: '🔴',
  HIGH: '🟠',
  MEDIUM: '🟡',
  LOW: '🔵',
  INFORMATIONAL: '⚪',
};

const URGENCY_LINE: Readonly<Record<FindingMessageView['urgency'], string | undefined>> = {
  'act-now': '🚨 *Act now*',
  high: '⚠️ *High priority*',
  normal: undefined,
};

const NOT_REACHABLE_WHY: Readonly<Record<Extract<UrgencyBasis, { kind: 'not-reachable' }>['why'], string>> = {
  private: 'private subnets only',
  unattached: 'not attached to anything',
  'network-acl': 'blocked by a network ACL',
};

const OWN_NOT_REACHABLE_WHY: Readonly<
  Record<Extract<OwnReachVerdict, { kind: 'not-reachable' }>['why'], string>
> = { ...NOT_REACHABLE_WHY, 'nothing-open': 'nothing in the group is open now' };

/** The urgency and what it rests on: "Act now: reachable from the internet on tcp/22", "Review: reachability unknown (…)". */
function urgencyText(
  urgency: FindingMessageView['urgency'],
  basis: UrgencyBasis | undefined,
): string | undefined {
  if (urgency === 'normal') return undefined;
  if (basis === undefined) return URGENCY_LINE[urgency];
  const label = urgency === 'act-now' ? '🚨 *Act now*' : '⚠️ *High priority*';
  switch (basis.kind) {
    case 'reachable':
      return `${label}: reachable from the internet on ${escapeText(basis.ports.join(', '), 200)}`;
    case 'reach-unknown':
      return `🔎 *Review*: reachability unknown (${escapeText(basis.reason, 200)})`;
    case 'rules-unknown':
      return '🔎 *Review*: open rules unknown until EC2 is read';
    case 'not-reachable':
      return `${label}: not reachable from the internet today (${NOT_REACHABLE_WHY[basis.why]})`;
    case 'severity':
      return `${label}: ${basis.severity} severity`;
    case 'nothing-open':
    case 'imdsv2-required':
      return label;
  }
}

/** Enough to act on at a glance; the console link has the rest. */
const MAX_RULES_SHOWN = 10;
const MAX_INTERFACES_SHOWN = 5;
const MAX_TAGS_SHOWN = 5;
/** A console link longer than this (a pathological finding id) is left out rather than crowd the section. */
const MAX_LINK_LENGTH = 2000;

/**
 * The Slack message of one finding: what is wrong, where, how exposed, and the buttons to deal with it.
 * Every string from the finding or from AWS goes through `escapeText`/`codeText`, and every piece is capped,
 * so the result passes `checkMessageLimits` whatever the finding holds.
 */
export function findingMessage(view: FindingMessageView): FindingMessage {
  const blocks: KnownBlock[] = [
    headerBlock(view.finding),
    summaryBlock(view),
    ...rulesBlocks(view),
    ...exposureBlock(view),
    ...actionsBlocks(view),
    stateBlock(view),
  ];
  return { text: fallbackText(view), blocks };
}

/** Some titles already start with the control id ("EC2.8 EC2 instances should…"); it is then not repeated. */
function titleNamesControl(title: string, controlId: string): boolean {
  const trimmed = title.trim();
  return trimmed.startsWith(controlId) && !/[A-Za-z0-9.]/.test(trimmed.charAt(controlId.length));
}

function headerBlock(finding: Finding): HeaderBlock {
  const control =
    finding.controlId && !titleNamesControl(finding.title, finding.controlId)
      ? `${escapeText(finding.controlId, 40)} · `
      : '';
  const prefix = `${SEVERITY_EMOJI[finding.severity]} ${control}`;
  return {
    type: 'header',
    text: plainText(prefix + escapeText(finding.title, BLOCK_LIMITS.headerText - prefix.length)),
  };
}

function summaryBlock(view: FindingMessageView): SectionBlock {
  const { finding } = view;
  const actionable = view.state.kind === 'open' || view.state.kind === 'reopened';
  const headline = [
    actionable ? urgencyText(view.urgency, view.urgencyBasis) : undefined,
    view.controlSummary ? escapeText(view.controlSummary, 300) : undefined,
  ].filter(isPresent);
  const url = securityHubConsoleUrl(finding);
  const lines = [
    headline.join(' · '),
    url.length <= MAX_LINK_LENGTH ? link(url, 'View in Security Hub') : '',
  ].filter((line) => line.length > 0);

  const fields = [
    field('Severity', `${SEVERITY_EMOJI[finding.severity]} ${finding.severity}`),
    field('Account', codeText(finding.accountId, 40)),
    field('Region', codeText(finding.region, 40)),
    field('Resource', resourceText(finding)),
    field('First seen', slackDate(finding.firstObservedAt)),
  ];
  const tags = tagsText(finding.resource.tags);
  if (tags) fields.push(field('Tags', tags));

  return { type: 'section', ...(lines.length > 0 ? { text: mrkdwn(lines.join('\n')) } : {}), fields };
}

function resourceText(finding: Finding): string {
  const { resource } = finding;
  const name =
    resource.name && resource.name !== resource.shortId ? ` ${escapeText(resource.name, 200)}` : '';
  return `${codeText(resource.shortId, 300)}${name}\n${escapeText(resource.type, 100)}`;
}

function tagsText(tags: Readonly<Record<string, string>> | undefined): string | undefined {
  const entries = Object.entries(tags ?? {});
  if (entries.length === 0) return undefined;
  const shown = entries.slice(0, MAX_TAGS_SHOWN).map(([key, value]) => codeText(`${key}=${value}`, 100));
  const more = entries.length - shown.length;
  return more > 0 ? `${shown.join(' ')} and ${more} more` : shown.join(' ');
}

function rulesBlocks(view: FindingMessageView): SectionBlock[] {
  if (view.rulesKnown === false) {
    return [{ type: 'section', text: mrkdwn('*Open rules*: unknown until EC2 is read') }];
  }
  if (view.openRules.length === 0) {
    return view.finding.details.kind === 'security-group'
      ? [{ type: 'section', text: mrkdwn('*Open rules*: none found in the group now') }]
      : [];
  }
  const title = `*Open rules* (${view.openRules.length})`;
  // The finding listed more rules than the bot keeps (src/domain/finding-bounds.ts): say so rather than under-count.
  const dropped = view.finding.truncated?.rulesDropped ?? 0;
  const droppedNote = dropped > 0 ? `\n_+${plural(dropped, 'more rule')} in the finding not shown_` : '';
  const list = cappedList(
    view.openRules.map(ruleLine),
    MAX_RULES_SHOWN,
    BLOCK_LIMITS.sectionText - title.length - 1 - droppedNote.length,
  );
  return [{ type: 'section', text: mrkdwn(`${title}\n${list}${droppedNote}`) }];
}

/** "• tcp/22 from 0.0.0.0/0 (`sgr-0a1b…`) “temporary access” · blocked by `acl-0a1b…` rule 100" */
function ruleLine(exposed: OpenRule): string {
  const { rule } = exposed;
  const id = rule.ruleId ? ` (${codeText(rule.ruleId, 40)})` : '';
  const description = rule.description ? ` “${escapeText(rule.description, 80)}”` : '';
  const reach = exposed.reach ? ` · ${ruleReachText(exposed.reach)}` : '';
  return `• ${escapeText(describeRule(rule), 120)}${id}${description}${reach}`;
}

function ruleReachText(reach: RuleReach): string {
  switch (reach.kind) {
    case 'internet':
      return reach.networkAclsUnchecked
        ? `reachable from the internet (network ACL not checked: ${escapeText(reach.networkAclsUnchecked, 120)})`
        : 'reachable from the internet';
    case 'blocked':
      return `blocked by ${codeText(reach.networkAclId, 40)} rule ${reach.ruleNumber >= 32767 ? '*' : reach.ruleNumber}`;
    case 'private':
      return 'private subnet';
    case 'unattached':
      return 'not attached';
    case 'unknown':
      return `reachability unknown (${escapeText(reach.reason, 120)})`;
  }
}

function exposureBlock(view: FindingMessageView): SectionBlock[] {
  const lines = [
    ...(view.reach ? [reachText(view.reach)] : []),
    ...securityHubExposureLines(view),
    ...instanceLines(view.finding),
    ...networkAclLines(view.finding),
    ...(view.finding.controlId === 'S3.5' ? tlsOnlyLines(view.finding) : publicAccessLines(view.finding)),
    ...(view.imds ? [imdsText(view.imds.httpTokens)] : []),
  ];
  return lines.length === 0 ? [] : [{ type: 'section', text: mrkdwn(lines.join('\n')) }];
}

/**
 * "🛰️ Reachable from the internet on tcp/22 per Security Hub exposure analysis", and, when the bot's own check found
 * otherwise, a line saying the two disagree and which way: a person should look before trusting either.
 */
function securityHubExposureLines(view: FindingMessageView): string[] {
  const shown = view.securityHubExposure;
  if (!shown) return [];
  const { exposure, disagreesWith } = shown;
  const resource = codeText(exposure.resourceShortId, 60);
  const ofResource = exposure.sameResource ? '' : ` of ${resource}`;
  const ports = exposure.ports.length > 0 ? ` on ${escapeText(exposure.ports.join(', '), 200)}` : '';
  const traits = exposure.traits.length > 0 ? ` (${escapeText(exposure.traits.join(', '), 120)})` : '';
  const line = !exposure.open
    ? `🛰️ Security Hub exposure analysis no longer reports ${resource} as exposed`
    : exposure.reachable
      ? `🛰️ Reachable from the internet${ports} per Security Hub exposure analysis${ofResource}`
      : `🛰️ Security Hub exposure analysis finds ${resource} exposed${traits} but names no open path from the internet`;
  if (!disagreesWith) return [line];
  const disagreement =
    disagreesWith.kind === 'not-reachable'
      ? `⚖️ *The two checks disagree*: the bot's own check finds no path from the internet today (${OWN_NOT_REACHABLE_WHY[disagreesWith.why]}). Security Hub's analysis may predate a change, or see a path the bot does not check: look before relying on either.`
      : `⚖️ *The two checks disagree*: the bot's own check finds it reachable from the internet on ${escapeText(disagreesWith.ports.join(', '), 200)} now; Security Hub's exposure analysis ${exposure.open ? 'names no such path' : 'no longer reports it'}. Treat it as reachable until the rule is closed.`;
  return [line, disagreement];
}

/** What the finding says about where an instance sits, when it says anything. */
function instanceLines(finding: Finding): string[] {
  const { details } = finding;
  if (details.kind !== 'instance' || (!details.publicIp && !details.subnetId)) return [];
  const parts = [
    details.publicIp ? `public IP ${escapeText(details.publicIp, 45)}` : 'no public IPv4 in the finding',
    ...(details.subnetId ? [`subnet ${codeText(details.subnetId, 40)}`] : []),
  ];
  return [`🖥️ ${parts.join(' · ')}`];
}

/** S3.5: the bucket, and that its policy lets requests in over plain HTTP (the finding carries no policy). */
function tlsOnlyLines(finding: Finding): string[] {
  const { details, resource } = finding;
  if (resource.type !== 'AwsS3Bucket') return [];
  const name = details.kind === 'bucket' ? details.bucketName : resource.shortId;
  return [
    `🪣 Bucket ${codeText(name, 70)}: its policy does not deny requests over plain HTTP (as of the finding); Remediate reads the policy from S3 and adds the deny, keeping every statement`,
  ];
}

/** S3.8: the bucket and its Block Public Access as the finding saw it; S3.1: that the whole account is meant. */
function publicAccessLines(finding: Finding): string[] {
  const { details, resource } = finding;
  if (resource.type === 'AwsAccount' && finding.controlId === 'S3.1')
    return [
      `🏢 Account ${codeText(finding.accountId, 20)}: S3 Block Public Access for every bucket of the account (the plan lists buckets that are public today)`,
    ];
  if (details.kind !== 'bucket') return [];
  const head = `🪣 Bucket ${codeText(details.bucketName, 70)}`;
  if (details.publicAccessBlock === undefined)
    return [
      head,
      'Block Public Access: unknown until S3 is read (the plan names public statements and grants)',
    ];
  const off = settingsOff(details.publicAccessBlock);
  return [
    head,
    off.length === 0
      ? 'Block Public Access: all four settings on (as of the finding)'
      : `Block Public Access off (as of the finding): ${off.map(settingName).join(', ')}`,
  ];
}

/** EC2.21: which ACL, which subnets use it, and which entries let SSH/RDP in from the whole internet (per the finding). */
function networkAclLines(finding: Finding): string[] {
  const { details } = finding;
  if (details.kind !== 'network-acl') return [];
  const subnets =
    details.subnetIds.length === 0
      ? 'used by no subnet'
      : `used by ${details.subnetIds
          .slice(0, MAX_INTERFACES_SHOWN)
          .map((subnetId) => codeText(subnetId, 40))
          .join(
            ', ',
          )}${details.subnetIds.length > MAX_INTERFACES_SHOWN ? ` and ${details.subnetIds.length - MAX_INTERFACES_SHOWN} more` : ''}`;
  const head = `🚪 Network ACL ${codeText(details.networkAclId, 40)} ${subnets}`;
  if (details.entries === undefined) return [head, 'Entries: unknown until EC2 is read'];
  const openings = worldOpenings(
    {
      networkAclId: details.networkAclId,
      vpcId: details.vpcId ?? '',
      isDefault: details.isDefault === true,
      subnetIds: details.subnetIds,
      entries: details.entries,
    },
    REMOTE_ADMIN_PORTS,
  );
  if (openings.length === 0)
    return [head, 'No entry lets SSH or RDP in from the whole internet (as of the finding)'];
  const lines = openings.map(
    (opening) =>
      `• tcp/${opening.port} from ${opening.family === 'ipv4' ? '0.0.0.0/0' : '::/0'} through ${escapeText(describeAclEntry(opening.allow), 120)}`,
  );
  return [head, `*Lets in from the internet*:\n${lines.join('\n')}`];
}

function reachText(reach: NetworkReach): string {
  switch (reach.kind) {
    case 'internet': {
      const [only, ...others] = reach.via;
      if (only === undefined) return '🌐 *Reachable from the internet*';
      if (others.length === 0) return `🌐 *Reachable from the internet* via ${interfaceText(only)}`;
      const list = cappedList(
        reach.via.map((facts) => `• ${interfaceText(facts)}`),
        MAX_INTERFACES_SHOWN,
        1500,
      );
      return `🌐 *Reachable from the internet* via ${reach.via.length} interfaces:\n${list}`;
    }
    case 'private':
      return `🔒 Attached to ${plural(reach.attachments, 'interface')}, none reachable from the internet`;
    case 'unattached':
      return '💤 Not attached to any network interface';
    case 'unknown':
      return `❔ Reachability unknown: ${escapeText(reach.reason, 300)}`;
  }
}

/** "`eni-0a1b` (i-0abc) public IP 203.0.113.10" */
function interfaceText(facts: NetworkInterfaceFacts): string {
  const parts = [codeText(facts.networkInterfaceId, 40)];
  if (facts.attachedTo) parts.push(`(${escapeText(facts.attachedTo, 100)})`);
  if (facts.publicIp) parts.push(`public IP ${escapeText(facts.publicIp, 45)}`);
  const [firstIpv6] = facts.ipv6Addresses;
  if (firstIpv6 !== undefined) {
    const more = facts.ipv6Addresses.length - 1;
    parts.push(`IPv6 ${escapeText(firstIpv6, 45)}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return parts.join(' ');
}

function imdsText(httpTokens: 'required' | 'optional' | 'unknown'): string {
  switch (httpTokens) {
    case 'optional':
      return '⚠️ *IMDSv1 allowed* (`HttpTokens: optional`): instance credentials can be read without a session token';
    case 'required':
      return '✅ IMDSv2 required (`HttpTokens: required`)';
    case 'unknown':
      return '❔ Instance metadata settings unknown';
  }
}

function actionsBlocks(view: FindingMessageView): ActionsBlock[] {
  // The stored key (product ARN, account, id), not the ASFF id: another product may reuse the id.
  const value = findingButtonValue(findingKeyOf(view.finding));
  switch (view.state.kind) {
    case 'open':
    case 'reopened': {
      const elements: Button[] = [];
      if (view.canRemediate !== false) elements.push(remediateButton(value));
      elements.push(
        button(SUPPRESS_ACTION, 'Suppress…', value),
        button(ACCEPT_RISK_ACTION, 'Accept risk…', value),
      );
      // Secondary and last: it opens its own plan to confirm, and never fixes this finding's resource.
      if (view.accountFixLabel) elements.push(button(ACCOUNT_FIX_ACTION, view.accountFixLabel, value));
      return [{ type: 'actions', block_id: FINDING_ACTIONS_BLOCK, elements }];
    }
    case 'suppressed':
      return [
        {
          type: 'actions',
          block_id: FINDING_ACTIONS_BLOCK,
          elements: [button(REOPEN_ACTION, 'Reopen', value)],
        },
      ];
    case 'accepted':
      return [
        {
          type: 'actions',
          block_id: FINDING_ACTIONS_BLOCK,
          elements: [button(REVOKE_ACCEPTANCE_ACTION, 'Revoke acceptance', value)],
        },
      ];
    case 'resolved':
    case 'closed':
      return [];
  }
}

/** The click only opens the plan: the confirmation modal shows what will change before anything runs. */
function remediateButton(value: string): Button {
  return { ...button(REMEDIATE_ACTION, 'Remediate…', value), style: 'primary' };
}

function button(actionId: string, label: string, value: string): Button {
  return { type: 'button', action_id: actionId, text: plainText(label), value };
}

function stateBlock(view: FindingMessageView): ContextBlock {
  return { type: 'context', elements: [mrkdwn(stateText(view))] };
}

function stateText(view: FindingMessageView): string {
  const { state, finding } = view;
  switch (state.kind) {
    case 'open':
      return `Open · last observed ${slackDate(finding.lastObservedAt)}`;
    case 'reopened':
      return `↩️ *Reopened*: the control fails again after we resolved it. Before: ${escapeText(state.previously, 500)}`;
    case 'resolved': {
      const by = state.by === 'security-hub' ? 'in Security Hub' : `by ${mentionOrText(state.by)}`;
      const details = (state.details ?? []).map((detail) => ` · ${escapeText(detail, 600)}`).join('');
      return `✅ *Resolved* ${by} · ${slackDate(state.at)}${details}`;
    }
    case 'suppressed': {
      const by = state.by ? ` by ${mentionOrText(state.by)}` : '';
      const reason = state.reason ? ` · “${escapeText(state.reason, 500)}”` : '';
      return `🔕 *Suppressed*${by} · ${slackDate(state.at)}${reason}`;
    }
    case 'accepted': {
      // A plain date, not a date token: a token would shift the last day for readers in other time zones.
      const until = escapeText(state.until, 40);
      return (
        `🤝 *Risk accepted* by ${mentionOrText(state.by)} until ${until} (${acceptanceScopeText(state.scope, finding)})` +
        ` · “${escapeText(state.reason, 500)}”`
      );
    }
    case 'closed':
      switch (state.why) {
        case 'archived':
          return `🗄️ *Closed*: archived in Security Hub (the resource or the control is gone) · ${slackDate(state.at)}`;
        case 'passed':
          return `✅ *Closed*: the control passes now · ${slackDate(state.at)}`;
        case 'reposted':
          return `🔁 *Posted again*: the risk acceptance ended and the finding is open; act on the new message · ${slackDate(state.at)}`;
      }
  }
}

function acceptanceScopeText(scope: AcceptanceScope, finding: Finding): string {
  if (scope === 'resource') return 'this resource';
  const control = finding.controlId ? escapeText(finding.controlId, 40) : 'this control';
  return `${control} in ${escapeText(finding.accountId, 40)}`;
}

const STATE_PREFIX: Readonly<Record<MessageState['kind'], string>> = {
  open: '',
  reopened: 'Reopened: ',
  resolved: 'Resolved: ',
  suppressed: 'Suppressed: ',
  accepted: 'Risk accepted: ',
  closed: 'Closed: ',
};

/** "HIGH EC2.13 on sg-0abc… in 111122223333/ap-northeast-1: <title>", the line a notification shows. */
function fallbackText(view: FindingMessageView): string {
  const { finding, state } = view;
  const urgent = view.urgency === 'act-now' && (state.kind === 'open' || state.kind === 'reopened');
  const control = finding.controlId ? escapeText(finding.controlId, 40) : 'finding';
  const where = `${escapeText(finding.accountId, 40)}/${escapeText(finding.region, 40)}`;
  const prefix = urgent
    ? state.kind === 'reopened'
      ? 'Act now, reopened: '
      : 'Act now: '
    : STATE_PREFIX[state.kind];
  const text =
    `${prefix}${finding.severity} ${control} ` +
    `on ${escapeText(finding.resource.shortId, 300)} in ${where}: ${escapeText(finding.title, 300)}`;
  return truncate(text, MESSAGE_TEXT_LIMIT);
}

/** Lines joined by newlines, at most `maxItems` and `maxLength` characters, then "…and K more". */
function cappedList(lines: readonly string[], maxItems: number, maxLength: number): string {
  const reserve = `\n${ELLIPSIS}and ${lines.length} more`.length;
  const shown: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (shown.length === maxItems) break;
    const added = (shown.length > 0 ? 1 : 0) + line.length;
    if (length + added + reserve > maxLength) break;
    shown.push(line);
    length += added;
  }
  const hidden = lines.length - shown.length;
  return hidden > 0 ? [...shown, `${ELLIPSIS}and ${hidden} more`].join('\n') : shown.join('\n');
}

function field(label: string, value: string): MrkdwnElement {
  return mrkdwn(`*${label}*\n${value}`);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function isPresent<T>(value: T | undefined): value is T {
  return value !== undefined;
}
