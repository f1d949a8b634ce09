import type { MrkdwnElement, PlainTextElement } from '@slack/types';
import { revealInvisible } from './invisible-characters.js';

// Every text object is built here, so invisible and bidi characters are shown as markers (`⟨U+202E⟩`) even in text
// no escaping function saw. Text that went through blocks/mrkdwn.ts is already revealed, and lengths were counted
// then; this is the backstop, a no-op for such text.

/** `verbatim` stops Slack from auto-linking names and bare `@here`-style words inside text we did not write. */
export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text: revealInvisible(text), verbatim: true };
}

export function plainText(text: string): PlainTextElement {
  return { type: 'plain_text', text: revealInvisible(text), emoji: true };
}
