/**
 * `/cspm status` latency at 100,000 findings and 20,000 decisions in the embedded DynamoDB, for every scope.
 * Prints its figures; asserts nothing (machines differ). `npx tsx test/bench/status-with-decisions.ts`
 * (BENCH_FINDINGS, BENCH_DECISIONS, BENCH_RUNS to change the sizes).
 */
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { statusMessage } from '../../blocks/status-message.js';
import type { Decision, DecisionKind } from '../../src/domain/decision.js';
import type { Finding } from '../../src/domain/finding.js';
import { findingKeyOf } from '../../src/domain/finding-key.js';
import type { StatusScope } from '../../src/domain/status-report.js';
import { triage } from '../../src/domain/triage.js';
import { createStore } from '../../src/runtime/store.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import { buildStatusReport } from '../../src/usecases/build-status-report.js';
import { makeFinding } from '../fixtures/finding.js';

const FINDINGS = Number(process.env['BENCH_FINDINGS'] ?? 100_000);
const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 20_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 30);
const ACCOUNTS = Array.from({ length: 200 }, (_, i) => String(100000000000 + i * 7919));
const CONTROLS = ['EC2.13', 'EC2.14', 'EC2.18', 'EC2.19', 'EC2.2', 'EC2.53', 'EC2.54'];
const KINDS: DecisionKind[] = ['remediate', 'suppress', 'accept-risk', 'mark-fixed'];
const NOW = DateTime.fromISO('2026-11-22T10:00:00.000Z', { zone: 'utc' });

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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const dynamo = await startEmbeddedDynamoDb();
await ensureTable(dynamo.client, 'status-bench');
const store = createStore(dynamo.client, 'status-bench');
const loadStarted = performance.now();
for (let start = 0; start < FINDINGS; start += 10_000) {
  const inputs = Array.from({ length: Math.min(10_000, FINDINGS - start) }, (_, i) => {
    const finding = syntheticFinding(start + i);
    return { finding, triage: triage(finding), channel: 'C0FINDINGS', now: '2026-11-01T00:00:00.000Z' };
  });
  await store.findings.importNew(inputs);
}
console.log(`${FINDINGS} findings loaded in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`);
// Decisions over the last 10 days, as people and the bot make them (each counted as it finishes).
const decisionsStarted = performance.now();
for (let start = 0; start < DECISIONS; start += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, DECISIONS - start) }, async (_, i) => {
      const n = start + i;
      const requestedAt = NOW.minus({ minutes: (n * 7919) % (10 * 24 * 60) }).toISO()!;
      const decision: Decision = {
        decisionId: `bench-${n}`,
        findingId: findingKeyOf(syntheticFinding((n * 31) % FINDINGS)),
        kind: KINDS[n % KINDS.length]!,
        status: 'SUCCEEDED',
        actor: { kind: 'user', userId: 'U0ALICE01' },
        requestedAt,
        finishedAt: requestedAt,
        what: 'bench',
      };
      await store.decisions.record(decision);
    }),
  );
}
console.log(
  `${DECISIONS} decisions recorded in ${((performance.now() - decisionsStarted) / 1000).toFixed(0)} s\n`,
);

const deps = { ...store, clock: { now: () => NOW } };
const scopes: [string, StatusScope][] = [
  ['/cspm status', { kind: 'all' }],
  [`/cspm status ${ACCOUNTS[3]}`, { kind: 'account', accountId: ACCOUNTS[3]! }],
  [`/cspm status ${CONTROLS[1]}`, { kind: 'control', controlId: CONTROLS[1]! }],
];
for (const [label, scope] of scopes) {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    statusMessage(await buildStatusReport(deps, scope));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const report = await buildStatusReport(deps, scope);
  console.log(
    `${label.padEnd(30)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms  (open ${report.open.total}, last 7 days ${JSON.stringify(report.last7Days)})`,
  );
}
await dynamo.close();
