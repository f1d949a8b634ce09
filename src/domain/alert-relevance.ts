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
  if (finding.workflowStatus !== 'NEW' && finding.workflowStatus !== 'NOTIFIED') return { alert: false, reason: 'not-open' };
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
  const wasClosed = before.workflowStatus === 'RESOLVED' || before.recordState === 'ARCHIVED' || before.complianceStatus === 'PASSED';
  const isOpenAgain =
    after.recordState === 'ACTIVE' && after.complianceStatus !== 'PASSED' && (after.workflowStatus === 'NEW' || after.workflowStatus === 'NOTIFIED');
  return wasClosed && isOpenAgain;
}
