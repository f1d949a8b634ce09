import * as z from 'zod';
import {
  CLOSE_ACTIVITY_ID,
  COMPLIANCE_FINDING_CLASS,
  DETECTION_FINDING_CLASS,
  isRecord,
  ocsfFindingIdOf as findingIdOf,
  ocsfId as id,
  ocsfText as text,
} from './ocsf-fields.js';
import type { NormalizeResult } from './asff-finding.js';
import { normalizeAsffFinding, SECURITY_HUB_EVENT_SOURCE } from './asff-finding.js';
import type { ExposureResult } from './ocsf-exposure.js';
import { exposureOfOcsf } from './ocsf-exposure.js';
import type { OcsfResource } from './ocsf-resource.js';
import { asffResourceTypeOf, OcsfResourceSchema, resourceIdOf } from './ocsf-resource.js';

/**
 * With ocsf-exposure.ts, ocsf-resource.ts and ocsf-fields.ts, the only place that knows OCSF: findings of the newer Security Hub
 * (EventBridge "Findings Imported V2", GetFindingsV2). A compliance finding (class 2003) of a Security Hub CSPM control is mapped field by field onto
 * the ASFF fields the ASFF normalizer reads, so both formats become the same `Finding` by the same rules (bounds,
 * control ids, resource details). The mapping is written down in the README ("Findings from both Security Hubs").
 */

export const FINDINGS_IMPORTED_V2_DETAIL_TYPE = 'Findings Imported V2';

/** A finding of the newer Security Hub, read: a control finding, an exposure finding, or why neither. */
export type OcsfResult = NormalizeResult | ExposureResult;

/** OCSF `severity_id` → Security Hub severity; 0 (Unknown) and 99 (Other) fall back to `severity`'s words. */
const SEVERITY_BY_ID: Readonly<Record<number, string>> = {
  1: 'INFORMATIONAL',
  2: 'LOW',
  3: 'MEDIUM',
  4: 'HIGH',
  5: 'CRITICAL',
  // ASFF has nothing above CRITICAL.
  6: 'CRITICAL',
};

/** The OCSF `severity_id`s of Security Hub severities (Fatal counts as CRITICAL): what an EventBridge rule matches. */
export function ocsfSeverityIdsOf(labels: readonly string[]): number[] {
  return Object.entries(SEVERITY_BY_ID)
    .filter(([, label]) => labels.includes(label))
    .map(([id]) => Number(id));
}

/**
 * OCSF finding `status_id` → ASFF workflow status. 2 "In Progress" is what BatchUpdateFindingsV2 writes for a
 * NOTIFIED finding (and what AWS's own remediation solution maps both ways); 5 "Archived" is a record state.
 */
const WORKFLOW_BY_STATUS_ID: Readonly<Record<number, string>> = {
  0: 'NEW',
  1: 'NEW',
  2: 'NOTIFIED',
  3: 'SUPPRESSED',
  4: 'RESOLVED',
  5: 'NEW',
  99: 'NEW',
};

/** OCSF compliance `status_id`: 1 Pass, 2 Warning, 3 Fail; 0 Unknown and 99 Other have no ASFF counterpart. */
const COMPLIANCE_BY_STATUS_ID: Readonly<Record<number, string>> = {
  0: 'NOT_AVAILABLE',
  1: 'PASSED',
  2: 'WARNING',
  3: 'FAILED',
  99: 'NOT_AVAILABLE',
};

const COMPLIANCE_BY_WORD: Readonly<Record<string, string>> = {
  pass: 'PASSED',
  warning: 'WARNING',
  fail: 'FAILED',
};

const ARCHIVED_STATUS_ID = 5;

const OcsfComplianceFindingSchema = z.looseObject({
  class_uid: z.literal(COMPLIANCE_FINDING_CLASS),
  activity_id: id,
  severity_id: id,
  severity: text,
  status_id: id,
  time_dt: text,
  cloud: z.looseObject({
    account: z.looseObject({ uid: z.string().regex(/^\d{12}$/, 'is not a 12-digit account id') }),
    region: text,
    cloud_partition: text,
  }),
  finding_info: z.looseObject({
    uid: z.string().min(1),
    title: z.string(),
    desc: text,
    created_time_dt: text,
    first_seen_time_dt: text,
    last_seen_time_dt: text,
    modified_time_dt: text,
    analytic: z.looseObject({ uid: text, name: text }).nullish(),
  }),
  compliance: z.looseObject({
    control: z.string().min(1),
    status: text,
    status_id: id,
    control_parameters: z.array(z.looseObject({ name: text, value: z.unknown() })).nullish(),
  }),
  resources: z.array(OcsfResourceSchema).min(1),
  metadata: z.looseObject({ product: z.looseObject({ uid: z.string().min(1) }) }),
  remediation: z.looseObject({ references: z.array(z.string()).nullish() }).nullish(),
  vendor_attributes: z.looseObject({ severity: text }).nullish(),
});

