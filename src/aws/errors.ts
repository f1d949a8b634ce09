import { AppError } from '../domain/app-error.js';

/** Where an AWS call was made: what a person needs to find the account, the region and the thing it was about. */
export interface AwsCallContext {
  /** `EC2`, `Security Hub`, … */
  readonly service: string;
  /** API action, e.g. `DescribeSecurityGroupRules`. */
  readonly operation: string;
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
  /** `sg-…`, `i-…`, a finding id; absent for list calls. */
  readonly resourceId?: string | undefined;
}

/** The account and region an adapter's client talks to, when the runtime knows them (for error context). */
export type AwsScope = Pick<AwsCallContext, 'accountId' | 'region'>;

/** Base of the errors an AWS adapter raises for SDK exceptions it recognises. The SDK error stays as `cause`. */
export abstract class AwsError extends AppError {
  readonly call: AwsCallContext;
  /** The SDK error `name` (the AWS error code), e.g. `UnauthorizedOperation`; absent when we noticed it ourselves. */
  readonly awsErrorName: string | undefined;

  constructor(message: string, call: AwsCallContext, awsErrorName?: string, options?: ErrorOptions) {
    super(message, awsErrorName === undefined ? { ...call } : { ...call, awsErrorName }, options);
    this.call = call;
    this.awsErrorName = awsErrorName;
  }
}

export class AwsAccessDeniedError extends AwsError {
  readonly code = 'AWS_ACCESS_DENIED';

  override get userMessage(): string {
    const { service, operation } = this.call;
    if (this.awsErrorName === 'InvalidAccessException') {
      // Security Hub's own code: the hub is off in that region or the caller is not its administrator.
      return (
        `Security Hub refused ${operation} in ${where(this.call)}: it may not be enabled there, or this account is ` +
        `not its administrator. Enable Security Hub in that region or point the bot at the administrator account.`
      );
    }
    return (
      `The bot's role may not call ${service} ${operation} in ${where(this.call)}. ` +
      `Check that the bot's IAM role there allows it, then try again.`
    );
  }
}

/**
 * Auto Scaling answers an unknown group in an update with `ValidationError` and a message ("… AutoScalingGroup name
 * not found …"); the bot names that case with its own code.
 */
export const AUTO_SCALING_GROUP_NOT_FOUND = 'AutoScalingGroup.NotFound';

/** What a not-found error code says is missing; the words differ, and only some of them mean "nothing to fix". */
export type MissingThing =
  | 'security-group'
  | 'security-group-rule'
  | 'instance'
  | 'launch-template'
  | 'launch-template-version'
  | 'auto-scaling-group'
  | 'resource';

const MISSING_BY_CODE: Readonly<Record<string, MissingThing>> = {
  'InvalidGroup.NotFound': 'security-group',
  'InvalidGroupId.NotFound': 'security-group',
  'InvalidSecurityGroupRuleId.NotFound': 'security-group-rule',
  'InvalidPermission.NotFound': 'security-group-rule',
  'InvalidInstanceID.NotFound': 'instance',
  'InvalidLaunchTemplateId.NotFound': 'launch-template',
  'InvalidLaunchTemplateName.NotFoundException': 'launch-template',
  'InvalidLaunchTemplateId.VersionNotFound': 'launch-template-version',
  'InvalidLaunchTemplateName.VersionNotFound': 'launch-template-version',
  [AUTO_SCALING_GROUP_NOT_FOUND]: 'auto-scaling-group',
};

export class AwsResourceNotFoundError extends AwsError {
  readonly code = 'AWS_NOT_FOUND';

  /** What is missing, from the AWS error code. */
  get missing(): MissingThing {
    return (this.awsErrorName && MISSING_BY_CODE[this.awsErrorName]) || 'resource';
  }

  override get userMessage(): string {
    const what = this.call.resourceId ?? 'the resource';
    const place = where(this.call);
    switch (this.missing) {
      case 'security-group-rule':
        // The group is still there, possibly with open rules: never "nothing needs fixing".
        return (
          `A rule of ${what} that the plan names no longer exists in ${place}; the group itself still exists. ` +
          `Nothing was changed by this call. Re-check the finding to see which rules are still open.`
        );
      case 'launch-template-version':
        return (
          `The launch template version the bot works from (${what}) no longer exists in ${place}. ` +
          `Re-check the finding to plan from the template as it is now.`
        );
      case 'security-group':
        return `Security group ${what} no longer exists in ${place}: it was deleted since the finding was raised. Security Hub archives the finding at its next check; nothing needs fixing.`;
      case 'instance':
        return `Instance ${what} no longer exists in ${place} (terminated). Security Hub archives the finding at its next check; nothing needs fixing.`;
      case 'launch-template':
        return `Launch template ${what} no longer exists in ${place}. Groups that used it launch from something else now; re-check the finding.`;
      case 'auto-scaling-group':
        return `Auto Scaling group ${what} no longer exists in ${place}. Security Hub archives the finding at its next check; nothing needs fixing.`;
      case 'resource':
        return (
          `${what} no longer exists in ${place}: it may have been deleted since the finding was raised. ` +
          `Re-check the finding to see whether anything is left to fix.`
        );
    }
  }
}

