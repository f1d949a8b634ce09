import { isLeaseExpired } from '../domain/action-lease.js';
import { toAppError } from '../domain/app-error.js';
import { controlSpecFor } from '../domain/control-catalog.js';
import type { Actor } from '../domain/decision.js';
import { isOpen } from '../domain/finding.js';
import type {
  ConfirmedMember,
  FailedMember,
  GroupRunProgress,
  SkippedMember,
} from '../domain/group-remediation.js';
import {
  MAX_GROUP_RUN_MEMBERS,
  changeWords,
  memberConfirmationId,
  memberListDigest,
  resourceLabel,
} from '../domain/group-remediation.js';
import { planRemediation } from '../domain/remediation-plan.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { GroupRun, GroupRunRepository } from '../store/group-run-repository.js';
import { authorizeUser } from './authorize-user.js';
import { executeRemediation } from './execute-remediation.js';
import type { ExecuteOutcome } from './execute-remediation.js';
import { planDigest } from './plan-digest.js';
import type { FindingMessenger } from './ports.js';
import type { RemediationDeps } from './remediation-deps.js';

/** The grouped message (many findings of one control in a channel) and its members. */
export interface GroupMembers {
  groupOf(
    groupId: string,
  ): Promise<
    { readonly channel: string; readonly controlId: string; readonly messageTs?: string } | undefined
  >;
  membersOf(groupId: string): Promise<FindingRecord[]>;
}

/** The one progress message in the grouped message's thread, updated in place, and the final summary. */
export interface GroupProgressBoard {
  /** Posts the progress message; its ts, or undefined when Slack refused (the run goes on regardless). */
  post(
    channel: string,
    threadTs: string | undefined,
    progress: GroupRunProgress,
  ): Promise<string | undefined>;
  update(channel: string, ts: string, progress: GroupRunProgress): Promise<void>;
  summarise(channel: string, threadTs: string | undefined, progress: GroupRunProgress): Promise<void>;
}

export interface GroupRemediationDeps extends RemediationDeps {
  readonly groups: GroupMembers;
  readonly runs: GroupRunRepository;
  readonly progress: GroupProgressBoard;
  /** Queues the next leg of a run in a fresh Worker invocation. */
  readonly handOn: (next: {
    readonly runId: string;
    readonly userId: string;
    readonly leg: number;
  }) => Promise<void>;
  /**
   * How long one leg starts new members before handing on. A Lambda stops at 15 minutes and one SSM member may wait
   * 10 for its automation, so a leg starts nothing after a few minutes.
   */
  readonly legBudgetMs: number;
  /** The progress message is updated at most this often (chat.update is Tier 3, about 50 a minute). */
  readonly progressIntervalMs: number;
  /** Members run at once; the AWS call pacer keeps them within AWS's rates whatever this is. */
  readonly concurrency: number;
}

export type PlanGroupOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'refused'; readonly whoMay: string }
  | { readonly kind: 'nothing-to-run'; readonly skipped: readonly SkippedMember[] }
  | {
      readonly kind: 'plan';
      readonly controlId: string;
      readonly members: readonly ConfirmedMember[];
      readonly skipped: readonly SkippedMember[];
      readonly listDigest: string;
    };

