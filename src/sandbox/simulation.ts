import { createHash } from 'node:crypto';
import type { IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { AsffFinding, Estate, RegionEstate } from './estate.js';
import { ensureRegion, regionOf } from './estate.js';
import type { HubFinding } from './security-hub-api.js';

/** Controls `newFinding` can raise: each on a fresh resource added to the estate, so it can be remediated. */
export const SIMULATED_CONTROLS = [
  'EC2.13',
  'EC2.14',
  'EC2.18',
  'EC2.19',
  'EC2.53',
  'EC2.54',
  'EC2.8',
] as const;
export type SimulatedControl = (typeof SIMULATED_CONTROLS)[number];

/** The security-group controls a burst cycles through. */
const BURST_CONTROLS: readonly SimulatedControl[] = [
  'EC2.13',
  'EC2.14',
  'EC2.18',
  'EC2.19',
  'EC2.53',
  'EC2.54',
];

export class UnknownSimulatedControlError extends Error {
  constructor(readonly control: string) {
    super(`The sandbox cannot raise a new ${control} finding; it can raise ${SIMULATED_CONTROLS.join(', ')}`);
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

/** The sample finding each simulated control is modelled on: the first sample of that control with a control id. */
export function templateFor(control: string, samples: readonly AsffFinding[]): AsffFinding {
  const template = samples.find(
    (sample) =>
      controlOf(sample) === control && String(sample['GeneratorId']).startsWith('security-control/'),
  );
  if (!template || !(SIMULATED_CONTROLS as readonly string[]).includes(control))
    throw new UnknownSimulatedControlError(control);
  return template;
}

export function burstControl(index: number): SimulatedControl {
  return BURST_CONTROLS[index % BURST_CONTROLS.length]!;
}

/**
 * A new failing finding shaped exactly like `template`, on a new resource of the same kind in the same account,
 * region and VPC: a security group with the rules the finding lists (plus open egress), or an instance that
 * allows IMDSv1. The resource is added to `estate`; the finding is returned.
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
  let newResourceId: string;
  if (resource['Type'] === 'AwsEc2Instance') {
    newResourceId = `i-${hexId(`instance ${sequence}`, 17)}`;
    addInstance(regionEstate, oldResourceId, newResourceId, sequence, now);
  } else {
    newResourceId = `sg-${hexId(`group ${sequence}`, 17)}`;
    addSecurityGroup(regionEstate, template, newResourceId, sequence);
  }
  const text = JSON.stringify(template)
    .replaceAll(oldFindingUuid, newFindingUuid)
    .replaceAll(oldResourceId, newResourceId);
  const finding = JSON.parse(text) as AsffFinding;
  const details = securityGroupDetails(finding);
  if (details) details['GroupName'] = groupNameFor(template, sequence);
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

function groupNameFor(template: AsffFinding, sequence: number): string {
  return `${String(securityGroupDetails(template)?.['GroupName'] ?? 'group')}-sim-${sequence}`;
}

function addSecurityGroup(
  estate: RegionEstate,
  template: AsffFinding,
  groupId: string,
  sequence: number,
): void {
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
}

function addInstance(
  estate: RegionEstate,
  templateId: string,
  instanceId: string,
  sequence: number,
  now: Date,
): void {
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
