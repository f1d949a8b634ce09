import type { MrkdwnElement, PlainTextElement } from '@slack/types';

/** `verbatim` stops Slack from auto-linking names and bare `@here`-style words inside text we did not write. */
export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

export function plainText(text: string): PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}
