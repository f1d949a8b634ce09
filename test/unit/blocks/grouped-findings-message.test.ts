import type { ActionsBlock, Button } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { GROUP_REMEDIATE_REACHABLE_ACTION } from '../../../blocks/action-ids.js';
import { groupedFindingsMessage } from '../../../blocks/grouped-findings-message.js';
import { checkMessageLimits } from '../../../blocks/limits.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { NetworkReach } from '../../../src/domain/reachability.js';
import { triage } from '../../../src/domain/triage.js';
import { groupedViewOf } from '../../../src/slack/finding-view.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';

const GROUP = { groupId: 'g-3f9c2a715d4e6b8f0a1c', controlId: 'EC2.13' };

const internet: NetworkReach = {
  kind: 'internet',
  via: [
    {
      networkInterfaceId: 'eni-0a1b2c3d4e5f60001',
      subnetId: 'subnet-0a1b2c3d4e5f60001',
      vpcId: 'vpc-0a1b2c3d4e5f67890',
      publicIp: '203.0.113.10',
      ipv6Addresses: [],
      attachedTo: 'i-0a1b2c3d4e5f60001',
    },
  ],
};
const privateOnly: NetworkReach = { kind: 'private', attachments: 1 };

/** Member `index` of an EC2.13 burst: reachable from the internet, or open in a private subnet only. */
function member(index: number, options: { reachable: boolean; finding?: Partial<Finding> }): FindingRecord {
  const groupId = `sg-0abc1234def5${String(index).padStart(5, '0')}`;
  const base = makeFinding();
  const finding = makeFinding({
    id: `${base.id.slice(0, -5)}${String(index).padStart(5, '0')}`,
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:ap-northeast-1:111122223333:security-group/${groupId}`,
      shortId: groupId,
      name: `web-${index}`,
    },
    firstObservedAt: `2026-11-02T09:${String(index % 60).padStart(2, '0')}:00.000Z`,
    ...options.finding,
  });
  const triaged = triage(finding, {
    ingressRules: [makeRule({ groupId })],
    reach: options.reachable ? internet : privateOnly,
  });
  return {
    findingId: findingKeyOf(finding),
    finding,
    triage: triaged,
    channel: 'C0FINDINGS',
    delivery: 'done',
    version: 1,
    firstIngestedAt: '2026-11-22T10:00:00.000Z',
    lastIngestedAt: '2026-11-22T10:00:00.000Z',
    groupId: GROUP.groupId,
  };
}

/** 37 security groups: 12 reachable (one of them CRITICAL), 20 private only, 5 resolved. */
function burstOf37(): FindingRecord[] {
  return [
    ...Array.from({ length: 12 }, (_, index) =>
      member(index, { reachable: true, ...(index === 7 && { finding: { severity: 'CRITICAL' as const } }) }),
    ),
    ...Array.from({ length: 20 }, (_, index) => member(100 + index, { reachable: false })),
    ...Array.from({ length: 5 }, (_, index) =>
      member(200 + index, { reachable: true, finding: { workflowStatus: 'RESOLVED' } }),
    ),
  ];
}

function buttonOf(message: ReturnType<typeof groupedFindingsMessage>): Button | undefined {
  const actions = message.blocks.find((block): block is ActionsBlock => block.type === 'actions');
  return actions?.elements[0] as Button | undefined;
}

describe('groupedFindingsMessage', () => {
  it('says how many, how many are reachable, lists the most urgent, and offers Remediate all reachable', () => {
    const message = groupedFindingsMessage(groupedViewOf(GROUP, burstOf37()));

    expect(message.blocks).toMatchSnapshot();
    expect(checkMessageLimits(message)).toEqual([]);
    expect(message.text).toContain(
      'EC2.13: 37 security groups: SSH (22) open to the internet (12 reachable from the internet, 32 open)',
    );
    expect(buttonOf(message)).toMatchObject({
      action_id: GROUP_REMEDIATE_REACHABLE_ACTION,
      value: GROUP.groupId,
    });
    const listed = JSON.stringify(message.blocks);
    // Act-now first, the CRITICAL one ahead of the other reachable ones; the private ones only after them
    expect(listed.indexOf('sg-0abc1234def500007')).toBeLessThan(listed.indexOf('sg-0abc1234def500000'));
    expect(listed).not.toContain('sg-0abc1234def500100');
    expect(listed).not.toContain('sg-0abc1234def500200');
    expect(listed).toContain('…and 22 more open security groups');
  });

  it('offers no bulk button when nothing reachable is open', () => {
    const members = Array.from({ length: 6 }, (_, index) => member(index, { reachable: false }));

    const message = groupedFindingsMessage(groupedViewOf(GROUP, members));

    expect(buttonOf(message)).toBeUndefined();
    expect(message.text).toContain('0 reachable from the internet, 6 open');
  });

  it('stays within Slack limits for a 500-finding group with the longest names', () => {
    const longName = 'n'.repeat(255);
    const members = Array.from({ length: 500 }, (_, index) =>
      member(index, {
        reachable: true,
        finding: {
          resource: { ...makeFinding().resource, name: `${longName}<&>`, shortId: `sg-${'f'.repeat(17)}` },
        },
      }),
    );

    const message = groupedFindingsMessage(groupedViewOf(GROUP, members));

    expect(checkMessageLimits(message)).toEqual([]);
    expect(message.text).toContain('500 security groups');
  });
});
