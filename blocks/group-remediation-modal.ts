import type { KnownBlock, ModalView } from '@slack/types';
import type { ConfirmedMember, SkippedMember } from '../src/domain/group-remediation.js';
import { BLOCK_LIMITS } from './limits.js';
import { escapeText, truncate } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

/** `callback_id` of the group confirmation modal; the view-submission listener registers on it. */
export const GROUP_REMEDIATION_CONFIRM_CALLBACK = 'group_remediation.confirm';

/** Resources listed one per line; the rest are summarised by their change so the modal stays readable. */
export const LISTED_MEMBERS = 100;

/** The modal carries only the digest of the list shown; the list itself is kept under the modal's id. */
export function groupRemediationMetadata(listDigest: string, count: number): string {
  return JSON.stringify({ r: listDigest, n: count });
}

export function parseGroupRemediationMetadata(
  value: unknown,
): { listDigest: string; count: number } | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value) as { r?: unknown; n?: unknown };
    if (typeof parsed.r !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.r)) return undefined;
    return {
      listDigest: parsed.r,
      count: typeof parsed.n === 'number' && Number.isSafeInteger(parsed.n) ? parsed.n : 0,
    };
  } catch {
    return undefined;
  }
}

function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(truncate(text, BLOCK_LIMITS.sectionText)) };
}

function infoModal(title: string, text: string): ModalView {
  return { type: 'modal', title: plainText(title), close: plainText('Close'), blocks: [section(text)] };
}

/** Lines packed into as few sections as fit 3,000 characters each. */
function packed(lines: readonly string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + 1 + line.length > BLOCK_LIMITS.sectionText) {
      blocks.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "…and 180 more, all: revoke tcp/22 from 0.0.0.0/0", or the most common changes when they differ. */
export function remainderLine(rest: readonly ConfirmedMember[]): string | undefined {
  if (rest.length === 0) return undefined;
  const byChange = new Map<string, number>();
  for (const member of rest) byChange.set(member.change, (byChange.get(member.change) ?? 0) + 1);
  if (byChange.size === 1) return `…and ${rest.length} more, all: ${escapeText(rest[0]!.change, 300)}`;
  const common = [...byChange].sort((a, b) => b[1] - a[1]);
  const shown = common.slice(0, 3).map(([change, count]) => `${count} × ${escapeText(change, 200)}`);
  return `…and ${rest.length} more: ${shown.join('; ')}${common.length > 3 ? `; ${common.length - 3} other changes` : ''}`;
}

/** Why members were left out, counted by reason (most common first). */
export function leftOutLines(leftOut: readonly SkippedMember[], max = 5): string[] {
  const byReason = new Map<string, number>();
  for (const member of leftOut) byReason.set(member.reason, (byReason.get(member.reason) ?? 0) + 1);
  const common = [...byReason].sort((a, b) => b[1] - a[1]);
  return [
    ...common.slice(0, max).map(([reason, count]) => `• ${count} × ${escapeText(reason, 300)}`),
    ...(common.length > max ? [`• ${common.length - max} other reasons`] : []),
  ];
}

/** Opened at once on click (the trigger id lives 3 s); the list replaces it when AWS has been read. */
export function groupRemediationLoadingModal(): ModalView {
  return infoModal(
    'Remediate all',
    ':hourglass_flowing_sand: Reading every resource from AWS to build the list of changes…',
  );
}

/** Every resource and its change; nothing runs until the person presses Remediate all here. */
export function groupRemediationConfirmModal(input: {
  controlId: string;
  listDigest: string;
  members: readonly ConfirmedMember[];
  leftOut: readonly SkippedMember[];
  executor: 'ssm' | 'direct';
}): ModalView {
  const how = input.executor === 'ssm' ? 'one SSM Automation execution per resource' : 'direct EC2 API calls';
  const lines = input.members
    .slice(0, LISTED_MEMBERS)
    .map((member) => `• ${escapeText(member.resource, 300)}: ${escapeText(member.change, 600)}`);
  const remainder = remainderLine(input.members.slice(LISTED_MEMBERS));
  const leftOut =
    input.leftOut.length > 0
      ? [section(`*Left out (${input.leftOut.length})*\n${leftOutLines(input.leftOut).join('\n')}`)]
      : [];
  return {
    type: 'modal',
    callback_id: GROUP_REMEDIATION_CONFIRM_CALLBACK,
    private_metadata: groupRemediationMetadata(input.listDigest, input.members.length),
    title: plainText('Remediate all'),
    submit: plainText('Remediate all'),
    close: plainText('Cancel'),
    blocks: [
      section(
        `*${escapeText(input.controlId, 50)}: ${plural(input.members.length, 'resource')} reachable from the internet*\nThe plan for each, from the state AWS reports now:`,
      ),
      ...packed(remainder ? [...lines, remainder] : lines),
      ...leftOut,
      {
        type: 'context',
        elements: [
          mrkdwn(
            `Runs through ${how}, paced to AWS's rate limits, and reads each resource again to verify. Each resource is its own decision under your name. A resource that changed after you press Remediate all is skipped and reported. Progress appears in the grouped message's thread.`,
          ),
        ],
      },
    ],
  };
}

export function groupRemediationRunningModal(count: number): ModalView {
  return infoModal(
    'Remediate all',
    `:gear: Running ${plural(count, 'remediation')}. Progress and the summary appear in the grouped message's thread. You can close this.`,
  );
}

export function groupRemediationOutcomeModal(
  outcome:
    | { kind: 'refused'; whoMay: string }
    | { kind: 'not-found' }
    | { kind: 'nothing-to-run'; leftOut: readonly SkippedMember[] }
    | { kind: 'not-as-shown' }
    | { kind: 'already-started' }
    | { kind: 'failed'; message: string },
): ModalView {
  switch (outcome.kind) {
    case 'refused':
      return infoModal(
        'Not allowed',
        `:no_entry: You may not remediate findings. Who may: ${escapeText(outcome.whoMay, 1000)}.`,
      );
    case 'not-found':
      return infoModal(
        'Unknown group',
        ':information_source: The bot holds no such group of findings (the message may be from another installation).',
      );
    case 'nothing-to-run':
      return infoModal(
        'Nothing to run',
        `:information_source: No reachable open resource is left to remediate.\n${leftOutLines(outcome.leftOut).join('\n')}`,
      );
    case 'not-as-shown':
      return infoModal(
        'Not run',
        ':warning: This confirmation does not match the list the bot showed, so nothing ran. Click Remediate all again.',
      );
    case 'already-started':
      return infoModal(
        'Already used',
        ":information_source: This confirmation was already used; nothing ran again. The grouped message's thread has the progress.",
      );
    case 'failed':
      return infoModal('Not run', `:x: ${escapeText(outcome.message, 2500)}`);
  }
}
