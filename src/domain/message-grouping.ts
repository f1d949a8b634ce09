import { DateTime } from 'luxon';
import { isOpen } from './finding.js';
import type { Finding } from './finding.js';
import { severityRank } from './severity.js';
import type { Severity } from './severity.js';
import type { Triage, Urgency } from './triage.js';

/** `CSPM_GROUP_THRESHOLD` and `CSPM_GROUP_WINDOW_SECONDS`. */
export interface GroupingSettings {
  /** The fewest new findings of one control in one channel, within one window, that make a grouped message. */
  readonly threshold: number;
  readonly windowSeconds: number;
}

export const DEFAULT_GROUPING: GroupingSettings = { threshold: 5, windowSeconds: 60 };

/** A finding whose first message is owed and was never posted (nothing in the channel, nothing uncertain). */
export interface GroupingCandidate {
  readonly findingId: string;
  readonly channel: string;
  /** Findings without a control id are never grouped: there is no "one kind of problem" to name. */
  readonly controlId: string | undefined;
  readonly firstIngestedAt: string;
}

/** A group already made for this channel and control, and the window of first-ingest times it takes. */
export interface ExistingGroup {
  readonly groupId: string;
  readonly channel: string;
  readonly controlId: string;
  readonly windowStart: string;
  readonly windowEnd: string;
}

export interface NewGroup {
  readonly channel: string;
  readonly controlId: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly findingIds: readonly string[];
}

export interface GroupingPlan {
  /** Findings that join an existing group whose window holds their first ingest (replies under its message). */
  readonly join: readonly { readonly groupId: string; readonly findingIds: readonly string[] }[];
  readonly create: readonly NewGroup[];
  /** Findings posted on their own, as before. */
  readonly alone: readonly string[];
}

const keyOf = (channel: string, controlId: string) => `${channel}\n${controlId}`;

/**
 * Which never-posted findings are posted as grouped messages, decided when their messages are delivered:
 * - per channel and control; findings without a control id are always posted alone;
 * - a finding first ingested within the window of a group already made for its channel and control joins that
 *   group (however few arrive late: the burst already has its message);
 * - the rest, oldest first: the findings first ingested within `windowSeconds` of the oldest form a new group if
 *   they number at least `threshold` (its window starts at the oldest one's first ingest); if fewer, the oldest is
 *   posted alone and the next oldest starts the next window.
 * A backlog (Slack was down for an hour) is grouped by when the findings arrived, not by when Slack came back.
 */
export function planMessageGrouping(input: {
  readonly candidates: readonly GroupingCandidate[];
  readonly existingGroups: readonly ExistingGroup[];
  readonly settings: GroupingSettings;
}): GroupingPlan {
  const { candidates, existingGroups, settings } = input;
  const byChannelAndControl = new Map<string, GroupingCandidate[]>();
  const alone: string[] = [];
  const joins = new Map<string, string[]>();
  for (const candidate of candidates) {
    if (candidate.controlId === undefined) {
      alone.push(candidate.findingId);
      continue;
    }
    const at = Date.parse(candidate.firstIngestedAt);
    const existing = existingGroups.find(
      (group) =>
        group.channel === candidate.channel &&
        group.controlId === candidate.controlId &&
        Date.parse(group.windowStart) <= at &&
        at < Date.parse(group.windowEnd),
    );
    if (existing) {
      joins.set(existing.groupId, [...(joins.get(existing.groupId) ?? []), candidate.findingId]);
      continue;
    }
    const key = keyOf(candidate.channel, candidate.controlId);
    byChannelAndControl.set(key, [...(byChannelAndControl.get(key) ?? []), candidate]);
  }
  const join = [...joins].map(([groupId, findingIds]) => ({ groupId, findingIds }));
  const create: NewGroup[] = [];
  for (const members of byChannelAndControl.values()) {
    const oldestFirst = [...members].sort(
      (a, b) => Date.parse(a.firstIngestedAt) - Date.parse(b.firstIngestedAt),
    );
    let start = 0;
    while (start < oldestFirst.length) {
      const first = oldestFirst[start]!;
      const windowStart = DateTime.fromISO(first.firstIngestedAt, { zone: 'utc' });
      const windowEndMs = windowStart.toMillis() + settings.windowSeconds * 1000;
      let end = start;
      while (end < oldestFirst.length && Date.parse(oldestFirst[end]!.firstIngestedAt) < windowEndMs)
        end += 1;
      if (end - start >= settings.threshold) {
        create.push({
          channel: first.channel,
          controlId: first.controlId!,
          windowStart: windowStart.toISO()!,
          windowEnd: windowStart.plus({ seconds: settings.windowSeconds }).toISO()!,
          findingIds: oldestFirst.slice(start, end).map((member) => member.findingId),
        });
        start = end;
      } else {
        alone.push(first.findingId);
        start += 1;
      }
    }
  }
  return { join, create, alone };
}

/** What a grouped message ranks its members by. */
export interface RankedMember {
  readonly urgency: Urgency;
  readonly severity: Severity;
  readonly firstObservedAt: string;
}

const URGENCY_ORDER: Readonly<Record<Urgency, number>> = { 'act-now': 0, high: 1, normal: 2 };

/** Most urgent first: act-now first, then higher severity, then the oldest (longest exposed). */
export function byUrgency(a: RankedMember, b: RankedMember): number {
  return (
    URGENCY_ORDER[a.urgency] - URGENCY_ORDER[b.urgency] ||
    severityRank(b.severity) - severityRank(a.severity) ||
    Date.parse(a.firstObservedAt) - Date.parse(b.firstObservedAt)
  );
}

/** Counts a grouped message shows (and its group record keeps), as of its last render. */
export interface FindingGroupCounts {
  /** Every finding in the group, whatever its state. */
  readonly members: number;
  /** Members still open (not resolved, suppressed, passed or archived). */
  readonly open: number;
  /** Open members the internet reaches now (what "Remediate all reachable…" acts on). */
  readonly reachable: number;
  /** Open members by urgency. */
  readonly openByUrgency: Readonly<Record<Urgency, number>>;
}

type Member = {
  readonly finding: Pick<Finding, 'recordState' | 'workflowStatus' | 'complianceStatus'>;
  readonly triage: Triage;
};

/** Still needs someone: active, failing, and neither resolved nor suppressed. */
export function isStillOpen(member: Member): boolean {
  return isOpen(member.finding) && member.finding.complianceStatus !== 'PASSED';
}

/** "tcp/22, tcp/3389": the ports the internet reaches the member's resource on, when it does. */
export function reachablePortsOf(member: Member): string | undefined {
  const basis = member.triage.kind === 'unsupported' ? undefined : member.triage.urgencyBasis;
  return basis?.kind === 'reachable' ? basis.ports.join(', ') : undefined;
}

export function groupCountsOf(members: readonly Member[]): FindingGroupCounts {
  const open = members.filter(isStillOpen);
  const openByUrgency = { 'act-now': 0, high: 0, normal: 0 };
  for (const member of open) openByUrgency[member.triage.urgency] += 1;
  return {
    members: members.length,
    open: open.length,
    reachable: open.filter((member) => reachablePortsOf(member) !== undefined).length,
    openByUrgency,
  };
}
