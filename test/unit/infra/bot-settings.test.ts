import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import {
  assertDeployableSettings,
  BotSettingsError,
  deployableConfig,
  lambdaSettings,
  readSettingsFile,
  settingsFromJson,
  severitiesFrom,
  shellSettingNames,
  STACK_OWNED_SETTINGS,
} from '../../../infra/bot-settings.js';
import { LOCAL_ONLY_SETTINGS } from '../../../src/config/config.js';

function problemsOf(settings: Record<string, string>): readonly string[] {
  try {
    assertDeployableSettings(settings);
    return [];
  } catch (error) {
    if (error instanceof BotSettingsError) return error.problems;
    throw error;
  }
}

describe('assertDeployableSettings', () => {
  it.each([
    [{}],
    [{ CSPM_DEFAULT_CHANNEL: '#cspm-findings', CSPM_TIMEZONE: 'Europe/Paris' }],
    [
      {
        CSPM_ROUTES: '[{"accounts":["111122223333"],"channel":"C0PROD123"}]',
        CSPM_ALLOWED_USERS: 'U0123ABCD',
      },
    ],
  ])('accepts plain CSPM_* settings %j', (settings) => {
    expect(() => assertDeployableSettings(settings)).not.toThrow();
  });

  it.each([
    [
      'a name outside CSPM_',
      { SLACK_BOT_TOKEN: 'x' },
      'SLACK_BOT_TOKEN: expected a name starting with CSPM_',
    ],
    ['a lower-case name', { CSPM_default_channel: 'C0123ABCD' }, 'CSPM_default_channel: expected a name'],
    ['a secret-looking name', { CSPM_SIGNING_SECRET: 'abc' }, 'CSPM_SIGNING_SECRET: looks like a secret'],
    ['a token-looking name', { CSPM_SLACK_TOKEN: 'abc' }, 'CSPM_SLACK_TOKEN: looks like a secret'],
    [
      'a Slack bot token value',
      { CSPM_DEFAULT_CHANNEL: 'xoxb-123-456-abc' },
      'CSPM_DEFAULT_CHANNEL: the value looks',
    ],
    ['a Slack app token value', { CSPM_ROUTES: 'xapp-1-A0-1-abc' }, 'CSPM_ROUTES: the value looks'],
    [
      'an AWS access key id value',
      { CSPM_TIMEZONE: 'AKIAABCDEFGHIJKLMNOP' },
      'CSPM_TIMEZONE: the value looks',
    ],
    ['a stack-owned name', { CSPM_TABLE_NAME: 'other' }, 'CSPM_TABLE_NAME: set by the stack'],
  ])('refuses %s', (_case, settings, problem) => {
    expect(problemsOf(settings)).toEqual([expect.stringContaining(problem)]);
  });

  it('lists every problem at once and never echoes a value', () => {
    const error = (() => {
      try {
        assertDeployableSettings({ CSPM_API_TOKEN: 'xoxp-secret-value', PATH: '/usr/bin' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(BotSettingsError);
    expect((error as BotSettingsError).code).toBe('INFRA_SETTINGS_INVALID');
    expect((error as BotSettingsError).problems).toHaveLength(3);
    expect((error as BotSettingsError).message).not.toContain('xoxp-secret-value');
  });
});

describe('deploy settings refused before anything is built', () => {
  it.each(LOCAL_ONLY_SETTINGS)('refuses the local-only %s, naming it', (name) => {
    const problems = problemsOf({ [name]: name === 'CSPM_SAMPLES' ? 'true' : 'http://127.0.0.1:8000' });

    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name}: local-only`))]);
  });

  it('names every local-only setting in one message', () => {
    const settings = {
      CSPM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      CSPM_SLACK_API_URL: 'http://127.0.0.1:9000/api/',
      CSPM_SAMPLES: 'true',
      CSPM_DATA_DIR: 'data',
    };

    expect(() => assertDeployableSettings(settings)).toThrow(
      /CSPM_DYNAMODB_ENDPOINT: local-only[\s\S]*CSPM_SLACK_API_URL: local-only[\s\S]*CSPM_SAMPLES: local-only[\s\S]*CSPM_DATA_DIR: local-only/,
    );
  });

  it.each(STACK_OWNED_SETTINGS)('refuses %s, which the stack sets from what it creates', (name) => {
    expect(problemsOf({ [name]: 'from-a-local-run' })).toEqual([
      `${name}: set by the stack from the resources it creates; remove it`,
    ]);
  });

  it('refuses a misspelt setting rather than deploying without it', () => {
    expect(problemsOf({ CSPM_SEVERITY_TRESHOLD: 'MEDIUM' })).toEqual([
      expect.stringContaining('CSPM_SEVERITY_TRESHOLD: not a cspm-bot setting'),
    ]);
  });

  it.each([
    ['CSPM_SEVERITY_THRESHOLD', 'SEVERE', 'CSPM_SEVERITY_THRESHOLD: expected one of'],
    ['CSPM_EXECUTOR', 'lambda', 'CSPM_EXECUTOR: expected ssm'],
    ['CSPM_ROUTES', '[{"channel":"nope"}]', 'CSPM_ROUTES (at 0.channel)'],
    ['CSPM_SYNC_INTERVAL_MINUTES', '0', 'CSPM_SYNC_INTERVAL_MINUTES: expected at least 1'],
  ])("refuses %s=%s with the runtime schema's own message", (name, value, problem) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringContaining(problem)]);
  });

  it('returns the configuration the Lambdas will load, defaults included', () => {
    const config = deployableConfig({ CSPM_SEVERITY_THRESHOLD: 'MEDIUM', CSPM_EXECUTOR: 'direct' });

    expect([config.severityThreshold, config.remediation.executor, config.syncIntervalMinutes]).toEqual([
      'MEDIUM',
      'direct',
      15,
    ]);
  });

  it('accepts the deploy-only CSPM_ALARM_EMAIL but keeps it out of the Lambdas', () => {
    const settings = { CSPM_ALARM_EMAIL: 'secops@example.com', CSPM_TIMEZONE: 'UTC' };

    expect(() => assertDeployableSettings(settings)).not.toThrow();
    expect(lambdaSettings(settings)).toEqual({ CSPM_TIMEZONE: 'UTC' });
  });
});

describe('severitiesFrom', () => {
  it.each([
    ['INFORMATIONAL', ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']],
    ['LOW', ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']],
    ['MEDIUM', ['MEDIUM', 'HIGH', 'CRITICAL']],
    ['HIGH', ['HIGH', 'CRITICAL']],
    ['CRITICAL', ['CRITICAL']],
  ] as const)('forwards %s and every label above it', (threshold, labels) => {
    expect(severitiesFrom(threshold)).toEqual(labels);
  });
});

describe('the settings file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'cspm-bot-settings-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const fileWith = (name: string, text: string): string => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads lists as comma lists, objects as JSON text and numbers as text, skipping $ notes', () => {
    const path = fileWith(
      'typed.json',
      JSON.stringify({
        $comment: 'a note',
        CSPM_ALLOWED_USERS: ['U0123ABCD', 'W0456EFGH'],
        CSPM_ROUTES: [{ accounts: ['111122223333'], channel: 'C0PROD123' }],
        CSPM_GROUP_THRESHOLD: 8,
        CSPM_SAMPLES: false,
      }),
    );

    expect(readSettingsFile(path)).toEqual({
      CSPM_ALLOWED_USERS: 'U0123ABCD,W0456EFGH',
      CSPM_ROUTES: '[{"accounts":["111122223333"],"channel":"C0PROD123"}]',
      CSPM_GROUP_THRESHOLD: '8',
      CSPM_SAMPLES: 'false',
    });
  });

  it('gives what the runtime parses to the same values', () => {
    const settings = settingsFromJson(
      { CSPM_ALLOWED_USERS: ['U0123ABCD', 'W0456EFGH'], CSPM_ROUTES: [{ channel: 'C0PROD123' }] },
      'inline',
    );
    const config = deployableConfig(settings);

    expect(config.allowedUsers).toEqual(['U0123ABCD', 'W0456EFGH']);
    expect(config.routing.rules).toEqual([{ channel: 'C0PROD123' }]);
  });

  it.each([
    ['a missing file', () => readSettingsFile(join(folder, 'absent.json')), 'cannot read the settings file'],
    [
      'text that is not JSON',
      () => readSettingsFile(fileWith('broken.json', '{ "CSPM_TIMEZONE": ')),
      'not valid JSON',
    ],
    ['a JSON list', () => settingsFromJson([], 'list.json'), 'expected a JSON object of settings'],
    [
      'a null value',
      () => settingsFromJson({ CSPM_TIMEZONE: null }, 'null.json'),
      'CSPM_TIMEZONE: expected text',
    ],
  ])('refuses %s with a message saying what to do', (_case, read, problem) => {
    expect(read).toThrow(BotSettingsError);
    expect(read).toThrow(problem);
  });
});

describe('shellSettingNames', () => {
  it('names the CSPM_* variables of the shell (ignored at deploy), sorted, without their values', () => {
    const env = {
      CSPM_SEVERITY_THRESHOLD: 'MEDIUM',
      CSPM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      HOME: '/root',
      AWS_REGION: 'eu-west-1',
    };

    expect(shellSettingNames(env)).toEqual(['CSPM_DYNAMODB_ENDPOINT', 'CSPM_SEVERITY_THRESHOLD']);
  });
});
