import * as z from 'zod';
import {
  CLOSE_ACTIVITY_ID,
  DETECTION_FINDING_CLASS,
  isRecord,
  ocsfFindingIdOf as findingIdOf,
  ocsfId as id,
  ocsfText as text,
} from './ocsf-fields.js';
import { IDENTITY_LIMITS, TEXT_LIMITS, truncateText } from '../domain/finding-bounds.js';
import type { ExposedResource, ExposureFinding } from '../domain/security-hub-exposure.js';
import { shortIdOfArn } from '../domain/security-hub-exposure.js';
import type { OcsfResource } from './ocsf-resource.js';
import { asffResourceTypeOf, OcsfResourceSchema, resourceIdOf } from './ocsf-resource.js';

/**
 * Exposure findings of the newer Security Hub: OCSF Detection Findings (class 2004) of the "Exposure" analytic, as
 * AWS documents them (exposure-findings-sample.html). Security Hub's judgement that a resource is exposed, resting
 * on contributing findings (`finding_info.related_events`) whose traits say why: Reachability, Vulnerability,
 * Misconfiguration… Never posted: it enriches the control findings it concerns.
 */

export type ExposureResult =
  { ok: true; exposure: ExposureFinding } | { ok: false; reason: string; findingId?: string };

const EXPOSURE_ANALYTIC = 'exposure';
const REACHABILITY_TRAIT = 'reachability';
/** OCSF `status_id` 4 Resolved and 5 Archived, `activity_id` 3 Close: Security Hub no longer holds it open. */
const CLOSED_STATUS_IDS: readonly number[] = [4, 5];
/** OCSF observable type 10, "Resource UID": the resource a contributing finding is about. */
const RESOURCE_UID_TYPE_ID = 10;
const RESOURCE_UID_TYPE = 'resource uid';
/** RFC 3339 as Security Hub writes it: seconds required, optional fraction (the sample has nine digits). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const MAX_ISSUES_SHOWN = 5;
const MAX_PORT = 65535;

/** Only text is read from a trait's value(s); a value of another type is ignored, not fatal. */
const traitValues = { value: z.unknown().optional(), values: z.array(z.unknown()).nullish() };

/** AWS's sample: `tags: [{ name: "Reachability", values: […] }]`, the name being the trait's category. */
const OcsfTagSchema = z.looseObject({ name: text, ...traitValues });
/** OCSF traits, what GetFindingsV2 filters on (`related_events.traits.category`). */
const OcsfTraitSchema = z.looseObject({ category: text, name: text, type: text, ...traitValues });

const OcsfRelatedEventSchema = z.looseObject({
  uid: text,
  title: text,
  tags: z.array(OcsfTagSchema).nullish(),
  traits: z.array(OcsfTraitSchema).nullish(),
  observables: z.array(z.looseObject({ type: text, type_id: id, value: z.unknown().optional() })).nullish(),
});

const OcsfExposureFindingSchema = z.looseObject({
  class_uid: z.literal(DETECTION_FINDING_CLASS),
  activity_id: id,
  status_id: id,
  time_dt: text,
  cloud: z.looseObject({
    account: z.looseObject({ uid: z.string().regex(/^\d{12}$/, 'is not a 12-digit account id') }),
    region: text,
  }),
  finding_info: z.looseObject({
    uid: z.string().min(1),
    title: text,
    desc: text,
    created_time_dt: text,
    last_seen_time_dt: text,
    modified_time_dt: text,
    // AWS's sample spells the modification time so, inside finding_info.
    'finding.info.modified_time_dt': text,
    related_events: z.array(OcsfRelatedEventSchema).nullish(),
  }),
  // Not where AWS documents them; read when finding_info has none.
  related_events: z.array(OcsfRelatedEventSchema).nullish(),
  resources: z
    .array(
      OcsfResourceSchema.refine((resource) => resourceIdOf(resource) !== undefined, {
        message: 'is missing, and so are uid_alt and name',
        path: ['uid'],
      }),
    )
    .min(1),
  metadata: z.looseObject({ product: z.looseObject({ uid: z.string().min(1) }) }),
});

type OcsfExposureFinding = z.infer<typeof OcsfExposureFindingSchema>;
type OcsfRelatedEvent = z.infer<typeof OcsfRelatedEventSchema>;

