import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/decision.js';
import { triage } from '../../../src/domain/triage.js';
import { DecisionAlreadyFinishedError, DecisionRepository } from '../../../src/store/decision-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const dynamo = useEmbeddedDynamoDb();

function pending(overrides: Partial<Decision> = {}): Decision {
  return {
    decisionId: 'd-0001',
    findingId: findingKeyOf(makeFinding()),
    kind: 'remediate',
    status: 'PENDING',
    actor: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
    requestedAt: '2026-11-22T10:00:00.000Z',
    what: 'Revoke tcp/22 from 0.0.0.0/0 on sg-0abc1234def567890',
    workflowBefore: 'NEW',
    ...overrides,
  };
}

describe('DecisionRepository', () => {
  it('keeps a decision PENDING, completes it once, and refuses a second completion', async () => {
    const decisions = new DecisionRepository(await dynamo.freshTable());
    await decisions.record(pending());

    await decisions.complete({
      ...pending(),
      status: 'SUCCEEDED',
      finishedAt: '2026-11-22T10:00:09.000Z',
      workflowAfter: 'RESOLVED',
    });
    const second = decisions.complete({ ...pending(), status: 'FAILED' });

    await expect(second).rejects.toBeInstanceOf(DecisionAlreadyFinishedError);
    expect(await decisions.ofFinding(findingKeyOf(makeFinding()))).toEqual([
      expect.objectContaining({ decisionId: 'd-0001', status: 'SUCCEEDED', workflowAfter: 'RESOLVED' }),
    ]);
  });

  it('refuses to record the same decision twice', async () => {
    const decisions = new DecisionRepository(await dynamo.freshTable());
    await decisions.record(pending());

    await expect(decisions.record(pending())).rejects.toThrow();
  });

  it('lists decisions in a time window across month boundaries', async () => {
    const decisions = new DecisionRepository(await dynamo.freshTable());
    await decisions.record(pending({ decisionId: 'd-oct', requestedAt: '2026-10-31T23:00:00.000Z' }));
    await decisions.record(pending({ decisionId: 'd-nov', requestedAt: '2026-11-01T01:00:00.000Z' }));
    await decisions.record(pending({ decisionId: 'd-late', requestedAt: '2026-11-08T00:00:00.000Z' }));

    const week = await decisions.between('2026-10-26T00:00:00.000Z', '2026-11-02T00:00:00.000Z');

    expect(week.map((decision) => decision.decisionId)).toEqual(['d-oct', 'd-nov']);
  });
});

describe('FindingRepository actions', () => {
  it('lets one action run on a finding and tells the second who holds it', async () => {
    const findings = new FindingRepository(await dynamo.freshTable());
    const finding = makeFinding();
    await findings.insertNew({
      finding,
      triage: triage(finding),
      channel: 'C0FINDINGS',
      now: '2026-11-22T10:00:00.000Z',
    });
    const alice = {
      decisionId: 'd-a',
      kind: 'remediate' as const,
      by: 'U0ALICE01',
      since: '2026-11-22T10:00:00.000Z',
    };

    const first = await findings.claimAction(findingKeyOf(finding), alice, '2026-11-22T09:30:00.000Z');
    const second = await findings.claimAction(
      findingKeyOf(finding),
      { ...alice, decisionId: 'd-b', by: 'U0BOB0001' },
      '2026-11-22T09:30:00.000Z',
    );

    expect(first).toEqual({ claimed: true });
    expect(second).toEqual({ claimed: false, heldBy: alice });

    await findings.releaseAction(findingKeyOf(finding), 'd-b');
    expect((await findings.get(findingKeyOf(finding)))?.activeAction).toEqual(alice);
    await findings.releaseAction(findingKeyOf(finding), 'd-a');
    expect((await findings.get(findingKeyOf(finding)))?.activeAction).toBeUndefined();
    expect(
      await findings.claimAction(
        findingKeyOf(finding),
        { ...alice, decisionId: 'd-c' },
        '2026-11-22T09:30:00.000Z',
      ),
    ).toEqual({ claimed: true });
  });

  it('refuses an action on a finding it does not hold', async () => {
    const findings = new FindingRepository(await dynamo.freshTable());

    expect(
      await findings.claimAction(
        'unknown',
        { decisionId: 'd', kind: 'remediate', by: 'U0ALICE01', since: '2026-11-22T10:00:00.000Z' },
        '2026-11-22T09:00:00.000Z',
      ),
    ).toEqual({ claimed: false });
  });
});
