import { GetFindingsCommand, GetFindingsV2Command, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { WebClient } from '@slack/web-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecurityHubV2ExposureSource } from '../../../src/aws/security-hub-v2-exposure-source.js';
import { SecurityHubV2FindingSource } from '../../../src/aws/security-hub-v2-finding-source.js';
import { SecurityHubV2Findings } from '../../../src/aws/security-hub-v2-findings.js';
import { findingSourcesOf } from '../../../src/runtime/finding-sources.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { ExposureRepository } from '../../../src/store/exposure-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { SyncCursorRepository } from '../../../src/store/sync-cursor-repository.js';
import type { SyncDeps } from '../../../src/usecases/sync-findings.js';
import { syncFindings } from '../../../src/usecases/sync-findings.js';
import type { IngestItem } from '../../../src/usecases/ingest-findings.js';
import { makeOcsfExposure, makeOcsfFinding } from '../../fixtures/ocsf.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
const securityHub = mockClient(SecurityHubClient);
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => {
  slack.reset();
  securityHub.reset();
});

const REGION = 'ap-northeast-1';

/** Finding n as GetFindingsV2 returns it: its own uid and group, modified one minute after the previous one. */
function ocsfFinding(n: number): Record<string, unknown> {
  const suffix = String(n).padStart(4, '0');
  const groupId = `sg-0abc1234def56${suffix}`;
  return makeOcsfFinding({
    finding_info: {
      uid: `arn:aws:securityhub:${REGION}:111122223333:security-control/EC2.13/finding/7a6b5c4d-0000-4000-8000-00000000${suffix}`,
      modified_time_dt: `2026-11-02T10:${String(n).padStart(2, '0')}:00.000Z`,
    },
    resources: [
      {
        type: 'AWS::EC2::SecurityGroup',
        uid: groupId,
        uid_alt: `arn:aws:ec2:${REGION}:111122223333:security-group/${groupId}`,
        region: REGION,
      },
    ],
  });
}

/** Exposure n as GetFindingsV2 returns it: its own uid and instance, modified one minute after the previous one. */
function ocsfExposure(n: number): Record<string, unknown> {
  const suffix = String(n).padStart(4, '0');
  const instanceId = `i-0abc1234def56${suffix}`;
  return makeOcsfExposure({
    finding_info: {
      uid: `arn:aws:securityhub:${REGION}:111122223333:exposure/0b7d4e2a-91c3-4f58-a6e0-d2c8b5f1${suffix}`,
      modified_time_dt: `2026-11-02T11:${String(n).padStart(2, '0')}:00.000Z`,
    },
    resources: [
      {
        type: 'AWS::EC2::Instance',
        uid: instanceId,
        uid_alt: `arn:aws:ec2:${REGION}:111122223333:instance/${instanceId}`,
        region: REGION,
      },
    ],
  });
}

/** What a page of items is, in one word each: the exposed instance, or why it was skipped. */
const described = (items: readonly IngestItem[]) =>
  items.map((item) =>
    !item.ok ? item.reason : 'exposure' in item ? item.exposure.resources[0]?.shortId : item.finding.id,
  );

async function syncDeps(): Promise<SyncDeps> {
  const table = await dynamo.freshTable();
  const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  return {
    findings: new FindingRepository(table),
    exposures: new ExposureRepository(table),
    cursors: new SyncCursorRepository(table),
    messenger: new SlackFindingMessenger(new SlackSender(client, { minIntervalPerChannelMs: 0 })),
    source: new SecurityHubV2FindingSource(
      new SecurityHubV2Findings(new SecurityHubClient({ region: REGION })),
      'HIGH',
    ),
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log: recordingLog(),
  };
}

/** GetFindingsV2 inputs as sent (the paginator reuses its input object, so each is copied when it is sent). */
function answering(pages: readonly { Findings: unknown[]; NextToken?: string }[]): Record<string, unknown>[] {
  const inputs: Record<string, unknown>[] = [];
  securityHub.on(GetFindingsV2Command).callsFake((input: Record<string, unknown>) => {
    inputs.push(structuredClone(input));
    const page = pages[inputs.length - 1];
    if (!page) throw new Error('no more pages scripted');
    return page;
  });
  return inputs;
}

const dateFilterOf = (input: Record<string, unknown> | undefined) =>
  JSON.stringify((input?.['Filters'] as { CompositeFilters: unknown[] }).CompositeFilters[0]);

