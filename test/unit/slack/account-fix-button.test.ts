import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  ACCEPT_RISK_ACTION,
  ACCOUNT_FIX_ACTION,
  REMEDIATE_ACTION,
  SUPPRESS_ACTION,
} from '../../../blocks/action-ids.js';
import { findingMessage } from '../../../blocks/finding-message.js';
import { parseRemediationModalMetadata, remediationConfirmModal } from '../../../blocks/remediation-modal.js';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import type { Finding, WorkflowStatus } from '../../../src/domain/finding.js';
import { triage } from '../../../src/domain/triage.js';
import { findingViewOf } from '../../../src/slack/finding-view.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { T0 } from '../../fixtures/finding.js';

// The account-wide IMDSv2 fix is offered as a secondary button on EC2.8 and EC2.170 messages only.

function fixture(name: string, workflowStatus: WorkflowStatus = 'NEW'): Finding {
  const result = normalizeAsffFinding(loadAsffFixture(name));
  if (!result.ok) throw new Error(result.reason);
  return { ...result.finding, workflowStatus };
}

function buttonsOf(finding: Finding): Button[] {
  const record: FindingRecord = {
    findingId: 'finding-key-1',
    finding,
    triage: triage(finding),
    channel: 'C0123SECURITY',
    delivery: 'pending',
    version: 1,
    firstIngestedAt: T0,
    lastIngestedAt: T0,
  };
  const blocks: readonly KnownBlock[] = findingMessage(findingViewOf(record)).blocks;
  const actions = blocks.find((block): block is ActionsBlock => block.type === 'actions');
  return (actions?.elements ?? []).filter((element): element is Button => element.type === 'button');
}

describe('the account-wide fix button', () => {
  it.each(['ec2.8-imdsv1-instance', 'ec2.170-launch-template-imdsv1'])(
    'follows Remediate, Suppress and Accept risk on an open %s finding, not styled as the primary action',
    (name) => {
      const buttons = buttonsOf(fixture(name));

      expect(buttons.map((button) => button.action_id)).toEqual([
        REMEDIATE_ACTION,
        SUPPRESS_ACTION,
        ACCEPT_RISK_ACTION,
        ACCOUNT_FIX_ACTION,
      ]);
      expect(buttons.at(-1)).toMatchObject({
        text: { type: 'plain_text', text: 'Require IMDSv2 for new instances (account-wide)…' },
      });
      expect(buttons.at(-1)).not.toHaveProperty('style');
    },
  );

  it.each(['ec2.13-ssh-ipv4', 'ec2.21-nacl-allow-all', 'autoscaling.3-launch-config'])(
    'is not offered on %s, whose control has no account-wide fix',
    (name) => {
      expect(buttonsOf(fixture(name)).map((button) => button.action_id)).not.toContain(ACCOUNT_FIX_ACTION);
    },
  );

  it('is gone once the finding is resolved', () => {
    expect(buttonsOf(fixture('ec2.8-imdsv1-instance', 'RESOLVED'))).toEqual([]);
  });
});

describe('the confirmation modal of the account-wide fix', () => {
  const view = remediationConfirmModal({
    findingId: 'k0FINDINGKEY',
    planDigest: 'b'.repeat(64),
    title: 'EC2.8 EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    words: 'Set the account default in 111122223333/us-east-1 to require IMDSv2',
    notes: ['What stops working: software on instances launched from now on that still uses IMDSv1 gets 401'],
    executor: 'ssm',
    accountFix: true,
  });

  it('carries that it is the account fix, so the confirmation runs the same plan', () => {
    expect(parseRemediationModalMetadata(view.private_metadata)).toEqual({
      findingId: 'k0FINDINGKEY',
      planDigest: 'b'.repeat(64),
      accountFix: true,
    });
  });

  it('names the change on its button and says the finding is not resolved by it', () => {
    expect(view.title).toMatchObject({ text: 'Account-wide IMDSv2' });
    expect(view.submit).toMatchObject({ text: 'Change account default' });
    expect(JSON.stringify(view.blocks)).toContain('This finding is not resolved by it');
    expect(JSON.stringify(view.blocks)).toContain('What stops working');
  });

  it('refuses metadata that claims anything else', () => {
    const tampered = JSON.stringify({ k: 'k0FINDINGKEY', d: 'b'.repeat(64), a: true });

    expect(parseRemediationModalMetadata(tampered)).toBeUndefined();
  });
});
