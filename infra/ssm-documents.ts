import { AppError } from '../src/domain/app-error.js';
import { remediationOfPlan } from '../src/domain/control-catalog.js';
import { migrationClientToken } from '../src/domain/launch-configuration-migration.js';
import type {
  PlannedNetworkAclDeny,
  PlannedRevocation,
  RemediationPlan,
} from '../src/domain/remediation-plan-types.js';
import { POLICY_PART_PARAMETERS, policyParts } from './ssm-policy-parts.js';

/**
 * cspm-bot's own SSM Automation documents, one per remediation plan kind, named and granted as the control catalog
 * says (REMEDIATION_CATALOG: `runbook`, `permissions.automation`). The CDK stack creates them (and grants their
 * automation role `iamActions`); the executor starts them with `ssmParametersFor`. The YAML files under `infra/ssm/`
 * are the documents themselves; a test keeps them and this file in step.
 */
export type SsmDocumentKey = RemediationPlan['kind'];

export interface SsmDocumentSpec {
  readonly key: SsmDocumentKey;
  /** The document name in Systems Manager, e.g. `CspmBot-RevokeSecurityGroupRules`. */
  readonly name: string;
  /** The YAML document, read by the CDK stack at synth time (never at run time). */
  readonly file: URL;
  /** Parameters the executor passes, besides `AutomationAssumeRole`. */
  readonly parameters: readonly string[];
  /** `Step.Output` names the document publishes, for the executor to read from the execution. */
  readonly outputs: readonly string[];
  /** What the automation role needs, as IAM actions (`ec2:RevokeSecurityGroupIngress`): one per API the steps call. */
  readonly iamActions: readonly string[];
}

export const AUTOMATION_ASSUME_ROLE_PARAMETER = 'AutomationAssumeRole';

/**
 * The IAM action of an API call (`service:Api`, as a runbook step names it), where the two differ. EC2 and Auto
 * Scaling name their actions after their APIs; S3 does not (Service Authorization Reference, Amazon S3): the same
 * PutPublicAccessBlock is s3:PutBucketPublicAccessBlock on a bucket and s3:PutAccountPublicAccessBlock through S3
 * Control, and ListBuckets is s3:ListAllMyBuckets.
 */
const IAM_ACTION_OF_API: Readonly<Record<string, string>> = {
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
};

/** `ec2:RevokeSecurityGroupIngress` for EC2's API of that name; `s3:PutBucketPublicAccessBlock` for S3's PutPublicAccessBlock. */
export function iamActionOfApi(service: string, api: string): string {
  const call = `${service}:${api}`;
  return IAM_ACTION_OF_API[call] ?? call;
}

/** The API calls (`service:Api`) an IAM action authorizes: the inverse of iamActionOfApi. */
export function apiCallsOfIamAction(action: string): string[] {
  const renamed = Object.entries(IAM_ACTION_OF_API)
    .filter(([, iamAction]) => iamAction === action)
    .map(([call]) => call);
  return renamed.length > 0 ? renamed : [action];
}

/**
 * In the revoke document's outputs: the planned rule ids still on the group after the revocation. SSM cannot assert
 * that a list is empty, so the executor does: anything but an empty list is a failed remediation.
 */
export const REMAINING_RULE_IDS_OUTPUT = 'ReadRemainingRules.RemainingRuleIds';

/**
 * EC2's documented defaults for launch template metadata options a version leaves out. The document must send a
 * value, and sending the default is what leaving it out means.
 */
export const METADATA_OPTION_DEFAULTS = {
  httpEndpoint: 'enabled',
  httpProtocolIpv6: 'disabled',
  instanceMetadataTags: 'disabled',
} as const;

/** The longest value StartAutomationExecution accepts (each string of a parameter's list). */
export const MAX_PARAMETER_VALUE_LENGTH = 512;

/** The most values StartAutomationExecution accepts for one parameter. */
export const MAX_VALUES_PER_PARAMETER = 50;

/**
 * The network ACL document's deny slots: one rule number parameter per family and port (0 skips the slot). SSM
 * cannot loop over a list of entries without a script, so each possible deny has its own step.
 */
export const NETWORK_ACL_DENY_SLOTS = [
  { parameter: 'Ipv4SshRuleNumber', family: 'ipv4', port: 22 },
  { parameter: 'Ipv4RdpRuleNumber', family: 'ipv4', port: 3389 },
  { parameter: 'Ipv6SshRuleNumber', family: 'ipv6', port: 22 },
  { parameter: 'Ipv6RdpRuleNumber', family: 'ipv6', port: 3389 },
] as const;

