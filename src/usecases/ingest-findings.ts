import {
  alertRelevance,
  cameBackOpen,
  isOlderUpdate,
  isSameUpdate,
  predatesDecision,
  visibleStateChanged,
} from '../domain/alert-relevance.js';
import type { DropReason } from '../domain/alert-relevance.js';
import { AppError, toAppError } from '../domain/app-error.js';
import type { Finding } from '../domain/finding.js';
import type { ExposureFinding } from '../domain/security-hub-exposure.js';
import { findingKeyOf } from '../domain/finding-key.js';
import type { Routing } from '../domain/routing.js';
import { channelFor } from '../domain/routing.js';
import type { Severity } from '../domain/severity.js';
import type { CurrentState, Triage } from '../domain/triage.js';
import { triage } from '../domain/triage.js';
import { controlSpec } from '../domain/control-catalog.js';
import type { FindingRecord, FindingRepository } from '../store/finding-repository.js';
import type { DeliverDeps } from './deliver-finding-message.js';
import { deliverUntilDone } from './run-deliveries.js';
import type { DeliveryTrigger } from './run-deliveries.js';
import { shouldAutoRemediate } from '../domain/auto-remediation.js';
import type { AutoRemediationPolicy } from '../domain/auto-remediation.js';
import type { DecisionRepository } from '../store/decision-repository.js';
import type { QuarantineRepository } from '../store/quarantine-repository.js';
import type { SameFindingRepository } from '../store/same-finding-repository.js';
import type { ExposureRepository } from '../store/exposure-repository.js';
import {
  applyExposure,
  exposuresOfBatch,
  openFindingsOfBatch,
  strongestExposureFor,
} from './apply-exposure.js';
import { isSameRef, sameFindingKeyOf, securityHubNameOf } from '../domain/same-finding.js';
import type { AutoRemediationQueue, FindingWorkflow, IdGenerator, SecurityGroupInspector } from './ports.js';
import type { AcceptanceRepository } from '../store/acceptance-repository.js';
import type { Acceptance } from '../domain/acceptance.js';
import type { Decision } from '../domain/decision.js';
import { acceptanceNote, acceptedSuppression, coveringAcceptance } from './accept-risk.js';

export interface IngestDeps extends DeliverDeps {
  readonly findings: FindingRepository;
  /** Absent when AWS is not connected: triage then relies on the finding's own details. */
  readonly inspector?: SecurityGroupInspector;
  readonly routing: Routing;
  readonly severityThreshold: Severity;
  /** Active account-wide acceptances hold new matching findings: stored, SUPPRESSED, not posted. */
  readonly acceptanceHolds?: {
    readonly acceptances: Pick<AcceptanceRepository, 'activeFor' | 'activeEndingBefore'>;
    readonly decisions: DecisionRepository;
    readonly workflow: FindingWorkflow;
    readonly ids: IdGenerator;
  };
  /** Where findings that fail to ingest are kept visible (absent: only logged and counted). */
  readonly quarantine?: QuarantineRepository;
  /**
   * With CSPM_FINDINGS_FORMAT=both: which stored finding holds a finding both Security Hubs publish, so its two
   * copies are stored and posted once (absent: every copy is its own finding).
   */
  readonly sameFindings?: Pick<SameFindingRepository, 'holders' | 'claim'>;
  /**
   * With the newer Security Hub read (CSPM_FINDINGS_FORMAT=ocsf or both): its exposure findings, stored and shown on
   * the findings they concern (absent: an exposure finding is refused).
   */
  readonly exposures?: Pick<ExposureRepository, 'save' | 'openIn'>;
  /** Within a batch: the open findings its exposures relate to, read once per account (see `openFindingsOfBatch`). */
  readonly exposureCandidates?: ReturnType<typeof openFindingsOfBatch>;
  /**
   * Told once per batch that messages became owed; ingest never waits for Slack. Absent (tests, the dry run): the
   * owed messages are delivered in this process right after the batch.
   */
  readonly deliveries?: DeliveryTrigger;
  /** Absent, or with no controls listed, nothing is remediated without a click. */
  readonly autoRemediation?: {
    readonly policy: AutoRemediationPolicy;
    readonly decisions: DecisionRepository;
    readonly queue: AutoRemediationQueue;
  };
}

