import { planAccountImdsDefaults, verifyAccountImdsDefaults } from '../domain/account-imds-defaults.js';
import { toAppError } from '../domain/app-error.js';
import { controlSpec } from '../domain/control-catalog.js';
import type { Decision } from '../domain/decision.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { planDigest } from './plan-digest.js';
import type { Settlement } from './reconcile-interrupted-actions.js';
import type { RemediationDeps } from './remediation-deps.js';

/**
 * An interrupted account-wide fix, settled from the account defaults as EC2 shows them now (never run again): in
 * place (SUCCEEDED, the finding stays open: its own resource is not changed by it), still exactly as planned from
 * (nothing happened: FAILED), or anything else (a person looks).
 */
export async function settleAccountFix(
  deps: RemediationDeps,
  record: FindingRecord,
  pending: Decision,
): Promise<Settlement> {
  const unknown = (seen: string): Settlement => ({
    outcome: 'unknown',
    completion: { status: 'FAILED', error: { code: 'OUTCOME_UNKNOWN', message: seen } },
    detail: `The bot cannot tell whether the account default was changed: ${seen}. Check them in the EC2 console (Account attributes → Data protection and security → IMDS defaults), then use the buttons.`,
  });
  const plan = pending.plan;
  const control = controlSpec(record.finding.controlId);
  if (plan?.kind !== 'require-imdsv2-account-defaults' || !control || !deps.accountDefaults)
    return unknown('the interrupted run left no account plan the bot can check');
  let now;
  try {
    now = await deps.accountDefaults.readImdsDefaults(plan);
  } catch (error) {
    return unknown(`reading the account defaults failed (${toAppError(error).userMessage})`);
  }
  const verification = verifyAccountImdsDefaults(plan, now);
  if (verification.verified)
    return {
      outcome: 'done',
      staysOpen: true,
      completion: {
        status: 'SUCCEEDED',
        workflowAfter: record.finding.workflowStatus,
        steps: ['Confirmed after an interruption: AWS shows the account default in place.'],
      },
      detail:
        'AWS shows the account default in place. The finding stays open: its own resource is not changed by the account default.',
    };
  const replanned = planAccountImdsDefaults(record.finding, control, now, deps.planOptions);
  if (replanned.kind === 'plan' && planDigest(replanned.plan) === planDigest(plan))
    return {
      outcome: 'not-done',
      completion: {
        status: 'FAILED',
        error: {
          code: 'INTERRUPTED',
          message: 'interrupted before AWS changed anything; the account defaults are as they were',
        },
      },
      detail: 'The run stopped before AWS changed anything: the account defaults are as they were.',
    };
  return unknown(verification.why);
}
