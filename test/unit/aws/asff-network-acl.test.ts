import { describe, expect, it } from 'vitest';
import { findingMessage } from '../../../blocks/finding-message.js';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import type { Finding } from '../../../src/domain/finding.js';
import { isStillExposed, triage } from '../../../src/domain/triage.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { sectionText } from '../../support/block-text.js';

const ACL_ID = 'acl-0b2c3d4e5f6a7b003';

function sampleFinding(): Finding {
  const item = normalizeAsffFinding(loadAsffFixture('ec2.21-nacl-allow-all'));
  if (!item.ok) throw new Error(`sample did not normalize: ${item.reason}`);
  return item.finding;
}

describe('an EC2.21 finding on a network ACL', () => {
  it('normalizes the ACL, its subnets and its entries from the finding’s AwsEc2NetworkAcl details', () => {
    const finding = sampleFinding();

    expect(finding.controlId).toBe('EC2.21');
    expect(finding.resource).toMatchObject({
      type: 'AwsEc2NetworkAcl',
      shortId: ACL_ID,
      name: 'bastion-nacl',
    });
    expect(finding.details).toMatchObject({
      kind: 'network-acl',
      networkAclId: ACL_ID,
      vpcId: 'vpc-0a1b2c3d4e5f67890',
      isDefault: false,
      subnetIds: ['subnet-0c3d4e5f6a7b80003'],
    });
    if (finding.details.kind !== 'network-acl') return;
    expect(finding.details.entries).toHaveLength(9);
    expect(finding.details.entries?.[0]).toEqual({
      ruleNumber: 90,
      action: 'allow',
      egress: false,
      protocol: '6',
      source: { family: 'ipv4', cidr: '203.0.113.0/24' },
      portRange: { from: 22, to: 22 },
    });
  });

  it('is triaged by its MEDIUM severity and stays exposed until the ACL is read again', () => {
    const result = triage(sampleFinding());

    expect(result).toMatchObject({
      kind: 'network-acl',
      control: { id: 'EC2.21' },
      urgency: 'normal',
      urgencyBasis: { kind: 'severity', severity: 'MEDIUM' },
    });
    expect(isStillExposed(result)).toBe('exposed');
  });

  it('says in its message which ACL, which subnets, and which entries let SSH and RDP in from the internet', () => {
    const finding = sampleFinding();

    const { blocks } = findingMessage({
      finding,
      controlSummary: 'Network ACL lets SSH (22) or RDP (3389) in from the internet',
      openRules: [],
      urgency: 'normal',
      state: { kind: 'open' },
      canRemediate: true,
    });

    const text = sectionText(blocks, 'Lets in from the internet');
    expect(text).toContain(`Network ACL \`${ACL_ID}\` used by \`subnet-0c3d4e5f6a7b80003\``);
    expect(text).toContain('• tcp/22 from 0.0.0.0/0 through rule 100 (allow all traffic from 0.0.0.0/0)');
    expect(text).toContain('• tcp/3389 from ::/0 through rule 101 (allow all traffic from ::/0)');
    // The office's own SSH entry is narrower than the internet: not listed.
    expect(text).not.toContain('203.0.113.0/24');
  });
});
