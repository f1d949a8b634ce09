import type { App, Environment } from 'aws-cdk-lib';
import { settingsFromEnvironment } from './bot-settings.js';
import { CspmBotStack } from './cspm-bot-stack.js';
import { CspmBotMemberStack } from './member-account-stack.js';

export interface CspmBotStacks {
  readonly bot: CspmBotStack;
  /** Only when the `botAccountId` context is given: plain `cdk synth` builds the bot alone. */
  readonly member?: CspmBotMemberStack;
}

/**
 * The stacks of `npx cdk synth | deploy`. `CspmBot` always; `CspmBotMember` for
 * `cdk deploy CspmBotMember -c botAccountId=111122223333 [-c externalId=…]` in a member account.
 * Settings come from the deploying shell's CSPM_* variables.
 */
export function defineCspmBotStacks(
  app: App,
  env: Readonly<Record<string, string | undefined>>,
): CspmBotStacks {
  const account = env.CDK_DEFAULT_ACCOUNT;
  const region = env.CDK_DEFAULT_REGION;
  const environment: Environment = { ...(account && { account }), ...(region && { region }) };

  const bot = new CspmBotStack(app, 'CspmBot', { env: environment, settings: settingsFromEnvironment(env) });

  const botAccountId = contextString(app, 'botAccountId');
  if (botAccountId === undefined) return { bot };
  const externalId = contextString(app, 'externalId');
  const member = new CspmBotMemberStack(app, 'CspmBotMember', {
    env: environment,
    botAccountId,
    ...(externalId !== undefined && { externalId }),
  });
  return { bot, member };
}

// `-c name=value` arrives as a string; cdk.json or a test may hold a number.
function contextString(app: App, name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  return value === undefined || value === null ? undefined : String(value);
}