/** Normalized input, shaped like the normalizer's result so any source (EventBridge, sync, samples) fits. */
export type IngestItem =
  | { readonly ok: true; readonly finding: Finding }
  /** The newer Security Hub's exposure finding: never posted, it enriches the findings it concerns. */
  | { readonly ok: true; readonly exposure: ExposureFinding }
  | { readonly ok: false; readonly reason: string; readonly findingId?: string };

export type IngestOutcome =
  /** Stored, its message owed: the delivery step posts it (grouped with others of a burst, or alone). */
  | { readonly kind: 'alerted'; readonly findingId: string }
  /** A visible change: the update of its message is owed. */
  | { readonly kind: 'updated'; readonly findingId: string }
  /** New, but covered by an active risk acceptance: stored and suppressed, not posted. */
  | { readonly kind: 'held'; readonly findingId: string; readonly acceptanceId: string }
  | { readonly kind: 'unchanged'; readonly findingId: string }
  | { readonly kind: 'dropped'; readonly findingId: string; readonly reason: DropReason }
  | { readonly kind: 'malformed'; readonly reason: string; readonly findingId?: string }
  /** Well-formed, but storing or posting it failed (e.g. DynamoDB refused the item): quarantined, the batch went on. */
  | { readonly kind: 'failed'; readonly findingId: string; readonly reason: string }
  /** An exposure finding: stored, and the messages of the findings it concerns (maybe none yet) owe an update. */
  | { readonly kind: 'enriched'; readonly exposureId: string; readonly findingIds: readonly string[] };

/** Every outcome kind at zero: the start of every count (ingest report, sync report). */
export function noIngestCounts(): Record<IngestOutcome['kind'], number> {
  return { alerted: 0, updated: 0, held: 0, unchanged: 0, dropped: 0, malformed: 0, failed: 0, enriched: 0 };
}

/** Lost every race for the same finding: something else keeps writing it. */
export class FindingKeptChangingError extends AppError {
  readonly code = 'FINDING_KEPT_CHANGING';
}

export interface IngestReport {
  readonly outcomes: readonly IngestOutcome[];
  readonly counts: Readonly<Record<IngestOutcome['kind'], number>>;
}

function securityGroupIdOf(finding: Finding): string | undefined {
  return /^sg-[0-9a-f]+$/.test(finding.resource.shortId) ? finding.resource.shortId : undefined;
}

/** Read the group's current rules and reach; if EC2 cannot be read, say why and fall back to the finding. */
async function currentStateOf(deps: IngestDeps, finding: Finding): Promise<CurrentState | undefined> {
  const control = controlSpec(finding.controlId);
  // The group id from the details, else from the resource ARN (legacy `Details.Other` or detail-less findings).
  const groupId =
    finding.details.kind === 'security-group' ? finding.details.groupId : securityGroupIdOf(finding);
  if (control?.check.kind !== 'security-group' || groupId === undefined) return undefined;
  if (!deps.inspector) return { reach: { kind: 'unknown', reason: 'not checked: AWS is not connected' } };
  try {
    return await deps.inspector.inspect(finding, groupId);
  } catch (error) {
    const appError = toAppError(error);
    deps.log.warn('could not read the security group; using the rules in the finding', {
      findingId: finding.id,
      accountId: finding.accountId,
      region: finding.region,
      error: appError,
    });
    return { reach: { kind: 'unknown', reason: appError.userMessage } };
  }
}

/**
 * New alerts and findings that came back open, for controls opted in to auto-remediation: remediate without a
 * click, up to the cap per resource; past the cap, tell the channel a person must look. The remediation is queued
 * at once; its notice needs the finding's message, so it is owed and posted by the delivery right after it.
 */
async function considerAutoRemediation(deps: IngestDeps, findingId: string): Promise<void> {
  const auto = deps.autoRemediation;
  if (!auto || auto.policy.controls.length === 0) return;
  const record = await deps.findings.get(findingId);
  if (!record) return;
  const verdict = shouldAutoRemediate(
    record.finding,
    await auto.decisions.ofFinding(findingId),
    auto.policy,
    deps.clock.now(),
  );
  switch (verdict.verdict) {
    case 'off':
      return;
    case 'capped':
      deps.log.warn('auto-remediation capped', { findingId, attempts: verdict.attempts });
      await deps.findings.oweNotice(
        findingId,
        { kind: 'auto-remediation-capped', attempts: verdict.attempts, windowHours: auto.policy.windowHours },
        deps.clock.now().toISO()!,
      );
      return;
    case 'remediate':
      await deps.findings.oweNotice(
        findingId,
        { kind: 'auto-remediation-started', attempt: verdict.attempt, maxAttempts: auto.policy.maxAttempts },
        deps.clock.now().toISO()!,
      );
      await auto.queue.enqueueAutoRemediation({
        findingId,
        attempt: verdict.attempt,
        maxAttempts: auto.policy.maxAttempts,
      });
  }
}

