import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { triage } from '../../../src/domain/triage.js';
import { ConsoleMessenger } from '../../../src/runtime/console-messenger.js';
import type { FindingGroup } from '../../../src/store/finding-group-repository.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';

let outbox: string | undefined;
afterEach(async () => {
  if (outbox) await rm(outbox, { recursive: true, force: true });
});

const GROUP: FindingGroup = {
  groupId: 'g-3f9c2a715d4e6b8f0a1c',
  channel: 'C0FINDINGS',
  controlId: 'EC2.13',
  windowStart: '2026-11-22T10:00:00.000Z',
  windowEnd: '2026-11-22T10:01:00.000Z',
  counts: { members: 0, open: 0, reachable: 0, openByUrgency: { 'act-now': 0, high: 0, normal: 0 } },
  delivery: 'in-flight',
  version: 1,
  createdAt: '2026-11-22T10:00:05.000Z',
};

function member(index: number): FindingRecord {
  const groupId = `sg-0abc1234def5${String(index).padStart(5, '0')}`;
  const base = makeFinding();
  const finding = makeFinding({
    id: `${base.id.slice(0, -5)}${String(index).padStart(5, '0')}`,
    resource: { ...base.resource, shortId: groupId, name: `web-${index}` },
  });
  const reach = {
    kind: 'internet' as const,
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
  return {
    findingId: findingKeyOf(finding),
    finding,
    triage: triage(finding, { ingressRules: [makeRule({ groupId })], reach }),
    channel: 'C0FINDINGS',
    delivery: 'in-flight',
    version: 1,
    firstIngestedAt: GROUP.windowStart,
    lastIngestedAt: GROUP.windowStart,
    groupId: GROUP.groupId,
  };
}

describe('ConsoleMessenger (the dry run)', () => {
  it('prints a grouped message as it would read, saves its Block Kit, and shows the finding as a reply in its thread', async () => {
    outbox = await mkdtemp(join(tmpdir(), 'cspm-outbox-'));
    let printed = '';
    const console = new ConsoleMessenger(outbox, (text) => void (printed += text));
    const members = Array.from({ length: 6 }, (_, index) => member(index));

    const parent = await console.postGroup(GROUP, members);
    await console.post('C0FINDINGS', members[0]!, parent.ts);

    expect(printed).toContain('would post one grouped message to C0FINDINGS');
    expect(printed).toContain('6 security groups: SSH (22) open to the internet');
    expect(printed).toContain('[Remediate all reachable (6)…]');
    expect(printed).toContain(`would reply in the thread of ${parent.ts} in C0FINDINGS`);
    const saved = JSON.parse(await readFile(join(outbox, `${parent.ts}.json`), 'utf8')) as {
      blocks: unknown;
    };
    expect(JSON.stringify(saved.blocks)).toContain('group.remediate_reachable');
  });
});
