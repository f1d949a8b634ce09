import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { JobQueue, SlackJob } from '../slack/slack-jobs.js';

/**
 * Deployed work queue: an asynchronous invoke of the Worker function (returns in milliseconds, so the Slack
 * handler still acks in time). The Worker's async retries are 0: a failed remediation is never re-run by itself.
 */
export class LambdaInvokeQueue implements JobQueue {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly workerFunctionName: string,
  ) {}

  async enqueue(job: SlackJob): Promise<void> {
    await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.workerFunctionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(job)),
      }),
    );
  }
}
