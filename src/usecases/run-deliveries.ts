import { toAppError } from '../domain/app-error.js';
import type { DeliverDeps } from './deliver-finding-message.js';
import { deliverOwedMessages } from './deliver-finding-message.js';
import type { Clock, Log } from './ports.js';

/** The one delivery run in flight, shared by every process that makes messages owed (store/delivery-run-repository). */
export interface DeliveryRunLease {
  /** `start`: this caller took the lease and must start a run; `running`: one is in flight and will go round again. */
  request(now: string, heldUntil: string): Promise<'start' | 'running'>;
  extend(heldUntil: string): Promise<void>;
  /** Ends the run unless something was requested after `passStartedAt` (then false: go round again). */
  finish(passStartedAt: string): Promise<boolean>;
  release(): Promise<void>;
}

/** Tells the delivery step that messages became owed; never waits for Slack. */
export interface DeliveryTrigger {
  deliveryOwed(): Promise<void>;
}

export interface DeliveryRunOptions {
  readonly lease: DeliveryRunLease;
  /** Stop sweeping after this long (a Lambda's timeout); what is left stays owed for the next run or the sync. */
  readonly budgetMs: number;
  /**
   * Wait this long before the first sweep, so the rest of a burst that started the run is stored and grouped with
   * its first findings instead of those going out alone.
   */
  readonly settleMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A run renews its lease after every sweep; a run that died frees it within this time. */
const LEASE_MINUTES = 3;

export interface DeliveryRunReport {
  readonly sweeps: number;
  readonly attempts: number;
  readonly failed: number;
  /** False when the time budget ran out with messages still due. */
  readonly complete: boolean;
}

/**
 * Sweep owed messages until none is due, every attempt of a sweep failed (Slack is down: the backoff decides when
 * to try again), or `budgetMs` is spent. Channel messages of a sweep (grouped, alone) go before its thread replies.
 */
export async function deliverUntilDone(
  deps: DeliverDeps,
  options: { budgetMs?: number; afterSweep?: () => Promise<void> } = {},
): Promise<DeliveryRunReport> {
  const startedMs = Date.now();
  let sweeps = 0;
  let attempts = 0;
  let failed = 0;
  for (;;) {
    const outcomes = await deliverOwedMessages(deps);
    sweeps += 1;
    attempts += outcomes.length;
    const failedNow = outcomes.filter((outcome) => outcome.kind === 'failed').length;
    failed += failedNow;
    await options.afterSweep?.();
    if (outcomes.length === 0 || failedNow === outcomes.length)
      return { sweeps, attempts, failed, complete: true };
    if (options.budgetMs !== undefined && Date.now() - startedMs > options.budgetMs)
      return { sweeps, attempts, failed, complete: false };
  }
}

/**
 * The delivery step (the Worker's `deliver` job, or the local queue): sweep until done, then end the run unless
 * another request came in meanwhile, in which case go round again. At most one run is in flight at a time.
 */
export async function runDeliveries(deps: DeliverDeps, run: DeliveryRunOptions): Promise<DeliveryRunReport> {
  const startedMs = Date.now();
  const leaseUntil = () => deps.clock.now().plus({ minutes: LEASE_MINUTES }).toUTC().toISO()!;
  let total: DeliveryRunReport = { sweeps: 0, attempts: 0, failed: 0, complete: true };
  if (run.settleMs)
    await (run.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(
      run.settleMs,
    );
  for (;;) {
    const passStartedAt = deps.clock.now().toUTC().toISO()!;
    const report = await deliverUntilDone(deps, {
      budgetMs: Math.max(0, run.budgetMs - (Date.now() - startedMs)),
      afterSweep: () => run.lease.extend(leaseUntil()),
    });
    total = {
      sweeps: total.sweeps + report.sweeps,
      attempts: total.attempts + report.attempts,
      failed: total.failed + report.failed,
      complete: report.complete,
    };
    if (!report.complete) {
      // Out of time: free the lease so the next request (or the scheduled sync) carries on.
      await run.lease.release();
      deps.log.warn('delivery run out of time; the rest stays owed', { ...total });
      return total;
    }
    if (await run.lease.finish(passStartedAt)) return total;
  }
}

/**
 * Ingest's side: after a batch made messages owed, start a delivery run unless one is in flight (which then goes
 * round again). If the run cannot be started, the messages stay owed and the scheduled sync delivers them.
 */
export function leasedDeliveryTrigger(deps: {
  readonly lease: DeliveryRunLease;
  readonly startRun: () => Promise<void>;
  readonly clock: Clock;
  readonly log: Log;
}): DeliveryTrigger {
  return {
    async deliveryOwed() {
      const now = deps.clock.now();
      const taken = await deps.lease.request(
        now.toUTC().toISO()!,
        now.plus({ minutes: LEASE_MINUTES }).toUTC().toISO()!,
      );
      if (taken === 'running') return;
      try {
        await deps.startRun();
      } catch (error) {
        await deps.lease.release();
        deps.log.warn('could not start a delivery run; the messages stay owed for the next run or the sync', {
          error: toAppError(error),
        });
      }
    },
  };
}
