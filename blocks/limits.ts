import type { ActionsBlockElement, KnownBlock, TextObject } from '@slack/types';
import { AppError } from '../src/domain/app-error.js';

/**
 * Block Kit limits from Slack's block, element and composition-object references. Slack answers `invalid_blocks`
 * without saying which field broke; checking before sending names the field and keeps a bad finding from
 * silently never reaching the channel. Lengths are in UTF-16 code units (see blocks/mrkdwn.ts).
 */
export const BLOCK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  textObject: 3000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  actionsElements: 25,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButtonText: 30,
  actionId: 255,
  blockId: 255,
  inputLabel: 2000,
  inputHint: 2000,
} as const;

/**
 * The top-level `text` of chat.postMessage/chat.update: Slack recommends at most 4,000 characters and truncates
 * beyond 40,000; with blocks it is only the notification and screen-reader fallback, so we hold it to 4,000.
 */
export const MESSAGE_TEXT_LIMIT = 4000;

export type BlockSurface = 'message' | 'modal' | 'home';

export type LimitKind =
  | 'block-count'
  | 'block-id'
  | 'empty-text'
  | 'text'
  | 'section-text'
  | 'section-fields'
  | 'section-field-text'
  | 'header-text'
  | 'actions-elements'
  | 'context-elements'
  | 'action-id'
  | 'button-text'
  | 'button-value'
  | 'button-url'
  | 'confirm-text'
  | 'input-label'
  | 'input-hint'
  | 'message-text';

export interface LimitViolation {
  readonly kind: LimitKind;
  /** Where in the payload, e.g. `blocks[3].elements[0].value`. */
  readonly path: string;
  /** The maximum (or, for `empty-text`, the minimum) allowed. */
  readonly limit: number;
  readonly actual: number;
}

export class BlockLimitError extends AppError {
  readonly code = 'BLOCK_LIMIT';
  readonly violations: readonly LimitViolation[];

  constructor(
    surface: BlockSurface,
    violations: readonly LimitViolation[],
    context: Record<string, unknown> = {},
  ) {
    super(`Block Kit limits exceeded for a ${surface}: ${violations.map(describeViolation).join('; ')}`, {
      ...context,
      surface,
      violations,
    });
    this.violations = violations;
  }

  override get userMessage(): string {
    return 'This message is too large for Slack. The details are in the bot log.';
  }
}

export function describeViolation(violation: LimitViolation): string {
  if (violation.kind === 'empty-text') return `${violation.path} must not be empty`;
  return `${violation.path} is ${violation.actual} (max ${violation.limit}, ${violation.kind})`;
}

/** Every limit the blocks break, in payload order; empty when Slack will accept them. */
export function checkBlockLimits(blocks: readonly KnownBlock[], surface: BlockSurface): LimitViolation[] {
  const found: LimitViolation[] = [];
  const maxBlocks = surface === 'message' ? BLOCK_LIMITS.blocksPerMessage : BLOCK_LIMITS.blocksPerView;
  atMost(found, 'block-count', 'blocks', blocks.length, maxBlocks);
  blocks.forEach((block, index) => checkBlock(found, block, `blocks[${index}]`));
  return found;
}

/** Blocks plus the top-level fallback `text` of a chat.postMessage/chat.update. */
export function checkMessageLimits(message: {
  readonly text: string;
  readonly blocks: readonly KnownBlock[];
}): LimitViolation[] {
  const found: LimitViolation[] = [];
  atMost(found, 'message-text', 'text', message.text.length, MESSAGE_TEXT_LIMIT);
  return [...found, ...checkBlockLimits(message.blocks, 'message')];
}

/** Throws one `BlockLimitError` naming every violation. */
export function assertWithinLimits(
  blocks: readonly KnownBlock[],
  surface: BlockSurface,
  context: Record<string, unknown> = {},
): void {
  const violations = checkBlockLimits(blocks, surface);
  if (violations.length > 0) throw new BlockLimitError(surface, violations, context);
}

