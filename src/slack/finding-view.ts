import type { FindingMessageView, MessageState } from '../../blocks/finding-message.js';
import { TOP_SHOWN } from '../../blocks/grouped-findings-message.js';
import type { GroupedFindingsView } from '../../blocks/grouped-findings-message.js';
import type { RemediationKind } from '../domain/control-catalog.js';
import { controlSpec, controlSummaryFor } from '../domain/control-catalog.js';
import { byUrgency, groupCountsOf, isStillOpen, reachablePortsOf } from '../domain/message-grouping.js';
import { SEVERITY_LABELS, severityRank } from '../domain/severity.js';
import type { FindingGroup } from '../store/finding-group-repository.js';
import type { Resolution } from '../domain/resolution.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { disagreeingVerdict, ownReachVerdictOf } from '../domain/security-hub-exposure.js';
import type { SecurityHubExposure } from '../domain/security-hub-exposure.js';

function resolvedBy(resolution: Resolution): string {
  return resolution.by.kind === 'user' ? resolution.by.userId : 'cspm-bot';
}

/** "Revoke tcp/22 … · SSM execution 8f1c… · 9 s" */
function resolutionDetails(resolution: Resolution): string[] {
  const execution = resolution.executionId
    ? [`SSM execution ${resolution.executionId}`]
    : resolution.executor === 'direct'
      ? ['EC2 API']
      : [];
  const duration =
    resolution.durationMs !== undefined ? [`${Math.max(1, Math.round(resolution.durationMs / 1000))} s`] : [];
  return [resolution.what, ...execution, ...duration];
}

/** What the message should say about the finding's state, from Security Hub's fields and our history. */
export function messageStateOf(record: FindingRecord): MessageState {
  const { finding } = record;
  if (finding.recordState === 'ARCHIVED') return { kind: 'closed', why: 'archived', at: finding.updatedAt };
  if (finding.complianceStatus === 'PASSED') return { kind: 'closed', why: 'passed', at: finding.updatedAt };
  if (finding.workflowStatus === 'RESOLVED') {
    return record.resolution
      ? {
          kind: 'resolved',
          by: resolvedBy(record.resolution),
          at: record.resolution.at,
          details: resolutionDetails(record.resolution),
        }
      : { kind: 'resolved', by: 'security-hub', at: finding.updatedAt };
  }
  if (finding.workflowStatus === 'SUPPRESSED') {
    const { suppression } = record;
    if (suppression?.acceptance) {
      return {
        kind: 'accepted',
        by: suppression.by,
        at: suppression.at,
        until: suppression.acceptance.until,
        reason: suppression.reason,
        scope: suppression.acceptance.scope,
      };
    }
    return suppression
      ? { kind: 'suppressed', by: suppression.by, at: suppression.at, reason: suppression.reason }
      : { kind: 'suppressed', at: finding.updatedAt };
  }
  if (record.reopenedAt) {
    const before = record.resolution
      ? `Resolved by ${resolvedBy(record.resolution)} on ${record.resolution.at.slice(0, 10)} (${record.resolution.what})`
      : 'Resolved earlier';
    return {
      kind: 'reopened',
      previously: `${before}; Security Hub re-opened it on ${record.reopenedAt.slice(0, 10)} because the control still fails.`,
    };
  }
  return { kind: 'open' };
}

/** The button of each account-wide fix a control may offer next to Remediate. */
const ACCOUNT_FIX_LABELS: Partial<Record<RemediationKind, string>> = {
  'require-imdsv2-account-defaults': 'Require IMDSv2 for new instances (account-wide)…',
};

/** The view model of a stored finding for `blocks/finding-message.ts`. */
export function findingViewOf(record: FindingRecord): FindingMessageView {
  const { triage } = record;
  const control = triage.kind === 'unsupported' ? undefined : triage.control;
  const accountFixLabel = accountFixLabelOf(record);
  return {
    finding: record.finding,
    ...(control && { controlSummary: controlSummaryFor(control, record.finding) }),
    openRules: triage.kind === 'security-group' ? triage.openRules : [],
    ...(triage.kind === 'security-group' && {
      reach: triage.reach,
      rulesKnown: triage.rulesFrom !== 'unknown',
    }),
    ...(triage.kind === 'imdsv2' && { imds: { httpTokens: triage.httpTokens } }),
    urgency: triage.urgency,
    ...(triage.urgencyBasis && { urgencyBasis: triage.urgencyBasis }),
    state: messageStateOf(record),
    canRemediate: control !== undefined,
    ...(accountFixLabel && { accountFixLabel }),
    ...(record.securityHubExposure && {
      securityHubExposure: securityHubExposureOf(record.securityHubExposure, record.triage),
    }),
  };
}