/** Runs `work` over `items` with at most `limit` at once, answers in the items' order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

type Planned =
  | { readonly kind: 'member'; readonly member: ConfirmedMember }
  | { readonly kind: 'skipped'; readonly skipped: SkippedMember };

/** What would change on one member now, read from AWS, as the single Remediate would plan it. */
async function planMember(deps: GroupRemediationDeps, record: FindingRecord): Promise<Planned> {
  const resource = resourceLabel(record.finding);
  const skip = (reason: string): Planned => ({ kind: 'skipped', skipped: { resource, reason } });
  if (!isOpen(record.finding)) return skip('resolved or suppressed');
  if (record.triage.urgency !== 'act-now')
    return skip('not reachable from the internet now; use its own Remediate');
  if (record.activeAction && !isLeaseExpired(record.activeAction.since, deps.clock.now())) {
    return skip(
      `being acted on by ${record.activeAction.by === 'cspm-bot' ? 'cspm-bot' : `<@${record.activeAction.by}>`}`,
    );
  }
  const control = controlSpecFor(record.finding);
  if (!control) return skip(`no runbook for ${record.finding.controlId ?? 'this finding'}`);
  try {
    // Exactly as executeRemediation plans for a person, so the digests compare equal when nothing changed.
    const outcome = planRemediation(record.finding, control, await deps.stateReader.read(record.finding), {
      ...deps.planOptions,
      automatic: false,
    });
    switch (outcome.kind) {
      case 'already-fixed':
        return skip(`already fixed in AWS (${outcome.words})`);
      case 'not-remediable':
        return skip(outcome.reason);
      case 'plan':
        if (outcome.confirmation)
          return skip(`needs its own typed confirmation: ${outcome.confirmation.words}`);
        return {
          kind: 'member',
          member: {
            findingId: record.findingId,
            planDigest: planDigest(outcome.plan),
            resource,
            change: changeWords(outcome.plan),
          },
        };
    }
  } catch (error) {
    return skip(`could not be read: ${toAppError(error).userMessage}`);
  }
}

/**
 * After a "Remediate all reachable…" click: who may, and for every reachable open member, what would change —
 * read from AWS now. The list is kept under the modal's id and its digest goes into the modal, so the confirmation
 * runs exactly this list. Nothing changes in AWS here.
 */
export async function planGroupRemediation(
  deps: GroupRemediationDeps,
  input: { groupId: string; userId: string; runId: string },
): Promise<PlanGroupOutcome> {
  const authorization = await authorizeUser(deps.users, deps.policy, input.userId);
  if (!authorization.allowed) return { kind: 'refused', whoMay: authorization.whoMay };
  const group = await deps.groups.groupOf(input.groupId);
  if (!group) return { kind: 'not-found' };
  // Stored members come in no particular order: the list (and the run) go by resource, as a person scans it.
  const records = (await deps.groups.membersOf(input.groupId)).sort((a, b) =>
    resourceLabel(a.finding).localeCompare(resourceLabel(b.finding)),
  );
  const planned = await inPool(records, deps.concurrency, (record) => planMember(deps, record));
  const all = planned.flatMap((entry) => (entry.kind === 'member' ? [entry.member] : []));
  const members = all.slice(0, MAX_GROUP_RUN_MEMBERS);
  const skipped = [
    ...planned.flatMap((entry) => (entry.kind === 'skipped' ? [entry.skipped] : [])),
    ...all.slice(MAX_GROUP_RUN_MEMBERS).map((member) => ({
      resource: member.resource,
      reason: `over ${MAX_GROUP_RUN_MEMBERS} per confirmation; click again when this run ends`,
    })),
  ];
  if (members.length === 0) return { kind: 'nothing-to-run', skipped };
  const listDigest = memberListDigest(members);
  await deps.runs.savePlan({
    runId: input.runId,
    groupId: input.groupId,
    userId: input.userId,
    channel: group.channel,
    ...(group.messageTs && { threadTs: group.messageTs }),
    listDigest,
    members,
    // The item stays far below DynamoDB's 400 KB whatever the group's size: the modal has the full list.
    leftOut: skipped.slice(0, 50),
    leftOutCount: skipped.length,
    plannedAt: deps.clock.now().toISO()!,
  });
  return { kind: 'plan', controlId: group.controlId, members, skipped, listDigest };
}

export type GroupLegOutcome =
  /** The same confirmation (or leg) delivered again, another person's list, or a list other than the one shown. */
  | { readonly kind: 'not-run'; readonly why: 'already-started' | 'not-found' | 'not-as-shown' | 'leg-taken' }
  | { readonly kind: 'handed-on'; readonly progress: GroupRunProgress }
  | { readonly kind: 'finished'; readonly progress: GroupRunProgress };

