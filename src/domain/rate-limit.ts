/**
 * AWS's own throttling model for mutating calls: a token bucket per account and region. A full bucket allows a
 * burst; after that calls go at the refill rate. The bot spends tokens before AWS would refuse the call, so a bulk
 * remediation of hundreds of resources never trips `RequestLimitExceeded` for everyone else in the account.
 */
export interface TokenBucketRule {
  /** Tokens in a full bucket: the burst allowed after a quiet period. */
  readonly capacity: number;
  /** Tokens added per second, up to `capacity`. */
  readonly refillPerSecond: number;
}

/** A bucket as last seen: `tokens` may be negative, meaning calls already reserved future tokens. */
export interface TokenBucketState {
  readonly tokens: number;
  readonly atMs: number;
}

/** A call's reservation: wait `waitMs` before sending it; `state` is the bucket to keep. */
export interface TokenReservation {
  readonly state: TokenBucketState;
  readonly waitMs: number;
}

/**
 * Takes one token at `nowMs` (epoch milliseconds, injected). When the bucket is empty the token is reserved from
 * the refill to come, so callers arriving together are spaced one after another instead of all waking at once.
 */
export function reserveToken(
  rule: TokenBucketRule,
  state: TokenBucketState | undefined,
  nowMs: number,
): TokenReservation {
  const before = state ?? { tokens: rule.capacity, atMs: nowMs };
  const elapsedMs = Math.max(0, nowMs - before.atMs);
  const available = Math.min(rule.capacity, before.tokens + (elapsedMs * rule.refillPerSecond) / 1000);
  const after = available - 1;
  const waitMs = after >= 0 ? 0 : Math.ceil((-after * 1000) / rule.refillPerSecond);
  return { state: { tokens: after, atMs: nowMs }, waitMs };
}

/** The AWS calls the bot limits, each counted in its own bucket as AWS counts it. */
export type RateLimitedOperation =
  'security-group-rule-change' | 'instance-metadata-change' | 'automation-start';

/**
 * From AWS's documentation: EC2 security group rule changes (Authorize/Revoke…) 50 burst, 5/s; EC2
 * ModifyInstanceMetadataOptions 100 burst, 5/s; SSM StartAutomationExecution 1 request per second.
 */
export const AWS_RATE_RULES: Readonly<Record<RateLimitedOperation, TokenBucketRule>> = {
  'security-group-rule-change': { capacity: 50, refillPerSecond: 5 },
  'instance-metadata-change': { capacity: 100, refillPerSecond: 5 },
  'automation-start': { capacity: 1, refillPerSecond: 1 },
};
