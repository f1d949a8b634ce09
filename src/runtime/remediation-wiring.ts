import { randomUUID } from 'node:crypto';
import { STSClient } from '@aws-sdk/client-sts';
import type { WebClient } from '@slack/web-api';
import { AccountClients } from '../aws/aws-clients.js';
import { AttributedRemediator } from '../aws/attributed-remediator.js';
import { DirectRemediator } from '../aws/direct-remediator.js';
import { AwsResourceStateReader } from '../aws/resource-state-reader.js';
import { HomeRegionWorkflow } from '../aws/security-hub-workflow.js';
import { SsmRemediator } from '../aws/ssm-remediator.js';
import type { Config } from '../config/config.js';
import { AppError } from '../domain/app-error.js';
import type { CommandDeps } from '../slack/cspm-command.js';
import { SlackDigestPublisher } from '../slack/digest-publisher.js';
import type { ListenerDeps } from '../slack/listeners.js';
import { SlackSender } from '../slack/sender.js';
import type { StatusDeps } from '../usecases/build-status-report.js';
import type { DigestDeps } from '../usecases/post-digest.js';
import type { JobQueue, SlackJobDeps } from '../slack/slack-jobs.js';
import { SlackUserDirectory } from '../slack/slack-user-directory.js';
import type { DeliverDeps } from '../usecases/deliver-finding-message.js';
import type { IngestDeps } from '../usecases/ingest-findings.js';
import { Ec2SecurityGroupInspector } from '../aws/security-group-inspector.js';
import type { FindingWorkflow, Remediator, ResourceStateReader } from '../usecases/ports.js';
import { AWS_RETRY } from './aws-clients.js';
import type { Store } from './store.js';

/** Raised when someone clicks Remediate on a bot that runs without AWS credentials (the local dry run). */
export class AwsNotConnectedError extends AppError {
  readonly code = 'AWS_NOT_CONNECTED';
  override get userMessage(): string {
    return 'This bot runs without AWS credentials, so it cannot read or change AWS. Set AWS_PROFILE and AWS_REGION and restart it.';
  }
}

const notConnected = (): never => {
  throw new AwsNotConnectedError('AWS is not connected');
};
const disconnected: ResourceStateReader & Remediator & FindingWorkflow = {
  read: async () => notConnected(),
  execute: async () => notConnected(),
  updateWorkflow: async () => notConnected(),
};

export function accountClients(config: Config): AccountClients {
  return new AccountClients({
    homeAccountId: config.remediation.homeAccountId,
    memberRoleName: config.remediation.memberRoleName,
    externalId: config.remediation.memberRoleExternalId,
    sts: new STSClient({ ...AWS_RETRY, ...(config.awsRegion && { region: config.awsRegion }) }),
    clientConfig: AWS_RETRY,
  });
}

/**
 * What ingest needs, for `npm start` and the Lambdas alike. Without AWS clients the finding's own details are used
 * and nothing is remediated automatically; without Slack jobs no acceptance holds new findings.
 */
export function ingestDeps(input: {
  config: Config;
  base: DeliverDeps;
  store: Store;
  clients: AccountClients | undefined;
  jobs: SlackJobDeps | undefined;
  queue: JobQueue | undefined;
}): IngestDeps {
  const { config, base, store, clients, jobs, queue } = input;
  return {
    ...base,
    ...(clients && { inspector: new Ec2SecurityGroupInspector(clients) }),
    routing: config.routing,
    severityThreshold: config.severityThreshold,
    quarantine: store.quarantine,
    ...(jobs && { acceptanceHolds: { acceptances: store.acceptances, decisions: store.decisions, workflow: jobs.workflow, ids: jobs.ids } }),
    ...(queue &&
      clients && {
        autoRemediation: {
          policy: config.remediation.autoRemediate,
          decisions: store.decisions,
          queue: { enqueueAutoRemediation: (job) => queue.enqueue({ kind: 'auto-remediate', ...job }) },
        },
      }),
  };
}

/** Status, lists, Home and the digest: read models over the store, the digest posted through Slack. */
export function commandDeps(config: Config, store: Store, jobs: SlackJobDeps): CommandDeps {
  const status: StatusDeps = { findings: store.findings, decisions: store.decisions, acceptances: store.acceptances, stats: store.stats, clock: jobs.clock, quarantine: store.quarantine };
  const digest: DigestDeps = {
    ...status,
    publisher: new SlackDigestPublisher(jobs.client, new SlackSender(jobs.client, { maxWaitMs: 20_000 })),
    schedule: { weekday: config.digest.weekday, hour: config.digest.hour, timeZone: config.timeZone },
    channel: config.digest.channel,
  };
  return { status, digest, users: jobs.users, policy: jobs.policy, log: jobs.log };
}

/** What the Slack listeners need, taken from the job dependencies. */
export function listenerDeps(jobs: SlackJobDeps, queue: JobQueue, command: CommandDeps): ListenerDeps {
  return { log: jobs.log, queue, users: jobs.users, policy: jobs.policy, findings: jobs.findings, acceptanceRules: jobs.acceptanceRules, clock: jobs.clock, command };
}

/**
 * Everything remediation, suppression and risk acceptance need. `clients` is absent when AWS is not connected: the bot then explains that on
 * click instead of failing obscurely.
 */
export function remediationDeps(input: {
  config: Config;
  base: DeliverDeps;
  store: Store;
  slack: WebClient;
  clients: AccountClients | undefined;
  homeRegion: string | undefined;
}): SlackJobDeps {
  const { config, clients } = input;
  const remediator = !clients
    ? disconnected
    : config.remediation.executor === 'ssm'
      ? new AttributedRemediator(clients, (scoped) => new SsmRemediator(scoped, { automationRoleName: config.remediation.automationRoleName }))
      : new AttributedRemediator(clients, (scoped) => new DirectRemediator(scoped));
  const workflow: FindingWorkflow = clients && input.homeRegion ? new HomeRegionWorkflow(clients, input.homeRegion) : disconnected;
  return {
    ...input.base,
    decisions: input.store.decisions,
    stateReader: clients ? new AwsResourceStateReader(clients) : disconnected,
    remediator,
    workflow,
    users: new SlackUserDirectory(input.slack, config.allowedUserGroups),
    ids: { newId: () => randomUUID() },
    policy: { users: config.allowedUsers, userGroups: config.allowedUserGroups },
    planOptions: {
      imdsHopLimit: config.remediation.imdsHopLimit,
      imdsHopLimitSetByOperator: config.remediation.imdsHopLimitSetByOperator,
    },
    acceptances: input.store.acceptances,
    acceptanceRules: { timeZone: config.timeZone, defaultDays: config.acceptance.defaultDays, maxDays: config.acceptance.maxDays },
    reminderDays: config.acceptance.reminderDays,
    client: input.slack,
    executor: config.remediation.executor,
  };
}
