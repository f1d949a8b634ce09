import { AppError } from '../src/domain/app-error.js';

/** `action_id`s of the finding message buttons; the Slack listeners register on exactly these. */
export const REMEDIATE_ACTION = 'finding.remediate';
export const SUPPRESS_ACTION = 'finding.suppress';
export const ACCEPT_RISK_ACTION = 'finding.accept_risk';
export const REOPEN_ACTION = 'finding.reopen';
export const REVOKE_ACCEPTANCE_ACTION = 'finding.revoke_acceptance';
/** The control's account-wide fix (EC2.8/EC2.170: require IMDSv2 in the account's defaults for new instances). */
export const ACCOUNT_FIX_ACTION = 'finding.account_fix';

export const FINDING_ACTIONS = [
  REMEDIATE_ACTION,
  SUPPRESS_ACTION,
  ACCEPT_RISK_ACTION,
  REOPEN_ACTION,
  REVOKE_ACCEPTANCE_ACTION,
  ACCOUNT_FIX_ACTION,
] as const;
export type FindingAction = (typeof FINDING_ACTIONS)[number];

/** The grouped message's button; its value is the group id (`FindingGroup.groupId`), nothing else. */
export const GROUP_REMEDIATE_REACHABLE_ACTION = 'group.remediate_reachable';

/** `block_id` of the actions block in a finding message. */
export const FINDING_ACTIONS_BLOCK = 'finding.actions';

/** ASFF `Id` is at most 512 characters. */
export const FINDING_KEY_MAX_LENGTH = 512;

// Control characters and lone surrogates never occur in an ASFF Id; refusing them also bounds the JSON (`"` and
// `\` are the only characters left that it escapes, to two) well under the 2,000-character button value limit.
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

export class InvalidFindingKeyError extends AppError {
  readonly code = 'INVALID_FINDING_KEY';
}

function isFindingKey(key: string): boolean {
  return key.length > 0 && key.length <= FINDING_KEY_MAX_LENGTH && !UNSAFE_CHARACTER.test(key);
}

/**
 * The button value: only the finding key, as `{"k":"…"}`. Listeners look the finding up by key and act on
 * current AWS state; nothing else in a payload is trusted.
 */
export function findingButtonValue(key: string): string {
  if (!isFindingKey(key)) {
    throw new InvalidFindingKeyError('A finding key must be 1–512 characters without control characters', {
      keyLength: key.length,
    });
  }
  return JSON.stringify({ k: key });
}

/**
 * The finding key of a button value, or undefined for anything we did not write: not a string, not JSON,
 * other or extra properties, a bad key, or any spelling other than the exact one `findingButtonValue` produces.
 */
export function parseFindingButtonValue(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== 'k') return undefined;
  const key: unknown = (parsed as { k: unknown }).k;
  if (typeof key !== 'string' || !isFindingKey(key)) return undefined;
  // Canonical form only: rejects whitespace, escapes or duplicate keys that a hand-made payload might use.
  return JSON.stringify({ k: key }) === value ? key : undefined;
}
