import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/decision.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { reconcileInterruptedActions } from '../../../src/usecases/reconcile-interrupted-actions.js';
import { suppressFinding } from '../../../src/usecases/suppress-finding.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

const CRASHED_AT = '2026-11-22T10:00:00.000Z';

/** A posted finding, and what a process killed mid-suppress leaves: the finding held and a PENDING decision. */
async function suppressKilledMidway() {
  const { deps, clock, workflow } = riskDeps(await dynamo.freshTable(), slack, {
    now: CRASHED_AT,
    allowedUsers: ['U0ALICE01', 'U0BOB0001'],
  });
  const finding = makeFinding();
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
    [{ ok: true, finding }],
  );
  const findingId = findingKeyOf(finding);
  await deps.findings.claimAction(
    findingId,
    { decisionId: 'hold-crashed', kind: 'suppress', by: 'U0BOB0001', since: CRASHED_AT },
    '2026-11-22T09:40:00.000Z',
  );
  const interrupted: Decision = {
    decisionId: 'suppress-crashed',
    findingId,
    kind: 'suppress',
    status: 'PENDING',
    actor: { kind: 'user', userId: 'U0BOB0001' },
    requestedAt: CRASHED_AT,
    what: 'Suppressed',
    reason: 'Bastion host behind the VPN',
    workflowBefore: 'NEW',
  };
  await deps.decisions.record(interrupted);
  slack.reset();
  return { deps, clock, workflow, findingId };
}

const threadReplies = () =>
  slack
    .callsOf('chat.postMessage')
    .filter((call) => call.body['thread_ts'])
    .map((call) => String(call.body['text']));

describe('a suppress interrupted before Security Hub answered', () => {
  it('is waited for within the lease, then settled by the next click as interrupted (check Security Hub) before the new decision runs', async () => {
    const { deps, clock, workflow, findingId } = await suppressKilledMidway();

    clock.set('2026-11-22T10:10:00.000Z');
    expect(
      await suppressFinding(deps, { findingId, userId: 'U0ALICE01', reason: 'Accepted by the network team' }),
    ).toMatchObject({ kind: 'in-progress', by: 'U0BOB0001' });

    clock.set('2026-11-22T10:21:00.000Z');
    const outcome = await suppressFinding(deps, {
      findingId,
      userId: 'U0ALICE01',
      reason: 'Accepted by the network team',
    });

    expect(outcome).toMatchObject({ kind: 'done' });
    const decisions = await deps.decisions.ofFinding(findingId);
    expect(decisions.find((decision) => decision.decisionId === 'suppress-crashed')).toMatchObject({
      status: 'FAILED',
      error: { code: 'INTERRUPTED' },
    });
    expect(decisions.filter((decision) => decision.status === 'SUCCEEDED')).toEqual([
      expect.objectContaining({ kind: 'suppress', actor: expect.objectContaining({ userId: 'U0ALICE01' }) }),
    ]);
    expect(threadReplies()).toEqual([
      expect.stringContaining("Check the finding's workflow status in Security Hub"),
    ]);
    // The interrupted decision was not sent again: Security Hub got Alice's suppress only.
    expect(workflow.updates).toEqual([
      expect.objectContaining({
        status: 'SUPPRESSED',
        note: expect.stringContaining('Accepted by the network team'),
      }),
    ]);
  });

  it('is settled by the sweeper after the lease, told in the thread, and the finding is free again', async () => {
    const { deps, clock, workflow, findingId } = await suppressKilledMidway();

    clock.set('2026-11-22T10:21:00.000Z');
    expect(await reconcileInterruptedActions(deps)).toEqual({ reconciled: 1, busy: 0 });

    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ decisionId: 'suppress-crashed', status: 'FAILED' }),
    ]);
    expect(threadReplies()).toEqual([expect.stringContaining('Interrupted, outcome unknown')]);
    expect((await deps.findings.get(findingId))?.activeAction).toBeUndefined();
    expect(workflow.updates).toEqual([]);
  });
});
