import { toAppError } from '../domain/app-error.js';
import { controlSpec } from '../domain/control-catalog.js';
import type { Actor, Decision } from '../domain/decision.js';
import { actorLabel } from '../domain/decision.js';
import type { RemediationPlan } from '../domain/remediation-plan-types.js';
import { planRemediation, verifyRemediation } from '../domain/remediation-plan.js';
import type { Resolution } from '../domain/resolution.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { authorizeUser } from './authorize-user.js';
import { deliverFindingMessage } from './deliver-finding-message.js';
import { planDigest } from './plan-digest.js';
import type { RemediationDeps } from './remediation-deps.js';
import { ACTION_LEASE_MINUTES } from './remediation-deps.js';

export type ExecuteOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'refused'; readonly whoMay: string }
  | { readonly kind: 'in-progress'; readonly by: string; readonly since: string }
  | { readonly kind: 'plan-changed'; readonly words: string }
  | { readonly kind: 'not-open' }
  | { readonly kind: 'not-remediable'; readonly reason: string }
  | { readonly kind: 'already-fixed'; readonly decision: Decision }
  | { readonly kind: 'succeeded'; readonly decision: Decision; readonly warnings: readonly string[] }
  | { readonly kind: 'failed'; readonly decision: Decision; readonly userMessage: string };

export interface ExecuteInput {
  readonly findingId: string;
  readonly actor: Actor;
  /** Digest of the plan the person confirmed; absent for auto-remediation, which runs the plan of the moment. */
  readonly confirmedPlanDigest?: string;
}

function noteFor(actor: Actor, what: string): string {
  return actor.kind === 'user' ? `Remediated from Slack by ${actorLabel(actor)}: ${what}` : `Remediated automatically by cspm-bot (${actor.reason}): ${what}`;
}

/** Set the finding RESOLVED in Security Hub; the fix is real either way, so a refusal is a warning, not a failure. */
async function resolveInSecurityHub(deps: RemediationDeps, record: FindingRecord, text: string): Promise<string[]> {
  try {
    const result = await deps.workflow.updateWorkflow([{ ref: record.finding, status: 'RESOLVED', note: { text, updatedBy: 'cspm-bot' } }]);
    return result.unprocessed.map((item) => `Security Hub did not take the update (${item.errorCode ?? 'unknown'}: ${item.errorMessage ?? 'no message'}); set it to RESOLVED there.`);
  } catch (error) {
    const appError = toAppError(error);
    deps.log.warn('could not resolve the finding in Security Hub', { findingId: record.findingId, error: appError });
    return [`Security Hub was not updated: ${appError.userMessage}`];
  }
}

/** Store the resolution on the finding (retrying a lost race) and bring its message up to date. */
async function storeResolution(deps: RemediationDeps, findingId: string, resolution: Resolution): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const record = await deps.findings.get(findingId);
    if (!record) return;
    const written = await deps.findings.updateFinding({
      record,
      finding: { ...record.finding, workflowStatus: 'RESOLVED' },
      triage: record.triage,
      owesDelivery: true,
      resolution,
      now: deps.clock.now().toISO()!,
    });
    if (written) break;
  }
  await deliverFindingMessage(deps, findingId);
}

async function finish(deps: RemediationDeps, pending: Decision, outcome: Partial<Decision> & Pick<Decision, 'status'>): Promise<Decision> {
  const finishedAt = deps.clock.now();
  const finished: Decision = {
    ...pending,
    ...outcome,
    finishedAt: finishedAt.toISO()!,
    durationMs: Math.max(0, finishedAt.toMillis() - Date.parse(pending.requestedAt)),
  };
  await deps.decisions.complete(finished);
  return finished;
}

/** Nothing to change (fixed meanwhile, or the resource is gone): record it, resolve the finding, say so. */
async function markAlreadyFixed(deps: RemediationDeps, record: FindingRecord, actor: Actor, words: string, decisionId: string): Promise<Decision> {
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
  const warnings = await resolveInSecurityHub(deps, record, `Checked from Slack by ${actorLabel(actor)}: already fixed (${words})`);
  const decision = await finish(deps, pending, { status: 'SUCCEEDED', workflowAfter: 'RESOLVED', ...(warnings.length > 0 && { steps: warnings }) });
  await storeResolution(deps, record.findingId, { decisionId, by: actor, at: decision.finishedAt!, what: decision.what });
  await deps.messenger.notify((await deps.findings.get(record.findingId)) ?? record, { kind: 'already-fixed', decision });
  return decision;
}

