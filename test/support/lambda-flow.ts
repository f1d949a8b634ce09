import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { handler as ingestQueue } from '../../src/runtime/lambda-ingest.js';
import { handler as worker } from '../../src/runtime/lambda-worker.js';
import type { SlackJob } from '../../src/slack/slack-jobs.js';
import { makeImportedEvent } from '../fixtures/asff.js';
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
