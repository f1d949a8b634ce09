import type { Acceptance, AcceptanceScope } from '../domain/acceptance.js';
import { acceptanceCovers, validateAcceptanceUntil } from '../domain/acceptance.js';
import { actorLabel } from '../domain/decision.js';
import type { Suppression } from '../domain/suppression.js';
import { isOpen } from '../domain/finding.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { applyWorkflowDecision } from './apply-workflow-decision.js';
import type { SkippedFinding } from './claim-findings.js';
import { holdFinding } from './claim-findings.js';
import type { RiskDeps } from './risk-deps.js';
import type { FindingDecisionOutcome } from './suppress-finding.js';
import { decideOnFinding } from './suppress-finding.js';

export type AcceptRiskOutcome =
  FindingDecisionOutcome | { readonly kind: 'invalid-until'; readonly error: string };

function acceptedSuppression(acceptance: Acceptance, decisionId: string): Suppression {
  return {
    kind: 'accepted',
    decisionId,
    by: acceptance.acceptedBy,
    at: acceptance.createdAt,
    reason: acceptance.reason,
    ...(acceptance.ticketUrl && { ticketUrl: acceptance.ticketUrl }),
    acceptance: {
      acceptanceId: acceptance.acceptanceId,
      accountId: acceptance.accountId,
      ...(acceptance.controlId && { controlId: acceptance.controlId }),
      until: acceptance.until,
      scope: acceptance.scope,
    },
  };
}

/** "Risk accepted until 2027-03-31 by alice: reason" — the Security Hub note. */
export function acceptanceNote(acceptance: Acceptance, by: string): string {
  return `Risk accepted until ${acceptance.until} by ${by}: ${acceptance.reason}${acceptance.ticketUrl ? ` (${acceptance.ticketUrl})` : ''}`;
}

/**
 * Accept the risk until a date: the acceptance is stored with its expiry, and every finding it covers now (this
 * one, or every open finding of the control in the account) is SUPPRESSED with a note. Each covered finding is
 * taken with its own claim first: one someone else is acting on is left out and listed as skipped, never decided
 * twice. Future findings of an account-wide acceptance are held at ingest. The sweeper re-opens them all after the
 * last day.
 */
export async function acceptRisk(
  deps: RiskDeps,
  input: {
    findingId: string;
    userId: string;
    until: string | undefined;
    reason: string;
    scope: AcceptanceScope;
    ticketUrl?: string;
  },
): Promise<AcceptRiskOutcome> {
  const now = deps.clock.now();
  const until = validateAcceptanceUntil(input.until, now, deps.acceptanceRules);
  if (!until.ok) return { kind: 'invalid-until', error: until.error };
  return decideOnFinding(deps, { ...input, kind: 'accept-risk' }, async (record, actor) => {
    if (record.finding.workflowStatus === 'SUPPRESSED' || record.finding.workflowStatus === 'RESOLVED') {
      return {
        kind: 'no-change',
        why: `This finding is already ${record.finding.workflowStatus.toLowerCase()}.`,
      };
    }
    const acceptance: Acceptance = {
      acceptanceId: deps.ids.newId(),
      scope: input.scope,
      accountId: record.finding.accountId,
      ...(record.finding.controlId && { controlId: record.finding.controlId }),
      ...(input.scope === 'resource' && { resourceId: record.finding.resource.id }),
      originFindingId: record.findingId,
      until: until.until,
      expiresAt: until.expiresAt,
      timeZone: deps.acceptanceRules.timeZone,
      acceptedBy: input.userId,
      ...(actor.kind === 'user' && actor.name && { acceptedByName: actor.name }),
      reason: input.reason,
      ...(input.ticketUrl && { ticketUrl: input.ticketUrl }),
      createdAt: now.toISO()!,
      status: 'active',
    };
    await deps.acceptances.create(acceptance);
    const covered: FindingRecord[] = [record];
    const holds: { release(): Promise<void> }[] = [];
    const skipped: SkippedFinding[] = [];
    try {
      if (input.scope === 'control-in-account' && record.finding.controlId) {
        const others = await deps.findings.openFindings({
          accountId: record.finding.accountId,
          controlId: record.finding.controlId,
          limit: 1000,
        });
        for (const other of others) {
          if (other.findingId === record.findingId) continue;
          // Each covered finding is taken like a click would take it: one decision per finding at a time.
          const hold = await holdFinding(
            deps,
            other.findingId,
            { kind: 'accept-risk', by: input.userId },
            (current) => isOpen(current.finding) && acceptanceCovers(acceptance, current.finding, now),
          );
          if (hold.kind === 'held') {
            holds.push(hold);
            covered.push(hold.record);
          } else if (hold.kind === 'busy') skipped.push(hold.skipped);
        }
      }
      const result = await applyWorkflowDecision(deps, covered, {
        kind: 'accept-risk',
        actor,
        what: `Risk accepted until ${acceptance.until} (${input.scope === 'resource' ? 'this resource' : `${acceptance.controlId} in ${acceptance.accountId}`})`,
        status: 'SUPPRESSED',
        note: acceptanceNote(acceptance, actorLabel(actor)),
        reason: input.reason,
        until: acceptance.until,
        scope: input.scope,
        suppression: (decisionId) => acceptedSuppression(acceptance, decisionId),
      });
      if (skipped.length > 0)
        deps.log.info('findings left out of the acceptance: someone is acting on them', {
          acceptanceId: acceptance.acceptanceId,
          skipped,
        });
      if (result.succeeded.length === 0) {
        // Security Hub took none of it: an acceptance holding nothing must not be listed, held at ingest or expired.
        const at = deps.clock.now().toISO()!;
        if (await deps.acceptances.beginEnding(acceptance, 'revoked', at))
          await deps.acceptances.finishEnding(acceptance, 'revoked');
      }
      const failure = result.failed.find((item) => item.findingId === record.findingId);
      return failure
        ? { kind: 'failed', userMessage: failure.userMessage }
        : {
            kind: 'done',
            decisions: result.succeeded.map((item) => item.decision),
            ...(skipped.length > 0 && { skipped }),
          };
    } finally {
      for (const hold of holds) await hold.release();
    }
  });
}

/** At ingest: the active acceptance that already covers a new finding, if any. */
export async function coveringAcceptance(
  deps: {
    readonly acceptances: Pick<RiskDeps['acceptances'], 'activeFor'>;
    readonly clock: RiskDeps['clock'];
  },
  finding: FindingRecord['finding'],
): Promise<Acceptance | undefined> {
  const candidates = await deps.acceptances.activeFor(finding.accountId, finding.controlId);
  return candidates.find((acceptance) => acceptanceCovers(acceptance, finding, deps.clock.now()));
}

export { acceptedSuppression };
