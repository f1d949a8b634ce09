import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { loadConfig, slackMissing } from '../../../src/config/config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const config = loadConfig({});

    expect(config.severityThreshold).toBe('HIGH');
    expect(config.routing).toEqual({ rules: [], defaultChannel: '#cspm-findings' });
    expect(config.timeZone).toBe('UTC');
    expect(config.tableName).toBe('cspm-bot');
    expect(config.syncIntervalMinutes).toBe(15);
    expect(config.findingsFormat).toBe('asff');
    expect(slackMissing(config)).toEqual(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET or SLACK_APP_TOKEN']);
  });

  it('tells a hop limit the operator set from the default one, which a remediation never lowers a hop limit to', () => {
    expect(loadConfig({}).remediation).toMatchObject({ imdsHopLimit: 1, imdsHopLimitSetByOperator: false });
    expect(loadConfig({ CSPM_IMDS_HOP_LIMIT: '1' }).remediation).toMatchObject({
      imdsHopLimit: 1,
      imdsHopLimitSetByOperator: true,
    });
    expect(loadConfig({ CSPM_IMDS_HOP_LIMIT: '2' }).remediation).toMatchObject({
      imdsHopLimit: 2,
      imdsHopLimitSetByOperator: true,
    });
    expect(problemsOf({ CSPM_IMDS_HOP_LIMIT: '65' })).toEqual([
      expect.stringContaining('CSPM_IMDS_HOP_LIMIT'),
    ]);
  });

  it('groups 5 new findings of a control within 60 s by default, and takes other settings within bounds', () => {
    expect(loadConfig({}).grouping).toEqual({ threshold: 5, windowSeconds: 60 });
    expect(loadConfig({ CSPM_GROUP_THRESHOLD: '10', CSPM_GROUP_WINDOW_SECONDS: '300' }).grouping).toEqual({
      threshold: 10,
      windowSeconds: 300,
    });
    expect(problemsOf({ CSPM_GROUP_THRESHOLD: '1', CSPM_GROUP_WINDOW_SECONDS: 'soon' })).toEqual([
      'CSPM_GROUP_THRESHOLD: expected at least 2',
      'CSPM_GROUP_WINDOW_SECONDS: expected a whole number of seconds',
    ]);
    expect(problemsOf({ CSPM_GROUP_WINDOW_SECONDS: '7200' })).toEqual([
      'CSPM_GROUP_WINDOW_SECONDS: expected at most 3600 (one hour)',
    ]);
  });

  it('parses routes, allow lists and the time zone', () => {
    const config = loadConfig({
      CSPM_ROUTES:
        '[{"accounts":["111122223333"],"channel":"C0PROD123"},{"controls":["EC2.19"],"severities":["CRITICAL"],"channel":"#sec-critical"}]',
      CSPM_ALLOWED_USERS: 'U0123ABCD, W0987ZYXW',
      CSPM_ALLOWED_USERGROUPS: 'S0SECOPS1',
      CSPM_TIMEZONE: 'Asia/Tokyo',
      CSPM_SEVERITY_THRESHOLD: 'CRITICAL',
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_APP_TOKEN: 'xapp-1-2-3',
    });

    expect(config.routing.rules).toEqual([
      { accounts: ['111122223333'], channel: 'C0PROD123' },
      { controls: ['EC2.19'], severities: ['CRITICAL'], channel: '#sec-critical' },
    ]);
    expect(config.allowedUsers).toEqual(['U0123ABCD', 'W0987ZYXW']);
    expect(config.allowedUserGroups).toEqual(['S0SECOPS1']);
    expect(config.timeZone).toBe('Asia/Tokyo');
    expect(config.severityThreshold).toBe('CRITICAL');
    expect(slackMissing(config)).toEqual([]);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.routing.rules)).toBe(true);
  });

  it('lists every bad variable, one line each, naming what is expected', () => {
    const problems = problemsOf({
      CSPM_TIMEZONE: 'Mars/Olympus',
      CSPM_SEVERITY_THRESHOLD: 'high',
      CSPM_SYNC_INTERVAL_MINUTES: 'soon',
      CSPM_ROUTES: '[{"accounts":["1234"],"channel":"C0PROD123"}]',
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      CSPM_FINDINGS_FORMAT: 'ocsf2',
    });

    expect(problems).toHaveLength(6);
    expect(problems).toContain(
      'CSPM_FINDINGS_FORMAT: expected asff (Security Hub CSPM, the default), ocsf (the newer Security Hub) or both',
    );
    expect(problems).toContain('CSPM_TIMEZONE: expected an IANA time zone like Europe/Paris or Asia/Tokyo');
    expect(problems).toContain(
      'CSPM_SEVERITY_THRESHOLD: expected one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL',
    );
    expect(problems).toContain('CSPM_ROUTES (at 0.accounts.0): expected a 12-digit AWS account id');
    expect(problems).toContain('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
    expect(
      problems.some((line) => line.startsWith('CSPM_SYNC_INTERVAL_MINUTES: expected a whole number')),
    ).toBe(true);
  });

  it('reports routes that are not JSON without echoing them', () => {
    const problems = problemsOf({ CSPM_ROUTES: '{accounts: oops' });

    expect(problems).toEqual([
      'CSPM_ROUTES: expected valid JSON, e.g. [{"accounts":["111122223333"],"channel":"C0PROD123"}]',
    ]);
  });

  it('never puts a secret value into the message', () => {
    const error = (() => {
      try {
        loadConfig({ SLACK_SIGNING_SECRET: 'short-secret' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();

    expect(error?.message).toContain('SLACK_SIGNING_SECRET');
    expect(error?.message).not.toContain('short-secret');
  });
});
