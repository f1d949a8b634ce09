/**
 * EventBridge-shaped ingest: 10,000 "Findings - Imported" events, 20% re-deliveries of earlier events and 5%
 * malformed, through the deployed path: the ingest queue hands the Ingest Lambda batches of up to 100 messages,
 * 5 batches at a time (Lambda's first SQS pollers), and ingest hands delivery off to the Worker. Baseline: a bare
 * PutItem of the items ingest stored, 16 at a time, on the same embedded DynamoDB. The delivery run then posts
 * everything owed (timed apart, unpaced) so that duplicate posts can be counted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import {
  FINDING_EVENT_TYPE,
  GROUP_EVENT_TYPE,
  SlackFindingMessenger,
} from '../../src/slack/finding-messenger.js';
import { SlackSender } from '../../src/slack/sender.js';
import type { Config } from '../../src/config/config.js';
import { lambdaBase } from '../../src/runtime/lambda-environment.js';
import { findingWorkflow, ingestDeps } from '../../src/runtime/remediation-wiring.js';
import { ensureTable } from '../../src/store/embedded-dynamodb.js';
import { ingestQueueBatch } from '../../src/runtime/ingest-queue-batch.js';
import type { SlackJob } from '../../src/slack/slack-jobs.js';
import { deliverUntilDone } from '../../src/usecases/run-deliveries.js';
import type { IngestOutcome } from '../../src/usecases/ingest-findings.js';
import { makeImportedEvent } from '../fixtures/asff.js';
import { queuedEventRecord } from '../support/ingest-queue-event.js';
import type { AsffJson } from '../fixtures/asff.js';
import type { FakeSlackApi } from '../support/fake-slack-api.js';
import { recordingLog } from '../support/recording-log.js';
import type { BenchRow } from './bench-table.js';
import { ratio } from './bench-table.js';
import { syntheticAsff } from './synthetic-estate.js';

const IN_FLIGHT = 16;
/** Lambda starts 5 concurrent batches on an SQS queue (it scales up from there). */
const BATCHES_IN_FLIGHT = 5;
const BATCH_SIZE = 100;
const CHANNEL = 'C0INGEST01';

/** The event stream: every 20th malformed (no Severity), every 5th (offset 1) a re-delivery of an earlier event. */
export function importedEvents(count: number): AsffJson[] {
  const valid: AsffJson[] = [];
  return Array.from({ length: count }, (_, i) => {
    if (i % 20 === 0) {
      const malformed = syntheticAsff(i, 'EC2.13');
      delete malformed['Severity'];
      return makeImportedEvent([malformed], { id: `event-${i}` });
    }
    if (i % 5 === 1 && valid.length > 0) return valid[(i * 7919) % valid.length]!;
    const event = makeImportedEvent([syntheticAsff(i, 'EC2.13')], { id: `event-${i}` });
    valid.push(event);
    return event;
  });
}

