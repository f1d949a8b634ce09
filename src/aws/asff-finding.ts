import * as z from 'zod';
import { AppError } from '../domain/app-error.js';
import type {
  ComplianceStatus,
  Finding,
  FindingResource,
  FindingResourceDetails,
  RecordState,
  WorkflowStatus,
} from '../domain/finding.js';
import { boundFinding, IDENTITY_LIMITS, identityProblem, truncateText } from '../domain/finding-bounds.js';
import { isSecurityControlId, legacyControlId } from '../domain/legacy-control-id.js';
import type { SecurityGroupRule } from '../domain/security-group-rule.js';
import { isSeverity, severityFromNormalized, type Severity } from '../domain/severity.js';
import { networkAclDetails } from './asff-network-acl.js';
import { s3BucketDetails } from './asff-s3-bucket.js';

/**
 * The only place that knows ASFF. Accepts a finding from an EventBridge "Security Hub Findings - Imported" event or
 * from the SDK's GetFindings (`AwsSecurityFinding`): both use the same field names and string timestamps.
 * Only the fields the bot needs are validated; everything else passes through unread.
 */
export type NormalizeResult =
  { ok: true; finding: Finding } | { ok: false; reason: string; findingId?: string };

export const FINDINGS_IMPORTED_DETAIL_TYPE = 'Security Hub Findings - Imported';
export const SECURITY_HUB_EVENT_SOURCE = 'aws.securityhub';

const WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'];
const RECORD_STATES: readonly RecordState[] = ['ACTIVE', 'ARCHIVED'];
const COMPLIANCE_STATUSES: readonly ComplianceStatus[] = ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'];

/**
 * The retired `WorkflowState` (NEW | ASSIGNED | IN_PROGRESS | DEFERRED | RESOLVED) only matters for findings that
 * predate `Workflow.Status` (March 2020). AWS documents no mapping; ours keeps anything still being worked on open,
 * and treats DEFERRED ("not now") as suppressed.
 */
const LEGACY_WORKFLOW_STATES: Readonly<Record<string, WorkflowStatus>> = {
  NEW: 'NEW',
  ASSIGNED: 'NEW',
  IN_PROGRESS: 'NEW',
  RESOLVED: 'RESOLVED',
  DEFERRED: 'SUPPRESSED',
};

/** Resource types whose `Details` we read; a finding's first resource of one of these types is "its" resource. */
const DESCRIBED_RESOURCE_TYPES: readonly string[] = [
  'AwsEc2SecurityGroup',
  'AwsEc2Instance',
  'AwsAutoScalingAutoScalingGroup',
  'AwsAutoScalingLaunchConfiguration',
  'AwsEc2LaunchTemplate',
  'AwsEc2NetworkAcl',
  'AwsS3Bucket',
];

