import { EC2Client } from '@aws-sdk/client-ec2';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { AccountClientPool, ServiceClientNotWiredError } from '../../../src/aws/account-client-pool.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

// The Ingest Lambda's pool: EC2 and Security Hub only, so its bundle carries no SSM or Auto Scaling client.
function ingestPool(): AccountClientPool {
  return new AccountClientPool({
    homeAccountId: ACCOUNT,
    memberRoleName: 'cspm-bot-member',
    sts: new STSClient({ region: REGION }),
    services: { ec2: EC2Client, securityHub: SecurityHubClient },
  });
}

describe('a client pool wired with some services', () => {
  it('makes the clients it was given, for the account and region asked', async () => {
    const pool = ingestPool();
    const ec2 = await pool.ec2(ACCOUNT, REGION);
    expect(ec2).toBeInstanceOf(EC2Client);
    expect(await ec2.config.region()).toBe(REGION);
    expect(await pool.securityHub(REGION)).toBeInstanceOf(SecurityHubClient);
  });

  it('refuses a client it was not given, naming the service, instead of loading it behind the bundle’s back', async () => {
    const pool = ingestPool();
    await expect(pool.ssm(ACCOUNT, REGION)).rejects.toThrow(ServiceClientNotWiredError);
    await expect(pool.autoScaling(ACCOUNT, REGION)).rejects.toThrow(/No autoScaling client is wired/);
  });

  it('keeps its services in the clients scoped to one change', async () => {
    const scoped = ingestPool().forChange({
      findingId: 'f-1',
      decisionId: 'dec-1',
      slackUserId: 'U0123ABCD',
    });
    expect(await scoped.ec2(ACCOUNT, REGION)).toBeInstanceOf(EC2Client);
    await expect(scoped.ssm(ACCOUNT, REGION)).rejects.toThrow(ServiceClientNotWiredError);
  });
});
