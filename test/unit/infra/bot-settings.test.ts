import { describe, expect, it } from 'vitest';
import {
  assertDeployableSettings,
  BotSettingsError,
  settingsFromEnvironment,
  STACK_OWNED_SETTINGS,
} from '../../../infra/bot-settings.js';

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
    ['an AWS access key id value', { CSPM_NOTE: 'AKIAABCDEFGHIJKLMNOP' }, 'CSPM_NOTE: the value looks'],
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

describe('settingsFromEnvironment', () => {
  it('keeps the CSPM_* variables and nothing else', () => {
    const env = {
      CSPM_DEFAULT_CHANNEL: 'C0123ABCD',
      HOME: '/root',
      AWS_REGION: 'eu-west-1',
      SLACK_BOT_TOKEN: 'x',
    };

    expect(settingsFromEnvironment(env)).toEqual({ CSPM_DEFAULT_CHANNEL: 'C0123ABCD' });
  });

  it.each(STACK_OWNED_SETTINGS)('leaves %s to the stack even when the shell sets it', (name) => {
    expect(settingsFromEnvironment({ [name]: 'from-a-local-run', CSPM_TIMEZONE: 'UTC' })).toEqual({
      CSPM_TIMEZONE: 'UTC',
    });
  });

  it('keeps a secret-looking CSPM_ variable so the stack refuses it loudly', () => {
    const settings = settingsFromEnvironment({ CSPM_SIGNING_SECRET: 'abc' });

    expect(() => assertDeployableSettings(settings)).toThrow(BotSettingsError);
  });
});
