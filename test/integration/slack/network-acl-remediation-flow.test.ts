import { CreateNetworkAclEntryCommand, DescribeNetworkAclsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { CreateNetworkAclEntryRequest, NetworkAcl } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { REMEDIATION_CONFIRM_CALLBACK } from '../../../blocks/remediation-modal.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import { inboundEntry, makeSdkNetworkAcl } from '../../fixtures/network-acl.js';
import { lambdaContext, queuedJob, signed, useLambdaFlow } from '../../support/lambda-flow.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { buttonClickBody, viewSubmissionBody } from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);
const ACL_ID = 'acl-0b2c3d4e5f6a7b003';
const SUBNET_ID = 'subnet-0c3d4e5f6a7b80003';

/** The ACL as EC2 holds it: every read answers it as it is, every created entry joins it. */
let acl: NetworkAcl;

function emulateAcl(): void {
  acl = {
    ...makeSdkNetworkAcl(
      [
        inboundEntry(90, 'allow', '203.0.113.0/24', '6', [22, 22]),
        inboundEntry(100, 'allow', '0.0.0.0/0'),
        inboundEntry(101, 'allow', '::/0'),
        inboundEntry(32767, 'deny', '0.0.0.0/0'),
        inboundEntry(32768, 'deny', '::/0'),
      ],
      { isDefault: false, subnetIds: [SUBNET_ID] },
    ),
    NetworkAclId: ACL_ID,
  };
  ec2.on(DescribeNetworkAclsCommand).callsFake(() => ({ NetworkAcls: [structuredClone(acl)] }));
  ec2.on(CreateNetworkAclEntryCommand).callsFake((input: CreateNetworkAclEntryRequest) => {
    const { NetworkAclId: _id, DryRun: _dryRun, ...entry } = input;
    acl.Entries = [...(acl.Entries ?? []), entry];
    return {};
  });
}

const flow = useLambdaFlow({
  tableName: 'cspm-nacl-flow',
  region: 'ap-northeast-1',
  overrides: {
    // EC2.21 is MEDIUM: it alerts only with the threshold at MEDIUM or below.
    CSPM_SEVERITY_THRESHOLD: 'MEDIUM',
  },
  slack,
  lambda,
  securityHub,
  awsMocks: [ec2, sts],
  emulate: emulateAcl,
  fixture: 'ec2.21-nacl-allow-all',
});

describe('Remediate an EC2.21 network ACL from Slack', () => {
  it('posts which ACL and entries let SSH/RDP in, says what stops working before confirming, then adds the denies and keeps the finding open while the allow entry remains', async () => {
    const posted = slack.callsOf('chat.postMessage').at(-1);
    expect(JSON.stringify(posted?.body['blocks'])).toContain(
      `Network ACL \`${ACL_ID}\` used by \`${SUBNET_ID}\``,
    );
    slack.reset();

    await slackHandler(
      signed(
        buttonClickBody({
          actionId: REMEDIATE_ACTION,
          value: findingButtonValue(flow.findingKey()),
          user: 'U0ALICE01',
          responseUrl: `${slack.url}response`,
        }),
      ),
      lambdaContext,
    );
    const planJob = queuedJob(lambda, 'plan-remediation');
    await worker(planJob);
    const update = slack.callsOf('views.update').at(-1);
    const view = update?.body['view'] as Record<string, unknown>;
    const shown = JSON.stringify(view);
    expect(shown).toContain(`rule 99: deny tcp/22 from 0.0.0.0/0, ahead of rule 100`);
    expect(shown).toContain(`What stops working: SSH (tcp/22) and RDP (tcp/3389) from the internet`);
    expect(shown).toContain(`rule 90 (allow tcp/22 from 203.0.113.0/24)`);
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(0);

    lambda.resetHistory();
    await slackHandler(
      signed(
        viewSubmissionBody({
          callbackId: REMEDIATION_CONFIRM_CALLBACK,
          viewId: String(update?.body['view_id']),
          privateMetadata: String(view['private_metadata']),
        }),
      ),
      lambdaContext,
    );
    const executeJob = queuedJob(lambda, 'execute-remediation');
    await worker(executeJob);

    expect(ec2.commandCalls(CreateNetworkAclEntryCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ RuleNumber: 99, CidrBlock: '0.0.0.0/0', PortRange: { From: 22, To: 22 } }),
      expect.objectContaining({
        RuleNumber: 98,
        CidrBlock: '0.0.0.0/0',
        PortRange: { From: 3389, To: 3389 },
      }),
      expect.objectContaining({ RuleNumber: 97, Ipv6CidrBlock: '::/0', PortRange: { From: 22, To: 22 } }),
      expect.objectContaining({ RuleNumber: 96, Ipv6CidrBlock: '::/0', PortRange: { From: 3389, To: 3389 } }),
    ]);
    // Security Hub would still fail EC2.21 on the remaining allow entry: nothing is set RESOLVED.
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toEqual([]);
    const thread = slack.callsOf('chat.postMessage').find((call) => call.body['thread_ts']);
    expect(String(thread?.body['text'])).toContain('Done, but the finding stays open');
    expect(String(thread?.body['text'])).toContain('narrow or delete that entry');
  });
});
