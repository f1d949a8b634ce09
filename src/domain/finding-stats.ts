import type { Finding } from './finding.js';
import { isOpen } from './finding.js';
import type { Triage } from './triage.js';

/** The parts of a stored finding the counters read. */
export interface FindingRecordLike {
  readonly finding: Finding;
  readonly triage: Triage;
}

/** A counter: its partition (`OPEN`, `ACCOUNT#<id>`, `CONTROL#<id>`) and its key within it. */
export interface CounterKey {
  readonly group: string;
  readonly key: string;
}

/** What the counters count about one finding. */
export interface CountedState {
  readonly open: boolean;
  readonly severity: string;
  readonly accountId: string;
  readonly controlId: string;
  readonly exposed: boolean;
}

export function countedState(record: FindingRecordLike): CountedState {
  const { finding, triage } = record;
  // A rule a network ACL blocks is not exposed; records triaged before rules had their own reach use the group's.
  const exposed =
    triage.kind === 'security-group' &&
    triage.reach.kind === 'internet' &&
    triage.openRules.some(
      (rule) => rule.world !== undefined && (rule.reach === undefined || rule.reach.kind === 'internet'),
    );
  return {
    open: isOpen(finding) && finding.complianceStatus !== 'PASSED',
    severity: finding.severity,
    accountId: finding.accountId,
    controlId: finding.controlId ?? '-',
    exposed,
  };
}

/** Every counter an open finding adds one to: overall, per account and per control, by severity and exposure. */
export function countersOf(state: CountedState): CounterKey[] {
  if (!state.open) return [];
  const keys: CounterKey[] = [
    { group: 'OPEN', key: 'ALL' },
    { group: 'OPEN', key: `SEVERITY#${state.severity}` },
    { group: 'OPEN', key: `CONTROL#${state.controlId}` },
    { group: 'OPEN', key: `ACCOUNT#${state.accountId}` },
    { group: `ACCOUNT#${state.accountId}`, key: 'ALL' },
    { group: `ACCOUNT#${state.accountId}`, key: `SEVERITY#${state.severity}` },
    { group: `ACCOUNT#${state.accountId}`, key: `CONTROL#${state.controlId}` },
    { group: `CONTROL#${state.controlId}`, key: 'ALL' },
    { group: `CONTROL#${state.controlId}`, key: `SEVERITY#${state.severity}` },
    { group: `CONTROL#${state.controlId}`, key: `ACCOUNT#${state.accountId}` },
  ];
  if (state.exposed) {
    keys.push(
      { group: 'OPEN', key: 'EXPOSED' },
      { group: `ACCOUNT#${state.accountId}`, key: 'EXPOSED' },
      { group: `CONTROL#${state.controlId}`, key: 'EXPOSED' },
    );
  }
  return keys;
}

/**
 * The counter changes of one write: +1 for what the finding counts in now, -1 for what it counted in before.
 * Applied after a successful conditional write, so a replayed write (which fails its condition) counts nothing.
 */
export function counterDeltas(
  before: CountedState | undefined,
  after: CountedState | undefined,
): Map<string, { key: CounterKey; delta: number }> {
  const deltas = new Map<string, { key: CounterKey; delta: number }>();
  const add = (key: CounterKey, delta: number) => {
    const id = `${key.group}|${key.key}`;
    const next = (deltas.get(id)?.delta ?? 0) + delta;
    if (next === 0) deltas.delete(id);
    else deltas.set(id, { key, delta: next });
  };
  for (const key of before ? countersOf(before) : []) add(key, -1);
  for (const key of after ? countersOf(after) : []) add(key, +1);
  return deltas;
}
