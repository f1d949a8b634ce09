import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestQueueBatch } from '../../../src/runtime/ingest-queue-batch.js';
import { createStore } from '../../../src/runtime/store.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { loadAsffFixture, makeAsffFinding, makeImportedEvent } from '../../fixtures/asff.js';
import { loadOcsfFixture, makeImportedV2Event, makeOcsfExposure } from '../../fixtures/ocsf.js';
import { queuedEventRecord } from '../../support/ingest-queue-event.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

let dynamo: EmbeddedDynamoDb;
let tables = 0;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
});
afterAll(async () => {
  await dynamo.close();
});

/** A client of the embedded DynamoDB that refuses every write mentioning `refused` (throttled for good). */
function refusingClient(refused: string): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const isWrite = /\.(PutItem|UpdateItem)$/.test(request.headers?.['x-amz-target'] ?? '');
      if (isWrite && String(request.body).includes(refused)) {
        throw Object.assign(
          new Error('The level of configured provisioned throughput for the table was exceeded.'),
          {
            name: 'ProvisionedThroughputExceededException',
            $fault: 'client',
          },
        );
      }
      return next(args);
    },
    { step: 'build', name: 'refuseOneFinding' },
  );
  return client;
}

async function ingestWith(client: DynamoDBClient) {
  tables += 1;
  const name = `cspm-queue-batch-${tables}`;
  await ensureTable(client, name);
  const store = createStore(client, name);
  const log = recordingLog();
  let handOffs = 0;
  const deps: IngestDeps = {
    findings: store.findings,
    quarantine: store.quarantine,
    exposures: store.exposures,
    messenger: {
      post: async () => {
        throw new Error('ingest must not post: delivery is handed off');
      },
      findPosted: async () => ({ kind: 'not-found', complete: true }),
      update: async () => undefined,
      retire: async () => undefined,
      notify: async () => undefined,
    },
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log,
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    deliveries: { deliveryOwed: async () => void (handOffs += 1) },
  };
  return { deps, store, log, handOffs: () => handOffs, tableName: name };
}

const sshFinding = (n: number) =>
  makeAsffFinding({
    Id: `arn:aws:securityhub:eu-west-1:111122223333:security-control/EC2.13/finding/0000${n}-aaaa-4bbb-8ccc-dddddddddddd`,
  });

describe('a batch of the ingest queue', () => {
  it('ingests every message of the batch at once and hands delivery off once', async () => {
    const { deps, store, handOffs } = await ingestWith(dynamo.client);
    const records = [0, 1, 2].map((n) =>
      queuedEventRecord(makeImportedEvent([sshFinding(n)], { id: `event-${n}` }), n),
    );

    const result = await ingestQueueBatch(deps, records, recordingLog(), 'asff');

    expect(result.response).toEqual({ batchItemFailures: [] });
    expect(result.counts).toMatchObject({ alerted: 3 });
    expect(await store.findings.openFindings({ limit: 10 })).toHaveLength(3);
    expect(handOffs()).toBe(1);
  });

  it('handles an event delivered twice in one batch once, and a later change of it in the same batch as an update', async () => {
    const { deps, store } = await ingestWith(dynamo.client);
    const event = makeImportedEvent([sshFinding(1)], { id: 'event-1' });
    const resolved = makeImportedEvent(
      [{ ...sshFinding(1), Workflow: { Status: 'RESOLVED' }, UpdatedAt: '2026-11-02T11:00:00.000Z' }],
      { id: 'event-2' },
    );
    const records = [event, event, resolved].map((each, n) => queuedEventRecord(each, n));

    const result = await ingestQueueBatch(deps, records, recordingLog(), 'asff');

    expect(result.counts).toMatchObject({ alerted: 1, unchanged: 1, updated: 1 });
    // Stored once, and resolved by the later event: no open finding is left.
    expect(await store.findings.openFindings({ limit: 10 })).toEqual([]);
  });

  it('skips a message that is not JSON and a malformed finding (a retry cannot mend them) and stores the rest', async () => {
    const { deps, store } = await ingestWith(dynamo.client);
    const garbled = { ...queuedEventRecord({}, 0), body: '{"version":"0","detail-ty' };
    const records = [
      garbled,
      queuedEventRecord(makeImportedEvent([loadAsffFixture('malformed/missing-resources')]), 1),
      queuedEventRecord(makeImportedEvent([sshFinding(1)]), 2),
    ];

    const result = await ingestQueueBatch(deps, records, recordingLog(), 'asff');

    expect(result.response.batchItemFailures).toEqual([]);
    expect(result.counts).toMatchObject({ malformed: 2, alerted: 1 });
    expect(await store.findings.openFindings({ limit: 10 })).toHaveLength(1);
  });

  it('when the store fails the batch, returns only the messages that still fail to the queue; the rest are stored', async () => {
    // The refused finding cannot be stored nor quarantined: the whole batch throws, then each message is tried alone.
    const refused = sshFinding(2);
    const { deps, store, log } = await ingestWith(refusingClient(refused.Id as string));
    const records = [1, 2, 3].map((n) =>
      queuedEventRecord(makeImportedEvent([sshFinding(n)], { id: `event-${n}` }), n),
    );

    const result = await ingestQueueBatch(deps, records, log, 'asff');

    expect(result.response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    // Finding 1 was stored by the whole-batch attempt, so its own retry finds it unchanged.
    expect(result.counts.alerted + result.counts.unchanged).toBe(2);
    const stored = await store.findings.openFindings({ limit: 10 });
    expect(stored.map((record) => record.finding.id).sort()).toEqual(
      [sshFinding(1).Id, sshFinding(3).Id].sort(),
    );
    const returned = log.entries.filter((entry) => entry.level === 'error');
    expect(JSON.stringify(returned)).toContain(records[1]!.messageId);
  });

  it('an exposure finding the store refuses returns to the queue; redelivered, it reaches the finding it concerns', async () => {
    const exposure = makeOcsfExposure();
    const exposureId = String((exposure['finding_info'] as Record<string, unknown>)['uid']);
    const finding = queuedEventRecord(makeImportedV2Event([loadOcsfFixture('ec2.13-ssh-ipv4')]), 1);
    const exposed = queuedEventRecord(makeImportedV2Event([exposure], { id: 'exposure-event' }), 2);
    const failing = await ingestWith(refusingClient(exposureId));

    const first = await ingestQueueBatch(failing.deps, [finding, exposed], failing.log, 'ocsf');

    expect(first.response.batchItemFailures).toEqual([{ itemIdentifier: exposed.messageId }]);
    const [stored] = await failing.store.findings.openFindings({ limit: 10 });
    expect(stored?.securityHubExposure).toBeUndefined();

    // The same table through a client that no longer refuses: SQS hands the message over again.
    const healthy = { ...failing.deps, ...createStore(dynamo.client, failing.tableName) };
    const again = await ingestQueueBatch(healthy, [exposed], recordingLog(), 'ocsf');

    expect(again.response.batchItemFailures).toEqual([]);
    expect(again.counts).toMatchObject({ enriched: 1 });
    const enriched = await failing.store.findings.get(stored!.findingId);
    expect(enriched?.securityHubExposure).toMatchObject({
      exposureId,
      reachable: true,
      ports: ['tcp/22'],
      resourceShortId: 'i-0abc1234def567891',
    });
  });
});
