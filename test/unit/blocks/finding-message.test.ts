import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  ACCEPT_RISK_ACTION,
  FINDING_ACTIONS_BLOCK,
  REMEDIATE_ACTION,
  REOPEN_ACTION,
  REVOKE_ACCEPTANCE_ACTION,
  SUPPRESS_ACTION,
  parseFindingButtonValue,
} from '../../../blocks/action-ids.js';
import {
  findingMessage,
  type FindingMessageView,
  type MessageState,
} from '../../../blocks/finding-message.js';
import { MESSAGE_TEXT_LIMIT, checkMessageLimits } from '../../../blocks/limits.js';
import type { ExposedRule } from '../../../src/domain/exposure.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { NetworkInterfaceFacts } from '../../../src/domain/reachability.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import { ACCOUNT, REGION, T0, makeFinding, makeRule } from '../../fixtures/finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const LATER = '2026-11-03T10:00:00.000Z';

function exposed(rule: SecurityGroupRule, ports: ExposedRule['ports'] = [{ from: 22, to: 22 }]): ExposedRule {
  const world = rule.source.kind === 'ipv6' ? '::/0' : '0.0.0.0/0';
  return { rule, world, shape: 'single-port', ports };
}

const webServer: NetworkInterfaceFacts = {
  networkInterfaceId: 'eni-0a1b2c3d4e5f60001',
  subnetId: 'subnet-0a1b2c3d4e5f60001',
  vpcId: 'vpc-0a1b2c3d4e5f67890',
  publicIp: '203.0.113.10',
  ipv6Addresses: [],
  attachedTo: 'i-0abc1234def567890',
};

/** A second interface with only IPv6 addresses. */
const ipv6Only: NetworkInterfaceFacts = {
  networkInterfaceId: 'eni-2',
  subnetId: 'subnet-0a1b2c3d4e5f60001',
  vpcId: 'vpc-0a1b2c3d4e5f67890',
  ipv6Addresses: ['2001:db8::1', '2001:db8::2'],
  attachedTo: 'i-0abc1234def567890',
};

/** EC2.13 on a group that a public instance uses: the case the bot exists for. */
function sshOpenView(overrides: Partial<FindingMessageView> = {}): FindingMessageView {
  return {
    finding: makeFinding({
      resource: { ...makeFinding().resource, tags: { Owner: 'platform', env: 'prod' } },
    }),
    controlSummary: 'SSH (22) open to the internet',
    openRules: [
      exposed(makeRule()),
      exposed(
        makeRule({
          ruleId: 'sgr-0a1b2c3d4e5f60002',
          source: { kind: 'ipv6', cidr: '::/0' },
          description: 'temporary access for debugging',
        }),
      ),
    ],
    reach: { kind: 'internet', via: [webServer] },
    urgency: 'act-now',
    state: { kind: 'open' },
    ...overrides,
  };
}

/** EC2.8 on an instance that still allows IMDSv1. */
function imdsView(): FindingMessageView {
  const instanceId = 'i-0abc1234def567890';
  const finding = makeFinding({
    id: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.8/finding/2a3b4c5d-6e7f-4081-9a2b-c3d4e5f60002`,
    controlId: 'EC2.8',
    generatorId: 'security-control/EC2.8',
    title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    resource: {
      type: 'AwsEc2Instance',
      id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instanceId}`,
      shortId: instanceId,
      region: REGION,
      partition: 'aws',
      name: 'batch-worker',
    },
    details: { kind: 'instance', instanceId, httpTokens: 'optional' },
    remediationUrl: 'https://docs.aws.amazon.com/console/securityhub/EC2.8/remediation',
  });
  return {
    finding,
    controlSummary: 'IMDSv1 still allowed',
    openRules: [],
    reach: { kind: 'private', attachments: 1 },
    imds: { httpTokens: 'optional' },
    urgency: 'high',
    state: { kind: 'open' },
  };
}

