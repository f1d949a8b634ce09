import { isLeaseExpired, leaseExpiredBefore } from '../domain/action-lease.js';
import type { AppError } from '../domain/app-error.js';
import { toAppError } from '../domain/app-error.js';
import type { ControlSpec } from '../domain/control-catalog.js';
import { controlSpecFor } from '../domain/control-catalog.js';
import type { Actor, Decision } from '../domain/decision.js';
import { actorLabel } from '../domain/decision.js';
import type { RemediationExecution, RemediationPlan } from '../domain/remediation-plan-types.js';
import { planRemediation, verifyRemediation } from '../domain/remediation-plan.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { remediateAccountFix } from './account-fix.js';
import { authorizeUser } from './authorize-user.js';
import { completeDecision } from './decision-completion.js';
import { planDigest } from './plan-digest.js';
import { reconcileFindingUnderClaim } from './reconcile-interrupted-actions.js';
import { replanAfterRuleGone } from './replan-after-rule-gone.js';
import type { RemediationDeps } from './remediation-deps.js';
import { resolveInSecurityHub, storeResolution } from './resolve-finding.js';
import { tellInThread } from './thread-notice.js';

export type ExecuteOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'refused'; readonly whoMay: string }
  | { readonly kind: 'in-progress'; readonly by: string; readonly since: string }
  /** The same confirmation delivered again (a retried job): it ran, or was refused, the first time. */
  | { readonly kind: 'confirmation-used' }
  | { readonly kind: 'plan-changed'; readonly words: string }
  | { readonly kind: 'not-open' }
  | { readonly kind: 'not-remediable'; readonly reason: string }
  | { readonly kind: 'already-fixed'; readonly decision: Decision }
  /** The account-wide fix is already in place; nothing was changed and the finding stays as it is. */
  | { readonly kind: 'in-place'; readonly words: string }
  | { readonly kind: 'succeeded'; readonly decision: Decision; readonly warnings: readonly string[] }
  | { readonly kind: 'failed'; readonly decision: Decision; readonly userMessage: string };

export interface ExecuteInput {
  readonly findingId: string;
  readonly actor: Actor;
  /** Digest of the plan the person confirmed; absent for auto-remediation, which runs the plan of the moment. */
  readonly confirmedPlanDigest?: string;
  /** The confirmation (the modal's view id): one confirmation runs at most once. */
  readonly confirmationId?: string;
  /** The security group id the person confirmed in the dialog (EC2.2 on a group that network interfaces use). */
  readonly confirmedGroupId?: string;
  /** The control's account-wide fix instead of its remediation (EC2.8/EC2.170: IMDS defaults); a person only. */
  readonly accountFix?: boolean;
  /** The person ticked "start an instance refresh" (launch configuration migrations only; never automatic). */
  readonly startInstanceRefresh?: boolean;
}

function noteFor(actor: Actor, what: string): string {
  return actor.kind === 'user'
    ? `Remediated from Slack by ${actorLabel(actor)}: ${what}`
    : `Remediated automatically by cspm-bot (${actor.reason}): ${what}`;
}

function kindFor(input: Pick<ExecuteInput, 'actor' | 'accountFix'>): Decision['kind'] {
  if (input.accountFix) return 'account-fix';
  return input.actor.kind === 'user' ? 'remediate' : 'auto-remediate';
}

/** Nothing to change (fixed meanwhile, or the resource is gone): record it, resolve the finding, say so. */
async function markAlreadyFixed(
  deps: RemediationDeps,
  record: FindingRecord,
  actor: Actor,
  words: string,
  decisionId: string,
): Promise<Decision> {
  const pending: Decision = {
    decisionId,
    findingId: record.findingId,
    kind: 'mark-fixed',
    status: 'PENDING',
    actor,
    requestedAt: deps.clock.now().toISO()!,
    what: `Already fixed: ${words}`,
    workflowBefore: record.finding.workflowStatus,
  };
  await deps.decisions.record(pending);
  const warnings = await resolveInSecurityHub(
    deps,
    record,
    `Checked from Slack by ${actorLabel(actor)}: already fixed (${words})`,
  );
  const { decision } = await completeDecision(deps, pending, {
    status: 'SUCCEEDED',
    workflowAfter: 'RESOLVED',
    ...(warnings.length > 0 && { steps: warnings }),
  });
  await storeResolution(deps, record.findingId, {
    decisionId,
    by: actor,
    at: decision.finishedAt!,
    what: decision.what,
  });
  await tellInThread(deps, record, { kind: 'already-fixed', decision });
  return decision;
}

