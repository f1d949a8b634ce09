import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { acceptancesMessage } from '../../blocks/acceptances-message.js';
import { findingListMessage } from '../../blocks/finding-list-message.js';
import { helpMessage } from '../../blocks/help-message.js';
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

async function answer(deps: CommandDeps, text: string, userId: string): Promise<Reply> {
  const command = parseCspmCommand(text);
  switch (command.kind) {
    case 'help':
      return helpMessage();
    case 'invalid':
      return { text: `${command.message}` };
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

/** `/cspm …`: parse, answer from counters and indexes, reply ephemerally in the acknowledgement. */
export function onCspmCommand(deps: CommandDeps) {
  return async ({ ack, command }: CommandArgs): Promise<void> => {
    try {
      const reply = await answer(deps, command.text, command.user_id);
      await ack({ response_type: 'ephemeral', ...reply } as Parameters<typeof ack>[0]);
    } catch (error) {
      const appError = toAppError(error);
      deps.log.error('/cspm failed', { text: command.text, error: appError });
      await ack({ response_type: 'ephemeral', text: `:warning: ${appError.userMessage}` });
    }
  };
}

export function registerCspmCommand(app: App, deps: CommandDeps): void {
  app.command('/cspm', onCspmCommand(deps));
}
