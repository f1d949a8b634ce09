import type { DateTime } from 'luxon';
import { leaseExpiredBefore } from '../domain/action-lease.js';
import { toAppError } from '../domain/app-error.js';
import { controlSpec } from '../domain/control-catalog.js';
import type { Decision } from '../domain/decision.js';
import { actorLabel } from '../domain/decision.js';
import type { ReconciledOutcome } from '../domain/finding-notice.js';
import { planRemediation, verifyRemediation } from '../domain/remediation-plan.js';
import type { RemediationPlan } from '../domain/remediation-plan-types.js';
import { DecisionAlreadyFinishedError } from '../store/decision-repository.js';
import type { ActiveAction, FindingRecord } from '../store/finding-repository.js';
import { planDigest } from './plan-digest.js';
import type { RemediationDeps } from './remediation-deps.js';
import { resolveInSecurityHub, storeResolution } from './resolve-finding.js';
import { tellInThread } from './thread-notice.js';
import { settleAccountFix } from './settle-account-fix.js';
import { countDecision } from './bot-metrics.js';

export interface ReconciledDecision {
  readonly decision: Decision;
  readonly outcome: ReconciledOutcome;
}

export interface Settlement {
  readonly outcome: ReconciledOutcome;
  readonly completion: Partial<Decision> & Pick<Decision, 'status'>;
  /** What the thread is told. */
  readonly detail: string;
  /** Done, but Security Hub's check would still fail: the finding is not resolved. */
  readonly staysOpen?: true;
}

const REMEDIATIONS = new Set<Decision['kind']>(['remediate', 'auto-remediate']);

/** A new plan never carries the dialog's opt-in (the instance refresh): compare it as the person had chosen. */
function asChosen(replanned: RemediationPlan, pending: RemediationPlan): RemediationPlan {
  return replanned.kind === 'migrate-launch-configuration' && pending.kind === replanned.kind
    ? { ...replanned, startInstanceRefresh: pending.startInstanceRefresh }
    : replanned;
}

/**
 * An interrupted remediation is settled from the resource as AWS shows it now, never by running the plan again:
 * the change is there (SUCCEEDED), the plan would still make the very same change (nothing happened: FAILED), or
 * anything else (OUTCOME_UNKNOWN: a person looks).
 */
async function settleRemediation(
  deps: RemediationDeps,
  record: FindingRecord,
  pending: Decision,
): Promise<Settlement> {
  const control = controlSpec(record.finding.controlId);
  const unknown = (seen: string): Settlement => ({
    outcome: 'unknown',
    completion: { status: 'FAILED', error: { code: 'OUTCOME_UNKNOWN', message: seen } },
    detail: `The bot cannot tell whether the change was made: ${seen}. Check the resource in the AWS console, then use the buttons.`,
  });
  if (!pending.plan || !control) return unknown('the interrupted run left no plan to check against');
  let current;
  try {
    current = await deps.stateReader.read(record.finding);
  } catch (error) {
    return unknown(`reading it back failed (${toAppError(error).userMessage})`);
  }
  const verification = verifyRemediation(pending.plan, control, current);
  if (verification.verified && verification.stillFails !== undefined) {
    return {
      outcome: 'done',
      staysOpen: true,
      completion: {
        status: 'SUCCEEDED',
        workflowAfter: record.finding.workflowStatus,
        steps: ['Confirmed after an interruption: AWS shows the change in place.'],
      },
      detail: `AWS shows the change in place, but Security Hub will still fail it (${verification.stillFails}); the finding stays open.`,
    };
  }
  if (verification.verified) {
    return {
      outcome: 'done',
      completion: {
        status: 'SUCCEEDED',
        workflowAfter: 'RESOLVED',
        steps: ['Confirmed after an interruption: AWS shows the change in place.'],
      },
      detail: 'AWS shows the change in place; the finding is marked resolved.',
    };
  }
  const replanned = planRemediation(record.finding, control, current, deps.planOptions);
  if (
    replanned.kind === 'plan' &&
    planDigest(asChosen(replanned.plan, pending.plan)) === planDigest(pending.plan)
  ) {
    return {
      outcome: 'not-done',
      completion: {
        status: 'FAILED',
        error: {
          code: 'INTERRUPTED',
          message: 'interrupted before AWS changed anything; the resource is as it was',
        },
      },
      detail: 'The run stopped before AWS changed anything: the resource is as it was.',
    };
  }
  const now =
    replanned.kind === 'plan'
      ? `a new plan would ${replanned.words.charAt(0).toLowerCase()}${replanned.words.slice(1)}`
      : replanned.kind === 'already-fixed'
        ? replanned.words
        : replanned.reason;
  return unknown(`${verification.why}; ${now}`);
}

