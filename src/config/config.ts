import { IANAZone } from 'luxon';
import * as z from 'zod';
import { FINDINGS_FORMATS } from '../domain/findings-format.js';
import type { FindingsFormat } from '../domain/findings-format.js';
import { SEVERITY_LABELS } from '../domain/severity.js';
import type { Severity } from '../domain/severity.js';
import type { Routing } from '../domain/routing.js';
import { ConfigError } from './config-error.js';

const channelId = z
  .string()
  .regex(
    /^[CGD][A-Z0-9]{6,}$|^#[a-z0-9][a-z0-9._-]{0,79}$/,
    'a channel id like C0123ABCD or a #channel-name',
  );

const routeRule = z
  .object({
    channel: channelId,
    accounts: z
      .array(z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'))
      .min(1)
      .optional(),
    controls: z.array(z.string().min(1)).min(1).optional(),
    severities: z.array(z.enum(SEVERITY_LABELS)).min(1).optional(),
    regions: z
      .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like eu-west-1'))
      .min(1)
      .optional(),
  })
  .strict();

const commaList = (item: z.ZodString) =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

const jsonText = <T extends z.ZodType>(schema: T, example: string) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return [];
      try {
        return JSON.parse(value) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: `valid JSON, e.g. ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const boolText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'true or false')
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'a bot token starting with xoxb-')
    .optional(),
  SLACK_SIGNING_SECRET: z
    .string()
    .min(16, 'the signing secret from the Slack app Basic Information page')
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'an app-level token starting with xapp- (Socket Mode)')
    .optional(),
  CSPM_SEVERITY_THRESHOLD: z.enum(SEVERITY_LABELS, `one of ${SEVERITY_LABELS.join(', ')}`).default('HIGH'),
  CSPM_FINDINGS_FORMAT: z
    .enum(FINDINGS_FORMATS, 'asff (Security Hub CSPM, the default), ocsf (the newer Security Hub) or both')
    .default('asff'),
  CSPM_DEFAULT_CHANNEL: channelId.default('#cspm-findings'),
  CSPM_ROUTES: jsonText(z.array(routeRule), '[{"accounts":["111122223333"],"channel":"C0PROD123"}]'),
  CSPM_ALLOWED_USERS: commaList(z.string().regex(/^[UW][A-Z0-9]{6,}$/, 'Slack user ids like U0123ABCD')),
  CSPM_ALLOWED_USERGROUPS: commaList(
    z.string().regex(/^S[A-Z0-9]{6,}$/, 'Slack user group ids like S0123ABCD'),
  ),
  CSPM_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((zone) => IANAZone.isValidZone(zone), 'an IANA time zone like Europe/Paris or Asia/Tokyo'),
  CSPM_TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)')
    .default('cspm-bot'),
  CSPM_DATA_DIR: z.string().min(1).default('data'),
  CSPM_SYNC_INTERVAL_MINUTES: z.coerce
    .number('a whole number of minutes')
    .int('a whole number of minutes')
    .min(1, 'at least 1')
    .max(1440, 'at most 1440 (one day)')
    .default(15),
  CSPM_AWS_REGIONS: commaList(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'AWS regions like eu-west-1')),
  CSPM_SAMPLES: boolText,
  CSPM_DYNAMODB_ENDPOINT: z.url('an http(s) URL of a DynamoDB endpoint').optional(),
  CSPM_SLACK_API_URL: z.url('an http(s) URL ending in /api/').optional(),
  CSPM_SLACK_SECRET_ARN: z.string().startsWith('arn:', 'a Secrets Manager secret ARN').optional(),
  CSPM_EXECUTOR: z
    .enum(['ssm', 'direct'], 'ssm (SSM Automation, the default) or direct (EC2 API calls)')
    .default('ssm'),
  CSPM_MEMBER_ROLE_NAME: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name')
    .default('cspm-bot-member'),
  CSPM_MEMBER_ROLE_EXTERNAL_ID: z
    .string()
    .min(2, 'the external id of the member-account role (2-1224 characters)')
    .max(1224)
    .optional(),
  CSPM_AUTOMATION_ROLE_NAME: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name')
    .default('cspm-bot-automation'),
  CSPM_HOME_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/, 'the 12-digit account id the bot runs in')
    .optional(),
  // No default here: whether the operator set it decides if a remediation may lower a higher hop limit.
  CSPM_IMDS_HOP_LIMIT: z.coerce
    .number('a whole number from 1 to 64')
    .int('a whole number from 1 to 64')
    .min(1, 'at least 1')
    .max(64, 'at most 64')
    .optional(),
  CSPM_AUTO_REMEDIATE: commaList(z.string().regex(/^[A-Za-z0-9]+\.\d+$/, 'control ids like EC2.13,EC2.19')),
  CSPM_AUTO_REMEDIATE_MAX_ATTEMPTS: z.coerce
    .number('a whole number')
    .int('a whole number')
    .min(1, 'at least 1')
    .max(20, 'at most 20')
    .default(3),
  CSPM_AUTO_REMEDIATE_WINDOW_HOURS: z.coerce
    .number('a whole number of hours')
    .int('a whole number of hours')
    .min(1, 'at least 1')
    .max(720, 'at most 720')
    .default(24),
  CSPM_WORKER_FUNCTION_NAME: z.string().min(1).optional(),
  CSPM_GROUP_THRESHOLD: z.coerce
    .number('a whole number of findings')
    .int('a whole number of findings')
    .min(2, 'at least 2')
    .max(1000, 'at most 1000')
    .default(5),
  CSPM_GROUP_WINDOW_SECONDS: z.coerce
    .number('a whole number of seconds')
    .int('a whole number of seconds')
    .min(1, 'at least 1')
    .max(3600, 'at most 3600 (one hour)')
    .default(60),
  CSPM_DIGEST_CHANNEL: channelId.optional(),
  CSPM_DIGEST_WEEKDAY: z.coerce
    .number('a weekday number, 1 = Monday … 7 = Sunday')
    .int()
    .min(1, '1 (Monday) to 7 (Sunday)')
    .max(7, '1 (Monday) to 7 (Sunday)')
    .default(1),
  CSPM_DIGEST_HOUR: z.coerce
    .number('an hour from 0 to 23')
    .int('an hour from 0 to 23')
    .min(0, 'an hour from 0 to 23')
    .max(23, 'an hour from 0 to 23')
    .default(9),
  CSPM_ACCEPT_DEFAULT_DAYS: z.coerce
    .number('a whole number of days')
    .int('a whole number of days')
    .min(1, 'at least 1')
    .max(3650)
    .default(30),
  CSPM_ACCEPT_MAX_DAYS: z.coerce
    .number('a whole number of days')
    .int('a whole number of days')
    .min(1, 'at least 1')
    .max(3650, 'at most 3650')
    .default(365),
  CSPM_ACCEPT_REMINDER_DAYS: z.coerce
    .number('a whole number of days')
    .int('a whole number of days')
    .min(0, 'at least 0')
    .max(90, 'at most 90')
    .default(7),
  PORT: z.coerce.number('a TCP port number').int().min(1).max(65535, 'a TCP port number').default(3000),
  AWS_REGION: z.string().optional(),
});

/** Every variable the runtime reads: a deploy setting outside this list is a typo, not a setting. */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Only meaningful for `npm start` and the tests (embedded DynamoDB, fake Slack, bundled samples, local folder, HTTP
 * port, Socket Mode): a deployed Lambda given one would talk to the wrong place or ignore it.
 */
export const LOCAL_ONLY_SETTINGS = [
  'CSPM_DYNAMODB_ENDPOINT',
  'CSPM_SLACK_API_URL',
  'CSPM_SAMPLES',
  'CSPM_DATA_DIR',
  'PORT',
  'SLACK_APP_TOKEN',
] as const;

export interface Config {
  readonly slack: {
    readonly botToken?: string;
    readonly signingSecret?: string;
    readonly appToken?: string;
  };
  /** Findings below this are dropped at ingest. */
  readonly severityThreshold: Severity;
  /** Which Security Hub findings come from (and decisions go back to): asff, ocsf or both. */
  readonly findingsFormat: FindingsFormat;
  readonly routing: Routing;
  readonly allowedUsers: readonly string[];
  readonly allowedUserGroups: readonly string[];
  readonly timeZone: string;
  readonly tableName: string;
  readonly dataDir: string;
  readonly syncIntervalMinutes: number;
  /** Regions to sync from; empty means the SDK's default region only (an aggregator region sees all). */
  readonly awsRegions: readonly string[];
  readonly awsRegion?: string;
  /** Force ingesting the bundled sample findings even when AWS credentials exist. */
  readonly samples: boolean;
  /** A DynamoDB endpoint other than AWS's (DynamoDB Local, or the tests' embedded one). */
  readonly dynamoDbEndpoint?: string;
  /** A Slack Web API base other than slack.com's (the tests' fake). */
  readonly slackApiUrl?: string;
  /** Deployed: the secret holding {"botToken","signingSecret"}, read at cold start. */
  readonly slackSecretArn?: string;
  readonly port: number;
  readonly remediation: {
    readonly executor: 'ssm' | 'direct';
    readonly memberRoleName: string;
    readonly memberRoleExternalId?: string;
    readonly automationRoleName: string;
    readonly homeAccountId?: string;
    /** Hop limit for IMDSv2 where the resource has none or a lower one; default 1. */
    readonly imdsHopLimit: number;
    /** CSPM_IMDS_HOP_LIMIT was set: a confirmed remediation may then lower a higher hop limit to it. */
    readonly imdsHopLimitSetByOperator: boolean;
    /** Off by default, as AWS's ASR ships it. */
    readonly autoRemediate: {
      readonly controls: readonly string[];
      readonly maxAttempts: number;
      readonly windowHours: number;
    };
  };
  /** Deployed: the Lambda that runs long work handed off after a Slack ack. */
  readonly workerFunctionName?: string;
  /**
   * At least `threshold` new findings of one control in one channel, first ingested within `windowSeconds`, are
   * posted as one grouped message with one thread reply per finding.
   */
  readonly grouping: { readonly threshold: number; readonly windowSeconds: number };
  readonly acceptance: {
    readonly defaultDays: number;
    readonly maxDays: number;
    readonly reminderDays: number;
  };
  /** Weekly digest: channel (default: the default channel), ISO weekday and hour in `timeZone`. */
  readonly digest: {
    readonly channel: string;
    readonly weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7;
    readonly hour: number;
  };
}

/** "CSPM_TIMEZONE: expected an IANA time zone like Europe/Paris" — never echoes the value (it may be a secret). */
function describeIssue(issue: z.core.$ZodIssue): string {
  const [variable, ...inside] = issue.path.map(String);
  const where = inside.length > 0 ? `${variable} (at ${inside.join('.')})` : variable;
  return `${where}: expected ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Parse and validate the environment once, at start-up. Throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(describeIssue));
  const e = parsed.data;
  const slack = {
    ...(e.SLACK_BOT_TOKEN && { botToken: e.SLACK_BOT_TOKEN }),
    ...(e.SLACK_SIGNING_SECRET && { signingSecret: e.SLACK_SIGNING_SECRET }),
    ...(e.SLACK_APP_TOKEN && { appToken: e.SLACK_APP_TOKEN }),
  };
  return deepFreeze({
    slack,
    severityThreshold: e.CSPM_SEVERITY_THRESHOLD,
    findingsFormat: e.CSPM_FINDINGS_FORMAT,
    routing: { rules: e.CSPM_ROUTES, defaultChannel: e.CSPM_DEFAULT_CHANNEL },
    allowedUsers: e.CSPM_ALLOWED_USERS,
    allowedUserGroups: e.CSPM_ALLOWED_USERGROUPS,
    timeZone: e.CSPM_TIMEZONE,
    tableName: e.CSPM_TABLE_NAME,
    dataDir: e.CSPM_DATA_DIR,
    syncIntervalMinutes: e.CSPM_SYNC_INTERVAL_MINUTES,
    awsRegions: e.CSPM_AWS_REGIONS,
    ...(e.AWS_REGION && { awsRegion: e.AWS_REGION }),
    samples: e.CSPM_SAMPLES,
    ...(e.CSPM_DYNAMODB_ENDPOINT && { dynamoDbEndpoint: e.CSPM_DYNAMODB_ENDPOINT }),
    ...(e.CSPM_SLACK_API_URL && { slackApiUrl: e.CSPM_SLACK_API_URL }),
    ...(e.CSPM_SLACK_SECRET_ARN && { slackSecretArn: e.CSPM_SLACK_SECRET_ARN }),
    port: e.PORT,
    remediation: {
      executor: e.CSPM_EXECUTOR,
      memberRoleName: e.CSPM_MEMBER_ROLE_NAME,
      ...(e.CSPM_MEMBER_ROLE_EXTERNAL_ID && { memberRoleExternalId: e.CSPM_MEMBER_ROLE_EXTERNAL_ID }),
      automationRoleName: e.CSPM_AUTOMATION_ROLE_NAME,
      ...(e.CSPM_HOME_ACCOUNT_ID && { homeAccountId: e.CSPM_HOME_ACCOUNT_ID }),
      imdsHopLimit: e.CSPM_IMDS_HOP_LIMIT ?? 1,
      imdsHopLimitSetByOperator: e.CSPM_IMDS_HOP_LIMIT !== undefined,
      autoRemediate: {
        controls: e.CSPM_AUTO_REMEDIATE,
        maxAttempts: e.CSPM_AUTO_REMEDIATE_MAX_ATTEMPTS,
        windowHours: e.CSPM_AUTO_REMEDIATE_WINDOW_HOURS,
      },
    },
    ...(e.CSPM_WORKER_FUNCTION_NAME && { workerFunctionName: e.CSPM_WORKER_FUNCTION_NAME }),
    grouping: { threshold: e.CSPM_GROUP_THRESHOLD, windowSeconds: e.CSPM_GROUP_WINDOW_SECONDS },
    digest: {
      channel: e.CSPM_DIGEST_CHANNEL ?? e.CSPM_DEFAULT_CHANNEL,
      weekday: e.CSPM_DIGEST_WEEKDAY as 1 | 2 | 3 | 4 | 5 | 6 | 7,
      hour: e.CSPM_DIGEST_HOUR,
    },
    acceptance: {
      defaultDays: Math.min(e.CSPM_ACCEPT_DEFAULT_DAYS, e.CSPM_ACCEPT_MAX_DAYS),
      maxDays: e.CSPM_ACCEPT_MAX_DAYS,
      reminderDays: e.CSPM_ACCEPT_REMINDER_DAYS,
    },
  });
}

/** Slack needs both the token and the signing secret (HTTP) or the app token (Socket Mode). */
export function slackMissing(config: Config): string[] {
  const missing: string[] = [];
  if (!config.slack.botToken) missing.push('SLACK_BOT_TOKEN');
  if (!config.slack.appToken && !config.slack.signingSecret)
    missing.push('SLACK_SIGNING_SECRET or SLACK_APP_TOKEN');
  return missing;
}
