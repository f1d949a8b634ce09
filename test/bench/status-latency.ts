/** `/cspm status` for every scope over the stored estate, against one bare query of the open-findings index. */
import { performance } from 'node:perf_hooks';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { statusMessage } from '../../blocks/status-message.js';
import type { StatusScope } from '../../src/domain/status-report.js';
import type { StatusDeps } from '../../src/usecases/build-status-report.js';
import { buildStatusReport } from '../../src/usecases/build-status-report.js';
import type { BenchRow } from './bench-table.js';
import { ms, ratio } from './bench-table.js';
import { percentile } from './percentiles.js';
import { ACCOUNTS, SG_CONTROLS } from './synthetic-estate.js';

async function timings(runs: number, once: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function measureStatusLatency(input: {
  deps: StatusDeps;
  client: DynamoDBClient;
  tableName: string;
  runs: number;
  estate: string;
}): Promise<BenchRow[]> {
  const { deps, client, tableName, runs } = input;
  const bareQuery = await timings(runs, () =>
    client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :open',
        ExpressionAttributeValues: { ':open': { S: 'OPEN' } },
        Limit: 10,
      }),
    ),
  );
  const baselineP95 = percentile(bareQuery, 95);
  const scopes: [string, StatusScope][] = [
    ['all', { kind: 'all' }],
    ['one account', { kind: 'account', accountId: ACCOUNTS[3]! }],
    ['one control', { kind: 'control', controlId: SG_CONTROLS[1]! }],
  ];
  const rows: BenchRow[] = [];
  for (const [label, scope] of scopes) {
    // Report from DynamoDB and its Block Kit rendering: what the user waits for after the ack.
    const p95 = percentile(
      await timings(runs, async () => statusMessage(await buildStatusReport(deps, scope))),
      95,
    );
    rows.push({
      figure: `status p95, ${label} (${input.estate})`,
      goal: '< 200 ms',
      measured: ms(p95),
      baseline: `${ms(baselineP95)} (bare GSI query p95)`,
      ratio: ratio(p95, baselineP95),
      meetsGoal: p95 < 200,
    });
  }
  return rows;
}
