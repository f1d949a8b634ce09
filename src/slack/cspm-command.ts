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
import type { Log, UserDirectory } from '../usecases/ports.js';

export interface CommandDeps {
  readonly status: StatusDeps;
  /** Absent when no digest channel can be posted to (dry run). */
  readonly digest?: DigestDeps;
  readonly users: UserDirectory;
  readonly policy: ActorPolicy;
  readonly log: Log;
}

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
type Reply = { text: string; blocks?: unknown[] };

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
      const findings = records.map(openFindingSummary).filter((finding) => !command.exposedOnly || finding.exposed);
      return findingListMessage({ findings, filter: command, now: deps.status.clock.now().toUTC().toISO()! });
    }
    case 'accepted': {
      const active = await deps.status.acceptances.activeEndingBefore('9999-12-31T23:59:59.999Z');
      return acceptancesMessage(active.map(acceptanceSummary), deps.status.clock.now().toISO()!);
    }
    case 'digest': {
      const authorization = await authorizeUser(deps.users, deps.policy, userId);
      if (!authorization.allowed) return { text: `:no_entry: Only ${authorization.whoMay} may post the digest.` };
      if (!deps.digest) return { text: 'No digest channel is configured (CSPM_DIGEST_CHANNEL).' };
      await postDigestNow(deps.digest);
      return { text: `:white_check_mark: Digest posted to ${deps.digest.channel}.` };
    }
  }
}

/**
 * `/cspm …`: acknowledged before anything is read (Slack gives 3 s, a cold store or the digest's chart upload can
 * take longer), then answered ephemerally through the response_url; a failure after the ack is told the same way.
 */
export function onCspmCommand(deps: CommandDeps) {
  return async ({ ack, respond, command }: CommandArgs): Promise<void> => {
    const parsed = parseCspmCommand(command.text);
    if (parsed.kind === 'help' || parsed.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', ...instantReply(parsed) } as Parameters<typeof ack>[0]);
      return;
    }
    await ack();
    const say = (reply: Reply) =>
      respond({ response_type: 'ephemeral', ...reply } as Parameters<typeof respond>[0]).catch((error: unknown) =>
        // The response_url takes 5 answers within 30 minutes; past that there is no one left to tell but the log.
        deps.log.warn('/cspm answer could not be sent to the response_url', { text: command.text, error }),
      );
    // The digest posts and uploads a chart: say so first. Through the response_url rather than in the ack, so the
    // two arrive in order on the Lambda too (its receiver returns the ack only once the listener is done).
    if (parsed.kind === 'digest') await say({ text: ':hourglass_flowing_sand: Working on it…' });
    let reply: Reply;
    try {
      reply = await answer(deps, parsed, command.user_id);
    } catch (error) {
      const appError = toAppError(error);
      deps.log.error('/cspm failed', { text: command.text, error: appError });
      reply = { text: `:warning: ${revealInvisible(appError.userMessage)}` };
    }
    await say(reply);
  };
}

export function registerCspmCommand(app: App, deps: CommandDeps): void {
  app.command('/cspm', onCspmCommand(deps));
}
