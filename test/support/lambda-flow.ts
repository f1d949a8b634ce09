import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Context } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { normalizeAsffFinding } from '../../src/aws/asff-finding.js';
import { findingKeyOf } from '../../src/domain/finding-key.js';
import { handler as ingestQueue } from '../../src/runtime/lambda-ingest.js';
import { handler as worker } from '../../src/runtime/lambda-worker.js';
import type { SlackJob } from '../../src/slack/slack-jobs.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import { loadAsffFixture, makeImportedEvent } from '../fixtures/asff.js';
import type { FakeSlackApi } from './fake-slack-api.js';
import { queuedEvents } from './ingest-queue-event.js';
import { SIGNING_SECRET, functionUrlEvent, slackSignatureHeaders } from './signed-slack-request.js';

/**
 * What a flow test drives the deployed Lambdas with: the Slack handler, the ingest queue handler and the Worker run
 * in-process; the Worker's jobs are the payloads of the (mocked) Lambda invokes.
 */
export const lambdaContext = {} as Context;

/** A Function URL event carrying `body`, signed with the test signing secret as Slack signs it. */
export function signed(body: string) {
  return functionUrlEvent(body, slackSignatureHeaders(body));
}

/** The jobs handed to the Worker so far: the payloads of the Lambda invokes. */
export function invokedJobs(lambda: AwsClientStub<LambdaClient>): SlackJob[] {
  return lambda
    .commandCalls(InvokeCommand)
    .map(
      (call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as SlackJob,
    );
}

/** The first job handed to the Worker, which must be of `kind` (a failure names what was handed instead). */
export function queuedJob<K extends SlackJob['kind']>(
  lambda: AwsClientStub<LambdaClient>,
  kind: K,
): Extract<SlackJob, { kind: K }> {
  const [job] = invokedJobs(lambda);
  if (job?.kind !== kind) throw new Error(`expected a ${kind} job, got ${job?.kind ?? 'none'}`);
  return job as Extract<SlackJob, { kind: K }>;
}

/**
 * The environment the Lambdas read in a flow test: the embedded table, the fake Slack, alice allowed to act, the
 * direct executor, and the Worker invoked by name; `overrides` set the rest (threshold, region, table).
 */
export function lambdaFlowEnvironment(input: {
  readonly dynamoEndpoint: string;
  readonly slackUrl: string;
  readonly tableName: string;
  readonly region: string;
  readonly overrides?: Readonly<Record<string, string>>;
}): Record<string, string> {
  return {
    CSPM_DYNAMODB_ENDPOINT: input.dynamoEndpoint,
    CSPM_TABLE_NAME: input.tableName,
    CSPM_SLACK_API_URL: input.slackUrl,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_DEFAULT_CHANNEL: 'C0FINDINGS',
    CSPM_ALLOWED_USERS: 'U0ALICE01',
    CSPM_EXECUTOR: 'direct',
    CSPM_WORKER_FUNCTION_NAME: 'cspm-bot-worker',
    CSPM_HOME_ACCOUNT_ID: '111122223333',
    AWS_REGION: input.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...input.overrides,
  };
}

/** An ASFF finding through the ingest queue Lambda and the Worker's delivery: posted, and the invokes forgotten. */
export async function ingestThroughLambdas(
  lambda: AwsClientStub<LambdaClient>,
  asff: unknown,
): Promise<void> {
  await ingestQueue(queuedEvents([makeImportedEvent([asff])]));
  for (const job of invokedJobs(lambda)) await worker(job);
  lambda.resetHistory();
}

/**
 * The lifecycle every remediation flow test shares: the fake Slack and the embedded table started once with the
 * Lambdas' environment; before each test, the mocks reset, the Worker invoke and Security Hub's write answered, the
 * account emulated by `emulate`, and the `fixture` finding ingested through the Lambdas and posted.
 */
export function useLambdaFlow(input: {
  readonly tableName: string;
  readonly region: string;
  readonly overrides?: Readonly<Record<string, string>>;
  readonly slack: FakeSlackApi;
  readonly lambda: AwsClientStub<LambdaClient>;
  readonly securityHub: AwsClientStub<SecurityHubClient>;
  /** The test's other AWS mocks: reset before each test, restored after all. */
  readonly awsMocks: readonly { reset(): void; restore(): void }[];
  readonly emulate: () => void;
  /** The ASFF sample (samples/findings/) each test starts from. */
  readonly fixture: string;
}): { findingKey(): string } {
  const { slack, lambda, securityHub } = input;
  const mocks = [...input.awsMocks, lambda, securityHub];
  let dynamo: EmbeddedDynamoDb | undefined;
  let findingKey: string | undefined;

  beforeAll(async () => {
    await slack.start();
    dynamo = await startEmbeddedDynamoDb();
    await ensureTable(dynamo.client, input.tableName);
    Object.assign(
      process.env,
      lambdaFlowEnvironment({
        dynamoEndpoint: dynamo.endpoint,
        slackUrl: slack.url,
        tableName: input.tableName,
        region: input.region,
        ...(input.overrides && { overrides: input.overrides }),
      }),
    );
  });

  afterAll(async () => {
    await slack.stop();
    await dynamo?.close();
    for (const mock of mocks) mock.restore();
  });

  beforeEach(async () => {
    slack.reset();
    for (const mock of mocks) mock.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    securityHub.on(BatchUpdateFindingsCommand).callsFake((update: { FindingIdentifiers: unknown[] }) => ({
      ProcessedFindings: update.FindingIdentifiers,
      UnprocessedFindings: [],
    }));
    input.emulate();
    const asff = loadAsffFixture(input.fixture);
    const normalized = normalizeAsffFinding(asff);
    if (!normalized.ok) throw new Error(normalized.reason);
    findingKey = findingKeyOf(normalized.finding);
    await ingestThroughLambdas(lambda, asff);
  });

  return {
    findingKey: () => {
      if (findingKey === undefined) throw new Error('the flow has not ingested its finding yet');
      return findingKey;
    },
  };
}
