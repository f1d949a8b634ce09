import type { Decision } from './decision.js';
import type { Finding } from './finding.js';
import type { DateTime } from 'luxon';

export interface AutoRemediationPolicy {
  /** Control ids remediated without a click; empty (the default) means never, as ASR ships it. */
  readonly controls: readonly string[];
  /** At most this many automatic attempts per resource within the window. */
  readonly maxAttempts: number;
  readonly windowHours: number;
}

export type AutoRemediationVerdict =
  | { readonly verdict: 'remediate'; readonly attempt: number }
  | { readonly verdict: 'off' }
  | { readonly verdict: 'capped'; readonly attempts: number };

/**
 * Whether a newly alerted finding is remediated without a click. A resource that keeps re-opening (someone or
 * something re-adds the rule) is capped, so the bot never fights a loop; the channel is told.
 */
export function shouldAutoRemediate(
  finding: Pick<Finding, 'controlId'>,
  previousDecisions: readonly Pick<Decision, 'kind' | 'requestedAt'>[],
  policy: AutoRemediationPolicy,
  now: DateTime,
): AutoRemediationVerdict {
  if (!finding.controlId || !policy.controls.includes(finding.controlId)) return { verdict: 'off' };
  const windowStart = now.minus({ hours: policy.windowHours }).toISO()!;
  const attempts = previousDecisions.filter(
    (decision) => decision.kind === 'auto-remediate' && decision.requestedAt >= windowStart,
  ).length;
  return attempts >= policy.maxAttempts
    ? { verdict: 'capped', attempts }
    : { verdict: 'remediate', attempt: attempts + 1 };
}
