import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type {
  DescribeSecurityGroupRulesCommandInput,
  DescribeSecurityGroupsCommandInput,
  RevokeSecurityGroupIngressCommandInput,
} from '@aws-sdk/client-ec2';
import type { ModalView, SectionBlock } from '@slack/types';
import { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseGroupRemediationMetadata } from '../../../blocks/group-remediation-modal.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsCallPacer, PacedClients } from '../../../src/aws/rate-limited-clients.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import type { Finding } from '../../../src/domain/finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { triage } from '../../../src/domain/triage.js';
import type { Triage } from '../../../src/domain/triage.js';
import { SlackGroupProgressBoard } from '../../../src/slack/group-progress-board.js';
import type { GroupRemediationJob } from '../../../src/slack/group-remediation-jobs.js';
import { runSlackJob } from '../../../src/slack/slack-jobs.js';
import type { SlackJob, SlackJobDeps } from '../../../src/slack/slack-jobs.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { FindingGroupRepository } from '../../../src/store/finding-group-repository.js';
import { GroupRunRepository } from '../../../src/store/group-run-repository.js';
import type { Clock } from '../../../src/usecases/ports.js';
import {
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
  revokeSecurityGroupIngressOutput,
} from '../../fixtures/ec2.js';
import { ACCOUNT, REGION, makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const CHANNEL = 'C0FINDINGS';
const ALICE = 'U0ALICE01';
let dynamo: EmbeddedDynamoDb;
let tables = 0;

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
});
afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  ec2.restore();
});
beforeEach(() => {
  slack.reset();
  ec2.reset();
});

const groupIdOf = (index: number) => `sg-0abc1234de${index.toString(16).padStart(7, '0')}`;
const ruleIdOf = (index: number) => `sgr-0a1b2c3d4e${index.toString(16).padStart(7, '0')}`;

