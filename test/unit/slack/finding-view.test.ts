import type { ActionsBlock, HeaderBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION } from '../../../blocks/action-ids.js';
import { findingMessage } from '../../../blocks/finding-message.js';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { NetworkAclFacts, NetworkReach } from '../../../src/domain/reachability.js';
import type { CurrentState } from '../../../src/domain/triage.js';
import { triage } from '../../../src/domain/triage.js';
import { findingViewOf } from '../../../src/slack/finding-view.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { T0, makeFinding, makeRule } from '../../fixtures/finding.js';
import { sectionText } from '../../support/block-text.js';

// What a person reads in the message of a stored finding, from ASFF (or a normalized finding) through triage.

function fixture(name: string): Finding {
  const result = normalizeAsffFinding(loadAsffFixture(name));
  if (!result.ok) throw new Error(result.reason);
  return result.finding;
}

function messageOf(finding: Finding, current?: CurrentState) {
  const record: FindingRecord = {
    findingId: 'finding-key-1',
    finding,
    triage: triage(finding, current),
    channel: 'C0123SECURITY',
    delivery: 'pending',
    version: 1,
    firstIngestedAt: T0,
    lastIngestedAt: T0,
  };
  return findingMessage(findingViewOf(record));
}

function allText(blocks: readonly KnownBlock[]): string {
  return JSON.stringify(blocks);
}

function header(blocks: readonly KnownBlock[]): string {
  const block = blocks.find((candidate): candidate is HeaderBlock => candidate.type === 'header');
  return block?.text.text ?? '';
}

function buttons(blocks: readonly KnownBlock[]): string[] {
  const actions = blocks.find((block): block is ActionsBlock => block.type === 'actions');
  return (actions?.elements ?? []).map((element) =>
    'action_id' in element ? (element.action_id ?? '') : '',
  );
}

const webInterface = {
  networkInterfaceId: 'eni-0a1b2c3d4e5f60001',
  subnetId: 'subnet-0a1b2c3d4e5f60001',
  vpcId: 'vpc-0a1b2c3d4e5f67890',
  publicIp: '203.0.113.10',
  ipv6Addresses: [],
  attachedTo: 'i-0a1b2c3d4e5f60001',
  internetFamilies: ['ipv4'] as const,
};

function publicSubnetWithAcl(entries: NetworkAclFacts['entries']): NetworkReach {
  return {
    kind: 'internet',
    via: [webInterface],
    networkAcls: {
      kind: 'read',
      networkAcls: [
        {
          networkAclId: 'acl-0a1b2c3d4e5f60001',
          vpcId: webInterface.vpcId,
          isDefault: false,
          subnetIds: [webInterface.subnetId],
          entries,
        },
      ],
    },
  };
}

describe('the message of a legacy or partial security group finding', () => {
  it('offers Remediate and lists the rules of a `Details.Other` finding', () => {
    const { blocks } = messageOf(fixture('variants/ec2.13-details-other'));

    expect(buttons(blocks)).toContain(REMEDIATE_ACTION);
    expect(sectionText(blocks, '*Open rules*')).toContain('tcp/22 from 0.0.0.0/0');
    expect(allText(blocks)).not.toContain('not a security group finding');
  });

  it('says the rules are unknown, not that none are open, when the details carry no IpPermissions', () => {
    const { blocks } = messageOf(fixture('variants/ec2.13-details-without-rules'));

    expect(sectionText(blocks, '*Open rules*')).toBe('*Open rules*: unknown until EC2 is read');
    expect(allText(blocks)).not.toContain('none found');
    expect(allText(blocks)).toContain('🔎 *Review*: open rules unknown until EC2 is read');
    expect(buttons(blocks)).toContain(REMEDIATE_ACTION);
  });

  it('still says "none found" when the group is known to have no open rule', () => {
    const { blocks } = messageOf(makeFinding(), { ingressRules: [] });

    expect(sectionText(blocks, '*Open rules*')).toBe('*Open rules*: none found in the group now');
  });
});

describe('EC2.18 with the account’s authorized ports', () => {
  it('lists only the unauthorized port and names the authorized ones', () => {
    const { blocks } = messageOf(fixture('variants/ec2.18-custom-authorized-ports'));
    const rules = sectionText(blocks, '*Open rules*');

    expect(rules).toContain('*Open rules* (1)');
    expect(rules).toContain('tcp/8080');
    expect(rules).not.toContain('8443');
    expect(allText(blocks)).toContain('Ports other than tcp 80, 443, 8443 and udp 500 open to the internet');
  });
});

