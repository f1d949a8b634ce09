import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountClients } from '../../../src/aws/aws-clients.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { executeRemediation } from '../../../src/usecases/execute-remediation.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

// No EC2 mock here on purpose: the member-account credentials are refused before any EC2 request is signed.
const sts = mockClient(STSClient);
const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(async () => {
  await slack.stop();
  sts.restore();
});

describe('the member role cannot be assumed', () => {
  it('records the remediation FAILED with the reason and tells the thread, and frees the finding', async () => {
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:sts::999988887777:assumed-role/cspm-bot/cspm-bot is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/cspm-bot-member',
        ),
        {
          name: 'AccessDenied',
          $fault: 'client',
        },
      ),
    );
    const { deps: base } = riskDeps(await dynamo.freshTable(), slack);
    const clients = new AccountClients({
      homeAccountId: '999988887777',
      memberRoleName: 'cspm-bot-member',
      sts: new STSClient({ region: 'ap-northeast-1' }),
    });
    const deps = {
      ...base,
      stateReader: new AwsResourceStateReader(clients),
      remediator: new DirectRemediator(clients),
    };
    const finding = makeFinding();
    await ingestFindings(
      { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
      [{ ok: true, finding }],
    );
    slack.reset();
    const findingId = findingKeyOf(finding);

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
    });

    expect(outcome).toMatchObject({
      kind: 'failed',
      userMessage: expect.stringContaining('could not assume arn:aws:iam::111122223333:role/cspm-bot-member'),
    });
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({
        kind: 'remediate',
        status: 'FAILED',
        actor: expect.objectContaining({ userId: 'U0ALICE01' }),
        error: expect.objectContaining({ code: 'AWS_ASSUME_ROLE_DENIED' }),
      }),
    ]);
    const thread = slack.callsOf('chat.postMessage').filter((call) => call.body['thread_ts']);
    expect(thread).toHaveLength(1);
    expect(String(thread[0]?.body['text'])).toContain('Remediation failed');
    expect(String(thread[0]?.body['text'])).toContain('Deploy the member-account role');
    expect((await deps.findings.get(findingId))?.activeAction).toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand).length).toBeGreaterThan(0);
  });
});
