import { describe, expect, it } from 'vitest';
import {
  CONFIRM_GROUP_ACTION,
  CONFIRM_GROUP_BLOCK,
  parseRemediationModalMetadata,
  remediationConfirmModal,
  remediationModalMetadata,
} from '../../../blocks/remediation-modal.js';

const DIGEST = 'a'.repeat(64);
const base = {
  findingId: 'k0FINDINGKEY',
  planDigest: DIGEST,
  title: 'EC2.2 VPC default security groups should not allow inbound or outbound traffic',
  words: 'Remove every rule of the default security group sg-0abc1234def567890 (default)',
  notes: [],
  executor: 'direct' as const,
};

describe('remediationConfirmModal', () => {
  it('asks for the group id, typed, when the plan needs an explicit confirmation, and carries it in the metadata', () => {
    const view = remediationConfirmModal({
      ...base,
      confirmation: { groupId: 'sg-0abc1234def567890', words: '1 network interface(s) use it' },
    });

    expect(view.blocks).toContainEqual(
      expect.objectContaining({
        type: 'input',
        block_id: CONFIRM_GROUP_BLOCK,
        label: expect.objectContaining({ text: 'Type sg-0abc1234def567890 to remove its rules anyway' }),
        element: expect.objectContaining({ type: 'plain_text_input', action_id: CONFIRM_GROUP_ACTION }),
      }),
    );
    expect(parseRemediationModalMetadata(view.private_metadata)).toEqual({
      findingId: base.findingId,
      planDigest: DIGEST,
      confirmGroupId: 'sg-0abc1234def567890',
    });
  });

  it('has no input when the plan needs none', () => {
    const view = remediationConfirmModal(base);

    expect(view.blocks.filter((block) => block.type === 'input')).toEqual([]);
    expect(parseRemediationModalMetadata(view.private_metadata)).toEqual({
      findingId: base.findingId,
      planDigest: DIGEST,
    });
  });

  it('asks for the bucket name with the plan’s own label and hint (S3.8), and carries it in the metadata', () => {
    const view = remediationConfirmModal({
      ...base,
      confirmation: {
        groupId: 'cspm-demo-public-assets',
        words: 'Public access to cspm-demo-public-assets that works today stops',
        label: 'Type cspm-demo-public-assets to block its public access anyway',
        hint: 'Whoever reads or writes it without credentials is refused.',
      },
    });

    expect(view.blocks).toContainEqual(
      expect.objectContaining({
        block_id: CONFIRM_GROUP_BLOCK,
        label: expect.objectContaining({
          text: 'Type cspm-demo-public-assets to block its public access anyway',
        }),
        hint: expect.objectContaining({ text: 'Whoever reads or writes it without credentials is refused.' }),
      }),
    );
    expect(parseRemediationModalMetadata(view.private_metadata)).toMatchObject({
      confirmGroupId: 'cspm-demo-public-assets',
    });
  });

  it('lets a 63-character bucket name be typed in full', () => {
    const name = `b${'x'.repeat(61)}z`;
    const view = remediationConfirmModal({ ...base, confirmation: { groupId: name, words: 'w' } });

    expect(view.blocks).toContainEqual(
      expect.objectContaining({ element: expect.objectContaining({ max_length: 63 }) }),
    );
  });

  it.each(['111122223333', 'cspm-demo-public-assets', 'sg-0abc1234def567890'])(
    'reads back metadata confirming %s',
    (id) => {
      expect(
        parseRemediationModalMetadata(
          remediationModalMetadata({ findingId: 'k0', planDigest: DIGEST, confirmGroupId: id }),
        ),
      ).toMatchObject({ confirmGroupId: id });
    },
  );

  it('rejects metadata whose id to confirm is not a security group, bucket or account id', () => {
    expect(
      parseRemediationModalMetadata(JSON.stringify({ k: 'k0', d: DIGEST, c: 'Default Group' })),
    ).toBeUndefined();
    expect(
      parseRemediationModalMetadata(
        remediationModalMetadata({
          findingId: 'k0',
          planDigest: DIGEST,
          confirmGroupId: 'sg-0abc1234def567890',
        }),
      ),
    ).toMatchObject({ confirmGroupId: 'sg-0abc1234def567890' });
  });
});