/**
 * Ports a text names, as the bot writes them: "Port 22 is reachable from an Internet Gateway - TCP" → `tcp/22`,
 * "Port range 8000 - 8080 …" → `port 8000-8080`, "TCP port 3389" → `tcp/3389`, "udp 53" → `udp/53`. A protocol
 * written next to the port is its protocol; otherwise the one protocol the text names, if it names exactly one.
 * Ports outside 0..65535 and backwards ranges are ignored.
 */
export function portsNamedIn(text: string): string[] {
  const protocols = new Set([...text.matchAll(/\b(tcp|udp)\b/gi)].map((match) => match[1]!.toLowerCase()));
  const textProtocol = protocols.size === 1 ? [...protocols][0] : undefined;
  const ports: string[] = [];
  const named =
    /\b(?:(tcp|udp)\s*\/?\s*(?:ports?\s+)?(?:range\s+)?|ports?\s+(?:range\s+)?)(\d+)(?:\s*-\s*(\d+))?\b/gi;
  for (const [, ownProtocol, fromText = '', toText] of text.matchAll(named)) {
    const from = Number(fromText);
    const to = toText === undefined ? from : Number(toText);
    if (from > MAX_PORT || to > MAX_PORT || to < from) continue;
    const span = to === from ? `${from}` : `${from}-${to}`;
    const protocol = ownProtocol?.toLowerCase() ?? textProtocol;
    ports.push(protocol ? `${protocol}/${span}` : `port ${span}`);
  }
  return ports;
}

/**
 * One OCSF finding → the domain `ExposureFinding`, or why not (never throws). A Detection Finding of another
 * analytic (a GuardDuty threat) is refused in words: only exposures enrich control findings.
 */
export function exposureOfOcsf(raw: unknown): ExposureResult {
  const findingId = findingIdOf(raw);
  const refused = (reason: string): ExposureResult =>
    findingId === undefined
      ? { ok: false, reason }
      : { ok: false, reason, findingId: truncateText(findingId, IDENTITY_LIMITS.id.max) };
  if (!isRecord(raw)) return refused('OCSF finding is not an object');
  if (raw['class_uid'] !== DETECTION_FINDING_CLASS)
    return refused(
      `OCSF class ${String(raw['class_uid'])} is not an exposure finding: only Detection Findings (class 2004) of the Exposure analytic are`,
    );
  const analytic = analyticNameOf(raw);
  if (analytic?.trim().toLowerCase() !== EXPOSURE_ANALYTIC)
    return refused(
      `a Detection Finding of ${analytic === undefined ? 'no analytic (finding_info.analytic.name)' : `analytic "${clip(analytic)}"`} is not an exposure finding: only those of the Exposure analytic are`,
    );
  const parsed = OcsfExposureFindingSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, MAX_ISSUES_SHOWN)
      .map((issue) => `${issue.path.join('.') || 'finding'}: ${issue.message}`);
    return refused(`OCSF exposure finding is malformed: ${issues.join('; ')}`);
  }
  const finding = parsed.data;
  const updatedAt = updatedAtOf(finding);
  if (!updatedAt.ok) return refused(`OCSF exposure finding is malformed: ${updatedAt.problem}`);
  const region = finding.cloud.region || finding.resources[0]?.region;
  if (!region)
    return refused(
      'OCSF exposure finding is malformed: cloud.region: is missing, and so is resources.0.region',
    );
  const info = finding.finding_info;
  const events = info.related_events ?? finding.related_events ?? [];
  const reachabilityEvents = events.filter((event) => categoriesOf(event).some(isReachability));
  const title = info.title?.trim() || info.desc?.trim() || 'Exposure';
  return {
    ok: true,
    exposure: {
      id: info.uid,
      productArn: finding.metadata.product.uid,
      accountId: finding.cloud.account.uid,
      region,
      title: truncateText(title, TEXT_LIMITS.title),
      resources: finding.resources.map(exposedResourceOf),
      open: !CLOSED_STATUS_IDS.includes(finding.status_id ?? 1) && finding.activity_id !== CLOSE_ACTIVITY_ID,
      traits: distinct(events.flatMap(categoriesOf), (category) => category.toLowerCase()),
      reachable: reachabilityEvents.length > 0,
      reachablePorts: withoutVaguePorts(
        distinct(reachabilityEvents.flatMap(reachabilityTextsOf).flatMap(portsNamedIn)),
      ),
      contributingFindingIds: distinct(events.flatMap((event) => (event.uid?.trim() ? [event.uid] : []))),
      contributingResourceIds: distinct(events.flatMap(resourceUidsOf)),
      updatedAt: updatedAt.value,
    },
  };
}

