import * as z from 'zod';

/**
 * What both readers of the newer Security Hub's findings (compliance findings, exposure findings) share: the OCSF
 * values they test and the first field they read from anything sent, well-formed or not.
 */

/** OCSF class of Security Hub CSPM control findings. */
export const COMPLIANCE_FINDING_CLASS = 2003;
/** OCSF Detection Finding: Security Hub's exposure findings are of this class (and of the Exposure analytic). */
export const DETECTION_FINDING_CLASS = 2004;
/** OCSF `activity_id` 3: the finding was closed. */
export const CLOSE_ACTIVITY_ID = 3;

/** Optional OCSF text and integer fields, as both readers' schemas write them. */
export const ocsfText = z.string().nullish();
export const ocsfId = z.number().int().nullish();

/** `finding_info.uid` of anything sent as a finding, so a refusal can still name the finding. */
export function ocsfFindingIdOf(raw: unknown): string | undefined {
  const info = isRecord(raw) ? raw['finding_info'] : undefined;
  const uid = isRecord(info) ? info['uid'] : undefined;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
