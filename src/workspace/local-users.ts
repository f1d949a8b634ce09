/** A person in the local workspace, served by `users.info` and `usergroups.users.list`. */
export interface LocalUser {
  readonly id: string;
  readonly name: string;
  readonly realName: string;
  readonly displayName: string;
  /** Slack user groups (S…) the person is in, for CSPM_ALLOWED_USERGROUPS. */
  readonly groups: readonly string[];
}

/** The person at the keyboard: every click and command in the page is theirs. */
export const YOU: LocalUser = {
  id: 'U0LOCAL1',
  name: 'you',
  realName: 'You (local)',
  displayName: 'you',
  groups: ['S0SECOPS1'],
};

export const LOCAL_USERS: readonly LocalUser[] = [
  YOU,
  { id: 'U0LOCAL2', name: 'dana', realName: 'Dana Reyes', displayName: 'dana', groups: ['S0SECOPS1'] },
  { id: 'U0LOCAL3', name: 'sam', realName: 'Sam Okafor', displayName: 'sam', groups: [] },
];

/** The local user group of security engineers (YOU and dana). */
export const LOCAL_SECOPS_GROUP = 'S0SECOPS1';
