import { describe, expect, it } from 'vitest';
import { helpMessage } from '../../../blocks/help-message.js';
import { checkMessageLimits } from '../../../blocks/limits.js';
import { parseCspmCommand } from '../../../src/domain/cspm-command.js';

/** Every `/cspm …` example the help shows, as the text after `/cspm`. */
function examples(): string[] {
  const payload = JSON.stringify(helpMessage().blocks);
  return [...payload.matchAll(/e\.g\. `\/cspm([^`]*)`/g)].map((match) => (match[1] ?? '').trim());
}

describe('helpMessage', () => {
  it('renders every subcommand with examples (snapshot)', () => {
    expect(helpMessage()).toMatchSnapshot();
  });

  it.each(['status', 'list', 'accepted', 'digest', 'retry', 'help'])(
    'shows `/cspm %s` with an example',
    (subcommand) => {
      expect(examples().some((example) => example.split(' ')[0] === subcommand)).toBe(true);
    },
  );

  it('shows only examples the parser accepts', () => {
    const refused = examples().filter((example) => parseCspmCommand(example).kind === 'invalid');
    expect(examples().length).toBeGreaterThanOrEqual(5);
    expect(refused).toEqual([]);
  });

  it('stays within Slack limits', () => {
    expect(checkMessageLimits(helpMessage())).toEqual([]);
  });
});
