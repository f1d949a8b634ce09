import { createHash } from 'node:crypto';
import type { NetworkInterface } from '@aws-sdk/client-ec2';
import { normalizeAsffFinding } from '../aws/asff-finding.js';
import type { AwsCallContext } from '../aws/errors.js';
import {
  toNetworkAclFacts,
  toNetworkInterfaceFacts,
  toRouteTableFacts,
  toSecurityGroupRule,
} from '../aws/ec2-network.js';
import { controlSpecFor } from '../domain/control-catalog.js';
import type { ExposedRule } from '../domain/exposure.js';
import { exposedIngressRules } from '../domain/exposure.js';
import type { Finding } from '../domain/finding.js';
import type { NetworkInterfaceFacts } from '../domain/reachability.js';
import { networkReach, ruleReach } from '../domain/reachability.js';
import type { AsffFinding, Estate, RegionEstate } from './estate.js';
import { regionOf } from './estate.js';
import { newerProductArnOf, record } from './ocsf-rendering.js';

/**
 * The exposure findings the newer Security Hub would publish for the sandbox (OCSF Detection Finding, class 2004,
 * analytic "Exposure", the shape of AWS's sample exposure finding): one per EC2 instance the internet reaches
 * through a security group that an open control finding flags. Reachability is judged the way the bot judges it
 * (its own EC2 readers' facts and domain rules) from what the sandbox's EC2 answers, so the two agree.
 */

export type OcsfFinding = Record<string, unknown>;

/** A port or range of one protocol that the internet reaches an instance on. */
export interface ReachablePortRange {
  readonly protocol: 'tcp' | 'udp';
  readonly from: number;
  readonly to: number;
}

/** An open control finding whose security group lets the internet in to the instance, and on which ports. */
export interface ContributingControlFinding {
  /** ASFF `Id`: the same uid as the finding's OCSF copy. */
  readonly findingId: string;
  /** The newer Security Hub's product of the finding (`…::productv2/aws/securityhub`). */
  readonly productUid: string;
  readonly title: string;
  readonly controlId: string;
  readonly groupArn: string;
  readonly ports: readonly ReachablePortRange[];
}

/** One instance the internet reaches, with what makes it so; rendered by `exposureFindingOf`. */
export interface InstanceExposure {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly instanceId: string;
  readonly instanceArn: string;
  /** Sorted by finding id. */
  readonly controlFindings: readonly ContributingControlFinding[];
  /** Every port the control findings open to it, once each, by protocol then port. */
  readonly ports: readonly ReachablePortRange[];
}

const EVERY_PORT = { from: 0, to: 65535 } as const;
/** An instance in these states has no running network path (its public IPv4 address goes when it stops). */
const NOT_RUNNING: ReadonlySet<string> = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

