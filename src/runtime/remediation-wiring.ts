import { readsOcsf } from '../domain/findings-format.js';
import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { AccountClients } from '../aws/aws-clients.js';
import { EVERY_SERVICE_CLIENT } from '../aws/every-service-client.js';
import { AttributedRemediator } from '../aws/attributed-remediator.js';
import { DirectRemediator } from '../aws/direct-remediator.js';
import { AwsCallPacer, PacedClients } from '../aws/rate-limited-clients.js';
import { AwsAccountImdsDefaultsReader } from '../aws/account-imds-defaults-reader.js';
import { AwsResourceStateReader } from '../aws/resource-state-reader.js';
import { HomeRegionWorkflow } from '../aws/security-hub-workflow.js';
import { SsmRemediator } from '../aws/ssm-remediator.js';
import type { Config } from '../config/config.js';
import { AppError } from '../domain/app-error.js';
import type { JobQueue, SlackJobDeps } from '../slack/slack-jobs.js';
import type { DeliverDeps } from '../usecases/deliver-finding-message.js';
import type { IngestDeps } from '../usecases/ingest-findings.js';
import { leasedDeliveryTrigger } from '../usecases/run-deliveries.js';
import { Ec2SecurityGroupInspector } from '../aws/security-group-inspector.js';
import type { FindingWorkflow, Remediator, ResourceStateReader } from '../usecases/ports.js';
import { memberAccountClients } from './member-account-clients.js';
import { slackAccess } from './slack-access.js';
import type { Store } from './store.js';
import { SlackGroupProgressBoard } from '../slack/group-progress-board.js';
import { GROUP_REMEDIATION_DEFAULTS } from '../slack/group-remediation-jobs.js';
import type { GroupRemediationWiring } from '../slack/group-remediation-jobs.js';

/** A delivery run stops within the Worker's 15-minute timeout; what is left stays owed for the next run or the sync. */
const DELIVERY_RUN_BUDGET_MS = 12 * 60_000;
/** A run waits this long for the rest of the burst that started it (EventBridge sends one finding per event). */
const DELIVERY_RUN_SETTLE_MS = 2_000;

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

/** Clients for every service remediation runs (`npm start`, the Worker, the Sync). */
export function accountClients(config: Config): AccountClients {
  return memberAccountClients(config, EVERY_SERVICE_CLIENT);
}

/** Suppress, accept and resolve write the workflow status in the home region (where the aggregator is). */
export function findingWorkflow(
  clients: AccountClients | undefined,
  homeRegion: string | undefined,
): FindingWorkflow {
  return clients && homeRegion ? new HomeRegionWorkflow(clients, homeRegion) : disconnected;
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
  jobs: Pick<SlackJobDeps, 'workflow' | 'ids'> | undefined;
  queue: JobQueue | undefined;
}): IngestDeps {
  const { config, base, store, clients, jobs, queue } = input;
  return {
    ...base,
    // Ingest never waits for Slack: the delivery run posts (one in flight, on the work queue). No queue: inline.
    ...(queue && {
      deliveries: leasedDeliveryTrigger({
        lease: store.deliveryRuns,
        startRun: () => queue.enqueue({ kind: 'deliver' }),
        clock: base.clock,
        log: base.log,
      }),
    }),
    ...(clients && { inspector: new Ec2SecurityGroupInspector(clients) }),
    routing: config.routing,
    severityThreshold: config.severityThreshold,
    quarantine: store.quarantine,
    // Both Security Hubs publish each control finding: one stored finding, one message.
    ...(config.findingsFormat === 'both' && { sameFindings: store.sameFindings }),
    ...(readsOcsf(config.findingsFormat) && { exposures: store.exposures }),
    ...(jobs && {
      acceptanceHolds: {
        acceptances: store.acceptances,
        decisions: store.decisions,
        workflow: jobs.workflow,
        ids: jobs.ids,
      },
    }),
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
  // One pacer per process: every change (single or bulk) spends the same per-account, per-region AWS tokens.
  const paced = clients && new PacedClients(clients, new AwsCallPacer());
  const remediator = !paced
    ? disconnected
    : config.remediation.executor === 'ssm'
      ? new AttributedRemediator(
          paced,
          (scoped) =>
            new SsmRemediator(scoped, { automationRoleName: config.remediation.automationRoleName }),
        )
      : new AttributedRemediator(paced, (scoped) => new DirectRemediator(scoped));
  const workflow = findingWorkflow(clients, input.homeRegion);
  return {
    ...input.base,
    decisions: input.store.decisions,
    stateReader: clients ? new AwsResourceStateReader(clients) : disconnected,
    ...(clients && { accountDefaults: new AwsAccountImdsDefaultsReader(clients) }),
    remediator,
    workflow,
    ...slackAccess(config, input.slack),
    ids: { newId: () => randomUUID() },
    planOptions: {
      imdsHopLimit: config.remediation.imdsHopLimit,
      imdsHopLimitSetByOperator: config.remediation.imdsHopLimitSetByOperator,
    },
    acceptances: input.store.acceptances,
    reminderDays: config.acceptance.reminderDays,
    deliveryRun: {
      lease: input.store.deliveryRuns,
      budgetMs: DELIVERY_RUN_BUDGET_MS,
      settleMs: DELIVERY_RUN_SETTLE_MS,
    },
    client: input.slack,
    executor: config.remediation.executor,
  };
}

/**
 * "Remediate all reachable…": the grouped messages' members, the runs, progress in the thread, and the queue the
 * next leg of a long run goes to (the Worker itself when deployed).
 */
export function groupRemediationWiring(
  store: Store,
  slack: WebClient,
  queue: JobQueue,
): GroupRemediationWiring {
  return {
    groups: {
      groupOf: (groupId) => store.groups.get(groupId),
      membersOf: (groupId) => store.findings.inGroup(groupId),
    },
    runs: store.groupRuns,
    progress: new SlackGroupProgressBoard(slack),
    queue,
    ...GROUP_REMEDIATION_DEFAULTS,
  };
}
