import type { AccountDefaultsPlan, AccountFixOutcome } from '../domain/account-imds-defaults.js';
import { planAccountImdsDefaults, verifyAccountImdsDefaults } from '../domain/account-imds-defaults.js';
import { toAppError } from '../domain/app-error.js';
import type { ControlSpec } from '../domain/control-catalog.js';
import type { Decision } from '../domain/decision.js';
import type { Finding } from '../domain/finding.js';
import type { PlanOptions } from '../domain/remediation-plan.js';
import type { RemediationExecution } from '../domain/remediation-plan-types.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { completeDecision } from './decision-completion.js';
import type { ExecuteInput, ExecuteOutcome } from './execute-remediation.js';
import { planDigest } from './plan-digest.js';
import type { RemediationDeps } from './remediation-deps.js';
import { tellInThread } from './thread-notice.js';

/**
 * The control's account-wide fix (EC2.8/EC2.170: the Region's IMDS defaults), planned from the defaults read now.
 * Refused in words when the control offers none or the defaults cannot be read here.
 */
export async function planAccountFix(
  deps: Pick<RemediationDeps, 'accountDefaults'>,
  finding: Finding,
  control: ControlSpec,
  options: PlanOptions,
): Promise<AccountFixOutcome> {
  if (control.accountFix !== 'require-imdsv2-account-defaults')
    return { kind: 'not-remediable', reason: `${control.id} offers no account-wide fix.` };
  if (!deps.accountDefaults)
    return {
      kind: 'not-remediable',
      reason: 'This bot cannot read account IMDS defaults (not connected to AWS here); nothing was changed.',
    };
  const defaults = await deps.accountDefaults.readImdsDefaults({
    accountId: finding.accountId,
    region: finding.resource.region || finding.region,
  });
  return planAccountImdsDefaults(finding, control, defaults, options);
}

type AccountFixResult =
  | { readonly ok: true; readonly execution: RemediationExecution }
  | {
      readonly ok: false;
      readonly execution?: RemediationExecution;
      readonly error: { code: string; message: string };
      readonly userMessage: string;
    };

async function changeAndReadBack(
  deps: RemediationDeps,
  record: FindingRecord,
  plan: AccountDefaultsPlan,
  decisionId: string,
  userId: string,
): Promise<AccountFixResult> {
  let execution: RemediationExecution;
  try {
    execution = await deps.remediator.execute(plan, {
      findingId: record.findingId,
      decisionId,
      slackUserId: userId,
    });
  } catch (error) {
    const appError = toAppError(error);
    deps.log.error('account fix failed', { findingId: record.findingId, decisionId, error: appError });
    return {
      ok: false,
      error: { code: appError.code, message: appError.message },
      userMessage: appError.userMessage,
    };
  }
  try {
    const verification = verifyAccountImdsDefaults(plan, await deps.accountDefaults!.readImdsDefaults(plan));
    if (verification.verified) return { ok: true, execution };
    return {
      ok: false,
      execution,
      error: { code: 'NOT_VERIFIED', message: verification.why },
      userMessage: `The change ran but the account defaults are not as planned: ${verification.why}. Check them in the EC2 console (Account attributes → Data protection and security → IMDS defaults); nothing is retried automatically.`,
    };
  } catch (error) {
    const why = `the change ran but reading the account defaults back failed (${toAppError(error).userMessage})`;
    return {
      ok: false,
      execution,
      error: { code: 'NOT_VERIFIED', message: why },
      userMessage: `${why}. Check them in the EC2 console; nothing is retried automatically.`,
    };
  }
}

/**
 * Under the finding's claim: re-plan from the defaults as they are now, run exactly what the person confirmed,
 * read the defaults back. The decision (kind `account-fix`) keeps the finding's workflow status: the account
 * defaults never change the finding's instance or template, so the finding is never resolved by it.
 */
export async function remediateAccountFix(
  deps: RemediationDeps,
  record: FindingRecord,
  control: ControlSpec,
  input: ExecuteInput,
  decisionId: string,
): Promise<ExecuteOutcome> {
  // Only a person, confirming the plan they saw, ever changes account-wide defaults (never auto-remediation).
  if (input.actor.kind !== 'user' || input.confirmedPlanDigest === undefined)
    return {
      kind: 'not-remediable',
      reason: 'Account-wide defaults change only when a person confirms the plan; nothing was changed.',
    };
  const outcome = await planAccountFix(deps, record.finding, control, {
    ...deps.planOptions,
    automatic: false,
  });
  if (outcome.kind !== 'plan') return outcome;
  if (input.confirmedPlanDigest !== planDigest(outcome.plan))
    return { kind: 'plan-changed', words: outcome.words };

  const pending: Decision = {
    decisionId,
    findingId: record.findingId,
    kind: 'account-fix',
    status: 'PENDING',
    actor: input.actor,
    requestedAt: deps.clock.now().toISO()!,
    what: outcome.words,
    workflowBefore: record.finding.workflowStatus,
    plan: outcome.plan,
  };
  await deps.decisions.record(pending);
  const result = await changeAndReadBack(deps, record, outcome.plan, decisionId, input.actor.userId);
  const execution = result.execution && {
    executor: result.execution.executor,
    ...(result.execution.executionId && { executionId: result.execution.executionId }),
    steps: result.execution.steps,
  };
  if (!result.ok) {
    const { decision } = await completeDecision(deps, pending, {
      status: 'FAILED',
      ...execution,
      error: result.error,
    });
    await tellInThread(deps, record, {
      kind: 'remediation-failed',
      decision,
      userMessage: result.userMessage,
    });
    return { kind: 'failed', decision, userMessage: result.userMessage };
  }
  const { decision } = await completeDecision(deps, pending, {
    status: 'SUCCEEDED',
    // The finding's resource is as it was: its status does not move.
    workflowAfter: record.finding.workflowStatus,
    ...execution,
  });
  await tellInThread(deps, record, { kind: 'account-fixed', decision });
  return { kind: 'succeeded', decision, warnings: [] };
}
