import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SecurityHubFindings } from '../aws/security-hub-findings.js';
import { SecurityHubFindingSource } from '../aws/security-hub-finding-source.js';
import { SecurityHubV2ExposureSource } from '../aws/security-hub-v2-exposure-source.js';
import { SecurityHubV2FindingSource } from '../aws/security-hub-v2-finding-source.js';
import { SecurityHubV2Findings } from '../aws/security-hub-v2-findings.js';
import type { FindingsFormat } from '../domain/findings-format.js';
import { readsAsff, readsOcsf } from '../domain/findings-format.js';
import type { Severity } from '../domain/severity.js';
import type { FindingSource } from '../usecases/ports.js';
import type { SyncedFindings } from '../usecases/sync-findings.js';

/**
 * What the sync pages in one region, as CSPM_FINDINGS_FORMAT says: GetFindings, GetFindingsV2 (compliance findings,
 * then exposure findings) or both.
 */
export function findingSourcesOf(
  format: FindingsFormat,
  region: string,
  threshold: Severity,
  client: SecurityHubClient,
): { readonly format: SyncedFindings; readonly source: FindingSource }[] {
  return [
    ...(readsAsff(format)
      ? [
          {
            format: 'asff' as const,
            source: new SecurityHubFindingSource(new SecurityHubFindings(client, { region }), threshold),
          },
        ]
      : []),
    ...(readsOcsf(format)
      ? [
          {
            format: 'ocsf' as const,
            source: new SecurityHubV2FindingSource(new SecurityHubV2Findings(client, { region }), threshold),
          },
          // After the compliance findings: a new exposure then finds the findings it enriches stored.
          {
            format: 'exposure' as const,
            source: new SecurityHubV2ExposureSource(new SecurityHubV2Findings(client, { region })),
          },
        ]
      : []),
  ];
}