/** "Nothing to change" interrupted: the resource decides, and resolving it again in Security Hub is harmless. */
async function settleMarkFixed(deps: RemediationDeps, record: FindingRecord): Promise<Settlement> {
  const control = controlSpec(record.finding.controlId);
  const current = control ? await deps.stateReader.read(record.finding).catch(() => undefined) : undefined;
  if (
    control &&
    current &&
    planRemediation(record.finding, control, current, deps.planOptions).kind === 'already-fixed'
  ) {
    return {
      outcome: 'done',
      completion: { status: 'SUCCEEDED', workflowAfter: 'RESOLVED' },
      detail: 'AWS still shows nothing to change; the finding is marked resolved.',
    };
  }
  return {
    outcome: 'not-done',
    completion: {
      status: 'FAILED',
      error: { code: 'INTERRUPTED', message: 'interrupted; the resource needs a change after all' },
    },
    detail: 'The check was interrupted and AWS no longer shows it fixed; use the buttons.',
  };
}

/**
 * Suppress, accept, reopen, revoke, expire: Security Hub is not readable through a port here, and re-sending a
 * decision minutes or days later could undo a newer one (an acceptance may have ended meanwhile). So it is
 * recorded as interrupted and the person is asked to check; the next sync brings Security Hub's status here.
 */
function settleWorkflow(): Settlement {
  return {
    outcome: 'unknown',
    completion: {
      status: 'FAILED',
      error: {
        code: 'INTERRUPTED',
        message: "interrupted before Security Hub's answer was recorded; check Security Hub",
      },
    },
    detail:
      "It was interrupted before Security Hub's answer was recorded. Check the finding's workflow status in Security Hub (the next sync shows it here) and act again if needed.",
  };
}

/** Settle one interrupted decision; the caller holds the finding. Undefined when someone settled it first. */
async function reconcileDecision(
  deps: RemediationDeps,
  pending: Decision,
): Promise<ReconciledDecision | undefined> {
  const record = await deps.findings.get(pending.findingId);
  const settlement = !record
    ? settleWorkflow()
    : REMEDIATIONS.has(pending.kind)
      ? await settleRemediation(deps, record, pending)
      : pending.kind === 'account-fix'
        ? await settleAccountFix(deps, record, pending)
        : pending.kind === 'mark-fixed'
          ? await settleMarkFixed(deps, record)
          : settleWorkflow();
  const finishedAt = deps.clock.now();
  const decision: Decision = { ...pending, ...settlement.completion, finishedAt: finishedAt.toISO()! };
  try {
    await deps.decisions.complete(decision);
  } catch (error) {
    if (error instanceof DecisionAlreadyFinishedError) return undefined;
    throw error;
  }
  countDecision(deps.metrics, decision);
  deps.log.warn('interrupted action reconciled', {
    findingId: pending.findingId,
    decisionId: pending.decisionId,
    kind: pending.kind,
    outcome: settlement.outcome,
  });
  if (!record) return { decision, outcome: settlement.outcome };
  if (settlement.outcome === 'done' && !settlement.staysOpen) {
    const words =
      pending.kind === 'mark-fixed'
        ? pending.what
        : `Remediated (confirmed after an interruption) by ${actorLabel(pending.actor)}: ${pending.what}`;
    const warnings = await resolveInSecurityHub(deps, record, words);
    await storeResolution(deps, record.findingId, {
      decisionId: pending.decisionId,
      by: pending.actor,
      at: decision.finishedAt!,
      what: pending.what,
      ...(pending.executor && { executor: pending.executor }),
    });
    if (warnings.length > 0)
      deps.log.warn('Security Hub not resolved after reconciliation', {
        findingId: record.findingId,
        warnings,
      });
  }
  // A finding never posted (held under an acceptance at ingest) has no thread to tell; the log has it.
  if (record.messageTs)
    await tellInThread(deps, record, {
      kind: 'action-reconciled',
      decision,
      outcome: settlement.outcome,
      detail: settlement.detail,
    });
  return { decision, outcome: settlement.outcome };
}

