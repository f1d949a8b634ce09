import { CreateNetworkAclEntryCommand, DescribeNetworkAclsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { CreateNetworkAclEntryRequest } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import {
  DEFAULT_DUAL_STACK_ENTRIES,
  NETWORK_ACL_ID,
  inboundEntry,
  makeNetworkAclFinding,
  makeSdkNetworkAcl,
} from '../../fixtures/network-acl.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const ALICE = { kind: 'user' as const, userId: 'U0ALICE01', name: 'alice' };
// Security Hub reports EC2.21 on ACLs that are not a VPC's default one.
const ALLOW_ALL = DEFAULT_DUAL_STACK_ENTRIES;
const NOT_DEFAULT = { isDefault: false };

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

async function postedFinding() {
  tables += 1;
  const tableName = `cspm-nacl-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const { deps: base } = riskDeps(createCspmTable(dynamo.client, tableName), slack);
  const clients = new RecordingResourceClients();
  const deps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
  };
  const finding = makeNetworkAclFinding();
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'MEDIUM' },
    [{ ok: true, finding }],
  );
  slack.reset();
  return { deps, findingId: findingKeyOf(finding) };
}

const threadReplies = () =>
  slack
    .callsOf('chat.postMessage')
    .filter((call) => call.body['thread_ts'])
    .map((call) => String(call.body['text']));

describe('remediating an EC2.21 finding through the use cases', () => {
  it('plans from the ACL read now, adds exactly the planned denies, verifies them read back, and leaves the finding open while the allow entry remains', async () => {
    const { deps, findingId } = await postedFinding();
    // EC2 as the adapters see it: every read answers the ACL as it is, every created entry joins it.
    const acl = makeSdkNetworkAcl(ALLOW_ALL, NOT_DEFAULT);
    ec2.on(DescribeNetworkAclsCommand).callsFake(() => ({ NetworkAcls: [structuredClone(acl)] }));
    ec2.on(CreateNetworkAclEntryCommand).callsFake((input: CreateNetworkAclEntryRequest) => {
      acl.Entries = [
        ...(acl.Entries ?? []),
        {
          RuleNumber: input.RuleNumber,
          Protocol: input.Protocol,
          RuleAction: input.RuleAction,
          Egress: input.Egress,
          ...(input.CidrBlock ? { CidrBlock: input.CidrBlock } : { Ipv6CidrBlock: input.Ipv6CidrBlock }),
          PortRange: input.PortRange,
        },
      ];
      return {};
    });
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan' || prepared.plan.kind !== 'deny-network-acl-ingress')
      throw new Error(`expected a network ACL plan, got ${prepared.kind}`);
    expect(prepared.notes[0]).toContain(
      'What stops working: SSH (tcp/22) and RDP (tcp/3389) from the internet',
    );

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
    });

    expect(outcome.kind).toBe('succeeded');
    expect(
      ec2.commandCalls(CreateNetworkAclEntryCommand).map((call) => call.args[0].input.RuleNumber),
    ).toEqual([99, 98, 97, 96]);
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', workflowAfter: 'NEW' }),
    ]);
    // Security Hub judges each allow entry on its own: the bot never marks it RESOLVED while one remains.
    expect(threadReplies()).toEqual([expect.stringContaining('Done, but the finding stays open')]);
  });

  it('changes nothing and says what to do when no rule number ahead of the allow is free', async () => {
    const { deps, findingId } = await postedFinding();
    const crowded = [
      inboundEntry(1, 'deny', '198.51.100.0/24'),
      inboundEntry(2, 'allow', '0.0.0.0/0', '6', [22, 22]),
      inboundEntry(32767, 'deny', '0.0.0.0/0'),
    ];
    ec2.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [makeSdkNetworkAcl(crowded, NOT_DEFAULT)] });

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(prepared.kind).toBe('not-remediable');
    if (prepared.kind === 'not-remediable') {
      expect(prepared.reason).toContain(`${NETWORK_ACL_ID} lets tcp/22 from 0.0.0.0/0 in through rule 2`);
      expect(prepared.reason).toContain('every rule number from 1 to 1 is taken');
    }
    expect(outcome.kind).not.toBe('succeeded');
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toEqual([]);
  });
});
