import { describe, expect, it } from 'vitest';
import type { TokenBucketRule, TokenBucketState } from '../../../src/domain/rate-limit.js';
import { AWS_RATE_RULES, reserveToken } from '../../../src/domain/rate-limit.js';

/** Takes `count` tokens, each call sent when its reservation says (a fake clock that jumps ahead to it). */
function sendTimes(rule: TokenBucketRule, count: number, startMs = 0): number[] {
  let state: TokenBucketState | undefined;
  const sentAt: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const reservation = reserveToken(rule, state, startMs);
    state = reservation.state;
    sentAt.push(startMs + reservation.waitMs);
  }
  return sentAt;
}

describe('token bucket', () => {
  it('lets 50 security group revokes through at once, then one every 200 ms (5/s)', () => {
    const sentAt = sendTimes(AWS_RATE_RULES['security-group-rule-change'], 60);
    expect(sentAt.slice(0, 50).every((at) => at === 0)).toBe(true);
    expect(sentAt.slice(50)).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000]);
  });

  it('never lets more than 50 + 5 per second through in any second-long window', () => {
    const sentAt = sendTimes(AWS_RATE_RULES['security-group-rule-change'], 300);
    for (let second = 1; second <= 50; second += 1) {
      const byThen = sentAt.filter((at) => at <= second * 1000).length;
      expect(byThen).toBeLessThanOrEqual(50 + 5 * second);
    }
    expect(sentAt.at(-1)).toBe(50_000);
  });

  it('starts SSM automations one per second, with no burst beyond the first', () => {
    expect(sendTimes(AWS_RATE_RULES['automation-start'], 4)).toEqual([0, 1000, 2000, 3000]);
  });

  it('refills while idle, up to the capacity and no more', () => {
    const rule = AWS_RATE_RULES['security-group-rule-change'];
    let state: TokenBucketState | undefined;
    for (let index = 0; index < 50; index += 1) state = reserveToken(rule, state, 0).state;
    // 2 s idle: 10 tokens back, so 10 go now and the 11th waits.
    const waits: number[] = [];
    for (let index = 0; index < 11; index += 1) {
      const reservation = reserveToken(rule, state, 2000);
      state = reservation.state;
      waits.push(reservation.waitMs);
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200]);
    // An hour idle fills the bucket to 50, not to 18,000.
    const afterHour = sendTimes(rule, 51, 3_600_000).map((at) => at - 3_600_000);
    expect(afterHour.filter((wait) => wait === 0)).toHaveLength(50);
    expect(afterHour[50]).toBe(200);
  });

  it('spaces instance metadata changes by their own bucket (100 burst, then 5/s)', () => {
    const sentAt = sendTimes(AWS_RATE_RULES['instance-metadata-change'], 102);
    expect(sentAt.filter((at) => at === 0)).toHaveLength(100);
    expect(sentAt.slice(100)).toEqual([200, 400]);
  });
});
