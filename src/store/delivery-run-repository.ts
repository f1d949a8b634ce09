import { $remove, Entity, UpdateItemCommand, isConditionCheckFailed, item, string } from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { CspmTable } from './cspm-table.js';

function leaseEntity(table: CspmTable) {
  return new Entity({
    name: 'DeliveryRunLease',
    table,
    timestamps: false,
    schema: item({
      lease: string().key(),
      /** While set and in the future, a delivery run is in flight; expires by itself if that run died. */
      heldUntil: string().optional(),
      /** Last time something became owed; the run goes round again if this is newer than its last pass. */
      requestedAt: string().optional(),
    }),
    computeKey: ({ lease }: { lease: string }) => ({ pk: `DELIVERY#RUN#${lease}`, sk: '#LEASE' }),
  });
}

type LeaseEntity = ReturnType<typeof leaseEntity>;

/**
 * The one delivery run in flight (`DELIVERY#RUN#main` / `#LEASE`): ingest Lambdas that each made something owed
 * start at most one run between them; the others only note their request, and the run goes round again for it.
 */
export class DeliveryRunRepository {
  private readonly entity: LeaseEntity;
  private readonly key = { lease: 'main' };

  constructor(table: CspmTable) {
    this.entity = leaseEntity(table);
  }

  /** Note a request; `start` when this caller took the lease (it must start a run), `running` when one is in flight. */
  async request(now: string, heldUntil: string): Promise<'start' | 'running'> {
    const free: Condition<LeaseEntity> = {
      or: [
        { attr: 'heldUntil', exists: false },
        { attr: 'heldUntil', lt: now },
      ],
    };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ ...this.key, heldUntil, requestedAt: now })
        .options({ condition: free })
        .send();
      return 'start';
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
    await this.entity
      .build(UpdateItemCommand)
      .item({ ...this.key, requestedAt: now })
      .send();
    return 'running';
  }

  /** Keep the lease for a run that goes on (a long backlog). */
  async extend(heldUntil: string): Promise<void> {
    await this.entity
      .build(UpdateItemCommand)
      .item({ ...this.key, heldUntil })
      .send();
  }

  /**
   * End the run if nothing was requested since its last pass began; false means a request came in meanwhile and
   * the run must go round again (the lease stays held).
   */
  async finish(passStartedAt: string): Promise<boolean> {
    const noNewRequest: Condition<LeaseEntity> = {
      or: [
        { attr: 'requestedAt', exists: false },
        { attr: 'requestedAt', lte: passStartedAt },
      ],
    };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ ...this.key, heldUntil: $remove() })
        .options({ condition: noNewRequest })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Give the lease up at once (the run could not be started): the next request or the scheduled sync starts one. */
  async release(): Promise<void> {
    await this.entity
      .build(UpdateItemCommand)
      .item({ ...this.key, heldUntil: $remove() })
      .send();
  }
}