/** The S3 Block Public Access documents' read-back, one output per setting (`true` once on). */
export const PUBLIC_ACCESS_BLOCK_READ_BACK: readonly string[] = [
  'ReadBack.BlockPublicAcls',
  'ReadBack.IgnorePublicAcls',
  'ReadBack.BlockPublicPolicy',
  'ReadBack.RestrictPublicBuckets',
];

/**
 * The document of `key` as the control catalog names it and grants it (`runbook`, `permissions.automation`), with what
 * only the executor knows: the parameters it passes and the outputs it reads.
 */
function documentOf(
  key: SsmDocumentKey,
  io: Pick<SsmDocumentSpec, 'parameters' | 'outputs'>,
): SsmDocumentSpec {
  const { runbook, permissions } = remediationOfPlan(key);
  return {
    key,
    name: runbook,
    file: new URL(`./ssm/${runbook}.yaml`, import.meta.url),
    ...io,
    iamActions: [...permissions.automation, ...(permissions.checkedOnCall?.automation ?? [])],
  };
}

export const SSM_DOCUMENTS: Readonly<Record<SsmDocumentKey, SsmDocumentSpec>> = {
  'revoke-ingress': documentOf('revoke-ingress', {
    parameters: ['GroupId', 'SecurityGroupRuleIds'],
    outputs: ['RevokeRules.Return', 'RevokeRules.RevokedRuleIds', REMAINING_RULE_IDS_OUTPUT],
  }),
  'empty-default-group': documentOf('empty-default-group', {
    parameters: ['GroupId', 'IngressRuleIds', 'EgressRuleIds'],
    outputs: ['RevokeIngress.Return', 'RevokeEgress.Return', REMAINING_RULE_IDS_OUTPUT],
  }),
  'require-imdsv2-instance': documentOf('require-imdsv2-instance', {
    parameters: ['InstanceId', 'HttpPutResponseHopLimit'],
    outputs: ['RequireTokens.HttpTokens', 'RequireTokens.State'],
  }),
  'require-imdsv2-launch-template': documentOf('require-imdsv2-launch-template', {
    parameters: [
      'LaunchTemplateId',
      'SourceVersion',
      'HttpPutResponseHopLimit',
      'HttpEndpoint',
      'HttpProtocolIpv6',
      'InstanceMetadataTags',
    ],
    outputs: ['CreateVersion.NewVersion', 'MakeNewVersionDefault.DefaultVersion'],
  }),
  'deny-network-acl-ingress': documentOf('deny-network-acl-ingress', {
    parameters: ['NetworkAclId', ...NETWORK_ACL_DENY_SLOTS.map((slot) => slot.parameter)],
    outputs: ['ReadEntries.Entries'],
  }),
  'require-imdsv2-account-defaults': documentOf('require-imdsv2-account-defaults', {
    parameters: ['HttpPutResponseHopLimit'],
    outputs: ['RequireTokens.Return'],
  }),
  'require-tls-only-bucket-policy': documentOf('require-tls-only-bucket-policy', {
    parameters: ['BucketName', 'ExpectedBucketOwner', ...POLICY_PART_PARAMETERS],
    outputs: ['ReadPolicy.Policy'],
  }),
  'block-bucket-public-access': documentOf('block-bucket-public-access', {
    parameters: ['BucketName', 'AccountId'],
    outputs: PUBLIC_ACCESS_BLOCK_READ_BACK,
  }),
  'block-account-public-access': documentOf('block-account-public-access', {
    parameters: ['AccountId'],
    outputs: PUBLIC_ACCESS_BLOCK_READ_BACK,
  }),
  'migrate-launch-configuration': documentOf('migrate-launch-configuration', {
    parameters: [
      'LaunchTemplateName',
      'ClientToken',
      'LaunchTemplateData',
      'AutoScalingGroupName',
      'StartInstanceRefresh',
    ],
    outputs: ['CreateLaunchTemplate.LaunchTemplateId', 'StartInstanceRefresh.InstanceRefreshId'],
  }),
};

/** A plan that no single execution of its document can carry out. */
export class SsmParametersError extends AppError {
  readonly code = 'SSM_PARAMETERS_INVALID';

  override get userMessage(): string {
    return `This remediation cannot run as planned: ${this.message}`;
  }
}

