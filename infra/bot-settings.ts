import { readFileSync } from 'node:fs';
import { ConfigError } from '../src/config/config-error.js';
import type { Config } from '../src/config/config.js';
import { loadConfig, LOCAL_ONLY_SETTINGS, SETTING_NAMES } from '../src/config/config.js';
import { AppError } from '../src/domain/app-error.js';
import { isAtLeast, SEVERITY_LABELS } from '../src/domain/severity.js';
import type { Severity } from '../src/domain/severity.js';

/**
 * `CSPM_*` settings passed through to every Lambda as environment variables (CSPM_DEFAULT_CHANNEL, CSPM_ROUTES, …),
 * as text, the way the runtime reads them. They come from the settings file only, never from the deploying shell.
 * Lambda environment variables are readable by anyone who can read the function configuration, so a secret must
 * never travel this way: Slack credentials live in the Secrets Manager secret instead.
 */
export type BotSettings = Readonly<Record<string, string>>;

/** The settings file `npx cdk synth | deploy` reads unless `-c settingsFile=<path>` names another. */
export const DEFAULT_SETTINGS_FILE = 'cspm-bot.settings.json';

/**
 * Set by the stack itself from the resources it creates (the role names are the ones its IAM grants name); a
 * setting may not override them.
 */
export const STACK_OWNED_SETTINGS = [
  'CSPM_TABLE_NAME',
  'CSPM_SLACK_SECRET_ARN',
  'CSPM_WORKER_FUNCTION_NAME',
  'CSPM_HOME_ACCOUNT_ID',
  'CSPM_MEMBER_ROLE_NAME',
  'CSPM_AUTOMATION_ROLE_NAME',
] as const;

/** Settings for the stack itself (alarm subscriptions), never passed to a Lambda: the runtime does not read them. */
export const DEPLOY_ONLY_SETTINGS = ['CSPM_ALARM_EMAIL'] as const;

const SETTING_NAME = /^CSPM_[A-Z0-9_]+$/;
const SECRET_LIKE_NAME = /SECRET|TOKEN|PASSWORD|PASSPHRASE|PRIVATE_KEY|CREDENTIAL|SIGNING/;
// Slack bot/user/app tokens and AWS access key ids: the values most likely to be pasted into the wrong variable.
const SECRET_LIKE_VALUE = /\bxox[a-z]-|\bxapp-|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;

function isIn(names: readonly string[], name: string): boolean {
  return names.includes(name);
}

/** Settings that cannot be deployed; lists every problem and never echoes a value (it may be a secret). */
export class BotSettingsError extends AppError {
  readonly code = 'INFRA_SETTINGS_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid cspm-bot settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, {
      problems,
    });
    this.problems = problems;
  }
}

/** Every reason `name` cannot be deployed as a plain Lambda environment variable; empty when it can. */
function problemsWith(name: string, value: string): string[] {
  if (isIn(LOCAL_ONLY_SETTINGS, name)) {
    return [
      `${name}: local-only (npm start and the tests); a deployed bot uses the stack's own table, Slack and ` +
        'secret, so remove it from the settings file',
    ];
  }
  if (!SETTING_NAME.test(name)) return [`${name}: expected a name starting with CSPM_ (A-Z, 0-9, _)`];
  if (isIn(STACK_OWNED_SETTINGS, name))
    return [`${name}: set by the stack from the resources it creates; remove it`];
  const problems: string[] = [];
  if (SECRET_LIKE_NAME.test(name)) {
    problems.push(
      `${name}: looks like a secret; put it in the Slack secret (Secrets Manager), not in an env var`,
    );
  } else if (!isIn(SETTING_NAMES, name) && !isIn(DEPLOY_ONLY_SETTINGS, name)) {
    problems.push(`${name}: not a cspm-bot setting (README "Configuration" lists them); check the spelling`);
  }
  if (SECRET_LIKE_VALUE.test(value)) {
    problems.push(`${name}: the value looks like a token or access key; secrets belong in Secrets Manager`);
  }
  return problems;
}

/** The runtime's own validation (the schema every Lambda applies at cold start), as settings problems. */
function parsedByRuntime(settings: BotSettings): Config | readonly string[] {
  try {
    return loadConfig({ ...settings });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/**
 * Throws BotSettingsError unless every setting is a non-secret, deployable `CSPM_*` variable the stack does not own
 * and the runtime accepts its value; returns the configuration the deployed Lambdas will load.
 */
export function deployableConfig(settings: BotSettings): Config {
  const problems = Object.entries(settings).flatMap(([name, value]) => problemsWith(name, value));
  if (problems.length > 0) throw new BotSettingsError(problems);
  const config = parsedByRuntime(settings);
  if (!('severityThreshold' in config)) throw new BotSettingsError(config);
  return config;
}

/** Throws BotSettingsError unless `deployableConfig` accepts the settings. */
export function assertDeployableSettings(settings: BotSettings): void {
  deployableConfig(settings);
}

/** The settings every Lambda gets as environment variables: all but the deploy-only ones. */
export function lambdaSettings(settings: BotSettings): BotSettings {
  return Object.fromEntries(Object.entries(settings).filter(([name]) => !isIn(DEPLOY_ONLY_SETTINGS, name)));
}

/** The threshold and every label above it: what the EventBridge rule must forward for the runtime to alert. */
export function severitiesFrom(threshold: Severity): Severity[] {
  return SEVERITY_LABELS.filter((label) => isAtLeast(label, threshold));
}

/**
 * A settings value as the runtime reads it: text as it is, numbers and booleans as text, a list of strings as a
 * comma list (CSPM_ALLOWED_USERS), anything else as JSON text (CSPM_ROUTES).
 */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return undefined;
}

/** The settings of a parsed settings file: an object of `CSPM_*` names; `$schema`/`$comment` keys are notes. */
export function settingsFromJson(json: unknown, source: string): BotSettings {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new BotSettingsError([
      `${source}: expected a JSON object of settings, e.g. {"CSPM_DEFAULT_CHANNEL": "C0123ABCD"}`,
    ]);
  }
  const settings: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name.startsWith('$')) continue;
    const text = asText(value);
    if (text === undefined)
      problems.push(`${name}: expected text, a number, true/false, a list or an object`);
    else settings[name] = text;
  }
  if (problems.length > 0) throw new BotSettingsError(problems);
  return settings;
}

/** Reads and parses the settings file at `path` (validation is `deployableConfig`'s job). */
export function readSettingsFile(path: string): BotSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new BotSettingsError([
      `${path}: cannot read the settings file; create it (see cspm-bot.settings.json in the repository) or ` +
        'name another with -c settingsFile=<path>',
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BotSettingsError([`${path}: not valid JSON`]);
  }
  return settingsFromJson(json, path);
}

/**
 * The `CSPM_*` (and other runtime) variables set in the deploying shell. They are ignored, not deployed: a
 * developer's local CSPM_DYNAMODB_ENDPOINT or a MEDIUM threshold tried out in a terminal must not reach the Lambdas.
 */
export function shellSettingNames(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('CSPM_') && env[name] !== undefined)
    .sort();
}
