import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { runSlackJob } from '../../../src/slack/slack-jobs.js';
import type { FindingWorkflow } from '../../../src/usecases/ports.js';
import { acceptRisk } from '../../../src/usecases/accept-risk.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
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

const findings = [1, 2, 3].map((n) => {
  const base = makeFinding();
  const groupId = `sg-0abc1234def5${String(n).padStart(6, '0')}`;
  return makeFinding({
    id: base.id.replace(/0001$/, String(n).padStart(4, '0')),
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:ap-northeast-1:111122223333:security-group/${groupId}`,
      shortId: groupId,
    },
  });
});
const [ORIGIN, RACED, OTHER] = findings.map((finding) => findingKeyOf(finding)) as [string, string, string];

/** Security Hub that holds the first update whose note starts with `notePrefix` until the test lets it go. */
function heldWorkflow(inner: FindingWorkflow, notePrefix: string) {
  let entered!: () => void;
  let release!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  const workflow: FindingWorkflow = {
    async updateWorkflow(items) {
      if (!held && items[0]?.note.text.startsWith(notePrefix)) {
        held = true;
        entered();
        await gate;
      }
      return inner.updateWorkflow(items);
    },
  };
  return { workflow, inside, release };
}

async function threeOpenFindings(notePrefix: string) {
  const { deps: base, workflow } = riskDeps(await dynamo.freshTable(), slack, {
    allowedUsers: ['U0ALICE01', 'U0BOB0001'],
  });
  const held = heldWorkflow(workflow, notePrefix);
  const deps = { ...base, workflow: held.workflow };
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
    findings.map((finding) => ({ ok: true as const, finding })),
  );
  return { deps, held };
}

const acceptControl = {
  findingId: ORIGIN,
  userId: 'U0ALICE01',
  until: '2027-03-31',
  reason: 'Legacy VPC, closed in March',
  scope: 'control-in-account' as const,
};
const suppressRaced = { findingId: RACED, userId: 'U0BOB0001', reason: 'Bastion host behind the VPN' };

const succeeded = async (deps: Awaited<ReturnType<typeof threeOpenFindings>>['deps'], findingId: string) =>
  (await deps.decisions.ofFinding(findingId))
    .filter((decision) => decision.status === 'SUCCEEDED')
    .map((decision) => decision.kind);

describe('an account-wide acceptance racing a suppress of a covered finding', () => {
  it('leaves the finding to the suppress that holds it, says it was skipped, and records one decision on it', async () => {
    const { deps, held } = await threeOpenFindings('Suppressed from Slack');
    const suppressing = suppressFinding(deps, suppressRaced);
    await held.inside;

    const accepted = await acceptRisk(deps, acceptControl);
    held.release();

    expect(await suppressing).toMatchObject({ kind: 'done' });
    expect(accepted).toMatchObject({ kind: 'done', skipped: [{ findingId: RACED, by: 'U0BOB0001' }] });
    expect(await succeeded(deps, RACED)).toEqual(['suppress']);
    expect((await deps.findings.get(RACED))?.suppression).toMatchObject({
      kind: 'suppressed',
      by: 'U0BOB0001',
    });
    expect(await succeeded(deps, ORIGIN)).toEqual(['accept-risk']);
    expect(await succeeded(deps, OTHER)).toEqual(['accept-risk']);
  });

  it('tells the suppress the finding is being decided when the acceptance holds it, and records one decision on it', async () => {
    const { deps, held } = await threeOpenFindings('Risk accepted');
    const accepting = acceptRisk(deps, acceptControl);
    await held.inside;

    const suppressed = await suppressFinding(deps, suppressRaced);
    held.release();

    expect(suppressed).toMatchObject({ kind: 'in-progress', by: 'U0ALICE01' });
    expect(await accepting).toMatchObject({ kind: 'done' });
    expect(await succeeded(deps, RACED)).toEqual(['accept-risk']);
    expect((await deps.findings.get(RACED))?.suppression).toMatchObject({ kind: 'accepted' });
  });

  it('decides each finding once when both run at the same time', async () => {
    const { deps, held } = await threeOpenFindings('never held');
    held.release();

    await Promise.all([acceptRisk(deps, acceptControl), suppressFinding(deps, suppressRaced)]);

    expect(await succeeded(deps, RACED)).toHaveLength(1);
    expect(await succeeded(deps, ORIGIN)).toEqual(['accept-risk']);
  });

  it('tells the person privately which covered findings were left alone, and why', async () => {
    const { deps, held } = await threeOpenFindings('never held');
    held.release();
    await deps.findings.claimAction(
      RACED,
      { decisionId: 'bob-hold', kind: 'suppress', by: 'U0BOB0001', since: '2026-11-22T10:00:00.000Z' },
      '2026-11-22T09:40:00.000Z',
    );
    slack.reset();
    const client = new WebClient('xoxb-test', {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });

    await runSlackJob({ ...deps, client, executor: 'direct' }, { kind: 'accept-risk', ...acceptControl });

    const told = slack.callsOf('chat.postEphemeral');
    expect(told).toHaveLength(1);
    expect(told[0]?.body).toMatchObject({ user: 'U0ALICE01' });
    expect(String(told[0]?.body['text'])).toContain(
      'except 1 finding someone else was acting on (<@U0BOB0001>)',
    );
    expect(await succeeded(deps, RACED)).toEqual([]);
  });
});