/** One security group per member, each with tcp/22 open to the world until it is revoked. */
function memberFinding(index: number): Finding {
  const base = makeFinding();
  const groupId = groupIdOf(index);
  return {
    ...base,
    id: base.id.replace(/0001$/, index.toString(16).padStart(4, '0')),
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${groupId}`,
      shortId: groupId,
      name: `web-${index}`,
    },
    details: { kind: 'security-group', groupId, groupName: `web-${index}`, vpcId: 'vpc-0a1b2c3d4e5f67890' },
  };
}

/** A clock the test (and the pacer's fake sleep) moves: nothing waits for real. */
function movableClock(start: string): Clock & { advanceTo(ms: number): void; ms(): number } {
  let now = DateTime.fromISO(start, { zone: 'utc' });
  return {
    now: () => now,
    ms: () => now.toMillis(),
    advanceTo: (ms) => {
      if (ms > now.toMillis()) now = DateTime.fromMillis(ms, { zone: 'utc' });
    },
  };
}

/**
 * EC2 for every member group: its rules until revoked, then none. Each call takes a little time (on the movable
 * clock). `throttleFirstRevokeOf` answers RequestLimitExceeded once for those groups.
 */
function fakeEc2(
  clock: ReturnType<typeof movableClock>,
  options: { throttleFirstRevokeOf?: string[]; changedAfterPlan?: Map<string, string> } = {},
) {
  const revoked = new Set<string>();
  const revokesAt: { groupId: string; atMs: number }[] = [];
  const throttled = new Set<string>();
  const groupIdFromFilters = (input: DescribeSecurityGroupRulesCommandInput) =>
    input.Filters?.find((filter) => filter.Name === 'group-id')?.Values?.[0] ?? '';
  const tick = async () => {
    clock.advanceTo(clock.ms() + 5);
    await new Promise((resolve) => setImmediate(resolve));
  };
  ec2.on(DescribeSecurityGroupsCommand).callsFake(async (input: DescribeSecurityGroupsCommandInput) => {
    await tick();
    const groupId = input.GroupIds?.[0] ?? '';
    return describeSecurityGroupsOutput([
      makeSdkSecurityGroup({ GroupId: groupId, GroupName: `web-${groupId}` }),
    ]);
  });
  ec2
    .on(DescribeSecurityGroupRulesCommand)
    .callsFake(async (input: DescribeSecurityGroupRulesCommandInput) => {
      await tick();
      const groupId = groupIdFromFilters(input);
      if (revoked.has(groupId)) return describeSecurityGroupRulesOutput([]);
      const index = parseInt(groupId.slice(-7), 16);
      const ruleId = options.changedAfterPlan?.get(groupId) ?? ruleIdOf(index);
      return describeSecurityGroupRulesOutput([
        makeSdkRule({ SecurityGroupRuleId: ruleId, GroupId: groupId }),
      ]);
    });
  ec2.on(DescribeNetworkInterfacesCommand).resolves(describeNetworkInterfacesOutput([]));
  ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([makeSdkRouteTable()]));
  ec2
    .on(RevokeSecurityGroupIngressCommand)
    .callsFake(async (input: RevokeSecurityGroupIngressCommandInput) => {
      const groupId = input.GroupId ?? '';
      if (options.throttleFirstRevokeOf?.includes(groupId) && !throttled.has(groupId)) {
        throttled.add(groupId);
        throw Object.assign(new Error('Request limit exceeded.'), {
          name: 'RequestLimitExceeded',
          $fault: 'client',
        });
      }
      revokesAt.push({ groupId, atMs: clock.ms() });
      await tick();
      revoked.add(groupId);
      return revokeSecurityGroupIngressOutput(
        (input.SecurityGroupRuleIds ?? []).map((ruleId) =>
          makeSdkRule({ SecurityGroupRuleId: ruleId, GroupId: groupId }),
        ),
      );
    });
  return { revokesAt, revoked };
}

/** A group of `size` reachable members in the channel, its grouped message posted; deps as the Worker has them. */
async function groupedFindings(size: number, options: { legBudgetMs?: number; queueRefuses?: boolean } = {}) {
  tables += 1;
  const tableName = `cspm-group-run-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const table = createCspmTable(dynamo.client, tableName);
  const { deps: base, workflow } = riskDeps(table, slack);
  const clock = movableClock('2026-11-22T10:00:00.000Z');
  const pacer = new AwsCallPacer({ nowMs: clock.ms, sleep: async (ms) => clock.advanceTo(clock.ms() + ms) });
  const clients = new PacedClients(
    {
      ec2: async (_account, region) => new EC2Client({ region }),
      autoScaling: async () => {
        throw new Error('not used');
      },
      s3: async () => {
        throw new Error('not used');
      },
      s3Control: async () => {
        throw new Error('not used');
      },
      ssm: async () => {
        throw new Error('not used');
      },
      automationRoleArn: (accountId, role) => `arn:aws:iam::${accountId}:role/${role}`,
    },
    pacer,
  );
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const groups = new FindingGroupRepository(table);
  const runs = new GroupRunRepository(table);
  const queued: SlackJob[] = [];
  const deps: SlackJobDeps = {
    ...base,
    clock,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
    client,
    executor: 'direct',
    groupRemediation: {
      groups: {
        groupOf: (groupId) => groups.get(groupId),
        membersOf: (groupId) => base.findings.inGroup(groupId),
      },
      runs,
      progress: new SlackGroupProgressBoard(client),
      queue: {
        enqueue: async (job) => {
          if (options.queueRefuses)
            throw Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), {
              name: 'AccessDeniedException',
            });
          queued.push(job);
        },
      },
      legBudgetMs: options.legBudgetMs ?? 3 * 60_000,
      progressIntervalMs: 2_000,
      concurrency: 5,
    },
  };
  const now = clock.now().toISO()!;
  const findings = Array.from({ length: size }, (_, index) => memberFinding(index + 1));
  const reachable = (finding: Finding): Triage => ({ ...triage(finding), urgency: 'act-now' }) as Triage;
  await base.findings.importNew(
    findings.map((finding) => ({ finding, triage: reachable(finding), channel: CHANNEL, now })),
  );
  const { groupId } = await groups.create({
    channel: CHANNEL,
    controlId: 'EC2.13',
    windowStart: now,
    windowEnd: now,
    now,
  });
  await groups.addMembers(groupId, findings.map(findingKeyOf));
  const claimed = await groups.claimDelivery(groupId, now, now);
  await groups.completeDelivery(claimed!, '1764237600.000100', claimed!.counts);
  return { deps, clock, groupId, findings, runs, queued, workflow, threadTs: '1764237600.000100' };
}

/** The Worker builds the list; returns the modal it showed and the run id (the modal's view id). */
async function planned(deps: SlackJobDeps, groupId: string, viewId = 'V0GROUP001') {
  await runSlackJob(deps, { kind: 'plan-group-remediation', groupId, userId: ALICE, viewId });
  const view = slack.callsOf('views.update').at(-1)?.body['view'] as unknown as ModalView;
  const metadata = parseGroupRemediationMetadata(view.private_metadata);
  if (!metadata) throw new Error(`expected the confirmation modal, got ${JSON.stringify(view)}`);
  return { view, listDigest: metadata.listDigest, runId: viewId };
}