/**
 * A new finding an acceptance already covers: recorded as a decision by the bot on the acceptor's behalf,
 * SUPPRESSED in Security Hub with the acceptance's note, kept for status and digest, and not posted.
 */
async function holdUnderAcceptance(
  deps: IngestDeps,
  holds: NonNullable<IngestDeps['acceptanceHolds']>,
  finding: Finding,
  triaged: Triage,
  acceptance: Acceptance,
  findingId: string,
): Promise<IngestOutcome | 'known'> {
  const now = deps.clock.now().toISO()!;
  const pending: Decision = {
    decisionId: holds.ids.newId(),
    findingId,
    kind: 'accept-risk',
    status: 'PENDING',
    actor: {
      kind: 'bot',
      reason: `covered by the risk acceptance of ${acceptance.acceptedByName ?? acceptance.acceptedBy} until ${acceptance.until}`,
    },
    requestedAt: now,
    what: `Held under the risk acceptance until ${acceptance.until}`,
    reason: acceptance.reason,
    until: acceptance.until,
    scope: acceptance.scope,
    workflowBefore: finding.workflowStatus,
  };
  const stored = await deps.findings.insertNew({
    finding: { ...finding, workflowStatus: 'SUPPRESSED' },
    triage: triaged,
    channel: channelFor(finding, deps.routing),
    now,
    suppression: acceptedSuppression(acceptance, pending.decisionId),
    findingId,
  });
  if (!stored) return 'known';
  await holds.decisions.record(pending);
  const note = acceptanceNote(acceptance, acceptance.acceptedByName ?? acceptance.acceptedBy);
  const outcome = await holds.workflow
    .updateWorkflow([{ ref: finding, status: 'SUPPRESSED', note: { text: note, updatedBy: 'cspm-bot' } }])
    .then((result) =>
      result.unprocessed.length > 0
        ? `Security Hub refused it (${result.unprocessed[0]?.errorCode ?? 'unknown'})`
        : undefined,
    )
    .catch((error: unknown) => toAppError(error).userMessage);
  await holds.decisions.complete({
    ...pending,
    status: outcome ? 'FAILED' : 'SUCCEEDED',
    finishedAt: deps.clock.now().toISO()!,
    ...(outcome
      ? { error: { code: 'WORKFLOW_NOT_UPDATED', message: outcome } }
      : { workflowAfter: 'SUPPRESSED' as const }),
  });
  return { kind: 'held', findingId, acceptanceId: acceptance.acceptanceId };
}

async function ingestNew(
  deps: IngestDeps,
  finding: Finding,
  findingId: string,
): Promise<IngestOutcome | 'known'> {
  const relevance = alertRelevance(finding, deps.severityThreshold);
  if (!relevance.alert) return { kind: 'dropped', findingId, reason: relevance.reason };
  const triaged = triage(finding, await currentStateOf(deps, finding));
  const holds = deps.acceptanceHolds;
  const acceptance =
    holds && (await coveringAcceptance({ acceptances: holds.acceptances, clock: deps.clock }, finding));
  if (holds && acceptance) return holdUnderAcceptance(deps, holds, finding, triaged, acceptance, findingId);
  const exposure =
    deps.exposures &&
    strongestExposureFor(await deps.exposures.openIn(finding.accountId, finding.region), {
      finding,
      triage: triaged,
    });
  const stored = await deps.findings.insertNew({
    finding,
    triage: triaged,
    channel: channelFor(finding, deps.routing),
    now: deps.clock.now().toISO()!,
    findingId,
    ...(exposure && { securityHubExposure: exposure }),
  });
  // Another delivery of the same finding (member account and aggregator, or an EventBridge retry) won the race.
  if (!stored) return 'known';
  await considerAutoRemediation(deps, findingId);
  return { kind: 'alerted', findingId };
}

/**
 * A finding we already hold: a re-delivery, our own BatchUpdateFindings echo, or a state change in Security Hub.
 * It never makes a second message; a visible change updates the one it has.
 */
