/** Security Hub severity labels, lowest first. */
export const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITY_LABELS)[number];

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITY_LABELS as readonly string[]).includes(value);
}

export function severityRank(severity: Severity): number {
  return SEVERITY_LABELS.indexOf(severity);
}

export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/**
 * ASFF `Severity.Normalized` (0–100) to a label, using the ranges Security Hub documents:
 * 0 informational, 1–39 low, 40–69 medium, 70–89 high, 90–100 critical.
 */
export function severityFromNormalized(normalized: number): Severity {
  if (normalized >= 90) return 'CRITICAL';
  if (normalized >= 70) return 'HIGH';
  if (normalized >= 40) return 'MEDIUM';
  if (normalized >= 1) return 'LOW';
  return 'INFORMATIONAL';
}
