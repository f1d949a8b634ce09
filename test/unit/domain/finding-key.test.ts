import { describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { makeFinding } from '../../fixtures/finding.js';

describe('findingKeyOf', () => {
  it('is the same for every copy of one finding, whatever else changed', () => {
    const first = makeFinding();
    const later = makeFinding({
      workflowStatus: 'RESOLVED',
      title: 'Renamed',
      updatedAt: '2026-11-30T00:00:00.000Z',
    });

    expect(findingKeyOf(later)).toBe(findingKeyOf(first));
  });

  it('tells apart the same id from another product and from another account', () => {
    const managed = makeFinding();
    const keys = new Set([
      findingKeyOf(managed),
      findingKeyOf({
        ...managed,
        productArn: 'arn:aws:securityhub:ap-northeast-1:999988887777:product/999988887777/default',
      }),
      findingKeyOf({ ...managed, accountId: '444455556666' }),
    ]);

    expect(keys.size).toBe(3);
  });

  it('does not let a field boundary move between fields', () => {
    expect(findingKeyOf({ productArn: 'arn:a', accountId: '111122223333', id: 'bc' })).not.toBe(
      findingKeyOf({ productArn: 'arn:ab', accountId: '111122223333', id: 'c' }),
    );
  });

  it('is short and safe in a DynamoDB key and a Slack button value, even for a 512-character id', () => {
    const key = findingKeyOf({ ...makeFinding(), id: `${'x'.repeat(500)}\u{1F512}` });

    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
