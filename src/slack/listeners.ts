import type { App } from '@slack/bolt';
import type { Log } from '../usecases/ports.js';
import { registerCspmCommand } from './cspm-command.js';
import { registerErrorHandler } from './error-handler.js';
import { registerFindingActions } from './finding-actions.js';

/** Every Slack surface the bot answers, registered in one place. */
export function registerListeners(app: App, log: Log): void {
  registerFindingActions(app);
  registerCspmCommand(app);
  registerErrorHandler(app, log);
}
