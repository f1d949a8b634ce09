import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';

/**
 * Exactly the item operations src/store sends (dynamodb-toolbox and lib-dynamodb commands): no Scan (every read is a
 * key or index query), no transactions, no table-level calls. DeleteItem is for the bot's own bookkeeping items
 * (counter batches, digest claims, released quarantine entries); the decisions audit is only ever put, conditionally.
 */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/** Grants `TABLE_ITEM_ACTIONS` on the table, and Query on its global secondary indexes. */
export function allowTableItems(role: Role, table: Table): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...TABLE_ITEM_ACTIONS], resources: [table.tableArn] }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/*`] }),
  );
}
