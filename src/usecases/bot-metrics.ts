import type { Decision } from '../domain/decision.js';
import type { IngestOutcome } from './ingest-findings.js';
import type { Metrics } from './ports.js';

/**
 * Every CloudWatch metric the bot emits, in one place: the use cases name them through the `Metrics` port and the
 * stack's alarms and dashboard read them by the same names. Each metric carries only the `service` dimension (and
 * `kind`/`outcome` on decisions): every dimension value is a metric of its own, billed as such.
 */
export const METRICS_NAMESPACE = 'CspmBot';

export const COUNT_METRICS = {
  /** Every finding an ingest or sync batch read, whatever became of it. */
  findingsIngested: 'FindingsIngested',
  /** New (or reopened) findings whose Slack message became owed. */
  findingsAlerted: 'FindingsAlerted',
  /** Known findings whose message owes an update. */
  findingsUpdated: 'FindingsUpdated',
  /** Left out on purpose (filtered, resolved, archived) or unreadable (malformed). */
  findingsDropped: 'FindingsDropped',
  /** Well-formed but not stored: quarantined, listed in `/cspm status`. */
  findingsQuarantined: 'FindingsQuarantined',
  /** Findings that joined a grouped message instead of being posted alone. */
  findingsGrouped: 'FindingsGrouped',
  groupedMessagesPosted: 'GroupedMessagesPosted',
  findingMessagesPosted: 'FindingMessagesPosted',
  /** A post or update Slack refused or did not confirm; it stays owed and is tried again after a backoff. */
  slackDeliveryRetries: 'SlackDeliveryRetries',
  /** A message the bot gave up on (stuck until someone retries it or the finding changes). */
  slackDeliveryFailures: 'SlackDeliveryFailures',
  /** Decisions completed, by `kind` (remediate, suppress, …) and `outcome` (SUCCEEDED, FAILED). */
  decisions: 'Decisions',
  /** Remediations (by a person or automatic) that ended FAILED: a person must look at the resource. */
  remediationsFailed: 'RemediationsFailed',
} as const;

export const DURATION_METRICS = {
  /** From the decision's PENDING record to its outcome, verification included. */
  remediationDuration: 'RemediationDuration',
  /** How long the oldest message a delivery sweep found due has waited (see domain/owed-message-age). */
  oldestOwedMessageAge: 'OldestOwedMessageAge',
} as const;

export type CountMetric = (typeof COUNT_METRICS)[keyof typeof COUNT_METRICS];
export type DurationMetric = (typeof DURATION_METRICS)[keyof typeof DURATION_METRICS];

/** The only dimensions besides `service`; both only on `Decisions`. */
export interface DecisionDimensions {
  readonly kind: Decision['kind'];
  readonly outcome: Decision['status'];
}

const REMEDIATIONS: ReadonlySet<Decision['kind']> = new Set(['remediate', 'auto-remediate']);

/** A decision reached its outcome: counted by kind and outcome; a remediation's duration and failure too. */
export function countDecision(metrics: Metrics | undefined, decision: Decision): void {
  if (!metrics || decision.status === 'PENDING') return;
  metrics.count(COUNT_METRICS.decisions, 1, { kind: decision.kind, outcome: decision.status });
  if (!REMEDIATIONS.has(decision.kind)) return;
  if (decision.durationMs !== undefined)
    metrics.duration(DURATION_METRICS.remediationDuration, decision.durationMs);
  if (decision.status === 'FAILED') metrics.count(COUNT_METRICS.remediationsFailed, 1);
}

/** What an ingest or sync batch did with its findings, as counts. */
export function countIngested(
  metrics: Metrics,
  counts: Readonly<Record<IngestOutcome['kind'], number>>,
): void {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (total === 0) return;
  metrics.count(COUNT_METRICS.findingsIngested, total);
  metrics.count(COUNT_METRICS.findingsAlerted, counts.alerted);
  metrics.count(COUNT_METRICS.findingsUpdated, counts.updated);
  metrics.count(COUNT_METRICS.findingsDropped, counts.dropped + counts.malformed);
  metrics.count(COUNT_METRICS.findingsQuarantined, counts.failed);
}
