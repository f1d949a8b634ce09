/** Who may remediate, suppress or accept: Slack user ids and user group ids from the configuration. */
export interface ActorPolicy {
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
}

export type Authorization = { readonly allowed: true } | { readonly allowed: false; readonly whoMay: string };

/** "<@U1>, <@U2> or members of <!subteam^S1>" — Slack renders the names. */
export function whoMay(policy: ActorPolicy): string {
  const people = [
    ...policy.users.map((user) => `<@${user}>`),
    ...policy.userGroups.map((group) => `members of <!subteam^${group}>`),
  ];
  if (people.length === 0)
    return 'nobody yet: an admin must set CSPM_ALLOWED_USERS or CSPM_ALLOWED_USERGROUPS';
  return people.length === 1 ? people[0]! : `${people.slice(0, -1).join(', ')} or ${people.at(-1)}`;
}

/**
 * Allowed when the user is listed or belongs to a listed group. With nothing configured nobody is allowed:
 * the bot changes AWS accounts, so the safe default is "no".
 */
export function authorize(
  userId: string,
  userGroupsOfUser: readonly string[],
  policy: ActorPolicy,
): Authorization {
  const listed = policy.users.includes(userId);
  const inGroup = userGroupsOfUser.some((group) => policy.userGroups.includes(group));
  return listed || inGroup ? { allowed: true } : { allowed: false, whoMay: whoMay(policy) };
}
