import { canonicalJson } from './canonical-json.js';
import type { Finding } from './finding.js';
import type { Triage, UrgencyBasis } from './triage.js';

/**
 * An exposure finding of the newer Security Hub (OCSF Detection Finding whose analytic is "Exposure"): Security Hub's
 * own judgement that a resource (an instance, a bucket) is exposed, with the traits and contributing findings it
 * rests on. It is never posted: it enriches the control findings it concerns (see `concernsFinding`).
 */
export interface ExposureFinding {
  /** `finding_info.uid`. */
  readonly id: string;
  /** `metadata.product.uid` (a `productv2/…` ARN). */
  readonly productArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly title: string;
  /** The exposed resources (`resources[]`): ARN (or uid) and the short id a person recognises (`i-0abc…`). */
  readonly resources: readonly ExposedResource[];
  /** False once Security Hub resolved or archived it (`status_id` 4/5, or a Close activity). */
  readonly open: boolean;
  /** Trait categories named by its contributing findings: `Reachability`, `Vulnerability`, `Misconfiguration`… */
  readonly traits: readonly string[];
  /** Reachability traits present: Security Hub found an open network path to the resource. */
  readonly reachable: boolean;
  /** Ports the reachability traits and titles name (`tcp/22`, `port 3389`); empty when they name none. */
  readonly reachablePorts: readonly string[];
  /** `related_events[].uid`: the contributing findings (a Security Hub CSPM control finding's id among them). */
  readonly contributingFindingIds: readonly string[];
  /** `related_events[].observables[]` resource UIDs: the resources of the contributing findings (a security group). */
  readonly contributingResourceIds: readonly string[];
  /** `finding_info.modified_time_dt` (else the event time): an older update never overrides a newer one. */
  readonly updatedAt: string;
}

export interface ExposedResource {
  /** ARN when OCSF carries one, else its uid. */
  readonly id: string;
  readonly shortId: string;
  /** ASFF type name (`AwsEc2Instance`, `AwsS3Bucket`). */
  readonly type: string;
}

/** What a stored finding keeps of the exposure finding that concerns it. */
export interface SecurityHubExposure {
  readonly exposureId: string;
  readonly open: boolean;
  readonly reachable: boolean;
  readonly ports: readonly string[];
  readonly traits: readonly string[];
  /** The exposed resource as a person knows it (`i-0abc…`): it may not be the finding's own (a group's instance). */
  readonly resourceShortId: string;
  /** Whether the exposed resource is the finding's own resource. */
  readonly sameResource: boolean;
  readonly updatedAt: string;
}

const ARN_PATTERN = /^arn:[^:]+:[^:]*:[^:]*:[^:]*:/;

function sameId(a: string, b: string): boolean {
  return a === b || (ARN_PATTERN.test(a) !== ARN_PATTERN.test(b) && shortIdOfArn(a) === shortIdOfArn(b));
}

/**
 * `arn:aws:ec2:…:instance/i-0abc` → `i-0abc`; `arn:aws:s3:::bucket` → `bucket`; `…:function:name` → `name`; anything
 * else as it is.
 */
export function shortIdOfArn(id: string): string {
  if (!ARN_PATTERN.test(id)) return id;
  const resource = id.replace(ARN_PATTERN, '');
  const afterSlash = resource.slice(resource.lastIndexOf('/') + 1);
  return afterSlash.slice(afterSlash.lastIndexOf(':') + 1) || resource;
}

/** What the finding stands for: the finding and how the bot triaged it (the reach it found, if it looked). */
export interface FindingUnderReview {
  readonly finding: Pick<Finding, 'id' | 'accountId' | 'region' | 'resource' | 'counterpart'>;
  readonly triage: Triage;
}

/** The interfaces' owners the bot found the internet reaching (a security group's instances); empty if none. */
function instancesReachedThrough(triage: Triage): string[] {
  if (triage.kind !== 'security-group' || triage.reach.kind !== 'internet') return [];
  return triage.reach.via.flatMap((facts) => (facts.attachedTo ? [facts.attachedTo] : []));
}

/**
 * Whether the exposure finding concerns this control finding, in the same account and region:
 * - the finding is one of its contributing findings (either Security Hub's copy of it);
 * - the exposed resource is the finding's resource (EC2.8 on the instance, S3.8 on the bucket);
 * - the finding's resource is a contributing resource (the security group that opens the path);
 * - the bot itself found the exposed instance behind the finding's security group.
 */
export function concernsFinding(exposure: ExposureFinding, under: FindingUnderReview): boolean {
  const { finding, triage } = under;
  if (finding.accountId !== exposure.accountId || finding.region !== exposure.region) return false;
  const ids = [finding.id, ...(finding.counterpart ? [finding.counterpart.id] : [])];
  if (ids.some((id) => exposure.contributingFindingIds.includes(id))) return true;
  const resourceIds = [
    ...exposure.resources.map((resource) => resource.id),
    ...exposure.contributingResourceIds,
  ];
  if (resourceIds.some((id) => sameId(id, finding.resource.id))) return true;
  const reached = instancesReachedThrough(triage);
  return exposure.resources.some((resource) => reached.includes(resource.shortId));
}

/** The part of the exposure a finding keeps, as seen from that finding. */
export function exposureFor(
  exposure: ExposureFinding,
  finding: Pick<Finding, 'resource'>,
): SecurityHubExposure {
  const own = exposure.resources.find((resource) => sameId(resource.id, finding.resource.id));
  const shown = own ?? exposure.resources[0];
  return {
    exposureId: exposure.id,
    open: exposure.open,
    reachable: exposure.open && exposure.reachable,
    ports: exposure.reachablePorts,
    traits: exposure.traits,
    resourceShortId: shown?.shortId ?? finding.resource.shortId,
    sameResource: own !== undefined,
    updatedAt: exposure.updatedAt,
  };
}

export function sameExposure(
  a: SecurityHubExposure | undefined,
  b: SecurityHubExposure | undefined,
): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** The bot's own reachability verdict, as far as its triage made one. */
export type OwnReachVerdict =
  | { readonly kind: 'reachable'; readonly ports: readonly string[] }
  | {
      readonly kind: 'not-reachable';
      readonly why: Extract<UrgencyBasis, { kind: 'not-reachable' }>['why'] | 'nothing-open';
    }
  /** The bot did not check, or could not tell (AWS not connected, rules unknown, not a network control). */
  | { readonly kind: 'no-verdict' };

export function ownReachVerdictOf(triage: Triage): OwnReachVerdict {
  if (triage.kind !== 'security-group') return { kind: 'no-verdict' };
  const basis = triage.urgencyBasis;
  switch (basis?.kind) {
    case 'reachable':
      return { kind: 'reachable', ports: basis.ports };
    case 'not-reachable':
      return { kind: 'not-reachable', why: basis.why };
    case 'nothing-open':
      return { kind: 'not-reachable', why: 'nothing-open' };
    default:
      return { kind: 'no-verdict' };
  }
}

/** A verdict the bot made: it found a path from the internet, or found none. */
export type OwnReachFinding = Exclude<OwnReachVerdict, { kind: 'no-verdict' }>;

/**
 * The bot's own verdict when it disagrees with Security Hub's exposure analysis on reachability (one finds a path
 * from the internet, the other none); undefined when they agree or the bot made no verdict.
 */
export function disagreeingVerdict(
  exposure: SecurityHubExposure,
  own: OwnReachVerdict,
): OwnReachFinding | undefined {
  if (own.kind === 'no-verdict') return undefined;
  return exposure.reachable === (own.kind === 'reachable') ? undefined : own;
}
