import type { WebClient } from '@slack/web-api';
import type { Config } from '../config/config.js';
import type { AcceptanceRules } from '../domain/acceptance.js';
import type { SlackJobDeps } from '../slack/slack-jobs.js';
import { SlackUserDirectory } from '../slack/slack-user-directory.js';

/** Who may act and for how long a risk may be accepted: shared by the Slack listeners and the remediation jobs. */
export interface SlackAccess {
  readonly users: SlackJobDeps['users'];
  readonly policy: SlackJobDeps['policy'];
  readonly acceptanceRules: AcceptanceRules;
}

export function slackAccess(config: Config, slack: WebClient): SlackAccess {
  return {
    users: new SlackUserDirectory(slack, config.allowedUserGroups),
    policy: { users: config.allowedUsers, userGroups: config.allowedUserGroups },
    acceptanceRules: {
      timeZone: config.timeZone,
      defaultDays: config.acceptance.defaultDays,
      maxDays: config.acceptance.maxDays,
    },
  };
}