describe('syncFindings through GetFindingsV2 (the newer Security Hub)', () => {
  it('backfills every page of open failing compliance findings, then resumes from the newest modification', async () => {
    const deps = await syncDeps();
    const first = answering([
      { Findings: [ocsfFinding(1), ocsfFinding(2)], NextToken: 'page-2' },
      { Findings: [ocsfFinding(3)] },
    ]);

    const report = await syncFindings(deps, { region: REGION, format: 'ocsf' });

    expect(report).toMatchObject({ format: 'ocsf', pages: 2, counts: { alerted: 3 } });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(3);
    expect(dateFilterOf(first[0])).toContain('"FieldName":"status_id","Filter":{"Gte":1,"Lte":2}');
    expect(dateFilterOf(first[0])).not.toContain('modified_time_dt');
    expect(first.map((input) => input['NextToken'])).toEqual([undefined, 'page-2']);

    // The next run asks only for what changed since the newest modification it stored, and re-posts nothing.
    securityHub.reset();
    const next = answering([{ Findings: [ocsfFinding(3), ocsfFinding(4)] }]);
    const resumed = await syncFindings(deps, { region: REGION, format: 'ocsf' });

    expect(resumed).toMatchObject({
      resumedFrom: '2026-11-02T10:03:00.000Z',
      counts: { alerted: 1, unchanged: 1 },
    });
    expect(dateFilterOf(next[0])).toContain(
      '"FieldName":"finding_info.modified_time_dt","Filter":{"Start":"2026-11-02T10:03:00.000Z"',
    );
    expect(slack.callsOf('chat.postMessage')).toHaveLength(4);
  });

  it('keeps its cursor apart from the Security Hub CSPM sync of the same region', async () => {
    const deps = await syncDeps();
    answering([{ Findings: [ocsfFinding(5)] }]);
    await syncFindings(deps, { region: REGION, format: 'ocsf' });

    expect(await deps.cursors.get(`${REGION}#ocsf`)).toMatchObject({
      updatedSince: '2026-11-02T10:05:00.000Z',
    });
    expect(await deps.cursors.get(REGION)).toBeUndefined();
  });

  it('skips a malformed finding with its reason and goes on with the page', async () => {
    const deps = await syncDeps();
    answering([{ Findings: [{ class_uid: 2003, finding_info: { uid: 'x' } }, ocsfFinding(6)] }]);

    const report = await syncFindings(deps, { region: REGION, format: 'ocsf' });

    expect(report.counts).toMatchObject({ malformed: 1, alerted: 1 });
  });
});

