import { normalizeAsffFinding } from '../aws/asff-finding.js';
import { sampleFindings } from '../sandbox/estate.js';
import type { IngestItem } from '../usecases/ingest-findings.js';

/** The realistic ASFF findings shipped in samples/findings/ (one per headline control, two accounts, three regions). */
export async function bundledSampleFindings(): Promise<IngestItem[]> {
  return (await sampleFindings()).map(normalizeAsffFinding);
}
