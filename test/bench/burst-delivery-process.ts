/**
 * The burst, run in its own process by burst-delivery.ts (which stops it at the deadline), through the deployed
 * path: the findings arrive as EventBridge events on the ingest queue, the Ingest Lambda's handler takes them in
 * batches of 100 (5 batches at a time) and hands delivery to the work queue, and the Worker's job handler (in this
 * process, as `npm start` runs it) posts at Slack's real pace; then whatever is still owed is delivered as the sync
 * would. AWS is never called: ingest gets no AWS clients and nothing here remediates.
 * Input: BENCH_BURST (JSON: the bench configuration's environment and the number of findings).
 */
import { loadConfig } from '../../src/config/config.js';
import { InProcessJobQueue } from '../../src/runtime/in-process-queue.js';
import { ingestQueueBatch } from '../../src/runtime/ingest-queue-batch.js';
import { lambdaBase } from '../../src/runtime/lambda-environment.js';
import { lambdaJobDeps } from '../../src/runtime/lambda-job-deps.js';
import { ingestDeps } from '../../src/runtime/remediation-wiring.js';
import { runSlackJob } from '../../src/slack/slack-jobs.js';
import { deliverOwedMessages } from '../../src/usecases/deliver-finding-message.js';
import { makeImportedEvent } from '../fixtures/asff.js';
import { queuedEventRecord } from '../support/ingest-queue-event.js';
import { recordingLog } from '../support/recording-log.js';
import { syntheticAsff } from './synthetic-estate.js';

/** Far from the estate's numbering, so these findings are new. */
const BURST_OFFSET = 5_000_000;
const BATCH_SIZE = 100;
const BATCHES_IN_FLIGHT = 5;

const { env, findings } = JSON.parse(process.env['BENCH_BURST'] ?? '{}') as {
  env: Record<string, string>;
  findings: number;
};
const config = loadConfig(env);
const log = recordingLog();
const shared = lambdaBase(config, log);
const { jobs } = lambdaJobDeps(config, shared);
const queue = new InProcessJobQueue((job) => runSlackJob(jobs, job), log);
const deps = ingestDeps({ config, base: shared.base, store: shared.store, clients: undefined, jobs, queue });
const records = Array.from({ length: findings }, (_, i) =>
  queuedEventRecord(makeImportedEvent([syntheticAsff(BURST_OFFSET + i)], { id: `burst-${i}` }), i),
);
const batches = Array.from({ length: Math.ceil(records.length / BATCH_SIZE) }, (_, i) =>
  records.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE),
);
// The parent starts its clock here, not at process start (loading the modules is not the burst's time).
process.stdout.write('ready\n');
let next = 0;
await Promise.all(
  Array.from({ length: BATCHES_IN_FLIGHT }, async () => {
    while (next < batches.length) await ingestQueueBatch(deps, batches[next++]!, log, 'asff');
  }),
);
process.stdout.write('ingested\n');
await queue.idle();
while ((await deliverOwedMessages(deps)).length > 0);
