import type { IngestItem } from '../usecases/ingest-findings.js';
import type { FindingSource } from '../usecases/ports.js';
import { exposureOfOcsf } from './ocsf-exposure.js';
import type { SecurityHubV2Findings } from './security-hub-v2-findings.js';
import { exposureFindingsFilters } from './security-hub-v2-findings.js';

/**
 * Pages of exposure findings from the newer Security Hub's GetFindingsV2, oldest modification first: the first run
 * (no cursor) reads the exposures open now; later runs every exposure modified since the cursor, so one resolved or
 * archived there stops enriching the findings it concerned.
 */
export class SecurityHubV2ExposureSource implements FindingSource {
  constructor(private readonly securityHub: SecurityHubV2Findings) {}

  async *pages(modifiedSince: string | undefined): AsyncGenerator<readonly IngestItem[]> {
    for await (const page of this.securityHub.pages(exposureFindingsFilters(modifiedSince)))
      yield page.findings.map(exposureOfOcsf);
  }
}
