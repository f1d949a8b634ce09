import {
  DescribeInstancesCommand,
  EC2Client,
  GetInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import type {
  InstanceMetadataDefaultsResponse,
  ModifyInstanceMetadataDefaultsRequest,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsAccountImdsDefaultsReader } from '../../../src/aws/account-imds-defaults-reader.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { executeRemediation } from '../../../src/usecases/execute-remediation.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { planDigest } from '../../../src/usecases/plan-digest.js';
import { prepareRemediation } from '../../../src/usecases/prepare-remediation.js';
import { reconcileInterruptedActions } from '../../../src/usecases/reconcile-interrupted-actions.js';
import type { RemediationDeps } from '../../../src/usecases/remediation-deps.js';
import { INSTANCE_ID, describeInstancesOutput, makeSdkInstance } from '../../fixtures/ec2.js';
import { ACCOUNT, REGION, makeFinding } from '../../fixtures/finding.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { ec2Error } from '../../support/ec2-error.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const ALICE = { kind: 'user' as const, userId: 'U0ALICE01', name: 'alice' };
const AUTO = { kind: 'bot' as const, reason: 'auto-remediation, attempt 1 of 3' };

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
let dynamo: EmbeddedDynamoDb;
let tables = 0;

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
});
afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  ec2.restore();
});
beforeEach(() => {
  slack.reset();
  ec2.reset();
});

const instanceFinding = makeFinding({
  id: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.8/finding/5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e0008`,
  controlId: 'EC2.8',
  generatorId: 'security-control/EC2.8',
  title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
  resource: {
    type: 'AwsEc2Instance',
    id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`,
    shortId: INSTANCE_ID,
    region: REGION,
    partition: 'aws',
  },
  details: { kind: 'instance', instanceId: INSTANCE_ID, httpTokens: 'optional' },
});

/**
 * EC2 as the adapters see it: the account's IMDS defaults in the region (GetInstanceMetadataDefaults answers what
 * ModifyInstanceMetadataDefaults last set; options left out stay) and the finding's instance, which allows IMDSv1.
 */
function fakeAccount(initial: InstanceMetadataDefaultsResponse = { ManagedBy: 'account' }) {
  const state = { defaults: { ...initial } };
  ec2.on(GetInstanceMetadataDefaultsCommand).callsFake(() => ({ AccountLevel: { ...state.defaults } }));
  ec2.on(ModifyInstanceMetadataDefaultsCommand).callsFake((input: ModifyInstanceMetadataDefaultsRequest) => {
    if (input.HttpTokens !== undefined && input.HttpTokens !== 'no-preference')
      state.defaults.HttpTokens = input.HttpTokens;
    if (input.HttpPutResponseHopLimit !== undefined && input.HttpPutResponseHopLimit !== -1)
      state.defaults.HttpPutResponseHopLimit = input.HttpPutResponseHopLimit;
    return { Return: true };
  });
  ec2.on(DescribeInstancesCommand).resolves(
    describeInstancesOutput([
      makeSdkInstance({
        MetadataOptions: {
          State: 'applied',
          HttpTokens: 'optional',
          HttpPutResponseHopLimit: 2,
          HttpEndpoint: 'enabled',
        },
      }),
    ]),
  );
  return state;
}

