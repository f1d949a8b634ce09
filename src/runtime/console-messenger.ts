import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnownBlock } from '@slack/types';
import { findingMessage } from '../../blocks/finding-message.js';
import { findingNoticeMessage } from '../../blocks/finding-notice.js';
import { groupedFindingsMessage } from '../../blocks/grouped-findings-message.js';
import { revealInvisible } from '../../blocks/invisible-characters.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import { findingViewOf, groupedViewOf } from '../slack/finding-view.js';
import type { FindingGroup } from '../store/finding-group-repository.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { FindingMessenger, GroupMessenger, PostedLookup } from '../usecases/ports.js';

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
  return typeof object === 'object' && object !== null && 'text' in object && typeof object.text === 'string'
    ? plain(object.text)
    : '';
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
        lines.push(
          block.elements
            .map((element) => `[${textOf('text' in element ? element.text : undefined)}]`)
            .join(' '),
        );
        break;
      default:
        break;
    }
  }
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => `    ${line}`)
    .join('\n');
}

/**
 * Stands in for Slack when no Slack credentials are configured: prints each message as it would read and saves
 * its Block Kit JSON (paste it into Slack's Block Kit Builder to see it rendered).
 */
export class ConsoleMessenger implements FindingMessenger, GroupMessenger {
  private count = 0;
  readonly posted: { channel: string; findingId: string; file: string }[] = [];

  constructor(
    private readonly outboxDir: string,
    private readonly write: (text: string) => void,
  ) {}

  async post(
    channel: string,
    record: FindingRecord,
    threadTs?: string,
  ): Promise<{ channel: string; ts: string }> {
    const ts = this.nextTs();
    await this.show(threadTs ? `reply in the thread of ${threadTs}` : 'post', channel, ts, record);
    return { channel, ts };
  }

  async postGroup(
    group: FindingGroup,
    members: readonly FindingRecord[],
  ): Promise<{ channel: string; ts: string }> {
    const ts = this.nextTs();
    await this.showGroup('post', ts, group, members);
    return { channel: group.channel, ts };
  }

  async updateGroup(group: FindingGroup, ts: string, members: readonly FindingRecord[]): Promise<void> {
    await this.showGroup('update', ts, group, members);
  }

  async findPostedGroup(): Promise<PostedLookup> {
    return { kind: 'not-found', complete: true };
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
    this.write(
      `\n→ would reply in the thread of ${record.findingId} in ${record.channel}\n${blocksAsText(blocks)}\n`,
    );
  }

  private nextTs(): string {
    this.count += 1;
    return `dry-run.${String(this.count).padStart(6, '0')}`;
  }

  private async show(kind: string, channel: string, ts: string, record: FindingRecord): Promise<void> {
    const message = findingMessage(findingViewOf(record));
    const file = await this.save(channel, ts, message);
    this.posted.push({ channel, findingId: record.findingId, file });
    const verb =
      kind === 'post' ? 'would post to' : kind === 'update' ? 'would update in' : `would ${kind} in`;
    this.write(`\n→ ${verb} ${channel}   (${file})\n${blocksAsText(message.blocks)}\n`);
  }

  private async showGroup(
    kind: 'post' | 'update',
    ts: string,
    group: FindingGroup,
    members: readonly FindingRecord[],
  ): Promise<void> {
    const message = groupedFindingsMessage(groupedViewOf(group, members));
    const file = await this.save(group.channel, ts, message);
    this.posted.push({ channel: group.channel, findingId: `group ${group.groupId}`, file });
    const verb =
      kind === 'post' ? 'would post one grouped message to' : 'would update the grouped message in';
    this.write(
      `\n→ ${verb} ${group.channel}   (${file}; each finding follows as a reply in its thread)\n${blocksAsText(message.blocks)}\n`,
    );
  }

  private async save(
    channel: string,
    ts: string,
    message: { text: string; blocks: readonly KnownBlock[] },
  ): Promise<string> {
    await mkdir(this.outboxDir, { recursive: true });
    const file = join(this.outboxDir, `${ts}.json`);
    await writeFile(
      file,
      `${JSON.stringify({ channel, text: message.text, blocks: message.blocks }, null, 2)}\n`,
    );
    return file;
  }
}
