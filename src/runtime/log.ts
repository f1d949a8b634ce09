import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Powertools Logger: JSON lines with service, level and keys; errors logged as objects with their cause.
 * Level from POWERTOOLS_LOG_LEVEL / LOG_LEVEL (default INFO).
 */
export function createLog(options: { quiet?: boolean } = {}): Logger {
  return new Logger({
    serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'cspm-bot',
    ...(options.quiet && !process.env['POWERTOOLS_LOG_LEVEL'] && !process.env['LOG_LEVEL'] && { logLevel: 'WARN' }),
  });
}
