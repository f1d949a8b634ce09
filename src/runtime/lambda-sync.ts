import { deliverOwedMessages } from '../usecases/deliver-finding-message.js';
import { sweepAcceptances } from '../usecases/end-acceptance.js';
import { recountOpenCounters } from '../usecases/recount-open-counters.js';
import { reconcileInterruptedActions } from '../usecases/reconcile-interrupted-actions.js';
import { syncFindings } from '../usecases/sync-findings.js';
import { snapshotOpenCounts } from '../usecases/build-status-report.js';
import { postWeeklyDigest } from '../usecases/post-digest.js';
import { ingestDeps } from './remediation-wiring.js';
import { commandDeps } from './slack-wiring.js';
import type { SyncReport } from '../usecases/sync-findings.js';
import { securityHubClient } from './aws-clients.js';
import { onceUntilFailure } from './cold-start.js';
import { findingSourcesOf } from './finding-sources.js';
import { lambdaBase, loadLambdaConfig, workerQueue } from './lambda-environment.js';
import { lambdaJobDeps } from './lambda-job-deps.js';
import { createLog } from './log.js';
import { EmfMetrics } from './emf-metrics.js';
import { countIngested } from '../usecases/bot-metrics.js';
import type { Context } from 'aws-lambda';

const log = createLog();
const metrics = new EmfMetrics();
/** The schedule runs every 15 minutes; the run starting in this UTC hour's first quarter recounts. */
const RECOUNT_HOUR_UTC = 3;

const prepared = onceUntilFailure(async () => {
  const config = await loadLambdaConfig();
  const shared = lambdaBase(config, log, metrics);
  const { store, base } = shared;
  const { clients, jobs } = lambdaJobDeps(config, shared);
  const deps = ingestDeps({ config, base, store, clients, jobs, queue: workerQueue(config) });
  const regions =
    config.awsRegions.length > 0
      ? config.awsRegions
      : [config.awsRegion ?? process.env['AWS_REGION'] ?? 'us-east-1'];
  return { config, deps, store, jobs, regions };
});

/**
 * Scheduled: retry every Slack message still owed, page GetFindings and/or GetFindingsV2 (CSPM_FINDINGS_FORMAT)
 * per region from each cursor (catches what
 * EventBridge missed, backfills a new deployment), settle actions a killed run left PENDING (from AWS, never by
 * running them again), sweep risk acceptances (expiry, reminders), snapshot the open
 * counts for the chart, and post the weekly digest when it is due (once per week).
 */
export async function handler(_event?: unknown, context?: Context): Promise<SyncReport[]> {
  if (context) log.addContext(context);
  try {
    return await syncEverything();
  } finally {
    metrics.flush();
  }
}

async function syncEverything(): Promise<SyncReport[]> {
  const { config, deps, store, jobs, regions } = await prepared();
  const owed = await deliverOwedMessages(deps);
  if (owed.length > 0)
    log.info('retried owed messages', {
      count: owed.length,
      failed: owed.filter((outcome) => outcome.kind === 'failed').length,
    });
  const reports: SyncReport[] = [];
  for (const region of regions) {
    const sources = findingSourcesOf(
      config.findingsFormat,
      region,
      config.severityThreshold,
      securityHubClient(region),
    );
    for (const source of sources) {
      const report = await syncFindings(
        { ...deps, cursors: store.cursors, source: source.source },
        { region, format: source.format },
      );
      log.info('synced Security Hub', { ...report });
      countIngested(metrics, report.counts);
      reports.push(report);
    }
  }
  // Once a day, in the quiet hour: counters a batch that died before its flush left short are rebuilt from the index.
  const now = jobs.clock.now().toUTC();
  if (now.hour === RECOUNT_HOUR_UTC && now.minute < 15) {
    const recount = await recountOpenCounters({
      findings: store.findings,
      stats: store.stats,
      clock: jobs.clock,
      log,
    });
    log.info('recounted open findings', { ...recount });
  }
  const reconciled = await reconcileInterruptedActions(jobs);
  if (reconciled.reconciled + reconciled.busy > 0)
    log.warn('reconciled interrupted actions', { ...reconciled });
  const sweep = await sweepAcceptances(jobs);
  if (sweep.expired + sweep.reminded > 0) log.info('swept risk acceptances', { ...sweep });
  const { digest } = commandDeps(config, store, jobs);
  if (digest) {
    await snapshotOpenCounts(digest);
    const posted = await postWeeklyDigest(digest);
    if (posted.kind === 'posted') log.info('posted the weekly digest', { weekId: posted.weekId });
  }
  return reports;
}
