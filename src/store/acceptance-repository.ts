import {
  $remove,
  Entity,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  any,
  isConditionCheckFailed,
  item,
  string,
} from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { Acceptance } from '../domain/acceptance.js';
import type { CspmTable } from './cspm-table.js';
import { queryAllPages } from './query-pages.js';
import { replaceWhole } from './replace-whole.js';

const ACTIVE = 'ACCEPTANCES#active';
/** Acceptances being ended (expired or revoked) whose findings are not all re-opened yet: the sweeper finishes them. */
const ENDING = 'ACCEPTANCES#ending';
const NO_CONTROL = '-';

/** Acceptances live under their account so ingest finds the ones covering a new finding with one small query. */
function acceptanceEntity(table: CspmTable) {
  return new Entity({
    name: 'Acceptance',
    table,
    timestamps: false,
    schema: item({
      accountId: string().key(),
      acceptanceKey: string().key(),
      // `ending`: no longer covers anything, its findings are being re-opened; `endingAs` says how it ends.
      status: string().enum('active', 'ending', 'expired', 'revoked'),
      endingAs: string().enum('expired', 'revoked').optional(),
      acceptance: any().castAs<Acceptance>(),
      gsi2pk: string().optional(),
      gsi2sk: string().optional(),
    }),
    computeKey: ({ accountId, acceptanceKey }: { accountId: string; acceptanceKey: string }) => ({
      pk: `ACCEPTANCES#${accountId}`,
      sk: acceptanceKey,
    }),
  });
}

type AcceptanceEntity = ReturnType<typeof acceptanceEntity>;

export type AcceptanceRef = Pick<Acceptance, 'accountId' | 'controlId' | 'acceptanceId'>;

export type AcceptanceEnd = 'expired' | 'revoked';

/** An acceptance whose end has begun: its findings are re-opened one by one, then it is marked `endingAs`. */
export interface EndingAcceptance {
  readonly acceptance: Acceptance;
  readonly endingAs: AcceptanceEnd;
}

const keyOf = (ref: AcceptanceRef) => `${ref.controlId ?? NO_CONTROL}#${ref.acceptanceId}`;

export class AcceptanceRepository {
  private readonly entity: AcceptanceEntity;

  constructor(table: CspmTable) {
    this.entity = acceptanceEntity(table);
  }

  async create(acceptance: Acceptance): Promise<void> {
    const isNew: Condition<AcceptanceEntity> = { attr: 'acceptanceKey', exists: false };
    await this.entity
      .build(PutItemCommand)
      .item({
        accountId: acceptance.accountId,
        acceptanceKey: keyOf(acceptance),
        status: acceptance.status,
        acceptance,
        ...(acceptance.status === 'active' && {
          gsi2pk: ACTIVE,
          gsi2sk: `${acceptance.expiresAt}#${acceptance.acceptanceId}`,
        }),
      })
      .options({ condition: isNew })
      .send();
  }

  async get(ref: AcceptanceRef): Promise<Acceptance | undefined> {
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ accountId: ref.accountId, acceptanceKey: keyOf(ref) })
      .options({ consistent: true })
      .send();
    return Item?.acceptance;
  }

  /** Active acceptances of a control in an account (both scopes); the caller checks coverage and expiry. */
  async activeFor(accountId: string, controlId: string | undefined): Promise<Acceptance[]> {
    const { Items = [] } = await this.entity.table
      .build(QueryCommand)
      .entities(this.entity)
      .query({ partition: `ACCEPTANCES#${accountId}`, range: { beginsWith: `${controlId ?? NO_CONTROL}#` } })
      .options({ consistent: true })
      .send();
    return Items.filter((stored) => stored.status === 'active').map((stored) => stored.acceptance);
  }

  /** Active acceptances ending before `instant`, soonest first (sweeper, reminders, "expiring soon"). */
  async activeEndingBefore(instant: string, limit = 500): Promise<Acceptance[]> {
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi2', partition: ACTIVE, range: { lt: instant } })
          .options({ limit: 100, ...start })
          .send(),
      { limit },
    );
    return stored.map((item) => item.acceptance);
  }

  /**
   * active → ending, once: from then on it holds no new finding and is listed for the sweeper until every finding it
   * held is re-opened. False when it is not active (another run or click began or finished its end).
   */
  async beginEnding(acceptance: Acceptance, endingAs: AcceptanceEnd, at: string): Promise<boolean> {
    const stillActive: Condition<AcceptanceEntity> = { attr: 'status', eq: 'active' };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          accountId: acceptance.accountId,
          acceptanceKey: keyOf(acceptance),
          status: 'ending',
          endingAs,
          gsi2pk: ENDING,
          gsi2sk: `${at}#${acceptance.acceptanceId}`,
        })
        .options({ condition: stillActive })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Acceptances whose end began but is not finished (a run stopped part-way), oldest first. */
  async ending(limit = 100): Promise<EndingAcceptance[]> {
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi2', partition: ENDING })
          .options({ limit: 100, ...start })
          .send(),
      { limit },
    );
    return stored.map((item) => ({ acceptance: item.acceptance, endingAs: item.endingAs ?? 'expired' }));
  }

  /** Where the acceptance stands: `ending` means its end began and is still to be finished. */
  async statusOf(ref: AcceptanceRef): Promise<'active' | 'ending' | AcceptanceEnd | undefined> {
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ accountId: ref.accountId, acceptanceKey: keyOf(ref) })
      .options({ consistent: true })
      .send();
    return Item?.status;
  }

  /** ending → expired or revoked, once, when every finding it held is re-opened. False when already finished. */
  async finishEnding(acceptance: Acceptance, endingAs: AcceptanceEnd): Promise<boolean> {
    const stillEnding: Condition<AcceptanceEntity> = { attr: 'status', eq: 'ending' };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          accountId: acceptance.accountId,
          acceptanceKey: keyOf(acceptance),
          status: endingAs,
          endingAs: $remove(),
          acceptance: replaceWhole({ ...acceptance, status: endingAs }),
          gsi2pk: $remove(),
          gsi2sk: $remove(),
        })
        .options({ condition: stillEnding })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Record the reminder once; false when it was already sent. */
  async markReminded(acceptance: Acceptance, at: string): Promise<boolean> {
    const notYet: Condition<AcceptanceEntity> = {
      and: [
        { attr: 'status', eq: 'active' },
        { attr: 'acceptance.reminderSentAt', exists: false },
      ],
    };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          accountId: acceptance.accountId,
          acceptanceKey: keyOf(acceptance),
          acceptance: replaceWhole({ ...acceptance, reminderSentAt: at }),
        })
        .options({ condition: notYet })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }
}