/** `tcp/22`, `udp/3389`, `tcp/0-65535`. */
export function describePortRange(range: ReachablePortRange): string {
  return `${range.protocol}/${range.from === range.to ? range.from : `${range.from}-${range.to}`}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function samePortRange(a: ReachablePortRange, b: ReachablePortRange): boolean {
  return a.protocol === b.protocol && a.from === b.from && a.to === b.to;
}

function byPort(a: ReachablePortRange, b: ReachablePortRange): number {
  return a.protocol.localeCompare(b.protocol) || a.from - b.from || a.to - b.to;
}

function distinctPorts(ranges: readonly ReachablePortRange[]): ReachablePortRange[] {
  return ranges
    .filter((range, index) => ranges.findIndex((other) => samePortRange(other, range)) === index)
    .sort(byPort);
}

/** The ports a world-open rule lets in, per protocol: an all-traffic rule lets in every tcp and udp port. */
function portRangesOf(exposed: ExposedRule): ReachablePortRange[] {
  const name = exposed.rule.protocol.trim().toLowerCase();
  const protocols: ReachablePortRange['protocol'][] =
    name === '-1' ? ['tcp', 'udp'] : name === 'tcp' || name === '6' ? ['tcp'] : ['udp'];
  const ranges = exposed.ports === 'all' ? [EVERY_PORT] : exposed.ports;
  return protocols.flatMap((protocol) => ranges.map(({ from, to }) => ({ protocol, from, to })));
}

/**
 * Security Hub's own signal only counts while it stands: an active, failing finding not yet resolved. A suppressed
 * finding still counts: suppressing it is a person's decision and leaves the path open.
 */
function flagsAnOpenPath(finding: Finding): boolean {
  return (
    finding.recordState === 'ACTIVE' &&
    finding.complianceStatus === 'FAILED' &&
    finding.workflowStatus !== 'RESOLVED' &&
    finding.resource.type === 'AwsEc2SecurityGroup'
  );
}

function isRunning(estate: RegionEstate, instanceId: string): boolean {
  const instance = estate.Reservations.flatMap((reservation) => reservation.Instances ?? []).find(
    (candidate) => candidate.InstanceId === instanceId,
  );
  return instance !== undefined && !NOT_RUNNING.has(instance.State?.Name ?? 'running');
}

/** The group's interfaces by the instance they are attached to (interfaces of anything else are no instance). */
function instanceInterfacesUsing(
  estate: RegionEstate,
  groupId: string,
  call: AwsCallContext,
): Map<string, NetworkInterfaceFacts[]> {
  const byInstance = new Map<string, NetworkInterfaceFacts[]>();
  const using = (eni: NetworkInterface) => (eni.Groups ?? []).some((group) => group.GroupId === groupId);
  for (const eni of estate.NetworkInterfaces.filter(using)) {
    const instanceId = eni.Attachment?.InstanceId;
    if (!instanceId || !isRunning(estate, instanceId)) continue;
    byInstance.set(instanceId, [...(byInstance.get(instanceId) ?? []), toNetworkInterfaceFacts(eni, call)]);
  }
  return byInstance;
}

/** The ports the group's world-open rules let the internet in to each instance on (instances reached on none left out). */
function reachedThroughGroup(
  estate: RegionEstate,
  groupId: string,
  open: readonly ExposedRule[],
): Map<string, ReachablePortRange[]> {
  const call: AwsCallContext = {
    service: 'EC2',
    operation: 'DescribeNetworkInterfaces',
    accountId: estate.accountId,
    region: estate.region,
    resourceId: groupId,
  };
  const routeTables = estate.RouteTables.map((table) => toRouteTableFacts(table, call));
  const networkAcls = estate.NetworkAcls.map((acl) => toNetworkAclFacts(acl, call));
  const reached = new Map<string, ReachablePortRange[]>();
  for (const [instanceId, interfaces] of instanceInterfacesUsing(estate, groupId, call)) {
    const reach = networkReach(interfaces, routeTables, { kind: 'read', networkAcls });
    const ports = open
      .filter((exposed) => ruleReach(exposed, reach)?.kind === 'internet')
      .flatMap(portRangesOf);
    if (ports.length > 0) reached.set(instanceId, distinctPorts(ports));
  }
  return reached;
}

/**
 * Every instance the internet reaches through a security group with a world-open ingress rule (0.0.0.0/0 or ::/0)
 * that an open control finding flags: the instance is running, has a public address over the rule's address family,
 * its subnet routes that family to an internet gateway, and its subnet's network ACL lets the port in. Sorted by
 * instance ARN.
 */
export function instanceExposures(estate: Estate, findings: readonly AsffFinding[]): InstanceExposure[] {
  const exposures = new Map<string, InstanceExposure>();
  for (const asff of findings) {
    const normalized = normalizeAsffFinding(asff);
    if (!normalized.ok || !flagsAnOpenPath(normalized.finding)) continue;
    const finding = normalized.finding;
    const control = controlSpecFor(finding);
    if (control?.check.kind !== 'security-group') continue;
    const { region, partition } = finding.resource;
    const regionEstate = regionOf(estate, finding.accountId, region);
    const groupId =
      finding.details.kind === 'security-group' ? finding.details.groupId : finding.resource.shortId;
    const group = regionEstate?.SecurityGroups.find((candidate) => candidate.GroupId === groupId);
    if (!regionEstate || !group) continue;
    const rules = regionEstate.SecurityGroupRules.filter(
      (rule) => rule.GroupId === groupId && rule.IsEgress !== true,
    ).flatMap((rule) => toSecurityGroupRule(rule, groupId) ?? []);
    const open = exposedIngressRules(rules, control.check.exposure).filter((hit) => hit.world !== undefined);
    if (open.length === 0) continue;
    const groupArn =
      group.SecurityGroupArn ??
      `arn:${partition}:ec2:${region}:${finding.accountId}:security-group/${groupId}`;
    for (const [instanceId, ports] of reachedThroughGroup(regionEstate, groupId, open)) {
      const instanceArn = `arn:${partition}:ec2:${region}:${finding.accountId}:instance/${instanceId}`;
      const known = exposures.get(instanceArn);
      const controlFindings = [
        ...(known?.controlFindings ?? []),
        {
          findingId: finding.id,
          productUid: newerProductArnOf(finding.productArn),
          title: finding.title,
          controlId: control.id,
          groupArn,
          ports,
        },
      ].sort((a, b) => a.findingId.localeCompare(b.findingId));
      exposures.set(instanceArn, {
        accountId: finding.accountId,
        region,
        partition,
        instanceId,
        instanceArn,
        controlFindings,
        ports: distinctPorts(controlFindings.flatMap((contributing) => contributing.ports)),
      });
    }
  }
  return [...exposures.values()].sort((a, b) => a.instanceArn.localeCompare(b.instanceArn));
}

/** Stable for the instance, so every later update of its exposure carries the same uid. */
export function exposureUidOf(
  exposure: Pick<InstanceExposure, 'partition' | 'region' | 'accountId' | 'instanceArn'>,
): string {
  return `arn:${exposure.partition}:securityhub:${exposure.region}:${exposure.accountId}:exposure/${sha256(exposure.instanceArn)}`;
}

function productUid(exposure: InstanceExposure, product: 'securityhub' | 'inspector'): string {
  return `arn:${exposure.partition}:securityhub:${exposure.region}::productv2/aws/${product}`;
}

/** The title Amazon Inspector gives a network reachability finding. */
function reachabilityTitle(range: ReachablePortRange): string {
  const ports = range.from === range.to ? `Port ${range.from}` : `Port range ${range.from} - ${range.to}`;
  return `${ports} is reachable from an Internet Gateway - ${range.protocol.toUpperCase()}`;
}

function controlEvent(contributing: ContributingControlFinding): OcsfFinding {
  return {
    uid: contributing.findingId,
    product: { uid: contributing.productUid },
    title: contributing.title,
    type: 'Finding',
    tags: [
      {
        name: 'Reachability',
        values: contributing.ports.map((range) => `Open to the internet on ${describePortRange(range)}`),
      },
      {
        name: 'Misconfiguration',
        values: [`${contributing.controlId} failed: security group open to the internet`],
      },
    ],
    observables: [{ type: 'Resource UID', type_id: 10, value: contributing.groupArn }],
  };
}

/** What Amazon Inspector's network reachability analysis reports for one port or range of the instance. */
function reachabilityEvent(exposure: InstanceExposure, range: ReachablePortRange): OcsfFinding {
  const id = sha256(`${exposure.instanceArn} ${describePortRange(range)}`).slice(0, 32);
  return {
    uid: `arn:${exposure.partition}:inspector2:${exposure.region}:${exposure.accountId}:finding/${id}`,
    product: { uid: productUid(exposure, 'inspector') },
    title: reachabilityTitle(range),
    type: 'Finding',
    tags: [
      { name: 'Reachability', values: [`Reachable from an internet gateway on ${describePortRange(range)}`] },
    ],
    observables: [{ type: 'Resource UID', type_id: 10, value: exposure.instanceArn }],
  };
}

type Activity = 'Create' | 'Update' | 'Close';
const ACTIVITY_ID: Readonly<Record<Activity, number>> = { Create: 1, Update: 2, Close: 3 };

function activityFields(activity: Activity): OcsfFinding {
  return {
    activity_id: ACTIVITY_ID[activity],
    activity_name: activity,
    type_uid: 200400 + ACTIVITY_ID[activity],
    type_name: `Detection Finding: ${activity}`,
  };
}

/** When the exposure was first published and when it last changed (ISO-8601). */
export interface ExposureTimes {
  readonly createdAt: string;
  readonly modifiedAt: string;
}

/** The exposure as Security Hub publishes it while it holds (status New). */
export function exposureFindingOf(
  exposure: InstanceExposure,
  times: ExposureTimes,
  activity: 'Create' | 'Update' = 'Create',
): OcsfFinding {
  const uid = exposureUidOf(exposure);
  const ports = exposure.ports.map(describePortRange).join(', ');
  const groups = [...new Set(exposure.controlFindings.map((contributing) => contributing.groupArn))].map(
    (arn) => arn.split('/').at(-1),
  );
  const controls = [...new Set(exposure.controlFindings.map((contributing) => contributing.controlId))];
  const relatedEvents = [
    ...exposure.controlFindings.map(controlEvent),
    ...exposure.ports.map((range) => reachabilityEvent(exposure, range)),
  ];
  return {
    ...activityFields(activity),
    category_name: 'Findings',
    category_uid: 2,
    class_name: 'Detection Finding',
    class_uid: 2004,
    cloud: {
      account: { uid: exposure.accountId },
      cloud_partition: exposure.partition,
      provider: 'AWS',
      region: exposure.region,
    },
    finding_info: {
      analytic: { name: 'Exposure', type: 'Rule', type_id: 1, uid: '0.0.1' },
      uid,
      title: `EC2 instance ${exposure.instanceId} is reachable from the internet on ${ports}`,
      desc:
        `EC2 instance ${exposure.instanceId} has a public address, its subnet routes to an internet gateway, and ` +
        `${groups.length === 1 ? 'security group' : 'security groups'} ${groups.join(', ')} ` +
        `${groups.length === 1 ? 'lets' : 'let'} the whole internet in on ${ports} (${controls.join(', ')}).`,
      types: ['Exposure'],
      created_time_dt: times.createdAt,
      first_seen_time_dt: times.createdAt,
      last_seen_time_dt: times.modifiedAt,
      modified_time_dt: times.modifiedAt,
      related_events_count: relatedEvents.length,
      related_events: relatedEvents,
    },
    resources: [
      {
        type: 'AWS::EC2::Instance',
        uid: exposure.instanceId,
        uid_alt: exposure.instanceArn,
        region: exposure.region,
        cloud_partition: exposure.partition,
        owner: { account: { uid: exposure.accountId } },
      },
    ],
    metadata: {
      product: { uid: productUid(exposure, 'securityhub'), name: 'Security Hub', vendor_name: 'AWS' },
      version: '1.5.0',
      uid: sha256(`${uid} ${times.modifiedAt}`).slice(0, 32),
    },
    severity: 'High',
    severity_id: 4,
    status: 'New',
    status_id: 1,
    time_dt: times.modifiedAt,
    time: Date.parse(times.modifiedAt),
  };
}

function uidOf(published: OcsfFinding): string {
  return String(record(published['finding_info'])['uid']);
}

function isResolved(published: OcsfFinding): boolean {
  return published['status_id'] === 4;
}

/** The exposure no longer holds (the rule was revoked, the instance is gone): Security Hub closes it, Resolved. */
export function resolvedExposureFinding(published: OcsfFinding, at: string): OcsfFinding {
  const info = record(published['finding_info']);
  return {
    ...published,
    ...activityFields('Close'),
    finding_info: { ...info, modified_time_dt: at },
    metadata: { ...record(published['metadata']), uid: sha256(`${uidOf(published)} ${at}`).slice(0, 32) },
    status: 'Resolved',
    status_id: 4,
    time_dt: at,
    time: Date.parse(at),
  };
}

/**
 * What Security Hub publishes next, given what it published before and the exposures that hold now: `findings`
 * (every exposure finding it keeps, resolved ones too, by uid) and `changed` (the ones to announce: new, changed,
 * reopened, or resolved because they no longer hold). An exposure that holds unchanged is not announced again.
 */
export function nextExposureFindings(
  published: readonly OcsfFinding[],
  current: readonly InstanceExposure[],
  now: Date,
): { findings: OcsfFinding[]; changed: OcsfFinding[] } {
  const at = now.toISOString();
  const previous = new Map(published.map((finding) => [uidOf(finding), finding]));
  const next = new Map(previous);
  const changed: OcsfFinding[] = [];
  for (const exposure of current) {
    const uid = exposureUidOf(exposure);
    const before = previous.get(uid);
    if (before && !isResolved(before)) {
      const info = record(before['finding_info']);
      const times = {
        createdAt: String(info['created_time_dt']),
        modifiedAt: String(info['modified_time_dt']),
      };
      const activity = before['activity_id'] === ACTIVITY_ID.Update ? 'Update' : 'Create';
      if (JSON.stringify(exposureFindingOf(exposure, times, activity)) === JSON.stringify(before)) continue;
    }
    const createdAt = before ? String(record(before['finding_info'])['created_time_dt']) : at;
    const finding = exposureFindingOf(exposure, { createdAt, modifiedAt: at }, before ? 'Update' : 'Create');
    next.set(uid, finding);
    changed.push(finding);
  }
  const holding = new Set(current.map(exposureUidOf));
  for (const [uid, before] of previous) {
    if (holding.has(uid) || isResolved(before)) continue;
    const resolved = resolvedExposureFinding(before, at);
    next.set(uid, resolved);
    changed.push(resolved);
  }
  return { findings: [...next.values()].sort((a, b) => uidOf(a).localeCompare(uidOf(b))), changed };
}
