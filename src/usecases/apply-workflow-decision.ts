import { toAppError } from '../domain/app-error.js';
import type { Actor, Decision, DecisionKind } from '../domain/decision.js';
import type { WorkflowStatus } from '../domain/finding.js';
import type { Suppression } from '../domain/suppression.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { refsOf } from '../domain/same-finding.js';
import { completeDecision } from './decision-completion.js';
import { refKey, refusalWords, workflowUpdatesOf } from './workflow-updates.js';
import { deliverFindingMessage } from './deliver-finding-message.js';
import type { RemediationDeps } from './remediation-deps.js';

export interface WorkflowDecision {
  readonly kind: DecisionKind;
  readonly actor: Actor;
  readonly what: string;
  readonly status: WorkflowStatus;
  /** The Security Hub note: "Suppressed from Slack by alice: …". */
  readonly note: string;
  /** What to remember on each finding (null forgets it); built per decision id. */
  readonly suppression: ((decisionId: string) => Suppression) | null;
  readonly reason?: string;
  readonly until?: string;
  readonly scope?: 'resource' | 'control-in-account';
  /** Post a fresh message instead of updating the old one (an expired acceptance is announced again). */
  readonly repost?: boolean;
}

export interface WorkflowDecisionResult {
  readonly succeeded: readonly { readonly record: FindingRecord; readonly decision: Decision }[];
  readonly failed: readonly {
    readonly findingId: string;
    readonly decision: Decision;
    readonly userMessage: string;
  }[];
}

async function storeOutcome(
  deps: RemediationDeps,
  findingId: string,
  status: WorkflowStatus,
  suppression: Suppression | null,
  repost: boolean,
): Promise<FindingRecord | undefined> {
  const now = deps.clock.now().toISO()!;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const record = await deps.findings.get(findingId);
    if (!record) return undefined;
    const written = await deps.findings.updateFinding({
      record,
      finding: { ...record.finding, workflowStatus: status },
      triage: record.triage,
      owesDelivery: true,
      suppression,
      now,
    });
    if (written) {
      if (repost && record.messageTs) {
        // The old message loses its buttons and points at the fresh one, so nobody acts on a stale copy.
        await deps.messenger
          .retire(record.channel, record.messageTs, { ...record, lastIngestedAt: now })
          .catch((error: unknown) => deps.log.warn('old message not retired', { findingId, error }));
      }
      if (repost) await deps.findings.owePost(findingId, now);
      await deliverFindingMessage(deps, findingId);
      return deps.findings.get(findingId);
    }
  }
  throw new Error(
    `finding ${findingId} kept changing; its decision is recorded but its message may lag until the next sync`,
  );
}

/** One Security Hub took the decision and the other refused it: the thread says which, so nobody assumes both. */
async function owePartialNotice(
  deps: RemediationDeps,
  findingId: string,
  decision: Decision,
  refused: readonly string[],
): Promise<void> {
  await deps.findings
    .oweNotice(findingId, { kind: 'workflow-partly-applied', decision, refused }, deps.clock.now().toISO()!)
    .catch((error: unknown) =>
      deps.log.warn('partial Security Hub update not told in the thread', {
        findingId,
        error: toAppError(error),
      }),
    );
}

/**
 * One decision per finding, written PENDING before Security Hub is told and completed after: SUCCEEDED when
 * Security Hub took the workflow change (then our copy and the Slack message follow), FAILED with the reason
 * when it did not. Batches go to Security Hub 100 at a time.
 */
export async function applyWorkflowDecision(
  deps: RemediationDeps,
  records: readonly FindingRecord[],
  decision: WorkflowDecision,
): Promise<WorkflowDecisionResult> {
  const requestedAt = deps.clock.now().toISO()!;
  const pending = records.map((record): Decision => ({
    decisionId: deps.ids.newId(),
    findingId: record.findingId,
    kind: decision.kind,
    status: 'PENDING',
    actor: decision.actor,
    requestedAt,
    what: decision.what,
    workflowBefore: record.finding.workflowStatus,
    ...(decision.reason !== undefined && { reason: decision.reason }),
    ...(decision.until !== undefined && { until: decision.until }),
    ...(decision.scope !== undefined && { scope: decision.scope }),
  }));
  for (const item of pending) await deps.decisions.record(item);

  // Every copy the decision reaches (both Security Hubs when both hold the finding), keyed as the refusals come back.
  const updates = records.flatMap((record, index) =>
    workflowUpdatesOf(record.finding, decision.status, decision.note, pending[index]!.decisionId),
  );
  const refusals = await deps.workflow
    .updateWorkflow(updates)
    .then((result) => new Map(result.unprocessed.map((item) => [refKey(item.ref), refusalWords(item)])))
    .catch((error: unknown) => {
      const appError = toAppError(error);
      deps.log.error('workflow update failed', { kind: decision.kind, error: appError });
      return new Map(updates.map((update) => [refKey(update.ref), appError.userMessage]));
    });

  const succeeded: { record: FindingRecord; decision: Decision }[] = [];
  const failed: { findingId: string; decision: Decision; userMessage: string }[] = [];
  for (const [index, record] of records.entries()) {
    const started = pending[index]!;
    const copies = refsOf(record.finding);
    const refused = copies.flatMap((ref) => refusals.get(refKey(ref)) ?? []);
    if (refused.length === copies.length) {
      const refusal = refused.join('; ');
      const { decision: done } = await completeDecision(deps, started, {
        status: 'FAILED',
        error: { code: 'WORKFLOW_NOT_UPDATED', message: refusal },
      });
      failed.push({ findingId: record.findingId, decision: done, userMessage: refusal });
      continue;
    }
    // Security Hub took it (one of the two, when both hold the finding): that is the outcome. Our copy and the
    // message follow, and their faults are warnings; a refusal by the other Security Hub is recorded and told.
    const { decision: done } = await completeDecision(deps, started, {
      status: 'SUCCEEDED',
      workflowAfter: decision.status,
      ...(refused.length > 0 && { warnings: refused }),
    });
    if (refused.length > 0) await owePartialNotice(deps, record.findingId, done, refused);
    const suppression = decision.suppression ? decision.suppression(started.decisionId) : null;
    const updated = await storeOutcome(
      deps,
      record.findingId,
      decision.status,
      suppression,
      decision.repost ?? false,
    ).catch((error: unknown) => {
      deps.log.warn(
        'decision made in Security Hub but not stored on the finding yet; the next sync brings it',
        { findingId: record.findingId, error: toAppError(error) },
      );
      return undefined;
    });
    succeeded.push({ record: updated ?? record, decision: done });
  }
  return { succeeded, failed };
}
