import { ErrorCode } from '@slack/web-api';
import { AppError } from '../domain/app-error.js';
import type { DeliveryFailureKind } from '../domain/delivery-retry.js';

/** What a failed Slack call means for the message (see `DeliveryFailureKind`). */
export type SlackFailureKind = DeliveryFailureKind;

const CHANNEL_ERRORS = new Set(['channel_not_found', 'is_archived', 'not_in_channel', 'restricted_action']);
const WORKSPACE_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'not_allowed_token_type',
  'team_access_not_granted',
  'ekm_access_denied',
  'org_login_required',
]);
/** Slack documents these as "some aspect of the operation may have succeeded". */
const MAYBE_DONE_ERRORS = new Set(['internal_error', 'fatal_error']);
const NOT_DONE_ERRORS = new Set(['service_unavailable', 'request_timeout', 'ratelimited']);
/** Network failures that happen before the request reaches Slack: nothing was sent. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** A Slack call that did not go through, with what kind of failure it was and what a person can do. */
export class SlackDeliveryError extends AppError {
  readonly code = 'SLACK_DELIVERY_FAILED';
  readonly kind: SlackFailureKind;
  readonly slackError: string;

  constructor(
    input: { method: string; channel?: string; slackError: string; kind: SlackFailureKind },
    options?: ErrorOptions,
  ) {
    super(
      `Slack ${input.method} failed${input.channel ? ` in ${input.channel}` : ''}: ${input.slackError}`,
      input,
      options,
    );
    this.kind = input.kind;
    this.slackError = input.slackError;
  }

  /** Read by the delivery use case, which knows no Slack types. */
  get deliveryFailure(): DeliveryFailureKind {
    return this.kind;
  }

  /** Worth trying again later (the message stays owed). */
  get transient(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'transient' || this.kind === 'uncertain';
  }

  override get userMessage(): string {
    const channel =
      typeof this.context['channel'] === 'string' ? `<#${this.context['channel']}>` : 'the channel';
    switch (this.slackError) {
      case 'not_in_channel':
      case 'channel_not_found':
        return `The bot cannot post in ${channel} (${this.slackError}): invite it with \`/invite @cspm-bot\` or fix the channel routing.`;
      case 'is_archived':
        return `${channel} is archived: unarchive it or route these findings to another channel.`;
      case 'invalid_auth':
      case 'token_revoked':
      case 'token_expired':
      case 'not_authed':
      case 'account_inactive':
        return `The Slack bot token is invalid or revoked (${this.slackError}): reinstall the app and update SLACK_BOT_TOKEN.`;
      case 'missing_scope':
        return 'The Slack app lacks a permission (missing_scope): reinstall it from manifest.yml.';
      default:
        switch (this.kind) {
          case 'uncertain':
            return 'Slack did not confirm the message; the bot checks the channel for it before posting again.';
          case 'rate-limited':
          case 'transient':
            return 'Slack is busy; the message stays queued and is retried on the next sync.';
          default:
            return `Slack refused the message (${this.slackError}).`;
        }
    }
  }
}

function slackErrorOf(error: unknown): string | undefined {
  if (error instanceof Error && 'data' in error) {
    const data = error.data as { error?: unknown };
    if (typeof data.error === 'string') return data.error;
  }
  return undefined;
}

/** Short name of a failure for logs and the stored reason: Slack's error, else what the network said. */
export function slackErrorName(error: unknown): string {
  const slackError = slackErrorOf(error);
  if (slackError) return slackError;
  if (!(error instanceof Error)) return String(error);
  if ('code' in error && error.code === ErrorCode.RateLimitedError) return 'ratelimited';
  if ('code' in error && error.code === ErrorCode.HTTPError && 'statusCode' in error)
    return `HTTP ${String(error.statusCode)}`;
  const original = 'original' in error && error.original instanceof Error ? error.original : undefined;
  if (original?.name === 'TimeoutError' || original?.name === 'AbortError') return 'timeout';
  const networkCode = networkCodeOf(original);
  return networkCode ?? error.message;
}

/** undici puts the socket error (ECONNREFUSED, UND_ERR_SOCKET…) in `cause` of its "fetch failed" TypeError. */
function networkCodeOf(error: Error | undefined): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return undefined;
}

/**
 * What a failed call means. `posting` is true for `chat.postMessage`: only a post can leave a duplicate behind, so
 * only there is a lost answer `uncertain`; an update or a read is simply `transient` (repeating it is harmless).
 */
export function classifySlackFailure(error: unknown, posting: boolean): SlackFailureKind {
  const maybeDone: SlackFailureKind = posting ? 'uncertain' : 'transient';
  if (!(error instanceof Error) || !('code' in error)) return maybeDone;
  switch (error.code) {
    case ErrorCode.RateLimitedError:
      return 'rate-limited';
    case ErrorCode.HTTPError: {
      const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 0;
      // A 5xx may come from a proxy after Slack handled the post.
      return status >= 500 ? maybeDone : 'message';
    }
    case ErrorCode.RequestError: {
      const original = 'original' in error && error.original instanceof Error ? error.original : undefined;
      const networkCode = networkCodeOf(original);
      return networkCode && NOT_SENT_NETWORK_CODES.has(networkCode) ? 'transient' : maybeDone;
    }
    case ErrorCode.PlatformError: {
      const slackError = slackErrorOf(error) ?? '';
      if (CHANNEL_ERRORS.has(slackError)) return 'channel';
      if (WORKSPACE_ERRORS.has(slackError)) return 'workspace';
      if (MAYBE_DONE_ERRORS.has(slackError)) return maybeDone;
      if (NOT_DONE_ERRORS.has(slackError)) return 'transient';
      return 'message';
    }
    default:
      return maybeDone;
  }
}
