import type { AssumeRoleRequest, AssumeRoleResponse, GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import { stsRefusal } from './service-errors.js';

const SESSION_SECONDS = 3600;

/** STS for the bot's own identity and its member-role sessions; every account of the estate trusts the bot. */
export class SandboxSts {
  constructor(
    private readonly homeAccountId: string,
    private readonly accountIds: () => readonly string[],
    private readonly now: () => Date,
  ) {}

  GetCallerIdentity(): GetCallerIdentityResponse {
    return {
      UserId: 'AROASANDBOXCSPMBOT0001:cspm-bot',
      Account: this.homeAccountId,
      Arn: `arn:aws:sts::${this.homeAccountId}:assumed-role/cspm-bot/cspm-bot`,
    };
  }

  /** A role in an account the estate does not hold is refused as STS refuses a role that is not there. */
  AssumeRole(input: AssumeRoleRequest): AssumeRoleResponse {
    const roleArn = input.RoleArn ?? '';
    const accountId = /^arn:[^:]+:iam::(\d{12}):role\//.exec(roleArn)?.[1];
    if (!accountId || !this.accountIds().includes(accountId)) {
      throw stsRefusal(
        'AccessDenied',
        `User: arn:aws:sts::${this.homeAccountId}:assumed-role/cspm-bot/cspm-bot is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const session = input.RoleSessionName ?? 'cspm-bot';
    return {
      Credentials: {
        AccessKeyId: 'ASIASANDBOXSANDBOX01',
        SecretAccessKey: 'sandbox-secret-access-key-not-a-real-secret',
        SessionToken: 'sandbox-session-token',
        Expiration: new Date(this.now().getTime() + SESSION_SECONDS * 1000),
      },
      AssumedRoleUser: {
        AssumedRoleId: `AROASANDBOXMEMBER0001:${session}`,
        Arn: `${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session}`,
      },
    };
  }
}
