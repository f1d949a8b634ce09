import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { acceptancesMessage } from '../../blocks/acceptances-message.js';
import { findingListMessage } from '../../blocks/finding-list-message.js';
import { helpMessage } from '../../blocks/help-message.js';
import { revealInvisible } from '../../blocks/invisible-characters.js';
import { statusMessage } from '../../blocks/status-message.js';
import type { ActorPolicy } from '../domain/authorization.js';
import { parseCspmCommand } from '../domain/cspm-command.js';
import { toAppError } from '../domain/app-error.js';
import { acceptanceSummary, buildStatusReport, openFindingSummary } from '../usecases/build-status-report.js';
import type { StatusDeps } from '../usecases/build-status-report.js';
import { authorizeUser } from '../usecases/authorize-user.js';
import type { DigestDeps } from '../usecases/post-digest.js';
import { postDigestNow } from '../usecases/post-digest.js';
import { retryStuckDeliveries } from '../usecases/deliver-finding-message.js';
import type { Log, UserDirectory } from '../usecases/ports.js';
import { AnswerQueue } from './answer-queue.js';
import { SharedAnswers } from './shared-answers.js';
import type { JobQueue } from './slack-jobs.js';

export interface CommandDeps {
  readonly status: StatusDeps;
  /** Absent when no digest channel can be posted to (dry run). */
  readonly digest?: DigestDeps;
  readonly users: UserDirectory;
  readonly policy: ActorPolicy;
  readonly log: Log;
  /**
   * On the Lambda: the Worker answers. Its receiver returns the ack only once the listener is done, so the listener
   * acks, hands the command over and returns; the Worker posts the answer to the response_url. Absent (a long-running
   * process), the listener answers after its ack itself.
   */
  readonly worker?: JobQueue;
  /** Grouped messages, so `/cspm retry` sends a stuck grouped message again before its members' replies. */
  readonly groups?: Parameters<typeof retryStuckDeliveries>[0]['groups'];
  /** Starts a delivery run now (a long-running process); absent, the next scheduled sweep posts what was re-queued. */
  readonly deliverNow?: () => Promise<void>;
  /**
   * How a long-running process builds report answers; absent, `onCspmCommand` makes its own (one per process).
   * The Worker builds one command per invocation and goes without.
   */
  readonly answers?: CommandAnswers;
}

/** Report builds queued a few at a time, and identical reports asked for together built once. */
export interface CommandAnswers {
  readonly queue: AnswerQueue;
  readonly shared: SharedAnswers<Reply>;
}

/**
 * Two builds at a time keep a slow report from holding up the rest while leaving the event loop free for acks:
 * 50 concurrent `/cspm status` acked at p99 2.2 s with every build running at once.
 */
const CONCURRENT_BUILDS = 2;
/** A shared report is at most this old; its "As of" says when it was read. */
const REUSE_REPORT_MS = 3_000;

export function commandAnswers(now: () => number = () => performance.now()): CommandAnswers {
  return {
    queue: new AnswerQueue(CONCURRENT_BUILDS),
    shared: new SharedAnswers<Reply>(REUSE_REPORT_MS, now),
  };
}

/** A `/cspm` command handed to the Worker: what was typed, by whom, and where to answer. */
export interface CspmCommandJob {
  readonly kind: 'cspm-command';
  readonly text: string;
  readonly userId: string;
  readonly responseUrl: string;
}

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
export type Reply = { text: string; blocks?: unknown[] };

type Command = ReturnType<typeof parseCspmCommand>;
/** Subcommands that read the store or post: acknowledged at once, answered through the response_url. */
type SlowCommand = Exclude<Command, { kind: 'help' | 'invalid' }>;

/** Help and a refusal need no I/O: they are the acknowledgement itself. */
function instantReply(command: Extract<Command, { kind: 'help' | 'invalid' }>): Reply {
  return command.kind === 'help' ? helpMessage() : { text: revealInvisible(command.message) };
}

async function answer(deps: CommandDeps, command: SlowCommand, userId: string): Promise<Reply> {
  switch (command.kind) {
    case 'status':
      return statusMessage(await buildStatusReport(deps.status, command.scope));
    case 'list': {
      const records = await deps.status.findings.openFindings({
        ...(command.accountId && { accountId: command.accountId }),
        ...(command.controlId && { controlId: command.controlId }),
        limit: command.exposedOnly ? 500 : 20,
      });
      const findings = records
        .map(openFindingSummary)
        .filter((finding) => !command.exposedOnly || finding.exposed);
      return findingListMessage({ findings, filter: command, now: deps.status.clock.now().toUTC().toISO()! });
    }
    case 'accepted': {
      const active = await deps.status.acceptances.activeEndingBefore('9999-12-31T23:59:59.999Z');
      return acceptancesMessage(active.map(acceptanceSummary), deps.status.clock.now().toISO()!);
    }
    case 'retry': {
      const authorization = await authorizeUser(deps.users, deps.policy, userId);
      if (!authorization.allowed)
        return { text: `:no_entry: Only ${authorization.whoMay} may retry stuck messages.` };
      const requeued = await retryStuckDeliveries({
        ...deps.status,
        ...(deps.groups && { groups: deps.groups }),
      });
      if (requeued > 0) await deps.deliverNow?.();
      return {
        text:
          requeued === 0
            ? 'No finding message is stuck: nothing to retry.'
            : `:repeat: ${requeued} stuck finding message${requeued === 1 ? ' was' : 's were'} queued again; the next delivery sweep posts ${requeued === 1 ? 'it' : 'them'} (within a few minutes). If the cause is not fixed, ${requeued === 1 ? 'it' : 'they'} will show as stuck again in \`/cspm status\`.`,
      };
    }
    case 'digest': {
      const authorization = await authorizeUser(deps.users, deps.policy, userId);
      if (!authorization.allowed)
        return { text: `:no_entry: Only ${authorization.whoMay} may post the digest.` };
      if (!deps.digest) return { text: 'No digest channel is configured (CSPM_DIGEST_CHANNEL).' };
      await postDigestNow(deps.digest);
      return { text: `:white_check_mark: Digest posted to ${deps.digest.channel}.` };
    }
  }
}

