import { createHash } from 'node:crypto';
import { GetAutomationExecutionCommand, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import type { AutomationExecution, SSMClient, Tag } from '@aws-sdk/client-ssm';
import {
  PUBLIC_ACCESS_BLOCK_READ_BACK,
  REMAINING_RULE_IDS_OUTPUT,
  ssmParametersFor,
} from '../../infra/ssm-documents.js';
import type { AppError } from '../domain/app-error.js';
import { groupChangeWords } from '../domain/remediation-plan.js';
import type { RemediationExecution, RemediationPlan } from '../domain/remediation-plan-types.js';
import type { ChangeAttribution, Remediator } from '../usecases/ports.js';
import type { SsmClientProvider } from './aws-clients.js';
import { automationTags } from './change-attribution.js';
import { tlsOnlyPolicyStep } from './tls-only-bucket-policy-writer.js';
import type { AwsCallContext } from './errors.js';
import { AwsThrottledError, AwsUnexpectedResponseError, translateAwsError } from './errors.js';
import {
  AutomationDocumentMissingError,
  AutomationFailedError,
  AutomationStillRunningError,
  RemediationIncompleteError,
  SecurityGroupRuleGoneError,
  SsmPlanNotSupportedError,
} from './remediation-errors.js';

export interface SsmRemediatorOptions {
  /** The role SSM Automation assumes in the target account (its `AutomationAssumeRole`). */
  readonly automationRoleName: string;
  /** Default 2 s. */
  readonly pollIntervalMs?: number;
  /** How long to wait for the automation to end; default 10 minutes. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly nowMs?: () => number;
}

const SUCCEEDED: ReadonlySet<string> = new Set(['Success', 'CompletedWithSuccess']);
// Statuses not listed in either set (Pending, InProgress, Waiting, Cancelling, …, or one AWS adds later) keep the
// bot waiting: a status it does not know never reads as success or failure.
const ENDED_UNSUCCESSFULLY: ReadonlySet<string> = new Set([
  'Failed',
  'TimedOut',
  'Cancelled',
  'CompletedWithFailure',
  'Rejected',
  'ChangeCalendarOverrideRejected',
  'Exited',
]);
const FAILED_STEP: ReadonlySet<string> = new Set(['Failed', 'TimedOut', 'Cancelled']);

/**
 * Runs the plan as an SSM Automation execution (one of our documents) in the plan's account and region, and waits
 * for it to end. The execution, its steps and their outputs stay visible in Systems Manager → Automation.
 */
export class SsmRemediator implements Remediator {
  readonly #clients: SsmClientProvider;
  readonly #automationRoleName: string;
  readonly #pollIntervalMs: number;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #nowMs: () => number;

  constructor(clients: SsmClientProvider, options: SsmRemediatorOptions) {
    this.#clients = clients;
    this.#automationRoleName = options.automationRoleName;
    this.#pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.#timeoutMs = options.timeoutMs ?? 10 * 60 * 1000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#nowMs = options.nowMs ?? Date.now;
  }

  async execute(plan: RemediationPlan, context: ChangeAttribution): Promise<RemediationExecution> {
    const unsupported = groupsTheDocumentCannotChange(plan);
    if (unsupported) throw unsupported;
    const ssm = await this.#clients.ssm(plan.accountId, plan.region);
    const roleArn = this.#clients.automationRoleArn(plan.accountId, this.#automationRoleName);
    const { documentName, parameters } = ssmParametersFor(plan, roleArn);
    const executionId = await start(
      ssm,
      plan,
      documentName,
      parameters,
      automationClientToken(context.decisionId),
      automationTags(context),
    );
    return this.#waitFor(ssm, plan, documentName, executionId);
  }

  async #waitFor(
    ssm: SSMClient,
    plan: RemediationPlan,
    documentName: string,
    executionId: string,
  ): Promise<RemediationExecution> {
    const call = callOf(plan, 'GetAutomationExecution', executionId);
    const startedAt = this.#nowMs();
    for (;;) {
      const execution = await describe(ssm, call, executionId);
      const status = execution?.AutomationExecutionStatus;
      if (status && SUCCEEDED.has(status)) {
        return {
          executor: 'ssm',
          executionId,
          steps: succeeded(plan, execution, call, documentName, executionId),
        };
      }
      if (status && ENDED_UNSUCCESSFULLY.has(status)) {
        const failed = new AutomationFailedError(call, executionId, status, failureMessageOf(execution));
        throw ruleGoneIn(plan, execution, failed) ?? failed;
      }
      const waited = this.#nowMs() - startedAt;
      if (waited >= this.#timeoutMs) throw new AutomationStillRunningError(call, executionId, status, waited);
      await this.#sleep(Math.min(this.#pollIntervalMs, this.#timeoutMs - waited));
    }
  }
}

/**
 * The launch template document creates a version and makes it the default; it never changes an Auto Scaling
 * group. A plan that pins or re-points a group, or keeps the default, is refused rather than half done.
 */
function groupsTheDocumentCannotChange(plan: RemediationPlan): SsmPlanNotSupportedError | undefined {
  if (plan.kind !== 'require-imdsv2-launch-template') return undefined;
  const moved = plan.groups.filter((group) => group.change === 'pin' || group.change === 'point-to-new');
  if (plan.makeDefault && moved.length === 0) return undefined;
  const reasons = [
    ...(plan.makeDefault
      ? []
      : [
          `the plan keeps the default version of ${plan.launchTemplateId}, and the SSM document always changes it`,
        ]),
    ...(moved.length > 0
      ? [
          `the plan pins or re-points Auto Scaling groups (${moved.map((group) => groupChangeWords(group, plan.sourceVersion)).join('; ')}), and the SSM document changes no group`,
        ]
      : []),
  ];
  return new SsmPlanNotSupportedError(reasons.join('; '), {
    launchTemplateId: plan.launchTemplateId,
    groups: moved.map((group) => group.groupName),
  });
}

// Our own namespace for name-based UUIDs, so a decision id maps to the same token in every process.
const CLIENT_TOKEN_NAMESPACE = Buffer.from('b492635c38e5477883362dc56b6c4f83', 'hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * StartAutomationExecution's `ClientToken` must be a UUID (exactly 36 characters). A decision id that is one is
 * used as it is; any other becomes a name-based UUID (version 5) of it. Either way, a retried start of the same
 * decision sends the same token, and SSM starts the automation once.
 */
export function automationClientToken(decisionId: string): string {
  if (UUID.test(decisionId)) return decisionId.toLowerCase();
  const hash = createHash('sha1').update(CLIENT_TOKEN_NAMESPACE).update(decisionId, 'utf8').digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function start(
  ssm: SSMClient,
  plan: RemediationPlan,
  documentName: string,
  parameters: Record<string, string[]>,
  clientToken: string,
  tags: Tag[],
): Promise<string> {
  const call = callOf(plan, 'StartAutomationExecution', documentName);
  let executionId: string | undefined;
  try {
    // One request: the client's adaptive retry absorbs the 1 req/s limit, so no loop of our own.
    const output = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: documentName,
        Parameters: parameters,
        ClientToken: clientToken,
        // Who asked, on the execution itself: its steps run as the automation role, whose session SSM names.
        Tags: tags,
      }),
    );
    executionId = output.AutomationExecutionId;
  } catch (error) {
    throw translateStartError(error, call);
  }
  if (!executionId)
    throw new AwsUnexpectedResponseError('SSM started an automation without an execution id', call);
  return executionId;
}

function translateStartError(error: unknown, call: AwsCallContext): unknown {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  const message = `SSM StartAutomationExecution failed: ${String(name)}`;
  if (
    name === 'AutomationDefinitionNotFoundException' ||
    name === 'AutomationDefinitionVersionNotFoundException'
  ) {
    return new AutomationDocumentMissingError(message, call, name, { cause: error });
  }
  // 100 automations already running in the account: the same "wait and retry" as throttling.
  if (name === 'AutomationExecutionLimitExceededException') {
    return new AwsThrottledError(message, call, name, { cause: error });
  }
  return translateAwsError(error, call);
}

/** `undefined` while a just-started execution is not visible yet (SSM reads are eventually consistent). */
async function describe(
  ssm: SSMClient,
  call: AwsCallContext,
  executionId: string,
): Promise<AutomationExecution | undefined> {
  try {
    const output = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }));
    return output.AutomationExecution;
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'AutomationExecutionNotFoundException')
      return undefined;
    throw translateAwsError(error, call);
  }
}

