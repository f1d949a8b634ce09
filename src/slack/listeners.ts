import type { App } from '@slack/bolt';
import type { Log } from '../usecases/ports.js';
import { registerAppHome } from './app-home.js';
import type { CommandDeps } from './cspm-command.js';
import { registerCspmCommand } from './cspm-command.js';
import { registerErrorHandler } from './error-handler.js';
import { registerGroupRemediationListeners } from './group-remediation-actions.js';
import { registerRemediationListeners } from './remediation-actions.js';
import type { RiskListenerDeps } from './risk-actions.js';
import { registerRiskListeners } from './risk-actions.js';

export interface ListenerDeps extends RiskListenerDeps {
  readonly log: Log;
  readonly command: CommandDeps;
}

/** Every Slack surface the bot answers, registered in one place. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { log } = deps;
  registerRemediationListeners(app, deps);
  registerGroupRemediationListeners(app, deps);
  registerRiskListeners(app, deps);
  registerCspmCommand(app, deps.command);
  registerAppHome(app, deps.command.status);
  registerErrorHandler(app, log);
}