/** Control findings come from Security Hub itself; a third-party product cannot make the bot act on a control. */
const SECURITY_HUB_PRODUCT_ARN = /^arn:[a-z-]+:securityhub:[a-z0-9-]*::product\/aws\/securityhub$/;
/** RFC 3339 as Security Hub accepts it: seconds required, optional fraction, `Z` or an offset. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const ARN_PARTS = /^arn:([^:]+):[^:]*:([^:]*):/;
const MAX_ISSUES_SHOWN = 5;

const optionalText = z.string().nullish();

const AsffResourceSchema = z.looseObject({
  Type: z.string().min(1),
  Id: z.string().min(1),
  Partition: optionalText,
  Region: optionalText,
  Tags: z.record(z.string(), z.unknown()).nullish(),
  Details: z.record(z.string(), z.unknown()).nullish(),
});

const AsffFindingSchema = z.looseObject({
  Id: z.string().min(1),
  ProductArn: z.string().min(1),
  GeneratorId: z.string().min(1),
  AwsAccountId: z.string().regex(/^\d{12}$/, 'is not a 12-digit account id'),
  Region: optionalText,
  Title: z.string(),
  Description: optionalText,
  Severity: z.looseObject({
    Label: optionalText,
    // A number in most findings, but the consolidated sample (and some exports) carry it as text: "40".
    Normalized: z.union([z.number(), z.string()]).nullish(),
  }),
  Resources: z.array(AsffResourceSchema).min(1),
  Compliance: z.looseObject({ Status: optionalText, SecurityControlId: optionalText }).nullish(),
  ProductFields: z.record(z.string(), z.unknown()).nullish(),
  Workflow: z.looseObject({ Status: optionalText }).nullish(),
  WorkflowState: optionalText,
  RecordState: optionalText,
  FirstObservedAt: optionalText,
  LastObservedAt: optionalText,
  CreatedAt: optionalText,
  UpdatedAt: z.string(),
  Remediation: z.looseObject({ Recommendation: z.looseObject({ Url: optionalText }).nullish() }).nullish(),
});

type AsffFinding = z.infer<typeof AsffFindingSchema>;
type AsffResource = z.infer<typeof AsffResourceSchema>;

const SecurityGroupDetailsSchema = z.looseObject({
  GroupId: optionalText,
  GroupName: optionalText,
  VpcId: optionalText,
  IpPermissions: z
    .array(
      z.looseObject({
        IpProtocol: optionalText,
        FromPort: z.number().int().nullish(),
        ToPort: z.number().int().nullish(),
        IpRanges: z.array(z.looseObject({ CidrIp: optionalText })).nullish(),
        Ipv6Ranges: z.array(z.looseObject({ CidrIpv6: optionalText })).nullish(),
        UserIdGroupPairs: z.array(z.looseObject({ GroupId: optionalText, UserId: optionalText })).nullish(),
        PrefixListIds: z.array(z.looseObject({ PrefixListId: optionalText })).nullish(),
      }),
    )
    .nullish(),
});

const MetadataOptionsSchema = z
  .looseObject({ HttpTokens: optionalText, HttpPutResponseHopLimit: z.number().int().nullish() })
  .nullish();

const InstanceDetailsSchema = z.looseObject({
  IpV4Addresses: z.array(z.string()).nullish(),
  SubnetId: optionalText,
  VpcId: optionalText,
  MetadataOptions: MetadataOptionsSchema,
});

const LaunchConfigurationDetailsSchema = z.looseObject({
  LaunchConfigurationName: optionalText,
  MetadataOptions: MetadataOptionsSchema,
});

const LaunchTemplateSpecificationSchema = z.looseObject({
  LaunchTemplateId: optionalText,
  LaunchTemplateName: optionalText,
  Version: optionalText,
});

const AutoScalingGroupDetailsSchema = z.looseObject({
  LaunchConfigurationName: optionalText,
  LaunchTemplate: LaunchTemplateSpecificationSchema.nullish(),
  MixedInstancesPolicy: z
    .looseObject({
      LaunchTemplate: z
        .looseObject({ LaunchTemplateSpecification: LaunchTemplateSpecificationSchema.nullish() })
        .nullish(),
    })
    .nullish(),
});

const ImportedEventSchema = z.looseObject({
  detail: z.looseObject({ findings: z.array(z.unknown()) }),
});

/** A finding we cannot turn into a `Finding`; caught below and returned as `ok: false`, never thrown to callers. */
class InvalidAsffFindingError extends AppError {
  readonly code = 'ASFF_FINDING_INVALID';
}

function reject(reason: string): never {
  throw new InvalidAsffFindingError(reason);
}

export function normalizeAsffFinding(raw: unknown): NormalizeResult {
  let findingId: string | undefined;
  try {
    findingId = idOf(raw);
    const parsed = AsffFindingSchema.safeParse(raw, { error: readableIssue });
    if (!parsed.success) return failure(describeIssues('Finding', parsed.error.issues), findingId);
    // An identity Security Hub itself would refuse cannot be addressed later (BatchUpdateFindings): refused here.
    const refused = identityProblem({
      id: parsed.data.Id,
      productArn: parsed.data.ProductArn,
      generatorId: parsed.data.GeneratorId,
    });
    if (refused) return failure(refused, findingId);
    // Bounded before anything stores or posts it: no text a finding carries can break a DynamoDB item or a message.
    return { ok: true, finding: boundFinding(toFinding(parsed.data)) };
  } catch (error) {
    const reason =
      error instanceof InvalidAsffFindingError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    return failure(reason, findingId);
  }
}

