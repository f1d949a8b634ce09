/**
 * `npm run bench` (`-- --quick` for smaller counts, under 3 minutes): every figure of the bench against its goal
 * and a baseline measured in the same run, printed as one table and written to BENCHMARKS.md with the machine.
 * Everything runs here: embedded DynamoDB (dynalite, in memory), the fake Slack Web API on 127.0.0.1, AWS mocked.
 * Nothing asserts a time (machines differ); the table says which goals this machine met.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { PROJECT_ROOT } from '../../infra/bot-function.js';
import { createStore } from '../../src/runtime/store.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import { FakeSlackApi } from '../support/fake-slack-api.js';
import { measureAckLatency } from './ack-latency.js';
import { benchConfig, benchEnvironment } from './bench-environment.js';
import type { BenchRow } from './bench-table.js';
import { markdownTable } from './bench-table.js';
import { measureBurstDelivery } from './burst-delivery.js';
import { measureClickToVerified } from './click-to-verified.js';
import { measureDigestTime } from './digest-time.js';
import { measureIngestThroughput } from './ingest-throughput.js';
import { lambdaBundleRows, measureLambdaBundles } from './lambda-bundles.js';
import { measureStatusLatency } from './status-latency.js';
import { loadDecisions, loadEstate } from './synthetic-estate.js';

const quick = process.argv.includes('--quick');
const SIZES = quick
  ? {
      events: 2_000,
      burst: 500,
      burstDeadlineMs: 20_000,
      findings: 5_000,
      decisions: 1_000,
      statusRuns: 10,
      ackBursts: 2,
      digestRuns: 2,
      initRuns: 3,
      clickRuns: 2,
    }
  : {
      events: 10_000,
      burst: 500,
      burstDeadlineMs: 60_000,
      findings: 100_000,
      decisions: 20_000,
      statusRuns: 30,
      ackBursts: 6,
      digestRuns: 5,
      initRuns: 5,
      clickRuns: 5,
    };
const TABLE = 'cspm-bench';
const CHANNEL = 'C0FINDINGS';
const started = Date.now();
const say = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
// Everything is local: the SDK only needs a region and some credentials to sign with (never sent beyond 127.0.0.1).
process.env['AWS_REGION'] ??= 'eu-west-1';
process.env['AWS_ACCESS_KEY_ID'] ??= 'bench';
process.env['AWS_SECRET_ACCESS_KEY'] ??= 'bench';
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const rows: BenchRow[] = [];
say(`cspm-bot bench${quick ? ' (quick: smaller counts)' : ''}`);

say('Lambda bundles: building each handler as the stack does, importing each in fresh processes…');
rows.push(...lambdaBundleRows(await measureLambdaBundles(SIZES.initRuns)));

const dynamo = await startEmbeddedDynamoDb();
const slack = await new FakeSlackApi({ realTime: true }).start();
try {
  await ensureTable(dynamo.client, TABLE);
  const setting = {
    dynamoDbEndpoint: dynamo.endpoint,
    tableName: TABLE,
    slackApiUrl: slack.url,
    channel: CHANNEL,
  };
  const config = benchConfig(setting);
  const store = createStore(dynamo.client, TABLE);

  say(`Ingest: ${SIZES.events.toLocaleString('en')} events against raw PutItem…`);
  rows.push(
    ...(await measureIngestThroughput({ config, client: dynamo.client, slack, events: SIZES.events })),
  );

  say(
    `Burst: ${SIZES.burst} findings for one channel, real pacing (stops after ${SIZES.burstDeadlineMs / 1000} s)…`,
  );
  rows.push(
    ...(await measureBurstDelivery({
      env: benchEnvironment(setting),
      channel: 'C0BURST001',
      findings: SIZES.burst,
      deadlineMs: SIZES.burstDeadlineMs,
    })),
  );

  say(
    `Loading ${SIZES.findings.toLocaleString('en')} findings and ${SIZES.decisions.toLocaleString('en')} decisions…`,
  );
  await loadEstate(store, SIZES.findings, say);
  await loadDecisions(store, SIZES.decisions, SIZES.findings, DateTime.utc());
  const estate = `${SIZES.findings / 1000}k findings, ${SIZES.decisions / 1000}k decisions`;

  say('Status latency per scope…');
  rows.push(
    ...(await measureStatusLatency({
      deps: { ...store, clock: { now: () => DateTime.utc() } },
      client: dynamo.client,
      tableName: TABLE,
      runs: SIZES.statusRuns,
      estate,
    })),
  );

  say('Ack latency over HTTP…');
  rows.push(...(await measureAckLatency({ config, store, slack, bursts: SIZES.ackBursts, estate })));

  say('Digest…');
  rows.push(...(await measureDigestTime({ config, store, runs: SIZES.digestRuns, estate })));

  say('Click → verified: Remediate on an EC2.13 finding, direct and through SSM Automation…');
  rows.push(
    ...(await measureClickToVerified({ config, client: dynamo.client, slack, runs: SIZES.clickRuns })),
  );
} finally {
  await slack.stop();
  await dynamo.close();
}

const table = markdownTable(rows);
const cpu = cpus();
const machine = [
  `CPU: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length} cores`,
  `memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
  `Node ${process.version} on ${osType()} ${release()}`,
].join(', ');
const ranAt = DateTime.utc().toISO({ suppressMilliseconds: true });
console.log(`\n${table}\n\n${machine}; ${((Date.now() - started) / 1000).toFixed(0)} s`);

await writeFile(
  join(PROJECT_ROOT, 'BENCHMARKS.md'),
  [
    '# Benchmarks',
    '',
    `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${ranAt}${quick ? ' — **quick run: smaller counts, not the reference figures**' : ''}.`,
    '',
    `Machine: ${machine}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    '',
    'Each baseline is measured in the same run on the same machine: raw PutItem on the same embedded DynamoDB, one',
    'bare query of the open-findings index, a bare Bolt app that only acks, a bare Bolt Lambda bundled the same way.',
    'DynamoDB is dynalite in memory and Slack is the local fake Web API, so absolute times are this machine’s, not AWS’s.',
    '',
    table,
    '',
  ].join('\n'),
);
say('Written to BENCHMARKS.md');
