import type { WorkflowStatus } from './finding.js';
import type { RemediationPlan } from './remediation-plan-types.js';

export type DecisionKind =
  | 'remediate'
  | 'auto-remediate'
  /** An account-wide fix offered with a finding (EC2.8/EC2.170 IMDS defaults): never resolves the finding. */
  | 'account-fix'
  | 'mark-fixed'
  | 'suppress'
  | 'accept-risk'
  | 'reopen'
  | 'revoke-acceptance'
  | 'expire-acceptance';

export type DecisionStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** A person in Slack, or the bot itself (auto-remediation, expiry). */
export type Actor =
  | { readonly kind: 'user'; readonly userId: string; readonly name?: string }
  | { readonly kind: 'bot'; readonly reason: string };

/**
 * One audit record: written PENDING before the action, completed once as SUCCEEDED or FAILED, never deleted.
 * Who, when, what, why, until, scope, and the workflow status before and after.
 */
export interface Decision {
  readonly decisionId: string;
  readonly findingId: string;
  readonly kind: DecisionKind;
  readonly status: DecisionStatus;
  readonly actor: Actor;
  readonly requestedAt: string;
  readonly finishedAt?: string;
  /** The plan or action in words, as the person confirmed it. */
  readonly what: string;
  readonly reason?: string;
  readonly until?: string;
  readonly scope?: 'resource' | 'control-in-account';
  readonly workflowBefore?: WorkflowStatus;
  readonly workflowAfter?: WorkflowStatus;
  readonly executor?: 'ssm' | 'direct';
  readonly executionId?: string;
  readonly durationMs?: number;
  readonly steps?: readonly string[];
  /** The plan a remediation runs, kept so an interrupted one can be checked against AWS instead of run again. */
  readonly plan?: RemediationPlan;
  readonly error?: { readonly code: string; readonly message: string };
  /** Done, with what did not go as asked: e.g. the other Security Hub refused its copy of the finding. */
  readonly warnings?: readonly string[];
}

export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? (actor.name ?? actor.userId) : `cspm-bot (${actor.reason})`;
}
