import 'aws-sdk-client-mock-vitest/extend';
import { CreateNetworkAclEntryCommand, DescribeNetworkAclsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SsmClientProvider } from '../../../src/aws/aws-clients.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsAccessDeniedError } from '../../../src/aws/errors.js';
import { NetworkAclRuleNumberTakenError } from '../../../src/aws/network-acl-entries.js';
import { RemediationIncompleteError } from '../../../src/aws/remediation-errors.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { SsmRemediator } from '../../../src/aws/ssm-remediator.js';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import { planRemediation } from '../../../src/domain/remediation-plan.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';
import {
  DEFAULT_DUAL_STACK_ENTRIES,
  NACL_SUBNETS,
  NETWORK_ACL_ID,
  makeNetworkAclFinding,
  makeSdkNetworkAcl,
} from '../../fixtures/network-acl.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { ec2Error } from '../../support/ec2-error.js';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const CONTEXT = { findingId: 'finding-1', decisionId: 'decision-1' };
const finding = makeNetworkAclFinding();

let clients: RecordingResourceClients;

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  clients = new RecordingResourceClients();
});

type DenyPlan = Extract<RemediationPlan, { kind: 'deny-network-acl-ingress' }>;

/** The plan the bot makes from the dual-stack default ACL, read through the real reader. */
async function plannedFromDefaultAcl(): Promise<DenyPlan> {
  ec2
    .on(DescribeNetworkAclsCommand)
    .resolves({ NetworkAcls: [makeSdkNetworkAcl(DEFAULT_DUAL_STACK_ENTRIES)] });
  const current = await new AwsResourceStateReader(clients).read(finding);
  const outcome = planRemediation(finding, CONTROL_CATALOG['EC2.21'], current, { imdsHopLimit: 1 });
  if (outcome.kind !== 'plan' || outcome.plan.kind !== 'deny-network-acl-ingress')
    throw new Error(`expected a network ACL plan, got ${outcome.kind}`);
  ec2.reset();
  return outcome.plan;
}

describe('AwsResourceStateReader for EC2.21', () => {
  it('reads the finding’s ACL by id, in the finding’s account and region, with every entry and subnet', async () => {
    ec2
      .on(DescribeNetworkAclsCommand)
      .resolves({ NetworkAcls: [makeSdkNetworkAcl(DEFAULT_DUAL_STACK_ENTRIES)] });

    const current = await new AwsResourceStateReader(clients).read(finding);

    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkAclsCommand, { NetworkAclIds: [NETWORK_ACL_ID] });
    expect(clients.asked).toEqual([`ec2 ${ACCOUNT} ${REGION}`]);
    expect(current.kind).toBe('network-acl');
    if (current.kind !== 'network-acl') return;
    expect(current.acl.subnetIds).toEqual([...NACL_SUBNETS]);
    expect(current.acl.entries).toHaveLength(DEFAULT_DUAL_STACK_ENTRIES.length);
    expect(current.acl.entries).toContainEqual({
      ruleNumber: 101,
      action: 'allow',
      egress: false,
      protocol: '-1',
      source: { family: 'ipv6', cidr: '::/0' },
    });
  });

  it('reads a deleted ACL as gone, never as an empty (fixed) one', async () => {
    ec2
      .on(DescribeNetworkAclsCommand)
      .rejects(
        ec2Error('InvalidNetworkAclID.NotFound', `The networkAcl ID '${NETWORK_ACL_ID}' does not exist`),
      );

    const current = await new AwsResourceStateReader(clients).read(finding);

    expect(current).toEqual({
      kind: 'gone',
      resourceId: NETWORK_ACL_ID,
      detail: 'the network ACL no longer exists',
    });
  });
});