async function inParallel<T>(
  items: readonly T[],
  each: (item: T) => Promise<unknown>,
  inFlight = IN_FLIGHT,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

/**
 * The baseline: the same items as ingest stored them (the finding records, with their index keys), put again
 * under new keys with a bare PutItem, 16 at a time, as many as there were events, into a table of the same shape.
 */
async function rawPutsOfStoredItems(
  client: DynamoDBClient,
  ingestTable: string,
  puts: number,
): Promise<number> {
  const stored: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: ingestTable,
        FilterExpression: 'sk = :finding',
        ExpressionAttributeValues: { ':finding': { S: '#FINDING' } },
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    stored.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  if (stored.length === 0) throw new Error('ingest stored no finding to copy');
  const rawTable = 'cspm-bench-raw-puts';
  await ensureTable(client, rawTable);
  const copies = Array.from({ length: puts }, (_, n) => ({
    ...stored[n % stored.length]!,
    pk: { S: `FINDING#raw-${n}` },
  }));
  return inParallel(copies, (Item) => client.send(new PutItemCommand({ TableName: rawTable, Item })));
}

export async function measureIngestThroughput(input: {
  config: Config;
  client: DynamoDBClient;
  slack: FakeSlackApi;
  events: number;
}): Promise<BenchRow[]> {
  const { client, slack } = input;
  const events = importedEvents(input.events);

  const ingestTable = 'cspm-bench-ingest';
  await ensureTable(client, ingestTable);
  // The Ingest Lambda's wiring (grouping included): delivery is handed to the work queue (recorded here), then the
  // Worker's delivery run posts with an unpaced messenger (this figure is the bot's own work; Slack's pace is the
  // burst figure's subject).
  const config: Config = {
    ...input.config,
    tableName: ingestTable,
    slackApiUrl: slack.url,
    routing: { rules: [], defaultChannel: CHANNEL },
  };
  const log = recordingLog();
  const { store, base } = lambdaBase(config, log);
  const web = new WebClient('xoxb-bench', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const unpaced = new SlackFindingMessenger(
    new SlackSender(web, { minIntervalPerChannelMs: 0, maxWaitMs: 5_000 }),
  );
  const handedOff: SlackJob[] = [];
  const deps = ingestDeps({
    config,
    base: {
      ...base,
      messenger: unpaced,
      ...(base.grouping && { grouping: { ...base.grouping, messenger: unpaced } }),
    },
    store,
    // No AWS: nothing is inspected in EC2; acceptances still hold findings, as on the Lambda.
    clients: undefined,
    jobs: { workflow: findingWorkflow(undefined, undefined), ids: { newId: () => randomUUID() } },
    queue: { enqueue: async (job) => void handedOff.push(job) },
  });
  const batches: ReturnType<typeof queuedEventRecord>[][] = [];
  for (let i = 0; i < events.length; i += BATCH_SIZE) {
    batches.push(events.slice(i, i + BATCH_SIZE).map((event, n) => queuedEventRecord(event, i + n)));
  }
  const counts = new Map<IngestOutcome['kind'], number>();
  let returned = 0;
  const ingestSeconds = await inParallel(
    batches,
    async (batch) => {
      const result = await ingestQueueBatch(deps, batch, log, 'asff');
      returned += result.response.batchItemFailures.length;
      for (const [kind, count] of Object.entries(result.counts)) {
        if (count > 0)
          counts.set(kind as IngestOutcome['kind'], (counts.get(kind as IngestOutcome['kind']) ?? 0) + count);
      }
    },
    BATCHES_IN_FLIGHT,
  );
  if (returned > 0) throw new Error(`${returned} queue messages failed to ingest`);
  const rawSeconds = await rawPutsOfStoredItems(client, ingestTable, events.length);
  const deliveryStarted = performance.now();
  await deliverUntilDone(deps);
  const deliverySeconds = (performance.now() - deliveryStarted) / 1000;

  // Every message names what it shows: a finding (finding_key) or a grouped message (group_id). Posted twice = a duplicate.
  const posted = slack.messagesIn(CHANNEL).flatMap((message) => {
    const metadata = message.metadata as
      { event_type?: string; event_payload?: { finding_key?: string; group_id?: string } } | undefined;
    if (metadata?.event_type === FINDING_EVENT_TYPE && metadata.event_payload?.finding_key)
      return [`finding ${metadata.event_payload.finding_key}`];
    if (metadata?.event_type === GROUP_EVENT_TYPE && metadata.event_payload?.group_id)
      return [`group ${metadata.event_payload.group_id}`];
    return [];
  });
  const duplicatePosts = posted.length - new Set(posted).size;
  const ingestRate = events.length / ingestSeconds;
  const rawRate = events.length / rawSeconds;
  const outcomeText = [...counts].map(([kind, count]) => `${kind} ${count}`).join(', ');
  return [
    {
      figure: `ingest ${events.length.toLocaleString('en')} events in queue batches of ${BATCH_SIZE} (20% repeats, 5% malformed; ${outcomeText}; delivery run handed off ${handedOff.length}×)`,
      goal: '≥ 0.5× raw PutItem',
      measured: `${ingestRate.toFixed(0)} findings/s`,
      baseline: `${rawRate.toFixed(0)} PutItem/s (the same items as stored)`,
      ratio: ratio(ingestRate, rawRate),
      meetsGoal: ingestRate >= 0.5 * rawRate,
    },
    {
      figure: `duplicate posts in that ingest (delivered after it, unpaced, in ${deliverySeconds.toFixed(1)} s: ${posted.filter((key) => key.startsWith('finding')).length} finding and ${posted.filter((key) => key.startsWith('group')).length} grouped messages)`,
      goal: '0',
      measured: String(duplicatePosts),
      baseline: '—',
      ratio: '—',
      meetsGoal: duplicatePosts === 0,
    },
  ];
}
