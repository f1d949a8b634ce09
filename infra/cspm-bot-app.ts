import { isAbsolute, join, relative } from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import type { App, Environment } from 'aws-cdk-lib';
import { PROJECT_ROOT } from './bot-function.js';
import {
  BotSettingsError,
  DEFAULT_SETTINGS_FILE,
  deployableConfig,
  readSettingsFile,
  shellSettingNames,
} from './bot-settings.js';
import { CspmBotStack } from './cspm-bot-stack.js';
import { CspmBotMemberStack } from './member-account-stack.js';
import {
  extraRunbookRegions,
  RegionalRunbooksStack,
  regionalRunbooksStackName,
} from './regional-runbooks-stack.js';

export interface CspmBotStacks {
  readonly bot: CspmBotStack;
  /** Only when the `botAccountId` context is given: plain `cdk synth` builds the bot alone. */
  readonly member?: CspmBotMemberStack;
  /** `CspmBotRunbooks-<region>`: the runbooks in every CSPM_AWS_REGIONS region but the deploy region. */
  readonly runbooks: readonly RegionalRunbooksStack[];
  /** The settings file both stacks were built from. */
  readonly settingsFile: string;
}

/**
 * The stacks of `npx cdk synth | deploy`. `CspmBot` always; `CspmBotMember` for
 * `cdk deploy CspmBotMember -c botAccountId=111122223333` in a member account. Both read one settings file
 * (`cspm-bot.settings.json`, or `-c settingsFile=<path>`), validated by the runtime's own schema, so the member role
 * expects the external id and executor the bot uses. The shell's CSPM_* variables are ignored, with a warning.
 */
export function defineCspmBotStacks(
  app: App,
  env: Readonly<Record<string, string | undefined>>,
): CspmBotStacks {
  const account = env.CDK_DEFAULT_ACCOUNT;
  const region = env.CDK_DEFAULT_REGION;
  const environment: Environment = { ...(account && { account }), ...(region && { region }) };

  const settingsFile = settingsFileOf(app);
  const settings = readSettingsFile(settingsFile);
  const config = deployableConfig(settings);

  const bot = new CspmBotStack(app, 'CspmBot', { env: environment, settings });
  const ignored = shellSettingNames(env);
  if (ignored.length > 0) {
    Annotations.of(bot).addWarningV2(
      'cspm-bot:shell-settings-ignored',
      `Ignored the shell's ${ignored.join(', ')}: deployed settings come only from ` +
        `${relative(PROJECT_ROOT, settingsFile)}.`,
    );
  }

  // SSM documents are regional, IAM roles global: the other regions get the documents alone, in stacks that deploy
  // the same way to the bot account and to each member account.
  const runbooks = extraRunbookRegions(config.awsRegions, region).map(
    (other) =>
      new RegionalRunbooksStack(app, regionalRunbooksStackName(other), {
        env: { ...(account && { account }), region: other },
      }),
  );

  const botAccountId = contextString(app, 'botAccountId');
  if (botAccountId === undefined) return { bot, runbooks, settingsFile };
  if (contextString(app, 'externalId') !== undefined) {
    throw new BotSettingsError([
      `externalId: set CSPM_MEMBER_ROLE_EXTERNAL_ID in ${settingsFile} instead, so the bot sends the external id ` +
        'the member role expects',
    ]);
  }
  const externalId = config.remediation.memberRoleExternalId;
  const member = new CspmBotMemberStack(app, 'CspmBotMember', {
    env: environment,
    botAccountId,
    executor: config.remediation.executor,
    regions: config.awsRegions,
    ...(externalId !== undefined && { externalId }),
  });
  return { bot, member, runbooks, settingsFile };
}

/** `-c settingsFile=<path>` (relative to the repository root), else `cspm-bot.settings.json` there. */
function settingsFileOf(app: App): string {
  const given = contextString(app, 'settingsFile') ?? DEFAULT_SETTINGS_FILE;
  return isAbsolute(given) ? given : join(PROJECT_ROOT, given);
}

// `-c name=value` arrives as a string; cdk.json or a test may hold a number.
function contextString(app: App, name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  return value === undefined || value === null ? undefined : String(value);
}
