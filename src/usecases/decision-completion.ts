import { toAppError } from '../domain/app-error.js';
import type { Decision } from '../domain/decision.js';
import { countDecision } from './bot-metrics.js';
import type { RemediationDeps } from './remediation-deps.js';

/**
 * PENDING → SUCCEEDED/FAILED as the action turned out. The repository outlasts throttling; if the write still
 * fails, the decision stays PENDING (listed as interrupted) and the reconciler settles it from AWS later — the
 * action's outcome is not turned into a failure because the audit table was busy.
 */
export async function completeDecision(
  deps: Pick<RemediationDeps, 'decisions' | 'clock' | 'log' | 'metrics'>,
  pending: Decision,
  outcome: Partial<Decision> & Pick<Decision, 'status'>,
): Promise<{ readonly decision: Decision; readonly recorded: boolean }> {
  const finishedAt = deps.clock.now();
  const decision: Decision = {
    ...pending,
    ...outcome,
    finishedAt: finishedAt.toISO()!,
    durationMs: Math.max(0, finishedAt.toMillis() - Date.parse(pending.requestedAt)),
  };
  // Counted whether or not the audit write succeeds: the action itself did turn out this way.
  countDecision(deps.metrics, decision);
  try {
    await deps.decisions.complete(decision);
    return { decision, recorded: true };
  } catch (error) {
    deps.log.error('decision outcome not recorded; it stays PENDING until the reconciler settles it', {
      findingId: pending.findingId,
      decisionId: pending.decisionId,
      status: decision.status,
      error: toAppError(error),
    });
    return { decision, recorded: false };
  }
}
