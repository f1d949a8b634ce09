import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { defineCspmBotStacks } from '../../../infra/cspm-bot-app.js';
import { BotSettingsError } from '../../../infra/bot-settings.js';
import { PROJECT_ROOT } from '../../../infra/bot-function.js';
import { actionsIn, statementsOf } from './template-reading.js';

const folder = mkdtempSync(join(tmpdir(), 'cspm-bot-app-'));

/** A settings file in a temporary folder, for `-c settingsFile=<path>`. */
function settingsFile(name: string, settings: Record<string, unknown>): string {
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

// Builds the app's constructs only: no synthesis, and no bundling (the CLI's own switch for "bundle no stack").
function appWith(context: Record<string, unknown> = {}): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

function stackIds(app: App): string[] {
  return app.node.children.filter((child) => child instanceof Stack).map((stack) => stack.node.id);
}

function warningsOf(stack: Stack): string[] {
  return stack.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:warning')
    .map((entry) => String(entry.data));
}

describe('defineCspmBotStacks', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('defines only the bot stack for a plain `cdk synth`, from the committed settings file', () => {
    const app = appWith();

    const stacks = defineCspmBotStacks(app, {});

    expect(stackIds(app)).toEqual(['CspmBot']);
    expect(stacks.member).toBeUndefined();
    expect(stacks.settingsFile).toBe(join(PROJECT_ROOT, 'cspm-bot.settings.json'));
  });

  it('adds the member-account stack when the botAccountId context is given, with the external id of the settings', () => {
    const file = settingsFile('external-id.json', { CSPM_MEMBER_ROLE_EXTERNAL_ID: 'cspm-bot-7f3a9c' });
    const app = appWith({ botAccountId: '111122223333', settingsFile: file });

    const { member } = defineCspmBotStacks(app, {});

    expect(stackIds(app)).toEqual(['CspmBot', 'CspmBotMember']);
    expect(member?.memberRole.assumeRolePolicy?.toJSON()).toMatchObject({
      Statement: [{ Condition: { StringEquals: { 'sts:ExternalId': 'cspm-bot-7f3a9c' } } }],
    });
  });

  it('refuses an externalId context, which the bot would never send', () => {
    const app = appWith({ botAccountId: '111122223333', externalId: 'cspm-bot-7f3a9c' });

    expect(() => defineCspmBotStacks(app, {})).toThrow(
      /externalId: set CSPM_MEMBER_ROLE_EXTERNAL_ID in .*settings/,
    );
  });

  it('reads an account id given as a number in cdk.json as the same account', () => {
    const app = appWith({ botAccountId: 111122223333 });

    expect(() => defineCspmBotStacks(app, {})).not.toThrow();
    expect(stackIds(app)).toContain('CspmBotMember');
  });

  it('refuses a botAccountId that is not an account id', () => {
    expect(() => defineCspmBotStacks(appWith({ botAccountId: 'prod' }), {})).toThrow(BotSettingsError);
  });

  it("deploys both stacks into the CLI's default account and region", () => {
    const app = appWith({ botAccountId: '111122223333' });

    const { bot, member } = defineCspmBotStacks(app, {
      CDK_DEFAULT_ACCOUNT: '444455556666',
      CDK_DEFAULT_REGION: 'eu-west-1',
    });

    expect([bot.account, bot.region]).toEqual(['444455556666', 'eu-west-1']);
    expect([member?.account, member?.region]).toEqual(['444455556666', 'eu-west-1']);
  });

  it("ignores the shell's CSPM_* variables, naming them in a synth warning without their values", () => {
    const app = appWith({ settingsFile: settingsFile('high.json', { CSPM_SEVERITY_THRESHOLD: 'HIGH' }) });

    const { bot } = defineCspmBotStacks(app, {
      CSPM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      CSPM_SEVERITY_THRESHOLD: 'MEDIUM',
    });
    const variables = (
      bot.resolve((bot.worker.handler.node.defaultChild as CfnFunction).environment) as {
        variables: Record<string, unknown>;
      }
    ).variables;
    const warnings = warningsOf(bot);

    expect(variables).not.toHaveProperty('CSPM_DYNAMODB_ENDPOINT');
    expect(variables['CSPM_SEVERITY_THRESHOLD']).toBe('HIGH');
    expect(warnings).toEqual([expect.stringContaining('CSPM_DYNAMODB_ENDPOINT, CSPM_SEVERITY_THRESHOLD')]);
    expect(warnings[0]).not.toContain('127.0.0.1');
  });

  it('refuses a settings file holding local-only settings, naming each', () => {
    const file = settingsFile('local.json', {
      CSPM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      CSPM_SLACK_API_URL: 'http://127.0.0.1:9000/api/',
      CSPM_SAMPLES: true,
      CSPM_DATA_DIR: 'data',
    });

    expect(() => defineCspmBotStacks(appWith({ settingsFile: file }), {})).toThrow(
      /CSPM_DYNAMODB_ENDPOINT: local-only[\s\S]*CSPM_SLACK_API_URL[\s\S]*CSPM_SAMPLES[\s\S]*CSPM_DATA_DIR/,
    );
  });

  it('refuses a settings file holding a secret-looking setting', () => {
    const file = settingsFile('secret.json', { CSPM_SLACK_TOKEN: 'xoxb-1-2-abc' });

    expect(() => defineCspmBotStacks(appWith({ settingsFile: file }), {})).toThrow(BotSettingsError);
  });

  it('refuses a settings file that is missing, naming the path and the way to choose another', () => {
    const app = appWith({ settingsFile: join(folder, 'absent.json') });

    expect(() => defineCspmBotStacks(app, {})).toThrow(/absent\.json: cannot read[\s\S]*-c settingsFile=/);
  });

  it.each([
    ['ssm', false],
    ['direct', true],
  ])(
    'with CSPM_EXECUTOR=%s in the settings, lets the member role change resources itself: %s',
    (executor, changes) => {
      const file = settingsFile(`${executor}.json`, { CSPM_EXECUTOR: executor });
      const app = appWith({ botAccountId: '111122223333', settingsFile: file });

      const { member } = defineCspmBotStacks(app, {});
      const actions = actionsIn(statementsOf(Template.fromStack(member!), member!, member!.memberRole));

      expect(actions.includes('ec2:RevokeSecurityGroupIngress')).toBe(changes);
      expect(actions.includes('ssm:StartAutomationExecution')).toBe(!changes);
    },
  );
});
