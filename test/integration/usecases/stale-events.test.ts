import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { Finding } from '../../../src/domain/finding.js';
import { acceptRisk } from '../../../src/usecases/accept-risk.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { suppressFinding } from '../../../src/usecases/suppress-finding.js';
import { ACCOUNT, makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

/** The decisions in these tests happen at 10:00 UTC on 22 November, after the original event (2 November). */
const DECIDED_AT = '2026-11-22T10:00:00.000Z';
const KEY = findingKeyOf(makeFinding());

async function setUp() {
  const { deps, clock, workflow } = riskDeps(await dynamo.freshTable(), slack, { now: DECIDED_AT });
  const queued: string[] = [];
  const ingestDeps: IngestDeps = {
    ...deps,
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    acceptanceHolds: {
      acceptances: deps.acceptances,
      decisions: deps.decisions,
      workflow: deps.workflow,
      ids: deps.ids,
    },
    autoRemediation: {
      policy: { controls: ['EC2.13'], maxAttempts: 3, windowHours: 24 },
      decisions: deps.decisions,
      queue: { enqueueAutoRemediation: async (job) => void queued.push(job.findingId) },
    },
  };
  const ingest = (...findings: Finding[]) =>
    ingestFindings(
      ingestDeps,
      findings.map((finding) => ({ ok: true as const, finding })),
    );
  return { deps, clock, workflow, ingest, queued };
}

/** Slack traffic after the decision: a reverted message would show up as a chat.update or a new post. */
const messagesSent = () => slack.callsOf('chat.update').length + slack.callsOf('chat.postMessage').length;

describe('a re-delivered original event never undoes a decision from Slack', () => {
  it('keeps a suppression: no reopen, no buttons back, no auto-remediation', async () => {
    const { deps, ingest, queued } = await setUp();
    await ingest(makeFinding());
    queued.length = 0;
    await suppressFinding(deps, {
      findingId: KEY,
      userId: 'U0ALICE01',
      reason: 'Test VPC, torn down Friday',
    });
    slack.reset();

    const report = await ingest(makeFinding());

    expect(report.outcomes).toEqual([{ kind: 'unchanged', findingId: KEY }]);
    const record = await deps.findings.get(KEY);
    expect(record?.finding.workflowStatus).toBe('SUPPRESSED');
    expect(record?.suppression?.reason).toBe('Test VPC, torn down Friday');
    expect(record?.reopenedAt).toBeUndefined();
    expect(messagesSent()).toBe(0);
    expect(queued).toEqual([]);
  });

  it('keeps a risk acceptance, even when the old event arrives with an offset timestamp just before the decision', async () => {
    const { deps, ingest, queued } = await setUp();
    await ingest(makeFinding());
    queued.length = 0;
    await acceptRisk(deps, {
      findingId: KEY,
      userId: 'U0ALICE01',
      until: '2027-03-31',
      reason: 'Migration weekend',
      scope: 'resource',
    });
    slack.reset();

    // 18:59 in Tokyo is 09:59 UTC: one minute before the decision, although "18:59" sorts after "10:00" as text.
    const report = await ingest(
      makeFinding({ updatedAt: '2026-11-22T18:59:00+09:00', severity: 'CRITICAL' }),
    );

    expect(report.counts.updated + report.counts.unchanged).toBe(1);
    const record = await deps.findings.get(KEY);
    expect(record?.finding.workflowStatus).toBe('SUPPRESSED');
    expect(record?.suppression?.acceptance?.until).toBe('2027-03-31');
    // Other facts may still be refreshed from the event; the decision is what stays.
    expect(record?.finding.severity).toBe('CRITICAL');
    expect(JSON.stringify(slack.callsOf('chat.update').at(-1)?.body['blocks'] ?? '')).not.toContain(
      'finding.remediate',
    );
    expect(queued).toEqual([]);
  });

  it('keeps a remediation: the finding stays resolved and is not queued for auto-remediation again', async () => {
    const { deps, ingest, queued } = await setUp();
    await ingest(makeFinding());
    queued.length = 0;
    // What a finished remediation stores (execute-remediation's storeResolution).
    const record = (await deps.findings.get(KEY))!;
    await deps.findings.updateFinding({
      record,
      finding: { ...record.finding, workflowStatus: 'RESOLVED' },
      triage: record.triage,
      owesDelivery: false,
      resolution: {
        decisionId: 'd-1',
        by: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
        at: DECIDED_AT,
        what: 'Revoke tcp/22 from 0.0.0.0/0',
      },
      now: DECIDED_AT,
    });
    slack.reset();

    const report = await ingest(makeFinding());

    expect(report.outcomes).toEqual([{ kind: 'unchanged', findingId: KEY }]);
    const after = await deps.findings.get(KEY);
    expect(after?.finding.workflowStatus).toBe('RESOLVED');
    expect(after?.reopenedAt).toBeUndefined();
    expect(after?.decidedAt).toBe(DECIDED_AT);
    expect(messagesSent()).toBe(0);
    expect(queued).toEqual([]);
  });

  it('keeps a finding held under an account-wide acceptance suppressed and unposted', async () => {
    const { deps, ingest, clock } = await setUp();
    const other = makeFinding({ id: makeFinding().id.replace(/0001$/, '0042') });
    await ingest(makeFinding());
    await acceptRisk(deps, {
      findingId: KEY,
      userId: 'U0ALICE01',
      until: '2027-03-31',
      reason: 'Legacy bastions',
      scope: 'control-in-account',
    });
    clock.set('2026-11-22T11:00:00.000Z');
    expect((await ingest(other)).outcomes[0]).toMatchObject({ kind: 'held' });
    slack.reset();

    const report = await ingest(other);

    expect(report.outcomes[0]).toMatchObject({ kind: 'unchanged' });
    expect((await deps.findings.get(findingKeyOf(other)))?.finding.workflowStatus).toBe('SUPPRESSED');
    expect(messagesSent()).toBe(0);
  });
});

describe('a genuinely newer Security Hub update', () => {
  it('re-opens a remediated finding that fails again, updates its message and queues auto-remediation', async () => {
    const { deps, ingest, queued } = await setUp();
    await ingest(makeFinding());
    queued.length = 0;
    const record = (await deps.findings.get(KEY))!;
    await deps.findings.updateFinding({
      record,
      finding: { ...record.finding, workflowStatus: 'RESOLVED' },
      triage: record.triage,
      owesDelivery: false,
      resolution: {
        decisionId: 'd-1',
        by: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
        at: DECIDED_AT,
        what: 'Revoke tcp/22 from 0.0.0.0/0',
      },
      now: DECIDED_AT,
    });
    slack.reset();

    // Security Hub's next evaluation, a day later: the rule is back, compliance FAILED, workflow NEW.
    const report = await ingest(
      makeFinding({ updatedAt: '2026-11-23T10:00:00.000Z', lastObservedAt: '2026-11-23T10:00:00.000Z' }),
    );

    expect(report.outcomes[0]).toMatchObject({ kind: 'updated', findingId: KEY });
    const after = await deps.findings.get(KEY);
    expect(after?.finding.workflowStatus).toBe('NEW');
    expect(after?.reopenedAt).toBeDefined();
    expect(queued).toEqual([KEY]);
  });
});

describe('finding identity is product ARN + account + id', () => {
  it('stores another product and another account reusing the id separately, never touching the managed finding', async () => {
    const { deps, ingest } = await setUp();
    const managed = makeFinding();
    const otherProduct = makeFinding({
      productArn: 'arn:aws:securityhub:ap-northeast-1:999988887777:product/999988887777/default',
      title: 'Imported by another product, same id',
    });
    const otherAccount = makeFinding({ accountId: '444455556666', title: 'Same id in another account' });
    await ingest(managed);
    await suppressFinding(deps, { findingId: KEY, userId: 'U0ALICE01', reason: 'Handled elsewhere' });

    const report = await ingest(otherProduct, otherAccount);

    expect(report.counts.alerted).toBe(2);
    const keys = [managed, otherProduct, otherAccount].map(findingKeyOf);
    expect(new Set(keys).size).toBe(3);
    const stored = await Promise.all(keys.map((key) => deps.findings.get(key)));
    expect(stored.map((record) => record?.finding.title)).toEqual([
      managed.title,
      otherProduct.title,
      otherAccount.title,
    ]);
    expect(stored[0]?.finding.workflowStatus).toBe('SUPPRESSED');
    expect(stored[0]?.finding.accountId).toBe(ACCOUNT);
  });

  it('maps the aggregator copy and the member copy of one finding to one record and one message', async () => {
    const { ingest } = await setUp();
    // The aggregation region re-delivers the same finding: same product ARN, account and id.
    const memberCopy = makeFinding();
    const aggregatorCopy = makeFinding();

    await ingest(memberCopy);
    const report = await ingest(aggregatorCopy);

    expect(report.outcomes).toEqual([{ kind: 'unchanged', findingId: KEY }]);
    expect(slack.callsOf('chat.postMessage').filter((call) => !call.body['thread_ts'])).toHaveLength(1);
  });
});
