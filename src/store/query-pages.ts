type StartKey = Record<string, unknown>;

export interface QueryPage<T> {
  readonly Items?: T[] | undefined;
  readonly LastEvaluatedKey?: StartKey | undefined;
}

/**
 * Follow `LastEvaluatedKey` until the query is exhausted, or until `limit` items that pass `keep` are collected.
 * `page` runs one query from the given start key (the first call gets none).
 */
export async function queryAllPages<T>(
  page: (startKey: { exclusiveStartKey?: StartKey }) => Promise<QueryPage<T>>,
  options: { readonly limit?: number; readonly keep?: (item: T) => boolean } = {},
): Promise<T[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const collected: T[] = [];
  let exclusiveStartKey: StartKey | undefined;
  do {
    const result = await page(exclusiveStartKey ? { exclusiveStartKey } : {});
    for (const item of result.Items ?? []) if (!options.keep || options.keep(item)) collected.push(item);
    exclusiveStartKey = result.LastEvaluatedKey;
  } while (exclusiveStartKey && collected.length < limit);
  return collected.slice(0, limit);
}
