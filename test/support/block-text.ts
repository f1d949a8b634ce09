import type { KnownBlock, SectionBlock } from '@slack/types';

// Reading what a user sees in a message's sections, to assert on it without matching the whole payload.

function sections(blocks: readonly KnownBlock[]): SectionBlock[] {
  return blocks.filter((block): block is SectionBlock => block.type === 'section');
}

/** The text of the first section that contains `heading`; throws when there is none. */
export function sectionText(blocks: readonly KnownBlock[], heading: string): string {
  const found = sections(blocks).find((block) => block.text?.text.includes(heading));
  if (found?.text === undefined) throw new Error(`no section with ${heading}`);
  return found.text.text;
}

/** The text of every field of every section, in order. */
export function fieldTexts(blocks: readonly KnownBlock[]): string[] {
  return sections(blocks).flatMap((block) => (block.fields ?? []).map((field) => field.text));
}
