/**
 * `npm start`: the bot on this machine. Embedded DynamoDB under CSPM_DATA_DIR; Slack when configured (Socket Mode
 * or HTTP), else a local Slack workspace in the browser (`--dry-run`: print each message and exit); Security Hub when
 * AWS credentials are found, else a sandbox account built from the bundled samples. Wiring happens here; every
 * decision is in the use cases.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openFindingsChartPng } from '../../blocks/digest-chart.js';
import { digestMessage } from '../../blocks/digest-message.js';
import { statusMessage } from '../../blocks/status-message.js';
import { buildDigestReport, onDemandWeek } from '../usecases/post-digest.js';
import { buildStatusReport } from '../usecases/build-status-report.js';
import type { Store } from './store.js';
import { findingSourcesOf } from './finding-sources.js';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/config.js';
import { loadConfig, slackMissing } from '../config/config.js';
import { SlackFindingMessenger } from '../slack/finding-messenger.js';
import { SlackSender } from '../slack/sender.js';
import { ensureTable, startEmbeddedDynamoDb } from '../store/embedded-dynamodb.js';
import { deliverOwedMessages } from '../usecases/deliver-finding-message.js';
import { ingestFindings } from '../usecases/ingest-findings.js';
import { sweepAcceptances } from '../usecases/end-acceptance.js';
import { recountOpenCounters } from '../usecases/recount-open-counters.js';
import { reconcileInterruptedActions } from '../usecases/reconcile-interrupted-actions.js';
import { syncFindings } from '../usecases/sync-findings.js';
import type { SyncedFindings, SyncReport } from '../usecases/sync-findings.js';
import { snapshotOpenCounts } from '../usecases/build-status-report.js';
import { postWeeklyDigest } from '../usecases/post-digest.js';
import { securityHubClient } from './aws-clients.js';
import { InProcessJobQueue } from './in-process-queue.js';
import { accountClients, groupRemediationWiring, ingestDeps, remediationDeps } from './remediation-wiring.js';
import { commandDeps, listenerDeps } from './slack-wiring.js';
import { runSlackJob } from '../slack/slack-jobs.js';
import type { SlackJobDeps } from '../slack/slack-jobs.js';
import { detectAwsAccess } from './aws-credentials.js';
import { bundledSampleFindings } from './bundled-samples.js';
import { ConsoleMessenger, blocksAsText } from './console-messenger.js';
import { describeIngest, describeStoredFindings } from './local-report.js';
import { createLog } from './log.js';
import { createLocalSlackApp } from './slack-app.js';
import { checkSlackConnection, slackStartFailureLine } from './slack-start-check.js';
import { createSlackWebClient } from './slack-web-client.js';
import { createStore } from './store.js';
import { systemClock } from './system-clock.js';
import { findingsOfSecurityHubEvent } from '../aws/security-hub-event.js';
import { createSandboxAccount } from '../sandbox/sandbox-account.js';
import type { LocalBotWithWorkspace } from './local-workspace.js';
import { startLocalBotWithWorkspace } from './local-workspace.js';
import { workspaceSandbox } from './workspace-sandbox.js';
import type { Log } from '../usecases/ports.js';
import type { AwsAccess } from './aws-credentials.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

/** One line on stderr, then a non-zero exit: a start-up failure the person running `npm start` can act on. */
function exitWith(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/** How long a stop waits for running jobs: a stop completes within `docker stop`'s default 10 s. */
const JOB_GRACE_MS = 5_000;
/** Past this a stop is stuck (the Slack app or the embedded DynamoDB would not close): exit non-zero anyway. */
const STOP_LIMIT_MS = 9_000;

// The SDK warns on every client that Node 20 support ends in 2027; the bot's own output matters more here.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

function nextSteps(config: Config, slackReady: boolean, awsReason: string | undefined): void {
  say('\nNext steps');
  if (!slackReady) {
    say(
      `  • Connect Slack: create the app from manifest.yml (README "Create the Slack app"), then set ${slackMissing(config).join(' and ')}`,
    );
    say('    (SLACK_APP_TOKEN for Socket Mode needs no public URL) and run `npm start` again.');
  }
  if (awsReason) {
    say(
      `  • Connect AWS (${awsReason}): export AWS_PROFILE=… and AWS_REGION=<your Security Hub aggregator region>,`,
    );
    say('    then `npm start` syncs GetFindings every CSPM_SYNC_INTERVAL_MINUTES and posts what is open.');
  }
  say(
    '  • Configuration reference: README.md "Configuration". Block Kit JSON of each message is in the outbox folder above.',
  );
}

/** What `/cspm status` would answer now, and the weekly digest with its chart, written to the outbox. */
async function previewStatusAndDigest(config: Config, store: Store, outbox: string): Promise<void> {
  const deps = { ...store, clock: systemClock };
  await snapshotOpenCounts(deps);
  say('\n`/cspm status` would answer:');
  say(blocksAsText(statusMessage(await buildStatusReport(deps, { kind: 'all' })).blocks));
  const report = await buildDigestReport(
    deps,
    onDemandWeek(systemClock.now(), config.timeZone),
    config.timeZone,
  );
  await mkdir(outbox, { recursive: true });
  await writeFile(
    join(outbox, 'digest.json'),
    `${JSON.stringify(digestMessage(report, { chartFileUrl: 'attached' }), null, 2)}\n`,
  );
  await writeFile(
    join(outbox, 'digest-chart.png'),
    openFindingsChartPng(report.openPerDay, { title: 'Open findings per day' }),
  );
  say(`\nWeekly digest preview (${report.weekId}): ${outbox}/digest.json and ${outbox}/digest-chart.png`);
}

/** Flags after `npm start --`. */
interface StartFlags {
  /** Forget every finding, decision and the sandbox account: start from the bundled samples again. */
  readonly reset: boolean;
  /** The old dry run: print each message as it would read in Slack, write the outbox, exit. */
  readonly dryRun: boolean;
  /** With real AWS credentials and the local workspace, let Remediate change AWS. */
  readonly allowRemediation: boolean;
}

function startFlags(argv: readonly string[]): StartFlags {
  return {
    reset: argv.includes('--reset'),
    dryRun: argv.includes('--dry-run'),
    allowRemediation: argv.includes('--allow-remediation'),
  };
}

/** What the console calls each sync's findings. */
const SYNCED_FINDINGS_NAMES: Readonly<Record<SyncedFindings, string>> = {
  asff: 'Security Hub CSPM',
  ocsf: 'Security Hub (OCSF)',
  exposure: 'Security Hub exposures (OCSF)',
};

/** ", 6 exposure findings applied" after a sync's counts, when it applied any. */
function exposuresApplied(counts: SyncReport['counts']): string {
  return counts.enriched > 0 ? `, ${counts.enriched} exposure findings applied` : '';
}

/** The sandbox's own Security Hub aggregates every account and region, from this region. */
const SANDBOX_HOME_REGION = 'ap-northeast-1';

/**
 * No Slack tokens: a local Slack workspace at http://127.0.0.1:PORT that the bot answers over its real HTTP
 * receiver, with AWS, or the sandbox account when there are no credentials. Runs until Ctrl-C.
 */
async function runWithWorkspace(config: Config, log: Log, aws: AwsAccess, flags: StartFlags): Promise<void> {
  const sandbox = aws.ok
    ? undefined
    : await createSandboxAccount({
        dataDir: config.dataDir,
        clock: systemClock,
        reset: flags.reset,
        findingsFormat: config.findingsFormat,
      });
  const clock = sandbox?.clock ?? systemClock;
  if (sandbox) {
    say(`  AWS:      ${sandbox.describe()}`);
    log.warn('running against the sandbox account, not AWS', { sandbox: sandbox.describe() });
  } else if (aws.ok) {
    say(
      `  AWS:      Security Hub in ${config.awsRegions.length > 0 ? config.awsRegions.join(', ') : aws.region}${flags.allowRemediation ? '' : ' (remediation off: plans are shown, nothing is changed; --allow-remediation to change AWS)'}`,
    );
  }
  const dataPath = join(config.dataDir, 'workspace');
  const dynamo = await startEmbeddedDynamoDb({ path: dataPath });
  await ensureTable(dynamo.client, config.tableName);
  const store = createStore(dynamo.client, config.tableName);
  say(`  Storage:  embedded DynamoDB in ${dataPath}/ (table ${config.tableName})`);
  // SSM Automation is not emulated: the sandbox is changed with direct EC2 calls.
  const runConfig: Config = sandbox
    ? { ...config, remediation: { ...config.remediation, executor: 'direct' } }
    : config;
  const homeRegion = aws.ok ? aws.region : SANDBOX_HOME_REGION;
  let bot: LocalBotWithWorkspace | undefined;
  const housekeeping = async () => {
    if (!bot) return;
    await deliverOwedMessages(bot.ingest).catch((error: unknown) => log.error('delivery failed', { error }));
    await reconcileInterruptedActions(bot.jobs).catch((error: unknown) =>
      log.error('reconciling failed', { error }),
    );
    await sweepAcceptances(bot.jobs).catch((error: unknown) =>
      log.error('acceptance sweep failed', { error }),
    );
    const { digest } = commandDeps(bot.config, store, bot.jobs);
    if (digest) {
      await snapshotOpenCounts(digest);
      await postWeeklyDigest(digest).catch((error: unknown) => log.error('digest failed', { error }));
    }
  };
  bot = await startLocalBotWithWorkspace({
    config: runConfig,
    store,
    log,
    clock,
    workspacePort: config.port,
    clients: aws.ok ? accountClients(config) : sandbox!.accountClients(),
    homeRegion,
    remediationDisabled: aws.ok && !flags.allowRemediation,
    ...(sandbox && {
      sandbox: workspaceSandbox({
        sandbox,
        slackApi: () => bot!.workspace.api,
        afterClockMoved: housekeeping,
      }),
    }),
  });
  const running = bot;
  // What "AWS" changes (a Simulate action, the bot's own Security Hub update) arrives as EventBridge would send it.
  sandbox?.events.on('findings-imported', (event) => {
    void ingestFindings(
      running.ingest,
      findingsOfSecurityHubEvent(event, config.findingsFormat).findings,
    ).catch((error: unknown) => log.error('ingesting a sandbox event failed', { error }));
  });
  // Security Hub's exposure findings that are new or changed since the last run (none for CSPM_FINDINGS_FORMAT=asff).
  await sandbox?.publishExposures();
  const regions = sandbox
    ? [SANDBOX_HOME_REGION]
    : config.awsRegions.length > 0
      ? config.awsRegions
      : [homeRegion];
  const syncAll = async () => {
    for (const region of regions) {
      const hub = sandbox ? sandbox.securityHubClient(region) : securityHubClient(region);
      for (const { format, source } of findingSourcesOf(
        config.findingsFormat,
        region,
        config.severityThreshold,
        hub,
      )) {
        const name = SYNCED_FINDINGS_NAMES[format];
        const report = await syncFindings(
          { ...running.ingest, cursors: store.cursors, source },
          { region, format },
        ).catch((error: unknown) => {
          log.error('sync failed', { region, format, error });
          say(
            `  sync of ${name} in ${region} failed: ${error instanceof Error ? error.message : String(error)} (retried next interval)`,
          );
          return undefined;
        });
        if (report)
          say(
            `  ${name} ${region}: ${report.counts.alerted} new, ${report.counts.updated} updated, ${report.counts.unchanged} unchanged${exposuresApplied(report.counts)}`,
          );
      }
    }
    await housekeeping();
  };
  // A previous run killed mid-batch may have left the counters short: rebuild them from the stored findings.
  await recountOpenCounters({ findings: store.findings, stats: store.stats, clock, log }).catch(
    (error: unknown) => log.error('recount failed', { error }),
  );
  say(`\nLocal Slack workspace: ${running.workspace.url}  (open it in a browser; Ctrl-C to stop)`);
  await syncAll();
  const timer = setInterval(() => void syncAll(), config.syncIntervalMinutes * 60_000);
  const stop = () => {
    clearInterval(timer);
    // Open browser tabs keep event streams alive: shut down cleanly if we can, but never hang on them.
    setTimeout(() => process.exit(0), 5_000).unref();
    void running
      .stop()
      .then(() => sandbox?.saved())
      .then(() => dynamo.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLog({ quiet: true });
  const flags = startFlags(process.argv.slice(2));
  const slackReady = slackMissing(config).length === 0;
  const aws: AwsAccess = config.samples
    ? { ok: false as const, reason: 'CSPM_SAMPLES=true' }
    : await detectAwsAccess();
  if (flags.reset) {
    for (const folder of ['dynamodb', 'dry-run', 'workspace', 'outbox'])
      await rm(join(config.dataDir, folder), { recursive: true, force: true });
  }

  say('cspm-bot: Security Hub findings → Slack, with remediate / suppress / accept-risk buttons');
  if (!slackReady && !flags.dryRun) {
    say(
      '  Slack:    not configured: a local Slack workspace in your browser (--dry-run prints messages instead)',
    );
    await runWithWorkspace(config, log, aws, flags);
    return;
  }
  say(
    `  Slack:    ${slackReady ? (config.slack.appToken ? 'Socket Mode' : `HTTP on port ${config.port} (/slack/events)`) : 'not configured: dry run, messages are printed here'}`,
  );
  say(
    `  AWS:      ${aws.ok ? `Security Hub in ${config.awsRegions.length > 0 ? config.awsRegions.join(', ') : aws.region}` : `${aws.reason}: using the bundled sample findings`}`,
  );
  const slack = slackReady ? createSlackWebClient(config.slack.botToken!, config.slackApiUrl) : undefined;
  // Before anything is started: a token Slack refuses is one line and a non-zero exit, not a stack trace later.
  if (slack) {
    const check = await checkSlackConnection(slack, config.slackApiUrl, config.slack.appToken);
    if (check.kind === 'refused') exitWith(check.line);
    say(`  Slack:    bot token accepted by ${check.team} (bot user ${check.botUserId})`);
  }

  // A dry run keeps its own data so fake message ids never meet a real Slack workspace.
  const dataPath = join(config.dataDir, slackReady ? 'dynamodb' : 'dry-run');
  const dynamo = await startEmbeddedDynamoDb({ path: dataPath });
  await ensureTable(dynamo.client, config.tableName);
  const store = createStore(dynamo.client, config.tableName);
  say(`  Storage:  embedded DynamoDB in ${dataPath}/ (table ${config.tableName})`);
  say(
    `  Alerts:   ${config.severityThreshold} and above, default channel ${config.routing.defaultChannel}, ${config.routing.rules.length} routing rule(s)`,
  );

  const outbox = join(config.dataDir, 'outbox');
  const messenger = slack
    ? new SlackFindingMessenger(new SlackSender(slack))
    : new ConsoleMessenger(outbox, (text) => process.stdout.write(text));
  const clients = aws.ok ? accountClients(config) : undefined;
  const base = {
    findings: store.findings,
    messenger,
    clock: systemClock,
    log,
    grouping: { groups: store.groups, messenger, settings: config.grouping },
  };
  const jobs: SlackJobDeps | undefined = slack
    ? {
        ...remediationDeps({
          config,
          base,
          store,
          slack,
          clients,
          homeRegion: aws.ok ? aws.region : undefined,
        }),
        // A long group run hands its next leg to this same in-process queue (declared just below).
        groupRemediation: groupRemediationWiring(store, slack, {
          enqueue: (job): Promise<void> => queue!.enqueue(job),
        }),
      }
    : undefined;
  const queue: InProcessJobQueue | undefined = jobs
    ? new InProcessJobQueue((job) => runSlackJob(jobs, job), log)
    : undefined;
  const deps = ingestDeps({ config, base, store, clients, jobs, queue });

  const app =
    jobs && queue
      ? createLocalSlackApp(
          config,
          listenerDeps(jobs, queue, {
            ...commandDeps(config, store, jobs),
            deliverNow: () => queue.enqueue({ kind: 'deliver' }),
          }),
        )
      : undefined;
  if (app) {
    await app.start().catch(async (error: unknown) => {
      await dynamo.close();
      exitWith(slackStartFailureLine(error, config.slackApiUrl ?? 'https://slack.com/api/'));
    });
    say('  Slack app started: buttons and /cspm are answered while this runs.');
  }

  /** Every interval: messages still owed, expired or expiring risk acceptances. */
  const housekeeping = async () => {
    await deliverOwedMessages(deps);
    if (!jobs) return;
    const reconciled = await reconcileInterruptedActions(jobs).catch((error: unknown) => {
      log.error('reconciling interrupted actions failed', { error });
      return undefined;
    });
    if (reconciled && reconciled.reconciled > 0)
      say(`Interrupted actions: ${reconciled.reconciled} settled from AWS (see their threads)`);
    const sweep = await sweepAcceptances(jobs).catch((error: unknown) => {
      log.error('acceptance sweep failed', { error });
      return undefined;
    });
    if (sweep && sweep.expired + sweep.reminded > 0)
      say(
        `Risk acceptances: ${sweep.expired} expired (${sweep.reopenedFindings} findings re-opened), ${sweep.reminded} reminders sent`,
      );
    const { digest } = commandDeps(config, store, jobs);
    if (!digest) return;
    await snapshotOpenCounts(digest);
    const posted = await postWeeklyDigest(digest).catch((error: unknown) => {
      log.error('digest failed', { error });
      return undefined;
    });
    if (posted?.kind === 'posted') say(`Weekly digest ${posted.weekId} posted to ${config.digest.channel}`);
  };
  const keepRunning = (work: () => Promise<void>) => {
    const timer = setInterval(() => void work(), config.syncIntervalMinutes * 60_000);
    let stopping = false;
    // Ctrl-C, and SIGTERM from a service manager or a container runtime, stop the same way.
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      setTimeout(
        () => exitWith(`cspm-bot: did not stop within ${STOP_LIMIT_MS / 1000} s; exiting anyway`),
        STOP_LIMIT_MS,
      ).unref();
      await app?.stop();
      // A delivery run posts at Slack's pace and may have minutes to go: it is not waited for. Work cut short is
      // picked up on the next start (messages stay owed, an interrupted remediation is reconciled from AWS).
      const finished = await Promise.race([
        queue?.idle().then(() => true) ?? true,
        new Promise<false>((resolve) => setTimeout(() => resolve(false), JOB_GRACE_MS).unref()),
      ]);
      // Work cut short now fails on the closed table; that is the stop, not a crash (it resumes on the next start).
      process.on('unhandledRejection', (error) => log.debug('work cut short by the stop', { error }));
      await dynamo.close();
      say(
        finished
          ? '\nStopped: Slack app, job queue and embedded DynamoDB closed.'
          : '\nStopped: Slack app and embedded DynamoDB closed; running work was cut short and resumes on the next start.',
      );
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
  };

  await housekeeping();
  if (!aws.ok) {
    say('\nIngesting the bundled sample findings (samples/findings)…');
    const report = await ingestFindings(deps, await bundledSampleFindings());
    say();
    describeIngest(report.outcomes, config.severityThreshold).forEach((line) => say(line));
    const stored = await Promise.all(
      report.outcomes
        .filter(
          (outcome) => 'findingId' in outcome && outcome.kind !== 'dropped' && outcome.kind !== 'malformed',
        )
        .map((outcome) => store.findings.get((outcome as { findingId: string }).findingId)),
    );
    say('\nStored findings (severity, control, account/region, resource, urgency, channel, what):');
    describeStoredFindings(stored.filter((record) => record !== undefined)).forEach((line) => say(line));
    await previewStatusAndDigest(config, store, outbox);
    if (!slackReady) say(`\nBlock Kit JSON of each message: ${outbox}/`);
    nextSteps(config, slackReady, aws.reason);
    if (!app) {
      await dynamo.close();
      return;
    }
    say('\nRunning; Ctrl-C to stop.');
    keepRunning(housekeeping);
    return;
  }

  const regions = config.awsRegions.length > 0 ? config.awsRegions : [aws.region];
  const syncAll = async () => {
    for (const region of regions) {
      const sources = findingSourcesOf(
        config.findingsFormat,
        region,
        config.severityThreshold,
        securityHubClient(region),
      );
      for (const { format, source } of sources) {
        const hub = SYNCED_FINDINGS_NAMES[format];
        say(`\nSyncing ${hub} in ${region}…`);
        try {
          const report = await syncFindings(
            { ...deps, cursors: store.cursors, source },
            {
              region,
              format,
              onPage: (page, counts) =>
                say(
                  `  page ${page}: ${counts.alerted} alerted, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.dropped} dropped${exposuresApplied(counts)}${counts.failed > 0 ? `, ${counts.failed} not stored (see /cspm status)` : ''}`,
                ),
            },
          );
          say(
            `  done: ${report.pages} page(s)${report.resumedFrom ? `, resumed from ${report.resumedFrom}` : ' (first sync: backfill of open findings)'}`,
          );
        } catch (error) {
          log.error('sync failed', { region, format, error });
          say(
            `  sync of ${hub} in ${region} failed: ${error instanceof Error ? error.message : String(error)} (retried next interval)`,
          );
        }
      }
    }
    await housekeeping();
  };
  await syncAll();
  if (!slackReady) nextSteps(config, slackReady, undefined);
  say(`\nSyncing every ${config.syncIntervalMinutes} min; Ctrl-C to stop.`);
  keepRunning(syncAll);
}

await main();
