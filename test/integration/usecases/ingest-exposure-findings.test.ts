import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import type { NormalizeResult } from '../../../src/aws/asff-finding.js';
import type { Finding } from '../../../src/domain/finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { NetworkReach } from '../../../src/domain/reachability.js';
import type { ExposureFinding } from '../../../src/domain/security-hub-exposure.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { ExposureRepository } from '../../../src/store/exposure-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import type { IngestDeps, IngestItem } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { EXPOSED_INSTANCE_ID, EXPOSED_INSTANCE_INTERFACE, makeExposure } from '../../fixtures/exposure.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

// Exposure findings of the newer Security Hub (CSPM_FINDINGS_FORMAT=ocsf or both): stored, never posted, shown on
// the messages of the control findings they concern, in either arrival order.

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

async function exposureDeps(reach?: NetworkReach): Promise<IngestDeps> {
  const table = await dynamo.freshTable();
  const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  return {
    findings: new FindingRepository(table),
    exposures: new ExposureRepository(table),
    messenger: new SlackFindingMessenger(
      new SlackSender(client, { minIntervalPerChannelMs: 0, maxWaitMs: 5_000 }),
    ),
    // The bot's own check: the finding's rules, and the reach this test says EC2 would show.
    ...(reach && {
      inspector: {
        inspect: async (finding: Finding) => ({
          ingressRules:
            finding.details.kind === 'security-group' ? [...(finding.details.ingressRules ?? [])] : [],
          reach,
        }),
      },
    }),
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log: recordingLog(),
  };
}

const groupFinding = (): NormalizeResult => normalizeAsffFinding(loadAsffFixture('ec2.13-ssh-ipv4'));
const exposureItem = (overrides: Partial<ExposureFinding> = {}): IngestItem => ({
  ok: true,
  exposure: makeExposure(overrides),
});

function keyOf(result: NormalizeResult): string {
  if (!result.ok) throw new Error(result.reason);
  return findingKeyOf(result.finding);
}

/** Every message the fake Slack got (posts and updates), as one JSON text each, in order. */
function messages(): string[] {
  return [...slack.callsOf('chat.postMessage'), ...slack.callsOf('chat.update')].map((call) =>
    JSON.stringify(call.body['blocks']),
  );
}

const SECURITY_HUB_LINE = `Reachable from the internet on tcp/22 per Security Hub exposure analysis of \`${EXPOSED_INSTANCE_ID}\``;

describe('an exposure finding enriches the findings it concerns', () => {
  it('finding first, then its exposure: the message is updated with Security Hub’s line', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [groupFinding()]);
    const report = await ingestFindings(deps, [exposureItem()]);

    expect(report.outcomes).toEqual([
      { kind: 'enriched', exposureId: makeExposure().id, findingIds: [keyOf(groupFinding())] },
    ]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(slack.callsOf('chat.update')).toHaveLength(1);
    expect(messages().at(-1)).toContain(SECURITY_HUB_LINE);
    const stored = await deps.findings.get(keyOf(groupFinding()));
    expect(stored?.securityHubExposure).toMatchObject({ exposureId: makeExposure().id, reachable: true });
  });

  it('exposure first, then the finding: the first post already carries the line', async () => {
    const deps = await exposureDeps();
    const first = await ingestFindings(deps, [exposureItem()]);
    expect(first.outcomes).toEqual([{ kind: 'enriched', exposureId: makeExposure().id, findingIds: [] }]);
    expect(messages()).toEqual([]);

    await ingestFindings(deps, [groupFinding()]);

    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(messages()[0]).toContain(SECURITY_HUB_LINE);
  });

  it.each([
    ['exposure then finding', () => [exposureItem(), groupFinding()]],
    ['finding then exposure', () => [groupFinding(), exposureItem()]],
  ] as const)('in one batch (%s): one message, with the line', async (_order, items) => {
    const deps = await exposureDeps();
    await ingestFindings(deps, items());
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(messages().at(-1)).toContain(SECURITY_HUB_LINE);
  });

  it('an older update of the exposure arriving late changes nothing', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [groupFinding(), exposureItem({ updatedAt: '2026-11-22T09:30:00.000Z' })]);
    slack.reset();

    const late = await ingestFindings(deps, [
      exposureItem({ reachable: false, traits: ['Vulnerability'], updatedAt: '2026-11-22T09:00:00.000Z' }),
    ]);

    expect(late.outcomes).toEqual([{ kind: 'unchanged', findingId: makeExposure().id }]);
    expect(messages()).toEqual([]);
  });

  it('the same exposure again changes no message', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [groupFinding(), exposureItem()]);
    slack.reset();
    const again = await ingestFindings(deps, [exposureItem()]);
    expect(again.outcomes).toEqual([{ kind: 'enriched', exposureId: makeExposure().id, findingIds: [] }]);
    expect(messages()).toEqual([]);
  });

  it('an exposure that no longer names the finding leaves its message', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [groupFinding(), exposureItem()]);
    await ingestFindings(deps, [
      exposureItem({
        contributingFindingIds: [],
        contributingResourceIds: [],
        updatedAt: '2026-11-22T09:45:00.000Z',
      }),
    ]);
    expect(messages().at(-1)).not.toContain('Security Hub exposure analysis');
    expect((await deps.findings.get(keyOf(groupFinding())))?.securityHubExposure).toBeUndefined();
  });

  it('a reachable exposure is not replaced by another, weaker one of the same group', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [groupFinding(), exposureItem()]);
    const otherInstance = exposureItem({
      id: 'arn:aws:securityhub:ap-northeast-1:111122223333:exposure/other-instance',
      resources: [{ id: 'i-0fff1234def567891', shortId: 'i-0fff1234def567891', type: 'AwsEc2Instance' }],
      reachable: false,
      reachablePorts: [],
      traits: ['Vulnerability'],
    });
    await ingestFindings(deps, [otherInstance]);
    expect((await deps.findings.get(keyOf(groupFinding())))?.securityHubExposure).toMatchObject({
      exposureId: makeExposure().id,
      reachable: true,
    });
  });

  it('without the newer Security Hub read, an exposure is refused in words', async () => {
    const { exposures: _none, ...deps } = await exposureDeps();
    const report = await ingestFindings(deps, [exposureItem()]);
    expect(report.outcomes[0]).toMatchObject({
      kind: 'malformed',
      reason: expect.stringContaining('CSPM_FINDINGS_FORMAT=ocsf or both'),
    });
  });
});

