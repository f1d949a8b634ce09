import { describe, expect, it } from 'vitest';
import { queryAllPages } from '../../../src/store/query-pages.js';

/** Three pages of a query, as DynamoDB returns them: each but the last carries a LastEvaluatedKey. */
const pages = [
  { Items: [1, 2, 3], LastEvaluatedKey: { sk: '3' } },
  { Items: [4, 5, 6], LastEvaluatedKey: { sk: '6' } },
  { Items: [7], LastEvaluatedKey: undefined },
];

function fakeQuery() {
  const startKeys: unknown[] = [];
  const page = async (start: { exclusiveStartKey?: Record<string, unknown> }) => {
    startKeys.push(start.exclusiveStartKey);
    const index = start.exclusiveStartKey ? Number(start.exclusiveStartKey['sk']) / 3 : 0;
    return pages[index]!;
  };
  return { page, startKeys };
}

describe('queryAllPages', () => {
  it('follows LastEvaluatedKey to the end', async () => {
    const query = fakeQuery();

    expect(await queryAllPages(query.page)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(query.startKeys).toEqual([undefined, { sk: '3' }, { sk: '6' }]);
  });

  it('stops reading once enough kept items are collected', async () => {
    const query = fakeQuery();

    expect(await queryAllPages(query.page, { limit: 2, keep: (n) => n % 2 === 0 })).toEqual([2, 4]);
    expect(query.startKeys).toHaveLength(2);
  });
});
