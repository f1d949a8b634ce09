import {
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  ModifyInstanceMetadataOptionsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsCallPacer, PacedClients } from '../../../src/aws/rate-limited-clients.js';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);

afterAll(() => {
  ec2.restore();
  ssm.restore();
});
beforeEach(() => {
  ec2.reset();
  ssm.reset();
});

/** A fake clock that only moves when the pacer sleeps: `sentAt` is when each call went to AWS. */
function fakeTime() {
  let nowMs = 0;
  const slept: number[] = [];
  return {
    nowMs: () => nowMs,
    sleep: async (ms: number) => {
      slept.push(ms);
      nowMs += ms;
    },
    slept,
  };
}

const clientsOver = (pacer: AwsCallPacer) =>
  new PacedClients(
    {
      ec2: async (_account, region) => new EC2Client({ region }),
      autoScaling: async () => {
        throw new Error('not used');
      },
      s3: async () => {
        throw new Error('not used');
      },
      s3Control: async () => {
        throw new Error('not used');
      },
      ssm: async (_account, region) => new SSMClient({ region }),
      automationRoleArn: (accountId, role) => `arn:aws:iam::${accountId}:role/${role}`,
    },
    pacer,
  );

const throttled = (name: string) =>
  Object.assign(new Error('Request limit exceeded.'), { name, $fault: 'client' });

describe('paced AWS clients', () => {
  it('sends 50 revokes in one account and region at once, then waits 200 ms per revoke', async () => {
    const time = fakeTime();
    const sentAt: number[] = [];
    ec2.on(RevokeSecurityGroupIngressCommand).callsFake(() => {
      sentAt.push(time.nowMs());
      return { Return: true };
    });
    const clients = clientsOver(new AwsCallPacer(time));
    const client = await clients.ec2('111122223333', 'eu-west-1');
    for (let index = 0; index < 55; index += 1) {
      await client.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0abc', SecurityGroupRuleIds: [`sgr-${index}`] }),
      );
    }
    expect(sentAt.slice(0, 50).every((at) => at === 0)).toBe(true);
    expect(sentAt.slice(50)).toEqual([200, 400, 600, 800, 1000]);
  });

  it('counts each account and region in its own bucket, as AWS does', async () => {
    const time = fakeTime();
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const clients = clientsOver(new AwsCallPacer(time));
    const first = await clients.ec2('111122223333', 'eu-west-1');
    const otherRegion = await clients.ec2('111122223333', 'us-east-1');
    const otherAccount = await clients
      .forChange({ findingId: 'f', decisionId: 'd' })
      .ec2('444455556666', 'eu-west-1');
    for (let index = 0; index < 50; index += 1) {
      await first.send(new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0abc' }));
      await otherRegion.send(new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0abc' }));
      await otherAccount.send(new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0abc' }));
    }
    expect(time.slept).toEqual([]);
    await first.send(new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0abc' }));
    expect(time.slept).toEqual([200]);
  });

  it('starts at most one SSM automation per second', async () => {
    const time = fakeTime();
    const sentAt: number[] = [];
    ssm.on(StartAutomationExecutionCommand).callsFake(() => {
      sentAt.push(time.nowMs());
      return { AutomationExecutionId: `exec-${sentAt.length}` };
    });
    const client = await clientsOver(new AwsCallPacer(time)).ssm('111122223333', 'eu-west-1');
    for (let index = 0; index < 4; index += 1)
      await client.send(new StartAutomationExecutionCommand({ DocumentName: 'cspm-bot-RevokeIngress' }));
    expect(sentAt).toEqual([0, 1000, 2000, 3000]);
  });

  it('does not pace reads', async () => {
    const time = fakeTime();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
    const client = await clientsOver(new AwsCallPacer(time)).ec2('111122223333', 'eu-west-1');
    for (let index = 0; index < 200; index += 1) await client.send(new DescribeSecurityGroupRulesCommand({}));
    expect(time.slept).toEqual([]);
  });

  it('retries a throttled revoke after backing off, and returns its answer', async () => {
    const time = fakeTime();
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(throttled('RequestLimitExceeded'))
      .rejectsOnce(throttled('RequestLimitExceeded'))
      .resolves({ Return: true, RevokedSecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-1' }] });
    const client = await clientsOver(new AwsCallPacer({ ...time, random: () => 1 })).ec2(
      '111122223333',
      'eu-west-1',
    );
    const output = await client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0abc', SecurityGroupRuleIds: ['sgr-1'] }),
    );
    expect(output.RevokedSecurityGroupRules).toEqual([{ SecurityGroupRuleId: 'sgr-1' }]);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(3);
    expect(time.slept).toEqual([1000, 2000]);
  });

  it('retries ThrottlingException from SSM, and gives up after the attempts with the throttling error', async () => {
    const time = fakeTime();
    ssm.on(StartAutomationExecutionCommand).rejects(throttled('ThrottlingException'));
    const client = await clientsOver(new AwsCallPacer({ ...time, maxAttempts: 3, random: () => 0 })).ssm(
      '111122223333',
      'eu-west-1',
    );
    await expect(
      client.send(new StartAutomationExecutionCommand({ DocumentName: 'd' })),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(ssm.commandCalls(StartAutomationExecutionCommand)).toHaveLength(3);
  });

  it('never retries a call AWS refused for another reason', async () => {
    const time = fakeTime();
    ec2
      .on(ModifyInstanceMetadataOptionsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
    const client = await clientsOver(new AwsCallPacer(time)).ec2('111122223333', 'eu-west-1');
    await expect(
      client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: 'i-0abc' })),
    ).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)).toHaveLength(1);
  });
});
