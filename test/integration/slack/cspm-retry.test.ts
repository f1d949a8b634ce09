import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { triage } from '../../../src/domain/triage.js';
import { answerCspmCommandJob } from '../../../src/slack/cspm-command.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';
import { FindingGroupRepository } from '../../../src/store/finding-group-repository.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

async function withStuckMessage() {
  const table = await dynamo.freshTable();
  const { deps, clock, stats } = riskDeps(table, slack);
  const groups = new FindingGroupRepository(table);
  const finding = makeFinding();
  const findingId = findingKeyOf(finding);
  await deps.findings.insertNew({
    finding,
    triage: triage(finding),
    channel: 'C0ARCHIVED',
    now: '2026-11-22T09:00:00.000Z',
  });
  await deps.findings.markDeliveryStuck(findingId, {
    reason: 'Slack refused the post: is_archived',
    now: '2026-11-22T09:05:00.000Z',
  });
  const command = {
    status: {
      findings: deps.findings,
      decisions: deps.decisions,
      acceptances: deps.acceptances,
      stats,
      clock,
    },
    users: deps.users,
    policy: deps.policy,
    log: deps.log,
    groups,
    deliverNow: async () => {
      deliveryRunsStarted += 1;
    },
  };
  let deliveryRunsStarted = 0;
  const retry = async (userId: string) => {
    const responseUrl = `${slack.url}response/${userId}`;
    await answerCspmCommandJob(command, { kind: 'cspm-command', text: 'retry', userId, responseUrl });
    return String(slack.callsOf(`response/${userId}`).at(-1)?.body['text']);
  };
  return { deps, findingId, retry, groups, deliveryRunsStarted: () => deliveryRunsStarted };
}

describe('/cspm retry', () => {
  it('queues every stuck message again for an allowed user and says how many', async () => {
    const { deps, findingId, retry } = await withStuckMessage();

    const answer = await retry('U0ALICE01');

    expect(answer).toContain('1 stuck finding message was queued again');
    expect(await deps.findings.owedDeliveries()).toEqual([findingId]);
    expect(await deps.findings.stuckDeliveries(10)).toEqual([]);
    expect(await retry('U0ALICE01')).toContain('nothing to retry');
  });

  it('sends a stuck grouped message again before its members, and starts a delivery run at once', async () => {
    const { groups, retry, deliveryRunsStarted } = await withStuckMessage();
    const { groupId } = await groups.create({
      channel: 'C0ARCHIVED',
      controlId: 'EC2.13',
      windowStart: '2026-11-22T09:00:00.000Z',
      windowEnd: '2026-11-22T09:01:00.000Z',
      now: '2026-11-22T09:00:00.000Z',
    });
    await groups.markDeliveryStuck(groupId, {
      reason: 'Slack refused the post: is_archived',
      attempts: 1,
      now: '2026-11-22T09:05:00.000Z',
    });

    await retry('U0ALICE01');

    expect(await groups.stuckDeliveries(10)).toEqual([]);
    expect(await groups.get(groupId)).toMatchObject({ delivery: 'pending' });
    expect(deliveryRunsStarted()).toBe(1);
  });

  it('refuses anyone else, naming who may, and leaves the message stuck', async () => {
    const { deps, findingId, retry } = await withStuckMessage();

    const answer = await retry('U0MALLORY');

    expect(answer).toContain(':no_entry:');
    expect(answer).toContain('<@U0ALICE01>');
    expect((await deps.findings.stuckDeliveries(10)).map((record) => record.findingId)).toEqual([findingId]);
  });
});