async function runPlan(deps: RemediationDeps, record: FindingRecord, plan: RemediationPlan, words: string, input: ExecuteInput, decisionId: string): Promise<ExecuteOutcome> {
  const pending: Decision = {
    decisionId,
    findingId: record.findingId,
    kind: input.actor.kind === 'user' ? 'remediate' : 'auto-remediate',
    status: 'PENDING',
    actor: input.actor,
    requestedAt: deps.clock.now().toISO()!,
    what: words,
    workflowBefore: record.finding.workflowStatus,
  };
  await deps.decisions.record(pending);
  const control = controlSpec(record.finding.controlId)!;
  try {
    const execution = await deps.remediator.execute(plan, { findingId: record.findingId, decisionId });
    const verification = verifyRemediation(plan, control, await deps.stateReader.read(record.finding));
    if (!verification.verified) {
      const userMessage = `The change ran but the resource is not fixed: ${verification.why}. Check it in the console; nothing is retried automatically.`;
      const decision = await finish(deps, pending, { status: 'FAILED', executor: execution.executor, ...(execution.executionId && { executionId: execution.executionId }), steps: execution.steps, error: { code: 'NOT_VERIFIED', message: verification.why } });
      await deps.messenger.notify(record, { kind: 'remediation-failed', decision, userMessage });
      return { kind: 'failed', decision, userMessage };
    }
    const warnings = await resolveInSecurityHub(deps, record, noteFor(input.actor, words));
    const decision = await finish(deps, pending, {
      status: 'SUCCEEDED',
      workflowAfter: 'RESOLVED',
      executor: execution.executor,
      ...(execution.executionId && { executionId: execution.executionId }),
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
    await deps.messenger.notify((await deps.findings.get(record.findingId)) ?? record, { kind: 'remediated', decision });
    return { kind: 'succeeded', decision, warnings };
  } catch (error) {
    const appError = toAppError(error);
    deps.log.error('remediation failed', { findingId: record.findingId, decisionId, error: appError });
    const decision = await finish(deps, pending, { status: 'FAILED', error: { code: appError.code, message: appError.message } });
    await deps.messenger.notify(record, { kind: 'remediation-failed', decision, userMessage: appError.userMessage });
    return { kind: 'failed', decision, userMessage: appError.userMessage };
  }
}

/**
 * Remediate one finding: one action per finding at a time (a double click, a Slack retry or a second user is told
 * who is running it), the plan rebuilt from current AWS state and compared with what the person confirmed, the
 * decision written PENDING before acting and SUCCEEDED/FAILED after, the result verified by reading AWS again.
 * A failure is reported and never retried automatically.
 */
export async function executeRemediation(deps: RemediationDeps, input: ExecuteInput): Promise<ExecuteOutcome> {
  const record = await deps.findings.get(input.findingId);
  if (!record) return { kind: 'not-found' };
  if (input.actor.kind === 'user') {
    const authorization = await authorizeUser(deps.users, deps.policy, input.actor.userId);
    if (!authorization.allowed) return { kind: 'refused', whoMay: authorization.whoMay };
  }
  // A second confirmation arriving after the first one finished: nothing left to do.
  if (record.finding.workflowStatus === 'RESOLVED' || record.finding.workflowStatus === 'SUPPRESSED') return { kind: 'not-open' };
  const control = controlSpec(record.finding.controlId);
  if (!control) return { kind: 'not-remediable', reason: `The bot has no runbook for ${record.finding.controlId ?? 'this finding'}.` };

  const now = deps.clock.now();
  const decisionId = deps.ids.newId();
  const claim = await deps.findings.claimAction(
    input.findingId,
    { decisionId, kind: 'remediate', by: input.actor.kind === 'user' ? input.actor.userId : 'cspm-bot', since: now.toISO()! },
    now.minus({ minutes: ACTION_LEASE_MINUTES }).toISO()!,
  );
  if (!claim.claimed) return claim.heldBy ? { kind: 'in-progress', by: claim.heldBy.by, since: claim.heldBy.since } : { kind: 'not-found' };
  try {
    const outcome = planRemediation(record.finding, control, await deps.stateReader.read(record.finding), deps.planOptions);
    switch (outcome.kind) {
      case 'not-remediable':
        return outcome;
      case 'already-fixed':
        return { kind: 'already-fixed', decision: await markAlreadyFixed(deps, record, input.actor, outcome.words, decisionId) };
      case 'plan':
        if (input.confirmedPlanDigest && input.confirmedPlanDigest !== planDigest(outcome.plan)) return { kind: 'plan-changed', words: outcome.words };
        return await runPlan(deps, record, outcome.plan, outcome.words, input, decisionId);
    }
  } finally {
    await deps.findings.releaseAction(input.findingId, decisionId);
  }
}
