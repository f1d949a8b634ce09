import { findingMessage } from '../../blocks/finding-message.js';
import { findingNoticeMessage } from '../../blocks/finding-notice.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { FindingMessenger, PostedLookup } from '../usecases/ports.js';
import { findingViewOf, retiredViewOf } from './finding-view.js';
import type { SlackSender } from './sender.js';
import { SlackDeliveryError } from './slack-delivery-error.js';

/** The message metadata event every finding message carries, so a post whose answer was lost can be found. */
export const FINDING_EVENT_TYPE = 'cspm_finding';
/** Our clock and Slack's may disagree a little: look this much further back than the lost post's claim time. */
const CLOCK_SKEW_MARGIN_SECONDS = 120;
/** Bounded read: a channel this busy since the lost post is reported as not fully read. */
const HISTORY_PAGE_SIZE = 200;
const HISTORY_MAX_PAGES = 5;

/** Sent with every post and update (an update without it could drop it), naming the record and the version shown. */
function findingMetadata(record: FindingRecord) {
  return { event_type: FINDING_EVENT_TYPE, event_payload: { finding_key: record.findingId, version: record.version } };
}

/** Posts and updates finding messages in Slack through the rate-limited sender. */
export class SlackFindingMessenger implements FindingMessenger {
  constructor(private readonly sender: SlackSender) {}

  async post(channel: string, record: FindingRecord): Promise<{ channel: string; ts: string }> {
    const { text, blocks } = findingMessage(findingViewOf(record));
    return this.sender.postMessage({
      channel,
      text,
      blocks,
      metadata: findingMetadata(record),
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  async findPosted(channel: string, record: FindingRecord, since: string): Promise<PostedLookup> {
    const oldest = (Date.parse(since) / 1000 - CLOCK_SKEW_MARGIN_SECONDS).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_MAX_PAGES; page += 1) {
      const result = await this.sender
        .history({ channel, oldest, limit: HISTORY_PAGE_SIZE, include_all_metadata: true, ...(cursor && { cursor }) })
        .catch((error: unknown) => {
          // An app installed before it asked for channels:history/groups:history cannot look: as good as unread.
          if (error instanceof SlackDeliveryError && error.slackError === 'missing_scope') return undefined;
          throw error;
        });
      if (!result) return { kind: 'not-found', complete: false };
      for (const message of result.messages ?? []) {
        const metadata = message.metadata;
        if (metadata?.event_type !== FINDING_EVENT_TYPE || !message.ts) continue;
        const payload = (metadata.event_payload ?? {}) as Record<string, unknown>;
        if (payload['finding_key'] !== record.findingId) continue;
        return { kind: 'found', ts: message.ts, ...(typeof payload['version'] === 'number' && { version: payload['version'] }) };
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
    await this.sender.postMessage({ channel: record.channel, text, blocks, ...(record.messageTs && { thread_ts: record.messageTs }), unfurl_links: false });
  }
}