/** The steps of a successful execution, once its outputs show the plan was carried out. */
function succeeded(
  plan: RemediationPlan,
  execution: AutomationExecution,
  call: AwsCallContext,
  documentName: string,
  executionId: string,
): string[] {
  const outputs = execution.Outputs ?? {};
  const steps = [
    `ran SSM automation ${executionId} (${documentName})`,
    ...(execution.StepExecutions ?? []).map(
      (step) =>
        `${step.StepName ?? 'step'}${step.Action ? ` (${step.Action})` : ''}: ${step.StepStatus ?? 'unknown'}`,
    ),
  ];
  switch (plan.kind) {
    case 'revoke-ingress': {
      // The document reads the planned ids back; SSM cannot fail on a non-empty list, so the check is here.
      const planned = new Set(plan.revocations.map((revocation) => revocation.ruleId));
      const remaining = (outputs[REMAINING_RULE_IDS_OUTPUT] ?? []).filter((ruleId) => planned.has(ruleId));
      if (remaining.length > 0) {
        throw new AutomationFailedError(
          call,
          executionId,
          execution.AutomationExecutionStatus ?? 'Success',
          `${remaining.join(', ')} still on ${plan.groupId} after the revocation`,
        );
      }
      return [
        ...steps,
        ...plan.revocations.map(
          (revocation) => `revoked ${revocation.ruleId} (${revocation.words}) from ${plan.groupId}`,
        ),
      ];
    }
    case 'empty-default-group': {
      // The document reads back every rule still on the group: EC2.2 passes only when there is none.
      const remaining = outputs[REMAINING_RULE_IDS_OUTPUT] ?? [];
      if (remaining.length > 0) {
        throw new AutomationFailedError(
          call,
          executionId,
          execution.AutomationExecutionStatus ?? 'Success',
          `${remaining.join(', ')} still on ${plan.groupId} after the revocation`,
        );
      }
      return [
        ...steps,
        ...[...plan.ingress, ...plan.egress].map(
          (revocation) => `revoked ${revocation.ruleId} (${revocation.words}) from ${plan.groupId}`,
        ),
      ];
    }
    case 'require-imdsv2-instance':
      return [...steps, `required IMDSv2 on ${plan.instanceId} (hop limit ${plan.httpPutResponseHopLimit})`];
    case 'require-imdsv2-launch-template': {
      const version = outputs['CreateVersion.NewVersion']?.[0];
      return [
        ...steps,
        `${version ? `version ${version}` : 'a new version'} of ${plan.launchTemplateId} (copy of ${plan.sourceVersion}) ` +
          `requires IMDSv2 and is its default; running instances change when each group next replaces them (instance refresh)`,
      ];
    }
    case 'migrate-launch-configuration': {
      const templateId = outputs['CreateLaunchTemplate.LaunchTemplateId']?.[0];
      const refreshId = outputs['StartInstanceRefresh.InstanceRefreshId']?.[0];
      return [
        ...steps,
        `created launch template ${plan.launchTemplateName}${templateId ? ` (${templateId})` : ''} from ${plan.launchConfigurationName}, requiring IMDSv2 (hop limit ${plan.httpPutResponseHopLimit})`,
        `moved Auto Scaling group ${plan.groups.join(', ')} to it ($Default)`,
        plan.startInstanceRefresh
          ? `started instance refresh ${refreshId ?? ''} as asked`.replace('  ', ' ')
          : 'running instances keep their settings until the group replaces them (no instance refresh asked)',
      ];
    }
    case 'deny-network-acl-ingress':
      // The document reads the ACL back for the history; the use case re-reads it to verify the denies.
      return [...steps, ...plan.denies.map((deny) => `added to ${plan.networkAclId} ${deny.words}`)];
    case 'require-imdsv2-account-defaults':
      // The document asserts HttpTokens=required on read-back; the use case reads every default back to verify.
      return [
        ...steps,
        `set the account default in ${plan.accountId}/${plan.region} to require IMDSv2 for new instances (hop limit ${plan.httpPutResponseHopLimit})`,
      ];
    case 'require-tls-only-bucket-policy':
      // The document reads the policy back for the history; the use case re-reads it to verify every statement.
      return [...steps, tlsOnlyPolicyStep(plan)];
    case 'block-bucket-public-access':
    case 'block-account-public-access': {
      // The document reads the four settings back; anything but `true` for each is a failed remediation.
      const off = PUBLIC_ACCESS_BLOCK_READ_BACK.filter(
        (output) => outputs[output]?.[0]?.toLowerCase() !== 'true',
      );
      const owner =
        plan.kind === 'block-bucket-public-access'
          ? `bucket ${plan.bucketName}`
          : `account ${plan.accountId}`;
      if (off.length > 0) {
        throw new AutomationFailedError(
          call,
          executionId,
          execution.AutomationExecutionStatus ?? 'Success',
          `${owner} read back with ${off.map((output) => output.replace('ReadBack.', '')).join(', ')} not on`,
        );
      }
      return [...steps, `turned on all four Block Public Access settings of ${owner}`];
    }
  }
}

