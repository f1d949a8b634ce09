import type { WebClient } from '@slack/web-api';
import type { UserDirectory } from '../usecases/ports.js';

const CACHE_MS = 5 * 60_000;

/**
 * Group membership and names from Slack (usergroups.users.list, users.info), cached for five minutes so a burst
 * of clicks costs one call per group. A Slack error is thrown, never read as "not a member".
 */
export class SlackUserDirectory implements UserDirectory {
  private readonly members = new Map<string, { at: number; users: Set<string> }>();
  private readonly names = new Map<string, { at: number; name: string | undefined }>();

  constructor(
    private readonly client: WebClient,
    private readonly configuredGroups: readonly string[],
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  async userGroupsOf(userId: string): Promise<string[]> {
    const groups: string[] = [];
    for (const group of this.configuredGroups)
      if ((await this.membersOf(group)).has(userId)) groups.push(group);
    return groups;
  }

  async displayName(userId: string): Promise<string | undefined> {
    const cached = this.names.get(userId);
    if (cached && this.nowMs() - cached.at < CACHE_MS) return cached.name;
    const { user } = await this.client.users.info({ user: userId });
    const name = user?.profile?.display_name || user?.real_name || user?.name || undefined;
    this.names.set(userId, { at: this.nowMs(), name });
    return name;
  }

  private async membersOf(group: string): Promise<Set<string>> {
    const cached = this.members.get(group);
    if (cached && this.nowMs() - cached.at < CACHE_MS) return cached.users;
    const { users = [] } = await this.client.usergroups.users.list({ usergroup: group });
    const members = new Set(users);
    this.members.set(group, { at: this.nowMs(), users: members });
    return members;
  }
}
