import { EC2Client } from '@aws-sdk/client-ec2';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { AccountClients } from '../../../src/aws/aws-clients.js';
import type { ServiceClient } from '../../../src/aws/aws-clients.js';

const HOME = '111122223333';
const MEMBER = '444455556666';

function recordingClients(): { clients: AccountClients; configured: [string, string | undefined, string][] } {
  const configured: [string, string | undefined, string][] = [];
  const clients = new AccountClients({
    homeAccountId: HOME,
    memberRoleName: 'cspm-bot-member',
    sts: new STSClient({ region: 'us-east-1' }),
    configureClient: (client: ServiceClient, where) =>
      configured.push([client.constructor.name, where.accountId, where.region]),
  });
  return { clients, configured };
}

describe('AccountClients configureClient', () => {
  it('sees each client once, as it is made, with the account and region it serves', async () => {
    const { clients, configured } = recordingClients();

    const first = await clients.ec2(MEMBER, 'eu-west-1');
    const again = await clients.ec2(MEMBER, 'eu-west-1');
    await clients.autoScaling(HOME, 'ap-northeast-1');
    await clients.ssm(MEMBER, 'us-east-1');
    const hub = await clients.securityHub('ap-northeast-1');

    expect(again).toBe(first);
    expect(first).toBeInstanceOf(EC2Client);
    expect(hub).toBeInstanceOf(SecurityHubClient);
    expect(configured).toEqual([
      ['EC2Client', MEMBER, 'eu-west-1'],
      ['AutoScalingClient', HOME, 'ap-northeast-1'],
      ['SSMClient', MEMBER, 'us-east-1'],
      ['SecurityHubClient', undefined, 'ap-northeast-1'],
    ]);
  });

  it('is kept by the clients made for one change', async () => {
    const { clients, configured } = recordingClients();

    await clients
      .forChange({ findingId: 'f', decisionId: 'd', slackUserId: 'U0ALICE' })
      .ec2(MEMBER, 'eu-west-1');

    expect(configured).toEqual([['EC2Client', MEMBER, 'eu-west-1']]);
  });
});
