import type { Finding } from './finding.js';
import type { Severity } from './severity.js';
import { isAtLeast } from './severity.js';

export type DropReason = 'archived' | 'passed' | 'not-open' | 'below-threshold';

/**
 * Whether a finding seen for the first time deserves a Slack alert. Known findings are never judged by this:
 * their state changes update the message they already have.
 */
export function alertRelevance(
  finding: Pick<Finding, 'recordState' | 'complianceStatus' | 'workflowStatus' | 'severity'>,
  threshold: Severity,
): { alert: true } | { alert: false; reason: DropReason } {
  if (finding.recordState === 'ARCHIVED') return { alert: false, reason: 'archived' };
  if (finding.complianceStatus === 'PASSED') return { alert: false, reason: 'passed' };
  if (finding.workflowStatus !== 'NEW' && finding.workflowStatus !== 'NOTIFIED')
    return { alert: false, reason: 'not-open' };
  if (!isAtLeast(finding.severity, threshold)) return { alert: false, reason: 'below-threshold' };
  return { alert: true };
}

/** The parts of a finding its message shows; a change in any of them means the message must be updated. */
export function visibleStateChanged(before: Finding, after: Finding): boolean {
  return (
    before.workflowStatus !== after.workflowStatus ||
    before.recordState !== after.recordState ||
    before.complianceStatus !== after.complianceStatus ||
    before.severity !== after.severity ||
    before.title !== after.title
  );
}

/** Security Hub re-opens a resolved control finding by itself when the control still fails. */
export function cameBackOpen(before: Finding, after: Finding): boolean {
  const wasClosed =
    before.workflowStatus === 'RESOLVED' ||
    before.recordState === 'ARCHIVED' ||
    before.complianceStatus === 'PASSED';
  const isOpenAgain =
    after.recordState === 'ACTIVE' &&
    after.complianceStatus !== 'PASSED' &&
    (after.workflowStatus === 'NEW' || after.workflowStatus === 'NOTIFIED');
  return wasClosed && isOpenAgain;
}

/** An ISO-8601 timestamp as an instant (UTC ms), so `…+09:00` and `…Z` compare by time, not spelling. */
function instantOf(timestamp: string): number {
  return Date.parse(timestamp);
}

/** Whether the delivered state is an older Security Hub update than the stored one (a re-delivery out of order). */
export function isOlderUpdate(
  incoming: Pick<Finding, 'updatedAt'>,
  stored: Pick<Finding, 'updatedAt'>,
): boolean {
  return instantOf(incoming.updatedAt) < instantOf(stored.updatedAt);
}

/** Whether the delivered state is the very Security Hub update already stored. */
export function isSameUpdate(
  incoming: Pick<Finding, 'updatedAt'>,
  stored: Pick<Finding, 'updatedAt'>,
): boolean {
  return instantOf(incoming.updatedAt) === instantOf(stored.updatedAt);
}

/**
 * Whether a delivered state is no newer than the bot's own last decision (suppress, accept, remediate, hold) on the
 * finding. EventBridge delivers at least once and out of order: such a state may refresh other facts, but never the
 * workflow status, never re-opens and never starts an auto-remediation. Only a later Security Hub update does.
 * An unreadable timestamp counts as not newer: the person's decision stands.
 */
export function predatesDecision(
  decision: { readonly decidedAt?: string },
  incoming: Pick<Finding, 'updatedAt'>,
): boolean {
  if (decision.decidedAt === undefined) return false;
  const updated = instantOf(incoming.updatedAt);
  return Number.isNaN(updated) || updated <= instantOf(decision.decidedAt);
}
