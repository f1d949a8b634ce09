import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnownBlock } from '@slack/types';
import { findingMessage } from '../../blocks/finding-message.js';
import { findingNoticeMessage } from '../../blocks/finding-notice.js';
import { revealInvisible } from '../../blocks/invisible-characters.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import { findingViewOf } from '../slack/finding-view.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { FindingMessenger, PostedLookup } from '../usecases/ports.js';

/**
 * Slack mrkdwn to terminal text: links to their labels, dates to their fallback, entities decoded. A terminal
 * honours bidi overrides too, so invisible characters are shown as markers here as in Slack.
 */
function plain(mrkdwn: string): string {
  return revealInvisible(mrkdwn)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:[^|>]*)\|([^>]*)>/g, '$2')
    .replace(/<@([UW][A-Z0-9]+)>/g, '@$1')
    .replace(/[*`]/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function textOf(object: unknown): string {
  return typeof object === 'object' && object !== null && 'text' in object && typeof object.text === 'string' ? plain(object.text) : '';
}

/** A readable text rendering of a Block Kit message, for the dry run. */
export function blocksAsText(blocks: readonly KnownBlock[]): string {
  const lines: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
        lines.push(textOf(block.text));
        break;
      case 'section':
        if (block.text) lines.push(...textOf(block.text).split('\n'));
        for (const field of block.fields ?? []) lines.push(textOf(field).replaceAll('\n', ' '));
        break;
      case 'context':
        lines.push(block.elements.map(textOf).filter(Boolean).join('  '));
        break;
      case 'actions':
        lines.push(block.elements.map((element) => `[${textOf('text' in element ? element.text : undefined)}]`).join(' '));
        break;
      default:
        break;
    }
  }
  return lines.filter((line) => line.trim() !== '').map((line) => `    ${line}`).join('\n');
}

/**
 * Stands in for Slack when no Slack credentials are configured: prints each message as it would read and saves
 * its Block Kit JSON (paste it into Slack's Block Kit Builder to see it rendered).
 */
export class ConsoleMessenger implements FindingMessenger {
  private count = 0;
  readonly posted: { channel: string; findingId: string; file: string }[] = [];

  constructor(
    private readonly outboxDir: string,
    private readonly write: (text: string) => void,
  ) {}

  async post(channel: string, record: FindingRecord): Promise<{ channel: string; ts: string }> {
    this.count += 1;
    const ts = `dry-run.${String(this.count).padStart(6, '0')}`;
    await this.show('post', channel, ts, record);
    return { channel, ts };
  }

  /** The console never loses an answer: whatever was not printed was not posted. */
  async findPosted(): Promise<PostedLookup> {
    return { kind: 'not-found', complete: true };
  }

  async update(channel: string, ts: string, record: FindingRecord): Promise<void> {
    await this.show('update', channel, ts, record);
  }

  async retire(channel: string, ts: string, record: FindingRecord): Promise<void> {
    this.write(`\n→ would mark ${ts} in ${channel} as posted again (${record.findingId})\n`);
  }

  async notify(record: FindingRecord, notice: FindingNotice): Promise<void> {
    const { blocks } = findingNoticeMessage(notice);
    this.write(`\n→ would reply in the thread of ${record.findingId} in ${record.channel}\n${blocksAsText(blocks)}\n`);
  }

  private async show(kind: 'post' | 'update', channel: string, ts: string, record: FindingRecord): Promise<void> {
    const message = findingMessage(findingViewOf(record));
    await mkdir(this.outboxDir, { recursive: true });
    const file = join(this.outboxDir, `${ts}.json`);
    await writeFile(file, `${JSON.stringify({ channel, text: message.text, blocks: message.blocks }, null, 2)}\n`);
    this.posted.push({ channel, findingId: record.findingId, file });
    this.write(`\n→ ${kind === 'post' ? 'would post to' : 'would update in'} ${channel}   (${file})\n${blocksAsText(message.blocks)}\n`);
  }
}
