import type { Finding, FindingRef, WorkflowStatus } from '../domain/finding.js';
import { refsOf, securityHubNameOf } from '../domain/same-finding.js';
import type { WorkflowUpdate } from './ports.js';

/** The updates one decision makes: the finding's own copy, and the other Security Hub's copy when both hold it. */
export function workflowUpdatesOf(
  finding: Pick<Finding, 'id' | 'productArn' | 'counterpart' | 'accountId'>,
  status: WorkflowStatus,
  note: string,
  decisionId?: string,
): WorkflowUpdate[] {
  return refsOf(finding).map((ref) => ({
    ref: { ...ref, accountId: finding.accountId },
    status,
    note: { text: note, updatedBy: 'cspm-bot' },
    ...(decisionId !== undefined && { decisionId }),
  }));
}

/** A ref as a map key: the two copies of a finding may share an id, never a product. */
export function refKey(ref: FindingRef): string {
  return `${ref.productArn}\u0000${ref.id}`;
}

/** "Security Hub CSPM refused it (FindingNotFound: …)": which Security Hub, and its own words. */
export function refusalWords(item: {
  readonly ref: FindingRef;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}): string {
  return `${securityHubNameOf(item.ref)} refused it (${item.errorCode ?? 'unknown'}: ${item.errorMessage ?? 'no message'})`;
}
