/**
 * `npm start` without Slack tokens: a local Slack workspace in the browser (http://127.0.0.1:<port>) and the bot
 * answering it over its real HTTP receiver, exactly as it answers Slack. Nothing leaves 127.0.0.1.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import type { AccountClients } from '../aws/aws-clients.js';
import type { Config } from '../config/config.js';
import { SlackFindingMessenger } from '../slack/finding-messenger.js';
import { SlackSender } from '../slack/sender.js';
import type { SlackJobDeps } from '../slack/slack-jobs.js';
import { runSlackJob } from '../slack/slack-jobs.js';
import type { IngestDeps } from '../usecases/ingest-findings.js';
import type { Clock, Log } from '../usecases/ports.js';
import { LOCAL_SECOPS_GROUP } from '../workspace/local-users.js';
import type { WorkspaceSandbox } from '../workspace/workspace-server.js';
import { WorkspaceServer } from '../workspace/workspace-server.js';
import { InProcessJobQueue } from './in-process-queue.js';
import { AppError } from '../domain/app-error.js';
import type { Remediator } from '../usecases/ports.js';
import { groupRemediationWiring, ingestDeps, remediationDeps } from './remediation-wiring.js';
import { createLocalSlackApp } from './slack-app.js';
import { createSlackWebClient } from './slack-web-client.js';
import { commandDeps, listenerDeps } from './slack-wiring.js';
import type { Store } from './store.js';

/** The local workspace signs with this; the bot it starts verifies with the same. Not a secret: loopback only. */
export const LOCAL_SIGNING_SECRET = 'local-workspace-signing-secret-0123456789';
export const LOCAL_BOT_TOKEN = 'xoxb-local';

export async function startLocalWorkspace(options: {
  port: number;
  botEventsUrl: string;
  signingSecret: string;
  defaultChannel?: string;
  sandbox?: WorkspaceSandbox;
}): Promise<WorkspaceServer> {
  return new WorkspaceServer(options).start();
}

/** A free TCP port on 127.0.0.1 (the bot's receiver when PORT serves the workspace). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class RemediationOffError extends AppError {
  readonly code = 'REMEDIATION_OFF';
  override get userMessage(): string {
    return 'Remediation is off in the local workspace with real AWS credentials: the plan was shown, nothing changed. Restart with `npm start -- --allow-remediation` to let it change AWS.';
  }
}

const remediationOff: Remediator = {
  execute: () =>
    Promise.reject(new RemediationOffError('remediation is off (start with --allow-remediation)')),
};

export interface LocalBotWithWorkspace {
  readonly workspace: WorkspaceServer;
  readonly app: App;
  readonly queue: InProcessJobQueue;
  readonly jobs: SlackJobDeps;
  /** Ingest into the store and post to the workspace (the lead's sample findings or the sandbox account's). */
  readonly ingest: IngestDeps;
  /** The config the bot runs with: Slack pointed at the workspace. */
  readonly config: Config;
  stop(): Promise<void>;
}

/**
 * The bot (Bolt HTTP receiver on `botPort`, in-process job queue) talking to a local workspace on `workspacePort`
 * (0 = any free port). With no CSPM_ALLOWED_USERS / CSPM_ALLOWED_USERGROUPS configured, the local security group
 * (you and dana) may act, so every button can be tried.
 */
export async function startLocalBotWithWorkspace(input: {
  config: Config;
  store: Store;
  log: Log;
  clock: Clock;
  workspacePort: number;
  botPort?: number;
  clients?: AccountClients;
  homeRegion?: string;
  sandbox?: WorkspaceSandbox;
  /** Real AWS without `--allow-remediation`: plans are shown, nothing is changed. */
  remediationDisabled?: boolean;
}): Promise<LocalBotWithWorkspace> {
  const botPort = input.botPort ?? (await freeLoopbackPort());
  const workspace = await startLocalWorkspace({
    port: input.workspacePort,
    botEventsUrl: `http://127.0.0.1:${botPort}/slack/events`,
    signingSecret: LOCAL_SIGNING_SECRET,
    defaultChannel: input.config.routing.defaultChannel,
    ...(input.sandbox && { sandbox: input.sandbox }),
  });
  const nobodyConfigured =
    input.config.allowedUsers.length === 0 && input.config.allowedUserGroups.length === 0;
  const config: Config = {
    ...input.config,
    slack: { botToken: LOCAL_BOT_TOKEN, signingSecret: LOCAL_SIGNING_SECRET },
    slackApiUrl: workspace.apiUrl,
    port: botPort,
    ...(nobodyConfigured && { allowedUserGroups: [LOCAL_SECOPS_GROUP] }),
  };
  const slack = createSlackWebClient(LOCAL_BOT_TOKEN, workspace.apiUrl);
  const messenger = new SlackFindingMessenger(new SlackSender(slack));
  const base = {
    findings: input.store.findings,
    messenger,
    clock: input.clock,
    log: input.log,
    grouping: { groups: input.store.groups, messenger, settings: config.grouping },
  };
  const jobs: SlackJobDeps = {
    ...remediationDeps({
      config,
      base,
      store: input.store,
      slack,
      clients: input.clients,
      homeRegion: input.homeRegion,
    }),
    ...(input.remediationDisabled && { remediator: remediationOff }),
    // A long group run hands its next leg to this same in-process queue.
    groupRemediation: groupRemediationWiring(input.store, slack, { enqueue: (job) => queue.enqueue(job) }),
  };
  const queue: InProcessJobQueue = new InProcessJobQueue((job) => runSlackJob(jobs, job), input.log);
  const ingest = ingestDeps({ config, base, store: input.store, clients: input.clients, jobs, queue });
  const command = {
    ...commandDeps(config, input.store, jobs),
    deliverNow: () => queue.enqueue({ kind: 'deliver' }),
  };
  const app = createLocalSlackApp(config, listenerDeps(jobs, queue, command));
  try {
    await app.start();
  } catch (error) {
    await workspace.stop();
    throw error;
  }
  return {
    workspace,
    app,
    queue,
    jobs,
    ingest,
    config,
    stop: async () => {
      await app.stop();
      await queue.idle();
      await workspace.stop();
    },
  };
}