/** The exposure the record holds, and the bot's own verdict when it disagrees with it. */
function securityHubExposureOf(
  exposure: SecurityHubExposure,
  triage: FindingRecord['triage'],
): NonNullable<FindingMessageView['securityHubExposure']> {
  const disagreesWith = disagreeingVerdict(exposure, ownReachVerdictOf(triage));
  return disagreesWith ? { exposure, disagreesWith } : { exposure };
}

/** From the catalog as it is now (a stored triage may predate the fix being offered). */
function accountFixLabelOf(record: FindingRecord): string | undefined {
  const fix = controlSpec(record.finding.controlId)?.accountFix;
  return fix && ACCOUNT_FIX_LABELS[fix];
}

/** The view of a message that a fresh post supersedes: the finding as it stands, without buttons. */
export function retiredViewOf(record: FindingRecord, at: string): FindingMessageView {
  return { ...findingViewOf(record), state: { kind: 'closed', why: 'reposted', at } };
}

const RESOURCE_NOUNS: Readonly<Record<string, { one: string; many: string }>> = {
  AwsEc2SecurityGroup: { one: 'security group', many: 'security groups' },
  AwsEc2Instance: { one: 'instance', many: 'instances' },
  AwsAutoScalingAutoScalingGroup: { one: 'Auto Scaling group', many: 'Auto Scaling groups' },
  AwsAutoScalingLaunchConfiguration: { one: 'launch configuration', many: 'launch configurations' },
  AwsEc2LaunchTemplate: { one: 'launch template', many: 'launch templates' },
  AwsEc2NetworkAcl: { one: 'network ACL', many: 'network ACLs' },
  AwsS3Bucket: { one: 'S3 bucket', many: 'S3 buckets' },
  AwsAccount: { one: 'account', many: 'accounts' },
};

/** The view model of a grouped message for `blocks/grouped-findings-message.ts`. */
export function groupedViewOf(
  group: Pick<FindingGroup, 'groupId' | 'controlId'>,
  members: readonly FindingRecord[],
): GroupedFindingsView {
  const counts = groupCountsOf(members);
  const open = members.filter(isStillOpen);
  const ranked = open
    .map((record) => ({
      record,
      urgency: record.triage.urgency,
      severity: record.finding.severity,
      firstObservedAt: record.finding.firstObservedAt,
    }))
    .sort(byUrgency)
    .slice(0, TOP_SHOWN);
  const control = controlSpec(group.controlId);
  const example = members[0];
  const severities = members.map((member) => member.finding.severity);
  return {
    groupId: group.groupId,
    controlId: group.controlId,
    ...(control && example && { controlSummary: controlSummaryFor(control, example.finding) }),
    resourceNoun: RESOURCE_NOUNS[control?.resourceType ?? example?.finding.resource.type ?? ''] ?? {
      one: 'finding',
      many: 'findings',
    },
    members: counts.members,
    open: counts.open,
    reachable: counts.reachable,
    openByUrgency: counts.openByUrgency,
    top: ranked.map(({ record }) => {
      const reach = reachablePortsOf(record);
      return {
        severity: record.finding.severity,
        urgency: record.triage.urgency,
        resourceShortId: record.finding.resource.shortId,
        ...(record.finding.resource.name && { resourceName: record.finding.resource.name }),
        accountId: record.finding.accountId,
        region: record.finding.region,
        ...(reach && { reachableOn: reach }),
        firstObservedAt: record.finding.firstObservedAt,
      };
    }),
    canRemediate: control !== undefined,
    highestSeverity: SEVERITY_LABELS[Math.max(0, ...severities.map(severityRank))] ?? 'HIGH',
  };
}