/** What AWS did: only the execution and the read-back decide SUCCEEDED or FAILED. */
type AwsResult =
  | { readonly ok: true; readonly execution: RemediationExecution; readonly stillFails?: string }
  | {
      readonly ok: false;
      readonly execution?: RemediationExecution;
      readonly error: { code: string; message: string };
      readonly userMessage: string;
    };

async function changeAndVerify(
  deps: RemediationDeps,
  record: FindingRecord,
  control: ControlSpec,
  plan: RemediationPlan,
  decisionId: string,
  actor: Actor,
): Promise<AwsResult> {
  let execution: RemediationExecution;
  try {
    execution = await deps.remediator.execute(plan, {
      findingId: record.findingId,
      decisionId,
      ...(actor.kind === 'user' && { slackUserId: actor.userId }),
    });
  } catch (error) {
    const appError = toAppError(error);
    deps.log.error('remediation failed', { findingId: record.findingId, decisionId, error: appError });
    const replanned = await replanAfterRuleGone(deps, record, control, appError);
    if (replanned.kind === 'fixed') return { ok: true, execution: replanned.execution };
    if (replanned.kind === 'still-open')
      return { ok: false, error: replanned.error, userMessage: replanned.userMessage };
    return {
      ok: false,
      error: { code: appError.code, message: appError.message },
      userMessage: appError.userMessage,
    };
  }
  let verification: ReturnType<typeof verifyRemediation>;
  try {
    verification = verifyRemediation(plan, control, await deps.stateReader.read(record.finding));
  } catch (error) {
    const appError = toAppError(error);
    const why = `the change ran but reading the resource back failed (${appError.userMessage})`;
    return {
      ok: false,
      execution,
      error: { code: 'NOT_VERIFIED', message: why },
      userMessage: `${why}. Check it in the console; nothing is retried automatically.`,
    };
  }
  if (!verification.verified) {
    return {
      ok: false,
      execution,
      error: { code: 'NOT_VERIFIED', message: verification.why },
      userMessage: `The change ran but the resource is not fixed: ${verification.why}. Check it in the console; nothing is retried automatically.`,
    };
  }
  return {
    ok: true,
    execution,
    ...(verification.stillFails !== undefined && { stillFails: verification.stillFails }),
  };
}

function executionFields(execution: RemediationExecution | undefined): Partial<Decision> {
  if (!execution) return {};
  return {
    executor: execution.executor,
    ...(execution.executionId && { executionId: execution.executionId }),
    steps: execution.steps,
  };
}