async function postedFinding() {
  tables += 1;
  const tableName = `cspm-account-fix-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const { deps: base, workflow } = riskDeps(createCspmTable(dynamo.client, tableName), slack);
  const clients = new RecordingResourceClients();
  const deps: RemediationDeps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
    accountDefaults: new AwsAccountImdsDefaultsReader(clients),
    planOptions: { imdsHopLimit: 2 },
  };
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
    [{ ok: true, finding: instanceFinding }],
  );
  slack.reset();
  return { deps, workflow, findingId: findingKeyOf(instanceFinding) };
}

function threadText(): string {
  return slack
    .callsOf('chat.postMessage')
    .filter((call) => call.body['thread_ts'])
    .map((call) => String(call.body['text']))
    .join('\n');
}

describe('the account-wide IMDSv2 default offered with EC2.8, through the use cases', () => {
  it('plans from the defaults read now, sets exactly HttpTokens and the hop limit, reads them back, records it, and leaves the finding open', async () => {
    const account = fakeAccount({ ManagedBy: 'account', HttpEndpoint: 'enabled' });
    const { deps, workflow, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });
    if (prepared.kind !== 'plan' || prepared.plan.kind !== 'require-imdsv2-account-defaults')
      throw new Error(`expected an account defaults plan, got ${prepared.kind}`);
    expect(prepared.words).toContain(`Set the account default in ${ACCOUNT}/${REGION} to require IMDSv2`);
    expect(prepared.notes.join('\n')).toContain('gets 401 from the metadata service');
    expect(prepared.notes.join('\n')).toContain(`${INSTANCE_ID} (this finding's instance) included`);
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toEqual([]);

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
      confirmationId: 'V0CONFIRM1',
      accountFix: true,
    });

    expect(outcome.kind).toBe('succeeded');
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand).map((call) => call.args[0].input)).toEqual(
      [{ HttpTokens: 'required', HttpPutResponseHopLimit: 2 }],
    );
    expect(account.defaults).toEqual({
      ManagedBy: 'account',
      HttpEndpoint: 'enabled',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 2,
    });
    // The finding's own instance is not touched, and nothing is resolved in Security Hub or here.
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)).toEqual([]);
    expect(workflow.updates).toEqual([]);
    expect((await deps.findings.get(findingId))?.finding.workflowStatus).toBe('NEW');
    expect((await deps.findings.get(findingId))?.activeAction).toBeUndefined();
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({
        kind: 'account-fix',
        status: 'SUCCEEDED',
        actor: ALICE,
        executor: 'direct',
        workflowBefore: 'NEW',
        workflowAfter: 'NEW',
        what: prepared.words,
        plan: prepared.plan,
      }),
    ]);
    expect(threadText()).toContain('Account default changed');
    expect(threadText()).toContain('This finding stays open');
  });

  it('runs one confirmation once', async () => {
    fakeAccount();
    const { deps, findingId } = await postedFinding();
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });
    if (prepared.kind !== 'plan') throw new Error('expected a plan');
    const input = {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
      confirmationId: 'V0CONFIRM2',
      accountFix: true,
    };

    await executeRemediation(deps, input);
    const again = await executeRemediation(deps, input);

    expect(again.kind).toBe('confirmation-used');
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toHaveLength(1);
  });

  it('changes nothing, and does not call the finding fixed, when the default already requires IMDSv2', async () => {
    fakeAccount({ ManagedBy: 'account', HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
    const { deps, workflow, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });

    expect(prepared).toMatchObject({
      kind: 'in-place',
      words: `the account default in ${ACCOUNT}/${REGION} already requires IMDSv2 for new instances (hop limit 2)`,
    });
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toEqual([]);
    expect(workflow.updates).toEqual([]);
    expect(await deps.decisions.ofFinding(findingId)).toEqual([]);
  });

  it('runs nothing when the defaults changed after the person confirmed', async () => {
    const account = fakeAccount();
    const { deps, findingId } = await postedFinding();
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });
    if (prepared.kind !== 'plan') throw new Error('expected a plan');
    account.defaults.HttpPutResponseHopLimit = 3;

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
      accountFix: true,
    });

    expect(outcome).toMatchObject({ kind: 'plan-changed', words: expect.stringContaining('hop limit 3') });
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toEqual([]);
  });

  it('is never run by auto-remediation, nor without a confirmed plan', async () => {
    fakeAccount();
    const { deps, findingId } = await postedFinding();

    const automatic = await executeRemediation(deps, { findingId, actor: AUTO, accountFix: true });
    const unconfirmed = await executeRemediation(deps, { findingId, actor: ALICE, accountFix: true });

    expect(automatic.kind).toBe('not-remediable');
    expect(unconfirmed.kind).toBe('not-remediable');
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toEqual([]);
  });

  it('records a failure, says it in the thread, and leaves the finding as it was when EC2 refuses', async () => {
    fakeAccount();
    const { deps, workflow, findingId } = await postedFinding();
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });
    if (prepared.kind !== 'plan') throw new Error('expected a plan');
    ec2
      .on(ModifyInstanceMetadataDefaultsCommand)
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
      accountFix: true,
    });

    expect(outcome.kind).toBe('failed');
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ kind: 'account-fix', status: 'FAILED' }),
    ]);
    expect(workflow.updates).toEqual([]);
    expect(threadText()).toContain('Remediation failed');
  });

  it('fails as not verified when the defaults read back do not require IMDSv2', async () => {
    fakeAccount();
    const { deps, findingId } = await postedFinding();
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });
    if (prepared.kind !== 'plan') throw new Error('expected a plan');
    ec2.on(ModifyInstanceMetadataDefaultsCommand).resolves({ Return: true });

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
      accountFix: true,
    });

    expect(outcome).toMatchObject({
      kind: 'failed',
      userMessage: expect.stringContaining('the account default HttpTokens is no preference, not required'),
    });
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'FAILED', error: expect.objectContaining({ code: 'NOT_VERIFIED' }) }),
    ]);
  });

  it('refuses in words when a declarative policy manages the defaults', async () => {
    fakeAccount({
      ManagedBy: 'declarative-policy',
      ManagedExceptionMessage: 'Ask the platform team',
      HttpTokens: 'optional',
    });
    const { deps, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });

    expect(prepared).toMatchObject({
      kind: 'not-remediable',
      reason: expect.stringContaining('set by an AWS Organizations declarative policy'),
    });
  });

  describe('an interrupted run (process killed after the PENDING decision)', () => {
    async function interrupted(deps: RemediationDeps, findingId: string) {
      const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01', accountFix: true });
      if (prepared.kind !== 'plan') throw new Error('expected a plan');
      const since = '2026-11-22T09:00:00.000Z';
      await deps.findings.claimAction(
        findingId,
        { decisionId: 'killed-1', kind: 'account-fix', by: 'U0ALICE01', since },
        since,
      );
      await deps.decisions.record({
        decisionId: 'killed-1',
        findingId,
        kind: 'account-fix',
        status: 'PENDING',
        actor: ALICE,
        requestedAt: since,
        what: prepared.words,
        workflowBefore: 'NEW',
        plan: prepared.plan,
      });
    }

    it('is settled as done from the defaults AWS shows, never run again, and the finding stays open', async () => {
      const account = fakeAccount();
      const { deps, workflow, findingId } = await postedFinding();
      await interrupted(deps, findingId);
      account.defaults = { ...account.defaults, HttpTokens: 'required', HttpPutResponseHopLimit: 2 };

      await reconcileInterruptedActions(deps);

      expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toEqual([]);
      expect(await deps.decisions.ofFinding(findingId)).toEqual([
        expect.objectContaining({ decisionId: 'killed-1', status: 'SUCCEEDED', workflowAfter: 'NEW' }),
      ]);
      expect(workflow.updates).toEqual([]);
      expect((await deps.findings.get(findingId))?.finding.workflowStatus).toBe('NEW');
      expect(threadText()).toContain('AWS shows the account default in place. The finding stays open');
    });

    it('is settled as not done when the defaults are exactly as planned from', async () => {
      fakeAccount();
      const { deps, findingId } = await postedFinding();
      await interrupted(deps, findingId);

      await reconcileInterruptedActions(deps);

      expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toEqual([]);
      expect(await deps.decisions.ofFinding(findingId)).toEqual([
        expect.objectContaining({
          decisionId: 'killed-1',
          status: 'FAILED',
          error: expect.objectContaining({ code: 'INTERRUPTED' }),
        }),
      ]);
    });
  });
});
