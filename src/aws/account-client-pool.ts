import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ChangeAttribution } from '../usecases/ports.js';
import type { ChangeScopedClients } from './attributed-remediator.js';
import { READ_SESSION_NAME, roleSessionName } from './change-attribution.js';
import type { AwsCallContext } from './errors.js';
import { AwsAssumeRoleDeniedError, AwsUnexpectedResponseError, translateAwsError } from './errors.js';
import type { Ec2ClientProvider } from './security-group-inspector.js';

/** Gives an Auto Scaling client for the account and region a finding lives in. */
export interface AutoScalingClientProvider {
  autoScaling(accountId: string, region: string): Promise<AutoScalingClient>;
}

/**
 * Gives S3 clients for an account. Bucket calls go to the bucket's own Region (S3 answers a request sent elsewhere
 * with a redirect); S3 Control's account-level calls name the account (`AccountId`) and go to any Region.
 */
export interface S3ClientProvider {
  s3(accountId: string, region: string): Promise<S3Client>;
  s3Control(accountId: string, region: string): Promise<S3ControlClient>;
}

/** Gives an SSM client for an account and region, and the role SSM Automation runs as there. */
export interface SsmClientProvider {
  ssm(accountId: string, region: string): Promise<SSMClient>;
  automationRoleArn(accountId: string, automationRoleName: string): string;
}

/** What the resource reader and the direct remediator need: EC2, Auto Scaling and S3 in any account. */
export type ResourceClientProvider = Ec2ClientProvider & AutoScalingClientProvider & S3ClientProvider;

/** The SDK's credential identity, as a `credentials` provider function resolves it. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export interface RetryConfig {
  readonly maxAttempts: number;
  readonly retryMode: 'adaptive' | 'standard';
}

export interface AccountClientsOptions {
  /** The account the bot runs in; asked of STS GetCallerIdentity (once) when absent. */
  readonly homeAccountId?: string | undefined;
  /** The role the bot assumes in every other account, e.g. `cspm-bot-member`. */
  readonly memberRoleName: string;
  /** The SDK clients this pool may make (see ServiceClientConstructors). */
  readonly services: ServiceClientConstructors;
  readonly externalId?: string | undefined;
  /** STS with the bot's own credentials. */
  readonly sts: STSClient;
  /** `aws`, `aws-cn`, `aws-us-gov`; default `aws`. */
  readonly partition?: string;
  readonly clientConfig?: RetryConfig;
  /** Epoch milliseconds; injected so tests can age credentials. */
  readonly now?: () => number;
  /** The member-role session's name; `cspm-bot` for reads, one per decision for a change (see forChange). */
  readonly roleSessionName?: string;
  /**
   * Called on each client once it is made, e.g. to have a sandbox account answer instead of AWS (src/sandbox).
   * Security Hub clients belong to the bot's own account, so they come without an account id.
   */
  readonly configureClient?: (
    client: ServiceClient,
    where: { readonly accountId?: string; readonly region: string },
  ) => void;
}

/** Every kind of client an AccountClientPool makes. */
export type ServiceClient =
  EC2Client | SSMClient | AutoScalingClient | SecurityHubClient | S3Client | S3ControlClient;

/**
 * The SDK clients a pool may make. A Lambda passes only those it runs, so its bundle holds no other SDK client
 * (the EC2 client alone is over 500 KB); asking for one it was not given is a wiring fault.
 */
export interface ServiceClientConstructors {
  readonly ec2?: typeof EC2Client;
  readonly ssm?: typeof SSMClient;
  readonly autoScaling?: typeof AutoScalingClient;
  readonly securityHub?: typeof SecurityHubClient;
  readonly s3?: typeof S3Client;
  readonly s3Control?: typeof S3ControlClient;
}

/** Raised when code asks a pool for an SDK client its Lambda was not wired with (a bug, never a user's doing). */
export class ServiceClientNotWiredError extends Error {
  constructor(readonly service: keyof ServiceClientConstructors) {
    super(
      `No ${service} client is wired into this process: add it to the services its AccountClientPool is given`,
    );
    this.name = 'ServiceClientNotWiredError';
  }
}

