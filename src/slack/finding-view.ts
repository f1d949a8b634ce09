import type { FindingMessageView, MessageState } from '../../blocks/finding-message.js';
import { controlSummaryFor } from '../domain/control-catalog.js';
import type { Resolution } from '../domain/resolution.js';
import type { FindingRecord } from '../store/finding-repository.js';

function resolvedBy(resolution: Resolution): string {
  return resolution.by.kind === 'user' ? resolution.by.userId : 'cspm-bot';
}

/** "Revoke tcp/22 … · SSM execution 8f1c… · 9 s" */
function resolutionDetails(resolution: Resolution): string[] {
  const execution = resolution.executionId ? [`SSM execution ${resolution.executionId}`] : resolution.executor === 'direct' ? ['EC2 API'] : [];
  const duration = resolution.durationMs !== undefined ? [`${Math.max(1, Math.round(resolution.durationMs / 1000))} s`] : [];
  return [resolution.what, ...execution, ...duration];
}

/** What the message should say about the finding's state, from Security Hub's fields and our history. */
export function messageStateOf(record: FindingRecord): MessageState {
  const { finding } = record;
  if (finding.recordState === 'ARCHIVED') return { kind: 'closed', why: 'archived', at: finding.updatedAt };
  if (finding.complianceStatus === 'PASSED') return { kind: 'closed', why: 'passed', at: finding.updatedAt };
  if (finding.workflowStatus === 'RESOLVED') {
    return record.resolution
      ? { kind: 'resolved', by: resolvedBy(record.resolution), at: record.resolution.at, details: resolutionDetails(record.resolution) }
      : { kind: 'resolved', by: 'security-hub', at: finding.updatedAt };
  }
  if (finding.workflowStatus === 'SUPPRESSED') {
    const { suppression } = record;
    if (suppression?.acceptance) {
      return { kind: 'accepted', by: suppression.by, at: suppression.at, until: suppression.acceptance.until, reason: suppression.reason, scope: suppression.acceptance.scope };
    }
    return suppression
      ? { kind: 'suppressed', by: suppression.by, at: suppression.at, reason: suppression.reason }
      : { kind: 'suppressed', at: finding.updatedAt };
  }
  if (record.reopenedAt) {
    const before = record.resolution ? `Resolved by ${resolvedBy(record.resolution)} on ${record.resolution.at.slice(0, 10)} (${record.resolution.what})` : 'Resolved earlier';
    return { kind: 'reopened', previously: `${before}; Security Hub re-opened it on ${record.reopenedAt.slice(0, 10)} because the control still fails.` };
  }
  return { kind: 'open' };
}

/** The view model of a stored finding for `blocks/finding-message.ts`. */
export function findingViewOf(record: FindingRecord): FindingMessageView {
  const { triage } = record;
  const control = triage.kind === 'unsupported' ? undefined : triage.control;
  return {
    finding: record.finding,
    ...(control && { controlSummary: controlSummaryFor(control, record.finding) }),
    openRules: triage.kind === 'security-group' ? triage.openRules : [],
    ...(triage.kind === 'security-group' && { reach: triage.reach, rulesKnown: triage.rulesFrom !== 'unknown' }),
    ...(triage.kind === 'imdsv2' && { imds: { httpTokens: triage.httpTokens } }),
    urgency: triage.urgency,
    ...(triage.urgencyBasis && { urgencyBasis: triage.urgencyBasis }),
    state: messageStateOf(record),
    canRemediate: control !== undefined,
  };
}

/** The view of a message that a fresh post supersedes: the finding as it stands, without buttons. */
export function retiredViewOf(record: FindingRecord, at: string): FindingMessageView {
  return { ...findingViewOf(record), state: { kind: 'closed', why: 'reposted', at } };
}