/**
 * Normalizes every finding of an EventBridge "Security Hub Findings - Imported" event (Security Hub sends one per
 * event). An envelope that is not such an event gives a single `ok: false` result saying why.
 */
export function findingsFromImportedEvent(event: unknown): { findings: NormalizeResult[]; eventId?: string } {
  try {
    return importedEventFindings(event);
  } catch (error) {
    return {
      findings: [failure(`unexpected error: ${error instanceof Error ? error.message : String(error)}`)],
    };
  }
}

function importedEventFindings(event: unknown): { findings: NormalizeResult[]; eventId?: string } {
  if (!isRecord(event)) return { findings: [failure('Event is not an object')] };
  const eventId = typeof event['id'] === 'string' ? event['id'] : undefined;
  const withId = (findings: NormalizeResult[]) =>
    eventId === undefined ? { findings } : { findings, eventId };

  // Checked before the rest of the shape: a rule that routes the wrong events here is the likely cause.
  const detailType = event['detail-type'];
  if (detailType !== FINDINGS_IMPORTED_DETAIL_TYPE) {
    return withId([
      failure(`Event detail-type is ${quoted(detailType)}, not "${FINDINGS_IMPORTED_DETAIL_TYPE}"`),
    ]);
  }
  if (event['source'] !== SECURITY_HUB_EVENT_SOURCE) {
    return withId([
      failure(`Event source is ${quoted(event['source'])}, not "${SECURITY_HUB_EVENT_SOURCE}"`),
    ]);
  }
  const parsed = ImportedEventSchema.safeParse(event, { error: readableIssue });
  if (!parsed.success) return withId([failure(`Event ${describeIssues('Event', parsed.error.issues)}`)]);
  const { findings } = parsed.data.detail;
  if (findings.length === 0) return withId([failure('Event detail.findings is empty')]);
  return withId(findings.map(normalizeAsffFinding));
}

function toFinding(asff: AsffFinding): Finding {
  const title = asff.Title.trim();
  if (title === '') reject('Title is empty');
  const region =
    asff.Region || arnRegion(asff.Id) || arnRegion(asff.ProductArn) || reject('Region is missing');
  const productFields = textEntries(asff.ProductFields);
  const controlId = SECURITY_HUB_PRODUCT_ARN.test(asff.ProductArn)
    ? controlIdOf(asff, productFields)
    : undefined;
  const resource = primaryResource(asff.Resources);
  const findingResource = toFindingResource(resource, region);
  const updatedAt = timestamp('UpdatedAt', asff.UpdatedAt);
  const description = asff.Description?.trim();
  const complianceStatus = asff.Compliance?.Status
    ? oneOf('Compliance.Status', asff.Compliance.Status, COMPLIANCE_STATUSES)
    : undefined;
  const remediationUrl = asff.Remediation?.Recommendation?.Url;
  const controlParameters = controlId === undefined ? undefined : controlParametersOf(asff.Compliance);

  return {
    id: asff.Id,
    productArn: asff.ProductArn,
    ...optional('controlId', controlId),
    generatorId: asff.GeneratorId,
    title,
    ...optional('description', description || undefined),
    severity: severityOf(asff.Severity),
    accountId: asff.AwsAccountId,
    region,
    resource: findingResource,
    details: detailsOf(resource, findingResource.shortId),
    workflowStatus: workflowStatusOf(asff),
    recordState: asff.RecordState ? oneOf('RecordState', asff.RecordState, RECORD_STATES) : 'ACTIVE',
    ...optional('complianceStatus', complianceStatus),
    firstObservedAt: firstObservedAtOf(asff),
    lastObservedAt: asff.LastObservedAt ? timestamp('LastObservedAt', asff.LastObservedAt) : updatedAt,
    updatedAt,
    // Only https links: the URL ends up as a link in Slack.
    ...optional(
      'remediationUrl',
      remediationUrl && /^https:\/\//i.test(remediationUrl) ? remediationUrl : undefined,
    ),
    ...optional('controlParameters', controlParameters),
  };
}

