import { describe, expect, it } from 'vitest';
import { describeRule } from '../../../src/domain/rule-description.js';
import { makeRule } from '../../fixtures/finding.js';

describe('describeRule', () => {
  it.each([
    [makeRule(), 'tcp/22 from 0.0.0.0/0'],
    [makeRule({ fromPort: 0, toPort: 65535 }), 'tcp/0-65535 from 0.0.0.0/0'],
    [
      makeRule({ protocol: '-1', fromPort: -1, toPort: -1, source: { kind: 'ipv6', cidr: '::/0' } }),
      'all traffic from ::/0',
    ],
    [makeRule({ protocol: '17', fromPort: 3389, toPort: 3389 }), 'udp/3389 from 0.0.0.0/0'],
    [makeRule({ protocol: 'icmp', fromPort: -1, toPort: -1 }), 'icmp from 0.0.0.0/0'],
    [
      makeRule({ source: { kind: 'security-group', groupId: 'sg-0123', userId: '111122223333' } }),
      'tcp/22 from 111122223333/sg-0123',
    ],
    [makeRule({ source: { kind: 'prefix-list', prefixListId: 'pl-63a5400a' } }), 'tcp/22 from pl-63a5400a'],
  ])('describes %o as "%s"', (rule, text) => {
    expect(describeRule(rule)).toBe(text);
  });
});