describe('reach per open rule', () => {
  const deny22 = {
    ruleNumber: 100,
    action: 'deny',
    egress: false,
    protocol: '6',
    source: { family: 'ipv4', cidr: '0.0.0.0/0' },
    portRange: { from: 22, to: 22 },
  } as const;
  const allowAll = {
    ruleNumber: 200,
    action: 'allow',
    egress: false,
    protocol: '-1',
    source: { family: 'ipv4', cidr: '0.0.0.0/0' },
  } as const;

  it.each<[string, NetworkReach, string]>([
    ['an ACL that lets it in', publicSubnetWithAcl([allowAll]), 'reachable from the internet'],
    [
      'an ACL that denies it first',
      publicSubnetWithAcl([deny22, allowAll]),
      'blocked by `acl-0a1b2c3d4e5f60001` rule 100',
    ],
    ['an ACL that lets nothing in', publicSubnetWithAcl([]), 'blocked by `acl-0a1b2c3d4e5f60001` rule *'],
    ['private subnets', { kind: 'private', attachments: 1 }, 'private subnet'],
  ])('says so for %s', (_label, reach, words) => {
    const { blocks } = messageOf(makeFinding(), { ingressRules: [makeRule()], reach });

    expect(sectionText(blocks, '*Open rules*')).toContain(
      `tcp/22 from 0.0.0.0/0 (\`sgr-0a1b2c3d4e5f60001\`) · ${words}`,
    );
  });
});

describe('urgency says what it rests on', () => {
  it('does not act now on a rule a network ACL blocks, nor while the subnet’s ACL is unknown', () => {
    const { blocks, text } = messageOf(makeFinding(), {
      ingressRules: [makeRule()],
      reach: publicSubnetWithAcl([]),
    });
    const reachable = messageOf(makeFinding(), {
      ingressRules: [makeRule()],
      reach: { kind: 'internet', via: [webInterface], networkAcls: { kind: 'read', networkAcls: [] } },
    });

    // Blocked by the ACL: no "Act now".
    expect(allText(blocks)).not.toContain('Act now');
    expect(text).not.toMatch(/^Act now/);
    // No ACL found for the subnet: reach unknown, a review.
    expect(allText(reachable.blocks)).toContain(
      '🔎 *Review*: reachability unknown (no network ACL found for subnet',
    );
  });

  it('shows "Act now: reachable from the internet on tcp/22" when it is', () => {
    const allowAll = {
      ruleNumber: 100,
      action: 'allow',
      egress: false,
      protocol: '-1',
      source: { family: 'ipv4', cidr: '0.0.0.0/0' },
    } as const;
    const { blocks, text } = messageOf(makeFinding(), {
      ingressRules: [makeRule()],
      reach: publicSubnetWithAcl([allowAll]),
    });

    expect(allText(blocks)).toContain('🚨 *Act now*: reachable from the internet on tcp/22');
    expect(text).toMatch(/^Act now: /);
  });

  it('asks for a review of a CRITICAL group while EC2 is not read', () => {
    const { blocks, text } = messageOf(makeFinding({ severity: 'CRITICAL', controlId: 'EC2.19' }));

    expect(allText(blocks)).toContain('🔎 *Review*: reachability unknown (EC2 not read)');
    expect(allText(blocks)).not.toContain('Act now');
    expect(text).not.toMatch(/^Act now/);
  });
});

describe('instance findings', () => {
  it('shows where the instance sits instead of a security group reachability line', () => {
    const { blocks } = messageOf(fixture('ec2.8-imdsv1-instance'));

    expect(allText(blocks)).not.toContain('Reachability unknown');
    expect(allText(blocks)).toContain('🖥️ public IP 198.51.100.24 · subnet `subnet-0a1b2c3d4e5f60001`');
  });

  it('says nothing about reach when the finding does not place the instance', () => {
    const finding = fixture('ec2.8-imdsv1-instance');
    const bare = { ...finding, details: { kind: 'instance' as const, instanceId: 'i-0a1b2c3d4e5f60789' } };

    expect(allText(messageOf(bare).blocks)).not.toMatch(/Reachability|🖥️/);
  });
});

describe('the header', () => {
  it('does not repeat the control id when the title starts with it', () => {
    const finding = makeFinding({
      controlId: 'EC2.8',
      title: 'EC2.8 EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    });

    expect(header(messageOf(finding).blocks)).toBe(
      '🟠 EC2.8 EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    );
  });

  it.each([
    ['a title without the id', 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22'],
    ['a title that starts with a longer id', 'EC2.13 is what this title starts with'],
  ])('puts the control id before %s', (_label, title) => {
    const finding = makeFinding({ controlId: 'EC2.1', title });

    expect(header(messageOf(finding).blocks)).toBe(`🟠 EC2.1 · ${title}`);
  });
});
