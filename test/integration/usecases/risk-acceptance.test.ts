import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptRisk } from '../../../src/usecases/accept-risk.js';
import { revokeAcceptance, sweepAcceptances } from '../../../src/usecases/end-acceptance.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { reopenFinding, suppressFinding } from '../../../src/usecases/suppress-finding.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

const otherGroup = (n: number) => {
  const base = makeFinding();
  const groupId = `sg-0abc1234def56${String(n).padStart(4, '0')}`;
  return makeFinding({
    id: base.id.replace(/0001$/, String(n).padStart(4, '0')),
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:ap-northeast-1:111122223333:security-group/${groupId}`,
      shortId: groupId,
    },
  });
};

async function setUp(options: Parameters<typeof riskDeps>[2] = {}) {
  const { deps, clock, workflow } = riskDeps(await dynamo.freshTable(), slack, options);
  const ingestDeps: IngestDeps = {
    ...deps,
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    acceptanceHolds: {
      acceptances: deps.acceptances,
      decisions: deps.decisions,
      workflow: deps.workflow,
      ids: deps.ids,
    },
  };
  const ingest = (...findings: ReturnType<typeof makeFinding>[]) =>
    ingestFindings(
      ingestDeps,
      findings.map((finding) => ({ ok: true as const, finding })),
    );
  return { deps, clock, workflow, ingest };
}

const lastUpdateBlocks = () => JSON.stringify(slack.callsOf('chat.update').at(-1)?.body['blocks']);

describe('suppress and reopen', () => {
  it('suppresses in Security Hub with the note, records who and why, and shows Reopen', async () => {
    const { deps, workflow, ingest } = await setUp();
    await ingest(makeFinding());

    const outcome = await suppressFinding(deps, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      reason: 'Test VPC, torn down Friday',
    });

    expect(outcome.kind).toBe('done');
    expect(workflow.updates).toEqual([
      {
        ids: [makeFinding().id],
        status: 'SUPPRESSED',
        note: 'Suppressed from Slack by alice: Test VPC, torn down Friday',
      },
    ]);
    expect(lastUpdateBlocks()).toContain('Suppressed* by <@U0ALICE01>');
    expect(lastUpdateBlocks()).toContain('finding.reopen');
    expect(await deps.decisions.ofFinding(findingKeyOf(makeFinding()))).toEqual([
      expect.objectContaining({
        kind: 'suppress',
        status: 'SUCCEEDED',
        reason: 'Test VPC, torn down Friday',
        workflowBefore: 'NEW',
        workflowAfter: 'SUPPRESSED',
        actor: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
      }),
    ]);

    const again = await suppressFinding(deps, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      reason: 'Second click, same reason',
    });
    expect(again).toEqual({ kind: 'no-change', why: 'Already suppressed by <@U0ALICE01>.' });

    await reopenFinding(deps, { findingId: findingKeyOf(makeFinding()), userId: 'U0ALICE01' });
    expect(workflow.updates.at(-1)).toMatchObject({ status: 'NEW', note: 'Reopened from Slack by alice' });
    expect(lastUpdateBlocks()).toContain('finding.remediate');
  });

  it('refuses someone who may not act and changes nothing', async () => {
    const { deps, workflow, ingest } = await setUp();
    await ingest(makeFinding());

    const outcome = await suppressFinding(deps, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0MALLORY',
      reason: 'I would like this gone',
    });

    expect(outcome).toEqual({ kind: 'refused', whoMay: '<@U0ALICE01>' });
    expect(workflow.updates).toEqual([]);
  });
});

describe('accept risk', () => {
  it('leaves no active acceptance behind when Security Hub takes none of it', async () => {
    const { deps, ingest } = await setUp();
    await ingest(makeFinding());
    const refusing = {
      ...deps,
      workflow: { updateWorkflow: () => Promise.reject(new Error('AccessDeniedException')) },
    };

    const outcome = await acceptRisk(refusing, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      until: '2026-12-20',
      reason: 'Jump host until the VPN lands',
      scope: 'control-in-account',
    });

    expect(outcome.kind).toBe('failed');
    // Not listed (App Home, /cspm accepted), not holding new findings at ingest, not expired later by the sweeper.
    expect(await deps.acceptances.activeEndingBefore('9999-12-31T23:59:59.999Z')).toEqual([]);
    expect(await deps.acceptances.activeFor(makeFinding().accountId, makeFinding().controlId)).toEqual([]);
  });

  it('stores the acceptance, suppresses with "Risk accepted until …", and rejects a past date', async () => {
    const { deps, workflow, ingest } = await setUp();
    await ingest(makeFinding());

    expect(
      await acceptRisk(deps, {
        findingId: findingKeyOf(makeFinding()),
        userId: 'U0ALICE01',
        until: '2026-11-22',
        reason: 'Migration weekend',
        scope: 'resource',
      }),
    ).toEqual({
      kind: 'invalid-until',
      error: 'Pick a day after today (2026-11-22 in UTC).',
    });
    const outcome = await acceptRisk(deps, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      until: '2027-03-31',
      reason: 'Migration weekend',
      scope: 'resource',
    });

    expect(outcome.kind).toBe('done');
    expect(workflow.updates).toEqual([
      {
        ids: [makeFinding().id],
        status: 'SUPPRESSED',
        note: 'Risk accepted until 2027-03-31 by alice: Migration weekend',
      },
    ]);
    expect(lastUpdateBlocks()).toContain('Risk accepted* by <@U0ALICE01> until 2027-03-31');
    expect(lastUpdateBlocks()).toContain('finding.revoke_acceptance');
    expect(await deps.acceptances.activeFor('111122223333', 'EC2.13')).toEqual([
      expect.objectContaining({
        until: '2027-03-31',
        expiresAt: '2027-04-01T00:00:00.000Z',
        acceptedBy: 'U0ALICE01',
      }),
    ]);
  });

  it('account-wide: covers the open findings of the control now, silences a new one of that control, and not another control', async () => {
    const { deps, workflow, ingest } = await setUp();
    await ingest(makeFinding(), otherGroup(2));
    await acceptRisk(deps, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      until: '2027-03-31',
      reason: 'Legacy bastions until the VPN lands',
      scope: 'control-in-account',
    });
    expect(workflow.updates.at(-1)?.ids.sort()).toEqual([makeFinding().id, otherGroup(2).id].sort());
    slack.reset();

    const report = await ingest(
      otherGroup(3),
      makeFinding({
        id: 'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.19/finding/0000',
        controlId: 'EC2.19',
      }),
    );

    expect(report.counts).toMatchObject({ held: 1, alerted: 1 });
    const posts = slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body['blocks'])).toContain('EC2.19');
    expect(workflow.updates.at(-1)).toMatchObject({
      ids: [otherGroup(3).id],
      status: 'SUPPRESSED',
      note: 'Risk accepted until 2027-03-31 by alice: Legacy bastions until the VPN lands',
    });
    expect((await deps.findings.get(findingKeyOf(otherGroup(3))))?.suppression?.acceptance?.until).toBe(
      '2027-03-31',
    );
  });

  it('revoking re-opens every finding the acceptance held', async () => {
    const { deps, workflow, ingest } = await setUp();
    await ingest(makeFinding(), otherGroup(2));
    await acceptRisk(deps, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      until: '2027-03-31',
      reason: 'Legacy bastions until the VPN lands',
      scope: 'control-in-account',
    });

    const outcome = await revokeAcceptance(deps, {
      findingId: findingKeyOf(otherGroup(2)),
      userId: 'U0ALICE01',
    });

    expect(outcome.kind).toBe('done');
    // One Security Hub update per finding, each under that finding's own claim.
    const reopened = workflow.updates.filter((update) => update.status === 'NEW');
    expect(reopened.flatMap((update) => update.ids).sort()).toEqual(
      [makeFinding().id, otherGroup(2).id].sort(),
    );
    expect(await deps.acceptances.activeFor('111122223333', 'EC2.13')).toEqual([]);
  });
});

describe('sweepAcceptances', () => {
  it('reminds the acceptor 7 days before, once; at expiry re-opens and posts a fresh message mentioning them; a second run changes nothing', async () => {
    const { deps, clock, workflow, ingest } = await setUp({ timeZone: 'Europe/Paris' });
    await ingest(makeFinding());
    await acceptRisk(deps, {
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      until: '2026-12-31',
      reason: 'Vendor appliance, replaced in January',
      scope: 'resource',
    });
    slack.reset();

    // 8 days before the end: nothing yet
    clock.set('2026-12-24T10:00:00.000Z');
    expect(await sweepAcceptances(deps)).toEqual({ expired: 0, reopenedFindings: 0, reminded: 0 });

    // 7 days before the end (Paris midnight on Jan 1 = 23:00 UTC Dec 31): one reminder, in the thread
    clock.set('2026-12-25T09:00:00.000Z');
    expect(await sweepAcceptances(deps)).toMatchObject({ reminded: 1 });
    expect(await sweepAcceptances(deps)).toMatchObject({ reminded: 0 });
    const reminder = slack.callsOf('chat.postMessage');
    expect(reminder).toHaveLength(1);
    expect(reminder[0]?.body['thread_ts']).toBeDefined();
    expect(String(reminder[0]?.body['text'])).toContain(
      '<@U0ALICE01> your risk acceptance ends after *2026-12-31*',
    );
    slack.reset();

    // Still the last day in Paris
    clock.set('2026-12-31T22:59:59.000Z');
    expect(await sweepAcceptances(deps)).toMatchObject({ expired: 0 });

    // Midnight in Paris: expired
    clock.set('2026-12-31T23:00:00.000Z');
    expect(await sweepAcceptances(deps)).toEqual({ expired: 1, reopenedFindings: 1, reminded: 0 });
    expect(workflow.updates.at(-1)).toEqual({
      ids: [makeFinding().id],
      status: 'NEW',
      note: 'Risk acceptance expired (accepted until 2026-12-31 by alice)',
    });
    const posts = slack.callsOf('chat.postMessage');
    const fresh = posts.find((call) => !call.body['thread_ts']);
    expect(JSON.stringify(fresh?.body['blocks'])).toContain('finding.remediate');
    expect(
      posts.some(
        (call) =>
          call.body['thread_ts'] &&
          String(call.body['text']).includes('Risk acceptance by <@U0ALICE01> ended'),
      ),
    ).toBe(true);
    const retired = JSON.stringify(slack.callsOf('chat.update').at(0)?.body['blocks']);
    expect(retired).toContain('Posted again');
    expect(retired).not.toContain('finding.revoke_acceptance');
    expect(await deps.decisions.ofFinding(findingKeyOf(makeFinding()))).toContainEqual(
      expect.objectContaining({
        kind: 'expire-acceptance',
        status: 'SUCCEEDED',
        actor: { kind: 'bot', reason: 'risk acceptance expired' },
      }),
    );

    // Idempotent
    slack.reset();
    const updatesBefore = workflow.updates.length;
    expect(await sweepAcceptances(deps)).toEqual({ expired: 0, reopenedFindings: 0, reminded: 0 });
    expect(workflow.updates).toHaveLength(updatesBefore);
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
  });
});
