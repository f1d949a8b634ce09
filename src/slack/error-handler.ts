import type { App } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import { toAppError } from '../domain/app-error.js';
import type { Log } from '../usecases/ports.js';

/**
 * One place where listener faults end: the log gets the whole error (with its cause), and where Slack gave us a
 * user and channel, that user gets the short message with the next step.
 */
export function registerErrorHandler(app: App, log: Log): void {
  // The App must be built with `extendedErrorHandler: true` for body and context to be passed.
  app.error(async ({ error, body, context }: ExtendedErrorHandlerArgs) => {
    const appError = toAppError('original' in error && error.original ? error.original : error);
    log.error('Slack listener failed', { error: appError, code: appError.code, context: appError.context });
    const payload = body as
      | { user?: { id?: string }; user_id?: string; channel?: { id?: string }; channel_id?: string }
      | undefined;
    const user = payload?.user?.id ?? payload?.user_id;
    const channel = payload?.channel?.id ?? payload?.channel_id;
    if (!user || !channel || !context.botToken) return;
    await app.client.chat
      .postEphemeral({ token: context.botToken, channel, user, text: `:warning: ${appError.userMessage}` })
      .catch((postError: unknown) =>
        log.warn('could not tell the user about the failure', { error: postError }),
      );
  });
}