const confirmation = (runId: string, listDigest: string): GroupRemediationJob => ({
  kind: 'remediate-group',
  runId,
  userId: ALICE,
  leg: 0,
  listDigest,
});
const sectionTexts = (view: ModalView) =>
  view.blocks.flatMap((block) =>
    block.type === 'section' ? [(block as SectionBlock).text?.text ?? ''] : [],
  );
const progressTexts = () => slack.callsOf('chat.update').map((call) => String(call.body['text']));
const threadPosts = (threadTs: string) =>
  slack.callsOf('chat.postMessage').filter((call) => call.body['thread_ts'] === threadTs);

describe('Remediate all reachable', () => {
  it('runs 200 members as 200 verified decisions, paced to 50 revokes then 5/s, with one progress message and a summary', async () => {
    const { deps, clock, groupId, findings, threadTs } = await groupedFindings(200);
    const aws = fakeEc2(clock, { throttleFirstRevokeOf: [groupIdOf(7)] });
    const { view, listDigest, runId } = await planned(deps, groupId);

    // The confirmation lists resources and changes within Slack's modal limits, and summarises the rest.
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const texts = sectionTexts(view);
    expect(texts.every((text) => text.length <= 3000)).toBe(true);
    expect(texts.join('\n')).toContain(
      `${groupIdOf(1)} (web-1) in ${ACCOUNT}/${REGION}: revoke tcp/22 from 0.0.0.0/0`,
    );
    expect(texts.join('\n')).toContain('…and 100 more, all: revoke tcp/22 from 0.0.0.0/0');
    expect(aws.revokesAt).toHaveLength(0);

    const startMs = clock.ms();
    await runSlackJob(deps, confirmation(runId, listDigest));

    // Every member its own SUCCEEDED decision under Alice's name, verified by a read after the change.
    for (const finding of findings) {
      const decisions = await deps.decisions.ofFinding(findingKeyOf(finding));
      expect(
        decisions.map((decision) => [
          decision.kind,
          decision.status,
          decision.actor.kind === 'user' && decision.actor.userId,
        ]),
      ).toEqual([['remediate', 'SUCCEEDED', ALICE]]);
      expect((await deps.findings.get(findingKeyOf(finding)))?.finding.workflowStatus).toBe('RESOLVED');
    }
    expect(aws.revoked.size).toBe(200);
    // The throttled revoke was retried as a call and went through; no plan ran twice.
    expect(
      ec2
        .commandCalls(RevokeSecurityGroupIngressCommand)
        .filter((call) => call.args[0].input.GroupId === groupIdOf(7)),
    ).toHaveLength(2);
    expect(aws.revokesAt.filter((revoke) => revoke.groupId === groupIdOf(7))).toHaveLength(1);

    // Within any second from the start, at most 50 + 5 per elapsed second reached EC2.
    const elapsed = aws.revokesAt.map((revoke) => revoke.atMs - startMs);
    for (let second = 0; second <= 40; second += 1)
      expect(elapsed.filter((ms) => ms < second * 1000).length).toBeLessThanOrEqual(50 + 5 * second);
    expect(Math.max(...elapsed)).toBeGreaterThanOrEqual(29_000);

    // One progress message in the grouped message's thread, updated in place with growing counts; then the summary.
    const posts = threadPosts(threadTs);
    expect(posts).toHaveLength(2);
    expect(String(posts[0]!.body['text'])).toContain('0 of 200 done');
    const updates = progressTexts();
    expect(updates.length).toBeGreaterThan(3);
    expect(updates.length).toBeLessThan(40);
    const counts = updates.map((text) => Number(/(\d+) of 200 done/.exec(text)?.[1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(updates.at(-1)).toContain('200 of 200 done*, 0 failed, 0 skipped');
    expect(String(posts[1]!.body['text'])).toContain('200 of 200 fixed and verified');
    // Members tell no outcome one by one (their messages show it; the summary tells it).
    expect(
      slack.callsOf('chat.postMessage').filter((call) => String(call.body['text']).includes('*Remediated*')),
    ).toEqual([]);
  }, 240_000);

  it('skips a member whose rules changed after the confirmation and one another action holds, and reports both', async () => {
    const { deps, clock, groupId, threadTs } = await groupedFindings(4);
    const changedAfterPlan = new Map<string, string>();
    const aws = fakeEc2(clock, { changedAfterPlan });
    const { listDigest, runId } = await planned(deps, groupId);
    // After Alice saw the list: group 2 got a different open rule, and Bob started remediating member 3.
    changedAfterPlan.set(groupIdOf(2), 'sgr-0ffffffffffff0002');
    const bobs = await deps.findings.claimAction(
      findingKeyOf(memberFinding(3)),
      { decisionId: 'bob-1', kind: 'remediate', by: 'U0BOB0001', since: clock.now().toISO()! },
      '2000-01-01T00:00:00.000Z',
    );
    expect(bobs.claimed).toBe(true);

    await runSlackJob(deps, confirmation(runId, listDigest));

    expect([...aws.revoked].sort()).toEqual([groupIdOf(1), groupIdOf(4)]);
    expect(await deps.decisions.ofFinding(findingKeyOf(memberFinding(2)))).toEqual([]);
    expect(await deps.decisions.ofFinding(findingKeyOf(memberFinding(3)))).toEqual([]);
    const summary = String(
      threadPosts(threadTs).at(-1)!.body['blocks'] &&
        JSON.stringify(threadPosts(threadTs).at(-1)!.body['blocks']),
    );
    expect(summary).toContain('2 of 4 fixed and verified');
    expect(summary).toContain(`${groupIdOf(2)} (web-2) in ${ACCOUNT}/${REGION}: changed since you confirmed`);
    expect(summary).toContain(
      `${groupIdOf(3)} (web-3) in ${ACCOUNT}/${REGION}: being acted on by <@U0BOB0001>`,
    );
    expect(progressTexts().at(-1)).toContain('4 of 4 done*, 0 failed, 2 skipped');
  });

  it('runs the same confirmation once when it is delivered twice, and each handed-on leg once', async () => {
    const { deps, clock, groupId, queued, threadTs } = await groupedFindings(12, { legBudgetMs: 0 });
    const aws = fakeEc2(clock);
    const { listDigest, runId } = await planned(deps, groupId);

    await runSlackJob(deps, confirmation(runId, listDigest));
    await runSlackJob(deps, confirmation(runId, listDigest));
    // A leg of 5 members, then the rest handed on: each hand-on delivered twice as well.
    for (let leg = 1; queued.length > 0; leg += 1) {
      const next = queued.shift()!;
      expect(next).toMatchObject({ kind: 'remediate-group', runId, leg });
      await runSlackJob(deps, next);
      await runSlackJob(deps, next);
    }

    expect(aws.revokesAt).toHaveLength(12);
    expect(aws.revoked.size).toBe(12);
    for (let index = 1; index <= 12; index += 1)
      expect(await deps.decisions.ofFinding(findingKeyOf(memberFinding(index)))).toHaveLength(1);
    const posts = threadPosts(threadTs);
    expect(posts.map((post) => String(post.body['text']))).toEqual([
      expect.stringContaining('0 of 12 done'),
      expect.stringContaining('12 of 12 fixed and verified'),
    ]);
  });

  it('stops with a summary saying so when the rest cannot be handed on, running nothing past the leg', async () => {
    const { deps, clock, groupId, threadTs } = await groupedFindings(8, {
      legBudgetMs: 0,
      queueRefuses: true,
    });
    const aws = fakeEc2(clock);
    const { listDigest, runId } = await planned(deps, groupId);

    await runSlackJob(deps, confirmation(runId, listDigest));

    // One leg of 5 ran; the 3 left are reported, not run, and a later delivery runs nothing either.
    expect(aws.revokesAt).toHaveLength(5);
    await runSlackJob(deps, { kind: 'remediate-group', runId, userId: ALICE, leg: 1 });
    expect(aws.revokesAt).toHaveLength(5);
    const summary = JSON.stringify(threadPosts(threadTs).at(-1)?.body['blocks']);
    expect(summary).toContain('5 of 8 fixed and verified*, 0 failed, 3 skipped');
    expect(summary).toContain('Stopped early: the rest could not be handed to a new Worker run');
    expect(summary).toContain(`${groupIdOf(8)} (web-8) in ${ACCOUNT}/${REGION}: not run: the run stopped`);
  });

  it('runs nothing for a confirmation whose list is not the one shown', async () => {
    const { deps, clock, groupId } = await groupedFindings(3);
    const aws = fakeEc2(clock);
    const { runId } = await planned(deps, groupId);
    await runSlackJob(deps, confirmation(runId, 'f'.repeat(64)));
    expect(aws.revokesAt).toHaveLength(0);
    expect(JSON.stringify(slack.callsOf('views.update').at(-1)?.body['view'])).toContain(
      'does not match the list',
    );
  });
});