describe('DirectRemediator for EC2.21', () => {
  it('adds exactly the planned deny entries, one request each, and nothing else', async () => {
    const plan = await plannedFromDefaultAcl();
    ec2.on(CreateNetworkAclEntryCommand).resolves({});

    const execution = await new DirectRemediator(clients).execute(plan, CONTEXT);

    const requests = ec2.commandCalls(CreateNetworkAclEntryCommand).map((call) => call.args[0].input);
    expect(requests).toEqual([
      {
        NetworkAclId: NETWORK_ACL_ID,
        RuleNumber: 99,
        Protocol: '6',
        RuleAction: 'deny',
        Egress: false,
        CidrBlock: '0.0.0.0/0',
        PortRange: { From: 22, To: 22 },
      },
      {
        NetworkAclId: NETWORK_ACL_ID,
        RuleNumber: 98,
        Protocol: '6',
        RuleAction: 'deny',
        Egress: false,
        CidrBlock: '0.0.0.0/0',
        PortRange: { From: 3389, To: 3389 },
      },
      {
        NetworkAclId: NETWORK_ACL_ID,
        RuleNumber: 97,
        Protocol: '6',
        RuleAction: 'deny',
        Egress: false,
        Ipv6CidrBlock: '::/0',
        PortRange: { From: 22, To: 22 },
      },
      {
        NetworkAclId: NETWORK_ACL_ID,
        RuleNumber: 96,
        Protocol: '6',
        RuleAction: 'deny',
        Egress: false,
        Ipv6CidrBlock: '::/0',
        PortRange: { From: 3389, To: 3389 },
      },
    ]);
    expect(ec2.calls()).toHaveLength(4);
    expect(execution.executor).toBe('direct');
    expect(execution.steps[0]).toBe(
      `added to ${NETWORK_ACL_ID} rule 99: deny tcp/22 from 0.0.0.0/0, ahead of rule 100 (allow all traffic from 0.0.0.0/0)`,
    );
  });

  it('stops at a rule number taken since the plan, saying which denies were already added', async () => {
    const plan = await plannedFromDefaultAcl();
    ec2
      .on(CreateNetworkAclEntryCommand)
      .resolvesOnce({})
      .rejectsOnce(
        ec2Error('NetworkAclEntryAlreadyExists', 'The network acl entry identified by 98 already exists.'),
      );

    const error = await new DirectRemediator(clients)
      .execute(plan, CONTEXT)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RemediationIncompleteError);
    const incomplete = error as RemediationIncompleteError;
    expect(incomplete.completedSteps).toEqual([`added to ${NETWORK_ACL_ID} ${plan.denies[0]!.words}`]);
    expect(incomplete.cause).toBeInstanceOf(NetworkAclRuleNumberTakenError);
    expect((incomplete.cause as NetworkAclRuleNumberTakenError).userMessage).toContain(
      `rule 98 of ${NETWORK_ACL_ID}`,
    );
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(2);
  });

  it('fails plainly, nothing added, when the role may not create entries', async () => {
    const plan = await plannedFromDefaultAcl();
    ec2.on(CreateNetworkAclEntryCommand).rejects(ec2Error('UnauthorizedOperation', 'not authorized'));

    await expect(new DirectRemediator(clients).execute(plan, CONTEXT)).rejects.toBeInstanceOf(
      AwsAccessDeniedError,
    );
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(1);
  });
});

class SsmClients implements SsmClientProvider {
  async ssm(_accountId: string, region: string): Promise<SSMClient> {
    return new SSMClient({ region });
  }

  automationRoleArn(accountId: string, automationRoleName: string): string {
    return `arn:aws:iam::${accountId}:role/${automationRoleName}`;
  }
}

describe('SsmRemediator for EC2.21', () => {
  it('starts the network ACL document with each planned rule number in its slot, and reports the denies', async () => {
    const plan = await plannedFromDefaultAcl();
    ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: 'exec-1' });
    ssm.on(GetAutomationExecutionCommand).resolves({
      AutomationExecution: {
        AutomationExecutionId: 'exec-1',
        AutomationExecutionStatus: 'Success',
        StepExecutions: [{ StepName: 'DenyIpv4Ssh', Action: 'aws:executeAwsApi', StepStatus: 'Success' }],
        Outputs: { 'ReadEntries.Entries': [] },
      },
    });
    const remediator = new SsmRemediator(new SsmClients(), {
      automationRoleName: 'cspm-bot-automation',
      sleep: async () => {},
    });

    const execution = await remediator.execute(plan, { ...CONTEXT, slackUserId: 'U0123' });

    expect(ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input).toMatchObject({
      DocumentName: 'CspmBot-DenyNetworkAclAdminPorts',
      Parameters: {
        AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/cspm-bot-automation`],
        NetworkAclId: [NETWORK_ACL_ID],
        Ipv4SshRuleNumber: ['99'],
        Ipv4RdpRuleNumber: ['98'],
        Ipv6SshRuleNumber: ['97'],
        Ipv6RdpRuleNumber: ['96'],
      },
    });
    expect(execution.steps).toContain(`added to ${NETWORK_ACL_ID} ${plan.denies[3]!.words}`);
    expect(ec2.calls()).toHaveLength(0);
  });
});
