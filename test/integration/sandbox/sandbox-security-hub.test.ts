import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingsFromImportedEvent, normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { HomeRegionWorkflow } from '../../../src/aws/security-hub-workflow.js';
import { SecurityHubFindingSource } from '../../../src/aws/security-hub-finding-source.js';
import { SecurityHubFindings } from '../../../src/aws/security-hub-findings.js';
import { controlSpec } from '../../../src/domain/control-catalog.js';
import type { Finding } from '../../../src/domain/finding.js';
import { isOpen } from '../../../src/domain/finding.js';
import { isAtLeast } from '../../../src/domain/severity.js';
import { planRemediation } from '../../../src/domain/remediation-plan.js';
import type { FindingsImportedEvent, SandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { SANDBOX_STATE_FILE, createSandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { allSampleFindings } from '../../fixtures/asff.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

const SSH_FINDING =
  'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e3f40001';
const PRODUCT_ARN = 'arn:aws:securityhub:ap-northeast-1::product/aws/securityhub';
const PLAN_OPTIONS = { imdsHopLimit: 2 };

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());

function normalized(raw: unknown): Finding {
  const item = normalizeAsffFinding(raw);
  if (!item.ok) throw new Error(`did not normalize: ${item.reason}`);
  return item.finding;
}

describe('the sandbox account', () => {
  let dataDir: string;
  let clock: ReturnType<typeof fixedClock>;
  let sandbox: SandboxAccount;
  let events: FindingsImportedEvent[];

  beforeEach(async () => {
    slack.reset();
    dataDir = await mkdtemp(join(tmpdir(), 'cspm-sandbox-'));
    clock = fixedClock('2026-11-30T10:00:00Z');
    sandbox = await createSandboxAccount({ dataDir, clock, reset: true });
    events = [];
    sandbox.events.on('findings-imported', (event) => events.push(event));
  });

  afterEach(async () => {
    await sandbox.saved();
    await rm(dataDir, { recursive: true, force: true });
  });

  const workflow = () => new HomeRegionWorkflow(sandbox.accountClients(), 'ap-northeast-1');
  const sshFinding = () => sandbox.securityHubFindings().find((finding) => finding.id === SSH_FINDING)!;

  it('shows a workflow update from the bot in its Security Hub: status, note history and a newer UpdatedAt', async () => {
    clock.set('2026-11-30T10:05:00Z');
    const result = await workflow().updateWorkflow([
      {
        ref: { id: SSH_FINDING, productArn: PRODUCT_ARN },
        status: 'NOTIFIED',
        note: { text: 'Posted to #security', updatedBy: 'cspm-bot' },
      },
      {
        ref: {
          id: 'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/gone',
          productArn: PRODUCT_ARN,
        },
        status: 'NOTIFIED',
        note: { text: 'Posted to #security', updatedBy: 'cspm-bot' },
      },
    ]);
    clock.set('2026-11-30T10:06:00Z');
    await workflow().updateWorkflow([
      {
        ref: { id: SSH_FINDING, productArn: PRODUCT_ARN },
        status: 'RESOLVED',
        note: { text: 'Remediated by U0ALICE', updatedBy: 'cspm-bot' },
      },
    ]);

    expect(result.processed).toEqual([{ id: SSH_FINDING, productArn: PRODUCT_ARN }]);
    expect(result.unprocessed).toMatchObject([{ errorCode: 'FindingNotFound' }]);
    expect(sshFinding()).toMatchObject({
      workflowStatus: 'RESOLVED',
      complianceStatus: 'FAILED',
      updatedAt: '2026-11-30T10:06:00.000Z',
      notes: [
        { text: 'Posted to #security', workflowStatus: 'NOTIFIED', updatedAt: '2026-11-30T10:05:00.000Z' },
        { text: 'Remediated by U0ALICE', workflowStatus: 'RESOLVED', updatedAt: '2026-11-30T10:06:00.000Z' },
      ],
    });
    expect(sandbox.securityHubFindings()[0]?.id).toBe(SSH_FINDING);
    expect(events.map((event) => [event['detail-type'], event.detail.findings[0]?.['Workflow']])).toEqual([
      ['Security Hub Findings - Imported', { Status: 'NOTIFIED' }],
      ['Security Hub Findings - Imported', { Status: 'RESOLVED' }],
    ]);
  });

  it('labels itself a sandbox and says where it is kept and which executor it needs', () => {
    expect(sandbox.describe()).toBe(
      `sandbox account (no AWS credentials): 2 accounts, 3 regions, ${allSampleFindings().length} findings, kept in ` +
        `${join(dataDir, SANDBOX_STATE_FILE)}; remediation runs with the direct executor (SSM Automation is not emulated)`,
    );
  });

  it('resolves a finding when Security Hub’s next check passes, and re-opens it when the control fails again', async () => {
    clock.set('2026-11-30T11:00:00Z');
    await sandbox.simulate.passControl(SSH_FINDING);
    expect(sshFinding()).toMatchObject({
      workflowStatus: 'RESOLVED',
      complianceStatus: 'PASSED',
      updatedAt: '2026-11-30T11:00:00.000Z',
    });
    clock.set('2026-11-30T12:00:00Z');
    await sandbox.simulate.failAgain(SSH_FINDING);
    expect(sshFinding()).toMatchObject({
      workflowStatus: 'NEW',
      complianceStatus: 'FAILED',
      updatedAt: '2026-11-30T12:00:00.000Z',
    });
    expect(events.map((event) => event.detail.findings[0]?.['Compliance'])).toMatchObject([
      { Status: 'PASSED' },
      { Status: 'FAILED' },
    ]);
  });

  it('keeps what was changed across a restart, and a reset starts again from the samples', async () => {
    const clients = sandbox.accountClients();
    const finding = normalized(sandbox.finding(SSH_FINDING));
    const outcome = planRemediation(
      finding,
      controlSpec('EC2.13')!,
      await new AwsResourceStateReader(clients).read(finding),
      PLAN_OPTIONS,
    );
    if (outcome.kind !== 'plan') throw new Error('expected a plan');
    await new DirectRemediator(clients).execute(outcome.plan, { findingId: 'f', decisionId: 'd' });
    await workflow().updateWorkflow([
      {
        ref: { id: SSH_FINDING, productArn: PRODUCT_ARN },
        status: 'RESOLVED',
        note: { text: 'Remediated', updatedBy: 'cspm-bot' },
      },
    ]);
    await sandbox.simulate.advanceClock({ days: 3 });

    const reopened = await createSandboxAccount({ dataDir, clock });
    const readAgain = await new AwsResourceStateReader(reopened.accountClients()).read(finding);
    expect(planRemediation(finding, controlSpec('EC2.13')!, readAgain, PLAN_OPTIONS).kind).toBe(
      'already-fixed',
    );
    expect(reopened.securityHubFindings().find((view) => view.id === SSH_FINDING)).toMatchObject({
      workflowStatus: 'RESOLVED',
      notes: [{ text: 'Remediated' }],
    });
    expect(reopened.clock.now().toISO()).toBe('2026-12-03T10:00:00.000Z');
    expect(JSON.parse(await readFile(join(dataDir, SANDBOX_STATE_FILE), 'utf8'))).toHaveProperty(
      'version',
      1,
    );

    const fresh = await createSandboxAccount({ dataDir, clock, reset: true });
    const readFresh = await new AwsResourceStateReader(fresh.accountClients()).read(finding);
    expect(planRemediation(finding, controlSpec('EC2.13')!, readFresh, PLAN_OPTIONS).kind).toBe('plan');
    expect(fresh.securityHubFindings().find((view) => view.id === SSH_FINDING)).toMatchObject({
      workflowStatus: 'NEW',
      notes: [],
    });
    expect(fresh.clock.now().toISO()).toBe('2026-11-30T10:00:00.000Z');
  });

  it('bursts 200 new findings that normalize cleanly, each on its own new group the bot can remediate', async () => {
    const burst = await sandbox.simulate.burst(200);

    const findings = burst.map(normalized);
    expect(new Set(findings.map((finding) => finding.id)).size).toBe(200);
    expect(new Set(findings.map((finding) => finding.resource.shortId)).size).toBe(200);
    expect(
      findings.every((finding) => finding.workflowStatus === 'NEW' && finding.complianceStatus === 'FAILED'),
    ).toBe(true);
    expect(events).toHaveLength(200);

    const reader = new AwsResourceStateReader(sandbox.accountClients());
    for (const finding of [findings[0]!, findings[1]!, findings[199]!]) {
      const current = await reader.read(finding);
      expect(planRemediation(finding, controlSpec(finding.controlId)!, current, PLAN_OPTIONS).kind).toBe(
        'plan',
      );
    }
  });

  it('pages GetFindings for the bot: the backfill of open findings, then what changed since the cursor', async () => {
    await sandbox.simulate.burst(150);
    const source = new SecurityHubFindingSource(
      new SecurityHubFindings(sandbox.securityHubClient('ap-northeast-1'), { region: 'ap-northeast-1' }),
      'HIGH',
    );

    const backfill: number[] = [];
    for await (const page of source.pages(undefined)) backfill.push(page.length);
    const openSamples = allSampleFindings()
      .map(normalized)
      .filter((finding) => isOpen(finding) && isAtLeast(finding.severity, 'HIGH')).length;
    expect(openSamples).toBeGreaterThan(0);
    expect(backfill).toEqual([100, openSamples + 150 - 100]);

    clock.set('2026-11-30T11:00:00Z');
    await sandbox.simulate.newFinding('EC2.8');
    const since: string[] = [];
    for await (const page of source.pages('2026-11-30T10:30:00Z'))
      since.push(
        ...page.map((item) => (item.ok && 'finding' in item ? (item.finding.controlId ?? '') : 'malformed')),
      );
    expect(since).toEqual(['EC2.8']);
  });

  it('re-opens a resolved finding in the bot when the control fails again', async () => {
    const table = await dynamo.freshTable();
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const deps: IngestDeps = {
      findings: new FindingRepository(table),
      messenger: new SlackFindingMessenger(new SlackSender(client, { minIntervalPerChannelMs: 0 })),
      routing: { rules: [], defaultChannel: 'C0FINDINGS' },
      severityThreshold: 'HIGH',
      clock,
      log: recordingLog(),
    };
    const ingestLatest = async () => ingestFindings(deps, findingsFromImportedEvent(events.at(-1)).findings);
    await ingestFindings(deps, [normalizeAsffFinding(sandbox.finding(SSH_FINDING))]);

    clock.set('2026-11-30T10:10:00Z');
    await workflow().updateWorkflow([
      {
        ref: { id: SSH_FINDING, productArn: PRODUCT_ARN },
        status: 'RESOLVED',
        note: { text: 'Remediated', updatedBy: 'cspm-bot' },
      },
    ]);
    await ingestLatest();

    clock.set('2026-11-30T12:00:00Z');
    const failed = await sandbox.simulate.failAgain(SSH_FINDING);
    const report = await ingestLatest();

    expect(failed).toMatchObject({
      Workflow: { Status: 'NEW' },
      Compliance: { Status: 'FAILED' },
      UpdatedAt: '2026-11-30T12:00:00.000Z',
    });
    const outcome = report.outcomes[0];
    expect(outcome?.kind).toBe('updated');
    const record = await deps.findings.get((outcome as { findingId: string }).findingId);
    expect(record).toMatchObject({ reopenedAt: expect.any(String), finding: { workflowStatus: 'NEW' } });

    // The rule the finding names is back in the group, so Remediate has something to do again.
    const finding = normalized(failed);
    const current = await new AwsResourceStateReader(sandbox.accountClients()).read(finding);
    expect(planRemediation(finding, controlSpec('EC2.13')!, current, PLAN_OPTIONS).kind).toBe('plan');
  });
});
