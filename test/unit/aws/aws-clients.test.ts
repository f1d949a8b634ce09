import 'aws-sdk-client-mock-vitest/extend';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import type { AssumeRoleResponse } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountClients } from '../../../src/aws/aws-clients.js';
import type { AccountClientsOptions } from '../../../src/aws/aws-clients.js';
import { AwsAssumeRoleDeniedError, AwsThrottledError } from '../../../src/aws/errors.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

const HOME = '999988887777';
const MEMBER = ACCOUNT;
const OTHER_MEMBER = '444455556666';
const START = new Date('2026-11-02T09:00:00.000Z');
const MINUTE = 60_000;

const sts = mockClient(STSClient);

function stsError(name: string, message: string): STSServiceException {
  return new STSServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 403 } });
}

/** The SDK's retry strategies name their mode (`standard`, `adaptive`). */
async function retryModeOf(client: { config: { retryStrategy: () => Promise<unknown> } }): Promise<unknown> {
  return ((await client.config.retryStrategy()) as { mode?: unknown }).mode;
}

let issued = 0;

/** AssumeRole's answer as the CLI example shows it: a one-hour session, new keys each time. */
function assumeRoleOutput(accountId: string): AssumeRoleResponse {
  issued += 1;
  return {
    AssumedRoleUser: {
      AssumedRoleId: `AROA3XFRBF23EXAMPLE${issued}:cspm-bot`,
      Arn: `arn:aws:sts::${accountId}:assumed-role/cspm-bot-member/cspm-bot`,
    },
    Credentials: {
      AccessKeyId: `ASIAJEXAMPLEXEG2JIC${issued}`,
      SecretAccessKey: `9drTJvcXLB89EXAMPLELB8923FB892xMFI${issued}`,
      SessionToken: `AQoXdzELDDY//////////wEaoAK1wvxJY12r2IrDFT2IvAzTCn3zHoZ7YNtpiQLF0MqZye/${issued}`,
      Expiration: new Date(Date.now() + 60 * MINUTE),
    },
  };
}

function newClients(overrides: Partial<AccountClientsOptions> = {}): AccountClients {
  return new AccountClients({
    homeAccountId: HOME,
    memberRoleName: 'cspm-bot-member',
    externalId: 'cspm-bot-7f3a9c',
    sts: new STSClient({ region: REGION }),
    ...overrides,
  });
}

