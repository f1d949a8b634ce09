import { AppError } from '../domain/app-error.js';
import type { ControlSpec } from '../domain/control-catalog.js';
import type { PlanOptions } from '../domain/remediation-plan.js';
import { planRemediation } from '../domain/remediation-plan.js';
import type { RemediationExecution } from '../domain/remediation-plan-types.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { ResourceStateReader } from './ports.js';

/** The executor's code for "a rule the plan names is no longer in the group" (EC2 then revokes nothing). */
const RULE_GONE = 'SECURITY_GROUP_RULE_GONE';
/** The executor's code for a change of several calls that stopped part-way (`completedSteps` in its context). */
const INCOMPLETE = 'REMEDIATION_INCOMPLETE';

export type AfterRuleGone =
  | { readonly kind: 'not-rule-gone' }
  | { readonly kind: 'fixed'; readonly execution: RemediationExecution }
  | {
      readonly kind: 'still-open';
      readonly error: { code: string; message: string };
      readonly userMessage: string;
    };

/** SSM Automation's failure code: the rule-gone error then came from an automation, not from a direct call. */
const AUTOMATION_FAILED = 'SSM_AUTOMATION_FAILED';

function executorOf(error: unknown): RemediationExecution['executor'] {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof AppError && current.code === AUTOMATION_FAILED) return 'ssm';
  }
  return 'direct';
}

/** The steps that did change before the failure (empty when the rule-gone error came first). */
function ruleGoneIn(error: AppError): { readonly done: readonly string[] } | undefined {
  if (error.code === RULE_GONE) return { done: [] };
  if (error.code === INCOMPLETE && error.cause instanceof AppError && error.cause.code === RULE_GONE) {
    const steps = error.context.completedSteps;
    return { done: Array.isArray(steps) ? steps.map(String) : [] };
  }
  return undefined;
}

/**
 * A revocation failed because a planned rule vanished (someone changed the group meanwhile). The group still
 * exists: read it again and plan again. Nothing left to do means the control passes: verified fixed. Otherwise say
 * what is still open, and that nothing else was changed (or exactly what was).
 */
export async function replanAfterRuleGone(
  deps: { readonly stateReader: ResourceStateReader; readonly planOptions: PlanOptions },
  record: FindingRecord,
  control: ControlSpec,
  error: AppError,
): Promise<AfterRuleGone> {
  const gone = ruleGoneIn(error);
  if (!gone) return { kind: 'not-rule-gone' };
  const replan = planRemediation(
    record.finding,
    control,
    await deps.stateReader.read(record.finding),
    deps.planOptions,
  );
  const changed =
    gone.done.length > 0 ? `Already changed before that: ${gone.done.join('; ')}.` : 'Nothing was changed.';
  if (replan.kind === 'already-fixed') {
    return {
      kind: 'fixed',
      execution: {
        executor: executorOf(error),
        steps: [...gone.done, `a planned rule was already gone, and read again: ${replan.words}`],
      },
    };
  }
  const open = replan.kind === 'plan' ? replan.words : replan.reason;
  return {
    kind: 'still-open',
    error: { code: error.code, message: `${error.message}; re-planned: ${open}` },
    userMessage:
      `A rule the plan named was removed by someone else meanwhile, so EC2 refused the revocation. ${changed} ` +
      `Still open now: ${open}. Click Remediate again to review the new plan.`,
  };
}