const SecurityControlParametersSchema = z.array(
  z.looseObject({ Name: optionalText, Value: z.array(z.union([z.string(), z.number()])).nullish() }),
);

/**
 * `Compliance.SecurityControlParameters` (`[{ Name: 'authorizedTcpPorts', Value: ['80', '443'] }]`) by name. A
 * malformed list is left out rather than losing the finding: the control's defaults then apply.
 */
function controlParametersOf(compliance: AsffFinding['Compliance']): Record<string, string[]> | undefined {
  const parsed = SecurityControlParametersSchema.safeParse(compliance?.['SecurityControlParameters']);
  if (!parsed.success) return undefined;
  const entries = parsed.data.flatMap((parameter): [string, string[]][] => {
    const name = parameter.Name?.trim();
    return name && parameter.Value ? [[name, parameter.Value.map((value) => String(value).trim())]] : [];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function controlIdOf(asff: AsffFinding, productFields: Readonly<Record<string, string>>): string | undefined {
  const securityControlId = asff.Compliance?.SecurityControlId?.trim();
  if (securityControlId) return securityControlId;
  // FSBP/NIST/Control Tower findings without consolidation carry the consolidated id here; CIS and PCI v3.2.1 do not.
  const standardControlId = productFields['ControlId'];
  if (standardControlId !== undefined && isSecurityControlId(standardControlId)) return standardControlId;
  return legacyControlId(asff.GeneratorId, productFields);
}

function severityOf(severity: AsffFinding['Severity']): Severity {
  const label = severity.Label?.trim().toUpperCase();
  if (label && isSeverity(label)) return label;
  const normalized = severity.Normalized;
  if (normalized !== undefined && normalized !== null) {
    const score =
      typeof normalized === 'number' ? normalized : normalized.trim() === '' ? NaN : Number(normalized);
    if (Number.isFinite(score) && score >= 0 && score <= 100) return severityFromNormalized(score);
    reject(`Severity.Normalized "${clip(String(normalized))}" is not a number from 0 to 100`);
  }
  return label
    ? reject(`Severity.Label "${clip(label)}" is not a Security Hub severity and there is no Normalized`)
    : reject('Severity has neither Label nor Normalized');
}

function workflowStatusOf(asff: AsffFinding): WorkflowStatus {
  const status = asff.Workflow?.Status;
  if (status) return oneOf('Workflow.Status', status, WORKFLOW_STATUSES);
  const legacy = asff.WorkflowState;
  if (!legacy) return 'NEW';
  return LEGACY_WORKFLOW_STATES[legacy.toUpperCase()] ?? reject(`WorkflowState "${clip(legacy)}" is unknown`);
}

function primaryResource(resources: readonly AsffResource[]): AsffResource {
  const described = resources.find(
    (resource) =>
      DESCRIBED_RESOURCE_TYPES.includes(resource.Type) || securityGroupIdOfArn(resource.Id) !== undefined,
  );
  // The schema guarantees at least one resource.
  return described ?? (resources[0] as AsffResource);
}

function toFindingResource(resource: AsffResource, findingRegion: string): FindingResource {
  const tags = textEntries(resource.Tags);
  const groupName = textOf(detailsOfType(resource, 'AwsEc2SecurityGroup')?.['GroupName']);
  const name = groupName ?? tags['Name'];
  return {
    type: resourceTypeOf(resource),
    id: resource.Id,
    shortId: shortIdOf(resource.Id),
    region: resource.Region || arnRegion(resource.Id) || findingRegion,
    partition: resource.Partition || ARN_PARTS.exec(resource.Id)?.[1] || 'aws',
    ...optional('name', name || undefined),
    ...optional('tags', Object.keys(tags).length > 0 ? tags : undefined),
  };
}

/** `arn:aws:ec2:region:account:security-group/sg-…` → `sg-…`; undefined for anything else. */
const SECURITY_GROUP_ARN = /^arn:[a-z-]+:ec2:[a-z0-9-]*:\d{12}:security-group\/(sg-[0-9a-f]+)$/;

function securityGroupIdOfArn(resourceId: string): string | undefined {
  return SECURITY_GROUP_ARN.exec(resourceId.trim())?.[1];
}

/**
 * Older integrations send a security group as `Type: "Other"` with `Details.Other`; its ARN still says what it
 * is, and calling it `AwsEc2SecurityGroup` lets triage and remediation read the group from EC2.
 */
function resourceTypeOf(resource: AsffResource): string {
  if (DESCRIBED_RESOURCE_TYPES.includes(resource.Type)) return resource.Type;
  return securityGroupIdOfArn(resource.Id) !== undefined ? 'AwsEc2SecurityGroup' : resource.Type;
}

/** `sg-…` and `i-…` from EC2 ARNs, the name from Auto Scaling ARNs, the bucket from S3 ARNs, else the id's tail. */
function shortIdOf(resourceId: string): string {
  const autoScalingName = /:(?:autoScalingGroupName|launchConfigurationName)\/(.+)$/.exec(resourceId)?.[1];
  if (autoScalingName) return autoScalingName;
  const afterSlash = resourceId.slice(resourceId.lastIndexOf('/') + 1);
  return afterSlash.slice(afterSlash.lastIndexOf(':') + 1) || resourceId;
}

/**
 * Details are a head start, not a source of truth (remediation re-reads AWS), so details that do not have the
 * documented shape give `none` instead of losing the whole finding.
 */
function detailsOf(resource: AsffResource, shortId: string): FindingResourceDetails {
  switch (resourceTypeOf(resource)) {
    case 'AwsEc2SecurityGroup':
      return securityGroupDetailsOf(resource, shortId);
    case 'AwsEc2Instance':
      return instanceDetails(detailsOfType(resource, resource.Type), shortId);
    case 'AwsAutoScalingAutoScalingGroup':
      return autoScalingGroupDetails(detailsOfType(resource, resource.Type), shortId);
    case 'AwsAutoScalingLaunchConfiguration':
      return launchConfigurationDetails(detailsOfType(resource, resource.Type), shortId);
    case 'AwsEc2NetworkAcl':
      return networkAclDetails(detailsOfType(resource, resource.Type), shortId);
    case 'AwsS3Bucket':
      return s3BucketDetails(detailsOfType(resource, resource.Type), shortId);
    default:
      return { kind: 'none' };
  }
}

/**
 * A security group's id comes from its details, else from its ARN: a finding whose details are missing, partial,
 * or in the legacy `Details.Other` form still names the group EC2 can be asked about.
 */
function securityGroupDetailsOf(resource: AsffResource, shortId: string): FindingResourceDetails {
  const groupIdFromArn = securityGroupIdOfArn(resource.Id);
  const typed = detailsOfType(resource, 'AwsEc2SecurityGroup');
  const parsed = typed === undefined ? undefined : securityGroupDetails(typed, groupIdFromArn ?? shortId);
  if (parsed?.kind === 'security-group') return parsed;
  const other = resource.Details?.['Other'];
  if (isRecord(other)) return securityGroupFromOther(textEntries(other), groupIdFromArn ?? shortId);
  return groupIdFromArn === undefined
    ? { kind: 'none' }
    : { kind: 'security-group', groupId: groupIdFromArn };
}

function securityGroupDetails(raw: unknown, shortId: string): FindingResourceDetails {
  const parsed = SecurityGroupDetailsSchema.safeParse(raw);
  if (raw === undefined || !parsed.success) return { kind: 'none' };
  const details = parsed.data;
  const groupId = details.GroupId || shortId;
  // No `IpPermissions` says nothing about the rules: unknown, not "none open".
  const ingressRules = details.IpPermissions?.flatMap((permission): SecurityGroupRule[] => {
    if (!permission.IpProtocol) return [];
    const base = {
      groupId,
      isEgress: false,
      // `tcp`, `udp`, `icmp`, a number as text (`6`) or `-1` for all traffic, as the domain type expects.
      protocol: permission.IpProtocol.toLowerCase(),
      ...optional('fromPort', permission.FromPort),
      ...optional('toPort', permission.ToPort),
    };
    return [
      ...(permission.IpRanges ?? []).flatMap((range) =>
        range.CidrIp ? [{ ...base, source: { kind: 'ipv4' as const, cidr: range.CidrIp } }] : [],
      ),
      ...(permission.Ipv6Ranges ?? []).flatMap((range) =>
        range.CidrIpv6 ? [{ ...base, source: { kind: 'ipv6' as const, cidr: range.CidrIpv6 } }] : [],
      ),
      ...(permission.UserIdGroupPairs ?? []).flatMap((pair) =>
        pair.GroupId
          ? [
              {
                ...base,
                source: {
                  kind: 'security-group' as const,
                  groupId: pair.GroupId,
                  ...optional('userId', pair.UserId),
                },
              },
            ]
          : [],
      ),
      ...(permission.PrefixListIds ?? []).flatMap((prefixList) =>
        prefixList.PrefixListId
          ? [{ ...base, source: { kind: 'prefix-list' as const, prefixListId: prefixList.PrefixListId } }]
          : [],
      ),
    ];
  });
  return {
    kind: 'security-group',
    groupId,
    ...optional('groupName', details.GroupName || undefined),
    ...optional('vpcId', details.VpcId || undefined),
    ...optional('ingressRules', ingressRules),
  };
}

/** `ipPermissions:0/ipRanges:1/cidrIp` → permission 0, `ipranges:1/cidrip`. Egress keys do not match. */
const OTHER_PERMISSION_KEY = /^ippermissions:(\d+)\/(.+)$/i;
const OTHER_SOURCE_KEY = /^(ipranges|ipv6ranges|useridgrouppairs|prefixlistids):(\d+)\/(.+)$/;

/**
 * The legacy `Details.Other` form: the group's `IpPermissions` flattened into text keys (`ipPermissions:0/ipProtocol`,
 * `ipPermissions:0/fromPort`, `ipPermissions:0/ipRanges:0/cidrIp`, …), key case varying by sender. Without any
 * permission key the rules are unknown.
 */
function securityGroupFromOther(
  other: Readonly<Record<string, string>>,
  fallbackGroupId: string,
): FindingResourceDetails {
  const top = new Map<string, string>();
  const permissions = new Map<number, Map<string, string>>();
  for (const [key, value] of Object.entries(other)) {
    const match = OTHER_PERMISSION_KEY.exec(key.trim());
    if (!match) {
      top.set(key.trim().toLowerCase(), value);
      continue;
    }
    const index = Number(match[1]);
    const fields = permissions.get(index) ?? new Map<string, string>();
    fields.set((match[2] ?? '').toLowerCase(), value);
    permissions.set(index, fields);
  }
  const groupId = textOf(top.get('groupid')?.trim()) ?? fallbackGroupId;
  const ingressRules =
    permissions.size === 0
      ? undefined
      : [...permissions.entries()]
          .sort(([a], [b]) => a - b)
          .flatMap(([, fields]) => rulesFromOtherPermission(fields, groupId));
  return {
    kind: 'security-group',
    groupId,
    ...optional('groupName', textOf(top.get('groupname')?.trim())),
    ...optional('vpcId', textOf(top.get('vpcid')?.trim())),
    ...optional('ingressRules', ingressRules),
  };
}

function portOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

function rulesFromOtherPermission(fields: ReadonlyMap<string, string>, groupId: string): SecurityGroupRule[] {
  const protocol = fields.get('ipprotocol')?.trim().toLowerCase();
  if (!protocol) return [];
  const base = {
    groupId,
    isEgress: false,
    protocol,
    ...optional('fromPort', portOf(fields.get('fromport'))),
    ...optional('toPort', portOf(fields.get('toport'))),
  };
  // Group the source keys by list and index, so a pair's groupId and userId stay together.
  const sources = new Map<string, Map<string, string>>();
  for (const [key, value] of fields) {
    const match = OTHER_SOURCE_KEY.exec(key);
    if (!match) continue;
    const id = `${match[1]}:${match[2]?.padStart(6, '0')}`;
    const entry = sources.get(id) ?? new Map<string, string>();
    entry.set(match[3] ?? '', value.trim());
    sources.set(id, entry);
  }
  return [...sources.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([id, entry]): SecurityGroupRule[] => {
      const list = id.slice(0, id.indexOf(':'));
      const source = sourceFromOther(list, entry);
      return source ? [{ ...base, source }] : [];
    });
}

function sourceFromOther(
  list: string,
  entry: ReadonlyMap<string, string>,
): SecurityGroupRule['source'] | undefined {
  switch (list) {
    case 'ipranges': {
      const cidr = textOf(entry.get('cidrip'));
      return cidr ? { kind: 'ipv4', cidr } : undefined;
    }
    case 'ipv6ranges': {
      const cidr = textOf(entry.get('cidripv6'));
      return cidr ? { kind: 'ipv6', cidr } : undefined;
    }
    case 'useridgrouppairs': {
      const groupId = textOf(entry.get('groupid'));
      return groupId
        ? { kind: 'security-group', groupId, ...optional('userId', textOf(entry.get('userid'))) }
        : undefined;
    }
    case 'prefixlistids': {
      const prefixListId = textOf(entry.get('prefixlistid'));
      return prefixListId ? { kind: 'prefix-list', prefixListId } : undefined;
    }
    default:
      return undefined;
  }
}

function httpTokensOf(options: z.infer<typeof MetadataOptionsSchema>): 'required' | 'optional' | undefined {
  const tokens = options?.HttpTokens?.toLowerCase();
  return tokens === 'required' || tokens === 'optional' ? tokens : undefined;
}

/** AutoScaling.3 reports on the launch configuration itself (AWS::AutoScaling::LaunchConfiguration). */
function launchConfigurationDetails(raw: unknown, name: string): FindingResourceDetails {
  const parsed = LaunchConfigurationDetailsSchema.safeParse(raw);
  if (raw === undefined || !parsed.success) return { kind: 'none' };
  const details = parsed.data;
  return {
    kind: 'launch-configuration',
    launchConfigurationName: details.LaunchConfigurationName || name,
    ...optional<'httpTokens', 'required' | 'optional'>('httpTokens', httpTokensOf(details.MetadataOptions)),
    ...optional('httpPutResponseHopLimit', details.MetadataOptions?.HttpPutResponseHopLimit),
  };
}

function instanceDetails(raw: unknown, instanceId: string): FindingResourceDetails {
  const parsed = InstanceDetailsSchema.safeParse(raw);
  if (raw === undefined || !parsed.success) return { kind: 'none' };
  const details = parsed.data;
  const httpTokens = httpTokensOf(details.MetadataOptions);
  return {
    kind: 'instance',
    instanceId,
    ...optional<'httpTokens', 'required' | 'optional'>('httpTokens', httpTokens),
    ...optional('httpPutResponseHopLimit', details.MetadataOptions?.HttpPutResponseHopLimit),
    ...optional('subnetId', details.SubnetId || undefined),
    ...optional('vpcId', details.VpcId || undefined),
    ...optional('publicIp', (details.IpV4Addresses ?? []).find(isPublicIpv4)),
  };
}

function autoScalingGroupDetails(raw: unknown, groupName: string): FindingResourceDetails {
  const parsed = AutoScalingGroupDetailsSchema.safeParse(raw);
  if (raw === undefined || !parsed.success) return { kind: 'none' };
  const details = parsed.data;
  const template =
    details.LaunchTemplate ??
    details.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification ??
    undefined;
  return {
    kind: 'auto-scaling-group',
    groupName,
    ...optional('launchConfigurationName', details.LaunchConfigurationName || undefined),
    ...optional('launchTemplateId', template?.LaunchTemplateId || undefined),
    ...optional('launchTemplateName', template?.LaunchTemplateName || undefined),
    ...optional('launchTemplateVersion', template?.Version || undefined),
  };
}

function detailsOfType(resource: AsffResource, type: string): Record<string, unknown> | undefined {
  const details = resource.Details?.[type];
  return isRecord(details) ? details : undefined;
}

/** IpV4Addresses lists private and public addresses alike; the public one is what a person wants to see. */
function isPublicIpv4(address: string): boolean {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255))
    return false;
  const [a = 0, b = 0] = octets;
  const isPrivate =
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127);
  return !isPrivate;
}