describe('when Security Hub and the bot’s own check disagree, the message says so', () => {
  it('Security Hub finds a path; the bot finds private subnets only', async () => {
    const deps = await exposureDeps({ kind: 'private', attachments: 1 });
    await ingestFindings(deps, [groupFinding(), exposureItem()]);
    const message = messages().at(-1);
    expect(message).toContain(SECURITY_HUB_LINE);
    expect(message).toContain('The two checks disagree');
    expect(message).toContain('finds no path from the internet today (private subnets only)');
  });

  it('the bot finds a path; Security Hub resolved its exposure', async () => {
    const deps = await exposureDeps({ kind: 'internet', via: [EXPOSED_INSTANCE_INTERFACE] });
    await ingestFindings(deps, [groupFinding(), exposureItem()]);
    expect(messages().at(-1)).not.toContain('disagree');

    await ingestFindings(deps, [exposureItem({ open: false, updatedAt: '2026-11-22T09:50:00.000Z' })]);

    const message = messages().at(-1);
    expect(message).toContain(
      `Security Hub exposure analysis no longer reports \`${EXPOSED_INSTANCE_ID}\` as exposed`,
    );
    expect(message).toContain('finds it reachable from the internet on tcp/22 now');
  });
});

describe('a burst of exposure findings in one batch', () => {
  const exposureOfInstance = (n: number, overrides: Partial<ExposureFinding> = {}) =>
    exposureItem({
      id: `arn:aws:securityhub:ap-northeast-1:111122223333:exposure/instance-${n}`,
      resources: [{ id: `i-0000000000000${n}`, shortId: `i-0000000000000${n}`, type: 'AwsEc2Instance' }],
      ...overrides,
    });

  it('reads the account’s open findings once, not once per exposure', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [groupFinding()]);
    const reads = vi.spyOn(FindingRepository.prototype, 'openFindings');

    const burst = Array.from({ length: 20 }, (_, n) =>
      exposureOfInstance(
        n + 10,
        n === 7 ? {} : { reachable: false, reachablePorts: [], traits: ['Vulnerability'] },
      ),
    );
    const report = await ingestFindings(deps, burst);

    expect(report.counts.enriched).toBe(20);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    expect((await deps.findings.get(keyOf(groupFinding())))?.securityHubExposure).toMatchObject({
      exposureId: 'arn:aws:securityhub:ap-northeast-1:111122223333:exposure/instance-17',
      reachable: true,
    });
  });

  it('an exposure updated twice in one batch ends as its last update says', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [groupFinding()]);
    await ingestFindings(deps, [
      exposureItem({ updatedAt: '2026-11-22T09:10:00.000Z' }),
      exposureItem({
        contributingFindingIds: [],
        contributingResourceIds: [],
        updatedAt: '2026-11-22T09:20:00.000Z',
      }),
    ]);
    expect((await deps.findings.get(keyOf(groupFinding())))?.securityHubExposure).toBeUndefined();
  });

  it('a finding stored earlier in the same batch is seen by the exposures after it', async () => {
    const deps = await exposureDeps();
    await ingestFindings(deps, [
      exposureOfInstance(1, { contributingFindingIds: [], contributingResourceIds: [] }),
    ]);
    await ingestFindings(deps, [
      exposureOfInstance(2, { contributingFindingIds: [], contributingResourceIds: [] }),
      groupFinding(),
      exposureItem(),
    ]);
    expect((await deps.findings.get(keyOf(groupFinding())))?.securityHubExposure).toMatchObject({
      exposureId: makeExposure().id,
    });
  });
});
