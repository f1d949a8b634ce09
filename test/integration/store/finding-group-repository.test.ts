import { describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { triage } from '../../../src/domain/triage.js';
import { FindingGroupRepository } from '../../../src/store/finding-group-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';

const dynamo = useEmbeddedDynamoDb();
const NOW = '2026-11-22T10:00:00.000Z';
const WINDOW_END = '2026-11-22T10:01:00.000Z';

function groupFinding(index: number) {
  const groupId = `sg-0abc1234def5${String(index).padStart(5, '0')}`;
  return makeFinding({
    id: `arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e3f${String(index).padStart(5, '0')}`,
    resource: {
      ...makeFinding().resource,
      id: `arn:aws:ec2:ap-northeast-1:111122223333:security-group/${groupId}`,
      shortId: groupId,
    },
  });
}

async function storeWithFindings(count: number) {
  const table = await dynamo.freshTable();
  const findings = new FindingRepository(table);
  const groups = new FindingGroupRepository(table);
  const stored = Array.from({ length: count }, (_, index) => groupFinding(index));
  for (const finding of stored)
    await findings.insertNew({ finding, triage: triage(finding), channel: 'C0FINDINGS', now: NOW });
  return { findings, groups, ids: stored.map(findingKeyOf) };
}

describe('FindingGroupRepository', () => {
  it('lists every member of a group by its id, and nothing of another group', async () => {
    // Prepare: 130 members (more than one batch read), and a second group with one member
    const { findings, groups, ids } = await storeWithFindings(131);
    const { groupId } = await groups.create({
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: NOW,
      windowEnd: WINDOW_END,
      now: NOW,
    });
    const other = await groups.create({
      channel: 'C0OTHER001',
      controlId: 'EC2.13',
      windowStart: NOW,
      windowEnd: WINDOW_END,
      now: NOW,
    });
    for (const id of ids.slice(0, 130)) expect(await findings.joinGroup(id, groupId)).toBe(true);
    await groups.addMembers(groupId, ids.slice(0, 130));
    await findings.joinGroup(ids[130]!, other.groupId);
    await groups.addMembers(other.groupId, [ids[130]!]);

    // Act
    const members = await findings.inGroup(groupId);

    // Assess
    expect(members.map((member) => member.findingId).sort()).toEqual(ids.slice(0, 130).sort());
    expect(members.every((member) => member.groupId === groupId)).toBe(true);
    expect((await findings.inGroup(other.groupId)).map((member) => member.findingId)).toEqual([ids[130]]);
    expect(await findings.inGroup('g-unknown')).toEqual([]);
  });

  it('never groups a finding whose message was already posted', async () => {
    const { findings, groups, ids } = await storeWithFindings(1);
    const claimed = await findings.claimDelivery(ids[0]!, NOW, NOW);
    await findings.completeDelivery(claimed!, { channel: 'C0FINDINGS', ts: '1763805600.000001' });
    const { groupId } = await groups.create({
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: NOW,
      windowEnd: WINDOW_END,
      now: NOW,
    });

    expect(await findings.joinGroup(ids[0]!, groupId)).toBe(false);
    expect((await findings.get(ids[0]!))?.groupId).toBeUndefined();
  });

  it('lists the groups of a channel and control, newest window first', async () => {
    const { groups } = await storeWithFindings(0);
    const { groupId, created } = await groups.create({
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: NOW,
      windowEnd: WINDOW_END,
      now: NOW,
    });
    const again = await groups.create({
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: NOW,
      windowEnd: WINDOW_END,
      now: NOW,
    });
    const later = await groups.create({
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: '2026-11-22T11:00:00.000Z',
      windowEnd: '2026-11-22T11:01:00.000Z',
      now: NOW,
    });

    expect(created).toBe(true);
    expect(again).toEqual({ groupId, created: false });
    expect((await groups.recentGroupsFor('C0FINDINGS', 'EC2.13', 3)).map((group) => group.groupId)).toEqual([
      later.groupId,
      groupId,
    ]);
    expect(await groups.recentGroupsFor('C0FINDINGS', 'EC2.19', 3)).toEqual([]);
    expect(await groups.recentGroupsFor('C0OTHER001', 'EC2.13', 3)).toEqual([]);
  });

  it('keeps a render owed when a member changed while the message was being updated', async () => {
    const { groups } = await storeWithFindings(0);
    const { groupId } = await groups.create({
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: NOW,
      windowEnd: WINDOW_END,
      now: NOW,
    });
    const claimed = await groups.claimDelivery(groupId, NOW, NOW);
    await groups.oweRender(groupId, NOW);
    // While the first post is in flight, no second run may take it (it would post the group a second time).
    expect(await groups.claimDelivery(groupId, NOW, NOW)).toBeUndefined();

    const outcome = await groups.completeDelivery(claimed!, '1763805600.000001', {
      members: 5,
      open: 5,
      reachable: 2,
      openByUrgency: { 'act-now': 2, high: 3, normal: 0 },
    });

    expect(outcome).toBe('still-owed');
    expect(await groups.dueDeliveries(NOW, 10)).toEqual([{ groupId, channel: 'C0FINDINGS' }]);
    expect(await groups.get(groupId)).toMatchObject({
      messageTs: '1763805600.000001',
      delivery: 'pending',
      counts: { members: 5 },
    });
  });
});
