import type { Config } from '../config/config.js';
import type { CommandDeps } from '../slack/cspm-command.js';
import { SlackDigestPublisher } from '../slack/digest-publisher.js';
import type { ListenerDeps } from '../slack/listeners.js';
import { SlackSender } from '../slack/sender.js';
import type { JobQueue, SlackJobDeps } from '../slack/slack-jobs.js';
import type { StatusDeps } from '../usecases/build-status-report.js';
import type { DigestDeps } from '../usecases/post-digest.js';
import type { Store } from './store.js';

// `/cspm`, App Home, the digest and the listeners: the Slack Lambda builds these without any remediation code.

/** Status, lists, Home and the digest: read models over the store, the digest posted through Slack. */
export function commandDeps(
  config: Config,
  store: Store,
  jobs: Pick<SlackJobDeps, 'clock' | 'client' | 'users' | 'policy' | 'log'>,
): CommandDeps {
  const status: StatusDeps = {
    findings: store.findings,
    decisions: store.decisions,
    acceptances: store.acceptances,
    stats: store.stats,
    clock: jobs.clock,
    quarantine: store.quarantine,
  };
  const digest: DigestDeps = {
    ...status,
    publisher: new SlackDigestPublisher(jobs.client, new SlackSender(jobs.client, { maxWaitMs: 20_000 })),
    schedule: { weekday: config.digest.weekday, hour: config.digest.hour, timeZone: config.timeZone },
    channel: config.digest.channel,
    log: jobs.log,
  };
  return { status, digest, users: jobs.users, policy: jobs.policy, log: jobs.log, groups: store.groups };
}

/** What the Slack listeners need, taken from the job dependencies. */
export function listenerDeps(
  jobs: Pick<SlackJobDeps, 'log' | 'users' | 'policy' | 'findings' | 'acceptanceRules' | 'clock'>,
  queue: JobQueue,
  command: CommandDeps,
): ListenerDeps {
  return {
    log: jobs.log,
    queue,
    users: jobs.users,
    policy: jobs.policy,
    findings: jobs.findings,
    acceptanceRules: jobs.acceptanceRules,
    clock: jobs.clock,
    command,
  };
}
