import type { Decision } from './decision.js';

/** What happened to a finding, told in its thread: rendered by blocks/, decided by the use cases. */
export type FindingNotice =
  | { readonly kind: 'remediated'; readonly decision: Decision }
  /** The change is in place and works, but Security Hub's check still fails: the finding stays open. */
  | { readonly kind: 'mitigated'; readonly decision: Decision; readonly stillFails: string }
  | { readonly kind: 'remediation-failed'; readonly decision: Decision; readonly userMessage: string }
  | { readonly kind: 'already-fixed'; readonly decision: Decision }
  /** Both Security Hubs hold the finding; one took the decision and the other refused it (their words). */
  | {
      readonly kind: 'workflow-partly-applied';
      readonly decision: Decision;
      readonly refused: readonly string[];
    }
  /** An account-wide fix (IMDS defaults) done and read back; the finding's own resource is unchanged, so it stays open. */
  | { readonly kind: 'account-fixed'; readonly decision: Decision }
  | { readonly kind: 'auto-remediation-started'; readonly attempt: number; readonly maxAttempts: number }
  | { readonly kind: 'auto-remediation-capped'; readonly attempts: number; readonly windowHours: number }
  | {
      readonly kind: 'acceptance-reminder';
      readonly acceptedBy: string;
      readonly until: string;
      readonly findingsCovered: number;
    }
  /** An action interrupted (process killed, timeout) and settled afterwards from what AWS shows. */
  | {
      readonly kind: 'action-reconciled';
      readonly decision: Decision;
      readonly outcome: ReconciledOutcome;
      readonly detail: string;
    }
  | {
      readonly kind: 'acceptance-expired';
      readonly acceptedBy: string;
      readonly until: string;
      readonly reason: string;
    };

/** `done`: the change is in AWS; `not-done`: nothing changed; `unknown`: a person has to look. */
export type ReconciledOutcome = 'done' | 'not-done' | 'unknown';
