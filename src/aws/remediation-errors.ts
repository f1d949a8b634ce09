import { AppError } from '../domain/app-error.js';
import type { AwsCallContext } from './errors.js';
import { AwsError, accountAndRegion } from './errors.js';

/** The finding is about a kind of resource the bot can neither read nor fix. */
export class UnsupportedResourceTypeError extends AppError {
  readonly code = 'UNSUPPORTED_RESOURCE_TYPE';
  readonly resourceType: string;

  constructor(resourceType: string, resourceId: string) {
    super(`No current-state reader for resource type ${resourceType}`, { resourceType, resourceId });
    this.resourceType = resourceType;
  }

  override get userMessage(): string {
    return `The bot cannot check or fix ${this.resourceType} resources yet; fix this one in the AWS console.`;
  }
}

/**
 * A rule id of the plan is no longer in the group (`InvalidSecurityGroupRuleId.NotFound`, or
 * `InvalidPermission.NotFound`). EC2 rejects the whole request, so nothing was revoked by it; the group itself
 * still exists. The use case re-reads the group and says what is still open.
 */
export class SecurityGroupRuleGoneError extends AwsError {
  readonly code = 'SECURITY_GROUP_RULE_GONE';
  readonly ruleIds: readonly string[];

  constructor(
    call: AwsCallContext,
    ruleIds: readonly string[],
    awsErrorName: string,
    options?: ErrorOptions,
  ) {
    super(
      `A rule of ${ruleIds.join(', ')} is no longer in ${call.resourceId ?? 'the group'}`,
      call,
      awsErrorName,
      options,
    );
    this.ruleIds = ruleIds;
  }

  override get userMessage(): string {
    return (
      `A rule the plan would revoke is no longer in ${this.call.resourceId ?? 'the security group'} ` +
      `(${accountAndRegion(this.call)}); the group still exists. Someone changed it since the plan was made, so ` +
      `this revocation changed nothing. Re-check the finding to plan from the group as it is now.`
    );
  }
}

/**
 * An Auto Scaling group no longer uses the template version the plan says (someone changed it since): nothing was
 * changed, because acting on it could switch it to a copy of another version.
 */
export class LaunchTemplateGroupsChangedError extends AwsError {
  readonly code = 'LAUNCH_TEMPLATE_GROUPS_CHANGED';
  readonly changes: readonly string[];

  constructor(call: AwsCallContext, changes: readonly string[]) {
    super(`Auto Scaling groups changed since the plan: ${changes.join('; ')}`, call);
    this.changes = changes;
  }

  override get userMessage(): string {
    return (
      `Auto Scaling groups of ${this.call.resourceId ?? 'the launch template'} changed since the plan was made ` +
      `(${this.changes.join('; ')}), so nothing was changed. Re-check the finding to plan from them as they are now.`
    );
  }
}

/** EC2 answered RevokeSecurityGroupIngress without confirming it (`Return: false` or unknown permissions). */
export class RevokeNotConfirmedError extends AwsError {
  readonly code = 'REVOKE_NOT_CONFIRMED';

  override get userMessage(): string {
    return (
      `EC2 did not confirm revoking the rules of ${this.call.resourceId ?? 'the security group'} ` +
      `(${accountAndRegion(this.call)}). Re-check the finding to see which rules remain.`
    );
  }
}

/**
 * A remediation of several AWS calls stopped part-way. `completedSteps` is what did change (for the audit record
 * and the message); the failing call's error is the `cause`.
 */
export class RemediationIncompleteError extends AppError {
  readonly code = 'REMEDIATION_INCOMPLETE';
  readonly completedSteps: readonly string[];

  constructor(completedSteps: readonly string[], failure: unknown) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    super(
      `Remediation stopped after ${completedSteps.length} step(s): ${reason}`,
      { completedSteps },
      { cause: failure },
    );
    this.completedSteps = completedSteps;
  }

  override get userMessage(): string {
    const failure = this.cause instanceof AppError ? this.cause.userMessage : 'An AWS call failed.';
    return `${failure} Already done before it stopped: ${this.completedSteps.join('; ')}.`;
  }
}

/** The plan needs a change the SSM document does not make; running it would leave part of the fix undone. */
export class SsmPlanNotSupportedError extends AppError {
  readonly code = 'SSM_PLAN_NOT_SUPPORTED';

  override get userMessage(): string {
    return (
      `This remediation cannot run through SSM Automation: ${this.message}. ` +
      `Use the direct executor, or make the change in the AWS console.`
    );
  }
}

/** SSM Automation ended without success (Failed, TimedOut, Cancelled, CompletedWithFailure, …). */
export class AutomationFailedError extends AwsError {
  readonly code = 'SSM_AUTOMATION_FAILED';
  readonly executionId: string;
  readonly status: string;
  readonly failureMessage: string | undefined;

  constructor(call: AwsCallContext, executionId: string, status: string, failureMessage: string | undefined) {
    super(`SSM automation ${executionId} ended ${status}: ${failureMessage ?? 'no failure message'}`, call);
    this.executionId = executionId;
    this.status = status;
    this.failureMessage = failureMessage;
  }

  override get userMessage(): string {
    const reason = this.failureMessage ? shorten(this.failureMessage) : `it ended with status ${this.status}`;
    return `The SSM automation ${this.executionId} failed: ${reason}. See Systems Manager → Automation.`;
  }
}

/** The bot stopped waiting; the automation itself may still succeed or fail. */
export class AutomationStillRunningError extends AwsError {
  readonly code = 'SSM_AUTOMATION_STILL_RUNNING';
  readonly executionId: string;
  readonly waitedMs: number;

  constructor(call: AwsCallContext, executionId: string, status: string | undefined, waitedMs: number) {
    super(`SSM automation ${executionId} still ${status ?? 'not visible'} after ${waitedMs} ms`, call);
    this.executionId = executionId;
    this.waitedMs = waitedMs;
  }

  override get userMessage(): string {
    const minutes = Math.max(1, Math.round(this.waitedMs / 60_000));
    return (
      `The SSM automation ${this.executionId} is still running after ${minutes} minute(s); the bot stopped waiting. ` +
      `Check its outcome in Systems Manager → Automation (${accountAndRegion(this.call)}), then re-check the finding.`
    );
  }
}

/** The automation document is not shared with or deployed in the target account and region. */
export class AutomationDocumentMissingError extends AwsError {
  readonly code = 'SSM_DOCUMENT_MISSING';

  override get userMessage(): string {
    return (
      `The SSM document ${this.call.resourceId ?? ''} is not available in ${accountAndRegion(this.call)}. ` +
      // Documents are regional: the home region gets them from the bot or member stack, others from their own stack.
      `Deploy the runbooks there with that account's credentials: CspmBotRunbooks-${this.call.region ?? '<region>'} ` +
      `(the region listed in CSPM_AWS_REGIONS), or CspmBotMember if this is its home region (README "Deploy to ` +
      `AWS"), then try again.`
    );
  }
}

// SSM failure messages can quote whole API responses; the Slack message needs the gist, the log keeps it all.
const MAX_FAILURE_MESSAGE = 500;

function shorten(text: string): string {
  const trimmed = text.trim().replace(/\.+$/, '');
  return trimmed.length <= MAX_FAILURE_MESSAGE ? trimmed : `${trimmed.slice(0, MAX_FAILURE_MESSAGE - 1)}…`;
}
