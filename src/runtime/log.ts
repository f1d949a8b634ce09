import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { revealInvisible } from '../../blocks/invisible-characters.js';
import type { Log, LogKeys } from '../usecases/ports.js';

/**
 * Powertools Logger with the `Log` port's `withKeys`: a child whose every line also carries one job's keys, so
 * jobs running side by side (`npm start`) or one after another in a warm Lambda never lend each other their keys.
 * A child keeps the parent's settings, persistent keys and Lambda context (request id) of the moment.
 */
export class BotLog extends Logger implements Log {
  withKeys(keys: LogKeys): BotLog {
    const child = this.createChild() as BotLog;
    child.appendPersistentKeys({ ...keys });
    return child;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new BotLog(options);
  }
}

/**
 * JSON lines with service, level and keys; errors logged as objects with their cause.
 * Level from POWERTOOLS_LOG_LEVEL / LOG_LEVEL (default INFO).
 */
export function createLog(options: { quiet?: boolean } = {}): BotLog {
  return new BotLog({
    serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'cspm-bot',
    // Finding text in a log line (titles, names, error messages) shows invisible and bidi characters as markers.
    jsonReplacerFn: (_key, value) => (typeof value === 'string' ? revealInvisible(value) : value),
    ...(options.quiet &&
      !process.env['POWERTOOLS_LOG_LEVEL'] &&
      !process.env['LOG_LEVEL'] && { logLevel: 'WARN' }),
  });
}