type OcsfComplianceFinding = z.infer<typeof OcsfComplianceFindingSchema>;

const ImportedV2EventSchema = z.looseObject({
  detail: z.looseObject({ findings: z.array(z.unknown()) }),
});

/**
 * ASFF-style `Details` when the resource's `data` carries them under the ASFF type name. Otherwise a security
 * group's name and id only: its rules stay unknown (not "none open") until EC2 is read.
 */
function detailsOf(resource: OcsfResource, asffType: string): Record<string, unknown> | undefined {
  const details = resource.data?.[asffType];
  if (typeof details === 'object' && details !== null) return { [asffType]: details };
  if (asffType !== 'AwsEc2SecurityGroup' || !resource.name) return undefined;
  return {
    AwsEc2SecurityGroup: { GroupName: resource.name, ...(resource.uid && { GroupId: resource.uid }) },
  };
}

function severityLabel(finding: OcsfComplianceFinding): string | undefined {
  const byId =
    finding.severity_id === null || finding.severity_id === undefined
      ? undefined
      : SEVERITY_BY_ID[finding.severity_id];
  if (byId) return byId;
  const words = finding.severity ?? finding.vendor_attributes?.severity;
  return words ? words.trim().toUpperCase() : undefined;
}

function complianceStatus(compliance: OcsfComplianceFinding['compliance']): string | undefined {
  if (compliance.status_id !== null && compliance.status_id !== undefined)
    return COMPLIANCE_BY_STATUS_ID[compliance.status_id];
  return compliance.status ? COMPLIANCE_BY_WORD[compliance.status.trim().toLowerCase()] : undefined;
}

/** OCSF control parameters (`[{ name, value }]`, value a list or one value) in ASFF's shape. */
function controlParameters(
  compliance: OcsfComplianceFinding['compliance'],
): Record<string, unknown>[] | undefined {
  const parameters = compliance.control_parameters?.flatMap((parameter) => {
    const value = parameter.value;
    const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    return parameter.name ? [{ Name: parameter.name, Value: values.map(String) }] : [];
  });
  return parameters && parameters.length > 0 ? parameters : undefined;
}

