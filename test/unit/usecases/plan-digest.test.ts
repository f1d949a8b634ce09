import { describe, expect, it } from 'vitest';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import { planDigest } from '../../../src/usecases/plan-digest.js';

const plan: RemediationPlan = {
  kind: 'revoke-ingress',
  accountId: '111122223333',
  region: 'ap-northeast-1',
  groupId: 'sg-0abc1234def567890',
  revocations: [{ ruleId: 'sgr-0a1b2c3d4e5f60001', words: 'tcp/22 from 0.0.0.0/0' }],
};

describe('planDigest', () => {
  it('is stable for the same plan and changes when a rule is added', () => {
    const more: RemediationPlan = {
      ...plan,
      revocations: [...plan.revocations, { ruleId: 'sgr-0a1b2c3d4e5f60002', words: 'tcp/22 from ::/0' }],
    };

    expect(planDigest(plan)).toBe(planDigest({ ...plan }));
    expect(planDigest(plan)).toMatch(/^[0-9a-f]{64}$/);
    expect(planDigest(more)).not.toBe(planDigest(plan));
  });

  it('changes when another network interface starts using a default group, so the confirmation covers exactly those', () => {
    const emptyGroup: RemediationPlan = {
      kind: 'empty-default-group',
      accountId: '111122223333',
      region: 'ap-northeast-1',
      groupId: 'sg-0abc1234def567890',
      ingress: [{ ruleId: 'sgr-0a1b2c3d4e5f60011', words: 'inbound all traffic from sg-0abc1234def567890' }],
      egress: [],
      interfacesInUse: ['eni-0a1b2c3d4e5f60001'],
    };

    expect(
      planDigest({ ...emptyGroup, interfacesInUse: ['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60002'] }),
    ).not.toBe(planDigest(emptyGroup));
  });
});
