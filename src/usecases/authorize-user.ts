import type { Authorization } from '../domain/authorization.js';
import { authorize } from '../domain/authorization.js';
import type { ActorPolicy } from '../domain/authorization.js';
import type { UserDirectory } from './ports.js';

/** Listed users need no Slack call; others are looked up in the configured user groups. */
export async function authorizeUser(
  users: UserDirectory,
  policy: ActorPolicy,
  userId: string,
): Promise<Authorization> {
  if (policy.users.includes(userId)) return { allowed: true };
  const groups = policy.userGroups.length > 0 ? await users.userGroupsOf(userId) : [];
  return authorize(userId, groups, policy);
}
