import { findingMessage } from '../../blocks/finding-message.js';
import { findingNoticeMessage } from '../../blocks/finding-notice.js';
import { groupedFindingsMessage } from '../../blocks/grouped-findings-message.js';
import type { FindingGroup } from '../store/finding-group-repository.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { FindingMessenger, GroupMessenger, PostedLookup } from '../usecases/ports.js';
import { findingViewOf, groupedViewOf, retiredViewOf } from './finding-view.js';
import type { SlackSender } from './sender.js';
import { SlackDeliveryError } from './slack-delivery-error.js';

/** The message metadata event every finding message carries, so a post whose answer was lost can be found. */
export const FINDING_EVENT_TYPE = 'cspm_finding';
/** The message metadata event of a grouped message, naming its group. */
export const GROUP_EVENT_TYPE = 'cspm_finding_group';
/** Our clock and Slack's may disagree a little: look this much further back than the lost post's claim time. */
const CLOCK_SKEW_MARGIN_SECONDS = 120;
/** Bounded read: a channel this busy since the lost post is reported as not fully read. */
const HISTORY_PAGE_SIZE = 200;
const HISTORY_MAX_PAGES = 5;

/** Sent with every post and update (an update without it could drop it), naming the record and the version shown. */
function findingMetadata(record: FindingRecord) {
  return {
    event_type: FINDING_EVENT_TYPE,
    event_payload: { finding_key: record.findingId, version: record.version },
  };
}

function groupMetadata(group: FindingGroup) {
  return { event_type: GROUP_EVENT_TYPE, event_payload: { group_id: group.groupId, version: group.version } };
}

/** Posts and updates finding messages (and grouped messages) in Slack through the rate-limited sender. */
export class SlackFindingMessenger implements FindingMessenger, GroupMessenger {
  constructor(private readonly sender: SlackSender) {}

  async post(
    channel: string,
    record: FindingRecord,
    threadTs?: string,
  ): Promise<{ channel: string; ts: string }> {
    const { text, blocks } = findingMessage(findingViewOf(record));
    return this.sender.postMessage({
      channel,
      text,
      blocks,
      metadata: findingMetadata(record),
      ...(threadTs && { thread_ts: threadTs }),
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  async findPosted(
    channel: string,
    record: FindingRecord,
    since: string,
    threadTs?: string,
  ): Promise<PostedLookup> {
    return this.findTagged(
      channel,
      since,
      threadTs,
      (type, payload) => type === FINDING_EVENT_TYPE && payload['finding_key'] === record.findingId,
    );
  }

  async postGroup(
    group: FindingGroup,
    members: readonly FindingRecord[],
  ): Promise<{ channel: string; ts: string }> {
    const { text, blocks } = groupedFindingsMessage(groupedViewOf(group, members));
    return this.sender.postMessage({
      channel: group.channel,
      text,
      blocks,
      metadata: groupMetadata(group),
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  async updateGroup(group: FindingGroup, ts: string, members: readonly FindingRecord[]): Promise<void> {
    const { text, blocks } = groupedFindingsMessage(groupedViewOf(group, members));
    await this.sender.update({ channel: group.channel, ts, text, blocks, metadata: groupMetadata(group) });
  }

  async findPostedGroup(group: FindingGroup, since: string): Promise<PostedLookup> {
    return this.findTagged(
      group.channel,
      since,
      undefined,
      (type, payload) => type === GROUP_EVENT_TYPE && payload['group_id'] === group.groupId,
    );
  }

  /** Reads the channel (or one thread) back from `since` for the message whose metadata `matches`. */
  private async findTagged(
    channel: string,
    since: string,
    threadTs: string | undefined,
    matches: (eventType: string | undefined, payload: Record<string, unknown>) => boolean,
  ): Promise<PostedLookup> {
    const oldest = (Date.parse(since) / 1000 - CLOCK_SKEW_MARGIN_SECONDS).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_MAX_PAGES; page += 1) {
      const window = {
        channel,
        oldest,
        limit: HISTORY_PAGE_SIZE,
        include_all_metadata: true,
        ...(cursor && { cursor }),
      };
      const result = await (
        threadTs ? this.sender.replies({ ...window, ts: threadTs }) : this.sender.history(window)
      ).catch((error: unknown) => {
        // An app installed before it asked for channels:history/groups:history cannot look: as good as unread.
        if (error instanceof SlackDeliveryError && error.slackError === 'missing_scope') return undefined;
        throw error;
      });
      if (!result) return { kind: 'not-found', complete: false };
      for (const message of result.messages ?? []) {
        const metadata = message.metadata;
        if (!metadata || !message.ts) continue;
        const payload = (metadata.event_payload ?? {}) as Record<string, unknown>;
        if (!matches(metadata.event_type, payload)) continue;
        return {
          kind: 'found',
          ts: message.ts,
          ...(typeof payload['version'] === 'number' && { version: payload['version'] }),
        };
      }
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!result.has_more || !cursor) return { kind: 'not-found', complete: true };
    }
    return { kind: 'not-found', complete: false };
  }

  async update(channel: string, ts: string, record: FindingRecord): Promise<void> {
    const { text, blocks } = findingMessage(findingViewOf(record));
    await this.sender.update({ channel, ts, text, blocks, metadata: findingMetadata(record) });
  }

  async retire(channel: string, ts: string, record: FindingRecord): Promise<void> {
    const { text, blocks } = findingMessage(retiredViewOf(record, record.lastIngestedAt));
    await this.sender.update({ channel, ts, text, blocks });
  }

  async notify(record: FindingRecord, notice: FindingNotice): Promise<void> {
    const { text, blocks } = findingNoticeMessage(notice);
    // A grouped finding's message is itself a reply: its notices go in the grouped message's thread.
    const thread = record.threadTs ?? record.messageTs;
    await this.sender.postMessage({
      channel: record.channel,
      text,
      blocks,
      ...(thread && { thread_ts: thread }),
      unfurl_links: false,
    });
  }
}
