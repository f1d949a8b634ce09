/**
 * Remediate on an EC2.13 finding (SSH open to the world), timed from the click to the decision SUCCEEDED with the
 * message showing Resolved, and to the thread reply and the modal's outcome. Signed requests go to the bot's Bolt app
 * over HTTP; plan and execution run on its work queue as `npm start` runs them (the deployed Worker runs the same job
 * handler). Every AWS call answers after 80 ms, the member account's credentials included (STS AssumeRole when a
 * client first signs). SSM is polled at the executor's real interval. The person confirms as soon as the plan is
 * shown, so the figure is the bot's time, not theirs.
 */
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFindingIdentifier } from '@aws-sdk/client-securityhub';
import {
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { App } from '@slack/bolt';
import { mockClient } from 'aws-sdk-client-mock';
import { REMEDIATE_ACTION, findingButtonValue } from '../../blocks/action-ids.js';
import { REMEDIATION_CONFIRM_CALLBACK } from '../../blocks/remediation-modal.js';
import type { Config } from '../../src/config/config.js';
import { findingKeyOf } from '../../src/domain/finding-key.js';
import { SlackFindingMessenger } from '../../src/slack/finding-messenger.js';
import { SlackSender } from '../../src/slack/sender.js';
import { runSlackJob } from '../../src/slack/slack-jobs.js';
import type { SlackJob, SlackJobDeps } from '../../src/slack/slack-jobs.js';
import { ensureTable } from '../../src/store/embedded-dynamodb.js';
import { InProcessJobQueue } from '../../src/runtime/in-process-queue.js';
import { accountClients, ingestDeps, remediationDeps } from '../../src/runtime/remediation-wiring.js';
import { createLocalSlackApp } from '../../src/runtime/slack-app.js';
import { commandDeps, listenerDeps } from '../../src/runtime/slack-wiring.js';
import { createSlackWebClient } from '../../src/runtime/slack-web-client.js';
import { createStore } from '../../src/runtime/store.js';
import { systemClock } from '../../src/runtime/system-clock.js';
import { ingestFindings } from '../../src/usecases/ingest-findings.js';
import {
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
  revokeSecurityGroupIngressOutput,
} from '../fixtures/ec2.js';
import { ACCOUNT, makeFinding } from '../fixtures/finding.js';
import { revokeAutomationOutput, startAutomationExecutionOutput } from '../fixtures/ssm-automation.js';
import type { FakeSlackApi } from '../support/fake-slack-api.js';
import { recordingLog } from '../support/recording-log.js';
import {
  buttonClickBody,
  slackSignatureHeaders,
  viewSubmissionBody,
} from '../support/signed-slack-request.js';
import type { BenchRow } from './bench-table.js';
import { NONE } from './bench-table.js';
import { freePort } from './bench-environment.js';
import { median } from './percentiles.js';

const AWS_CALL_MS = 80;
/** The bot's own (Security Hub administrator) account: the finding's account is a member, reached by AssumeRole. */
const BOT_ACCOUNT = '999988887777';
const USER = 'U0ALICE01';
/** GetAutomationExecution answers InProgress this many times before Success. */
const IN_PROGRESS_POLLS = 3;
const OPEN_SSH = makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60001' });
/** Slack's one message per second per channel (the sender's pacing) has passed since the finding was posted. */
const READING_MS = 1_200;
const GOAL = 'informational (keep near 0.9 s direct / 7.4 s SSM)';

const answerAfter = <T>(output: T): Promise<T> =>
  new Promise((resolve) => setTimeout(() => resolve(output), AWS_CALL_MS));

/** The credentials a client signs with, resolved as signing would (the mock answers in place of the HTTP call). */
async function signedBy(client: { config: { credentials: unknown } }): Promise<void> {
  const credentials = client.config.credentials;
  if (typeof credentials === 'function') await (credentials as () => Promise<unknown>)();
}

/** One simulated estate: the group's open SSH rule, present until EC2 or the automation revokes it. */
class MockedAws {
  open = true;
  #executions = 0;
  #polls = 0;
  readonly #restore: (() => void)[] = [];

  constructor() {
    const sts = mockClient(STSClient);
    const ec2 = mockClient(EC2Client);
    const ssm = mockClient(SSMClient);
    const securityHub = mockClient(SecurityHubClient);
    this.#restore.push(
      () => sts.restore(),
      () => ec2.restore(),
      () => ssm.restore(),
      () => securityHub.restore(),
    );
    let issued = 0;
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; RoleSessionName: string }) => {
      issued += 1;
      return answerAfter({
        AssumedRoleUser: {
          AssumedRoleId: `AROA3XFRBF23EXAMPLE${issued}:${input.RoleSessionName}`,
          Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cspm-bot-member/${input.RoleSessionName}`,
        },
        Credentials: {
          AccessKeyId: `ASIAJEXAMPLEXEG2JIC${issued}`,
          SecretAccessKey: `9drTJvcXLB89EXAMPLELB8923FB892xMFI${issued}`,
          SessionToken: `AQoXdzELDDY//////////wEaoAK1wvxJY12r2IrDFT2IvAzTCn3zHoZ7YNtpiQLF0MqZye/${issued}`,
          Expiration: new Date(Date.now() + 3_600_000),
        },
      });
    });
    sts.on(GetCallerIdentityCommand).callsFake(() =>
      answerAfter({
        UserId: 'AROA3XFRBF23EXAMPLE0:cspm-bot',
        Account: BOT_ACCOUNT,
        Arn: `arn:aws:sts::${BOT_ACCOUNT}:assumed-role/cspm-bot-worker/cspm-bot`,
      }),
    );
    const ec2Answer = (output: () => object) => async (_input: unknown, client: () => EC2Client) => {
      await signedBy(client());
      return answerAfter(output());
    };
    ec2
      .on(DescribeSecurityGroupsCommand)
      .callsFake(ec2Answer(() => describeSecurityGroupsOutput([makeSdkSecurityGroup()])));
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .callsFake(ec2Answer(() => describeSecurityGroupRulesOutput(this.open ? [OPEN_SSH] : [])));
    ec2.on(DescribeNetworkInterfacesCommand).callsFake(ec2Answer(() => describeNetworkInterfacesOutput([])));
    ec2
      .on(DescribeRouteTablesCommand)
      .callsFake(ec2Answer(() => describeRouteTablesOutput([makeSdkRouteTable()])));
    ec2.on(RevokeSecurityGroupIngressCommand).callsFake(
      ec2Answer(() => {
        this.open = false;
        return revokeSecurityGroupIngressOutput([OPEN_SSH]);
      }),
    );
    const startedAt = new Date();
    let parameters: Record<string, string[]> = {};
    ssm
      .on(StartAutomationExecutionCommand)
      .callsFake(async (input: { Parameters: Record<string, string[]> }, client: () => SSMClient) => {
        await signedBy(client());
        this.#executions += 1;
        this.#polls = 0;
        parameters = input.Parameters;
        return answerAfter(
          startAutomationExecutionOutput(
            `4105a4fc-f944-11e6-9d32-${String(this.#executions).padStart(12, '0')}`,
          ),
        );
      });
    ssm
      .on(GetAutomationExecutionCommand)
      .callsFake(async (input: { AutomationExecutionId: string }, client: () => SSMClient) => {
        await signedBy(client());
        this.#polls += 1;
        const done = this.#polls > IN_PROGRESS_POLLS;
        // The automation's own RevokeRules step is what closes the rule.
        if (done) this.open = false;
        return answerAfter(
          revokeAutomationOutput({
            executionId: input.AutomationExecutionId,
            status: done ? 'Success' : 'InProgress',
            parameters,
            startedAt,
            executedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/cspm-bot-member/cspm-bot`,
          }),
        );
      });
    securityHub
      .on(BatchUpdateFindingsCommand)
      .callsFake(async (input: { FindingIdentifiers: AwsSecurityFindingIdentifier[] }) =>
        answerAfter({ ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] }),
      );
  }

  restore(): void {
    for (const restore of this.#restore) restore();
  }
}

/** Resolves when the next job of `kind` has run to its end on the queue. */
class JobEnds {
  private readonly waiting = new Map<SlackJob['kind'], () => void>();

  next(kind: SlackJob['kind']): Promise<void> {
    return new Promise((resolve) => this.waiting.set(kind, resolve));
  }

  ended(job: SlackJob): void {
    this.waiting.get(job.kind)?.();
    this.waiting.delete(job.kind);
  }
}

async function post(port: number, body: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body) },
    body,
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`the bot answered ${response.status} to a signed request: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** The bot as `npm start` wires it, on its own table, with one executor. */
async function startBot(input: {
  config: Config;
  client: DynamoDBClient;
  slack: FakeSlackApi;
  executor: 'direct' | 'ssm';
}) {
  const port = await freePort();
  const tableName = `${input.config.tableName}-click-${input.executor}`;
  await ensureTable(input.client, tableName);
  const config: Config = {
    ...input.config,
    port,
    tableName,
    remediation: { ...input.config.remediation, executor: input.executor, homeAccountId: BOT_ACCOUNT },
  };
  const store = createStore(input.client, tableName);
  const slack = createSlackWebClient('xoxb-bench-token', config.slackApiUrl);
  const log = recordingLog();
  const messenger = new SlackFindingMessenger(new SlackSender(slack));
  const base = { findings: store.findings, messenger, clock: systemClock, log };
  const clients = accountClients(config);
  const jobs: SlackJobDeps = remediationDeps({
    config,
    base,
    store,
    slack,
    clients,
    homeRegion: config.awsRegion,
  });
  const ends = new JobEnds();
  const queue = new InProcessJobQueue(async (job) => {
    try {
      await runSlackJob(jobs, job);
    } finally {
      ends.ended(job);
    }
  }, log);
  const app: App = createLocalSlackApp(config, listenerDeps(jobs, queue, commandDeps(config, store, jobs)));
  await app.start(port);
  const ingest = ingestDeps({ config, base, store, clients, jobs, queue: undefined });
  return { port, store, jobs, ends, queue, app, ingest, log };
}

type Bot = Awaited<ReturnType<typeof startBot>>;

/** Milliseconds from the click: to the finding's message showing Resolved, and to the last of the job's Slack work. */
interface ClickTimes {
  readonly resolvedMs: number;
  readonly doneMs: number;
}

/** One finding posted, then Remediate → plan → confirm → execute → verify; the times it took. */
async function clickToVerified(
  bot: Bot,
  aws: MockedAws,
  slack: FakeSlackApi,
  run: number,
  executor: string,
): Promise<ClickTimes> {
  aws.open = true;
  const base = makeFinding();
  const finding = {
    ...base,
    id: base.id.replace(/0001$/, `${executor === 'ssm' ? '5' : '1'}${String(run).padStart(3, '0')}`),
  };
  const findingKey = findingKeyOf(finding);
  await ingestFindings(bot.ingest, [{ ok: true, finding }]);
  const record = await bot.store.findings.get(findingKey);
  const posted = record?.messageTs ? { channel: record.channel, ts: record.messageTs } : undefined;
  if (!posted) throw new Error(`the EC2.13 finding of run ${run} was not posted, so nothing can be clicked`);
  const updatesBefore = slack.callsOf('chat.update').length;
  // A person reads the message before clicking: by then its post no longer holds the channel's pacing lane.
  await new Promise((resolve) => setTimeout(resolve, READING_MS));

  const started = performance.now();
  // The first change to the finding's own message after the click is the update that marks it Resolved.
  let resolvedAt: number | undefined;
  const unsubscribe = slack.subscribe((change) => {
    if (change.kind === 'message' && change.ts === posted.ts) resolvedAt ??= performance.now();
  });
  const planned = bot.ends.next('plan-remediation');
  const click = buttonClickBody({
    actionId: REMEDIATE_ACTION,
    value: findingButtonValue(findingKey),
    user: USER,
    channel: posted.channel,
    responseUrl: slack.issueResponseUrl({ channel: posted.channel, user: USER }),
  });
  await post(bot.port, click);
  await planned;
  const shown = slack.callsOf('views.update').at(-1)?.body;
  const view = shown?.['view'] as Record<string, unknown> | undefined;
  if (view?.['callback_id'] !== REMEDIATION_CONFIRM_CALLBACK)
    throw new Error(
      `no confirmation was shown after Remediate (${executor}, run ${run}): ${JSON.stringify(view).slice(0, 300)}`,
    );
  const executed = bot.ends.next('execute-remediation');
  const submission = viewSubmissionBody({
    callbackId: REMEDIATION_CONFIRM_CALLBACK,
    viewId: String(shown?.['view_id']),
    privateMetadata: String(view['private_metadata']),
    user: USER,
  });
  const answer = await post(bot.port, submission);
  if (answer['response_action'] !== 'update')
    throw new Error(
      `the confirmation was not accepted (${executor}, run ${run}): ${JSON.stringify(answer).slice(0, 300)}`,
    );
  await executed;
  const doneAt = performance.now();
  unsubscribe();

  // A time is only worth reporting for a remediation that did what the person asked.
  const decisions = await bot.store.decisions.ofFinding(findingKey);
  const resolved = slack
    .callsOf('chat.update')
    .slice(updatesBefore)
    .some((call) => JSON.stringify(call.body['blocks']).includes('Resolved* by'));
  if (decisions.at(-1)?.status !== 'SUCCEEDED' || !resolved || resolvedAt === undefined || aws.open) {
    const outcome = JSON.stringify(slack.callsOf('views.update').at(-1)?.body['view']).slice(0, 400);
    throw new Error(
      `Remediate (${executor}, run ${run}) did not end verified: decision ${decisions.at(-1)?.status}, last modal ${outcome}`,
    );
  }
  return { resolvedMs: resolvedAt - started, doneMs: doneAt - started };
}

export async function measureClickToVerified(input: {
  runs: number;
  config: Config;
  client: DynamoDBClient;
  slack: FakeSlackApi;
}): Promise<BenchRow[]> {
  const aws = new MockedAws();
  const rows: BenchRow[] = [];
  try {
    for (const executor of ['direct', 'ssm'] as const) {
      const bot = await startBot({ ...input, executor });
      try {
        const samples: ClickTimes[] = [];
        for (let run = 1; run <= input.runs; run += 1)
          samples.push(await clickToVerified(bot, aws, input.slack, run, executor));
        const seconds = (pick: (times: ClickTimes) => number) =>
          `${(median(samples.map(pick)) / 1000).toFixed(2)} s`;
        const how =
          executor === 'direct'
            ? 'direct EC2 calls'
            : `SSM Automation, ${IN_PROGRESS_POLLS} InProgress polls at the real interval`;
        rows.push({
          figure: `click → verified (${how}; AWS mocked at ${AWS_CALL_MS} ms a call; median of ${input.runs})`,
          goal: GOAL,
          measured: `${seconds((times) => times.resolvedMs)} to SUCCEEDED, message Resolved; ${seconds((times) => times.doneMs)} to thread reply and modal outcome`,
          baseline: NONE,
          ratio: NONE,
        });
      } finally {
        await bot.app.stop();
        await bot.queue.idle();
      }
    }
  } finally {
    aws.restore();
  }
  return rows;
}
