import type { Actor } from './decision.js';

/** How the bot resolved a finding, shown in its message and kept when Security Hub echoes the change back. */
export interface Resolution {
  readonly decisionId: string;
  readonly by: Actor;
  readonly at: string;
  /** The plan in words, or why nothing had to change. */
  readonly what: string;
  readonly executor?: 'ssm' | 'direct';
  readonly executionId?: string;
  readonly durationMs?: number;
}
