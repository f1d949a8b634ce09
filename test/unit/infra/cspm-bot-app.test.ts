import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { defineCspmBotStacks } from '../../../infra/cspm-bot-app.js';
import { BotSettingsError } from '../../../infra/bot-settings.js';

// Builds the app's constructs only: no synthesis, and no bundling (the CLI's own switch for "bundle no stack").
function appWith(context: Record<string, unknown> = {}): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

function stackIds(app: App): string[] {
  return app.node.children.filter((child) => child instanceof Stack).map((stack) => stack.node.id);
}

describe('defineCspmBotStacks', () => {
  it('defines only the bot stack for a plain `cdk synth`', () => {
    const app = appWith();

    const stacks = defineCspmBotStacks(app, {});

    expect(stackIds(app)).toEqual(['CspmBot']);
    expect(stacks.member).toBeUndefined();
  });

  it('adds the member-account stack when the botAccountId context is given', () => {
    const app = appWith({ botAccountId: '111122223333', externalId: 'cspm-bot-7f3a9c' });

    const { member } = defineCspmBotStacks(app, {});

    expect(stackIds(app)).toEqual(['CspmBot', 'CspmBotMember']);
    expect(member?.memberRole.assumeRolePolicy?.toJSON()).toMatchObject({
      Statement: [{ Condition: { StringEquals: { 'sts:ExternalId': 'cspm-bot-7f3a9c' } } }],
    });
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

  it("passes the shell's CSPM_* settings to the bot stack, which refuses secret-looking ones", () => {
    expect(() => defineCspmBotStacks(appWith(), { CSPM_SLACK_TOKEN: 'xoxb-1-2-abc' })).toThrow(
      BotSettingsError,
    );
  });
});
