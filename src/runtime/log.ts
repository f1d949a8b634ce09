import { Logger } from '@aws-lambda-powertools/logger';
import { revealInvisible } from '../../blocks/invisible-characters.js';

/**
 * Powertools Logger: JSON lines with service, level and keys; errors logged as objects with their cause.
 * Level from POWERTOOLS_LOG_LEVEL / LOG_LEVEL (default INFO).
 */
export function createLog(options: { quiet?: boolean } = {}): Logger {
  return new Logger({
    serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'cspm-bot',
    // Finding text in a log line (titles, names, error messages) shows invisible and bidi characters as markers.
    jsonReplacerFn: (_key, value) => (typeof value === 'string' ? revealInvisible(value) : value),
    ...(options.quiet && !process.env['POWERTOOLS_LOG_LEVEL'] && !process.env['LOG_LEVEL'] && { logLevel: 'WARN' }),
  });
}
