import type { Severity } from '../domain/severity.js';
import { SEVERITY_LABELS, isAtLeast } from '../domain/severity.js';
import type { IngestItem } from '../usecases/ingest-findings.js';
import type { FindingSource } from '../usecases/ports.js';
import { normalizeOcsfFinding, ocsfSeverityIdsOf } from './ocsf-finding.js';
import type { SecurityHubV2Findings } from './security-hub-v2-findings.js';
import { complianceFindingsFilters } from './security-hub-v2-findings.js';

/**
 * Pages of normalized findings from the newer Security Hub's GetFindingsV2, oldest modification first: the first run
 * (no cursor) backfills the compliance findings open and failing now; later runs read every compliance finding of
 * the threshold's severities modified since the cursor, so a finding resolved or archived there reaches its message.
 */
export class SecurityHubV2FindingSource implements FindingSource {
  constructor(
    private readonly securityHub: SecurityHubV2Findings,
    private readonly threshold: Severity,
  ) {}

  async *pages(modifiedSince: string | undefined): AsyncGenerator<readonly IngestItem[]> {
    const severityIds = ocsfSeverityIdsOf(
      SEVERITY_LABELS.filter((label) => isAtLeast(label, this.threshold)),
    );
    const filters = complianceFindingsFilters(Math.min(...severityIds), modifiedSince);
    for await (const page of this.securityHub.pages(filters)) yield page.findings.map(normalizeOcsfFinding);
  }
}
