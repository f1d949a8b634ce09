import type { ContextBlock, HeaderBlock, SectionBlock } from '@slack/types';
import type { SlackMessage } from './finding-list-message.js';
import { mrkdwn, plainText } from './text-objects.js';

interface Usage {
  readonly syntax: string;
  readonly what: string;
  readonly examples: readonly string[];
}

/** Every subcommand `parseCspmCommand` knows, in the order people need them. */
const USAGES: readonly Usage[] = [
  {
    syntax: '/cspm status [account-id | control-id]',
    what: 'Open findings by severity, internet exposure, the last 7 days, the oldest findings and acceptances ending soon.',
    examples: ['/cspm status', '/cspm status 111122223333', '/cspm status EC2.13'],
  },
  {
    syntax: '/cspm list [account-id] [control-id] [--exposed]',
    what: 'The open findings themselves, each linked to its message. Filters combine, in any order.',
    examples: ['/cspm list EC2.13 --exposed', '/cspm list 111122223333 EC2.8'],
  },
  {
    syntax: '/cspm accepted',
    what: 'Every active risk acceptance: who accepted what, why, and until when.',
    examples: ['/cspm accepted'],
  },
  {
    syntax: '/cspm digest',
    what: 'This week against last week, as in the weekly digest.',
    examples: ['/cspm digest'],
  },
  {
    syntax: '/cspm retry',
    what: 'Try again every finding message the bot gave up delivering (listed under "Needs attention" in the status), once the cause is fixed. Allowed users only.',
    examples: ['/cspm retry'],
  },
  {
    syntax: '/cspm help',
    what: 'This help.',
    examples: ['/cspm help'],
  },
];

/** `/cspm help` (and `/cspm` alone): each subcommand with what it shows and an example to copy. */
export function helpMessage(): SlackMessage {
  const header: HeaderBlock = { type: 'header', text: plainText('cspm-bot commands') };
  const sections: SectionBlock[] = USAGES.map((usage) => ({
    type: 'section',
    text: mrkdwn(
      `*\`${usage.syntax}\`*\n${usage.what}\n${usage.examples.map((example) => `e.g. \`${example}\``).join('  ')}`,
    ),
  }));
  const footer: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(
        'An account id is 12 digits; a control id is a Security Hub control such as `EC2.13` or `AutoScaling.3`, in any case.',
      ),
    ],
  };
  return {
    text: `cspm-bot commands: ${USAGES.map((usage) => usage.syntax).join(', ')}`,
    blocks: [header, ...sections, footer],
  };
}