async function runPlan(
  deps: RemediationDeps,
  record: FindingRecord,
  control: ControlSpec,
  plan: RemediationPlan,
  words: string,
  input: ExecuteInput,
  decisionId: string,
): Promise<ExecuteOutcome> {
  const pending: Decision = {
    decisionId,
    findingId: record.findingId,
    kind: kindFor(input),
    status: 'PENDING',
    actor: input.actor,
    requestedAt: deps.clock.now().toISO()!,
    what: words,
    workflowBefore: record.finding.workflowStatus,
    // Kept so an interrupted run is checked against AWS by the reconciler, never run again.
    plan,
  };
  await deps.decisions.record(pending);
  const result = await changeAndVerify(deps, record, control, plan, decisionId, input.actor);
  if (!result.ok) {
    const { decision } = await completeDecision(deps, pending, {
      status: 'FAILED',
      ...executionFields(result.execution),
      error: result.error,
    });
    await tellInThread(deps, record, {
      kind: 'remediation-failed',
      decision,
      userMessage: result.userMessage,
    });
    return { kind: 'failed', decision, userMessage: result.userMessage };
  }
  const { execution } = result;
  if (result.stillFails !== undefined) {
    // Done as planned, but Security Hub's check would still fail: never RESOLVED, the finding stays open.
    const { decision } = await completeDecision(deps, pending, {
      status: 'SUCCEEDED',
      workflowAfter: record.finding.workflowStatus,
      ...executionFields(execution),
    });
    await tellInThread(deps, record, { kind: 'mitigated', decision, stillFails: result.stillFails });
    return { kind: 'succeeded', decision, warnings: [] };
  }
  // From here on the change is made: recording and telling it may warn, never turn it into a failure.
  const warnings = await resolveInSecurityHub(deps, record, noteFor(input.actor, words));
  const { decision } = await completeDecision(deps, pending, {
    status: 'SUCCEEDED',
    workflowAfter: 'RESOLVED',
    ...executionFields(execution),
    steps: [...execution.steps, ...warnings],
  });
  await storeResolution(deps, record.findingId, {
    decisionId,
    by: input.actor,
    at: decision.finishedAt!,
    what: words,
    executor: execution.executor,
    ...(execution.executionId && { executionId: execution.executionId }),
    ...(decision.durationMs !== undefined && { durationMs: decision.durationMs }),
  });
  await tellInThread(deps, record, { kind: 'remediated', decision });
  return { kind: 'succeeded', decision, warnings };
}

/**
 * A fault before any plan ran (STS refused the member role, the resource could not be read, …): the person still
 * gets a FAILED decision with the reason and a thread reply, like any other failure.
 */
async function recordFaultBeforePlan(
  deps: RemediationDeps,
  record: FindingRecord,
  input: ExecuteInput,
  decisionId: string,
  appError: AppError,
): Promise<ExecuteOutcome> {
  deps.log.error('remediation failed before a plan ran', {
    findingId: record.findingId,
    decisionId,
    error: appError,
  });
  const at = deps.clock.now().toISO()!;
  const { resource } = record.finding;
  const decision: Decision = {
    decisionId,
    findingId: record.findingId,
    kind: kindFor(input),
    status: 'FAILED',
    actor: input.actor,
    requestedAt: at,
    finishedAt: at,
    durationMs: 0,
    what: input.accountFix
      ? `Require IMDSv2 in the account defaults of ${record.finding.accountId}/${resource.region || record.finding.region}`
      : `Remediate ${record.finding.controlId ?? 'the finding'} on ${resource.shortId} in ${record.finding.accountId}/${record.finding.region}`,
    workflowBefore: record.finding.workflowStatus,
    error: { code: appError.code, message: appError.message },
  };
  try {
    await deps.decisions.record(decision);
  } catch (error) {
    deps.log.error('failed remediation not recorded', {
      findingId: record.findingId,
      decisionId,
      error: toAppError(error),
    });
  }
  await tellInThread(deps, record, {
    kind: 'remediation-failed',
    decision,
    userMessage: appError.userMessage,
  });
  return { kind: 'failed', decision, userMessage: appError.userMessage };
}

/**
 * The plan as confirmed: the dialog's opt-in (an instance refresh after a migration) is applied after the digest
 * check, so the confirmed plan is the one shown, and only for a person (auto-remediation never chooses it).
 */
function withChoices(plan: RemediationPlan, input: ExecuteInput): RemediationPlan {
  if (plan.kind !== 'migrate-launch-configuration') return plan;
  const chosen = input.startInstanceRefresh === true && input.actor.kind === 'user';
  return chosen ? { ...plan, startInstanceRefresh: true } : plan;
}

