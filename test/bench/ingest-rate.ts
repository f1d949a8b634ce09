/**
 * Ingest rate against the raw PutItem rate, in the same process on embedded DynamoDB (dynalite): batches of 100
 * findings, 80% new and 20% seen before. Prints figures; asserts nothing (machines differ).
 * `npx tsx test/bench/ingest-rate.ts` (INGEST_FINDINGS to change the count).
 */
import { performance } from 'node:perf_hooks';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { Finding } from '../../src/domain/finding.js';
import { createStore } from '../../src/runtime/store.js';
import { createCspmTable } from '../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import { ingestFindings } from '../../src/usecases/ingest-findings.js';
import type { IngestDeps, IngestItem } from '../../src/usecases/ingest-findings.js';
import type { FindingMessenger } from '../../src/usecases/ports.js';
import { makeFinding } from '../fixtures/finding.js';

const FINDINGS = Number(process.env['INGEST_FINDINGS'] ?? 5_000);
const BATCH = 100;
const ACCOUNTS = Array.from({ length: 50 }, (_, i) => String(100000000000 + i * 7919));
const CONTROLS = ['EC2.13', 'EC2.14', 'EC2.18', 'EC2.19', 'EC2.2'];

function syntheticFinding(n: number): Finding {
  const base = makeFinding();
  const accountId = ACCOUNTS[n % ACCOUNTS.length]!;
  const controlId = CONTROLS[n % CONTROLS.length]!;
  const groupId = `sg-${n.toString(16).padStart(17, '0')}`;
  return {
    ...base,
    id: `arn:aws:securityhub:eu-west-1:${accountId}:security-control/${controlId}/finding/${n.toString(16).padStart(12, '0')}`,
    controlId,
    accountId,
    region: 'eu-west-1',
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:eu-west-1:${accountId}:security-group/${groupId}`,
      shortId: groupId,
    },
    details: base.details.kind === 'security-group' ? { ...base.details, groupId } : base.details,
  };
}

/** Posts nothing: the figure is the store's cost, not Slack's. */
const silentMessenger: FindingMessenger = {
  post: async (channel) => ({ channel, ts: '1763805600.000001' }),
  findPosted: async () => ({ kind: 'not-found', complete: true }),
  update: async () => undefined,
  retire: async () => undefined,
  notify: async () => undefined,
};

const dynamo = await startEmbeddedDynamoDb();
await ensureTable(dynamo.client, 'ingest-rate');
const store = createStore(dynamo.client, 'ingest-rate');
const requests = new Map<string, number>();
const times = new Map<string, number>();
dynamo.client.middlewareStack.add(
  (next, context) => async (args) => {
    requests.set(context.commandName ?? '?', (requests.get(context.commandName ?? '?') ?? 0) + 1);
    const t = performance.now();
    try {
      return await next(args);
    } finally {
      times.set(
        context.commandName ?? '?',
        (times.get(context.commandName ?? '?') ?? 0) + performance.now() - t,
      );
    }
  },
  { step: 'initialize' },
);
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
// INGEST_DELIVERY=inline: owed messages are delivered in this process after each batch (the dry run); otherwise
// the delivery step is only told (as on the Lambdas) and the figure is ingest's own.
const deliveryElsewhere = process.env['INGEST_DELIVERY'] !== 'inline';
const deps: IngestDeps = {
  findings: store.findings,
  messenger: silentMessenger,
  clock: { now: () => DateTime.fromISO('2026-11-22T10:00:00.000Z', { zone: 'utc' }) },
  log: quiet,
  routing: { rules: [], defaultChannel: 'C0FINDINGS' },
  severityThreshold: 'LOW',
  ...(deliveryElsewhere && { deliveries: { deliveryOwed: async () => undefined } }),
};

// 20% of each batch repeats a finding of the previous batch unchanged (an EventBridge re-delivery).
let next = 0;
const batches: IngestItem[][] = [];
while (next < FINDINGS) {
  const batch: IngestItem[] = [];
  for (let i = 0; i < BATCH && next < FINDINGS; i += 1) {
    const repeat = i % 5 === 4 && next > BATCH;
    batch.push({ ok: true, finding: syntheticFinding(repeat ? next - BATCH - i : next++) });
  }
  batches.push(batch);
}
const items = batches.reduce((sum, batch) => sum + batch.length, 0);

const ingestStarted = performance.now();
for (const batch of batches) await ingestFindings(deps, batch);
const ingestSeconds = (performance.now() - ingestStarted) / 1000;
console.log(
  'ms per command:',
  Object.fromEntries([...times].map(([n, t]) => [n, +(t / (requests.get(n) ?? 1)).toFixed(2)])),
);
console.log(
  'requests per ingested finding:',
  Object.fromEntries([...requests].map(([name, count]) => [name, +(count / items).toFixed(2)])),
);

const table = createCspmTable(dynamo.client, 'ingest-rate');
const client = table.getDocumentClient();
const sample = syntheticFinding(0);
const { Item } = await client.send(
  new GetCommand({
    TableName: 'ingest-rate',
    Key: { pk: `FINDING#${(await store.findings.openFindings({ limit: 1 }))[0]!.findingId}`, sk: '#FINDING' },
  }),
);
if (!Item) throw new Error(`no stored item to copy for ${sample.id}`);
const putStarted = performance.now();
for (let n = 0; n < next; n += 1) {
  await client.send(new PutCommand({ TableName: 'ingest-rate', Item: { ...Item, pk: `RAW#${n}` } }));
}
const putSeconds = (performance.now() - putStarted) / 1000;

const ingestRate = items / ingestSeconds;
const putRate = next / putSeconds;
console.log(
  `ingest (delivery ${deliveryElsewhere ? 'elsewhere' : 'inline'}): ${items} findings (${next} new, ${items - next} repeated) in ${ingestSeconds.toFixed(1)} s = ${ingestRate.toFixed(0)}/s`,
);
console.log(`raw PutItem of the same item: ${next} in ${putSeconds.toFixed(1)} s = ${putRate.toFixed(0)}/s`);
console.log(`ratio: ${(ingestRate / putRate).toFixed(2)}× (goal ≥ 0.5×)`);
await dynamo.close();