/** Per-member thread replies would be hundreds of messages: the run's progress and summary tell it instead. */
function quiet(messenger: FindingMessenger): FindingMessenger {
  return new Proxy(messenger, {
    get(target, property) {
      if (property === 'notify') return async () => undefined;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

type MemberResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly failed: FailedMember }
  | { readonly kind: 'skipped'; readonly skipped: SkippedMember }
  | { readonly kind: 'refused'; readonly whoMay: string };

function memberResult(member: ConfirmedMember, outcome: ExecuteOutcome): MemberResult {
  const skipped = (reason: string): MemberResult => ({
    kind: 'skipped',
    skipped: { resource: member.resource, reason },
  });
  switch (outcome.kind) {
    case 'succeeded':
    case 'already-fixed':
      return { kind: 'done' };
    case 'failed':
      return {
        kind: 'failed',
        failed: { resource: member.resource, reason: outcome.userMessage.slice(0, 300) },
      };
    case 'plan-changed':
      return skipped(`changed since you confirmed (now: ${outcome.words.slice(0, 200)})`);
    case 'in-progress':
      return skipped(`being acted on by ${outcome.by === 'cspm-bot' ? 'cspm-bot' : `<@${outcome.by}>`}`);
    case 'not-open':
      return skipped('resolved or suppressed meanwhile');
    case 'in-place':
      return skipped('the account-wide fix is already in place');
    case 'confirmation-used':
      return skipped('already handled under this confirmation');
    case 'not-remediable':
      return skipped(outcome.reason.slice(0, 300));
    case 'not-found':
      return skipped('no longer held by the bot');
    case 'refused':
      return { kind: 'refused', whoMay: outcome.whoMay };
  }
}

function progressOf(run: GroupRun, finished: boolean): GroupRunProgress {
  return {
    total: run.members.length,
    done: run.done,
    failed: run.failed,
    skipped: run.skipped,
    leftOut: run.leftOutCount,
    finished,
    ...(run.stoppedBecause && { stoppedBecause: run.stoppedBecause }),
  };
}

/** The run ends early: every member not reached yet is skipped, with the reason. */
function stopped(run: GroupRun, because: string): GroupRun {
  const rest = run.members
    .slice(run.cursor)
    .map((member) => ({ resource: member.resource, reason: 'not run: the run stopped' }));
  return { ...run, stoppedBecause: because, skipped: [...run.skipped, ...rest], cursor: run.members.length };
}

async function startLeg(
  deps: GroupRemediationDeps,
  input: { runId: string; userId: string; leg: number; listDigest?: string },
): Promise<GroupRun | GroupLegOutcome> {
  if (input.leg > 0)
    return (await deps.runs.takeLeg(input.runId, input.leg)) ?? { kind: 'not-run', why: 'leg-taken' };
  const started = await deps.runs.start(input.runId, {
    userId: input.userId,
    listDigest: input.listDigest ?? '',
  });
  if (started.kind === 'started') return started.run;
  if (!started.run) return { kind: 'not-run', why: 'not-found' };
  return { kind: 'not-run', why: started.run.status === 'planned' ? 'not-as-shown' : 'already-started' };
}

/**
 * One leg of a confirmed group remediation: members in order, a few at once, each through executeRemediation
 * with its own confirmed plan digest and confirmation id (so each is claimed, planned from AWS now, compared with
 * what was shown, executed, verified and recorded as its own decision, and never run twice). Progress is saved
 * after every batch; when the leg's time is spent it hands the rest to a fresh Worker invocation.
 */
export async function runGroupRemediationLeg(
  deps: GroupRemediationDeps,
  input: { runId: string; userId: string; leg: number; listDigest?: string },
): Promise<GroupLegOutcome> {
  const taken = await startLeg(deps, input);
  if ('kind' in taken) return taken;
  let run: GroupRun = taken;
  const startedMs = deps.clock.now().toMillis();
  let shownMs = startedMs;
  if (input.leg === 0) {
    const progressTs = await deps.progress
      .post(run.channel, run.threadTs, progressOf(run, false))
      .catch((error: unknown) => {
        deps.log.warn('group progress not posted', { runId: run.runId, error: toAppError(error) });
        return undefined;
      });
    if (progressTs) run = { ...run, progressTs };
  }
  const name = await deps.users.displayName(input.userId).catch(() => undefined);
  const actor: Actor = { kind: 'user', userId: input.userId, ...(name && { name }) };
  const memberDeps: RemediationDeps = { ...deps, messenger: quiet(deps.messenger) };

  while (run.cursor < run.members.length && !run.stoppedBecause) {
    if (
      run.cursor > 0 &&
      deps.clock.now().toMillis() - startedMs >= deps.legBudgetMs &&
      run.cursor !== taken.cursor
    ) {
      try {
        await deps.handOn({ runId: run.runId, userId: input.userId, leg: input.leg + 1 });
        return { kind: 'handed-on', progress: progressOf(run, false) };
      } catch (error) {
        // Running on here could outlive the Worker: stop, say so, and leave the rest for another click.
        deps.log.error('group remediation not handed on', { runId: run.runId, error: toAppError(error) });
        run = stopped(
          run,
          `the rest could not be handed to a new Worker run (${toAppError(error).userMessage}); click Remediate all again for them`,
        );
        if (
          !(await deps.runs.saveProgress(run.runId, input.leg, {
            ...run,
            finished: true,
            stoppedBecause: run.stoppedBecause!,
          }))
        )
          return { kind: 'not-run', why: 'leg-taken' };
        break;
      }
    }
    const batch = run.members.slice(run.cursor, run.cursor + deps.concurrency);
    const results = await Promise.all(
      batch.map(async (member) => {
        try {
          const outcome = await executeRemediation(memberDeps, {
            findingId: member.findingId,
            actor,
            confirmedPlanDigest: member.planDigest,
            confirmationId: memberConfirmationId(run.runId, member.findingId),
          });
          return memberResult(member, outcome);
        } catch (error) {
          return {
            kind: 'failed',
            failed: { resource: member.resource, reason: toAppError(error).userMessage.slice(0, 300) },
          } satisfies MemberResult;
        }
      }),
    );
    const refusal = results.find((result) => result.kind === 'refused');
    run = {
      ...run,
      cursor: run.cursor + batch.length,
      done: run.done + results.filter((result) => result.kind === 'done').length,
      failed: [
        ...run.failed,
        ...results.flatMap((result) => (result.kind === 'failed' ? [result.failed] : [])),
      ],
      skipped: [
        ...run.skipped,
        ...results.flatMap((result, index) =>
          result.kind === 'skipped'
            ? [result.skipped]
            : result.kind === 'refused'
              ? [{ resource: batch[index]!.resource, reason: 'not run: you may no longer remediate' }]
              : [],
        ),
      ],
      ...(refusal?.kind === 'refused' && {
        stoppedBecause: `you may no longer remediate findings (who may: ${refusal.whoMay})`,
      }),
    };
    if (run.stoppedBecause) run = stopped(run, run.stoppedBecause);
    const finished = run.cursor >= run.members.length;
    if (
      !(await deps.runs.saveProgress(run.runId, input.leg, {
        ...run,
        ...(run.progressTs && { progressTs: run.progressTs }),
        finished,
        ...(run.stoppedBecause && { stoppedBecause: run.stoppedBecause }),
      }))
    ) {
      return { kind: 'not-run', why: 'leg-taken' };
    }
    const nowMs = deps.clock.now().toMillis();
    if (!finished && run.progressTs && nowMs - shownMs >= deps.progressIntervalMs) {
      shownMs = nowMs;
      await deps.progress
        .update(run.channel, run.progressTs, progressOf(run, false))
        .catch((error: unknown) =>
          deps.log.warn('group progress not updated', { runId: run.runId, error: toAppError(error) }),
        );
    }
  }
  const progress = progressOf(run, true);
  if (run.progressTs) {
    await deps.progress
      .update(run.channel, run.progressTs, progress)
      .catch((error: unknown) =>
        deps.log.warn('group progress not updated', { runId: run.runId, error: toAppError(error) }),
      );
  }
  await deps.progress
    .summarise(run.channel, run.threadTs, progress)
    .catch((error: unknown) =>
      deps.log.warn('group summary not posted', { runId: run.runId, error: toAppError(error) }),
    );
  return { kind: 'finished', progress };
}