/**
 * Settle the PENDING decisions of one finding that outlived the action lease. The caller holds the finding (it
 * just took over the expired action), so nothing else acts on it meanwhile.
 */
export async function reconcileFindingUnderClaim(
  deps: RemediationDeps,
  findingId: string,
  now: DateTime,
  staleAction?: ActiveAction,
): Promise<ReconciledDecision[]> {
  const staleBefore = leaseExpiredBefore(now);
  // The taken-over action's own decision counts too, even if it was written a moment after its lease began.
  const interrupted = (await deps.decisions.ofFinding(findingId)).filter(
    (decision) =>
      decision.status === 'PENDING' &&
      (decision.requestedAt < staleBefore || decision.decisionId === staleAction?.decisionId),
  );
  const settled: ReconciledDecision[] = [];
  for (const pending of interrupted) {
    const result = await reconcileDecision(deps, pending);
    if (result) settled.push(result);
  }
  return settled;
}

/**
 * A click on a finding whose action lease expired: take the action over, settle what was interrupted, let go.
 * Returns false when someone else holds the finding now (a live action).
 */
export async function reconcileFinding(
  deps: RemediationDeps,
  findingId: string,
): Promise<{ readonly claimed: boolean; readonly settled: readonly ReconciledDecision[] }> {
  const now = deps.clock.now();
  const stale = (await deps.findings.get(findingId))?.activeAction;
  const holdId = deps.ids.newId();
  const claim = await deps.findings.claimAction(
    findingId,
    { decisionId: holdId, kind: 'remediate', by: 'cspm-bot', since: now.toISO()! },
    leaseExpiredBefore(now),
  );
  if (!claim.claimed) return { claimed: false, settled: [] };
  try {
    return { claimed: true, settled: await reconcileFindingUnderClaim(deps, findingId, now, stale) };
  } finally {
    await deps.findings.releaseAction(findingId, holdId);
  }
}

export interface ReconcileReport {
  readonly reconciled: number;
  /** Findings held by a live action now: their old PENDING decisions are settled by a later run. */
  readonly busy: number;
}

/**
 * Scheduled with the sweeper: every decision still PENDING after the action lease was interrupted (process killed,
 * Lambda timeout). Each is settled under the finding's claim and told in the finding's thread.
 */
export async function reconcileInterruptedActions(deps: RemediationDeps): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const interrupted = await deps.decisions.pendingRequestedBefore(leaseExpiredBefore(now));
  const findingIds = [...new Set(interrupted.map((decision) => decision.findingId))];
  let reconciled = 0;
  let busy = 0;
  for (const findingId of findingIds) {
    try {
      const { claimed, settled } = await reconcileFinding(deps, findingId);
      if (!claimed && (await deps.findings.get(findingId))) busy += 1;
      else if (!claimed)
        reconciled += (
          await settleOrphans(
            deps,
            interrupted.filter((decision) => decision.findingId === findingId),
          )
        ).length;
      reconciled += settled.length;
    } catch (error) {
      deps.log.error('could not reconcile an interrupted action; retried next run', {
        findingId,
        error: toAppError(error),
      });
    }
  }
  return { reconciled, busy };
}

/** Decisions of a finding the bot no longer stores: nothing to hold or tell, only the record to close. */
async function settleOrphans(
  deps: RemediationDeps,
  decisions: readonly Decision[],
): Promise<ReconciledDecision[]> {
  const settled: ReconciledDecision[] = [];
  for (const pending of decisions) {
    const result = await reconcileDecision(deps, pending);
    if (result) settled.push(result);
  }
  return settled;
}
