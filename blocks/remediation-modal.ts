import type { KnownBlock, ModalView } from '@slack/types';
import { BLOCK_LIMITS } from './limits.js';
import { escapeText, mentionOrText, slackDate, truncate } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

/** `callback_id` of the confirmation modal; the view-submission listener registers on it. */
export const REMEDIATION_CONFIRM_CALLBACK = 'remediation.confirm';

/**
 * What the modal carries between the click and the submission: the finding, the digest of the plan shown and,
 * when the plan needs it, the security group id the person must type to confirm it.
 */
export interface RemediationModalMetadata {
  readonly findingId: string;
  readonly planDigest: string;
  readonly confirmGroupId?: string;
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
  });
}

export function parseRemediationModalMetadata(value: unknown): RemediationModalMetadata | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as { k?: unknown; d?: unknown; c?: unknown };
    if (typeof parsed.k !== 'string' || typeof parsed.d !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.d))
      return undefined;
    if (parsed.c !== undefined && (typeof parsed.c !== 'string' || !/^sg-[0-9a-f]{8,17}$/.test(parsed.c)))
      return undefined;
    return {
      findingId: parsed.k,
      planDigest: parsed.d,
      ...(typeof parsed.c === 'string' && { confirmGroupId: parsed.c }),
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
  confirmation?: { readonly groupId: string; readonly words: string };
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
          label: plainText(`Type ${confirmation.groupId} to remove its rules anyway`),
          element: {
            type: 'plain_text_input',
            action_id: CONFIRM_GROUP_ACTION,
            placeholder: plainText(confirmation.groupId),
            max_length: 30,
          },
          hint: plainText('Resources that use this group lose the traffic it allows.'),
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
    }),
    title: plainText('Remediate'),
    submit: plainText('Remediate'),
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
            `Runs through ${how}, then reads the resource again to verify. Your name goes into the audit record and the Security Hub note. If AWS changed before you press Remediate, nothing runs and you are asked to look again.`,
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
    | { kind: 'not-remediable'; reason: string }
    | { kind: 'refused'; whoMay: string }
    | { kind: 'in-progress'; by: string; since: string }
    | { kind: 'not-open' }
    | { kind: 'confirmation-used' }
    | { kind: 'plan-changed'; words: string }
    | { kind: 'succeeded'; words: string }
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
