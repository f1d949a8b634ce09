import { describe, expect, it } from 'vitest';
import { parseCspmCommand } from '../../../src/domain/cspm-command.js';
import type { CspmCommand } from '../../../src/domain/status-report.js';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';

function messageOf(command: CspmCommand): string {
  if (command.kind !== 'invalid') throw new Error(`expected a refusal, got ${JSON.stringify(command)}`);
  return command.message;
}

describe('parseCspmCommand', () => {
  describe('valid commands', () => {
    it.each<[string, CspmCommand]>([
      ['', { kind: 'help' }],
      ['   ', { kind: 'help' }],
      ['help', { kind: 'help' }],
      ['HELP', { kind: 'help' }],
      ['help status', { kind: 'help' }],
      ['status', { kind: 'status', scope: { kind: 'all' } }],
      ['  Status  ', { kind: 'status', scope: { kind: 'all' } }],
      [`status ${ACCOUNT}`, { kind: 'status', scope: { kind: 'account', accountId: ACCOUNT } }],
      [`status\t\u00a0${ACCOUNT}\n`, { kind: 'status', scope: { kind: 'account', accountId: ACCOUNT } }],
      ['status EC2.13', { kind: 'status', scope: { kind: 'control', controlId: 'EC2.13' } }],
      ['status ec2.13', { kind: 'status', scope: { kind: 'control', controlId: 'EC2.13' } }],
      ['STATUS autoscaling.3', { kind: 'status', scope: { kind: 'control', controlId: 'AutoScaling.3' } }],
      // Not in the catalog: kept as typed, since Security Hub's service part has no one case rule.
      ['status S3.1', { kind: 'status', scope: { kind: 'control', controlId: 'S3.1' } }],
      ['status CloudTrail.1', { kind: 'status', scope: { kind: 'control', controlId: 'CloudTrail.1' } }],
      ['list', { kind: 'list', exposedOnly: false }],
      ['list --exposed', { kind: 'list', exposedOnly: true }],
      [`list ${ACCOUNT}`, { kind: 'list', accountId: ACCOUNT, exposedOnly: false }],
      ['list ec2.8', { kind: 'list', controlId: 'EC2.8', exposedOnly: false }],
      [
        `list --exposed ec2.19 ${ACCOUNT}`,
        { kind: 'list', accountId: ACCOUNT, controlId: 'EC2.19', exposedOnly: true },
      ],
      [
        `LIST ${ACCOUNT}   EC2.13 --EXPOSED`,
        { kind: 'list', accountId: ACCOUNT, controlId: 'EC2.13', exposedOnly: true },
      ],
      // Slack's smart punctuation turns `--` into a dash as people type.
      ['list —exposed', { kind: 'list', exposedOnly: true }],
      ['list –exposed', { kind: 'list', exposedOnly: true }],
      ['accepted', { kind: 'accepted' }],
      ['Accepted', { kind: 'accepted' }],
      ['digest', { kind: 'digest' }],
      [' DIGEST ', { kind: 'digest' }],
      ['retry', { kind: 'retry' }],
      ['Retry ', { kind: 'retry' }],
    ])('parses %j', (text, expected) => {
      expect(parseCspmCommand(text)).toEqual(expected);
    });

    it('leaves out the list filters that were not given', () => {
      // Assess: absent, not present-but-undefined (exactOptionalPropertyTypes and toEqual would hide it).
      const command = parseCspmCommand('list --exposed');
      expect(Object.keys(command).sort()).toEqual(['exposedOnly', 'kind']);
    });
  });

  describe('refusals', () => {
    it.each<[string, string]>([
      [
        'status foo',
        '`/cspm status` takes an AWS account id (12 digits) or a control id like EC2.13; got `foo`.',
      ],
      [
        'status 12345',
        '`/cspm status` takes an AWS account id (12 digits) or a control id like EC2.13; got `12345`.',
      ],
      ['status 1111222233334', 'got `1111222233334`'],
      ['status EC2.', 'got `EC2.`'],
      ['status .13', 'got `.13`'],
      ['status EC2-13', 'got `EC2-13`'],
      [`status ${ACCOUNT} EC2.13`, `not more than one; got \`${ACCOUNT} EC2.13\`.`],
      ['frobnicate', 'Unknown subcommand `frobnicate`. Try `/cspm help`.'],
      ['Stats', 'Unknown subcommand `Stats`. Try `/cspm help`.'],
      ['list --foo', 'Unknown option `--foo` for `/cspm list`: the only option is `--exposed`.'],
      ['list -e', 'Unknown option `-e`'],
      ['list --exposed --exposed', '`/cspm list` takes `--exposed` once.'],
      [
        `list ${ACCOUNT} ${OTHER_ACCOUNT}`,
        `\`/cspm list\` takes one account id; got \`${ACCOUNT}\` and \`${OTHER_ACCOUNT}\`.`,
      ],
      ['list EC2.13 ec2.8', '`/cspm list` takes one control id; got `EC2.13` and `ec2.8`.'],
      [
        'list prod',
        '`/cspm list` takes an AWS account id (12 digits), a control id like EC2.13 and `--exposed`',
      ],
      ['accepted mine', '`/cspm accepted` takes no arguments; got `mine`.'],
      ['digest last week', '`/cspm digest` takes no arguments; got `last week`.'],
      ['retry C0FINDINGS', '`/cspm retry` takes no arguments; got `C0FINDINGS`.'],
    ])('refuses %j, saying what was expected', (text, expected) => {
      expect(messageOf(parseCspmCommand(text))).toContain(expected);
    });
  });

  describe('user input echoed in a refusal', () => {
    it.each<[string, string]>([
      ['status <!channel>', '`&lt;!channel&gt;`'],
      ['<!here>', 'Unknown subcommand `&lt;!here&gt;`'],
      ['status <https://evil.example|click>', '`&lt;https://evil.example|click&gt;`'],
      ['list <@U012AB3CD>', '`&lt;@U012AB3CD&gt;`'],
      ['digest a&b', '`a&amp;b`'],
      // Slack may deliver the text entity-escaped already: shown as the user typed it, not double-escaped.
      ['status &lt;!channel&gt;', '`&lt;!channel&gt;`'],
      ['status `x`', '`ˋxˋ`'],
    ])('escapes %j so Slack shows it as text', (text, expected) => {
      const message = messageOf(parseCspmCommand(text));
      expect(message).toContain(expected);
      expect(message).not.toMatch(/[<>]/);
    });

    it('keeps every code span closed, whatever backticks the input holds', () => {
      const message = messageOf(parseCspmCommand('status ``` *bold* ```'));
      expect(message.split('`').length % 2).toBe(1);
    });

    it('shows at most 100 characters of a long input', () => {
      // Prepare: a 5,000-character word with an emoji straddling the cut.
      const word = `${'x'.repeat(99)}😀${'y'.repeat(4900)}`;

      const message = messageOf(parseCspmCommand(`status ${word}`));

      // Assess: the echo is cut before the emoji rather than through it.
      expect(message).toContain(`\`${'x'.repeat(99)}…\``);
      expect(message).not.toContain('y');
      expect(message.length).toBeLessThan(250);
    });

    it('keeps control characters from breaking the echo onto a new line', () => {
      const message = messageOf(parseCspmCommand('status a\u0085>\u0000b'));
      expect(message).toContain('`a &gt; b`');
    });
  });
});