beforeEach(() => {
  sts.reset();
  issued = 0;
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const accountId = /::(\d{12}):role\//.exec(input.RoleArn)?.[1] ?? '';
    return assumeRoleOutput(accountId);
  });
  // Only Date is faked: the SDK's own credential memo and our cache both read Date.now().
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('AccountClients', () => {
  it('assumes the member role with the external id and session name for another account', async () => {
    // Prepare
    const clients = newClients();

    // Act
    const ec2 = await clients.ec2(MEMBER, REGION);
    const credentials = await ec2.config.credentials();

    // Assess
    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/cspm-bot-member`,
      RoleSessionName: 'cspm-bot',
      ExternalId: 'cspm-bot-7f3a9c',
    });
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAJEXAMPLEXEG2JIC1',
      sessionToken: expect.any(String),
    });
    expect(await ec2.config.region()).toBe(REGION);
  });

  it('sends no ExternalId when none is configured', async () => {
    const clients = newClients({ externalId: undefined });

    await (await clients.ec2(MEMBER, REGION)).config.credentials();

    const input = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input).toEqual({
      RoleArn: `arn:aws:iam::${MEMBER}:role/cspm-bot-member`,
      RoleSessionName: 'cspm-bot',
    });
  });

  it('names the role in the configured partition', async () => {
    const clients = newClients({ partition: 'aws-cn' });

    await (await clients.ec2(MEMBER, 'cn-north-1')).config.credentials();

    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws-cn:iam::${MEMBER}:role/cspm-bot-member`,
    });
    expect(clients.automationRoleArn(MEMBER, 'cspm-bot-automation')).toBe(
      `arn:aws-cn:iam::${MEMBER}:role/cspm-bot-automation`,
    );
  });

  it('uses the default credential chain for the home account and never assumes a role there', async () => {
    // Prepare: the default chain reads the environment first.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAHOMEACCOUNTEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const clients = newClients();

    // Act
    const ec2 = await clients.ec2(HOME, REGION);
    const credentials = await ec2.config.credentials();
    await clients.ssm(HOME, REGION);
    await clients.autoScaling(HOME, REGION);
    const securityHub = await clients.securityHub(REGION);

    // Assess
    expect(credentials.accessKeyId).toBe('AKIAHOMEACCOUNTEXAMPLE');
    expect((await securityHub.config.credentials()).accessKeyId).toBe('AKIAHOMEACCOUNTEXAMPLE');
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
    expect(sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
  });

  it('shares one session among the services of an account and asks STS once', async () => {
    const clients = newClients();

    const [ec2, ssm, autoScaling] = await Promise.all([
      clients.ec2(MEMBER, REGION),
      clients.ssm(MEMBER, REGION),
      clients.autoScaling(MEMBER, 'eu-west-1'),
    ]);
    const keys = await Promise.all(
      [ec2, ssm, autoScaling].map(async (client) => (await client.config.credentials()).accessKeyId),
    );

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(new Set(keys)).toEqual(new Set(['ASIAJEXAMPLEXEG2JIC1']));
  });

  it('keeps a separate session per account', async () => {
    const clients = newClients();

    await (await clients.ec2(MEMBER, REGION)).config.credentials();
    await (await clients.ec2(OTHER_MEMBER, REGION)).config.credentials();

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${OTHER_MEMBER}:role/cspm-bot-member`,
    });
  });

  it.each([
    ['50 minutes', 50 * MINUTE, 1, 'ASIAJEXAMPLEXEG2JIC1'],
    ['56 minutes (under 5 minutes left)', 56 * MINUTE, 2, 'ASIAJEXAMPLEXEG2JIC2'],
    ['two hours (expired)', 120 * MINUTE, 2, 'ASIAJEXAMPLEXEG2JIC2'],
  ])(
    'after %s of a one-hour session, assumes the role %i time(s) in all',
    async (_label, later, times, key) => {
      // Prepare
      const clients = newClients();
      const ec2 = await clients.ec2(MEMBER, REGION);
      await ec2.config.credentials();

      // Act
      vi.setSystemTime(START.getTime() + later);
      const credentials = await ec2.config.credentials();

      // Assess
      expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, times);
      expect(credentials.accessKeyId).toBe(key);
    },
  );

  it('renews a session by the injected clock for a client that has not signed with it yet', async () => {
    let now = START.getTime();
    const clients = newClients({ now: () => now });
    const first = await clients.ec2(MEMBER, REGION);
    await first.config.credentials();

    // The SDK's memo still holds the session for `first`; a client of another service asks our cache.
    now += 56 * MINUTE;
    const second = await clients.ssm(MEMBER, REGION);
    const credentials = await second.config.credentials();

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(credentials.accessKeyId).toBe('ASIAJEXAMPLEXEG2JIC2');
  });

  it('turns AccessDenied on AssumeRole into an error that says to deploy the member role', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejects(
        stsError(
          'AccessDenied',
          `User: arn:aws:sts::${HOME}:assumed-role/cspm-bot/cspm-bot-fn is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${MEMBER}:role/cspm-bot-member`,
        ),
      );
    const clients = newClients();
    const ec2 = await clients.ec2(MEMBER, REGION);

    // Act
    const error = await ec2.config.credentials().catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(AwsAssumeRoleDeniedError);
    const denied = error as AwsAssumeRoleDeniedError;
    expect(denied.code).toBe('AWS_ASSUME_ROLE_DENIED');
    expect(denied.roleArn).toBe(`arn:aws:iam::${MEMBER}:role/cspm-bot-member`);
    expect(denied.userMessage).toContain(`account ${MEMBER}`);
    expect(denied.userMessage).toContain('cspm-bot-member');
    expect(denied.userMessage).toMatch(/deploy the member-account role/i);
    expect(denied.userMessage).toContain('README');
    expect(denied.cause).toBeInstanceOf(STSServiceException);
  });

  it('asks STS again after a refusal (the role may have been deployed since)', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(stsError('AccessDenied', 'not authorized'))
      .resolves(assumeRoleOutput(MEMBER));
    const clients = newClients();
    const ec2 = await clients.ec2(MEMBER, REGION);

    await expect(ec2.config.credentials()).rejects.toBeInstanceOf(AwsAssumeRoleDeniedError);
    const credentials = await ec2.config.credentials();

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
  });

  it('translates throttling on AssumeRole like any other AWS call', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 'Rate exceeded'));
    const clients = newClients();

    const error = await (
      await clients.ec2(MEMBER, REGION)
    ).config
      .credentials()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AwsThrottledError);
  });

  it('learns the home account from STS GetCallerIdentity once when it is not configured', async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).resolves({
      UserId: 'AROA3XFRBF23EXAMPLE:cspm-bot-fn',
      Account: HOME,
      Arn: `arn:aws:sts::${HOME}:assumed-role/cspm-bot/cspm-bot-fn`,
    });
    const clients = newClients({ homeAccountId: undefined });

    // Act
    await clients.ec2(HOME, REGION);
    await clients.ssm(HOME, REGION);
    await (await clients.ec2(MEMBER, REGION)).config.credentials();

    // Assess
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/cspm-bot-member`,
    });
  });

  it('caches clients per account, region and service', async () => {
    const clients = newClients();

    const first = await clients.ec2(MEMBER, REGION);
    const again = await clients.ec2(MEMBER, REGION);
    const otherRegion = await clients.ec2(MEMBER, 'eu-west-1');
    const otherAccount = await clients.ec2(OTHER_MEMBER, REGION);

    expect(again).toBe(first);
    expect(otherRegion).not.toBe(first);
    expect(otherAccount).not.toBe(first);
    expect(await otherRegion.config.region()).toBe('eu-west-1');
  });

  it('builds clients with the configured retry policy', async () => {
    const clients = newClients({ clientConfig: { maxAttempts: 3, retryMode: 'standard' } });

    const ssm = await clients.ssm(MEMBER, REGION);

    expect(await ssm.config.maxAttempts()).toBe(3);
    expect(await retryModeOf(ssm)).toBe('standard');
  });

  it('retries adaptively by default', async () => {
    const ec2 = await newClients().ec2(MEMBER, REGION);

    expect(await retryModeOf(ec2)).toBe('adaptive');
    expect(await ec2.config.maxAttempts()).toBe(5);
  });
});

