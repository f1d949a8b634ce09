import { AppError } from '../src/domain/app-error.js';

/**
 * `CSPM_*` settings passed through to every Lambda as environment variables (CSPM_DEFAULT_CHANNEL, CSPM_ROUTES, …).
 * Lambda environment variables are readable by anyone who can read the function configuration, so a secret must
 * never travel this way: Slack credentials live in the Secrets Manager secret instead.
 */
export type BotSettings = Readonly<Record<string, string>>;

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

const SETTING_NAME = /^CSPM_[A-Z0-9_]+$/;
const SECRET_LIKE_NAME = /SECRET|TOKEN|PASSWORD|PASSPHRASE|PRIVATE_KEY|CREDENTIAL|SIGNING/;
// Slack bot/user/app tokens and AWS access key ids: the values most likely to be pasted into the wrong variable.
const SECRET_LIKE_VALUE = /\bxox[a-z]-|\bxapp-|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;

function isStackOwned(name: string): boolean {
  return (STACK_OWNED_SETTINGS as readonly string[]).includes(name);
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
  if (!SETTING_NAME.test(name)) return [`${name}: expected a name starting with CSPM_ (A-Z, 0-9, _)`];
  if (isStackOwned(name)) return [`${name}: set by the stack from the resources it creates; remove it`];
  const problems: string[] = [];
  if (SECRET_LIKE_NAME.test(name)) {
    problems.push(
      `${name}: looks like a secret; put it in the Slack secret (Secrets Manager), not in an env var`,
    );
  }
  if (SECRET_LIKE_VALUE.test(value)) {
    problems.push(`${name}: the value looks like a token or access key; secrets belong in Secrets Manager`);
  }
  return problems;
}

/** Throws BotSettingsError unless every setting is a non-secret `CSPM_*` variable the stack does not own. */
export function assertDeployableSettings(settings: BotSettings): void {
  const problems = Object.entries(settings).flatMap(([name, value]) => problemsWith(name, value));
  if (problems.length > 0) throw new BotSettingsError(problems);
}

/**
 * The `CSPM_*` variables of the deploying shell, minus the ones the stack sets itself (a developer's local
 * CSPM_TABLE_NAME must not redirect the deployed bot to another table). Secret-looking ones are kept so that
 * `assertDeployableSettings` refuses them loudly instead of dropping them silently.
 */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): BotSettings {
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('CSPM_') && !isStackOwned(name) && value !== undefined) settings[name] = value;
  }
  return settings;
}
