import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Table } from 'dynamodb-toolbox';
import { TABLE_INDEXES, TABLE_KEYS } from './table-definition.js';

export function createCspmTable(client: DynamoDBClient, tableName: string) {
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return new Table({
    name: tableName,
    documentClient,
    partitionKey: TABLE_KEYS.partitionKey,
    sortKey: TABLE_KEYS.sortKey,
    indexes: TABLE_INDEXES,
    entityAttributeSavedAs: '_et',
  });
}

export type CspmTable = ReturnType<typeof createCspmTable>;
