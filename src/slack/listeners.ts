import type { App } from '@slack/bolt';
import type { Log } from '../usecases/ports.js';
import { registerCspmCommand } from './cspm-command.js';
import { registerErrorHandler } from './error-handler.js';
import { registerFindingActions } from './finding-actions.js';
import type { RemediationListenerDeps } from './remediation-actions.js';
import { registerRemediationListeners } from './remediation-actions.js';

export interface ListenerDeps extends RemediationListenerDeps {
  readonly log: Log;
}

/** Every Slack surface the bot answers, registered in one place. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { log } = deps;
  registerRemediationListeners(app, deps);
  registerFindingActions(app);
  registerCspmCommand(app);
  registerErrorHandler(app, log);
}
