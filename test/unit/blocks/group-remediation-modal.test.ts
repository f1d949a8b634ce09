import type { SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { groupProgressMessage, groupSummaryMessage } from '../../../blocks/finding-notice.js';
import {
  groupRemediationConfirmModal,
  parseGroupRemediationMetadata,
} from '../../../blocks/group-remediation-modal.js';
import type { ConfirmedMember, GroupRunProgress } from '../../../src/domain/group-remediation.js';

const DIGEST = 'c'.repeat(64);

function member(
  index: number,
  change = 'revoke tcp/22 from 0.0.0.0/0',
  name = `web-${index}`,
): ConfirmedMember {
  return {
    findingId: `finding-${index}`,
    planDigest: DIGEST,
    resource: `sg-0abc${String(index).padStart(13, '0')} (${name}) in 111122223333/eu-west-1`,
    change,
  };
}

const sectionTexts = (blocks: readonly { type: string }[]) =>
  blocks.flatMap((block) => (block.type === 'section' ? [(block as SectionBlock).text?.text ?? ''] : []));

describe('group remediation confirmation', () => {
  it('stays within 100 blocks and 3,000 characters a section with 500 long-named members, and summarises the rest by change', () => {
    const members = Array.from({ length: 500 }, (_, index) =>
      member(
        index,
        index % 3 === 0 ? 'revoke tcp/3389 from ::/0' : 'revoke tcp/22 from 0.0.0.0/0',
        'n'.repeat(250),
      ),
    );
    const view = groupRemediationConfirmModal({
      controlId: 'EC2.53',
      listDigest: DIGEST,
      members,
      leftOut: [],
      executor: 'direct',
    });

    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const texts = sectionTexts(view.blocks);
    expect(texts.every((text) => text.length <= 3000)).toBe(true);
    const all = texts.join('\n');
    expect(all).toContain('500 resources reachable from the internet');
    expect(all).toContain(`${members[99]!.resource.slice(0, 40)}`);
    expect(all).not.toContain(members[100]!.resource);
    // 400 not listed: 267 × tcp/22 and 133 × tcp/3389.
    expect(all).toContain(
      '…and 400 more: 267 × revoke tcp/22 from 0.0.0.0/0; 133 × revoke tcp/3389 from ::/0',
    );
    expect(parseGroupRemediationMetadata(view.private_metadata)).toEqual({ listDigest: DIGEST, count: 500 });
  });

  it('says why members were left out, counted by reason', () => {
    const view = groupRemediationConfirmModal({
      controlId: 'EC2.13',
      listDigest: DIGEST,
      members: [member(1)],
      leftOut: [
        { resource: 'sg-1', reason: 'resolved or suppressed' },
        { resource: 'sg-2', reason: 'resolved or suppressed' },
        { resource: 'sg-3', reason: 'being acted on by <@U0BOB0001>' },
      ],
      executor: 'ssm',
    });
    const all = sectionTexts(view.blocks).join('\n');
    expect(all).toContain('*Left out (3)*');
    expect(all).toContain('• 2 × resolved or suppressed');
  });
});

describe('group remediation progress and summary', () => {
  const progress = (overrides: Partial<GroupRunProgress> = {}): GroupRunProgress => ({
    total: 200,
    done: 115,
    failed: [],
    skipped: [],
    leftOut: 0,
    finished: false,
    ...overrides,
  });

  it('counts done, failed and skipped out of the list confirmed', () => {
    const failed = [
      { resource: 'sg-a', reason: 'AWS refused' },
      { resource: 'sg-b', reason: 'AWS refused' },
    ];
    const skipped = [1, 2, 3].map((index) => ({
      resource: `sg-${index}`,
      reason: 'changed since you confirmed',
    }));
    expect(groupProgressMessage(progress({ failed, skipped })).text).toContain(
      '120 of 200 done*, 2 failed, 3 skipped',
    );
  });

  it('lists failures with their reasons, bounded, and keeps people as mentions while escaping anything else', () => {
    const failed = Array.from({ length: 300 }, (_, index) => ({
      resource: `sg-${index}`,
      reason: `UnauthorizedOperation <b>${'x'.repeat(500)}`,
    }));
    const message = groupSummaryMessage(
      progress({
        done: 0,
        failed,
        skipped: [{ resource: 'sg-z', reason: 'being acted on by <@U0BOB0001>' }],
        finished: true,
        leftOut: 4,
      }),
    );
    const texts = sectionTexts(message.blocks);
    expect(texts.every((text) => text.length <= 3000)).toBe(true);
    expect(texts[0]).toContain(
      '0 of 200 fixed and verified*, 300 failed, 1 skipped (4 left out before you confirmed)',
    );
    expect(texts.join('\n')).toContain('…and 280 more');
    expect(texts.join('\n')).toContain('&lt;b&gt;');
    expect(texts.join('\n')).toContain('being acted on by <@U0BOB0001>');
  });
});