describe("AccountClients for one change (who did it, in the member account's CloudTrail)", () => {
  const DECISION = '0b5b2a52-7c1e-4d8e-9f0a-3c2d1e0f9a8b';

  it('assumes the member role in a session named after the decision and the Slack user', async () => {
    const clients = newClients();

    const ssm = await clients
      .forChange({ findingId: 'finding-1', decisionId: DECISION, slackUserId: 'U0ALICE01' })
      .ssm(MEMBER, REGION);
    await ssm.config.credentials();

    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/cspm-bot-member`,
      RoleSessionName: `cspm-bot.${DECISION}.U0ALICE01`,
      ExternalId: 'cspm-bot-7f3a9c',
    });
  });

  it('gives each decision its own session, while reads keep the one cached session', async () => {
    const clients = newClients();
    const read = await clients.ec2(MEMBER, REGION);
    await read.config.credentials();

    const first = await clients
      .forChange({ findingId: 'finding-1', decisionId: DECISION })
      .ec2(MEMBER, REGION);
    const second = await clients
      .forChange({ findingId: 'finding-2', decisionId: 'decision-2', slackUserId: 'U0BOB0002' })
      .ec2(MEMBER, REGION);
    await first.config.credentials();
    await second.config.credentials();
    await (await clients.ec2(MEMBER, REGION)).config.credentials();

    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleSessionName)).toEqual([
      'cspm-bot',
      `cspm-bot.${DECISION}`,
      'cspm-bot.decision-2.U0BOB0002',
    ]);
    expect(first).not.toBe(read);
    expect(await clients.ec2(MEMBER, REGION)).toBe(read);
  });

  it("signs with the bot's own credentials in its home account, asking STS nothing", async () => {
    const clients = newClients();

    const ec2 = await clients.forChange({ findingId: 'finding-1', decisionId: DECISION }).ec2(HOME, REGION);

    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
    expect(sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
    expect(await ec2.config.region()).toBe(REGION);
  });
});