function checkBlock(found: LimitViolation[], block: KnownBlock, path: string): void {
  if (block.block_id !== undefined)
    atMost(found, 'block-id', `${path}.block_id`, block.block_id.length, BLOCK_LIMITS.blockId);
  switch (block.type) {
    case 'section':
      if (block.text !== undefined)
        checkText(found, 'section-text', `${path}.text`, block.text, BLOCK_LIMITS.sectionText);
      if (block.fields !== undefined) {
        atMost(found, 'section-fields', `${path}.fields`, block.fields.length, BLOCK_LIMITS.sectionFields);
        block.fields.forEach((field, index) =>
          checkText(
            found,
            'section-field-text',
            `${path}.fields[${index}]`,
            field,
            BLOCK_LIMITS.sectionFieldText,
          ),
        );
      }
      if (block.accessory !== undefined) checkElement(found, block.accessory, `${path}.accessory`);
      return;
    case 'header':
      checkText(found, 'header-text', `${path}.text`, block.text, BLOCK_LIMITS.headerText);
      return;
    case 'actions':
      atMost(
        found,
        'actions-elements',
        `${path}.elements`,
        block.elements.length,
        BLOCK_LIMITS.actionsElements,
      );
      block.elements.forEach((element, index) => checkElement(found, element, `${path}.elements[${index}]`));
      return;
    case 'context':
      atMost(
        found,
        'context-elements',
        `${path}.elements`,
        block.elements.length,
        BLOCK_LIMITS.contextElements,
      );
      block.elements.forEach((element, index) => {
        if (element.type === 'plain_text' || element.type === 'mrkdwn') {
          checkText(found, 'text', `${path}.elements[${index}]`, element, BLOCK_LIMITS.textObject);
        }
      });
      return;
    case 'input':
      checkText(found, 'input-label', `${path}.label`, block.label, BLOCK_LIMITS.inputLabel);
      if (block.hint !== undefined)
        checkText(found, 'input-hint', `${path}.hint`, block.hint, BLOCK_LIMITS.inputHint);
      checkElement(found, block.element, `${path}.element`);
      return;
    default:
      // Other block types carry no limit we rely on yet.
      return;
  }
}

/** Any interactive element: its action_id; buttons also their text, value, url and confirm dialog. */
function checkElement(
  found: LimitViolation[],
  element: { type: string; action_id?: string },
  path: string,
): void {
  if (element.action_id !== undefined) {
    atMost(found, 'action-id', `${path}.action_id`, element.action_id.length, BLOCK_LIMITS.actionId);
  }
  if (!isButton(element)) return;
  checkText(found, 'button-text', `${path}.text`, element.text, BLOCK_LIMITS.buttonText);
  if (element.value !== undefined)
    atMost(found, 'button-value', `${path}.value`, element.value.length, BLOCK_LIMITS.buttonValue);
  if (element.url !== undefined)
    atMost(found, 'button-url', `${path}.url`, element.url.length, BLOCK_LIMITS.buttonUrl);
  const confirm = element.confirm;
  if (confirm === undefined) return;
  if (confirm.title)
    checkText(found, 'confirm-text', `${path}.confirm.title`, confirm.title, BLOCK_LIMITS.confirmTitle);
  checkText(found, 'confirm-text', `${path}.confirm.text`, confirm.text, BLOCK_LIMITS.confirmText);
  if (confirm.confirm) {
    checkText(
      found,
      'confirm-text',
      `${path}.confirm.confirm`,
      confirm.confirm,
      BLOCK_LIMITS.confirmButtonText,
    );
  }
  if (confirm.deny)
    checkText(found, 'confirm-text', `${path}.confirm.deny`, confirm.deny, BLOCK_LIMITS.confirmButtonText);
}

function isButton(element: { type: string }): element is Extract<ActionsBlockElement, { type: 'button' }> {
  return element.type === 'button';
}

/** Text objects need at least one character (an empty one is `invalid_blocks` too) and at most `max`. */
function checkText(
  found: LimitViolation[],
  kind: LimitKind,
  path: string,
  text: TextObject,
  max: number,
): void {
  const length = text.text.length;
  if (length === 0) {
    found.push({ kind: 'empty-text', path: `${path}.text`, limit: 1, actual: 0 });
    return;
  }
  atMost(found, kind, `${path}.text`, length, max);
}

function atMost(found: LimitViolation[], kind: LimitKind, path: string, actual: number, limit: number): void {
  if (actual > limit) found.push({ kind, path, limit, actual });
}
