/**
 * The burst, run in its own process by burst-delivery.ts (which stops it at the deadline), through the deployed
 * path: the Ingest Lambda's wiring hands every finding to ingest at once, ingest hands delivery to the work queue,
 * and the Worker's job handler (in this process, as `npm start` runs it) posts; then whatever is still owed is
 * delivered as the sync would. AWS is never called: ingest gets no AWS clients and nothing here remediates.
 * Input: BENCH_BURST (JSON: the bench configuration's environment and the number of findings).
 */
import { loadConfig } from '../../src/config/config.js';
import { InProcessJobQueue } from '../../src/runtime/in-process-queue.js';
import { lambdaBase } from '../../src/runtime/lambda-environment.js';
import { lambdaJobDeps } from '../../src/runtime/lambda-job-deps.js';
import { ingestDeps } from '../../src/runtime/remediation-wiring.js';
import { runSlackJob } from '../../src/slack/slack-jobs.js';
import { deliverOwedMessages } from '../../src/usecases/deliver-finding-message.js';
import { ingestFindings } from '../../src/usecases/ingest-findings.js';
import { recordingLog } from '../support/recording-log.js';
import { syntheticFinding } from './synthetic-estate.js';

/** Far from the estate's numbering, so these findings are new. */
const BURST_OFFSET = 5_000_000;

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
const items = Array.from({ length: findings }, (_, i) => ({
  ok: true as const,
  finding: syntheticFinding(BURST_OFFSET + i),
}));
// The parent starts its clock here, not at process start (loading the modules is not the burst's time).
process.stdout.write('ready\n');
await Promise.all(items.map((item) => ingestFindings(deps, [item])));
await queue.idle();
while ((await deliverOwedMessages(deps)).length > 0);
