import type { Actor } from '../domain/decision.js';
import { actorLabel } from '../domain/decision.js';
import type { Decision } from '../domain/decision.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { applyWorkflowDecision } from './apply-workflow-decision.js';
import type { SkippedFinding } from './claim-findings.js';
import { authorizeUser } from './authorize-user.js';
import { isLeaseExpired, leaseExpiredBefore } from '../domain/action-lease.js';
import { reconcileFindingUnderClaim } from './reconcile-interrupted-actions.js';
import type { RemediationDeps } from './remediation-deps.js';

export type FindingDecisionOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'refused'; readonly whoMay: string }
  | { readonly kind: 'in-progress'; readonly by: string; readonly since: string }
  /** Nothing to do: e.g. already suppressed (by whom), already open. */
  | { readonly kind: 'no-change'; readonly why: string }
  /** `skipped`: findings a wider decision left alone because someone else was acting on them. */
  | {
      readonly kind: 'done';
      readonly decisions: readonly Decision[];
      readonly skipped?: readonly SkippedFinding[];
    }
  | { readonly kind: 'failed'; readonly userMessage: string };

export async function userActor(deps: RemediationDeps, userId: string): Promise<Actor> {
  const name = await deps.users.displayName(userId).catch(() => undefined);
  return { kind: 'user', userId, ...(name && { name }) };
}

/**
 * The common frame of a person's decision on one finding: authorized, one action at a time, and released
 * whatever happens. `act` does the work once the finding is held.
 */
export async function decideOnFinding(
  deps: RemediationDeps,
  input: { findingId: string; userId: string; kind: Decision['kind'] },
  act: (record: FindingRecord, actor: Actor) => Promise<FindingDecisionOutcome>,
): Promise<FindingDecisionOutcome> {
  const record = await deps.findings.get(input.findingId);
  if (!record) return { kind: 'not-found' };
  const authorization = await authorizeUser(deps.users, deps.policy, input.userId);
  if (!authorization.allowed) return { kind: 'refused', whoMay: authorization.whoMay };
  const now = deps.clock.now();
  const holdId = deps.ids.newId();
  const claim = await deps.findings.claimAction(
    input.findingId,
    { decisionId: holdId, kind: input.kind, by: input.userId, since: now.toISO()! },
    leaseExpiredBefore(now),
  );
  if (!claim.claimed)
    return claim.heldBy
      ? { kind: 'in-progress', by: claim.heldBy.by, since: claim.heldBy.since }
      : { kind: 'not-found' };
  try {
    // Took over an action whose run died: settle it from AWS first, then decide on the finding as it is now.
    if (record.activeAction && isLeaseExpired(record.activeAction.since, now))
      await reconcileFindingUnderClaim(deps, record.findingId, now, record.activeAction);
    return await act(
      (await deps.findings.get(input.findingId)) ?? record,
      await userActor(deps, input.userId),
    );
  } finally {
    await deps.findings.releaseAction(input.findingId, holdId);
  }
}

/** Suppress from Slack: SUPPRESSED in Security Hub with the person's note; the message shows who, when, why. */
export async function suppressFinding(
  deps: RemediationDeps,
  input: { findingId: string; userId: string; reason: string; ticketUrl?: string },
): Promise<FindingDecisionOutcome> {
  return decideOnFinding(deps, { ...input, kind: 'suppress' }, async (record, actor) => {
    if (record.finding.workflowStatus === 'SUPPRESSED') {
      return {
        kind: 'no-change',
        why: `Already suppressed${record.suppression ? ` by <@${record.suppression.by}>` : ''}.`,
      };
    }
    if (record.finding.workflowStatus === 'RESOLVED')
      return { kind: 'no-change', why: 'This finding is resolved; nothing to suppress.' };
    const reason = input.ticketUrl ? `${input.reason} (${input.ticketUrl})` : input.reason;
    const result = await applyWorkflowDecision(deps, [record], {
      kind: 'suppress',
      actor,
      what: 'Suppressed',
      status: 'SUPPRESSED',
      note: `Suppressed from Slack by ${actorLabel(actor)}: ${reason}`,
      reason: input.reason,
      suppression: (decisionId) => ({
        kind: 'suppressed',
        decisionId,
        by: input.userId,
        at: deps.clock.now().toISO()!,
        reason: input.reason,
        ...(input.ticketUrl && { ticketUrl: input.ticketUrl }),
      }),
    });
    const failure = result.failed[0];
    return failure
      ? { kind: 'failed', userMessage: failure.userMessage }
      : { kind: 'done', decisions: result.succeeded.map((item) => item.decision) };
  });
}

/** Reopen a suppressed finding: NEW in Security Hub, buttons back. A finding under an acceptance uses Revoke. */
export async function reopenFinding(
  deps: RemediationDeps,
  input: { findingId: string; userId: string },
): Promise<FindingDecisionOutcome> {
  return decideOnFinding(deps, { ...input, kind: 'reopen' }, async (record, actor) => {
    if (record.finding.workflowStatus !== 'SUPPRESSED')
      return { kind: 'no-change', why: 'This finding is not suppressed.' };
    const result = await applyWorkflowDecision(deps, [record], {
      kind: 'reopen',
      actor,
      what: 'Reopened',
      status: 'NEW',
      note: `Reopened from Slack by ${actorLabel(actor)}`,
      suppression: null,
    });
    const failure = result.failed[0];
    return failure
      ? { kind: 'failed', userMessage: failure.userMessage }
      : { kind: 'done', decisions: result.succeeded.map((item) => item.decision) };
  });
}
