/**
 * The single table's key schema, shared by the embedded start-up and the CDK stack so both create the same table.
 * Items (one table, no transactions; see docs/ARCHITECTURE.md "Storage"):
 *   FINDING#<id> / #FINDING                         the finding, its triage and its Slack message
 *                                                   (<id> = findingKeyOf: product ARN + account + ASFF id)
 *   FINDING#<id> / DECISION#<at>#<decisionId>       append-only decisions (later issues)
 *   QUARANTINE / <id>                               findings that failed to ingest, until stored
 *   SAME#<sameKey> / CLAIM                          which stored finding holds a finding both Security Hubs publish
 *   SYNC#securityhub#<region> / #CURSOR             where the GetFindings sync resumes
 *   ACCEPTANCES#<account> / <control>#<acceptanceId>  risk acceptances, found by account and control at ingest
 *   STATS#<dimension> / <value>                     counters for /cspm status (no scans)
 * gsi1: work owed, e.g. DELIVERY#pending / <since>#<id> for messages still to post or update (sparse),
 *       DECISIONS#pending / <at>#<id> for decisions not completed yet (interrupted ones are reconciled).
 * gsi2: time-ordered views: DECISIONS#<yyyy-mm> / <at>#<id>, ACCEPTANCES#active / <expiresAt>#<id>,
 *       ACCEPTANCES#ending / <since>#<id> (an expiry or revoke still re-opening its findings).
 * gsi3, gsi4, gsi5: open findings oldest first, overall / by account / by control (sparse: only while open).
 */
export const TABLE_KEYS = {
  partitionKey: { name: 'pk', type: 'string' },
  sortKey: { name: 'sk', type: 'string' },
} as const;

export const TABLE_INDEXES = {
  gsi1: {
    type: 'global',
    partitionKey: { name: 'gsi1pk', type: 'string' },
    sortKey: { name: 'gsi1sk', type: 'string' },
  },
  gsi2: {
    type: 'global',
    partitionKey: { name: 'gsi2pk', type: 'string' },
    sortKey: { name: 'gsi2sk', type: 'string' },
  },
  gsi3: {
    type: 'global',
    partitionKey: { name: 'gsi3pk', type: 'string' },
    sortKey: { name: 'gsi3sk', type: 'string' },
  },
  gsi4: {
    type: 'global',
    partitionKey: { name: 'gsi4pk', type: 'string' },
    sortKey: { name: 'gsi4sk', type: 'string' },
  },
  gsi5: {
    type: 'global',
    partitionKey: { name: 'gsi5pk', type: 'string' },
    sortKey: { name: 'gsi5sk', type: 'string' },
  },
} as const;
