import type { AcceptanceScope } from './acceptance.js';

/** Why a finding is SUPPRESSED in Security Hub by us: shown in its message, undone by Reopen / Revoke. */
export interface Suppression {
  readonly kind: 'suppressed' | 'accepted';
  readonly decisionId: string;
  /** Slack user id of who decided (for an account-wide acceptance, who accepted it). */
  readonly by: string;
  readonly at: string;
  readonly reason: string;
  readonly ticketUrl?: string;
  readonly acceptance?: {
    readonly acceptanceId: string;
    readonly accountId: string;
    readonly controlId?: string;
    readonly until: string;
    readonly scope: AcceptanceScope;
  };
}
