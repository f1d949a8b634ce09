import type { KnownBlock, ModalView } from '@slack/types';
import { BLOCK_LIMITS } from './limits.js';
import { escapeText, mentionOrText, slackDate, truncate } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

/** `callback_id` of the confirmation modal; the view-submission listener registers on it. */
export const REMEDIATION_CONFIRM_CALLBACK = 'remediation.confirm';

/**
 * What the modal carries between the click and the submission: the finding, the digest of the plan shown and,
 * when the plan needs it, the id the person must type to confirm it (security group, bucket or account).
 */
export interface RemediationModalMetadata {
  readonly findingId: string;
  readonly planDigest: string;
  readonly confirmGroupId?: string;
  /** The plan shown is the control's account-wide fix, not its remediation. */
  readonly accountFix?: true;
}

/** The input where the person types the group id (EC2.2 on a default group that network interfaces use). */
export const CONFIRM_GROUP_BLOCK = 'remediation_confirm_group';
export const CONFIRM_GROUP_ACTION = 'group_id';

/** The opt-in checkbox of a launch configuration migration: start an instance refresh (unticked by default). */
export const INSTANCE_REFRESH_BLOCK = 'remediation_instance_refresh';
export const INSTANCE_REFRESH_ACTION = 'start_instance_refresh';

export function remediationModalMetadata(metadata: RemediationModalMetadata): string {
  return JSON.stringify({
    k: metadata.findingId,
    d: metadata.planDigest,
    ...(metadata.confirmGroupId && { c: metadata.confirmGroupId }),
    ...(metadata.accountFix && { a: 1 }),
  });
}

/**
 * What a plan may ask to be typed: a security group id (EC2.2), a bucket name (S3.8: 3 to 63 lower-case letters,
 * digits, dots and hyphens) or an account id (S3.1).
 */
const CONFIRMABLE_ID = /^(?:sg-[0-9a-f]{8,17}|\d{12}|[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;

export function parseRemediationModalMetadata(value: unknown): RemediationModalMetadata | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as { k?: unknown; d?: unknown; c?: unknown; a?: unknown };
    if (typeof parsed.k !== 'string' || typeof parsed.d !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.d))
      return undefined;
    if (parsed.c !== undefined && (typeof parsed.c !== 'string' || !CONFIRMABLE_ID.test(parsed.c)))
      return undefined;
    if (parsed.a !== undefined && parsed.a !== 1) return undefined;
    return {
      findingId: parsed.k,
      planDigest: parsed.d,
      ...(typeof parsed.c === 'string' && { confirmGroupId: parsed.c }),
      ...(parsed.a === 1 && { accountFix: true }),
    };
  } catch {
    return undefined;
  }
}

function infoModal(title: string, blocks: KnownBlock[]): ModalView {
  return { type: 'modal', title: plainText(title), close: plainText('Close'), blocks };
}

function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(truncate(text, BLOCK_LIMITS.sectionText)) };
}

/** Opened at once on click (the trigger id lives 3 s); the plan replaces it when AWS has been read. */
export function remediationLoadingModal(): ModalView {
  return infoModal('Remediate', [
    section(':hourglass_flowing_sand: Reading the current state from AWS to build the plan…'),
  ]);
}

/**
 * The plan in words; nothing runs until the person presses Remediate here. A plan that needs an explicit
 * confirmation (EC2.2 on a group in use) also asks for the group id, typed.
 */
export function remediationConfirmModal(input: {
  findingId: string;
  planDigest: string;
  title: string;
  words: string;
  notes: readonly string[];
  executor: 'ssm' | 'direct';
  confirmation?: {
    readonly groupId: string;
    readonly words: string;
    readonly label?: string;
    readonly hint?: string;
  };
  /** The control's account-wide fix: its own title, button and footnote (it never resolves the finding). */
  accountFix?: boolean;
  /** Offered as an unticked checkbox (AutoScaling.3/4: start an instance refresh). */
  instanceRefreshChoice?: string;
}): ModalView {
  const how =
    input.executor === 'ssm' ? 'an SSM Automation execution (cspm-bot document)' : 'direct EC2 API calls';
  const confirmation = input.confirmation;
  const confirmBlocks: KnownBlock[] = confirmation
    ? [
        {
          type: 'input',
          block_id: CONFIRM_GROUP_BLOCK,
          label: plainText(confirmation.label ?? `Type ${confirmation.groupId} to remove its rules anyway`),
          element: {
            type: 'plain_text_input',
            action_id: CONFIRM_GROUP_ACTION,
            placeholder: plainText(confirmation.groupId),
            // A security group id is at most 20 characters, a bucket name 63.
            max_length: Math.max(30, confirmation.groupId.length),
          },
          hint: plainText(confirmation.hint ?? 'Resources that use this group lose the traffic it allows.'),
        },
      ]
    : [];
  const choiceBlocks: KnownBlock[] = input.instanceRefreshChoice
    ? [
        {
          type: 'input',
          block_id: INSTANCE_REFRESH_BLOCK,
          optional: true,
          label: plainText('Running instances'),
          element: {
            type: 'checkboxes',
            action_id: INSTANCE_REFRESH_ACTION,
            options: [{ text: plainText(truncate(input.instanceRefreshChoice, 150)), value: 'start' }],
          },
        },
      ]
    : [];
  return {
    type: 'modal',
    callback_id: REMEDIATION_CONFIRM_CALLBACK,
    private_metadata: remediationModalMetadata({
      findingId: input.findingId,
      planDigest: input.planDigest,
      ...(confirmation && { confirmGroupId: confirmation.groupId }),
      ...(input.accountFix && { accountFix: true }),
    }),
    title: plainText(input.accountFix ? 'Account-wide IMDSv2' : 'Remediate'),
    submit: plainText(input.accountFix ? 'Change account default' : 'Remediate'),
    close: plainText('Cancel'),
    blocks: [
      section(`*${escapeText(input.title, 300)}*`),
      section(`*Plan* (from the state AWS reports now)\n${escapeText(input.words, 2500)}`),
      ...input.notes.map((note) => section(`:warning: ${escapeText(note, 2500)}`)),
      ...confirmBlocks,
      ...choiceBlocks,
      {
        type: 'context',
        elements: [
          mrkdwn(
            input.accountFix
              ? `Runs through ${how}, then reads the account defaults again to verify. Your name goes into the audit record. This finding is not resolved by it: its own resource does not change. If AWS changed before you confirm, nothing runs and you are asked to look again.`
              : `Runs through ${how}, then reads the resource again to verify. Your name goes into the audit record and the Security Hub note. If AWS changed before you press Remediate, nothing runs and you are asked to look again.`,
          ),
        ],
      },
    ],
  };
}