/**
 * Reports read the store but not who asks: built through the queue, shared by identical requests. `retry` and
 * `digest` check the user and act, so each runs on its own, as soon as it is asked.
 */
function answerOf(deps: CommandDeps, command: SlowCommand, userId: string): Promise<Reply> {
  const { answers } = deps;
  if (!answers || command.kind === 'retry' || command.kind === 'digest') return answer(deps, command, userId);
  return answers.shared.get(JSON.stringify(command), () =>
    answers.queue.run(() => answer(deps, command, userId)),
  );
}

/** Answer a command that needs the store or Slack, through `say` (the response_url); a failure is told the same way. */
async function answerSlowCommand(
  deps: CommandDeps,
  command: SlowCommand,
  input: { text: string; userId: string },
  say: (reply: Reply) => Promise<void>,
): Promise<void> {
  // The digest posts and uploads a chart: say so first, through the response_url too, so the two arrive in order.
  if (command.kind === 'digest') await say({ text: ':hourglass_flowing_sand: Working on it…' });
  let reply: Reply;
  try {
    reply = await answerOf(deps, command, input.userId);
  } catch (error) {
    const appError = toAppError(error);
    deps.log.error('/cspm failed', { text: input.text, error: appError });
    reply = { text: `:warning: ${revealInvisible(appError.userMessage)}` };
  }
  await say(reply);
}

/** The response_url takes 5 answers within 30 minutes; past that there is no one left to tell but the log. */
function logUnsent(deps: CommandDeps, text: string) {
  return (error: unknown) =>
    deps.log.warn('/cspm answer could not be sent to the response_url', { text, error });
}

/**
 * `/cspm …`: acknowledged before anything is read (Slack gives 3 s, a cold store or the digest's chart upload can
 * take longer), then answered ephemerally through the response_url, by this process or, on the Lambda, by the Worker.
 */
export function onCspmCommand(commandDeps: CommandDeps) {
  // One queue per process: every /cspm this listener answers shares it.
  const deps: CommandDeps =
    commandDeps.worker || commandDeps.answers ? commandDeps : { ...commandDeps, answers: commandAnswers() };
  return async ({ ack, respond, command }: CommandArgs): Promise<void> => {
    const parsed = parseCspmCommand(command.text);
    if (parsed.kind === 'help' || parsed.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', ...instantReply(parsed) } as Parameters<typeof ack>[0]);
      return;
    }
    await ack();
    const say = (reply: Reply) =>
      respond({ response_type: 'ephemeral', ...reply } as Parameters<typeof respond>[0]).then(
        () => undefined,
        logUnsent(deps, command.text),
      );
    if (!deps.worker)
      return answerSlowCommand(deps, parsed, { text: command.text, userId: command.user_id }, say);
    try {
      await deps.worker.enqueue({
        kind: 'cspm-command',
        text: command.text,
        userId: command.user_id,
        responseUrl: command.response_url,
      });
    } catch (error) {
      deps.log.error('/cspm could not be handed to the Worker', {
        text: command.text,
        error: toAppError(error),
      });
      await say({
        text: ':warning: The bot could not start on that just now (its Worker did not take the job). Try again in a minute.',
      });
    }
  };
}

/** Posts an ephemeral answer to a slash command's response_url, as Bolt's `respond` does. */
async function postToResponseUrl(responseUrl: string, reply: Reply): Promise<void> {
  const response = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_type: 'ephemeral', ...reply }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the response_url answered HTTP ${response.status}`);
}

/** The Worker's side of a handed-over `/cspm` command: builds the answer and posts it to the response_url. */
export async function answerCspmCommandJob(deps: CommandDeps, job: CspmCommandJob): Promise<void> {
  const parsed = parseCspmCommand(job.text);
  const say = (reply: Reply) => postToResponseUrl(job.responseUrl, reply).catch(logUnsent(deps, job.text));
  if (parsed.kind === 'help' || parsed.kind === 'invalid') return say(instantReply(parsed));
  await answerSlowCommand(deps, parsed, job, say);
}

export function registerCspmCommand(app: App, deps: CommandDeps): void {
  app.command('/cspm', onCspmCommand(deps));
}
