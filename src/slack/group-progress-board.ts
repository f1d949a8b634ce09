import type { WebClient } from '@slack/web-api';
import { groupProgressMessage, groupSummaryMessage } from '../../blocks/finding-notice.js';
import type { GroupRunProgress } from '../domain/group-remediation.js';
import type { GroupProgressBoard } from '../usecases/remediate-group.js';

/** A group remediation's progress and summary, as replies in the grouped message's thread. */
export class SlackGroupProgressBoard implements GroupProgressBoard {
  constructor(private readonly client: WebClient) {}

  async post(
    channel: string,
    threadTs: string | undefined,
    progress: GroupRunProgress,
  ): Promise<string | undefined> {
    const posted = await this.client.chat.postMessage({
      channel,
      ...(threadTs && { thread_ts: threadTs }),
      ...groupProgressMessage(progress),
    });
    return posted.ts;
  }

  async update(channel: string, ts: string, progress: GroupRunProgress): Promise<void> {
    await this.client.chat.update({ channel, ts, ...groupProgressMessage(progress) });
  }

  async summarise(channel: string, threadTs: string | undefined, progress: GroupRunProgress): Promise<void> {
    await this.client.chat.postMessage({
      channel,
      ...(threadTs && { thread_ts: threadTs }),
      ...groupSummaryMessage(progress),
    });
  }
}
