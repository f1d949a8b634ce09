import type { AccountFixOutcome } from '../domain/account-imds-defaults.js';
import { isLeaseExpired } from '../domain/action-lease.js';
import { controlSpec } from '../domain/control-catalog.js';
import type { PlanOutcome } from '../domain/remediation-plan.js';
import { planRemediation } from '../domain/remediation-plan.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { planAccountFix } from './account-fix.js';
import { authorizeUser } from './authorize-user.js';
import { reconcileFinding } from './reconcile-interrupted-actions.js';
import type { RemediationDeps } from './remediation-deps.js';

export type PrepareOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'refused'; readonly whoMay: string }
  | { readonly kind: 'in-progress'; readonly by: string; readonly since: string }
  | { readonly kind: 'not-open'; readonly record: FindingRecord }
  | (PlanOutcome & { readonly record: FindingRecord })
  /** The account-wide fix (`accountFix`): its plan, already in place, or refused. */
  | (AccountFixOutcome & { readonly record: FindingRecord });

/**
 * After a Remediate click: who may, is anything running, and what would change — read from AWS now. Nothing is
 * changed here; the person confirms the plan first. An action whose lease expired is reconciled, not waited for.
 */
export async function prepareRemediation(
  deps: RemediationDeps,
  input: { findingId: string; userId: string; accountFix?: boolean },
): Promise<PrepareOutcome> {
  let record = await deps.findings.get(input.findingId);
  if (!record) return { kind: 'not-found' };
  const authorization = await authorizeUser(deps.users, deps.policy, input.userId);
  if (!authorization.allowed) return { kind: 'refused', whoMay: authorization.whoMay };
  if (record.activeAction && isLeaseExpired(record.activeAction.since, deps.clock.now())) {
    // The run holding it died: settle what it left from AWS (told in the thread), then plan from AWS as it is.
    await reconcileFinding(deps, record.findingId);
    record = (await deps.findings.get(input.findingId)) ?? record;
  }
  if (record.activeAction)
    return { kind: 'in-progress', by: record.activeAction.by, since: record.activeAction.since };
  if (record.finding.workflowStatus === 'RESOLVED' || record.finding.workflowStatus === 'SUPPRESSED')
    return { kind: 'not-open', record };
  const control = controlSpec(record.finding.controlId);
  if (!control)
    return {
      kind: 'not-remediable',
      reason: `The bot has no runbook for ${record.finding.controlId ?? 'this finding'}.`,
      record,
    };
  if (input.accountFix)
    return { ...(await planAccountFix(deps, record.finding, control, deps.planOptions)), record };
  const current = await deps.stateReader.read(record.finding);
  return { ...planRemediation(record.finding, control, current, deps.planOptions), record };
}
