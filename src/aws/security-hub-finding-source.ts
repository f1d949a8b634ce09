import type { AwsSecurityFindingFilters } from '@aws-sdk/client-securityhub';
import type { Severity } from '../domain/severity.js';
import { SEVERITY_LABELS, isAtLeast } from '../domain/severity.js';
import type { FindingSource } from '../usecases/ports.js';
import type { IngestItem } from '../usecases/ingest-findings.js';
import { normalizeAsffFinding } from './asff-finding.js';
import type { SecurityHubFindings } from './security-hub-findings.js';
import { OPEN_END, openFindingsFilters } from './security-hub-findings.js';

/**
 * Pages of normalized findings from GetFindings, oldest update first.
 * The first run (no cursor) backfills what is open now. Later runs ask for every finding of the threshold's
 * severities updated since the cursor, whatever its state: a finding resolved, archived or passed in Security Hub
 * must reach its existing Slack message, and ingest drops the ones it never alerted on.
 */
export class SecurityHubFindingSource implements FindingSource {
  constructor(
    private readonly securityHub: SecurityHubFindings,
    private readonly threshold: Severity,
  ) {}

  async *pages(updatedSince: string | undefined): AsyncGenerator<readonly IngestItem[]> {
    const severities = SEVERITY_LABELS.filter((label) => isAtLeast(label, this.threshold));
    const filters: AwsSecurityFindingFilters =
      updatedSince === undefined
        ? openFindingsFilters({ severities })
        : {
            SeverityLabel: severities.map((label) => ({ Value: label, Comparison: 'EQUALS' })),
            UpdatedAt: [{ Start: updatedSince, End: OPEN_END }],
          };
    for await (const page of this.securityHub.pages(filters)) {
      yield page.findings.map(normalizeAsffFinding);
    }
  }
}
