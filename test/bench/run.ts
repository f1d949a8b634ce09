/**
 * `npm run bench`: `/cspm status` latency with 100,000 findings in the embedded DynamoDB (dynalite, in memory).
 * Prints its figures; nothing here asserts a time (the machines differ).
 */
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { statusMessage } from '../../blocks/status-message.js';
import { CONTROL_CATALOG } from '../../src/domain/control-catalog.js';
import type { Finding } from '../../src/domain/finding.js';
import { triage } from '../../src/domain/triage.js';
import type { Severity } from '../../src/domain/severity.js';
import { createStore } from '../../src/runtime/store.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import { buildStatusReport } from '../../src/usecases/build-status-report.js';
import type { StatusScope } from '../../src/domain/status-report.js';
import { makeFinding } from '../fixtures/finding.js';

const FINDINGS = Number(process.env['BENCH_FINDINGS'] ?? 100_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 30);
const ACCOUNTS = Array.from({ length: 200 }, (_, i) => String(100000000000 + i * 7919));
const CONTROLS = Object.keys(CONTROL_CATALOG).filter((id) => CONTROL_CATALOG[id as keyof typeof CONTROL_CATALOG].resourceType === 'AwsEc2SecurityGroup');
const SEVERITIES: Severity[] = ['HIGH', 'HIGH', 'HIGH', 'CRITICAL'];
const clock = { now: () => DateTime.fromISO('2026-11-22T10:00:00.000Z', { zone: 'utc' }) };

function syntheticFinding(n: number): Finding {
  const base = makeFinding();
  const accountId = ACCOUNTS[n % ACCOUNTS.length]!;
  const controlId = CONTROLS[n % CONTROLS.length]!;
  const groupId = `sg-${n.toString(16).padStart(17, '0')}`;
  const day = String(1 + (n % 28)).padStart(2, '0');
  return {
    ...base,
    id: `arn:aws:securityhub:eu-west-1:${accountId}:security-control/${controlId}/finding/${n.toString(16).padStart(12, '0')}`,
    controlId,
    severity: SEVERITIES[n % SEVERITIES.length]!,
    accountId,
    region: 'eu-west-1',
    resource: { ...base.resource, id: `arn:aws:ec2:eu-west-1:${accountId}:security-group/${groupId}`, shortId: groupId },
    details: base.details.kind === 'security-group' ? { ...base.details, groupId } : base.details,
    firstObservedAt: `2026-10-${day}T00:00:00.000Z`,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, run: () => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} p50 ${percentile(times, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(times, 95).toFixed(1).padStart(7)} ms   max ${times.at(-1)!.toFixed(1).padStart(7)} ms`);
}

const dynamo = await startEmbeddedDynamoDb();
await ensureTable(dynamo.client, 'cspm-bench');
const store = createStore(dynamo.client, 'cspm-bench');

console.log(`Loading ${FINDINGS.toLocaleString('en')} findings (${ACCOUNTS.length} accounts, ${CONTROLS.length} controls) into embedded DynamoDB…`);
const loadStarted = performance.now();
const CHUNK = 20_000;
for (let start = 0; start < FINDINGS; start += CHUNK) {
  const inputs = Array.from({ length: Math.min(CHUNK, FINDINGS - start) }, (_, i) => {
    const finding = syntheticFinding(start + i);
    return { finding, triage: triage(finding), channel: 'C0FINDINGS', now: '2026-11-01T00:00:00.000Z' };
  });
  await store.findings.importNew(inputs);
  if ((start + CHUNK) % 10_000 === 0) process.stdout.write(`  ${(start + CHUNK).toLocaleString('en')} loaded (${((performance.now() - loadStarted) / 1000).toFixed(0)} s)\n`);
}
console.log(`Loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`);

const deps = { ...store, clock };
const scopes: [string, StatusScope][] = [
  ['/cspm status', { kind: 'all' }],
  [`/cspm status ${ACCOUNTS[3]}`, { kind: 'account', accountId: ACCOUNTS[3]! }],
  [`/cspm status ${CONTROLS[1]}`, { kind: 'control', controlId: CONTROLS[1]! }],
];
console.log(`Latency over ${RUNS} runs each (report from DynamoDB + Block Kit rendering):`);
for (const [label, scope] of scopes) await measure(label, async () => statusMessage(await buildStatusReport(deps, scope)));
const report = await buildStatusReport(deps, { kind: 'all' });
console.log(`\nSanity: ${report.open.total.toLocaleString('en')} open findings counted, CRITICAL ${report.open.bySeverity.CRITICAL.toLocaleString('en')}, oldest first observed ${report.oldestOpen[0]?.firstObservedAt}`);
await dynamo.close();
