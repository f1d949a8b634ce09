import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SecurityHubFindings } from '../aws/security-hub-findings.js';
import { SecurityHubFindingSource } from '../aws/security-hub-finding-source.js';
import { SecurityHubV2FindingSource } from '../aws/security-hub-v2-finding-source.js';
import { SecurityHubV2Findings } from '../aws/security-hub-v2-findings.js';
import type { FindingsFormat } from '../domain/findings-format.js';
import { readsAsff, readsOcsf } from '../domain/findings-format.js';
import type { Severity } from '../domain/severity.js';
import type { FindingSource } from '../usecases/ports.js';

/** What the sync pages in one region: GetFindings, GetFindingsV2 or both, as CSPM_FINDINGS_FORMAT says. */
export function findingSourcesOf(
  format: FindingsFormat,
  region: string,
  threshold: Severity,
  client: SecurityHubClient,
): { readonly format: 'asff' | 'ocsf'; readonly source: FindingSource }[] {
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
        ]
      : []),
  ];
}
