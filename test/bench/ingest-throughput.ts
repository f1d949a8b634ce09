/**
 * EventBridge-shaped ingest: 10,000 "Findings - Imported" events, 20% re-deliveries of earlier events and 5%
 * malformed, handled one event per call like the Ingest Lambda, 16 at a time (concurrent invocations). Baseline:
 * a bare PutItem of each event's finding JSON at the same concurrency, on the same embedded DynamoDB.
 */
import { performance } from 'node:perf_hooks';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { WebClient } from '@slack/web-api';
import { findingsFromImportedEvent } from '../../src/aws/asff-finding.js';
import {
  FINDING_EVENT_TYPE,
  GROUP_EVENT_TYPE,
  SlackFindingMessenger,
} from '../../src/slack/finding-messenger.js';
import { SlackSender } from '../../src/slack/sender.js';
import type { Config } from '../../src/config/config.js';
import { lambdaBase } from '../../src/runtime/lambda-environment.js';
import { ingestDeps } from '../../src/runtime/remediation-wiring.js';
import { ensureTable } from '../../src/store/embedded-dynamodb.js';
import { ingestFindings } from '../../src/usecases/ingest-findings.js';
import type { IngestOutcome } from '../../src/usecases/ingest-findings.js';
import { loadAsffFixture, makeImportedEvent } from '../fixtures/asff.js';
import type { AsffJson } from '../fixtures/asff.js';
import type { FakeSlackApi } from '../support/fake-slack-api.js';
import { recordingLog } from '../support/recording-log.js';
import type { BenchRow } from './bench-table.js';
import { ratio } from './bench-table.js';
import { ACCOUNTS } from './synthetic-estate.js';

const IN_FLIGHT = 16;
const CHANNEL = 'C0INGEST01';

/** The fields of the EC2.13 sample this bench rewrites. */
interface SecurityGroupAsff {
  Id: string;
  AwsAccountId: string;
  Region: string;
  Resources: { Id: string; Details: { AwsEc2SecurityGroup: { GroupId: string; OwnerId: string } } }[];
  ProductFields: Record<string, string>;
}

/** An EC2.13 finding (the bundled sample) made unique: its own id, account and security group. */
function uniqueAsff(base: AsffJson, n: number): AsffJson {
  const finding = structuredClone(base) as AsffJson & SecurityGroupAsff;
  const resource = finding.Resources[0]!;
  const account = ACCOUNTS[n % ACCOUNTS.length]!;
  const groupId = `sg-${(0x1000000 + n).toString(16).padStart(17, '0')}`;
  const id = `arn:aws:securityhub:${finding.Region}:${account}:security-control/EC2.13/finding/${n.toString(16).padStart(8, '0')}-5b6a-4789-8a0b-c1d2e3f40001`;
  const resourceId = `arn:aws:ec2:${finding.Region}:${account}:security-group/${groupId}`;
  finding.Id = id;
  finding.AwsAccountId = account;
  resource.Id = resourceId;
  resource.Details.AwsEc2SecurityGroup.GroupId = groupId;
  resource.Details.AwsEc2SecurityGroup.OwnerId = account;
  finding.ProductFields['Resources:0/Id'] = resourceId;
  finding.ProductFields['aws/securityhub/FindingId'] = id;
  return finding;
}

/** The event stream: every 20th malformed (no Severity), every 5th (offset 1) a re-delivery of an earlier event. */
export function importedEvents(count: number): AsffJson[] {
  const base = loadAsffFixture('ec2.13-ssh-ipv4');
  const valid: AsffJson[] = [];
  return Array.from({ length: count }, (_, i) => {
    if (i % 20 === 0) {
      const malformed = uniqueAsff(base, i);
      delete malformed['Severity'];
      return makeImportedEvent([malformed], { id: `event-${i}` });
    }
    if (i % 5 === 1 && valid.length > 0) return valid[(i * 7919) % valid.length]!;
    const event = makeImportedEvent([uniqueAsff(base, i)], { id: `event-${i}` });
    valid.push(event);
    return event;
  });
}

async function inParallel<T>(items: readonly T[], each: (item: T) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

export async function measureIngestThroughput(input: {
  config: Config;
  client: DynamoDBClient;
  slack: FakeSlackApi;
  events: number;
}): Promise<BenchRow[]> {
  const { client, slack } = input;
  const events = importedEvents(input.events);

  const rawTable = 'cspm-bench-raw-puts';
  await ensureTable(client, rawTable);
  let n = 0;
  const rawSeconds = await inParallel(events, (event) => {
    const finding = (event['detail'] as { findings: AsffJson[] }).findings[0]!;
    const key = `RAW#${n++}`;
    return client.send(
      new PutItemCommand({
        TableName: rawTable,
        Item: marshall({ pk: key, sk: key, finding }, { removeUndefinedValues: true }),
      }),
    );
  });

  const ingestTable = 'cspm-bench-ingest';
  await ensureTable(client, ingestTable);
  // The Ingest Lambda's wiring (grouping included), with two changes: the messenger is unpaced (this figure is the
  // bot's own work per event; Slack's pace is the burst figure's subject) and delivery runs inline (no work queue).
  const config: Config = {
    ...input.config,
    tableName: ingestTable,
    slackApiUrl: slack.url,
    routing: { rules: [], defaultChannel: CHANNEL },
  };
  const { store, base } = lambdaBase(config, recordingLog());
  const web = new WebClient('xoxb-bench', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const unpaced = new SlackFindingMessenger(
    new SlackSender(web, { minIntervalPerChannelMs: 0, maxWaitMs: 5_000 }),
  );
  const deps = ingestDeps({
    config,
    base: {
      ...base,
      messenger: unpaced,
      ...(base.grouping && { grouping: { ...base.grouping, messenger: unpaced } }),
    },
    store,
    clients: undefined,
    jobs: undefined,
    queue: undefined,
  });
  const counts = new Map<IngestOutcome['kind'], number>();
  const ingestSeconds = await inParallel(events, async (event) => {
    const report = await ingestFindings(deps, findingsFromImportedEvent(event).findings);
    for (const outcome of report.outcomes) counts.set(outcome.kind, (counts.get(outcome.kind) ?? 0) + 1);
  });

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
      figure: `ingest ${events.length.toLocaleString('en')} events (20% repeats, 5% malformed; ${outcomeText})`,
      goal: '≥ 0.5× raw PutItem',
      measured: `${ingestRate.toFixed(0)} findings/s`,
      baseline: `${rawRate.toFixed(0)} PutItem/s`,
      ratio: ratio(ingestRate, rawRate),
      meetsGoal: ingestRate >= 0.5 * rawRate,
    },
    {
      figure: `duplicate posts in that ingest (${posted.filter((key) => key.startsWith('finding')).length} finding and ${posted.filter((key) => key.startsWith('group')).length} grouped messages)`,
      goal: '0',
      measured: String(duplicatePosts),
      baseline: '—',
      ratio: '—',
      meetsGoal: duplicatePosts === 0,
    },
  ];
}
