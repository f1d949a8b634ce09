import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { normalizeOcsfFinding } from '../../../src/aws/ocsf-finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { NormalizeResult } from '../../../src/aws/asff-finding.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { SameFindingRepository } from '../../../src/store/same-finding-repository.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { loadOcsfFixture } from '../../fixtures/ocsf.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

async function bothHubsDeps(): Promise<IngestDeps> {
  const table = await dynamo.freshTable();
  const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  return {
    findings: new FindingRepository(table),
    sameFindings: new SameFindingRepository(table),
    messenger: new SlackFindingMessenger(
      new SlackSender(client, { minIntervalPerChannelMs: 0, maxWaitMs: 5_000 }),
    ),
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log: recordingLog(),
  };
}

const asff = (): NormalizeResult => normalizeAsffFinding(loadAsffFixture('ec2.13-ssh-ipv4'));
/** The same finding as the newer Security Hub publishes it, with an id of its own (matched by control + resource). */
const ocsf = (
  uid = 'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/9d8c7b6a-0001',
): NormalizeResult => {
  const raw = loadOcsfFixture('ec2.13-ssh-ipv4');
  (raw['finding_info'] as Record<string, unknown>)['uid'] = uid;
  return normalizeOcsfFinding(raw);
};

function refOf(result: NormalizeResult): { id: string; productArn: string } {
  if (!result.ok) throw new Error(result.reason);
  return { id: result.finding.id, productArn: result.finding.productArn };
}

function keyOf(result: NormalizeResult): string {
  if (!result.ok) throw new Error(result.reason);
  return findingKeyOf(result.finding);
}

describe('a finding both Security Hubs publish (CSPM_FINDINGS_FORMAT=both)', () => {
  it.each([
    ['ASFF then OCSF', [asff, ocsf]],
    ['OCSF then ASFF', [ocsf, asff]],
  ] as const)(
    '%s: one stored finding, one message, the second copy recorded for decisions',
    async (_order, [first, second]) => {
      const deps = await bothHubsDeps();

      const firstReport = await ingestFindings(deps, [first()]);
      const secondReport = await ingestFindings(deps, [second()]);

      expect(firstReport.counts).toMatchObject({ alerted: 1 });
      expect(secondReport.counts).toMatchObject({ alerted: 0, unchanged: 1 });
      expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
      const stored = await deps.findings.get(keyOf(first()));
      expect(stored?.finding).toMatchObject({ ...refOf(first()), counterpart: refOf(second()) });
    },
  );

  it('in one batch: one finding and one message', async () => {
    const deps = await bothHubsDeps();
    await ingestFindings(deps, [asff(), ocsf()]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('in two batches at once (two Lambdas): one finding and one message', async () => {
    const deps = await bothHubsDeps();
    await Promise.all([ingestFindings(deps, [ocsf()]), ingestFindings(deps, [asff()])]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('keeps the counterpart when the first copy is delivered again with a change', async () => {
    const deps = await bothHubsDeps();
    await ingestFindings(deps, [asff(), ocsf()]);
    const later = loadAsffFixture('ec2.13-ssh-ipv4');
    later['UpdatedAt'] = '2026-11-03T09:15:00.000Z';
    later['Workflow'] = { Status: 'NOTIFIED' };
    await ingestFindings(deps, [normalizeAsffFinding(later)]);

    const stored = await deps.findings.get(keyOf(asff()));
    expect(stored?.finding).toMatchObject({ workflowStatus: 'NOTIFIED', counterpart: refOf(ocsf()) });
  });

  it('never matches copies of different resources, controls or accounts', async () => {
    const deps = await bothHubsDeps();
    const otherGroup = loadOcsfFixture('ec2.13-ssh-ipv4');
    const resource = (otherGroup['resources'] as Record<string, unknown>[])[0]!;
    resource['uid'] = 'sg-0fff1234def567890';
    resource['uid_alt'] = 'arn:aws:ec2:ap-northeast-1:111122223333:security-group/sg-0fff1234def567890';

    await ingestFindings(deps, [asff(), normalizeOcsfFinding(otherGroup)]);

    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });
});
