import type { HomeView, KnownBlock } from '@slack/types';
import type { AcceptanceSummary, StatusReport } from '../src/domain/status-report.js';
import { acceptanceSection, soonestFirst } from './acceptances-message.js';
import { type PermalinkOf, count } from './finding-list-message.js';
import { ELLIPSIS, mentionOrText } from './mrkdwn.js';
import { statusBlocks } from './status-message.js';
import { mrkdwn, plainText } from './text-objects.js';

export interface HomeViewInput {
  readonly report: StatusReport;
  /** The acceptances this user made that are still active. */
  readonly myAcceptances: readonly AcceptanceSummary[];
  readonly userId: string;
  readonly permalinkOf?: PermalinkOf;
}

/** The status takes a dozen blocks at most; this keeps the Home well under its 100. */
const MAX_OWN_ACCEPTANCES_SHOWN = 40;

/** A Home view whose blocks are all known ones, so `checkBlockLimits` takes them as they are. */
export type CspmHomeView = HomeView & { blocks: KnownBlock[] };

/** The App Home: the same posture as `/cspm status`, then the acceptances this user is answerable for. */
export function homeView(input: HomeViewInput): CspmHomeView {
  const blocks: KnownBlock[] = [
    ...statusBlocks(input.report, input.permalinkOf),
    { type: 'divider' },
    { type: 'header', text: plainText(`Your risk acceptances (${count(input.myAcceptances.length)})`) },
    {
      type: 'context',
      elements: [
        mrkdwn(`Accepted by ${mentionOrText(input.userId)} and still active, soonest to end first.`),
      ],
    },
    ...ownAcceptanceBlocks(input.myAcceptances, input.report.generatedAt),
  ];
  return { type: 'home', blocks };
}

function ownAcceptanceBlocks(acceptances: readonly AcceptanceSummary[], now: string): KnownBlock[] {
  if (acceptances.length === 0) {
    return [
      {
        type: 'section',
        text: mrkdwn('You have no active risk acceptances. Use *Accept risk…* on a finding to time-box one.'),
      },
    ];
  }
  const sorted = soonestFirst(acceptances);
  const shown = sorted.slice(0, MAX_OWN_ACCEPTANCES_SHOWN);
  const blocks: KnownBlock[] = shown.map((acceptance) => acceptanceSection(acceptance, now));
  const hidden = sorted.length - shown.length;
  if (hidden > 0) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(`${ELLIPSIS}and ${count(hidden)} more: \`/cspm accepted\` lists every active acceptance.`),
      ],
    });
  }
  return blocks;
}