export class AwsThrottledError extends AwsError {
  readonly code = 'AWS_THROTTLED';

  override get userMessage(): string {
    return (
      `AWS is throttling ${this.call.service} ${this.call.operation} in ${where(this.call)}. ` +
      `Wait a minute and try again.`
    );
  }
}

/** AWS answered, but without a field the API always sends; the adapter cannot translate it. */
export class AwsUnexpectedResponseError extends AwsError {
  readonly code = 'AWS_UNEXPECTED_RESPONSE';

  override get userMessage(): string {
    return (
      `${this.call.service} ${this.call.operation} in ${where(this.call)} answered in a shape the bot does not ` +
      `know. The details are in the bot log; try again in a minute.`
    );
  }
}

// EC2 says `UnauthorizedOperation`; query APIs (STS) `AccessDenied`; JSON APIs (Security Hub, SSM)
// `AccessDeniedException`; Security Hub adds `InvalidAccessException` when the hub is not enabled.
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'InvalidAccessException',
]);

// The codes the SDK's own retry strategy treats as throttling for the services we call; by the time one reaches
// us, the retries the runtime configured are spent. Security Hub documents `LimitExceededException` for its
// request-rate limits.
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  // S3 (503 Slow Down).
  'SlowDown',
]);

// EC2 names each missing resource `Invalid<Thing>.NotFound` (InvalidGroup.NotFound, InvalidInstanceID.NotFound,
// InvalidSecurityGroupRuleId.NotFound, InvalidNetworkInterfaceID.NotFound, InvalidVpcID.NotFound, …).
// Launch templates add `InvalidLaunchTemplateName.NotFoundException` and `….VersionNotFound`.
const EC2_NOT_FOUND = /^Invalid[A-Za-z0-9]+\.(?:NotFound|NotFoundException|VersionNotFound)$/;

function isNotFound(name: string): boolean {
  // S3 says `NoSuchBucket` for a bucket deleted (or never there).
  return name === 'ResourceNotFoundException' || name === 'NoSuchBucket' || EC2_NOT_FOUND.test(name);
}

function isAutoScalingGroupNotFound(name: string, error: unknown): boolean {
  const message = (error as { message?: unknown }).message;
  return (
    name === 'ValidationError' &&
    typeof message === 'string' &&
    /auto ?scaling ?group.*not found/i.test(message)
  );
}

/**
 * Turns an SDK exception we recognise (by its `name`, which is the AWS error code) into our error, keeping the
 * original as `cause`. Anything else — including errors that are already ours — comes back unchanged.
 */
export function translateAwsError(error: unknown, call: AwsCallContext): unknown {
  if (error instanceof AppError) return error;
  const name = awsErrorName(error);
  if (name === undefined) return error;
  const message = `${call.service} ${call.operation} failed in ${where(call)}: ${name}`;
  if (ACCESS_DENIED.has(name)) return new AwsAccessDeniedError(message, call, name, { cause: error });
  if (THROTTLED.has(name)) return new AwsThrottledError(message, call, name, { cause: error });
  if (isNotFound(name)) return new AwsResourceNotFoundError(message, call, name, { cause: error });
  if (isAutoScalingGroupNotFound(name, error)) {
    return new AwsResourceNotFoundError(message, call, AUTO_SCALING_GROUP_NOT_FOUND, { cause: error });
  }
  return error;
}

/**
 * The region a client was built for, for error context only: never fails, `undefined` when it cannot tell.
 * (Resolved SDK clients expose `config.region` as a provider function.)
 */
export async function clientRegion(client: {
  readonly config: { readonly region?: unknown };
}): Promise<string | undefined> {
  const region = client.config.region;
  try {
    const value: unknown = typeof region === 'function' ? await (region as () => Promise<unknown>)() : region;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

function where(call: AwsCallContext): string {
  const account = call.accountId ? `account ${call.accountId}` : 'the target account';
  return call.region ? `${account} (${call.region})` : account;
}

/** "account 111122223333 (eu-west-1)" for messages; "the target account" when the account is unknown. */
export { where as accountAndRegion };

/**
 * STS refused to let the bot assume its role in a member account: the role is missing there, does not trust the
 * bot's account, or expects another external id. Every later call to that account would fail the same way.
 */
export class AwsAssumeRoleDeniedError extends AwsError {
  readonly code = 'AWS_ASSUME_ROLE_DENIED';
  readonly roleArn: string;

  constructor(
    message: string,
    call: AwsCallContext & { readonly resourceId: string },
    awsErrorName?: string,
    options?: ErrorOptions,
  ) {
    super(message, call, awsErrorName, options);
    this.roleArn = call.resourceId;
  }

  override get userMessage(): string {
    const account = this.call.accountId ?? 'the member account';
    return (
      `The bot could not assume ${this.roleArn} in account ${account}. Deploy the member-account role there ` +
      `(it must trust the bot's account and, if configured, its external id; see "Member accounts" in the README), ` +
      `then try again.`
    );
  }
}
