import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { FindingRepository } from '../../../src/store/finding-repository.js';
import { acceptRisk } from '../../../src/usecases/accept-risk.js';
import { revokeAcceptance, sweepAcceptances } from '../../../src/usecases/end-acceptance.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

/** EC2.13 on four groups of the same account: one control-in-account acceptance covers them all. */
const findings = [1, 2, 3, 4].map((n) => {
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
const keys = findings.map((finding) => findingKeyOf(finding));

async function acceptedForTheControl() {
  const { deps, clock, workflow } = riskDeps(await dynamo.freshTable(), slack, {
    allowedUsers: ['U0ALICE01', 'U0BOB0001'],
  });
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
    findings.map((finding) => ({ ok: true as const, finding })),
  );
  const accepted = await acceptRisk(deps, {
    findingId: keys[0]!,
    userId: 'U0ALICE01',
    until: '2026-12-31',
    reason: 'Legacy VPC, closed in December',
    scope: 'control-in-account',
  });
  expect(accepted).toMatchObject({
    kind: 'done',
    decisions: expect.arrayContaining([expect.objectContaining({ status: 'SUCCEEDED' })]),
  });
  const acceptanceRef = (await deps.findings.get(keys[0]!))?.suppression?.acceptance;
  if (!acceptanceRef) throw new Error('not accepted');
  slack.reset();
  workflow.updates.length = 0;
  return { deps, clock, workflow, acceptanceRef };
}

/** The findings repository of a process that dies when it takes its `n`th finding. */
function dyingAtClaim(findingsRepo: FindingRepository, n: number): FindingRepository {
  const dying = Object.create(findingsRepo) as FindingRepository;
  let claims = 0;
  dying.claimAction = async (...args) => {
    claims += 1;
    if (claims === n) throw new Error('process killed');
    return findingsRepo.claimAction(...args);
  };
  return dying;
}

const statuses = async (deps: { findings: FindingRepository }) =>
  Promise.all(keys.map(async (key) => (await deps.findings.get(key))?.finding.workflowStatus));

describe('an expiry interrupted part-way', () => {
  it('is finished by the next sweep: every finding re-opened, re-posted once, one expiry notice each', async () => {
    const { deps, clock, workflow, acceptanceRef } = await acceptedForTheControl();
    clock.set('2027-01-01T00:00:00.000Z');

    await expect(sweepAcceptances({ ...deps, findings: dyingAtClaim(deps.findings, 3) })).rejects.toThrow(
      'process killed',
    );

    expect((await statuses(deps)).sort()).toEqual(['NEW', 'NEW', 'SUPPRESSED', 'SUPPRESSED']);
    expect(await deps.acceptances.statusOf(acceptanceRef)).toBe('ending');
    // No longer holds new findings while it ends.
    expect(await deps.acceptances.activeFor('111122223333', 'EC2.13')).toEqual([]);

    clock.set('2027-01-01T00:10:00.000Z');
    expect(await sweepAcceptances(deps)).toEqual({ expired: 1, reopenedFindings: 2, reminded: 0 });

    expect(await statuses(deps)).toEqual(['NEW', 'NEW', 'NEW', 'NEW']);
    expect(await deps.acceptances.statusOf(acceptanceRef)).toBe('expired');
    // Security Hub told once per finding.
    expect(workflow.updates.flatMap((update) => update.ids).sort()).toEqual(
      findings.map((finding) => finding.id).sort(),
    );
    const posts = slack.callsOf('chat.postMessage');
    const fresh = posts.filter((call) => !call.body['thread_ts']);
    for (const finding of findings) {
      expect(
        fresh.filter((call) => JSON.stringify(call.body['blocks']).includes(finding.resource.shortId)),
      ).toHaveLength(1);
    }
    const notices = posts.filter(
      (call) =>
        call.body['thread_ts'] && String(call.body['text']).includes('Risk acceptance by <@U0ALICE01> ended'),
    );
    expect(notices).toHaveLength(4);
    const freshThreads = await Promise.all(
      keys.map(async (key) => (await deps.findings.get(key))?.messageTs),
    );
    expect(notices.map((call) => call.body['thread_ts']).sort()).toEqual([...freshThreads].sort());

    // Finished: a further sweep changes nothing.
    slack.reset();
    expect(await sweepAcceptances(deps)).toEqual({ expired: 0, reopenedFindings: 0, reminded: 0 });
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
  });
});

describe('a revoke that meets a finding someone else is acting on', () => {
  it('re-opens the others, leaves that one and says so; the sweeper finishes it once the finding is free', async () => {
    const { deps, acceptanceRef } = await acceptedForTheControl();
    // Bob is acting on the fourth finding (say, a Reopen click in flight).
    const bobs = await deps.findings.claimAction(
      keys[3]!,
      { decisionId: 'bob-hold', kind: 'reopen', by: 'U0BOB0001', since: '2026-11-22T10:00:00.000Z' },
      '2026-11-22T09:40:00.000Z',
    );
    expect(bobs).toEqual({ claimed: true });

    const revoked = await revokeAcceptance(deps, { findingId: keys[0]!, userId: 'U0ALICE01' });

    expect(revoked).toMatchObject({ kind: 'done', skipped: [{ findingId: keys[3], by: 'U0BOB0001' }] });
    expect(await statuses(deps)).toEqual(['NEW', 'NEW', 'NEW', 'SUPPRESSED']);
    expect(await deps.acceptances.statusOf(acceptanceRef)).toBe('ending');

    await deps.findings.releaseAction(keys[3]!, 'bob-hold');
    await sweepAcceptances(deps);

    expect(await statuses(deps)).toEqual(['NEW', 'NEW', 'NEW', 'NEW']);
    expect(await deps.acceptances.statusOf(acceptanceRef)).toBe('revoked');
    for (const key of keys) {
      expect(
        (await deps.decisions.ofFinding(key)).filter(
          (decision) => decision.kind === 'revoke-acceptance' && decision.status === 'SUCCEEDED',
        ),
      ).toHaveLength(1);
    }
  });
});
