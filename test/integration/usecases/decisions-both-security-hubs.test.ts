import {
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsV2Command,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { normalizeOcsfFinding } from '../../../src/aws/ocsf-finding.js';
import { HomeRegionWorkflow } from '../../../src/aws/security-hub-workflow.js';
import type { Finding } from '../../../src/domain/finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { SameFindingRepository } from '../../../src/store/same-finding-repository.js';
import { deliverOwedMessages } from '../../../src/usecases/deliver-finding-message.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { acceptRisk } from '../../../src/usecases/accept-risk.js';
import { suppressFinding } from '../../../src/usecases/suppress-finding.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { loadOcsfFixture } from '../../fixtures/ocsf.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
const securityHub = mockClient(SecurityHubClient);
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => {
  slack.reset();
  securityHub.reset();
});

const ACCOUNT = '111122223333';

function normalized(result: ReturnType<typeof normalizeAsffFinding>): Finding {
  if (!result.ok) throw new Error(result.reason);
  return result.finding;
}

const cspmCopy = () => normalized(normalizeAsffFinding(loadAsffFixture('ec2.13-ssh-ipv4')));
const newerCopy = () => normalized(normalizeOcsfFinding(loadOcsfFixture('ec2.13-ssh-ipv4')));

/** Both copies ingested with CSPM_FINDINGS_FORMAT=both; decisions go through the real workflow adapter. */
async function bothHubs() {
  const table = await dynamo.freshTable();
  const { deps } = riskDeps(table, slack);
  const workflow = new HomeRegionWorkflow(
    { securityHub: async () => new SecurityHubClient({ region: 'ap-northeast-1' }) },
    'ap-northeast-1',
  );
  const decide = { ...deps, workflow };
  await ingestFindings(
    {
      ...decide,
      sameFindings: new SameFindingRepository(table),
      routing: { rules: [], defaultChannel: 'C0FINDINGS' },
      severityThreshold: 'HIGH',
    },
    [
      { ok: true, finding: cspmCopy() },
      { ok: true, finding: newerCopy() },
    ],
  );
  return { deps: decide, findingId: findingKeyOf(cspmCopy()) };
}

const v1Input = () => securityHub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
const v2Input = () =>
  securityHub.commandCalls(BatchUpdateFindingsV2Command).map((call) => call.args[0].input);
const threadReplies = () =>
  slack
    .callsOf('chat.postMessage')
    .filter((call) => call.body['thread_ts'] !== undefined)
    .map((call) => String(call.body['text']));

describe('decisions on a finding both Security Hubs hold', () => {
  it('a decision made before the other copy arrived is written to that copy when it does', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    securityHub.on(BatchUpdateFindingsV2Command).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const table = await dynamo.freshTable();
    const { deps } = riskDeps(table, slack);
    const workflow = new HomeRegionWorkflow(
      { securityHub: async () => new SecurityHubClient({ region: 'ap-northeast-1' }) },
      'ap-northeast-1',
    );
    const decide = { ...deps, workflow };
    const ingestDeps = {
      ...decide,
      sameFindings: new SameFindingRepository(table),
      routing: { rules: [], defaultChannel: 'C0FINDINGS' },
      severityThreshold: 'HIGH' as const,
      acceptanceHolds: { acceptances: deps.acceptances, decisions: deps.decisions, workflow, ids: deps.ids },
    };
    await ingestFindings(ingestDeps, [{ ok: true, finding: cspmCopy() }]);
    await suppressFinding(decide, {
      findingId: findingKeyOf(cspmCopy()),
      userId: 'U0ALICE01',
      reason: 'Test VPC',
    });
    expect(v2Input()).toEqual([]);

    await ingestFindings(ingestDeps, [{ ok: true, finding: newerCopy() }]);

    expect(v2Input()).toEqual([
      {
        FindingIdentifiers: [
          {
            CloudAccountUid: ACCOUNT,
            FindingInfoUid: newerCopy().id,
            MetadataProductUid: newerCopy().productArn,
          },
        ],
        StatusId: 3,
        Comment: 'SUPPRESSED from Slack on the same finding in Security Hub CSPM (cspm-bot)',
      },
    ]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('suppress goes to both: workflow and note to Security Hub CSPM, status and comment to the newer one', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    securityHub.on(BatchUpdateFindingsV2Command).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const { deps, findingId } = await bothHubs();

    const outcome = await suppressFinding(deps, { findingId, userId: 'U0ALICE01', reason: 'Test VPC' });

    expect(outcome.kind).toBe('done');
    expect(v1Input()).toEqual([
      expect.objectContaining({
        FindingIdentifiers: [{ Id: cspmCopy().id, ProductArn: cspmCopy().productArn }],
        Workflow: { Status: 'SUPPRESSED' },
      }),
    ]);
    const decisions = await deps.decisions.ofFinding(findingId);
    expect(v2Input()).toEqual([
      {
        FindingIdentifiers: [
          {
            CloudAccountUid: ACCOUNT,
            FindingInfoUid: newerCopy().id,
            MetadataProductUid: newerCopy().productArn,
          },
        ],
        StatusId: 3,
        Comment: `Suppressed from Slack by alice: Test VPC (decision ${decisions[0]?.decisionId})`,
      },
    ]);
    expect(decisions).toEqual([expect.not.objectContaining({ warnings: expect.anything() })]);
  });

  it('one side refusing: the decision is done, the refusal recorded on it and told in the thread', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    securityHub.on(BatchUpdateFindingsV2Command).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: {
            CloudAccountUid: ACCOUNT,
            FindingInfoUid: newerCopy().id,
            MetadataProductUid: newerCopy().productArn,
          },
          ErrorCode: 'ConflictException',
          ErrorMessage: 'The finding was updated concurrently',
        },
      ],
    });
    const { deps, findingId } = await bothHubs();

    const outcome = await acceptRisk(deps, {
      findingId,
      userId: 'U0ALICE01',
      reason: 'Bastion, replaced next quarter',
      until: '2026-12-20',
      scope: 'resource',
    });
    await deliverOwedMessages(deps);

    expect(outcome.kind).toBe('done');
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({
        status: 'SUCCEEDED',
        warnings: ['Security Hub refused it (ConflictException: The finding was updated concurrently)'],
      }),
    ]);
    expect(threadReplies()).toEqual([expect.stringContaining('in one Security Hub only')]);
    expect(threadReplies()[0]).toContain('ConflictException');
  });

  it('both sides refusing: the decision failed, with both reasons', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: cspmCopy().id, ProductArn: cspmCopy().productArn },
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'Finding not found',
        },
      ],
    });
    securityHub.on(BatchUpdateFindingsV2Command).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { deps, findingId } = await bothHubs();

    const outcome = await suppressFinding(deps, { findingId, userId: 'U0ALICE01', reason: 'Test VPC' });

    expect(outcome).toEqual({
      kind: 'failed',
      userMessage: expect.stringMatching(
        /^Security Hub CSPM refused it \(FindingNotFound: Finding not found\); Security Hub refused it/,
      ),
    });
    expect((await deps.findings.get(findingId))?.finding.workflowStatus).toBe('NEW');
  });
});
