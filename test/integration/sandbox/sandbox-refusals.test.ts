import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { GetFindingsCommand } from '@aws-sdk/client-securityhub';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsAssumeRoleDeniedError } from '../../../src/aws/errors.js';
import { SecurityGroupRuleGoneError } from '../../../src/aws/remediation-errors.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { makeFinding } from '../../fixtures/finding.js';
import type { SandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { createSandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { fixedClock } from '../../support/fixed-clock.js';

describe('the sandbox account refusing what AWS would refuse', () => {
  let dataDir: string;
  let sandbox: SandboxAccount;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cspm-sandbox-'));
    sandbox = await createSandboxAccount({ dataDir, clock: fixedClock('2026-11-30T10:00:00Z'), reset: true });
  });

  afterEach(async () => {
    await sandbox.saved();
    await rm(dataDir, { recursive: true, force: true });
  });

  function ec2(accountId = '111122223333', region = 'ap-northeast-1'): EC2Client {
    const client = new EC2Client({ region });
    sandbox.attach(client, { accountId, region });
    return client;
  }

  it('answers an unknown group, instance or Auto Scaling group with the error code AWS uses', async () => {
    await expect(
      ec2().send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000dead'] })),
    ).rejects.toMatchObject({
      name: 'InvalidGroup.NotFound',
      $fault: 'client',
    });
    await expect(
      ec2().send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
    });
    const autoScaling = new AutoScalingClient({ region: 'ap-northeast-1' });
    sandbox.attach(autoScaling, { accountId: '111122223333', region: 'ap-northeast-1' });
    await expect(
      autoScaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: 'nope',
          LaunchTemplate: { LaunchTemplateId: 'lt-0a1b2c3d4e5f60001', Version: '2' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('not found') });
  });

  it('keeps each account’s resources to itself: the group of one account is not found in another', async () => {
    await expect(
      ec2('444455556666', 'ap-northeast-1').send(
        new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0abc1234def567890'] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
  });

  it('reads a deleted group as gone, and refuses to revoke a rule that is no longer there', async () => {
    const reader = new AwsResourceStateReader(sandbox.accountClients());
    expect(
      await reader.read(
        makeFinding({ details: { kind: 'security-group', groupId: 'sg-0000000000000dead' } }),
      ),
    ).toMatchObject({ kind: 'gone' });

    const revoke = new DirectRemediator(sandbox.accountClients()).execute(
      {
        kind: 'revoke-ingress',
        accountId: '111122223333',
        region: 'ap-northeast-1',
        groupId: 'sg-0abc1234def567890',
        revocations: [{ ruleId: 'sgr-00000000000000000', words: 'SSH from anywhere' }],
      } as never,
      { findingId: 'f', decisionId: 'd' },
    );
    await expect(revoke).rejects.toBeInstanceOf(SecurityGroupRuleGoneError);
  });

  it('denies assuming the member role in an account the estate does not hold', async () => {
    const reader = new AwsResourceStateReader(sandbox.accountClients());
    await expect(reader.read(makeFinding({ accountId: '999988887777' }))).rejects.toBeInstanceOf(
      AwsAssumeRoleDeniedError,
    );
  });

  it('refuses a Security Hub filter with EQUALS and NOT_EQUALS on one field, as Security Hub does', async () => {
    const client = sandbox.securityHubClient('ap-northeast-1');
    await expect(
      client.send(
        new GetFindingsCommand({
          Filters: {
            RecordState: [
              { Value: 'ACTIVE', Comparison: 'EQUALS' },
              { Value: 'ARCHIVED', Comparison: 'NOT_EQUALS' },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('says SSM Automation is not emulated and how to run instead', async () => {
    const ssm = await sandbox.accountClients().ssm('111122223333', 'us-east-1');
    const { StartAutomationExecutionCommand } = await import('@aws-sdk/client-ssm');
    await expect(
      ssm.send(
        new StartAutomationExecutionCommand({ DocumentName: 'AWS-DisablePublicAccessForSecurityGroup' }),
      ),
    ).rejects.toThrow(/does not emulate SSM StartAutomationExecution; run the bot with CSPM_EXECUTOR=direct/);
  });
});