/** The ASFF fields the ASFF normalizer reads, taken from the OCSF compliance finding (see the README's table). */
export function asffFieldsOf(finding: OcsfComplianceFinding): Record<string, unknown> {
  const info = finding.finding_info;
  const archived = finding.status_id === ARCHIVED_STATUS_ID || finding.activity_id === CLOSE_ACTIVITY_ID;
  const updatedAt =
    info.modified_time_dt ?? finding.time_dt ?? info.last_seen_time_dt ?? info.created_time_dt;
  const severity = severityLabel(finding);
  const status = complianceStatus(finding.compliance);
  const parameters = controlParameters(finding.compliance);
  const url = finding.remediation?.references?.find((reference) => /^https:\/\//i.test(reference));
  return {
    Id: info.uid,
    ProductArn: finding.metadata.product.uid,
    GeneratorId: info.analytic?.uid || `security-control/${finding.compliance.control}`,
    AwsAccountId: finding.cloud.account.uid,
    ...(finding.cloud.region && { Region: finding.cloud.region }),
    Title: info.title,
    ...(info.desc && { Description: info.desc }),
    Severity: severity === undefined ? {} : { Label: severity },
    Resources: finding.resources.map((resource) => {
      const type = asffResourceTypeOf(resource.type);
      const tags = resource.tags?.filter((tag) => typeof tag.value === 'string');
      const details = detailsOf(resource, type);
      return {
        Type: type,
        Id: resourceIdOf(resource) ?? '',
        ...(resource.cloud_partition && { Partition: resource.cloud_partition }),
        ...(resource.region && { Region: resource.region }),
        ...(tags &&
          tags.length > 0 && { Tags: Object.fromEntries(tags.map((tag) => [tag.name, tag.value])) }),
        ...(details && { Details: details }),
      };
    }),
    Compliance: {
      SecurityControlId: finding.compliance.control,
      ...(status && { Status: status }),
      ...(parameters && { SecurityControlParameters: parameters }),
    },
    Workflow: { Status: WORKFLOW_BY_STATUS_ID[finding.status_id ?? 1] ?? 'NEW' },
    RecordState: archived ? 'ARCHIVED' : 'ACTIVE',
    ...(info.first_seen_time_dt && { FirstObservedAt: info.first_seen_time_dt }),
    ...(info.last_seen_time_dt && { LastObservedAt: info.last_seen_time_dt }),
    ...(info.created_time_dt && { CreatedAt: info.created_time_dt }),
    ...(updatedAt && { UpdatedAt: updatedAt }),
    ...(url && { Remediation: { Recommendation: { Url: url } } }),
  };
}

function classOf(raw: unknown): string {
  if (!isRecord(raw)) return 'not an object';
  const name = typeof raw['class_name'] === 'string' ? ` (${raw['class_name']})` : '';
  return `${String(raw['class_uid'])}${name}`;
}

/**
 * One OCSF finding → the domain `Finding`, or why not. Only compliance findings of Security Hub CSPM controls are
 * findings the bot posts; exposure findings (Detection Findings) only enrich them (see `exposureOfOcsf`).
 */
export function normalizeOcsfFinding(raw: unknown): NormalizeResult {
  const findingId = findingIdOf(raw);
  const withId = (reason: string): NormalizeResult =>
    findingId === undefined ? { ok: false, reason } : { ok: false, reason, findingId };
  if (!isRecord(raw)) return withId('OCSF finding is not an object');
  if (raw['class_uid'] !== COMPLIANCE_FINDING_CLASS) {
    return withId(
      raw['class_uid'] === DETECTION_FINDING_CLASS
        ? 'an exposure (Detection Finding, class 2004) is not a control finding: it only enriches one'
        : `OCSF class ${classOf(raw)} is not supported: only compliance findings (class 2003) are`,
    );
  }
  const parsed = OcsfComplianceFindingSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'finding'}: ${issue.message}`);
    return withId(`OCSF compliance finding is malformed: ${issues.join('; ')}`);
  }
  const result = normalizeAsffFinding(asffFieldsOf(parsed.data));
  return result.ok ? result : { ...result, reason: inOcsfTerms(result.reason) };
}

/** The ASFF fields the mapping fills, by the OCSF field they come from: a reason names what the sender sent. */
const OCSF_FIELD_OF: Readonly<Record<string, string>> = {
  UpdatedAt: 'finding_info.modified_time_dt',
  FirstObservedAt: 'finding_info.first_seen_time_dt',
  LastObservedAt: 'finding_info.last_seen_time_dt',
  CreatedAt: 'finding_info.created_time_dt',
  Title: 'finding_info.title',
  Severity: 'severity_id',
  Region: 'cloud.region',
  Resources: 'resources',
  Id: 'finding_info.uid',
  ProductArn: 'metadata.product.uid',
  GeneratorId: 'finding_info.analytic.uid',
};

function inOcsfTerms(reason: string): string {
  return reason.replace(
    /\b(UpdatedAt|FirstObservedAt|LastObservedAt|CreatedAt|Title|Severity|Region|Resources|Id|ProductArn|GeneratorId)\b/g,
    (field) => OCSF_FIELD_OF[field] ?? field,
  );
}

/** An exposure finding (class 2004) is read as one; anything else as a compliance finding, or refused. */
export function ocsfResultOf(raw: unknown): OcsfResult {
  return isRecord(raw) && raw['class_uid'] === DETECTION_FINDING_CLASS
    ? exposureOfOcsf(raw)
    : normalizeOcsfFinding(raw);
}

/**
 * Reads every finding of an EventBridge "Findings Imported V2" event (one per event): compliance findings become
 * findings, exposure findings exposures. An envelope that is not such an event gives a single `ok: false` result
 * saying why.
 */
export function findingsFromImportedV2Event(event: unknown): {
  findings: OcsfResult[];
  eventId?: string;
} {
  if (!isRecord(event)) return { findings: [{ ok: false, reason: 'Event is not an object' }] };
  const eventId = typeof event['id'] === 'string' ? event['id'] : undefined;
  const withId = (findings: OcsfResult[]) => (eventId === undefined ? { findings } : { findings, eventId });
  if (event['detail-type'] !== FINDINGS_IMPORTED_V2_DETAIL_TYPE)
    return withId([{ ok: false, reason: `Event detail-type is not "${FINDINGS_IMPORTED_V2_DETAIL_TYPE}"` }]);
  if (event['source'] !== SECURITY_HUB_EVENT_SOURCE)
    return withId([{ ok: false, reason: `Event source is not "${SECURITY_HUB_EVENT_SOURCE}"` }]);
  const parsed = ImportedV2EventSchema.safeParse(event);
  if (!parsed.success) return withId([{ ok: false, reason: 'Event detail.findings is not a list' }]);
  if (parsed.data.detail.findings.length === 0)
    return withId([{ ok: false, reason: 'Event detail.findings is empty' }]);
  return withId(parsed.data.detail.findings.map(ocsfResultOf));
}
