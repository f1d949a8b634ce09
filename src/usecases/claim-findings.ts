import { isLeaseExpired, leaseExpiredBefore } from '../domain/action-lease.js';
import type { DecisionKind } from '../domain/decision.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { reconcileFindingUnderClaim } from './reconcile-interrupted-actions.js';
import type { RemediationDeps } from './remediation-deps.js';

/** A finding a wider decision left alone because someone else is acting on it. */
export interface SkippedFinding {
  readonly findingId: string;
  readonly by: string;
  readonly since: string;
}

export type FindingHold =
  | { readonly kind: 'held'; readonly record: FindingRecord; release(): Promise<void> }
  | { readonly kind: 'busy'; readonly skipped: SkippedFinding }
  /** Gone, or no longer what the decision is about (e.g. suppressed meanwhile): nothing to do. */
  | { readonly kind: 'not-applicable' };

/**
 * Take one finding for an action that is part of a wider decision (an acceptance of a whole control, an expiry, a
 * revoke), exactly as a click on that finding would: one action per finding at a time, whatever the scope. The
 * record is re-read under the claim and `stillApplies` decides on it as it is now, not as it was listed.
 */
export async function holdFinding(
  deps: RemediationDeps,
  findingId: string,
  action: { readonly kind: DecisionKind; readonly by: string },
  stillApplies: (record: FindingRecord) => boolean,
): Promise<FindingHold> {
  const before = await deps.findings.get(findingId);
  if (!before) return { kind: 'not-applicable' };
  const now = deps.clock.now();
  const holdId = deps.ids.newId();
  const claim = await deps.findings.claimAction(
    findingId,
    { decisionId: holdId, kind: action.kind, by: action.by, since: now.toISO()! },
    leaseExpiredBefore(now),
  );
  if (!claim.claimed)
    return claim.heldBy
      ? { kind: 'busy', skipped: { findingId, by: claim.heldBy.by, since: claim.heldBy.since } }
      : { kind: 'not-applicable' };
  const release = () => deps.findings.releaseAction(findingId, holdId);
  try {
    if (before.activeAction && isLeaseExpired(before.activeAction.since, now))
      await reconcileFindingUnderClaim(deps, findingId, now, before.activeAction);
    const record = await deps.findings.get(findingId);
    if (record && stillApplies(record)) return { kind: 'held', record, release };
  } catch (error) {
    await release();
    throw error;
  }
  await release();
  return { kind: 'not-applicable' };
}