describe('SecurityHubV2ExposureSource: exposure findings through GetFindingsV2', () => {
  const exposureSource = () =>
    new SecurityHubV2ExposureSource(new SecurityHubV2Findings(new SecurityHubClient({ region: REGION })));
  const pagesRead = async (modifiedSince: string | undefined) => {
    const pages: (string | undefined)[][] = [];
    for await (const page of exposureSource().pages(modifiedSince)) pages.push(described(page));
    return pages;
  };
  const filtersOf = (input: Record<string, unknown> | undefined) =>
    (input?.['Filters'] as { CompositeFilters: unknown[] }).CompositeFilters[0];

  it('pages the exposures open now, every severity, oldest modification first, each page read as exposures', async () => {
    const inputs = answering([
      { Findings: [ocsfExposure(1), ocsfExposure(2)], NextToken: 'page-2' },
      { Findings: [ocsfExposure(3)] },
    ]);

    expect(await pagesRead(undefined)).toEqual([
      ['i-0abc1234def560001', 'i-0abc1234def560002'],
      ['i-0abc1234def560003'],
    ]);
    expect(inputs.map((input) => input['NextToken'])).toEqual([undefined, 'page-2']);
    expect(inputs[0]).toMatchObject({
      SortCriteria: [{ Field: 'finding_info.modified_time_dt', SortOrder: 'asc' }],
      MaxResults: 100,
    });
    expect(filtersOf(inputs[0])).toEqual({
      Operator: 'AND',
      StringFilters: [
        { FieldName: 'class_name', Filter: { Value: 'Detection Finding', Comparison: 'EQUALS' } },
        { FieldName: 'finding_info.analytic.name', Filter: { Value: 'Exposure', Comparison: 'EQUALS' } },
      ],
      NumberFilters: [{ FieldName: 'status_id', Filter: { Gte: 1, Lte: 2 } }],
    });
  });

  it('resumed, asks for every exposure modified since the cursor, whatever its status', async () => {
    const inputs = answering([{ Findings: [ocsfExposure(4)] }]);

    expect(await pagesRead('2026-11-02T11:03:00.000Z')).toEqual([['i-0abc1234def560004']]);

    expect(filtersOf(inputs[0])).toEqual({
      Operator: 'AND',
      StringFilters: expect.arrayContaining([
        { FieldName: 'finding_info.analytic.name', Filter: { Value: 'Exposure', Comparison: 'EQUALS' } },
      ]),
      DateFilters: [
        {
          FieldName: 'finding_info.modified_time_dt',
          Filter: { Start: '2026-11-02T11:03:00.000Z', End: '9999-12-31T23:59:59Z' },
        },
      ],
    });
  });

  it('syncs every page, keeps its own cursor at the newest modification and resumes from it', async () => {
    const deps = { ...(await syncDeps()), source: exposureSource() };
    answering([
      { Findings: [ocsfExposure(1), ocsfExposure(2)], NextToken: 'page-2' },
      { Findings: [ocsfExposure(3)] },
    ]);

    const report = await syncFindings(deps, { region: REGION, format: 'exposure' });

    expect(report).toMatchObject({ region: REGION, format: 'exposure', pages: 2 });
    expect(report).not.toHaveProperty('resumedFrom');
    expect(await deps.cursors.get(`${REGION}#exposure`)).toMatchObject({
      updatedSince: '2026-11-02T11:03:00.000Z',
    });
    // The compliance findings of either Security Hub keep their own cursors.
    expect(await deps.cursors.get(`${REGION}#ocsf`)).toBeUndefined();
    expect(await deps.cursors.get(REGION)).toBeUndefined();

    securityHub.reset();
    const next = answering([{ Findings: [ocsfExposure(3), ocsfExposure(4)] }]);
    const resumed = await syncFindings(deps, { region: REGION, format: 'exposure' });

    expect(resumed).toMatchObject({ resumedFrom: '2026-11-02T11:03:00.000Z', pages: 1 });
    expect(dateFilterOf(next[0])).toContain(
      '"FieldName":"finding_info.modified_time_dt","Filter":{"Start":"2026-11-02T11:03:00.000Z"',
    );
    expect(await deps.cursors.get(`${REGION}#exposure`)).toMatchObject({
      updatedSince: '2026-11-02T11:04:00.000Z',
    });
  });

  it('skips a malformed exposure with its reason and goes on with the page', async () => {
    const deps = { ...(await syncDeps()), source: exposureSource() };
    answering([{ Findings: [makeOcsfExposure({ resources: [] }), ocsfExposure(6)] }]);

    const report = await syncFindings(deps, { region: REGION, format: 'exposure' });

    expect(report.counts).toMatchObject({ malformed: 1, enriched: 1 });
    expect(await deps.cursors.get(`${REGION}#exposure`)).toMatchObject({
      updatedSince: '2026-11-02T11:06:00.000Z',
    });
  });
});

describe('findingSourcesOf: what the sync reads per CSPM_FINDINGS_FORMAT', () => {
  it.each([
    ['asff', ['asff']],
    ['ocsf', ['ocsf', 'exposure']],
    ['both', ['asff', 'ocsf', 'exposure']],
  ] as const)('%s pages %j', async (format, expected) => {
    const sources = findingSourcesOf(format, REGION, 'HIGH', new SecurityHubClient({ region: REGION }));
    expect(sources.map((source) => source.format)).toEqual(expected);
    securityHub.on(GetFindingsCommand).resolves({ Findings: [] });
    securityHub.on(GetFindingsV2Command).resolves({ Findings: [] });
    for (const { source } of sources)
      for await (const page of source.pages(undefined)) expect(page).toEqual([]);
    expect(securityHub.commandCalls(GetFindingsCommand)).toHaveLength(format === 'ocsf' ? 0 : 1);
    // The newer Security Hub is asked twice: its compliance findings, then its exposure findings.
    expect(securityHub.commandCalls(GetFindingsV2Command)).toHaveLength(format === 'asff' ? 0 : 2);
  });
});
