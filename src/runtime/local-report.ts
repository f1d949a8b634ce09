import { revealInvisible } from '../../blocks/invisible-characters.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { IngestOutcome } from '../usecases/ingest-findings.js';

const DROP_WORDS: Readonly<Record<string, string>> = {
  'below-threshold': 'below the severity threshold',
  'not-open': 'already resolved or suppressed',
  archived: 'archived',
  passed: 'control passed',
};

/** What one ingest run did, in words a newcomer reads in ten seconds. */
export function describeIngest(outcomes: readonly IngestOutcome[], threshold: string): string[] {
  const count = (kind: IngestOutcome['kind']) => outcomes.filter((outcome) => outcome.kind === kind).length;
  const lines = [
    `Read ${outcomes.length} findings:`,
    `  ${count('alerted')} new alerts posted`,
    `  ${count('updated')} known findings whose message was updated`,
    `  ${count('unchanged')} already known and unchanged (nothing posted twice)`,
    ...(count('held') > 0
      ? [`  ${count('held')} held under an active risk acceptance (stored and suppressed, not posted)`]
      : []),
    ...(count('enriched') > 0
      ? [
          `  ${count('enriched')} Security Hub exposure findings, shown on ${new Set(outcomes.flatMap((outcome) => (outcome.kind === 'enriched' ? outcome.findingIds : []))).size} findings' messages`,
        ]
      : []),
  ];
  const dropped = outcomes.filter((outcome) => outcome.kind === 'dropped');
  for (const [reason, words] of Object.entries(DROP_WORDS)) {
    const n = dropped.filter((outcome) => outcome.reason === reason).length;
    if (n > 0) lines.push(`  ${n} dropped: ${words}${reason === 'below-threshold' ? ` (${threshold})` : ''}`);
  }
  for (const outcome of outcomes) {
    if (outcome.kind === 'malformed')
      lines.push(`  1 skipped as malformed: ${revealInvisible(outcome.reason)}`);
    if (outcome.kind === 'failed')
      lines.push(`  1 not stored (quarantined, see /cspm status): ${revealInvisible(outcome.reason)}`);
  }
  return lines;
}

/** One line per stored finding: severity, control, where, what, urgency, channel. */
export function describeStoredFindings(records: readonly FindingRecord[]): string[] {
  return records.map((record) => {
    const { finding, triage } = record;
    const what = triage.kind === 'unsupported' ? triage.reason : triage.control.summary;
    // The resource id and the reason come from the finding: a bidi override would reorder the terminal line.
    return `  ${finding.severity.padEnd(8)} ${(finding.controlId ?? '-').padEnd(14)} ${finding.accountId}/${finding.region.padEnd(15)} ${revealInvisible(finding.resource.shortId).padEnd(22)} ${triage.urgency.padEnd(7)} ${record.channel}  ${revealInvisible(what)}`;
  });
}
