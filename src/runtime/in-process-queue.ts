import type { JobQueue, SlackJob } from '../slack/slack-jobs.js';
import type { Log } from '../usecases/ports.js';

/**
 * `npm start`'s work queue: the job runs in this process right after the Slack ack returns. `idle()` lets tests
 * and a clean shutdown wait for what is running.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly run: (job: SlackJob) => Promise<void>,
    private readonly log: Log,
  ) {}

  async enqueue(job: SlackJob): Promise<void> {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(job))
      .catch((error: unknown) => this.log.error('job failed', { job: job.kind, error }))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
