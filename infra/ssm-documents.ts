import { AppError } from '../src/domain/app-error.js';
import type { PlannedRevocation, RemediationPlan } from '../src/domain/remediation-plan-types.js';

/**
 * cspm-bot's own SSM Automation documents, one per remediation plan kind. The CDK stack creates them (and grants
 * their automation role `iamActions`); the executor starts them with `ssmParametersFor`. The YAML files under
 * `infra/ssm/` are the documents themselves; a test keeps them and this file in step.
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

/** The most values StartAutomationExecution accepts for one parameter. */
export const MAX_VALUES_PER_PARAMETER = 50;

export const SSM_DOCUMENTS: Readonly<Record<SsmDocumentKey, SsmDocumentSpec>> = {
  'revoke-ingress': {
    key: 'revoke-ingress',
    name: 'CspmBot-RevokeSecurityGroupRules',
    file: new URL('./ssm/CspmBot-RevokeSecurityGroupRules.yaml', import.meta.url),
    parameters: ['GroupId', 'SecurityGroupRuleIds'],
    outputs: ['RevokeRules.Return', 'RevokeRules.RevokedRuleIds', REMAINING_RULE_IDS_OUTPUT],
    iamActions: ['ec2:RevokeSecurityGroupIngress', 'ec2:DescribeSecurityGroupRules'],
  },
  'empty-default-group': {
    key: 'empty-default-group',
    name: 'CspmBot-EmptyDefaultSecurityGroup',
    file: new URL('./ssm/CspmBot-EmptyDefaultSecurityGroup.yaml', import.meta.url),
    parameters: ['GroupId', 'IngressRuleIds', 'EgressRuleIds'],
    outputs: ['RevokeIngress.Return', 'RevokeEgress.Return', REMAINING_RULE_IDS_OUTPUT],
    iamActions: [
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:DescribeSecurityGroupRules',
    ],
  },
  'require-imdsv2-instance': {
    key: 'require-imdsv2-instance',
    name: 'CspmBot-RequireImdsV2Instance',
    file: new URL('./ssm/CspmBot-RequireImdsV2Instance.yaml', import.meta.url),
    parameters: ['InstanceId', 'HttpPutResponseHopLimit'],
    outputs: ['RequireTokens.HttpTokens', 'RequireTokens.State'],
    iamActions: ['ec2:ModifyInstanceMetadataOptions', 'ec2:DescribeInstances'],
  },
  'require-imdsv2-launch-template': {
    key: 'require-imdsv2-launch-template',
    name: 'CspmBot-RequireImdsV2LaunchTemplate',
    file: new URL('./ssm/CspmBot-RequireImdsV2LaunchTemplate.yaml', import.meta.url),
    parameters: [
      'LaunchTemplateId',
      'SourceVersion',
      'HttpPutResponseHopLimit',
      'HttpEndpoint',
      'HttpProtocolIpv6',
      'InstanceMetadataTags',
    ],
    outputs: ['CreateVersion.NewVersion', 'MakeNewVersionDefault.DefaultVersion'],
    iamActions: [
      'ec2:CreateLaunchTemplateVersion',
      'ec2:ModifyLaunchTemplate',
      'ec2:DescribeLaunchTemplateVersions',
    ],
  },
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
  }
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
