import { $set } from 'dynamodb-toolbox';

/**
 * In an update, a plain object is written path by path (merged into what is stored, and refused by DynamoDB when
 * the map does not exist yet). `$set` replaces the whole value; the typings only admit it for typed maps.
 */
export function replaceWhole<T>(value: T): T {
  return $set(value) as unknown as T;
}
