import type { Severity } from './severity.js';

/** What `/cspm status` narrows to. */
export type StatusScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'control'; readonly controlId: string };

/** One open finding in a list, with where its Slack message lives (for a link). */
export interface OpenFindingSummary {
  readonly findingId: string;
  readonly controlId?: string;
  readonly title: string;
  readonly severity: Severity;
  readonly accountId: string;
  readonly region: string;
  readonly resourceShortId: string;
  readonly firstObservedAt: string;
  readonly exposed: boolean;
  readonly channel?: string;
  readonly messageTs?: string;
}

/** One active risk acceptance. */
export interface AcceptanceSummary {
  readonly acceptanceId: string;
  readonly scope: 'resource' | 'control-in-account';
  readonly accountId: string;
  readonly controlId?: string;
  readonly resourceShortId?: string;
  /** Last day the acceptance covers (ISO date, in the configured time zone). */
  readonly until: string;
  /** Slack user id of who accepted. */
  readonly acceptedBy: string;
  readonly reason: string;
}

/** Finding messages the bot gave up delivering to one channel for one reason (a person fixes the cause). */
export interface StuckDeliveryGroup {
  readonly channel: string;
  readonly reason: string;
  readonly count: number;
}

/** A finding ingest could not store (see the quarantine): which one, where, and why. */
export interface QuarantinedFindingSummary {
  /** ASFF `Id`: what a person searches for in Security Hub. */
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly controlId?: string;
  readonly reason: string;
  readonly attempts: number;
  readonly lastFailedAt: string;
}

export interface CountByKey {
  readonly key: string;
  readonly count: number;
}

/** `/cspm status` and the App Home: read from counters and small indexes, never a table scan. */
export interface StatusReport {
  readonly scope: StatusScope;
  readonly generatedAt: string;
  readonly open: {
    readonly total: number;
    readonly bySeverity: Readonly<Record<Severity, number>>;
    /** Most first, at most 10. */
    readonly byControl: readonly CountByKey[];
    readonly byAccount: readonly CountByKey[];
    /** Open findings whose resource is reachable from the internet. */
    readonly exposed: number;
  };
  /** Oldest first, at most 5. */
  readonly oldestOpen: readonly OpenFindingSummary[];
  readonly last7Days: {
    readonly remediated: number;
    readonly suppressed: number;
    readonly accepted: number;
    readonly reopened: number;
  };
  /** Acceptances ending within 14 days, soonest first. */
  readonly expiringSoon: readonly AcceptanceSummary[];
  /** Mean time from first observed to remediated, over the remediations counted so far; undefined if none. */
  readonly meanTimeToRemediateHours?: number;
  /**
   * "Needs attention": finding messages the bot stopped trying to deliver, by channel and reason, most first.
   * Absent when there are none. `total` counts at most the stuck deliveries read (`more` when there were more).
   */
  readonly stuckDeliveries?: {
    readonly groups: readonly StuckDeliveryGroup[];
    readonly total: number;
    readonly more: boolean;
  };
  /** "Needs attention": findings that failed to ingest, most recent first. Absent when there are none. */
  readonly quarantined?: { readonly recent: readonly QuarantinedFindingSummary[]; readonly total: number };
}

export interface WeekCounts {
  readonly new: number;
  readonly remediated: number;
  readonly suppressed: number;
  readonly accepted: number;
  readonly reopened: number;
}

/** The weekly digest: this week against last week, what is open, and a chart of open findings per day. */
export interface DigestReport {
  /** ISO week id in the configured time zone, e.g. `2026-W47`: one digest per week. */
  readonly weekId: string;
  readonly weekStart: string;
  readonly weekEnd: string;
  readonly timeZone: string;
  readonly thisWeek: WeekCounts;
  readonly lastWeek: WeekCounts;
  readonly openHighCritical: { readonly now: number; readonly weekAgo?: number };
  readonly topControls: readonly CountByKey[];
  readonly topAccounts: readonly CountByKey[];
  readonly oldestOpen: readonly OpenFindingSummary[];
  readonly expiringSoon: readonly AcceptanceSummary[];
  readonly meanTimeToRemediateHours?: number;
  /** Open findings at the end of each day, oldest first (up to 8 weeks). */
  readonly openPerDay: readonly { readonly day: string; readonly open: number }[];
}

/** `/cspm …` parsed: each subcommand, or a helpful refusal. */
export type CspmCommand =
  | { readonly kind: 'status'; readonly scope: StatusScope }
  | {
      readonly kind: 'list';
      readonly accountId?: string;
      readonly controlId?: string;
      readonly exposedOnly: boolean;
    }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'digest' }
  /** Owe every stuck finding message again (after someone fixed the cause): allowed users only. */
  | { readonly kind: 'retry' }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly message: string };
