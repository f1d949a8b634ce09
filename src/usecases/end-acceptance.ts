import type { Acceptance } from '../domain/acceptance.js';
import { isDueForReminder, isExpired } from '../domain/acceptance.js';
import type { Actor, Decision } from '../domain/decision.js';
import { actorLabel } from '../domain/decision.js';
import type { AcceptanceEnd } from '../store/acceptance-repository.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { applyWorkflowDecision } from './apply-workflow-decision.js';
import type { SkippedFinding } from './claim-findings.js';
import { holdFinding } from './claim-findings.js';
import type { RiskDeps } from './risk-deps.js';
import type { FindingDecisionOutcome } from './suppress-finding.js';
import { decideOnFinding } from './suppress-finding.js';
import { tellInThread } from './thread-notice.js';

const SWEEPER: Actor = { kind: 'bot', reason: 'risk acceptance expired' };

interface EndProgress {
  readonly reopened: readonly Decision[];
  readonly failures: readonly string[];
  readonly skipped: readonly SkippedFinding[];
  /** Every finding it held is re-opened and the acceptance is marked expired/revoked (by this call). */
  readonly finished: boolean;
}

function endDecision(acceptance: Acceptance, endingAs: AcceptanceEnd, actor: Actor) {
  const acceptedBy = acceptance.acceptedByName ?? acceptance.acceptedBy;
  return endingAs === 'expired'
    ? {
        kind: 'expire-acceptance' as const,
        actor: SWEEPER,
        what: `Risk acceptance until ${acceptance.until} expired`,
        status: 'NEW' as const,
        note: `Risk acceptance expired (accepted until ${acceptance.until} by ${acceptedBy})`,
        until: acceptance.until,
        suppression: null,
        repost: true,
      }
    : {
        kind: 'revoke-acceptance' as const,
        actor,
        what: `Risk acceptance until ${acceptance.until} revoked`,
        status: 'NEW' as const,
        note: `Risk acceptance revoked from Slack by ${actorLabel(actor)} (was accepted until ${acceptance.until} by ${acceptedBy})`,
        suppression: null,
      };
}

/**
 * Re-open one finding the acceptance still holds. Its own state is the progress marker: once re-opened it leaves
 * the acceptance's list, so a later run never re-opens, re-posts or notifies it again.
 */
async function reopenOne(
  deps: RiskDeps,
  acceptance: Acceptance,
  endingAs: AcceptanceEnd,
  actor: Actor,
  record: FindingRecord,
): Promise<{ decision?: Decision; failure?: string }> {
  if (record.finding.workflowStatus !== 'SUPPRESSED') {
    // Closed or re-opened elsewhere meanwhile: nothing to tell Security Hub, only let go of the acceptance.
    await deps.findings.updateFinding({
      record,
      finding: record.finding,
      triage: record.triage,
      owesDelivery: true,
      suppression: null,
      now: deps.clock.now().toISO()!,
    });
    return {};
  }
  const result = await applyWorkflowDecision(deps, [record], endDecision(acceptance, endingAs, actor));
  const failed = result.failed[0];
  if (failed) return { failure: failed.userMessage };
  const done = result.succeeded[0];
  if (done && endingAs === 'expired') {
    await tellInThread(deps, done.record, {
      kind: 'acceptance-expired',
      acceptedBy: acceptance.acceptedBy,
      until: acceptance.until,
      reason: acceptance.reason,
    });
  }
  return done ? { decision: done.decision } : {};
}

/**
 * Carry an acceptance's end through (expiry or revoke, begun by `beginEnding`): every finding it still holds is
 * taken with its own claim and re-opened in Security Hub and here, then the acceptance is marked ended. A run that
 * stops part-way (crash, timeout, a finding someone else holds, Security Hub refusing) leaves the acceptance
 * `ending`, and the next sweep finishes it. `alreadyHeld` is the finding the caller holds (the one clicked).
 */