/** Under the claim: read AWS now, plan, compare with what was confirmed, and run. */
async function remediateHeld(
  deps: RemediationDeps,
  record: FindingRecord,
  control: ControlSpec,
  input: ExecuteInput,
  decisionId: string,
): Promise<ExecuteOutcome> {
  if (input.accountFix) return remediateAccountFix(deps, record, control, input, decisionId);
  // Auto-remediation never lowers a hop limit.
  const options = { ...deps.planOptions, automatic: input.actor.kind !== 'user' };
  const outcome = planRemediation(
    record.finding,
    control,
    await deps.stateReader.read(record.finding),
    options,
  );
  switch (outcome.kind) {
    case 'not-remediable':
      return outcome;
    case 'already-fixed':
      return {
        kind: 'already-fixed',
        decision: await markAlreadyFixed(deps, record, input.actor, outcome.words, decisionId),
      };
    case 'plan':
      if (input.confirmedPlanDigest && input.confirmedPlanDigest !== planDigest(outcome.plan))
        return { kind: 'plan-changed', words: outcome.words };
      // A plan that needs an explicit confirmation (EC2.2 on a group in use) never runs without it, nor automatically.
      if (outcome.confirmation && input.confirmedGroupId !== outcome.confirmation.groupId) {
        return { kind: 'not-remediable', reason: `Not run: ${outcome.confirmation.words}` };
      }
      return runPlan(
        deps,
        record,
        control,
        withChoices(outcome.plan, input),
        outcome.words,
        input,
        decisionId,
      );
  }
}

/**
 * Remediate one finding: one action per finding at a time (a double click, a Slack retry or a second user is told
 * who is running it), one run per confirmation, the plan rebuilt from current AWS state and compared with what the
 * person confirmed, the decision written PENDING (with its plan) before acting and SUCCEEDED/FAILED after, the
 * result verified by reading AWS again. A failure is reported and never retried automatically; an action left by
 * a run that died is settled from AWS first (see reconcile-interrupted-actions).
 */
export async function executeRemediation(
  deps: RemediationDeps,
  input: ExecuteInput,
): Promise<ExecuteOutcome> {
  const record = await deps.findings.get(input.findingId);
  if (!record) return { kind: 'not-found' };
  if (input.actor.kind === 'user') {
    const authorization = await authorizeUser(deps.users, deps.policy, input.actor.userId);
    if (!authorization.allowed) return { kind: 'refused', whoMay: authorization.whoMay };
  }
  const now = deps.clock.now();
  const decisionId = deps.ids.newId();
  // Every later line of this remediation names its decision.
  if (deps.log.withKeys) deps = { ...deps, log: deps.log.withKeys({ decisionId }) };
  if (
    input.confirmationId &&
    !(await deps.decisions.useConfirmation({
      findingId: record.findingId,
      confirmationId: input.confirmationId,
      decisionId,
      usedAt: now.toISO()!,
    }))
  ) {
    return { kind: 'confirmation-used' };
  }
  // A second confirmation arriving after the first one finished: nothing left to do.
  if (record.finding.workflowStatus === 'RESOLVED' || record.finding.workflowStatus === 'SUPPRESSED')
    return { kind: 'not-open' };
  // With the finding's parameters (EC2.18's authorized ports): the plan and the read-back judge what triage judged.
  const control = controlSpecFor(record.finding);
  if (!control)
    return {
      kind: 'not-remediable',
      reason: `The bot has no runbook for ${record.finding.controlId ?? 'this finding'}.`,
    };

  const claim = await deps.findings.claimAction(
    record.findingId,
    {
      decisionId,
      kind: kindFor(input),
      by: input.actor.kind === 'user' ? input.actor.userId : 'cspm-bot',
      since: now.toISO()!,
    },
    leaseExpiredBefore(now),
  );
  if (!claim.claimed)
    return claim.heldBy
      ? { kind: 'in-progress', by: claim.heldBy.by, since: claim.heldBy.since }
      : { kind: 'not-found' };
  try {
    let held = record;
    if (record.activeAction && isLeaseExpired(record.activeAction.since, now)) {
      // We took over an action whose run died: settle it from AWS before anything else (it may have fixed this).
      await reconcileFindingUnderClaim(deps, record.findingId, now, record.activeAction);
      held = (await deps.findings.get(record.findingId)) ?? record;
      if (held.finding.workflowStatus === 'RESOLVED' || held.finding.workflowStatus === 'SUPPRESSED')
        return { kind: 'not-open' };
    }
    try {
      return await remediateHeld(deps, held, control, input, decisionId);
    } catch (error) {
      // Faults inside runPlan are handled there; what lands here happened before any PENDING decision.
      return await recordFaultBeforePlan(deps, held, input, decisionId, toAppError(error));
    }
  } finally {
    await deps.findings.releaseAction(record.findingId, decisionId);
  }
}