// EC2's codes for a rule id that is no longer in the group; SSM puts them in the failed step's message.
const RULE_GONE_CODES = ['InvalidSecurityGroupRuleId.NotFound', 'InvalidPermission.NotFound'] as const;

/**
 * A revocation that failed because a planned rule vanished: the same error the direct executor raises, so the use
 * case re-reads the group and says what is still open. An EC2.2 execution whose outbound step failed had already
 * revoked the inbound rules: that is said too.
 */
function ruleGoneIn(
  plan: RemediationPlan,
  execution: AutomationExecution | undefined,
  failed: AutomationFailedError,
): AppError | undefined {
  if (plan.kind !== 'revoke-ingress' && plan.kind !== 'empty-default-group') return undefined;
  const step = execution?.StepExecutions?.find(
    (candidate) => candidate.StepStatus && FAILED_STEP.has(candidate.StepStatus),
  );
  const message = `${step?.FailureMessage ?? ''} ${execution?.FailureMessage ?? ''}`;
  const code = RULE_GONE_CODES.find((candidate) => message.includes(candidate));
  if (!code) return undefined;
  const egressFailed = plan.kind === 'empty-default-group' && step?.StepName === 'RevokeEgress';
  const direction = egressFailed ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroupIngress';
  const revocations =
    plan.kind === 'revoke-ingress' ? plan.revocations : egressFailed ? plan.egress : plan.ingress;
  const gone = new SecurityGroupRuleGoneError(
    { ...failed.call, service: 'EC2', operation: direction, resourceId: plan.groupId },
    revocations.map((revocation) => revocation.ruleId),
    code,
    { cause: failed },
  );
  if (!egressFailed || plan.kind !== 'empty-default-group') return gone;
  const done = plan.ingress.map(
    (revocation) => `revoked ${revocation.ruleId} (${revocation.words}) from ${plan.groupId}`,
  );
  return new RemediationIncompleteError(done, gone);
}

function failureMessageOf(execution: AutomationExecution | undefined): string | undefined {
  return (
    execution?.FailureMessage ||
    execution?.StepExecutions?.find((step) => step.StepStatus && FAILED_STEP.has(step.StepStatus))
      ?.FailureMessage ||
    undefined
  );
}

function callOf(plan: RemediationPlan, operation: string, resourceId: string): AwsCallContext {
  return { service: 'SSM', operation, accountId: plan.accountId, region: plan.region, resourceId };
}
