import type { Decision, DecisionKind, DecisionStatus } from './decision.js';
import type { Finding } from './finding.js';
import type { CounterKey } from './finding-stats.js';

/** The scopes `/cspm status` narrows to, as a decision counter's suffix. */
export type DecisionCounterScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'control'; readonly controlId: string };

/** The day counter key of a finished decision of `kind` with `status`, overall or within one account or control. */
export function decisionCounterKey(
  kind: DecisionKind,
  status: DecisionStatus,
  scope: DecisionCounterScope,
): string {
  const base = `DECISION#${kind}#${status}`;
  return scope.kind === 'all'
    ? base
    : scope.kind === 'account'
      ? `${base}|ACCOUNT#${scope.accountId}`
      : `${base}|CONTROL#${scope.controlId}`;
}

/**
 * The counters a finished decision adds one to, in the UTC day it was requested (the day the decision lists it
 * under): overall, and for its finding's account and control when the finding is known.
 */
export function decisionCounterKeys(
  decision: Decision,
  finding: Pick<Finding, 'accountId' | 'controlId'> | undefined,
): CounterKey[] {
  const group = `DAY#${new Date(decision.requestedAt).toISOString().slice(0, 10)}`;
  const keys: CounterKey[] = [
    { group, key: decisionCounterKey(decision.kind, decision.status, { kind: 'all' }) },
  ];
  if (finding)
    keys.push({
      group,
      key: decisionCounterKey(decision.kind, decision.status, {
        kind: 'account',
        accountId: finding.accountId,
      }),
    });
  if (finding?.controlId !== undefined)
    keys.push({
      group,
      key: decisionCounterKey(decision.kind, decision.status, {
        kind: 'control',
        controlId: finding.controlId,
      }),
    });
  return keys;
}