export interface SsmExecutionRequest {
  readonly documentName: string;
  /** StartAutomationExecution `Parameters`: every value is a list of strings, an Integer is `['1']`. */
  readonly parameters: Record<string, string[]>;
}

/**
 * The one place a plan becomes StartAutomationExecution input. It carries the plan out exactly: the rule ids,
 * instance, template and version the person approved, nothing looked up again here.
 */
export function ssmParametersFor(
  plan: RemediationPlan,
  automationAssumeRoleArn: string,
): SsmExecutionRequest {
  const documentName = SSM_DOCUMENTS[plan.kind].name;
  const role = { [AUTOMATION_ASSUME_ROLE_PARAMETER]: [automationAssumeRoleArn] };
  switch (plan.kind) {
    case 'revoke-ingress':
      return {
        documentName,
        parameters: {
          ...role,
          GroupId: [plan.groupId],
          SecurityGroupRuleIds: ruleIdsOf(plan, plan.revocations),
        },
      };
    case 'empty-default-group':
      return {
        documentName,
        parameters: {
          ...role,
          GroupId: [plan.groupId],
          IngressRuleIds: ruleIdsOf(plan, plan.ingress, 'inbound'),
          EgressRuleIds: ruleIdsOf(plan, plan.egress, 'outbound'),
        },
      };
    case 'require-imdsv2-instance':
      return {
        documentName,
        parameters: {
          ...role,
          InstanceId: [plan.instanceId],
          HttpPutResponseHopLimit: [String(plan.httpPutResponseHopLimit)],
        },
      };
    case 'require-imdsv2-launch-template':
      return {
        documentName,
        parameters: {
          ...role,
          LaunchTemplateId: [plan.launchTemplateId],
          SourceVersion: [String(plan.sourceVersion)],
          HttpPutResponseHopLimit: [String(plan.httpPutResponseHopLimit)],
          HttpEndpoint: [plan.keptMetadataOptions.httpEndpoint ?? METADATA_OPTION_DEFAULTS.httpEndpoint],
          HttpProtocolIpv6: [
            plan.keptMetadataOptions.httpProtocolIpv6 ?? METADATA_OPTION_DEFAULTS.httpProtocolIpv6,
          ],
          InstanceMetadataTags: [
            plan.keptMetadataOptions.instanceMetadataTags ?? METADATA_OPTION_DEFAULTS.instanceMetadataTags,
          ],
        },
      };
    case 'deny-network-acl-ingress':
      return {
        documentName,
        parameters: { ...role, NetworkAclId: [plan.networkAclId], ...denySlotsOf(plan) },
      };
    case 'require-imdsv2-account-defaults':
      return {
        documentName,
        parameters: { ...role, HttpPutResponseHopLimit: [String(plan.httpPutResponseHopLimit)] },
      };
    case 'require-tls-only-bucket-policy':
      return {
        documentName,
        parameters: {
          ...role,
          BucketName: [plan.bucketName],
          ExpectedBucketOwner: [plan.accountId],
          ...policyPartsOf(plan),
        },
      };
    case 'block-bucket-public-access':
      return {
        documentName,
        parameters: { ...role, BucketName: [plan.bucketName], AccountId: [plan.accountId] },
      };
    case 'block-account-public-access':
      return { documentName, parameters: { ...role, AccountId: [plan.accountId] } };
    case 'migrate-launch-configuration':
      return { documentName, parameters: { ...role, ...migrationParametersOf(plan) } };
  }
}

/**
 * The planned policy in the document's parts; the parts after its end are not passed (they default to empty, and
 * StartAutomationExecution takes no empty value).
 */
function policyPartsOf(
  plan: Extract<RemediationPlan, { kind: 'require-tls-only-bucket-policy' }>,
): Record<string, string[]> {
  const parts = policyParts(plan.policy);
  if (!parts) {
    throw new SsmParametersError(
      `the planned policy of ${plan.bucketName} (${plan.policy.length} characters) does not fit the SSM document's ` +
        `${POLICY_PART_PARAMETERS.length} parameters of 512 characters; use the direct executor (CSPM_EXECUTOR=direct)`,
      { bucketName: plan.bucketName, accountId: plan.accountId, region: plan.region },
    );
  }
  return Object.fromEntries(parts.map((part, index) => [POLICY_PART_PARAMETERS[index]!, [part]]));
}

