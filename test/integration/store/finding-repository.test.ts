import { describe, expect, it } from 'vitest';
import { triage } from '../../../src/domain/triage.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { SyncCursorRepository } from '../../../src/store/sync-cursor-repository.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const dynamo = useEmbeddedDynamoDb();
const NOW = '2026-11-22T10:00:00.000Z';
const LATER = '2026-11-22T10:05:00.000Z';

async function repositoryWithOneFinding() {
  const findings = new FindingRepository(await dynamo.freshTable());
  const finding = makeFinding();
  await findings.insertNew({ finding, triage: triage(finding), channel: 'C0FINDINGS', now: NOW });
  return { findings, finding };
}

describe('FindingRepository', () => {
  it('stores a finding once: a second insert of the same id is refused', async () => {
    // Prepare
    const { findings, finding } = await repositoryWithOneFinding();

    // Act
    const again = await findings.insertNew({
      finding,
      triage: triage(finding),
      channel: 'C0OTHER00',
      now: LATER,
    });

    // Assess
    expect(again).toBe(false);
    const stored = await findings.get(findingKeyOf(finding));
    expect(stored).toMatchObject({
      findingId: findingKeyOf(finding),
      channel: 'C0FINDINGS',
      delivery: 'pending',
      version: 1,
    });
    expect(stored?.finding).toEqual(finding);
  });

  it('returns undefined for a finding it never stored', async () => {
    const findings = new FindingRepository(await dynamo.freshTable());

    expect(await findings.get('arn:aws:securityhub:nowhere')).toBeUndefined();
  });

  it('lets one worker claim an owed delivery, and lists it until delivered', async () => {
    const { findings, finding } = await repositoryWithOneFinding();

    const first = await findings.claimDelivery(findingKeyOf(finding), NOW, '2026-11-22T09:55:00.000Z');
    const second = await findings.claimDelivery(findingKeyOf(finding), NOW, '2026-11-22T09:55:00.000Z');

    expect(first?.delivery).toBe('in-flight');
    expect(second).toBeUndefined();
    expect(await findings.owedDeliveries()).toEqual([findingKeyOf(finding)]);

    expect(await findings.completeDelivery(first!, { channel: 'C0FINDINGS', ts: '1763805600.000100' })).toBe(
      'done',
    );
    expect(await findings.owedDeliveries()).toEqual([]);
    expect(await findings.get(findingKeyOf(finding))).toMatchObject({
      delivery: 'done',
      messageTs: '1763805600.000100',
    });
  });

  it('lets a stale claim of a crashed worker be taken over', async () => {
    const { findings, finding } = await repositoryWithOneFinding();
    await findings.claimDelivery(findingKeyOf(finding), NOW, '2026-11-22T09:55:00.000Z');

    const takeover = await findings.claimDelivery(findingKeyOf(finding), LATER, '2026-11-22T10:01:00.000Z');

    expect(takeover?.deliveryClaimedAt).toBe(LATER);
  });

  it('keeps the delivery owed when the finding changed while its message was being posted', async () => {
    const { findings, finding } = await repositoryWithOneFinding();
    const claimed = await findings.claimDelivery(findingKeyOf(finding), NOW, NOW);
    const resolved = { ...finding, workflowStatus: 'RESOLVED' as const };
    expect(
      await findings.updateFinding({
        record: claimed!,
        finding: resolved,
        triage: triage(resolved),
        owesDelivery: true,
        now: LATER,
      }),
    ).toBe(true);
    // While the first post is in flight no second run may take it: it would post the finding a second time.
    expect(await findings.claimDelivery(findingKeyOf(finding), LATER, NOW)).toBeUndefined();

    const outcome = await findings.completeDelivery(claimed!, {
      channel: 'C0FINDINGS',
      ts: '1763805600.000100',
    });

    expect(outcome).toBe('still-owed');
    expect(await findings.get(findingKeyOf(finding))).toMatchObject({
      delivery: 'pending',
      messageTs: '1763805600.000100',
      version: 2,
    });
    expect(await findings.owedDeliveries()).toEqual([findingKeyOf(finding)]);
  });

  it('refuses an update that would mark owed a message another run started posting after the read', async () => {
    const { findings, finding } = await repositoryWithOneFinding();
    const read = (await findings.get(findingKeyOf(finding)))!;
    await findings.claimDelivery(findingKeyOf(finding), NOW, NOW);
    const resolved = { ...finding, workflowStatus: 'RESOLVED' as const };

    expect(
      await findings.updateFinding({
        record: read,
        finding: resolved,
        triage: triage(resolved),
        owesDelivery: true,
        now: LATER,
      }),
    ).toBe(false);
  });

  it('refuses an update based on a stale read', async () => {
    const { findings, finding } = await repositoryWithOneFinding();
    const read = (await findings.get(findingKeyOf(finding)))!;
    await findings.updateFinding({
      record: read,
      finding,
      triage: triage(finding),
      owesDelivery: false,
      now: LATER,
    });

    const stale = await findings.updateFinding({
      record: read,
      finding,
      triage: triage(finding),
      owesDelivery: false,
      now: LATER,
    });

    expect(stale).toBe(false);
  });

  it('gives a failed delivery back with its reason', async () => {
    const { findings, finding } = await repositoryWithOneFinding();
    await findings.claimDelivery(findingKeyOf(finding), NOW, NOW);

    await findings.releaseDelivery(findingKeyOf(finding), 'Slack rate limited: retry after 30 s');

    expect(await findings.get(findingKeyOf(finding))).toMatchObject({
      delivery: 'pending',
      deliveryError: 'Slack rate limited: retry after 30 s',
    });
    expect(await findings.claimDelivery(findingKeyOf(finding), LATER, NOW)).toBeDefined();
  });
});

describe('SyncCursorRepository', () => {
  it('saves and reads the cursor per region', async () => {
    const cursors = new SyncCursorRepository(await dynamo.freshTable());

    await cursors.save({ region: 'eu-west-1', updatedSince: '2026-11-22T09:00:00.000Z', lastRunAt: NOW });

    expect(await cursors.get('eu-west-1')).toEqual({
      region: 'eu-west-1',
      updatedSince: '2026-11-22T09:00:00.000Z',
      lastRunAt: NOW,
    });
    expect(await cursors.get('us-east-1')).toBeUndefined();
  });
});

describe('FindingRepository updates', () => {
  it('replaces the stored finding whole, so a field that disappeared does not linger', async () => {
    const findings = new FindingRepository(await dynamo.freshTable());
    const finding = makeFinding({ description: 'old description' });
    await findings.insertNew({ finding, triage: triage(finding), channel: 'C0FINDINGS', now: NOW });
    const { description: _dropped, ...withoutDescription } = finding;

    await findings.updateFinding({
      record: (await findings.get(findingKeyOf(finding)))!,
      finding: withoutDescription,
      triage: triage(finding),
      owesDelivery: false,
      now: LATER,
    });

    expect((await findings.get(findingKeyOf(finding)))?.finding.description).toBeUndefined();
  });
});
