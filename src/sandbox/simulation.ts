import { createHash } from 'node:crypto';
import type { IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { ControlId, ControlResourceType, ControlSpec } from '../domain/control-catalog.js';
import { CONTROL_CATALOG } from '../domain/control-catalog.js';
import type { AsffFinding, Estate, RegionEstate } from './estate.js';
import { ensureRegion, regionOf } from './estate.js';
import type { HubFinding } from './security-hub-api.js';

/**
 * How Simulate makes a fresh resource of one type, modelled on the resource of a sample finding: it adds the
 * resource to the estate and returns the new resource's id (the last part of the finding's resource id).
 */
type ResourceRaiser = (estate: RegionEstate, template: AsffFinding, sequence: number, now: Date) => string;

/** The resource types Simulate can make afresh; a control on any other type cannot be raised anew. */
const RAISERS: Partial<Record<ControlResourceType, ResourceRaiser>> = {
  AwsEc2SecurityGroup: (estate, template, sequence) => addSecurityGroup(estate, template, sequence),
  AwsEc2Instance: (estate, template, sequence, now) => addInstance(estate, template, sequence, now),
  AwsEc2NetworkAcl: (estate, template, sequence) => addNetworkAcl(estate, template, sequence),
  AwsEc2LaunchTemplate: (estate, template, sequence, now) =>
    addLaunchTemplate(estate, template, sequence, now),
};

/** Why Simulate cannot raise a new finding of `control`, or undefined when it can (given a sample to model). */
export function whyNotSimulated(control: ControlSpec): string | undefined {
  // EC2.2 is about a VPC's default group, and a VPC has exactly one, made with the VPC.
  if (control.check.kind === 'security-group' && control.check.exposure.kind === 'any-ingress')
    return 'a VPC has exactly one default security group, so there is no new one to raise it on';
  if (RAISERS[control.resourceType] === undefined)
    return `Simulate makes no new ${control.resourceType} resources`;
  return undefined;
}

/** The controls `newFinding` can raise: read from the catalog, each with a sample finding to model it on. */
export function simulatedControls(samples: readonly AsffFinding[]): ControlId[] {
  return Object.values(CONTROL_CATALOG)
    .filter((control) => whyNotSimulated(control) === undefined)
    .filter((control) => samples.some((sample) => isTemplateOf(control.id, sample)))
    .map((control) => control.id);
}

/** The security-group controls a burst cycles through, as a burst of real findings would mostly be. */
export function burstControls(samples: readonly AsffFinding[]): ControlId[] {
  return simulatedControls(samples).filter(
    (control) => CONTROL_CATALOG[control].resourceType === 'AwsEc2SecurityGroup',
  );
}

export class UnknownSimulatedControlError extends Error {
  constructor(
    readonly control: string,
    readonly simulated: readonly string[],
  ) {
    super(`The sandbox cannot raise a new ${control} finding; it can raise ${simulated.join(', ')}`);
    this.name = 'UnknownSimulatedControlError';
  }
}

export class SandboxFindingNotFoundError extends Error {
  constructor(readonly findingId: string) {
    super(`The sandbox's Security Hub holds no finding ${findingId}`);
    this.name = 'SandboxFindingNotFoundError';
  }
}

/** A deterministic hex id part, so a sandbox built twice from the same history names things the same. */
export function hexId(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function uuidFrom(seed: string): string {
  const hex = hexId(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function isTemplateOf(control: string, sample: AsffFinding): boolean {
  return controlOf(sample) === control && String(sample['GeneratorId']).startsWith('security-control/');
}

/** The sample finding each simulated control is modelled on: the first sample of that control with a control id. */
export function templateFor(control: string, samples: readonly AsffFinding[]): AsffFinding {
  const simulated: readonly string[] = simulatedControls(samples);
  const template = samples.find((sample) => isTemplateOf(control, sample));
  if (!template || !simulated.includes(control)) throw new UnknownSimulatedControlError(control, simulated);
  return template;
}

/**
 * A new failing finding shaped exactly like `template`, on a new resource of the same kind in the same account,
 * region and VPC: a security group with the rules the finding lists (plus open egress), an instance that allows
 * IMDSv1, a network ACL with the sample ACL's entries, or a launch template whose one version allows IMDSv1. The
 * resource is added to `estate`; the finding is returned.
 */
export function raiseFinding(
  estate: Estate,
  template: AsffFinding,
  sequence: number,
  now: Date,
): AsffFinding {
  const resource = firstResource(template);
  const accountId = String(template['AwsAccountId']);
  const region = String(resource['Region'] ?? template['Region']);
  const regionEstate = ensureRegion(estate, accountId, region);
  const oldFindingUuid = String(template['Id']).split('/').at(-1)!;
  const newFindingUuid = uuidFrom(`finding ${sequence}`);
  const oldResourceId = String(resource['Id']).split('/').at(-1)!;
  const raiser = RAISERS[resource['Type'] as ControlResourceType];
  if (!raiser) throw new UnknownSimulatedControlError(String(controlOf(template)), []);
  const newResourceId = raiser(regionEstate, template, sequence, now);
  const text = JSON.stringify(template)
    .replaceAll(oldFindingUuid, newFindingUuid)
    .replaceAll(oldResourceId, newResourceId);
  const finding = JSON.parse(text) as AsffFinding;
  const details = securityGroupDetails(finding);
  if (details) details['GroupName'] = groupNameFor(template, sequence);
  const templateDetails = launchTemplateDetails(finding);
  if (templateDetails)
    Object.assign(templateDetails, {
      LaunchTemplateName: launchTemplateNameFor(template, sequence),
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
    });
  const aclDetails = networkAclDetails(finding);
  if (aclDetails) Object.assign(aclDetails, { IsDefault: false, Associations: [] });
  const at = now.toISOString();
  Object.assign(finding, {
    FirstObservedAt: at,
    LastObservedAt: at,
    CreatedAt: at,
    UpdatedAt: at,
    ProcessedAt: at,
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' },
    WorkflowState: 'NEW',
  });
  setCompliance(finding, 'FAILED');
  delete finding['Note'];
  return finding;
}

/**
 * The control fails again, as when someone re-opens the port after the finding was resolved: the rules the
 * finding lists are added back to its group (with new rule ids) or the instance allows IMDSv1 again, and Security
 * Hub re-opens the finding (compliance FAILED, workflow NEW, a newer UpdatedAt).
 */
export function failAgain(estate: Estate, finding: HubFinding, sequence: number, now: Date): void {
  const asff = finding.asff;
  const resource = firstResource(asff);
  const regionEstate = regionOf(
    estate,
    String(asff['AwsAccountId']),
    String(resource['Region'] ?? asff['Region']),
  );
  const details = securityGroupDetails(asff);
  if (regionEstate && details) {
    const groupId = String(details['GroupId']);
    const present = regionEstate.SecurityGroupRules.filter(
      (rule) => rule.GroupId === groupId && rule.IsEgress !== true,
    );
    const listed = rulesFromPermissions(
      regionEstate,
      groupId,
      (details['IpPermissions'] as IpPermission[] | undefined) ?? [],
      false,
      `reopen ${sequence}`,
    );
    regionEstate.SecurityGroupRules.push(
      ...listed.filter((rule) => !present.some((kept) => sameRule(kept, rule))),
    );
  }
  if (regionEstate && resource['Type'] === 'AwsEc2Instance') {
    const instanceId = String(resource['Id']).split('/').at(-1);
    const instance = regionEstate.Reservations.flatMap((reservation) => reservation.Instances ?? []).find(
      (candidate) => candidate.InstanceId === instanceId,
    );
    if (instance)
      instance.MetadataOptions = { ...instance.MetadataOptions, HttpTokens: 'optional', State: 'applied' };
  }
  const at = now.toISOString();
  Object.assign(asff, {
    LastObservedAt: at,
    UpdatedAt: at,
    ProcessedAt: at,
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' },
    WorkflowState: 'NEW',
  });
  setCompliance(asff, 'FAILED');
}

/** Security Hub's next check finds the control passing: compliance PASSED, and it resolves the finding itself. */
export function passControl(finding: HubFinding, now: Date): void {
  const at = now.toISOString();
  Object.assign(finding.asff, {
    UpdatedAt: at,
    ProcessedAt: at,
    Workflow: { Status: 'RESOLVED' },
    WorkflowState: 'RESOLVED',
  });
  setCompliance(finding.asff, 'PASSED');
}

export function controlOf(finding: AsffFinding): string | undefined {
  const compliance = finding['Compliance'] as Record<string, unknown> | undefined;
  const id = compliance?.['SecurityControlId'];
  return typeof id === 'string' ? id : undefined;
}

function setCompliance(finding: AsffFinding, status: 'FAILED' | 'PASSED'): void {
  finding['Compliance'] = {
    ...(finding['Compliance'] as Record<string, unknown> | undefined),
    Status: status,
  };
}

function firstResource(finding: AsffFinding): Record<string, unknown> {
  const resources = finding['Resources'];
  const first = Array.isArray(resources) ? (resources[0] as Record<string, unknown> | undefined) : undefined;
  if (!first) throw new Error(`Finding ${String(finding['Id'])} has no resource`);
  return first;
}

function securityGroupDetails(finding: AsffFinding): Record<string, unknown> | undefined {
  const details = firstResource(finding)['Details'] as Record<string, unknown> | undefined;
  return details?.['AwsEc2SecurityGroup'] as Record<string, unknown> | undefined;
}

/** The last part of the finding's first resource id: `sg-…`, `i-…`, `acl-…`, `lt-…`. */
function resourceIdOf(finding: AsffFinding): string {
  return String(firstResource(finding)['Id']).split('/').at(-1)!;
}

function networkAclDetails(finding: AsffFinding): Record<string, unknown> | undefined {
  const details = firstResource(finding)['Details'] as Record<string, unknown> | undefined;
  return details?.['AwsEc2NetworkAcl'] as Record<string, unknown> | undefined;
}

function launchTemplateDetails(finding: AsffFinding): Record<string, unknown> | undefined {
  const details = firstResource(finding)['Details'] as Record<string, unknown> | undefined;
  return details?.['AwsEc2LaunchTemplate'] as Record<string, unknown> | undefined;
}

function launchTemplateNameFor(template: AsffFinding, sequence: number): string {
  return `${String(launchTemplateDetails(template)?.['LaunchTemplateName'] ?? 'template')}-sim-${sequence}`;
}

function groupNameFor(template: AsffFinding, sequence: number): string {
  return `${String(securityGroupDetails(template)?.['GroupName'] ?? 'group')}-sim-${sequence}`;
}

function addSecurityGroup(estate: RegionEstate, template: AsffFinding, sequence: number): string {
  const groupId = `sg-${hexId(`group ${sequence}`, 17)}`;
  const details = securityGroupDetails(template) ?? {};
  const vpcId = String(details['VpcId'] ?? estate.Vpcs[0]?.VpcId ?? 'vpc-00000000000000000');
  estate.SecurityGroups.push({
    GroupId: groupId,
    GroupName: groupNameFor(template, sequence),
    Description: 'Raised by the sandbox simulation',
    OwnerId: estate.accountId,
    VpcId: vpcId,
    SecurityGroupArn: `arn:aws:ec2:${estate.region}:${estate.accountId}:security-group/${groupId}`,
    Tags: [{ Key: 'Name', Value: groupNameFor(template, sequence) }],
  });
  const permissions = (details['IpPermissions'] as IpPermission[] | undefined) ?? [];
  estate.SecurityGroupRules.push(
    ...rulesFromPermissions(estate, groupId, permissions, false, `group ${sequence}`),
    ...rulesFromPermissions(
      estate,
      groupId,
      [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      true,
      `group ${sequence} egress`,
    ),
  );
  return groupId;
}

function addInstance(estate: RegionEstate, finding: AsffFinding, sequence: number, now: Date): string {
  const templateId = resourceIdOf(finding);
  const instanceId = `i-${hexId(`instance ${sequence}`, 17)}`;
  const reservation = estate.Reservations.find((candidate) =>
    (candidate.Instances ?? []).some((instance) => instance.InstanceId === templateId),
  );
  const template = reservation?.Instances?.find((instance) => instance.InstanceId === templateId);
  if (!reservation || !template)
    throw new Error(`The sandbox estate has no instance ${templateId} to model a new one on`);
  const instance = structuredClone(template);
  instance.InstanceId = instanceId;
  instance.LaunchTime = now;
  instance.MetadataOptions = { ...instance.MetadataOptions, HttpTokens: 'optional', State: 'applied' };
  instance.Tags = [{ Key: 'Name', Value: `sim-${sequence}` }];
  estate.Reservations.push({
    ...structuredClone(reservation),
    ReservationId: `r-${hexId(`reservation ${sequence}`, 17)}`,
    Instances: [instance],
  });
  return instanceId;
}

/** A new, unassociated ACL with the entries of the sample's ACL (so it lets SSH/RDP in as that one does). */
function addNetworkAcl(estate: RegionEstate, finding: AsffFinding, sequence: number): string {
  const templateId = resourceIdOf(finding);
  const template = estate.NetworkAcls.find((acl) => acl.NetworkAclId === templateId);
  if (!template) throw new Error(`The sandbox estate has no network ACL ${templateId} to model a new one on`);
  const networkAclId = `acl-${hexId(`network acl ${sequence}`, 17)}`;
  estate.NetworkAcls.push({
    ...structuredClone(template),
    NetworkAclId: networkAclId,
    IsDefault: false,
    Associations: [],
    Tags: [{ Key: 'Name', Value: `sim-${sequence}` }],
  });
  return networkAclId;
}

/** A new template whose one version (the default) is the sample template's default version, allowing IMDSv1. */
function addLaunchTemplate(estate: RegionEstate, finding: AsffFinding, sequence: number, now: Date): string {
  const templateId = resourceIdOf(finding);
  const template = estate.LaunchTemplates.find((candidate) => candidate.LaunchTemplateId === templateId);
  const version = estate.LaunchTemplateVersions.find(
    (candidate) =>
      candidate.LaunchTemplateId === templateId && candidate.VersionNumber === template?.DefaultVersionNumber,
  );
  if (!template || !version)
    throw new Error(`The sandbox estate has no launch template ${templateId} to model a new one on`);
  const launchTemplateId = `lt-${hexId(`launch template ${sequence}`, 17)}`;
  const launchTemplateName = launchTemplateNameFor(finding, sequence);
  estate.LaunchTemplates.push({
    ...structuredClone(template),
    LaunchTemplateId: launchTemplateId,
    LaunchTemplateName: launchTemplateName,
    CreateTime: now,
    DefaultVersionNumber: 1,
    LatestVersionNumber: 1,
  });
  const data = structuredClone(version.LaunchTemplateData ?? {});
  data.MetadataOptions = { ...data.MetadataOptions, HttpTokens: 'optional' };
  estate.LaunchTemplateVersions.push({
    ...structuredClone(version),
    LaunchTemplateId: launchTemplateId,
    LaunchTemplateName: launchTemplateName,
    VersionNumber: 1,
    VersionDescription: 'Raised by the sandbox simulation',
    CreateTime: now,
    DefaultVersion: true,
    LaunchTemplateData: data,
  });
  return launchTemplateId;
}

/** One rule (with its own `sgr-` id) per range, group pair and prefix list of each permission. */
function rulesFromPermissions(
  estate: RegionEstate,
  groupId: string,
  permissions: readonly IpPermission[],
  isEgress: boolean,
  seed: string,
): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [];
  const base = (permission: IpPermission) => ({
    GroupId: groupId,
    GroupOwnerId: estate.accountId,
    IsEgress: isEgress,
    IpProtocol: permission.IpProtocol ?? '-1',
    FromPort: permission.FromPort ?? -1,
    ToPort: permission.ToPort ?? -1,
    Tags: [],
  });
  const push = (rule: Omit<SecurityGroupRule, 'SecurityGroupRuleId' | 'SecurityGroupRuleArn'>) => {
    const ruleId = `sgr-${hexId(`${seed} ${rules.length}`, 17)}`;
    rules.push({
      SecurityGroupRuleId: ruleId,
      ...rule,
      SecurityGroupRuleArn: `arn:aws:ec2:${estate.region}:${estate.accountId}:security-group-rule/${ruleId}`,
    });
  };
  for (const permission of permissions) {
    for (const range of permission.IpRanges ?? []) push({ ...base(permission), CidrIpv4: range.CidrIp });
    for (const range of permission.Ipv6Ranges ?? []) push({ ...base(permission), CidrIpv6: range.CidrIpv6 });
    for (const list of permission.PrefixListIds ?? [])
      push({ ...base(permission), PrefixListId: list.PrefixListId });
    for (const pair of permission.UserIdGroupPairs ?? []) {
      push({
        ...base(permission),
        ReferencedGroupInfo: {
          GroupId: pair.GroupId,
          UserId: pair.UserId,
          ...(pair.VpcPeeringConnectionId && {
            VpcPeeringConnectionId: pair.VpcPeeringConnectionId,
            PeeringStatus: pair.PeeringStatus,
          }),
        },
      });
    }
  }
  return rules;
}

function sameRule(a: SecurityGroupRule, b: SecurityGroupRule): boolean {
  return (
    a.IpProtocol === b.IpProtocol &&
    a.FromPort === b.FromPort &&
    a.ToPort === b.ToPort &&
    a.CidrIpv4 === b.CidrIpv4 &&
    a.CidrIpv6 === b.CidrIpv6 &&
    a.PrefixListId === b.PrefixListId &&
    a.ReferencedGroupInfo?.GroupId === b.ReferencedGroupInfo?.GroupId
  );
}