/**
 * Adaptive retry rate-limits on the client side and retries throttling a bounded number of times: EC2 refills
 * 5 tokens/s, StartAutomationExecution allows 1 req/s per account. Nothing waits for minutes.
 */
const DEFAULT_RETRY: RetryConfig = { maxAttempts: 5, retryMode: 'adaptive' };
/** Assumed-role credentials are renewed this long before they expire, so no call signs with a dying session. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/**
 * AWS clients per account, region and service, for the services the pool was given. The bot's own account uses
 * the default credential chain; any other account is reached through its member role (STS AssumeRole), with the
 * session shared by all clients of that account and renewed before it expires.
 */
export class AccountClientPool
  implements
    Ec2ClientProvider,
    AutoScalingClientProvider,
    S3ClientProvider,
    SsmClientProvider,
    ChangeScopedClients<AccountClientPool>
{
  readonly #options: AccountClientsOptions;
  readonly #partition: string;
  readonly #retry: RetryConfig;
  readonly #now: () => number;
  readonly #ec2 = new Map<string, EC2Client>();
  readonly #ssm = new Map<string, SSMClient>();
  readonly #autoScaling = new Map<string, AutoScalingClient>();
  readonly #securityHub = new Map<string, SecurityHubClient>();
  readonly #s3 = new Map<string, S3Client>();
  readonly #s3Control = new Map<string, S3ControlClient>();
  readonly #sessions = new Map<string, Promise<SessionCredentials>>();
  #homeAccount: Promise<string> | undefined;

  constructor(options: AccountClientsOptions) {
    this.#options = options;
    this.#partition = options.partition ?? 'aws';
    this.#retry = options.clientConfig ?? DEFAULT_RETRY;
    this.#now = options.now ?? Date.now;
    if (options.homeAccountId !== undefined) this.#homeAccount = Promise.resolve(options.homeAccountId);
  }

  async ec2(accountId: string, region: string): Promise<EC2Client> {
    const EC2 = this.#service('ec2');
    return this.#client(this.#ec2, accountId, region, (config) => new EC2(config));
  }

  async ssm(accountId: string, region: string): Promise<SSMClient> {
    const SSM = this.#service('ssm');
    return this.#client(this.#ssm, accountId, region, (config) => new SSM(config));
  }

  async autoScaling(accountId: string, region: string): Promise<AutoScalingClient> {
    const AutoScaling = this.#service('autoScaling');
    return this.#client(this.#autoScaling, accountId, region, (config) => new AutoScaling(config));
  }

  async s3(accountId: string, region: string): Promise<S3Client> {
    const S3 = this.#service('s3');
    return this.#client(this.#s3, accountId, region, (config) => new S3(config));
  }

  async s3Control(accountId: string, region: string): Promise<S3ControlClient> {
    const S3Control = this.#service('s3Control');
    return this.#client(this.#s3Control, accountId, region, (config) => new S3Control(config));
  }

  /** Security Hub in the bot's own account (the aggregator), never through a member role. */
  async securityHub(region: string): Promise<SecurityHubClient> {
    let client = this.#securityHub.get(region);
    if (!client) {
      const SecurityHub = this.#service('securityHub');
      client = new SecurityHub({ ...this.#retry, region });
      this.#options.configureClient?.(client, { region });
      this.#securityHub.set(region, client);
    }
    return client;
  }

  /**
   * Clients for one change, not cached beyond it: a member account is reached through a session named after the
   * decision (and the Slack user, where it fits), so the account's CloudTrail shows who asked. The bot's own
   * account still signs with the bot's own role, whose session name is not ours to choose.
   */
  forChange(attribution: ChangeAttribution): AccountClientPool {
    const scoped = new AccountClientPool({ ...this.#options, roleSessionName: roleSessionName(attribution) });
    scoped.#homeAccount = this.#homeAccount;
    return scoped;
  }

  /** The role SSM Automation assumes in `accountId` (its `AutomationAssumeRole` parameter). */
  automationRoleArn(accountId: string, automationRoleName: string): string {
    return this.#roleArn(accountId, automationRoleName);
  }

  #service<K extends keyof ServiceClientConstructors>(service: K): NonNullable<ServiceClientConstructors[K]> {
    const constructor = this.#options.services[service];
    if (!constructor) throw new ServiceClientNotWiredError(service);
    return constructor;
  }

  async #client<T extends ServiceClient>(
    cache: Map<string, T>,
    accountId: string,
    region: string,
    create: (config: {
      region: string;
      maxAttempts: number;
      retryMode: string;
      credentials?: () => Promise<SessionCredentials>;
    }) => T,
  ): Promise<T> {
    const key = `${accountId}/${region}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const isHome = accountId === (await this.#homeAccountId());
    // A member account's credentials are resolved when the client first signs a request, and again before expiry.
    const client = create({
      ...this.#retry,
      region,
      ...(isHome ? {} : { credentials: () => this.#memberCredentials(accountId) }),
    });
    // Another caller may have built one meanwhile; keep the first so the cache holds one client per key.
    const raced = cache.get(key);
    if (raced) return raced;
    this.#options.configureClient?.(client, { accountId, region });
    cache.set(key, client);
    return client;
  }

  #homeAccountId(): Promise<string> {
    if (!this.#homeAccount) {
      const lookup = this.#callerAccount();
      this.#homeAccount = lookup;
      lookup.catch(() => {
        if (this.#homeAccount === lookup) this.#homeAccount = undefined;
      });
    }
    return this.#homeAccount;
  }

  async #callerAccount(): Promise<string> {
    const call: AwsCallContext = { service: 'STS', operation: 'GetCallerIdentity' };
    let account: string | undefined;
    try {
      account = (await this.#options.sts.send(new GetCallerIdentityCommand({}))).Account;
    } catch (error) {
      throw translateAwsError(error, call);
    }
    if (!account)
      throw new AwsUnexpectedResponseError('STS returned a caller identity without an account', call);
    return account;
  }

  async #memberCredentials(accountId: string): Promise<SessionCredentials> {
    const session = this.#sessions.get(accountId);
    if (session) {
      const credentials = await session;
      if (!this.#expiresSoon(credentials)) return credentials;
      // Someone else may already be renewing it.
      if (this.#sessions.get(accountId) !== session) return this.#memberCredentials(accountId);
    }
    const renewed = this.#assumeMemberRole(accountId);
    this.#sessions.set(accountId, renewed);
    renewed.catch(() => {
      // A refusal is not cached: the next call asks STS again (the role may have been deployed meanwhile).
      if (this.#sessions.get(accountId) === renewed) this.#sessions.delete(accountId);
    });
    return renewed;
  }

  #expiresSoon(credentials: SessionCredentials): boolean {
    return (
      credentials.expiration !== undefined &&
      credentials.expiration.getTime() - this.#now() <= REFRESH_BEFORE_EXPIRY_MS
    );
  }

  async #assumeMemberRole(accountId: string): Promise<SessionCredentials> {
    const roleArn = this.#roleArn(accountId, this.#options.memberRoleName);
    const call = { service: 'STS', operation: 'AssumeRole', accountId, resourceId: roleArn };
    const { externalId } = this.#options;
    let output;
    try {
      output = await this.#options.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.#options.roleSessionName ?? READ_SESSION_NAME,
          ...(externalId !== undefined ? { ExternalId: externalId } : {}),
        }),
      );
    } catch (error) {
      if (isAccessDenied(error)) {
        throw new AwsAssumeRoleDeniedError(`STS AssumeRole of ${roleArn} was denied`, call, 'AccessDenied', {
          cause: error,
        });
      }
      throw translateAwsError(error, call);
    }
    const credentials = output.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new AwsUnexpectedResponseError(`STS AssumeRole of ${roleArn} returned no credentials`, call);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    };
  }

  #roleArn(accountId: string, roleName: string): string {
    return `arn:${this.#partition}:iam::${accountId}:role/${roleName}`;
  }
}

function isAccessDenied(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AccessDenied';
}
