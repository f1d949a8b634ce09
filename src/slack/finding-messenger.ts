import { findingMessage } from '../../blocks/finding-message.js';
import { findingNoticeMessage } from '../../blocks/finding-notice.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { FindingMessenger } from '../usecases/ports.js';
import { findingViewOf, retiredViewOf } from './finding-view.js';
import type { SlackSender } from './sender.js';

/** Posts and updates finding messages in Slack through the rate-limited sender. */
export class SlackFindingMessenger implements FindingMessenger {
  constructor(private readonly sender: SlackSender) {}

  async post(channel: string, record: FindingRecord): Promise<{ channel: string; ts: string }> {
    const { text, blocks } = findingMessage(findingViewOf(record));
    return this.sender.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false });
  }

  async update(channel: string, ts: string, record: FindingRecord): Promise<void> {
    const { text, blocks } = findingMessage(findingViewOf(record));
    await this.sender.update({ channel, ts, text, blocks });
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