/** When Security Hub first saw the problem; findings without `FirstObservedAt` fall back to when they were created. */
function firstObservedAtOf(asff: AsffFinding): string {
  if (asff.FirstObservedAt) return timestamp('FirstObservedAt', asff.FirstObservedAt);
  if (asff.CreatedAt) return timestamp('CreatedAt', asff.CreatedAt);
  return reject('FirstObservedAt and CreatedAt are both missing');
}

function timestamp(field: string, value: string): string {
  const millis = TIMESTAMP.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(millis)) reject(`${field} is not a valid timestamp: "${clip(value)}"`);
  return new Date(millis).toISOString();
}

function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  const upper = value.trim().toUpperCase();
  const match = allowed.find((candidate) => candidate === upper);
  return match ?? reject(`${field} "${clip(value)}" is not one of ${allowed.join(', ')}`);
}

function arnRegion(arn: string): string | undefined {
  return ARN_PARTS.exec(arn)?.[2] || undefined;
}

function textEntries(record: Record<string, unknown> | null | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `{ key: value }` when the value is present, `{}` otherwise: optional properties stay absent, not `undefined`. */
function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === undefined || value === null ? {} : ({ [key]: value } as Partial<Record<K, V>>);
}

function failure(reason: string, findingId?: string): NormalizeResult {
  // The id may be the problem (huge, broken Unicode): what goes into logs and reports is cut to Security Hub's limit.
  return findingId === undefined
    ? { ok: false, reason }
    : { ok: false, reason, findingId: truncateText(findingId, IDENTITY_LIMITS.id.max) };
}

function idOf(raw: unknown): string | undefined {
  return isRecord(raw) && typeof raw['Id'] === 'string' && raw['Id'] !== '' ? raw['Id'] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quoted(value: unknown): string {
  if (typeof value === 'string') return `"${clip(value)}"`;
  return value === undefined ? 'missing' : `not text (${typeof value})`;
}

/** Text from a finding can be anything; keep log lines and Slack messages short. */
function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** zod error map: "is missing", "is not a string", "is empty" read better after a field name than zod's defaults. */
const readableIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      if (issue.expected === 'record' || issue.expected === 'object') return 'is not an object';
      return issue.expected === 'array' ? 'is not a list' : `is not a ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string' ? 'is empty' : undefined;
    case 'invalid_union':
      return 'has a value of the wrong type';
    default:
      return undefined;
  }
};

function describeIssues(subject: string, issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues
    .slice(0, MAX_ISSUES_SHOWN)
    .map((issue) => `${issue.path.length === 0 ? subject : formatPath(issue.path)} ${issue.message}`);
  const more = issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')} (and ${more} more)` : shown.join('; ');
}

/** `['Resources', 0, 'Type']` → `Resources[0].Type`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}
