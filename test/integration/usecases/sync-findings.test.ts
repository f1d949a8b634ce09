import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { WebClient } from '@slack/web-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecurityHubFindings } from '../../../src/aws/security-hub-findings.js';
import { SecurityHubFindingSource } from '../../../src/aws/security-hub-finding-source.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { SyncCursorRepository } from '../../../src/store/sync-cursor-repository.js';
import { syncFindings } from '../../../src/usecases/sync-findings.js';
import type { SyncDeps } from '../../../src/usecases/sync-findings.js';
import { makeAsffFinding } from '../../fixtures/asff.js';
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

/** Finding n of an estate, as GetFindings returns it: its own id, updated one minute after the previous one. */
function asffFinding(n: number, overrides: Record<string, unknown> = {}): AwsSecurityFinding {
  const suffix = String(n).padStart(4, '0');
  const minute = String(n % 60).padStart(2, '0');
  return makeAsffFinding({
    Id: `arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e3f4${suffix}`,
    UpdatedAt: `2026-11-02T10:${minute}:00.000Z`,
    ...overrides,
  }) as unknown as AwsSecurityFinding;
}

async function syncDeps(): Promise<SyncDeps> {
  const table = await dynamo.freshTable();
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  return {
    findings: new FindingRepository(table),
    cursors: new SyncCursorRepository(table),
    messenger: new SlackFindingMessenger(new SlackSender(client, { minIntervalPerChannelMs: 0 })),
    source: new SecurityHubFindingSource(
      new SecurityHubFindings(new SecurityHubClient({ region: 'ap-northeast-1' })),
      'HIGH',
    ),
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log: recordingLog(),
  };
}

describe('syncFindings', () => {
  it('ingests every page of GetFindings and remembers where it got to', async () => {
    // Prepare: 3 pages of 2 findings
    const deps = await syncDeps();
    securityHub
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [asffFinding(1), asffFinding(2)], NextToken: 'page-2' })
      .resolvesOnce({ Findings: [asffFinding(3), asffFinding(4)], NextToken: 'page-3' })
      .resolvesOnce({ Findings: [asffFinding(5), asffFinding(6)] });
    const pagesSeen: number[] = [];

    // Act
    const report = await syncFindings(deps, {
      region: 'ap-northeast-1',
      onPage: (page) => pagesSeen.push(page),
    });

    // Assess
    expect(report).toMatchObject({ pages: 3, counts: { alerted: 6 } });
    expect(pagesSeen).toEqual([1, 2, 3]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(6);
    expect(await deps.cursors.get('ap-northeast-1')).toMatchObject({
      updatedSince: '2026-11-02T10:06:00.000Z',
    });
    const calls = securityHub.commandCalls(GetFindingsCommand);
    // (The SDK paginator reuses one input object, so recorded NextTokens all read as the last one.)
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toMatchObject({
      MaxResults: 100,
      SortCriteria: [{ Field: 'UpdatedAt', SortOrder: 'asc' }],
      Filters: { RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] },
    });
  });

  it('resumes from its cursor after an interruption without posting anything twice', async () => {
    // Prepare: the first run dies on page 2 (e.g. the Lambda timed out)
    const deps = await syncDeps();
    securityHub
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [asffFinding(1), asffFinding(2)], NextToken: 'page-2' })
      .rejectsOnce(new Error('Task timed out'));
    await expect(syncFindings(deps, { region: 'ap-northeast-1' })).rejects.toThrow('Task timed out');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);

    // Act: the next run starts at the cursor; Security Hub returns the boundary finding again plus the rest
    securityHub.reset();
    securityHub
      .on(GetFindingsCommand)
      .resolves({ Findings: [asffFinding(2), asffFinding(3), asffFinding(4)] });
    const resumed = await syncFindings(deps, { region: 'ap-northeast-1' });

    // Assess
    expect(resumed).toMatchObject({
      resumedFrom: '2026-11-02T10:02:00.000Z',
      counts: { alerted: 2, unchanged: 1 },
    });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(4);
    const filters = securityHub.commandCalls(GetFindingsCommand)[0]?.args[0].input.Filters;
    expect(filters?.UpdatedAt).toEqual([{ Start: '2026-11-02T10:02:00.000Z', End: '9999-12-31T23:59:59Z' }]);
    // Incremental syncs also see findings resolved in Security Hub, so their messages can be updated.
    expect(filters?.WorkflowStatus).toBeUndefined();
  });

  it('updates the message of a finding resolved in Security Hub between two syncs', async () => {
    const deps = await syncDeps();
    securityHub.on(GetFindingsCommand).resolvesOnce({ Findings: [asffFinding(1)] });
    await syncFindings(deps, { region: 'ap-northeast-1' });

    securityHub.reset();
    securityHub.on(GetFindingsCommand).resolvesOnce({
      Findings: [asffFinding(1, { Workflow: { Status: 'RESOLVED' }, UpdatedAt: '2026-11-02T12:00:00.000Z' })],
    });
    const report = await syncFindings(deps, { region: 'ap-northeast-1' });

    expect(report.counts).toMatchObject({ updated: 1, alerted: 0 });
    expect(slack.callsOf('chat.update')).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});
