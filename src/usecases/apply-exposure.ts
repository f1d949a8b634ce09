import type { ExposureFinding, SecurityHubExposure } from '../domain/security-hub-exposure.js';
import { concernsFinding, exposureFor, sameExposure } from '../domain/security-hub-exposure.js';
import type { FindingRecord, FindingRepository } from '../store/finding-repository.js';
import type { ExposureRepository } from '../store/exposure-repository.js';
import type { Clock, Log } from './ports.js';
import { ReadsOnce } from './reads-once.js';

export interface ExposureDeps {
  readonly findings: Pick<FindingRepository, 'openFindings' | 'get' | 'updateFinding'>;
  readonly exposures: Pick<ExposureRepository, 'save' | 'openIn'>;
  readonly clock: Clock;
  readonly log: Log;
}

export type ExposureOutcome =
  /** Stored; the messages of the findings it concerns (none yet, perhaps) are owed an update. */
  | { readonly kind: 'enriched'; readonly exposureId: string; readonly findingIds: readonly string[] }
  /** An older update than the one stored (a late or repeated event): ignored. */
  | { readonly kind: 'unchanged'; readonly findingId: string };

/** Open findings of an account read to relate one exposure; past this, the oldest ones only (and a warning). */
const OPEN_FINDINGS_READ = 2000;
const ATTEMPTS = 3;

/** An open exposure with a path from the internet says more than an open one without, which says more than a closed one. */
function weight(exposure: SecurityHubExposure): number {
  return exposure.reachable ? 2 : exposure.open ? 1 : 0;
}

/**
 * What the record should hold once `exposure` is known: it, when it concerns the finding (unless the record holds
 * another exposure that says more: a group on two instances, one exposed); nothing, when the exposure it holds no
 * longer concerns it; `undefined` when nothing changes.
 */
function nextExposure(
  record: FindingRecord,
  exposure: ExposureFinding,
): SecurityHubExposure | null | undefined {
  const held = record.securityHubExposure;
  if (!concernsFinding(exposure, record)) return held?.exposureId === exposure.id ? null : undefined;
  const candidate = exposureFor(exposure, record.finding);
  if (held && held.exposureId !== exposure.id && weight(held) > weight(candidate)) return undefined;
  return sameExposure(held, candidate) ? undefined : candidate;
}

/** The exposure that says most about a finding arriving now, among the stored open ones that concern it. */
export function strongestExposureFor(
  exposures: readonly ExposureFinding[],
  under: Pick<FindingRecord, 'finding' | 'triage'>,
): SecurityHubExposure | undefined {
  return exposures
    .filter((exposure) => concernsFinding(exposure, under))
    .map((exposure) => exposureFor(exposure, under.finding))
    .sort((a, b) => weight(b) - weight(a) || b.updatedAt.localeCompare(a.updatedAt))[0];
}

/** Writes the exposure onto one record, reading it again after a lost race; true when the record changed. */
async function enrich(deps: ExposureDeps, read: FindingRecord, exposure: ExposureFinding): Promise<boolean> {
  let record: FindingRecord | undefined = read;
  for (let attempt = 0; attempt < ATTEMPTS && record; attempt += 1) {
    const next = nextExposure(record, exposure);
    if (next === undefined) return false;
    const written = await deps.findings.updateFinding({
      record,
      finding: record.finding,
      triage: record.triage,
      owesDelivery: true,
      securityHubExposure: next,
      now: deps.clock.now().toISO()!,
    });
    if (written) return true;
    record = await deps.findings.get(read.findingId);
  }
  if (record)
    deps.log.warn('an exposure finding kept losing races on a finding; its message may lag', {
      findingId: read.findingId,
      exposureId: exposure.id,
    });
  return false;
}

/**
 * An exposure finding of the newer Security Hub: stored (unless a newer update of it is), then written onto every
 * open finding of its account and region it concerns, and taken off those it no longer does. Their messages are owed
 * an update; the exposure itself is never posted.
 */
export async function applyExposure(deps: ExposureDeps, exposure: ExposureFinding): Promise<ExposureOutcome> {
  const saved = await deps.exposures.save(exposure, deps.clock.now().toISO()!);
  if (!saved) return { kind: 'unchanged', findingId: exposure.id };
  const open = await deps.findings.openFindings({ accountId: exposure.accountId, limit: OPEN_FINDINGS_READ });
  if (open.length >= OPEN_FINDINGS_READ)
    deps.log.warn('an exposure finding was related to the oldest open findings of its account only', {
      exposureId: exposure.id,
      accountId: exposure.accountId,
      read: open.length,
    });
  const enriched: string[] = [];
  for (const record of open) {
    if (record.finding.region !== exposure.region) continue;
    if (await enrich(deps, record, exposure)) enriched.push(record.findingId);
  }
  return { kind: 'enriched', exposureId: exposure.id, findingIds: enriched };
}

type ExposureFindings = ExposureDeps['findings'];

/**
 * The open findings a batch's exposures are related to: read once per account instead of once per exposure (a burst
 * of exposures in one account would otherwise read the account's open findings a hundred times), and kept in step
 * with what the exposures write. `forget` drops an account whose findings the batch changed in other ways.
 */
export function openFindingsOfBatch(findings: ExposureFindings): ExposureFindings & {
  forget(accountId: string): void;
} {
  const byAccount = new ReadsOnce<Map<string, FindingRecord>>();
  const remember = async (record: FindingRecord) => {
    const cached = await byAccount.readIfAny(record.finding.accountId);
    if (cached?.has(record.findingId)) cached.set(record.findingId, record);
  };
  return {
    forget: (accountId) => byAccount.forget(accountId),
    openFindings: async (filter = {}) => {
      const { accountId } = filter;
      if (accountId === undefined) return findings.openFindings(filter);
      const cached = await byAccount.read(accountId, async () => {
        const records = await findings.openFindings(filter);
        return new Map(records.map((record) => [record.findingId, record]));
      });
      return [...cached.values()];
    },
    get: async (findingId) => {
      const record = await findings.get(findingId);
      if (record) await remember(record);
      return record;
    },
    updateFinding: async (input) => {
      const written = await findings.updateFinding(input);
      if (written && input.securityHubExposure !== undefined) {
        const { securityHubExposure: _held, ...rest } = input.record;
        await remember({
          ...rest,
          finding: input.finding,
          triage: input.triage,
          version: input.record.version + 1,
          ...(input.securityHubExposure && { securityHubExposure: input.securityHubExposure }),
        });
      }
      return written;
    },
  };
}

/**
 * The open exposures of an account and region, read once per batch for the new findings that may need them, and
 * read again after the batch stores an exposure there.
 */
export function exposuresOfBatch(exposures: ExposureDeps['exposures']): ExposureDeps['exposures'] {
  const byAccountAndRegion = new ReadsOnce<ExposureFinding[]>();
  return {
    openIn: (accountId, region) =>
      byAccountAndRegion.read(`${accountId}#${region}`, () => exposures.openIn(accountId, region)),
    save: async (exposure, now) => {
      byAccountAndRegion.forget(`${exposure.accountId}#${exposure.region}`);
      return exposures.save(exposure, now);
    },
  };
}
