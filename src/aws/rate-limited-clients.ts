import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupIngressCommand,
  ModifyInstanceMetadataOptionsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import { StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { RateLimitedOperation, TokenBucketState } from '../domain/rate-limit.js';
import { AWS_RATE_RULES, reserveToken } from '../domain/rate-limit.js';
import type { ChangeAttribution } from '../usecases/ports.js';
import type { ChangeScopedClients } from './attributed-remediator.js';
import type { ResourceClientProvider, SsmClientProvider } from './aws-clients.js';

/** Names AWS uses when it refuses a call for its rate (EC2 query API, JSON APIs) or SSM's 100 running automations. */
const THROTTLED = new Set([
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'AutomationExecutionLimitExceededException',
  // S3's request-rate refusal (503).
  'SlowDown',
]);

function errorName(error: unknown): string | undefined {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

export interface AwsCallPacingOptions {
  /** Epoch milliseconds; injected so tests drive the buckets with a fake clock. */
  readonly nowMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts of one call when AWS throttles it anyway (another tool in the account spends the same tokens). */
  readonly maxAttempts?: number;
  /** First back-off; doubled per attempt up to `maxBackoffMs`. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** 0..1, injected for deterministic tests; spreads retries of calls throttled together. */
  readonly random?: () => number;
}

/**
 * Paces the mutating calls of every remediation in this process by AWS's token buckets (per account, region and
 * bucket), and retries one *call* that AWS throttles anyway with growing back-off. A call is retried, never a plan:
 * a throttled call changed nothing, and what a plan already changed is not sent again.
 */
export class AwsCallPacer {
  readonly #buckets = new Map<string, TokenBucketState>();
  readonly #nowMs: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxAttempts: number;
  readonly #baseBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #random: () => number;

  constructor(options: AwsCallPacingOptions = {}) {
    this.#nowMs = options.nowMs ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#maxAttempts = options.maxAttempts ?? 6;
    this.#baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 20_000;
    this.#random = options.random ?? Math.random;
  }

  /** Waits for a token of `operation` in this account and region (reserved at once, so callers queue fairly). */
  async acquire(operation: RateLimitedOperation, accountId: string, region: string): Promise<void> {
    const key = `${operation}|${accountId}|${region}`;
    const reservation = reserveToken(AWS_RATE_RULES[operation], this.#buckets.get(key), this.#nowMs());
    this.#buckets.set(key, reservation.state);
    if (reservation.waitMs > 0) await this.#sleep(reservation.waitMs);
  }

  /** Sends one call, paced when it is one AWS limits, retried while AWS throttles it. */
  async send<T>(
    operation: RateLimitedOperation | undefined,
    accountId: string,
    region: string,
    call: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      if (operation) await this.acquire(operation, accountId, region);
      try {
        return await call();
      } catch (error) {
        const name = errorName(error);
        if (name === undefined || !THROTTLED.has(name) || attempt >= this.#maxAttempts) throw error;
        const ceiling = Math.min(this.#maxBackoffMs, this.#baseBackoffMs * 2 ** (attempt - 1));
        await this.#sleep(Math.round(ceiling / 2 + (this.#random() * ceiling) / 2));
      }
    }
  }
}

/** Which bucket a command spends, by class (names do not survive minified bundles). */
function operationOf(command: unknown): RateLimitedOperation | undefined {
  if (
    command instanceof RevokeSecurityGroupIngressCommand ||
    command instanceof RevokeSecurityGroupEgressCommand ||
    command instanceof AuthorizeSecurityGroupIngressCommand
  ) {
    return 'security-group-rule-change';
  }
  if (command instanceof ModifyInstanceMetadataOptionsCommand) return 'instance-metadata-change';
  if (command instanceof StartAutomationExecutionCommand) return 'automation-start';
  return undefined;
}

interface Sends {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
}

/** The same client, whose `send` goes through the pacer; everything else (config, paginators) is the client's. */
function paced<C extends object>(client: C, pacer: AwsCallPacer, accountId: string, region: string): C {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'send') {
        return (command: unknown, ...rest: unknown[]) =>
          pacer.send(operationOf(command), accountId, region, () =>
            (target as unknown as Sends).send(command, ...rest),
          );
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

type RemediationClients = ResourceClientProvider & SsmClientProvider;

/**
 * The clients a remediator uses, paced: wraps the account clients (and the per-change clients they hand out for
 * CloudTrail attribution) so every change shares one set of buckets.
 */
export class PacedClients implements RemediationClients, ChangeScopedClients<PacedClients> {
  constructor(
    private readonly inner: RemediationClients & Partial<ChangeScopedClients<RemediationClients>>,
    private readonly pacer: AwsCallPacer,
  ) {}

  async ec2(accountId: string, region: string): Promise<EC2Client> {
    return paced(await this.inner.ec2(accountId, region), this.pacer, accountId, region);
  }

  async autoScaling(accountId: string, region: string): Promise<AutoScalingClient> {
    return paced(await this.inner.autoScaling(accountId, region), this.pacer, accountId, region);
  }

  async s3(accountId: string, region: string): Promise<S3Client> {
    return paced(await this.inner.s3(accountId, region), this.pacer, accountId, region);
  }

  async s3Control(accountId: string, region: string): Promise<S3ControlClient> {
    return paced(await this.inner.s3Control(accountId, region), this.pacer, accountId, region);
  }

  async ssm(accountId: string, region: string): Promise<SSMClient> {
    return paced(await this.inner.ssm(accountId, region), this.pacer, accountId, region);
  }

  automationRoleArn(accountId: string, automationRoleName: string): string {
    return this.inner.automationRoleArn(accountId, automationRoleName);
  }

  forChange(attribution: ChangeAttribution): PacedClients {
    return new PacedClients(
      this.inner.forChange ? this.inner.forChange(attribution) : this.inner,
      this.pacer,
    );
  }
}