/** A finding for a control the bot cannot fix: no catalog entry, no details, no runbook. */
function unsupportedView(): FindingMessageView {
  const bucket = 'logs-111122223333';
  return {
    finding: makeFinding({
      id: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/S3.9/finding/3b4c5d6e-7f80-4192-ab3c-d4e5f6000003`,
      controlId: 'S3.9',
      generatorId: 'security-control/S3.9',
      title: 'S3 general purpose buckets should have server access logging enabled',
      severity: 'MEDIUM',
      resource: {
        type: 'AwsS3Bucket',
        id: `arn:aws:s3:::${bucket}`,
        shortId: bucket,
        region: REGION,
        partition: 'aws',
      },
      details: { kind: 'none' },
    }),
    openRules: [],
    reach: { kind: 'unknown', reason: 'not a network resource' },
    urgency: 'normal',
    state: { kind: 'open' },
    canRemediate: false,
  };
}

function actionsBlock(blocks: readonly KnownBlock[]): ActionsBlock | undefined {
  return blocks.find((block): block is ActionsBlock => block.type === 'actions');
}

function buttons(blocks: readonly KnownBlock[]): Button[] {
  return (actionsBlock(blocks)?.elements ?? []).filter(
    (element): element is Button => element.type === 'button',
  );
}

/** Every text object anywhere in the blocks. */
function textObjects(value: unknown): { type: string; text: string }[] {
  if (Array.isArray(value)) return value.flatMap(textObjects);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own =
    (record['type'] === 'mrkdwn' || record['type'] === 'plain_text') && typeof record['text'] === 'string';
  return [
    ...(own ? [record as { type: string; text: string }] : []),
    ...Object.values(record).flatMap(textObjects),
  ];
}

/** Every `<…>` token in the payload, i.e. everything Slack would parse as a mention, link or date. */
function slackTokens(message: { text: string; blocks: KnownBlock[] }): string[] {
  return JSON.stringify(message).match(/<[^>]*>/g) ?? [];
}

const STATES: readonly [string, MessageState][] = [
  ['open', { kind: 'open' }],
  [
    'reopened',
    {
      kind: 'reopened',
      previously: 'Remediated by the bot on 2026-11-02; the control failed again on 2026-11-03',
    },
  ],
  ['resolved in Security Hub', { kind: 'resolved', by: 'security-hub', at: LATER }],
  ['resolved by a user', { kind: 'resolved', by: 'U0123ABCD', at: LATER }],
  [
    'suppressed with a reason',
    { kind: 'suppressed', by: 'U0123ABCD', at: LATER, reason: 'Bastion host, IP-restricted at the NACL' },
  ],
  ['suppressed without details', { kind: 'suppressed', at: LATER }],
  [
    'risk-accepted for this resource',
    {
      kind: 'accepted',
      by: 'U0123ABCD',
      at: LATER,
      until: '2026-12-31',
      reason: 'Vendor appliance, SSH needed until the migration',
      scope: 'resource',
    },
  ],
  [
    'risk-accepted for the control in the account',
    {
      kind: 'accepted',
      by: 'U0123ABCD',
      at: LATER,
      until: '2027-01-31',
      reason: 'Lab account, torn down in January',
      scope: 'control-in-account',
    },
  ],
  ['closed as archived', { kind: 'closed', why: 'archived', at: LATER }],
  ['closed as passed', { kind: 'closed', why: 'passed', at: LATER }],
];

describe('findingMessage', () => {
  describe('snapshots', () => {
    it.each(STATES)('renders an SSH finding that is %s', (_, state) => {
      expect(findingMessage(sshOpenView({ state }))).toMatchSnapshot();
    });

    it('renders an IMDSv1 instance finding', () => {
      expect(findingMessage(imdsView())).toMatchSnapshot();
    });

    it('renders a finding of a control the bot cannot remediate', () => {
      expect(findingMessage(unsupportedView())).toMatchSnapshot();
    });
  });

  describe('content', () => {
    it('puts severity, control and title in the header', () => {
      const [header] = findingMessage(sshOpenView()).blocks;

      expect(header).toEqual({
        type: 'header',
        text: {
          type: 'plain_text',
          text: '🟠 EC2.13 · Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
          emoji: true,
        },
      });
    });

    it('lists each open rule in words with its rule id', () => {
      const json = JSON.stringify(findingMessage(sshOpenView()).blocks);

      expect(json).toContain('• tcp/22 from 0.0.0.0/0 (`sgr-0a1b2c3d4e5f60001`)');
      expect(json).toContain('• tcp/22 from ::/0 (`sgr-0a1b2c3d4e5f60002`) “temporary access for debugging”');
    });

    it('says a group has no open rule left when the analysis found none', () => {
      const json = JSON.stringify(findingMessage(sshOpenView({ openRules: [] })).blocks);

      expect(json).toContain('*Open rules*: none found in the group now');
    });

    it('links to the finding in the Security Hub console', () => {
      const json = JSON.stringify(findingMessage(sshOpenView()).blocks);

      expect(json).toMatch(
        /<https:\/\/ap-northeast-1\.console\.aws\.amazon\.com\/securityhub\/home\?region=ap-northeast-1#\/findings\?search=Id%3D[^|]+\|View in Security Hub>/,
      );
    });

    it('shows first seen as a Slack date token', () => {
      const json = JSON.stringify(findingMessage(sshOpenView()).blocks);

      expect(json).toContain(`<!date^${Date.parse(T0) / 1000}^{date_short_pretty} {time}|${T0}>`);
    });

    it.each<[string, NonNullable<FindingMessageView['reach']>, string]>([
      [
        'one public interface',
        { kind: 'internet', via: [webServer] },
        '🌐 *Reachable from the internet* via `eni-0a1b2c3d4e5f60001` (i-0abc1234def567890) public IP 203.0.113.10',
      ],
      [
        'several public interfaces',
        {
          kind: 'internet',
          via: [webServer, ipv6Only],
        },
        '🌐 *Reachable from the internet* via 2 interfaces:\\n• `eni-0a1b2c3d4e5f60001` (i-0abc1234def567890) public IP 203.0.113.10\\n• `eni-2` (i-0abc1234def567890) IPv6 2001:db8::1 and 1 more',
      ],
      [
        'private interfaces',
        { kind: 'private', attachments: 3 },
        '🔒 Attached to 3 interfaces, none reachable from the internet',
      ],
      [
        'one private interface',
        { kind: 'private', attachments: 1 },
        '🔒 Attached to 1 interface, none reachable from the internet',
      ],
      ['no interface', { kind: 'unattached' }, '💤 Not attached to any network interface'],
      [
        'an unknown reach',
        { kind: 'unknown', reason: 'DescribeNetworkInterfaces was denied' },
        '❔ Reachability unknown: DescribeNetworkInterfaces was denied',
      ],
    ])('describes %s', (_, reach, line) => {
      const json = JSON.stringify(findingMessage(sshOpenView({ reach })).blocks);

      expect(json).toContain(line);
    });

    it.each([
      ['optional', 'IMDSv1 allowed'],
      ['required', 'IMDSv2 required'],
      ['unknown', 'Instance metadata settings unknown'],
    ] as const)('shows IMDS HttpTokens %s', (httpTokens, words) => {
      const json = JSON.stringify(findingMessage({ ...imdsView(), imds: { httpTokens } }).blocks);

      expect(json).toContain(words);
    });

    it('leaves the IMDS line out of findings that are not about IMDS', () => {
      expect(JSON.stringify(findingMessage(sshOpenView()).blocks)).not.toContain('IMDS');
    });

    it.each<[string, MessageState, string]>([
      [
        'resolved in Security Hub',
        { kind: 'resolved', by: 'security-hub', at: LATER },
        '✅ *Resolved* in Security Hub',
      ],
      [
        'resolved by a user',
        { kind: 'resolved', by: 'U0123ABCD', at: LATER },
        '✅ *Resolved* by <@U0123ABCD>',
      ],
      [
        'suppressed',
        { kind: 'suppressed', by: 'U0123ABCD', at: LATER, reason: 'bastion' },
        '🔕 *Suppressed* by <@U0123ABCD>',
      ],
      [
        'risk-accepted for this resource',
        {
          kind: 'accepted',
          by: 'U0123ABCD',
          at: LATER,
          until: '2026-12-31',
          reason: 'migration in Q1',
          scope: 'resource',
        },
        '🤝 *Risk accepted* by <@U0123ABCD> until 2026-12-31 (this resource) · “migration in Q1”',
      ],
      [
        'risk-accepted for the control in the account',
        {
          kind: 'accepted',
          by: 'U0123ABCD',
          at: LATER,
          until: '2026-12-31',
          reason: 'lab account',
          scope: 'control-in-account',
        },
        '🤝 *Risk accepted* by <@U0123ABCD> until 2026-12-31 (EC2.13 in 111122223333) · “lab account”',
      ],
      [
        'closed as archived',
        { kind: 'closed', why: 'archived', at: LATER },
        '🗄️ *Closed*: archived in Security Hub',
      ],
      [
        'closed as passed',
        { kind: 'closed', why: 'passed', at: LATER },
        '✅ *Closed*: the control passes now',
      ],
      [
        'reopened',
        { kind: 'reopened', previously: 'resolved on Monday' },
        '↩️ *Reopened*: the control fails again after we resolved it. Before: resolved on Monday',
      ],
    ])('states in the context line that it is %s', (_, state, words) => {
      const { blocks } = findingMessage(sshOpenView({ state }));
      const context = blocks.at(-1);

      expect(context?.type).toBe('context');
      expect(JSON.stringify(context)).toContain(words);
    });

    it('writes a fallback text a notification can show on its own', () => {
      expect(findingMessage(sshOpenView({ urgency: 'high' })).text).toBe(
        'HIGH EC2.13 on sg-0abc1234def567890 in 111122223333/ap-northeast-1: ' +
          'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
      );
      expect(findingMessage(sshOpenView()).text.startsWith('Act now: HIGH EC2.13')).toBe(true);
      expect(
        findingMessage(
          sshOpenView({ state: { kind: 'resolved', by: 'security-hub', at: LATER } }),
        ).text.startsWith('Resolved: HIGH EC2.13'),
      ).toBe(true);
    });

    it('names the control scope without a control id when the finding has none', () => {
      const view = sshOpenView({
        state: {
          kind: 'accepted',
          by: 'U0123ABCD',
          at: LATER,
          until: '2026-12-31',
          reason: 'lab account',
          scope: 'control-in-account',
        },
      });
      const { controlId: _, ...withoutControl } = view.finding;

      const json = JSON.stringify(findingMessage({ ...view, finding: withoutControl }).blocks.at(-1));

      expect(json).toContain('until 2026-12-31 (this control in 111122223333)');
    });

    it('says a risk is accepted in the fallback text', () => {
      const message = findingMessage(
        sshOpenView({
          state: {
            kind: 'accepted',
            by: 'U0123ABCD',
            at: LATER,
            until: '2026-12-31',
            reason: 'lab account',
            scope: 'resource',
          },
        }),
      );

      expect(message.text.startsWith('Risk accepted: HIGH EC2.13')).toBe(true);
      expect(message.text).not.toContain('Act now');
    });

    it('drops the urgency once nothing is left to do', () => {
      const json = JSON.stringify(
        findingMessage(sshOpenView({ state: { kind: 'closed', why: 'passed', at: LATER } })),
      );

      expect(json).not.toContain('Act now');
    });
  });

  describe('buttons', () => {
    it.each<[string, MessageState]>([
      ['open', { kind: 'open' }],
      ['reopened', { kind: 'reopened', previously: 'resolved before' }],
    ])('offers Remediate, Suppress and Accept risk when %s', (_, state) => {
      const { blocks } = findingMessage(sshOpenView({ state }));
      const shown = buttons(blocks);

      expect(actionsBlock(blocks)?.block_id).toBe(FINDING_ACTIONS_BLOCK);
      expect(shown.map((button) => button.action_id)).toEqual([
        REMEDIATE_ACTION,
        SUPPRESS_ACTION,
        ACCEPT_RISK_ACTION,
      ]);
      expect(shown.map((button) => button.text.text)).toEqual(['Remediate…', 'Suppress…', 'Accept risk…']);
      expect(shown[0]?.style).toBe('primary');
      // The click opens the plan for confirmation; no second Slack-level dialog.
      expect(shown[0]?.confirm).toBeUndefined();
    });

    it('shows what the bot changed on a finding it resolved', () => {
      const { blocks } = findingMessage(
        sshOpenView({
          state: {
            kind: 'resolved',
            by: 'U0ALICE01',
            at: LATER,
            details: ['Revoke tcp/22 from 0.0.0.0/0 on sg-0abc', 'SSM execution 8f1c-… in 9 s'],
          },
        }),
      );

      const text = JSON.stringify(blocks);
      expect(text).toContain('Resolved* by <@U0ALICE01>');
      expect(text).toContain('Revoke tcp/22 from 0.0.0.0/0 on sg-0abc');
      expect(text).toContain('SSM execution 8f1c-… in 9 s');
      expect(buttons(blocks)).toEqual([]);
    });

    it('carries only the finding key in every button', () => {
      const view = sshOpenView();

      const values = buttons(findingMessage(view).blocks).map((button) =>
        parseFindingButtonValue(button.value),
      );

      // The stored key (product ARN, account, id), never the ASFF id another product may reuse.
      const key = findingKeyOf(view.finding);
      expect(values).toEqual([key, key, key]);
    });

    it.each<[string, MessageState]>([
      ['resolved', { kind: 'resolved', by: 'security-hub', at: LATER }],
      ['closed', { kind: 'closed', why: 'archived', at: LATER }],
    ])('has no buttons when %s', (_, state) => {
      expect(actionsBlock(findingMessage(sshOpenView({ state })).blocks)).toBeUndefined();
    });

    it('offers only Reopen when suppressed', () => {
      const view = sshOpenView({ state: { kind: 'suppressed', at: LATER } });

      const shown = buttons(findingMessage(view).blocks);

      expect(shown.map((button) => button.action_id)).toEqual([REOPEN_ACTION]);
      expect(parseFindingButtonValue(shown[0]?.value)).toBe(findingKeyOf(view.finding));
    });

    it.each(['resource', 'control-in-account'] as const)(
      'offers only Revoke acceptance when risk-accepted for scope %s',
      (scope) => {
        const view = sshOpenView({
          state: {
            kind: 'accepted',
            by: 'U0123ABCD',
            at: LATER,
            until: '2026-12-31',
            reason: 'lab account',
            scope,
          },
        });

        const { blocks } = findingMessage(view);
        const shown = buttons(blocks);

        expect(actionsBlock(blocks)?.block_id).toBe(FINDING_ACTIONS_BLOCK);
        expect(shown.map((button) => [button.action_id, button.text.text])).toEqual([
          [REVOKE_ACCEPTANCE_ACTION, 'Revoke acceptance'],
        ]);
        expect(parseFindingButtonValue(shown[0]?.value)).toBe(findingKeyOf(view.finding));
      },
    );

    it('leaves Remediate out for a control without a runbook', () => {
      const shown = buttons(findingMessage(unsupportedView()).blocks);

      expect(shown.map((button) => button.action_id)).toEqual([SUPPRESS_ACTION, ACCEPT_RISK_ACTION]);
    });
  });

  describe('escaping', () => {
    /** Every string the finding, AWS or a user controls, each trying to ping the channel or plant a link. */
    function hostileView(state: MessageState): FindingMessageView {
      const base = makeFinding();
      const finding: Finding = {
        ...base,
        controlId: 'EC2.13<!here>',
        title: '<!channel> please *click* `here`\n> Resolved by <@U0BOSS>',
        accountId: '<!everyone>',
        resource: {
          ...base.resource,
          shortId: 'sg-`<!channel>`',
          name: '<@U0123ABCD> <https://evil.example|View in Security Hub>',
          tags: { '<!here>': '<https://evil.example|click>', owner: 'a&b' },
        },
      };
      return {
        ...sshOpenView({ state }),
        finding,
        controlSummary: '<!subteam^S0123>',
        openRules: [exposed(makeRule({ description: '<!channel> & friends' }))],
        reach: {
          kind: 'internet',
          via: [{ ...webServer, attachedTo: '<!channel>', publicIp: '<https://evil.example>' }],
        },
      };
    }

    it.each(STATES)('lets Slack parse only our own tokens when %s', (_, state) => {
      // Prepare: the reopened history line and the suppression reason are foreign text too.
      const hostileState: MessageState =
        state.kind === 'reopened'
          ? { ...state, previously: '<!channel> was here' }
          : state.kind === 'suppressed' || state.kind === 'accepted'
            ? { ...state, reason: '<https://evil.example|click> <!channel>' }
            : state;

      // Act
      const message = findingMessage(hostileView(hostileState));

      // Assess: dates, the console link and a real user mention are the only tokens.
      for (const token of slackTokens(message)) {
        expect(token).toMatch(
          /^<(!date\^\d+\^\{date_short_pretty\} \{time\}\|[^|]+|https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/[^|]+\|View in Security Hub|@U0123ABCD)>$/,
        );
      }
    });

    it('shows an injected `<!channel>` title as text, never as a mention', () => {
      const message = findingMessage(hostileView({ kind: 'open' }));
      const json = JSON.stringify(message);

      expect(json).not.toContain('<!channel>');
      expect(json).toContain('&lt;!channel&gt; please');
      expect(message.text).toContain('&lt;!channel&gt;');
    });

    it('keeps a foreign `*` and newline from breaking out of their line', () => {
      const { blocks } = findingMessage(hostileView({ kind: 'open' }));

      expect(JSON.stringify(blocks[0])).toContain('please *click* `here` &gt; Resolved by &lt;@U0BOSS&gt;');
      expect(JSON.stringify(blocks)).toContain('`sg-ˋ&lt;!channel&gt;ˋ`');
    });

    it('keeps an accepted reason, date and account on their line and unparsed', () => {
      const base = sshOpenView({
        state: {
          kind: 'accepted',
          by: '<!here>',
          at: LATER,
          until: '<!date^0^{date}|x>',
          reason: '<!channel> ok”\n🤝 *Risk accepted* by <@U0BOSS>',
          scope: 'control-in-account',
        },
      });
      const view = { ...base, finding: { ...base.finding, accountId: '<!everyone>' } };

      const context = JSON.stringify(findingMessage(view).blocks.at(-1));

      expect(context).toContain(
        '🤝 *Risk accepted* by &lt;!here&gt; until &lt;!date^0^{date}|x&gt; (EC2.13 in &lt;!everyone&gt;) · ' +
          '“&lt;!channel&gt; ok” 🤝 *Risk accepted* by &lt;@U0BOSS&gt;”',
      );
      expect(context).not.toMatch(/<[!@]/);
    });

    it('renders a `by` that is not a Slack user id as text', () => {
      const json = JSON.stringify(
        findingMessage(sshOpenView({ state: { kind: 'resolved', by: '<!channel>', at: LATER } })),
      );

      expect(json).toContain('✅ *Resolved* by &lt;!channel&gt;');
    });

    it('marks every mrkdwn text verbatim so Slack does not auto-link foreign words', () => {
      const mrkdwnObjects = textObjects(findingMessage(imdsView()).blocks).filter(
        (object) => object.type === 'mrkdwn',
      );

      expect(mrkdwnObjects.length).toBeGreaterThan(0);
      for (const object of mrkdwnObjects) expect(object).toHaveProperty('verbatim', true);
    });
  });

  describe('limits', () => {
    /** Everything as large as a finding could make it. */
    function oversizedView(state: MessageState): FindingMessageView {
      const base = makeFinding();
      const rules = Array.from({ length: 200 }, (_, index) =>
        exposed(
          makeRule({
            ruleId: `sgr-${String(index).padStart(17, '0')}`,
            fromPort: index,
            toPort: index + 1000,
            description: 'd'.repeat(255),
          }),
        ),
      );
      return {
        finding: {
          ...base,
          title: 'T'.repeat(5000),
          controlId: 'C'.repeat(300),
          resource: {
            ...base.resource,
            shortId: 's'.repeat(1000),
            name: '<'.repeat(5000),
            type: 't'.repeat(1000),
            tags: Object.fromEntries(
              Array.from({ length: 50 }, (_, index) => [`k${index}`.repeat(40), 'v'.repeat(256)]),
            ),
          },
        },
        controlSummary: 'S'.repeat(5000),
        openRules: rules,
        reach: {
          kind: 'internet',
          via: Array.from({ length: 100 }, (_, index) => ({
            ...webServer,
            networkInterfaceId: `eni-${index}`,
            attachedTo: 'a'.repeat(1000),
            ipv6Addresses: ['2001:db8::1', '2001:db8::2'],
          })),
        },
        imds: { httpTokens: 'optional' },
        urgency: 'act-now',
        state,
      };
    }

    it.each<[string, MessageState]>([
      ...STATES,
      ['reopened with a huge history', { kind: 'reopened', previously: 'p'.repeat(5000) }],
      [
        'suppressed with a huge reason',
        { kind: 'suppressed', by: 'x'.repeat(5000), at: LATER, reason: '&'.repeat(5000) },
      ],
      [
        'risk-accepted with a huge reason',
        {
          kind: 'accepted',
          by: 'x'.repeat(5000),
          at: LATER,
          until: '<'.repeat(5000),
          reason: '&'.repeat(5000),
          scope: 'control-in-account',
        },
      ],
    ])('stays within Slack limits with 200 rules and a 5000-character title when %s', (_, state) => {
      const message = findingMessage(oversizedView(state));

      expect(checkMessageLimits(message)).toEqual([]);
      expect(message.text.length).toBeLessThanOrEqual(MESSAGE_TEXT_LIMIT);
    });

    it('shows at most ten rules so the message stays glanceable', () => {
      const rules = Array.from({ length: 15 }, (_, index) =>
        exposed(makeRule({ ruleId: `sgr-${index}`, fromPort: index, toPort: index })),
      );

      const json = JSON.stringify(findingMessage(sshOpenView({ openRules: rules })).blocks);

      expect(json.match(/• tcp\//g)).toHaveLength(10);
      expect(json).toContain('• tcp/9 from 0.0.0.0/0');
      expect(json).not.toContain('• tcp/10 from');
      expect(json).toContain('…and 5 more');
    });

    it('shows the first rules and counts the rest', () => {
      const json = JSON.stringify(findingMessage(oversizedView({ kind: 'open' })).blocks);
      const shownRules = json.match(/• tcp\//g) ?? [];

      expect(json).toContain('*Open rules* (200)');
      expect(json).toContain(`…and ${200 - shownRules.length} more`);
      expect(shownRules.length).toBeGreaterThan(0);
    });
  });
});

describe('findingMessage for S3.5', () => {
  it('names the bucket and says its policy lets plain HTTP in, never its Block Public Access', () => {
    const view = unsupportedView();
    const finding: Finding = {
      ...view.finding,
      controlId: 'S3.5',
      generatorId: 'security-control/S3.5',
      title: 'S3 general purpose buckets should require requests to use SSL',
      details: { kind: 'bucket', bucketName: 'logs-111122223333' },
    };

    const text = JSON.stringify(findingMessage({ ...view, finding, canRemediate: true }).blocks);

    expect(text).toContain('Bucket `logs-111122223333`: its policy does not deny requests over plain HTTP');
    expect(text).not.toContain('Block Public Access');
  });
});

describe('findingMessage with Security Hub’s exposure analysis', () => {
  const exposure = {
    exposureId: 'arn:aws:securityhub:ap-northeast-1:111122223333:exposure/7f3a9c1e',
    open: true,
    reachable: true,
    ports: ['tcp/22', 'tcp/3389'],
    traits: ['Reachability', 'Vulnerability'],
    resourceShortId: 'i-0abc1234def567890',
    sameResource: true,
    updatedAt: T0,
  };
  const textOf = (view: FindingMessageView) => JSON.stringify(findingMessage(view).blocks);

  it('says where Security Hub finds the resource reachable, beside the bot’s own line', () => {
    const text = textOf({ ...imdsView(), securityHubExposure: { exposure } });
    expect(text).toContain(
      'Reachable from the internet on tcp/22, tcp/3389 per Security Hub exposure analysis',
    );
    expect(text).not.toContain('exposure analysis of');
    expect(text).not.toContain('disagree');
  });

  it('names the exposed instance when it is not the finding’s own resource', () => {
    const view = sshOpenView({ securityHubExposure: { exposure: { ...exposure, sameResource: false } } });
    expect(textOf(view)).toContain('per Security Hub exposure analysis of `i-0abc1234def567890`');
  });

  it('an exposure without a network path, and one Security Hub resolved, say so', () => {
    const noPath = { ...exposure, reachable: false, ports: [], traits: ['Vulnerability'] };
    expect(textOf({ ...imdsView(), securityHubExposure: { exposure: noPath } })).toContain(
      'Security Hub exposure analysis finds `i-0abc1234def567890` exposed (Vulnerability) but names no open path from the internet',
    );
    const resolved = { ...exposure, open: false, reachable: false };
    expect(textOf({ ...imdsView(), securityHubExposure: { exposure: resolved } })).toContain(
      'Security Hub exposure analysis no longer reports `i-0abc1234def567890` as exposed',
    );
  });

  it('says which way the two checks disagree', () => {
    const blocked = sshOpenView({
      securityHubExposure: { exposure, disagreesWith: { kind: 'not-reachable', why: 'network-acl' } },
    });
    expect(textOf(blocked)).toContain(
      "The two checks disagree*: the bot's own check finds no path from the internet today (blocked by a network ACL)",
    );
    const noPath = { ...exposure, reachable: false, ports: [] };
    const open = sshOpenView({
      securityHubExposure: { exposure: noPath, disagreesWith: { kind: 'reachable', ports: ['tcp/22'] } },
    });
    expect(textOf(open)).toContain(
      "the bot's own check finds it reachable from the internet on tcp/22 now; Security Hub's exposure analysis names no such path",
    );
  });

  it('Slack mrkdwn in the ports and traits is shown, not followed', () => {
    const hostile = { ...exposure, ports: ['<!channel> tcp/22'], traits: ['*bold*'] };
    const text = textOf({ ...imdsView(), securityHubExposure: { exposure: hostile } });
    expect(text).not.toContain('<!channel>');
  });
});
