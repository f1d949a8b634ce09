import type { AcceptanceRules } from '../domain/acceptance.js';
import type { AcceptanceRepository } from '../store/acceptance-repository.js';
import type { RemediationDeps } from './remediation-deps.js';

/** Suppression and risk acceptance need what remediation needs, plus acceptances and their rules. */
export interface RiskDeps extends RemediationDeps {
  readonly acceptances: AcceptanceRepository;
  readonly acceptanceRules: AcceptanceRules;
  /** Days before expiry when the person who accepted is reminded (default 7). */
  readonly reminderDays: number;
}