async function ingestKnown(
  deps: IngestDeps,
  delivered: Finding,
  record: FindingRecord,
): Promise<IngestOutcome | 'retry'> {
  const before = record.finding;
  const { findingId } = record;
  if (isOlderUpdate(delivered, before)) return { kind: 'unchanged', findingId };
  // An event from before the bot's own decision (delivered again, or late) keeps the decided workflow status.
  const stale = predatesDecision(record, delivered);
  const finding: Finding = {
    ...delivered,
    ...(stale && { workflowStatus: before.workflowStatus }),
    // The other Security Hub's copy, once matched, stays matched: decisions keep going to both.
    ...(before.counterpart && { counterpart: before.counterpart }),
  };
  const changed = visibleStateChanged(before, finding);
  if (!changed && isSameUpdate(finding, before)) return { kind: 'unchanged', findingId };
  const reopened = !stale && cameBackOpen(before, finding);
  // A finding open again is judged afresh from current AWS state; otherwise the last triage still describes it.
  const triaged: Triage = reopened ? triage(finding, await currentStateOf(deps, finding)) : record.triage;
  const written = await deps.findings.updateFinding({
    record,
    finding,
    triage: triaged,
    owesDelivery: changed,
    reopened,
    now: deps.clock.now().toISO()!,
  });
  if (!written) return 'retry';
  if (!changed) return { kind: 'unchanged', findingId };
  if (reopened) await considerAutoRemediation(deps, findingId);
  return { kind: 'updated', findingId };
}

/**
 * The other Security Hub's copy of a finding already stored (same control, resource, account and region): its ref
 * is recorded so that every decision reaches both Security Hubs. The copy that came first keeps driving the stored
 * finding and its message, so the two Security Hubs never take turns changing one message.
 */
async function ingestCounterpart(
  deps: IngestDeps,
  delivered: Finding,
  record: FindingRecord,
): Promise<IngestOutcome | 'retry'> {
  const { findingId } = record;
  const ref = { id: delivered.id, productArn: delivered.productArn };
  const known = record.finding.counterpart;
  if (known && isSameRef(known, ref)) return { kind: 'unchanged', findingId };
  if (known)
    deps.log.warn('a third copy of a finding: keeping the first counterpart', {
      findingId,
      counterpart: known,
      copy: ref,
    });
  const written =
    known !== undefined ||
    (await deps.findings.updateFinding({
      record,
      finding: { ...record.finding, counterpart: ref },
      triage: record.triage,
      owesDelivery: false,
      now: deps.clock.now().toISO()!,
    }));
  if (!written) return 'retry';
  if (!known) await catchUpCounterpart(deps, record, delivered);
  return { kind: 'unchanged', findingId };
}

/**
 * A decision made before the other copy arrived (suppressed, accepted, resolved from Slack) is written to that copy
 * too, so both Security Hubs show it. A refusal is logged; the next decision reaches both anyway.
 */
async function catchUpCounterpart(deps: IngestDeps, record: FindingRecord, copy: Finding): Promise<void> {
  const decided = record.decidedWorkflowStatus;
  const workflow = deps.acceptanceHolds?.workflow;
  if (!decided || !workflow || decided === copy.workflowStatus) return;
  const note = `${decided} from Slack on the same finding in ${securityHubNameOf(record.finding)} (cspm-bot)`;
  const result = await workflow
    .updateWorkflow([
      {
        ref: { id: copy.id, productArn: copy.productArn, accountId: copy.accountId },
        status: decided,
        note: { text: note, updatedBy: 'cspm-bot' },
      },
    ])
    .catch((error: unknown) => ({
      processed: [],
      unprocessed: [{ ref: copy, errorMessage: toAppError(error).userMessage }],
    }));
  if (result.unprocessed.length > 0)
    deps.log.warn('the decision already made was not written to the other Security Hub', {
      findingId: record.findingId,
      copy: { id: copy.id, productArn: copy.productArn },
      refused: result.unprocessed,
    });
}

async function ingestOne(
  deps: IngestDeps,
  finding: Finding,
  findingId: string,
  readWithBatch?: ReadonlyMap<string, FindingRecord>,
): Promise<IngestOutcome> {
  // Conditional writes instead of transactions: on a lost race, read again and decide again (bounded).
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // The first attempt uses the batch's read; a stale one only loses its conditional write and is read again.
    const record =
      attempt === 0 && readWithBatch ? readWithBatch.get(findingId) : await deps.findings.get(findingId);
    const outcome = !record
      ? await ingestNew(deps, finding, findingId)
      : isSameRef(record.finding, finding)
        ? await ingestKnown(deps, finding, record)
        : await ingestCounterpart(deps, finding, record);
    if (outcome !== 'known' && outcome !== 'retry') return outcome;
  }
  throw new FindingKeptChangingError(
    `finding ${finding.id} kept changing under us; gave up after 3 attempts`,
    {
      findingId,
      accountId: finding.accountId,
    },
  );
}

