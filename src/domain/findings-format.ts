/**
 * Which Security Hub the bot takes findings from: Security Hub CSPM (ASFF, "Security Hub Findings - Imported",
 * GetFindings, BatchUpdateFindings), the newer Security Hub (OCSF, "Findings Imported V2", GetFindingsV2,
 * BatchUpdateFindingsV2), or both. An organisation running both gets each finding once (see same-finding.ts).
 */
export const FINDINGS_FORMATS = ['asff', 'ocsf', 'both'] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

export function readsAsff(format: FindingsFormat): boolean {
  return format !== 'ocsf';
}

export function readsOcsf(format: FindingsFormat): boolean {
  return format !== 'asff';
}
