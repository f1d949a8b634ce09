import type { WebClient } from '@slack/web-api';
import { openFindingsChartPng } from '../../blocks/digest-chart.js';
import { digestMessage } from '../../blocks/digest-message.js';
import type { DigestReport } from '../domain/status-report.js';
import type { DigestPublication, DigestPublisher } from '../usecases/post-digest.js';
import { toAppError } from '../domain/app-error.js';
import type { SlackSender } from './sender.js';

/** The digest message, then the chart uploaded into its thread (files.uploadV2 needs the channel id Slack returned). */
export class SlackDigestPublisher implements DigestPublisher {
  constructor(
    private readonly client: WebClient,
    private readonly sender: SlackSender,
  ) {}

  async publish(channel: string, report: DigestReport): Promise<DigestPublication> {
    const { text, blocks } = digestMessage(report, { chartFileUrl: 'attached' });
    const posted = await this.sender.postMessage({ channel, text, blocks, unfurl_links: false });
    // The message is out: from here on a failure only loses the chart, never a reason to post the digest again.
    try {
      const png = openFindingsChartPng(
        report.openPerDay.map(({ day, open }) => ({ day, open })),
        { title: 'Open findings per day' },
      );
      await this.client.files.uploadV2({
        channel_id: posted.channel,
        thread_ts: posted.ts,
        file: png,
        filename: `cspm-open-findings-${report.weekId.replace(/[^\w-]+/g, '-')}.png`,
        title: `Open findings per day, ${report.weekStart} to ${report.weekEnd}`,
      });
      return { chart: 'uploaded' };
    } catch (error) {
      return { chart: 'missing', reason: toAppError(error).message };
    }
  }
}