function countByKind(outcomes: readonly IngestOutcome[]): Record<IngestOutcome['kind'], number> {
  const counts = noIngestCounts();
  for (const outcome of outcomes) counts[outcome.kind] += 1;
  return counts;
}

/** "ValidationException: Item size has exceeded the maximum allowed size": what failed, in the store's words. */
function failureReason(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * A fault on one finding: logged with its ids and reason, and quarantined so `/cspm status` shows it. If even the
 * quarantine cannot be written the store itself is failing: that fault is thrown, so nothing is skipped silently
 * (EventBridge retries the event; the sync does not move its cursor).
 */
async function failed(
  deps: IngestDeps,
  finding: Finding,
  findingKey: string,
  error: unknown,
): Promise<IngestOutcome> {
  const reason = failureReason(error);
  deps.log.error('could not ingest a finding; the rest of the batch goes on', {
    findingId: finding.id,
    findingKey,
    productArn: finding.productArn,
    accountId: finding.accountId,
    region: finding.region,
    reason,
  });
  await deps.quarantine?.record({ findingKey, finding, reason, now: deps.clock.now().toISO()! });
  return { kind: 'failed', findingId: findingKey, reason };
}

/** Findings this batch handled after all leave the quarantine (one read of a partition that is usually empty). */
async function releaseRecovered(deps: IngestDeps, handled: readonly string[]): Promise<void> {
  if (!deps.quarantine || handled.length === 0) return;
  const quarantined = await deps.quarantine.keys();
  for (const findingKey of handled) {
    if (quarantined.has(findingKey)) {
      await deps.quarantine.release(findingKey);
      deps.log.info('a quarantined finding was ingested after all', { findingKey });
    }
  }
}

/**
 * The batch is stored; posting is the delivery step's job. A failure to hand it off loses nothing: the messages
 * stay owed and the scheduled sync delivers them.
 */
async function handOffDelivery(deps: IngestDeps): Promise<void> {
  try {
    if (deps.deliveries) await deps.deliveries.deliveryOwed();
    else await deliverUntilDone(deps);
  } catch (error) {
    deps.log.warn('owed messages not handed to the delivery step; the sync delivers them', {
      error: toAppError(error),
    });
  }
}

/**
 * The key each finding of the batch is stored under: its own (`findingKeyOf`), or, with both Security Hubs read,
 * the key of the stored finding its other copy claimed first. One read per batch; a claim only for a first sight.
 */
async function storageKeysOf(deps: IngestDeps, items: readonly IngestItem[]): Promise<Map<Finding, string>> {
  const findings = items.flatMap((item) => (item.ok && 'finding' in item ? [item.finding] : []));
  const keys = new Map(findings.map((finding) => [finding, findingKeyOf(finding)]));
  const same = deps.sameFindings;
  if (!same) return keys;
  const sameKeys = new Map(findings.map((finding) => [finding, sameFindingKeyOf(finding)]));
  const holders = await same.holders([...sameKeys.values()].filter((key) => key !== undefined));
  for (const finding of findings) {
    const sameKey = sameKeys.get(finding);
    if (sameKey === undefined) continue;
    let holder = holders.get(sameKey);
    if (holder === undefined) {
      holder = await same.claim(sameKey, keys.get(finding)!, deps.clock.now().toISO()!);
      holders.set(sameKey, holder);
    }
    keys.set(finding, holder);
  }
  return keys;
}

/**
 * An exposure finding, applied where it stands in the batch so that either arrival order works: a control finding
 * stored earlier is enriched now, one stored later finds the exposure when it is stored. A fault is not caught here:
 * the batch fails and its messages are retried one by one, so an exposure is never dropped silently.
 */
async function exposureOutcome(deps: IngestDeps, exposure: ExposureFinding): Promise<IngestOutcome> {
  if (!deps.exposures)
    return {
      kind: 'malformed',
      reason: 'an exposure finding is only read with CSPM_FINDINGS_FORMAT=ocsf or both',
      findingId: exposure.id,
    };
  return applyExposure(
    { ...deps, exposures: deps.exposures, findings: deps.exposureCandidates ?? deps.findings },
    exposure,
  );
}

/** More active acceptances than this, and the batch asks the store per finding instead. */
const ACCEPTANCES_READ_PER_BATCH = 500;
/** Later than any acceptance ends: the index's range key is the instant an acceptance ends. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/**
 * The active acceptances, read once per batch instead of once per new finding (they are few, and most batches meet
 * none). The list comes from an index: an acceptance made in the last moment may be missing, and then a finding it
 * covers is posted as a new alert rather than held (never the other way round).
 */
async function acceptancesOfBatch(
  acceptances: NonNullable<IngestDeps['acceptanceHolds']>['acceptances'],
): Promise<NonNullable<IngestDeps['acceptanceHolds']>['acceptances']> {
  const active = await acceptances.activeEndingBefore(END_OF_TIME, ACCEPTANCES_READ_PER_BATCH + 1);
  if (active.length > ACCEPTANCES_READ_PER_BATCH) return acceptances;
  return {
    activeFor: async (accountId, controlId) =>
      active.filter((acceptance) => acceptance.accountId === accountId && acceptance.controlId === controlId),
    activeEndingBefore: (instant, limit) => acceptances.activeEndingBefore(instant, limit),
  };
}

/**
 * Ingest a batch from any source. One bad finding never stops the batch: malformed input is logged with its
 * reason and skipped; a fault on one finding is logged, counted as `failed`, quarantined, and the rest go on.
 */
export async function ingestFindings(deps: IngestDeps, items: readonly IngestItem[]): Promise<IngestReport> {
  const outcomes: IngestOutcome[] = [];
  const handled: string[] = [];
  // Status counters: gathered over the batch, written once at its end (even when it ends in a fault).
  const counting = await deps.findings.beginCountedBatch(deps.clock.now().toISO()!);
  const holds = deps.acceptanceHolds && {
    ...deps.acceptanceHolds,
    acceptances: await acceptancesOfBatch(deps.acceptanceHolds.acceptances),
  };
  const batchDeps: IngestDeps = {
    ...deps,
    findings: counting.findings,
    ...(holds && { acceptanceHolds: holds }),
    ...(deps.exposures && {
      exposures: exposuresOfBatch(deps.exposures),
      exposureCandidates: openFindingsOfBatch(counting.findings),
    }),
  };
  try {
    const keyOf = await storageKeysOf(deps, items);
    const stored = await deps.findings.getMany([...keyOf.values()]);
    // EventBridge delivers at least once: the same event twice in one batch is handled once, without a store call.
    const handledInBatch = new Map<string, string>();
    for (const item of items) {
      if (!item.ok) {
        deps.log.warn('skipping a malformed finding', { reason: item.reason, findingId: item.findingId });
        outcomes.push({
          kind: 'malformed',
          reason: item.reason,
          ...(item.findingId && { findingId: item.findingId }),
        });
        continue;
      }
      if ('exposure' in item) {
        outcomes.push(await exposureOutcome(batchDeps, item.exposure));
        continue;
      }
      const findingKey = keyOf.get(item.finding) ?? findingKeyOf(item.finding);
      const asDelivered = JSON.stringify(item.finding);
      if (handledInBatch.get(findingKey) === asDelivered) {
        outcomes.push({ kind: 'unchanged', findingId: findingKey });
        continue;
      }
      try {
        // The batch's read is stale for a finding this batch already wrote.
        const read = handledInBatch.has(findingKey) ? undefined : stored;
        // The exposures later in the batch read this account's open findings again.
        batchDeps.exposureCandidates?.forget(item.finding.accountId);
        outcomes.push(await ingestOne(batchDeps, item.finding, findingKey, read));
        handled.push(findingKey);
        handledInBatch.set(findingKey, asDelivered);
      } catch (error) {
        outcomes.push(await failed(batchDeps, item.finding, findingKey, error));
      }
    }
  } finally {
    await counting.finish();
  }
  await releaseRecovered(deps, handled);
  if (
    outcomes.some(
      (outcome) =>
        outcome.kind === 'alerted' ||
        outcome.kind === 'updated' ||
        (outcome.kind === 'enriched' && outcome.findingIds.length > 0),
    )
  )
    await handOffDelivery(deps);
  return { outcomes, counts: countByKind(outcomes) };
}
