import type { Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  BlockLimitError,
  MESSAGE_TEXT_LIMIT,
  assertWithinLimits,
  checkBlockLimits,
  checkMessageLimits,
  type LimitKind,
} from '../../../blocks/limits.js';
import { AppError } from '../../../src/domain/app-error.js';

const text = (length: number): string => 'x'.repeat(length);
const mrkdwn = (length: number) => ({ type: 'mrkdwn' as const, text: text(length) });
const plain = (length: number) => ({ type: 'plain_text' as const, text: text(length) });
const button = (overrides: Partial<Button> = {}): Button => ({
  type: 'button',
  action_id: 'a',
  text: plain(5),
  value: 'v',
  ...overrides,
});
const section = (length: number): KnownBlock => ({ type: 'section', text: mrkdwn(length) });

describe('checkBlockLimits', () => {
  it('accepts blocks at every limit', () => {
    // Prepare: each field exactly at its maximum.
    const blocks: KnownBlock[] = [
      { type: 'header', text: plain(150), block_id: text(255) },
      { type: 'section', text: mrkdwn(3000), fields: Array.from({ length: 10 }, () => mrkdwn(2000)) },
      {
        type: 'actions',
        elements: Array.from({ length: 25 }, () =>
          button({ action_id: text(255), text: plain(75), value: text(2000) }),
        ),
      },
      { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn(3000)) },
      ...Array.from({ length: 46 }, () => section(1)),
    ];

    // Act / Assess
    expect(blocks).toHaveLength(50);
    expect(checkBlockLimits(blocks, 'message')).toEqual([]);
  });

  it.each<[LimitKind, KnownBlock, string, number, number]>([
    ['block-id', { type: 'divider', block_id: text(256) }, 'blocks[0].block_id', 255, 256],
    ['section-text', section(3001), 'blocks[0].text.text', 3000, 3001],
    [
      'section-fields',
      { type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn(1)) },
      'blocks[0].fields',
      10,
      11,
    ],
    [
      'section-field-text',
      { type: 'section', fields: [mrkdwn(1), mrkdwn(2001)] },
      'blocks[0].fields[1].text',
      2000,
      2001,
    ],
    ['header-text', { type: 'header', text: plain(151) }, 'blocks[0].text.text', 150, 151],
    [
      'actions-elements',
      { type: 'actions', elements: Array.from({ length: 26 }, () => button()) },
      'blocks[0].elements',
      25,
      26,
    ],
    [
      'action-id',
      { type: 'actions', elements: [button({ action_id: text(256) })] },
      'blocks[0].elements[0].action_id',
      255,
      256,
    ],
    [
      'button-text',
      { type: 'actions', elements: [button({ text: plain(76) })] },
      'blocks[0].elements[0].text.text',
      75,
      76,
    ],
    [
      'button-value',
      { type: 'actions', elements: [button({ value: text(2001) })] },
      'blocks[0].elements[0].value',
      2000,
      2001,
    ],
    [
      'button-url',
      { type: 'actions', elements: [button({ url: text(3001) })] },
      'blocks[0].elements[0].url',
      3000,
      3001,
    ],
    [
      'confirm-text',
      { type: 'actions', elements: [button({ confirm: { text: plain(301) } })] },
      'blocks[0].elements[0].confirm.text.text',
      300,
      301,
    ],
    [
      'context-elements',
      { type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn(1)) },
      'blocks[0].elements',
      10,
      11,
    ],
    ['text', { type: 'context', elements: [mrkdwn(3001)] }, 'blocks[0].elements[0].text', 3000, 3001],
    [
      'button-value',
      { type: 'section', text: mrkdwn(1), accessory: button({ value: text(2001) }) },
      'blocks[0].accessory.value',
      2000,
      2001,
    ],
    [
      'input-label',
      { type: 'input', label: plain(2001), element: { type: 'plain_text_input', action_id: 'i' } },
      'blocks[0].label.text',
      2000,
      2001,
    ],
    ['empty-text', section(0), 'blocks[0].text.text', 1, 0],
  ])('reports %s', (kind, block, path, limit, actual) => {
    expect(checkBlockLimits([block], 'message')).toEqual([{ kind, path, limit, actual }]);
  });

  it.each([
    ['message', 50],
    ['modal', 100],
    ['home', 100],
  ] as const)('allows %s surfaces %i blocks and no more', (surface, max) => {
    expect(
      checkBlockLimits(
        Array.from({ length: max }, () => section(1)),
        surface,
      ),
    ).toEqual([]);
    expect(
      checkBlockLimits(
        Array.from({ length: max + 1 }, () => section(1)),
        surface,
      ),
    ).toEqual([{ kind: 'block-count', path: 'blocks', limit: max, actual: max + 1 }]);
  });

  it('reports every violation, not just the first', () => {
    const blocks: KnownBlock[] = [section(3001), { type: 'header', text: plain(151) }];

    expect(checkBlockLimits(blocks, 'message').map((violation) => violation.path)).toEqual([
      'blocks[0].text.text',
      'blocks[1].text.text',
    ]);
  });
});

describe('checkMessageLimits', () => {
  it('holds the fallback text to the chat.postMessage recommendation', () => {
    expect(checkMessageLimits({ text: text(MESSAGE_TEXT_LIMIT), blocks: [] })).toEqual([]);
    expect(
      checkMessageLimits({ text: text(MESSAGE_TEXT_LIMIT + 1), blocks: [section(3001)] }).map((v) => v.kind),
    ).toEqual(['message-text', 'section-text']);
  });
});

describe('assertWithinLimits', () => {
  it('passes blocks within limits', () => {
    expect(() => assertWithinLimits([section(10)], 'message')).not.toThrow();
  });

  it('throws one BlockLimitError listing every violation', () => {
    // Prepare
    const blocks: KnownBlock[] = [section(3001), { type: 'header', text: plain(151) }];

    // Act
    let thrown: unknown;
    try {
      assertWithinLimits(blocks, 'modal', { findingId: 'f-1' });
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(BlockLimitError);
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as BlockLimitError;
    expect(error.code).toBe('BLOCK_LIMIT');
    expect(error.violations).toHaveLength(2);
    expect(error.message).toContain('blocks[0].text.text is 3001 (max 3000');
    expect(error.message).toContain('blocks[1].text.text is 151 (max 150');
    expect(error.context).toMatchObject({ findingId: 'f-1', surface: 'modal' });
  });
});