/** The modification time, else the event time, else the last or first sighting: the first one present decides. */
function updatedAtOf(
  finding: OcsfExposureFinding,
): { ok: true; value: string } | { ok: false; problem: string } {
  const info = finding.finding_info;
  const candidates: [field: string, value: string | null | undefined][] = [
    ['finding_info.modified_time_dt', info.modified_time_dt],
    ['finding_info.finding.info.modified_time_dt', info['finding.info.modified_time_dt']],
    ['time_dt', finding.time_dt],
    ['finding_info.last_seen_time_dt', info.last_seen_time_dt],
    ['finding_info.created_time_dt', info.created_time_dt],
  ];
  const [field, value] = candidates.find(([, value]) => value) ?? [];
  if (!field || !value)
    return {
      ok: false,
      problem:
        'finding_info.modified_time_dt: is missing, and so are time_dt, finding_info.last_seen_time_dt and finding_info.created_time_dt',
    };
  const millis = TIMESTAMP.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(millis)
    ? { ok: false, problem: `${field} is not a valid timestamp: "${clip(value)}"` }
    : { ok: true, value: new Date(millis).toISOString() };
}

function exposedResourceOf(resource: OcsfResource): ExposedResource {
  // The schema refused a resource without any id.
  const id = resourceIdOf(resource) ?? '';
  return { id, shortId: shortIdOfArn(resource.uid || id), type: asffResourceTypeOf(resource.type) };
}

/** The trait categories a contributing finding carries: its tags' names, its traits' categories. */
function categoriesOf(event: OcsfRelatedEvent): string[] {
  return [
    ...(event.tags ?? []).map((tag) => tag.name?.trim()),
    ...(event.traits ?? []).map((trait) => trait.category?.trim()),
  ].filter((category): category is string => !!category);
}

function isReachability(category: string | null | undefined): boolean {
  return category?.trim().toLowerCase() === REACHABILITY_TRAIT;
}

/** Where a reachability finding names its ports: its title, its reachability traits' names and values. */
function reachabilityTextsOf(event: OcsfRelatedEvent): string[] {
  const traits = [
    ...(event.tags ?? []).filter((tag) => isReachability(tag.name)),
    ...(event.traits ?? []).filter((trait) => isReachability(trait.category)),
  ];
  const texts = [
    event.title,
    ...traits.flatMap((trait) => [trait.name, trait.value, ...(trait.values ?? [])]),
  ];
  return texts.filter((text): text is string => typeof text === 'string');
}

/**
 * `port 22` said nothing `tcp/22` does not: a control finding's title ("… to port 22") names no protocol where the
 * Inspector finding on the same path does ("Port 22 is reachable … - TCP").
 */
function withoutVaguePorts(ports: readonly string[]): string[] {
  const spansWithProtocol = new Set(
    ports.flatMap((port) => /^(?:tcp|udp)\/(.+)$/.exec(port)?.slice(1) ?? []),
  );
  return ports.filter((port) => !spansWithProtocol.has(/^port (.+)$/.exec(port)?.[1] ?? ''));
}

function resourceUidsOf(event: OcsfRelatedEvent): string[] {
  return (event.observables ?? []).flatMap((observable) => {
    const isResourceUid =
      observable.type_id === RESOURCE_UID_TYPE_ID ||
      observable.type?.trim().toLowerCase() === RESOURCE_UID_TYPE;
    const value = observable.value;
    return isResourceUid && typeof value === 'string' && value.trim() !== '' ? [value] : [];
  });
}

/** First occurrences only, in order; `keyOf` says which values are the same. */
function distinct(values: readonly string[], keyOf: (value: string) => string = (value) => value): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = keyOf(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function analyticNameOf(raw: Record<string, unknown>): string | undefined {
  const info = raw['finding_info'];
  const analytic = isRecord(info) ? info['analytic'] : undefined;
  const name = isRecord(analytic) ? analytic['name'] : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Text from a finding can be anything; keep reasons short. */
function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