async function finishEnd(
  deps: RiskDeps,
  acceptance: Acceptance,
  endingAs: AcceptanceEnd,
  actor: Actor,
  alreadyHeld?: FindingRecord,
): Promise<EndProgress> {
  const reopened: Decision[] = [];
  const failures: string[] = [];
  const skipped: SkippedFinding[] = [];
  const heldHere = (record: FindingRecord) =>
    record.suppression?.acceptance?.acceptanceId === acceptance.acceptanceId;
  for (const findingId of await deps.findings.underAcceptance(acceptance.acceptanceId)) {
    if (alreadyHeld?.findingId === findingId) {
      const current = (await deps.findings.get(findingId)) ?? alreadyHeld;
      if (!heldHere(current)) continue;
      const outcome = await reopenOne(deps, acceptance, endingAs, actor, current);
      if (outcome.decision) reopened.push(outcome.decision);
      if (outcome.failure) failures.push(outcome.failure);
      continue;
    }
    const hold = await holdFinding(
      deps,
      findingId,
      {
        kind: endingAs === 'expired' ? 'expire-acceptance' : 'revoke-acceptance',
        by: actor.kind === 'user' ? actor.userId : 'cspm-bot',
      },
      heldHere,
    );
    if (hold.kind === 'busy') skipped.push(hold.skipped);
    if (hold.kind !== 'held') continue;
    try {
      const outcome = await reopenOne(deps, acceptance, endingAs, actor, hold.record);
      if (outcome.decision) reopened.push(outcome.decision);
      if (outcome.failure) failures.push(outcome.failure);
    } finally {
      await hold.release();
    }
  }
  const remaining = await deps.findings.underAcceptance(acceptance.acceptanceId);
  const finished = remaining.length === 0 && (await deps.acceptances.finishEnding(acceptance, endingAs));
  if (!finished && remaining.length > 0) {
    deps.log.warn('acceptance end not finished; the next sweep continues it', {
      acceptanceId: acceptance.acceptanceId,
      remaining: remaining.length,
      skipped,
      failures,
    });
  }
  return { reopened, failures, skipped, finished };
}

/** Revoke an acceptance from one of its findings' messages: every finding it holds goes back to NEW. */
export async function revokeAcceptance(
  deps: RiskDeps,
  input: { findingId: string; userId: string },
): Promise<FindingDecisionOutcome> {
  return decideOnFinding(deps, { ...input, kind: 'revoke-acceptance' }, async (record, actor) => {
    const ref = record.suppression?.acceptance;
    if (!ref) return { kind: 'no-change', why: 'This finding is not under a risk acceptance.' };
    const acceptance = await deps.acceptances.get(ref);
    if (!acceptance) return { kind: 'no-change', why: 'That acceptance has already ended.' };
    const began = await deps.acceptances.beginEnding(acceptance, 'revoked', deps.clock.now().toISO()!);
    // Not begun here: ended already, or its end is under way (then helping finish it is harmless).
    if (!began && (await deps.acceptances.statusOf(ref)) !== 'ending')
      return { kind: 'no-change', why: 'That acceptance has already ended.' };
    const progress = await finishEnd(deps, acceptance, 'revoked', actor, record);
    const failure = progress.failures[0];
    return failure
      ? { kind: 'failed', userMessage: failure }
      : {
          kind: 'done',
          decisions: progress.reopened,
          ...(progress.skipped.length > 0 && { skipped: progress.skipped }),
        };
  });
}

export interface SweepReport {
  readonly expired: number;
  readonly reopenedFindings: number;
  readonly reminded: number;
}

/**
 * Scheduled (locally a timer): expire acceptances whose last day has passed — their findings re-open in Security
 * Hub (SUPPRESSED is never reset by Security Hub itself) and are posted again, mentioning who accepted — finish
 * any expiry or revoke a previous run left part-way, and remind the acceptor once, `reminderDays` before the end,
 * in the thread of the finding it was accepted from.
 */
export async function sweepAcceptances(deps: RiskDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  for (const acceptance of await deps.acceptances.activeEndingBefore(
    now.plus({ milliseconds: 1 }).toUTC().toISO()!,
  )) {
    // The conditional begin makes this idempotent: a concurrent run finds it begun and only helps finish it.
    if (isExpired(acceptance, now)) await deps.acceptances.beginEnding(acceptance, 'expired', now.toISO()!);
  }
  let expired = 0;
  let reopenedFindings = 0;
  for (const { acceptance, endingAs } of await deps.acceptances.ending()) {
    const actor: Actor =
      endingAs === 'expired' ? SWEEPER : { kind: 'bot', reason: 'finishing a revoked risk acceptance' };
    const progress = await finishEnd(deps, acceptance, endingAs, actor);
    reopenedFindings += progress.reopened.length;
    if (progress.finished && endingAs === 'expired') expired += 1;
  }
  let reminded = 0;
  for (const acceptance of await deps.acceptances.activeEndingBefore(
    now.plus({ days: deps.reminderDays }).toUTC().toISO()!,
  )) {
    if (!isDueForReminder(acceptance, now, deps.reminderDays)) continue;
    if (!(await deps.acceptances.markReminded(acceptance, now.toISO()!))) continue;
    const origin = await deps.findings.get(acceptance.originFindingId);
    if (!origin) continue;
    const covered = (await deps.findings.underAcceptance(acceptance.acceptanceId)).length;
    await tellInThread(deps, origin, {
      kind: 'acceptance-reminder',
      acceptedBy: acceptance.acceptedBy,
      until: acceptance.until,
      findingsCovered: covered,
    });
    reminded += 1;
  }
  return { expired, reopenedFindings, reminded };
}
