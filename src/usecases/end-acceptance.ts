import type { Acceptance } from '../domain/acceptance.js';
import { isDueForReminder, isExpired } from '../domain/acceptance.js';
import type { Actor } from '../domain/decision.js';
import { actorLabel } from '../domain/decision.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { applyWorkflowDecision } from './apply-workflow-decision.js';
import type { RiskDeps } from './risk-deps.js';
import type { FindingDecisionOutcome } from './suppress-finding.js';
import { decideOnFinding } from './suppress-finding.js';

async function recordsOf(deps: RiskDeps, findingIds: readonly string[]): Promise<FindingRecord[]> {
  const records = await Promise.all(findingIds.map((findingId) => deps.findings.get(findingId)));
  return records.filter((record): record is FindingRecord => record !== undefined && record.finding.workflowStatus === 'SUPPRESSED');
}

/** Revoke an acceptance from one of its findings' messages: every finding it holds goes back to NEW. */
export async function revokeAcceptance(deps: RiskDeps, input: { findingId: string; userId: string }): Promise<FindingDecisionOutcome> {
  return decideOnFinding(deps, { ...input, kind: 'revoke-acceptance' }, async (record, actor) => {
    const ref = record.suppression?.acceptance;
    if (!ref) return { kind: 'no-change', why: 'This finding is not under a risk acceptance.' };
    const acceptance = await deps.acceptances.get(ref);
    if (!acceptance || !(await deps.acceptances.end(acceptance, 'revoked'))) return { kind: 'no-change', why: 'That acceptance has already ended.' };
    const held = await recordsOf(deps, await deps.findings.underAcceptance(acceptance.acceptanceId));
    const result = await applyWorkflowDecision(deps, held, {
      kind: 'revoke-acceptance',
      actor,
      what: `Risk acceptance until ${acceptance.until} revoked`,
      status: 'NEW',
      note: `Risk acceptance revoked from Slack by ${actorLabel(actor)} (was accepted until ${acceptance.until} by ${acceptance.acceptedByName ?? acceptance.acceptedBy})`,
      suppression: null,
    });
    const failure = result.failed[0];
    return failure ? { kind: 'failed', userMessage: failure.userMessage } : { kind: 'done', decisions: result.succeeded.map((item) => item.decision) };
  });
}

export interface SweepReport {
  readonly expired: number;
  readonly reopenedFindings: number;
  readonly reminded: number;
}

const SWEEPER: Actor = { kind: 'bot', reason: 'risk acceptance expired' };

/** Returns how many findings re-opened, or undefined when another run had already ended it. */
async function expire(deps: RiskDeps, acceptance: Acceptance): Promise<number | undefined> {
  // The conditional end makes the sweeper idempotent: a second run (or a concurrent one) finds nothing to do.
  if (!(await deps.acceptances.end(acceptance, 'expired'))) return undefined;
  const held = await recordsOf(deps, await deps.findings.underAcceptance(acceptance.acceptanceId));
  const result = await applyWorkflowDecision(deps, held, {
    kind: 'expire-acceptance',
    actor: SWEEPER,
    what: `Risk acceptance until ${acceptance.until} expired`,
    status: 'NEW',
    note: `Risk acceptance expired (accepted until ${acceptance.until} by ${acceptance.acceptedByName ?? acceptance.acceptedBy})`,
    until: acceptance.until,
    suppression: null,
    repost: true,
  });
  for (const { record } of result.succeeded) {
    await deps.messenger.notify(record, { kind: 'acceptance-expired', acceptedBy: acceptance.acceptedBy, until: acceptance.until, reason: acceptance.reason });
  }
  return result.succeeded.length;
}

/**
 * Scheduled (locally a timer): expire acceptances whose last day has passed — their findings re-open in Security
 * Hub (SUPPRESSED is never reset by Security Hub itself) and are posted again, mentioning who accepted — and
 * remind the acceptor once, `reminderDays` before the end, in the thread of the finding it was accepted from.
 */
export async function sweepAcceptances(deps: RiskDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  let expired = 0;
  let reopenedFindings = 0;
  for (const acceptance of await deps.acceptances.activeEndingBefore(now.plus({ milliseconds: 1 }).toUTC().toISO()!)) {
    if (!isExpired(acceptance, now)) continue;
    const reopened = await expire(deps, acceptance);
    if (reopened === undefined) continue;
    expired += 1;
    reopenedFindings += reopened;
  }
  let reminded = 0;
  for (const acceptance of await deps.acceptances.activeEndingBefore(now.plus({ days: deps.reminderDays }).toUTC().toISO()!)) {
    if (!isDueForReminder(acceptance, now, deps.reminderDays)) continue;
    if (!(await deps.acceptances.markReminded(acceptance, now.toISO()!))) continue;
    const origin = await deps.findings.get(acceptance.originFindingId);
    if (!origin) continue;
    const covered = (await deps.findings.underAcceptance(acceptance.acceptanceId)).length;
    await deps.messenger.notify(origin, { kind: 'acceptance-reminder', acceptedBy: acceptance.acceptedBy, until: acceptance.until, findingsCovered: covered });
    reminded += 1;
  }
  return { expired, reopenedFindings, reminded };
}