/** Shown after the submission while the worker runs. */
export function remediationRunningModal(words: string): ModalView {
  return infoModal('Remediate', [
    section(
      `:gear: Running: ${escapeText(words, 2500)}\nThe result appears in the finding's thread. You can close this.`,
    ),
  ]);
}

/** Any outcome that is not a plan to confirm: already fixed, refused, in progress, not remediable, failed. */
export function remediationOutcomeModal(
  outcome:
    | { kind: 'already-fixed'; words: string }
    | { kind: 'in-place'; words: string }
    | { kind: 'not-remediable'; reason: string }
    | { kind: 'refused'; whoMay: string }
    | { kind: 'in-progress'; by: string; since: string }
    | { kind: 'not-open' }
    | { kind: 'confirmation-used' }
    | { kind: 'plan-changed'; words: string }
    | { kind: 'succeeded'; words: string }
    | { kind: 'account-fixed'; words: string }
    | { kind: 'failed'; message: string }
    | { kind: 'not-found' },
): ModalView {
  switch (outcome.kind) {
    case 'already-fixed':
      return infoModal('Already fixed', [
        section(
          `:white_check_mark: Nothing to change: ${escapeText(outcome.words, 2000)}.\nThe finding is marked resolved in Security Hub.`,
        ),
      ]);
    case 'in-place':
      return infoModal('Already in place', [
        section(
          `:white_check_mark: Nothing to change: ${escapeText(outcome.words, 2000)}.\nThe finding stays as it is: the account default does not change its own resource.`,
        ),
      ]);
    case 'not-remediable':
      return infoModal('Not remediable', [
        section(`:information_source: ${escapeText(outcome.reason, 2500)}`),
      ]);
    case 'refused':
      return infoModal('Not allowed', [
        section(`:no_entry: You may not remediate findings. Who may: ${outcome.whoMay}.`),
      ]);
    case 'in-progress':
      return infoModal('Already running', [
        section(
          `:hourglass: Already in progress by ${mentionOrText(outcome.by)} since ${slackDate(outcome.since)}. Watch the finding's thread.`,
        ),
      ]);
    case 'not-open':
      return infoModal('Not open', [
        section(':information_source: This finding is already resolved or suppressed; nothing to remediate.'),
      ]);
    case 'confirmation-used':
      return infoModal('Already used', [
        section(
          ":information_source: This confirmation was already used; nothing ran again. The finding's thread has the outcome. Click Remediate for a new plan.",
        ),
      ]);
    case 'plan-changed':
      return infoModal('AWS changed', [
        section(
          `:warning: The resource changed since you confirmed, so nothing ran. The plan now: ${escapeText(outcome.words, 2000)}.\nClick Remediate again to review it.`,
        ),
      ]);
    case 'succeeded':
      return infoModal('Remediated', [
        section(`:white_check_mark: Done and verified: ${escapeText(outcome.words, 2500)}`),
      ]);
    case 'account-fixed':
      return infoModal('Account default set', [
        section(
          `:white_check_mark: Done and verified: ${escapeText(outcome.words, 2500)}\nThis finding stays open: its own resource is not changed by the account default. Use Remediate… for it.`,
        ),
      ]);
    case 'failed':
      return infoModal('Remediation failed', [
        section(
          `:x: ${escapeText(outcome.message, 2500)}\nThe buttons in the message still work; nothing is retried automatically.`,
        ),
      ]);
    case 'not-found':
      return infoModal('Unknown finding', [
        section(
          ':information_source: The bot holds no such finding (it may have been posted by another installation).',
        ),
      ]);
  }
}
