import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/decision.js';
import { DecisionRepository } from '../../../src/store/decision-repository.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';

const dynamo = useEmbeddedDynamoDb();

function pending(decisionId: string, requestedAt: string, findingId = 'f-1'): Decision {
  return {
    decisionId,
    findingId,
    kind: 'remediate',
    status: 'PENDING',
    actor: { kind: 'user', userId: 'U0ALICE01' },
    requestedAt,
    what: 'Revoke tcp/22 from 0.0.0.0/0',
  };
}

describe('DecisionRepository: interrupted decisions', () => {
  it('lists PENDING decisions requested before an instant, across findings, until they are completed', async () => {
    const decisions = new DecisionRepository(await dynamo.freshTable());
    const old = pending('d-old', '2026-11-22T09:00:00.000Z', 'f-1');
    const older = pending('d-older', '2026-10-31T23:00:00.000Z', 'f-2');
    const recent = pending('d-recent', '2026-11-22T09:50:00.000Z', 'f-1');
    for (const decision of [old, older, recent]) await decisions.record(decision);

    expect(
      (await decisions.pendingRequestedBefore('2026-11-22T09:40:00.000Z')).map(
        (decision) => decision.decisionId,
      ),
    ).toEqual(['d-older', 'd-old']);

    await decisions.complete({
      ...old,
      status: 'FAILED',
      finishedAt: '2026-11-22T09:41:00.000Z',
      error: { code: 'INTERRUPTED', message: 'interrupted' },
    });
    expect(
      (await decisions.pendingRequestedBefore('2026-11-22T09:40:00.000Z')).map(
        (decision) => decision.decisionId,
      ),
    ).toEqual(['d-older']);
    // Completed decisions keep their place in the time-ordered views.
    expect(
      (await decisions.between('2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')).map(
        (decision) => decision.status,
      ),
    ).toEqual(['FAILED', 'PENDING']);
  });

  it('lets one confirmation be used once, and says so to a second delivery', async () => {
    const decisions = new DecisionRepository(await dynamo.freshTable());
    const use = {
      findingId: 'f-1',
      confirmationId: 'V0CONFIRM01',
      decisionId: 'd-1',
      usedAt: '2026-11-22T10:00:00.000Z',
    };

    expect(await decisions.useConfirmation(use)).toBe(true);
    expect(await decisions.useConfirmation({ ...use, decisionId: 'd-2' })).toBe(false);
    expect(
      await decisions.useConfirmation({ ...use, confirmationId: 'V0CONFIRM02', decisionId: 'd-3' }),
    ).toBe(true);
    // The marker is not a decision: the audit trail of the finding is unchanged.
    expect(await decisions.ofFinding('f-1')).toEqual([]);
  });
});