/** One group, a template still to create, and data that fits one parameter value; anything else is refused. */
function migrationParametersOf(
  plan: Extract<RemediationPlan, { kind: 'migrate-launch-configuration' }>,
): Record<string, string[]> {
  const context = {
    launchConfigurationName: plan.launchConfigurationName,
    accountId: plan.accountId,
    region: plan.region,
  };
  const direct = 'use the direct executor (CSPM_EXECUTOR=direct)';
  const [group, ...more] = plan.groups;
  if (group === undefined || more.length > 0)
    throw new SsmParametersError(
      `the SSM document moves one Auto Scaling group, and the plan for ${plan.launchConfigurationName} moves ${plan.groups.length}; ${direct}`,
      context,
    );
  if (plan.existingLaunchTemplateId !== undefined)
    throw new SsmParametersError(
      `the plan reuses launch template ${plan.launchTemplateName} made by an earlier run, and the SSM document always creates one; ${direct}`,
      context,
    );
  const data = JSON.stringify(plan.launchTemplateData);
  if (data.length > MAX_PARAMETER_VALUE_LENGTH)
    throw new SsmParametersError(
      `the launch template data of ${plan.launchConfigurationName} is ${data.length} characters (user data and block devices count), and SSM takes at most ${MAX_PARAMETER_VALUE_LENGTH} per parameter; ${direct}`,
      context,
    );
  return {
    LaunchTemplateName: [plan.launchTemplateName],
    ClientToken: [migrationClientToken(plan, plan.launchTemplateName, plan.launchTemplateData)],
    LaunchTemplateData: [data],
    AutoScalingGroupName: [group],
    StartInstanceRefresh: [String(plan.startInstanceRefresh)],
  };
}

/** Each slot's planned rule number, `0` for a slot the plan leaves empty; a deny no slot holds is refused. */
function denySlotsOf(
  plan: Extract<RemediationPlan, { kind: 'deny-network-acl-ingress' }>,
): Record<string, string[]> {
  const inSlot = (deny: PlannedNetworkAclDeny) =>
    NETWORK_ACL_DENY_SLOTS.find((slot) => slot.family === deny.family && slot.port === deny.port);
  const context = { networkAclId: plan.networkAclId, accountId: plan.accountId, region: plan.region };
  if (plan.denies.length === 0)
    throw new SsmParametersError(`the plan for ${plan.networkAclId} adds no deny entry`, context);
  const unslotted = plan.denies.filter((deny) => inSlot(deny) === undefined);
  if (unslotted.length > 0) {
    throw new SsmParametersError(
      `the SSM document denies only tcp/22 and tcp/3389, and the plan for ${plan.networkAclId} also adds ${unslotted.map((deny) => deny.words).join('; ')}; use the direct executor (CSPM_EXECUTOR=direct)`,
      context,
    );
  }
  return Object.fromEntries(
    NETWORK_ACL_DENY_SLOTS.map((slot) => {
      const deny = plan.denies.find((candidate) => inSlot(candidate) === slot);
      return [slot.parameter, [String(deny?.ruleNumber ?? 0)]];
    }),
  );
}

function ruleIdsOf(
  plan: Extract<RemediationPlan, { kind: 'revoke-ingress' | 'empty-default-group' }>,
  revocations: readonly PlannedRevocation[],
  direction?: 'inbound' | 'outbound',
): string[] {
  const ruleIds = [...new Set(revocations.map((revocation) => revocation.ruleId))];
  const context = {
    groupId: plan.groupId,
    accountId: plan.accountId,
    region: plan.region,
    rules: ruleIds.length,
  };
  const rules = direction ? `${direction} rules` : 'rules';
  if (ruleIds.length === 0) {
    // The document revokes both lists; EC2 refuses an empty one. The direct executor handles a one-sided group.
    throw new SsmParametersError(
      direction
        ? `the plan for ${plan.groupId} has no ${rules} to revoke, and the SSM document revokes both directions; use the direct executor (CSPM_EXECUTOR=direct) or remove the remaining rules in the console`
        : `the plan for ${plan.groupId} revokes no rule`,
      context,
    );
  }
  // The document takes one list and EC2 revokes it all or nothing; splitting it would be a different plan.
  if (ruleIds.length > MAX_VALUES_PER_PARAMETER) {
    throw new SsmParametersError(
      `the plan for ${plan.groupId} revokes ${ruleIds.length} ${rules}; one execution takes at most ${MAX_VALUES_PER_PARAMETER}`,
      context,
    );
  }
  return ruleIds;
}
