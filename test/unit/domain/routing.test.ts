import { describe, expect, it } from 'vitest';
import { channelFor } from '../../../src/domain/routing.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { Routing } from '../../../src/domain/routing.js';
import { makeFinding } from '../../fixtures/finding.js';

const routing: Routing = {
  defaultChannel: 'C0DEFAULT1',
  rules: [
    { channel: 'C0CRITICAL', controls: ['EC2.19'], severities: ['CRITICAL'] },
    { channel: 'C0PROD0001', accounts: ['111122223333'] },
    { channel: 'C0TOKYO001', regions: ['ap-northeast-1'] },
  ],
};

describe('channelFor', () => {
  it.each([
    [
      'a critical EC2.19 in prod goes to the critical channel first',
      { controlId: 'EC2.19', severity: 'CRITICAL' },
      'C0CRITICAL',
    ],
    [
      'a HIGH EC2.19 does not match the critical rule (all fields must match)',
      { controlId: 'EC2.19', severity: 'HIGH' },
      'C0PROD0001',
    ],
    ['another account in Tokyo goes to the region rule', { accountId: '444455556666' }, 'C0TOKYO001'],
    [
      'another account elsewhere falls back to the default',
      { accountId: '444455556666', region: 'eu-west-1' },
      'C0DEFAULT1',
    ],
  ] satisfies [string, Partial<Finding>, string][])('%s', (_case, overrides, channel) => {
    expect(channelFor(makeFinding(overrides), routing)).toBe(channel);
  });

  it('never matches a control rule for a finding without a control id', () => {
    const { controlId: _controlId, ...withoutControl } = makeFinding({ severity: 'CRITICAL' });

    expect(
      channelFor(
        { ...withoutControl, generatorId: 'guardduty' },
        { ...routing, rules: routing.rules.slice(0, 1) },
      ),
    ).toBe('C0DEFAULT1');
  });
});
