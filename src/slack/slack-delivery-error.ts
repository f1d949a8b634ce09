import { AppError } from '../domain/app-error.js';

/** A Slack call that did not go through. `transient` ones are retried later; the others need a person. */
export class SlackDeliveryError extends AppError {
  readonly code = 'SLACK_DELIVERY_FAILED';
  readonly transient: boolean;
  readonly slackError: string;

  constructor(input: { method: string; channel?: string; slackError: string; transient: boolean }, options?: ErrorOptions) {
    super(`Slack ${input.method} failed${input.channel ? ` in ${input.channel}` : ''}: ${input.slackError}`, input, options);
    this.transient = input.transient;
    this.slackError = input.slackError;
  }

  override get userMessage(): string {
    const channel = typeof this.context['channel'] === 'string' ? this.context['channel'] : 'the channel';
    switch (this.slackError) {
      case 'not_in_channel':
      case 'channel_not_found':
        return `The bot cannot post in ${channel}: invite it with \`/invite @cspm-bot\` or fix the channel routing.`;
      case 'invalid_auth':
      case 'token_revoked':
      case 'not_authed':
        return 'The Slack bot token is invalid or revoked: reinstall the app and update SLACK_BOT_TOKEN.';
      default:
        return this.transient
          ? 'Slack is busy; the message stays queued and is retried on the next sync.'
          : `Slack refused the message (${this.slackError}).`;
    }
  }
}
