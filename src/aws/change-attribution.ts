import type { Tag } from '@aws-sdk/client-ssm';
import type { ChangeAttribution } from '../usecases/ports.js';

/** The session of every read, and of a change whose decision id cannot be named. */
export const READ_SESSION_NAME = 'cspm-bot';

const SESSION_NAME_MAX = 64;
const SESSION_NAME_UNSAFE = /[^\w+=,.@-]/g;

/**
 * STS RoleSessionName for one change: `cspm-bot.<decision id>.<Slack user id>`, 2–64 characters of `[\w+=,.@-]`.
 * CloudTrail shows it in every call the session signs, so the member account's own trail says which decision (and,
 * when it fits, which Slack user) each change belongs to. The user id is left out rather than cut when it would not
 * fit; the decision id is what leads to the audit record, which names the user in any case.
 */
export function roleSessionName(attribution: ChangeAttribution): string {
  const decision = attribution.decisionId.replace(SESSION_NAME_UNSAFE, '-');
  const withDecision = `${READ_SESSION_NAME}.${decision}`.slice(0, SESSION_NAME_MAX);
  if (!attribution.slackUserId) return withDecision;
  const withUser = `${withDecision}.${attribution.slackUserId.replace(SESSION_NAME_UNSAFE, '-')}`;
  return withUser.length <= SESSION_NAME_MAX ? withUser : withDecision;
}

export const TAG_FINDING_ID = 'cspm-bot:finding-id';
export const TAG_DECISION_ID = 'cspm-bot:decision-id';
export const TAG_SLACK_USER = 'cspm-bot:slack-user';
/** The only tag keys the bot puts on an execution (its IAM grant to tag is limited to these). */
export const AUTOMATION_TAG_KEYS = [TAG_FINDING_ID, TAG_DECISION_ID, TAG_SLACK_USER] as const;
/** Who asked for an automatic remediation: nobody in Slack. */
export const AUTOMATIC = 'automatic';

const TAG_VALUE_MAX = 256;
// What SSM accepts in a tag: letters, separators (spaces), digits and `_ . : / = + - @`.
const TAG_VALUE_UNSAFE = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

/** A tag value SSM accepts: other characters become `_`, cut at 256 UTF-16 units without splitting a character. */
export function tagValue(value: string): string {
  let safe = '';
  for (const character of value.replace(TAG_VALUE_UNSAFE, '_')) {
    if (safe.length + character.length > TAG_VALUE_MAX) break;
    safe += character;
  }
  return safe;
}

/** StartAutomationExecution `Tags` (an automation takes at most 5): which finding, which decision, who asked. */
export function automationTags(attribution: ChangeAttribution): Tag[] {
  return [
    { Key: TAG_FINDING_ID, Value: tagValue(attribution.findingId) },
    { Key: TAG_DECISION_ID, Value: tagValue(attribution.decisionId) },
    { Key: TAG_SLACK_USER, Value: tagValue(attribution.slackUserId ?? AUTOMATIC) },
  ];
}
