import {
  $remove,
  Entity,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  any,
  isConditionCheckFailed,
  item,
  number,
  string,
} from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { ConfirmedMember, FailedMember, SkippedMember } from '../domain/group-remediation.js';
import type { CspmTable } from './cspm-table.js';
import { replaceWhole } from './replace-whole.js';

/**
 * A group remediation from its confirmation modal to its final summary: the list the person was shown (planned),
 * then the run, carried over Worker invocations in legs, each leg taken once.
 */
export interface GroupRun {
  /** The confirmation modal's view id. */
  readonly runId: string;
  readonly groupId: string;
  /** Who was shown the list: only they can confirm it. */
  readonly userId: string;
  /** Where the grouped message lives: progress and the summary go in its thread. */
  readonly channel: string;
  readonly threadTs?: string;
  readonly listDigest: string;
  readonly members: readonly ConfirmedMember[];
  /** Members not in the list shown (not reachable, resolved, acted on, …): the first ones kept, and how many. */
  readonly leftOut: readonly SkippedMember[];
  readonly leftOutCount: number;
  readonly status: 'planned' | 'running' | 'finished';
  /** The Worker invocation that may write; a redelivered leg finds it taken. */
  readonly leg: number;
  /** Members before this index were handled. */
  readonly cursor: number;
  readonly done: number;
  readonly failed: readonly FailedMember[];
  readonly skipped: readonly SkippedMember[];
  readonly progressTs?: string;
  readonly stoppedBecause?: string;
  readonly plannedAt: string;
}

function groupRunEntity(table: CspmTable) {
  return new Entity({
    name: 'GroupRun',
    table,
    timestamps: false,
    schema: item({
      runId: string().key(),
      groupId: string(),
      userId: string(),
      channel: string(),
      threadTs: string().optional(),
      listDigest: string(),
      members: any().castAs<ConfirmedMember[]>(),
      leftOut: any().castAs<SkippedMember[]>(),
      leftOutCount: number(),
      status: string().enum('planned', 'running', 'finished'),
      leg: number(),
      cursor: number(),
      done: number(),
      failed: any().castAs<FailedMember[]>(),
      skipped: any().castAs<SkippedMember[]>(),
      progressTs: string().optional(),
      stoppedBecause: string().optional(),
      plannedAt: string(),
    }),
    computeKey: ({ runId }: { runId: string }) => ({ pk: `GROUPRUN#${runId}`, sk: '#RUN' }),
  });
}

type GroupRunEntity = ReturnType<typeof groupRunEntity>;

export type StartRunResult =
  | { readonly kind: 'started'; readonly run: GroupRun }
  /** Already started (the same confirmation delivered twice), another user, another list, or no such run. */
  | { readonly kind: 'refused'; readonly run?: GroupRun };

export class GroupRunRepository {
  private readonly entity: GroupRunEntity;

  constructor(table: CspmTable) {
    this.entity = groupRunEntity(table);
  }

  /** The list shown in the modal, kept until the person confirms it (the modal's metadata is too small for it). */
  async savePlan(
    run: Omit<GroupRun, 'status' | 'leg' | 'cursor' | 'done' | 'failed' | 'skipped'>,
  ): Promise<void> {
    await this.entity
      .build(PutItemCommand)
      .item({
        ...run,
        members: [...run.members],
        leftOut: [...run.leftOut],
        status: 'planned',
        leg: 0,
        cursor: 0,
        done: 0,
        failed: [],
        skipped: [],
      })
      .send();
  }

  async get(runId: string): Promise<GroupRun | undefined> {
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ runId })
      .options({ consistent: true })
      .send();
    return Item as GroupRun | undefined;
  }

  /** planned → running, once, only for the person shown the list and only for exactly that list. */
  async start(runId: string, input: { userId: string; listDigest: string }): Promise<StartRunResult> {
    const asShown: Condition<GroupRunEntity> = {
      and: [
        { attr: 'status', eq: 'planned' },
        { attr: 'userId', eq: input.userId },
        { attr: 'listDigest', eq: input.listDigest },
      ],
    };
    try {
      const { Attributes } = await this.entity
        .build(UpdateItemCommand)
        .item({ runId, status: 'running', leg: 0 })
        .options({ condition: asShown, returnValues: 'ALL_NEW' })
        .send();
      return { kind: 'started', run: Attributes as GroupRun };
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
    const run = await this.get(runId);
    return run ? { kind: 'refused', run } : { kind: 'refused' };
  }

  /** Leg `leg` takes over from `leg - 1`; false when someone already did (a redelivered hand-on). */
  async takeLeg(runId: string, leg: number): Promise<GroupRun | undefined> {
    const previousLeg: Condition<GroupRunEntity> = {
      and: [
        { attr: 'status', eq: 'running' },
        { attr: 'leg', eq: leg - 1 },
      ],
    };
    try {
      const { Attributes } = await this.entity
        .build(UpdateItemCommand)
        .item({ runId, leg })
        .options({ condition: previousLeg, returnValues: 'ALL_NEW' })
        .send();
      return Attributes as GroupRun;
    } catch (error) {
      if (isConditionCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /** Records how far this leg got; refused (false) once another leg holds the run. */
  async saveProgress(
    runId: string,
    leg: number,
    progress: Pick<GroupRun, 'cursor' | 'done' | 'failed' | 'skipped'> & {
      progressTs?: string;
      finished?: boolean;
      stoppedBecause?: string;
    },
  ): Promise<boolean> {
    const thisLeg: Condition<GroupRunEntity> = {
      and: [
        { attr: 'status', eq: 'running' },
        { attr: 'leg', eq: leg },
      ],
    };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          runId,
          cursor: progress.cursor,
          done: progress.done,
          failed: replaceWhole([...progress.failed]),
          skipped: replaceWhole([...progress.skipped]),
          ...(progress.progressTs && { progressTs: progress.progressTs }),
          ...(progress.finished && { status: 'finished' as const }),
          ...(progress.stoppedBecause
            ? { stoppedBecause: progress.stoppedBecause }
            : { stoppedBecause: $remove() }),
        })
        .options({ condition: thisLeg })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }
}
