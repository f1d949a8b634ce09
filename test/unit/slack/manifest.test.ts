import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const manifest = parse(readFileSync(new URL('../../../manifest.yml', import.meta.url), 'utf8')) as {
  features: { slash_commands: { command: string }[]; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
};

describe('manifest.yml', () => {
  it('creates an app with the /cspm command, interactivity for the buttons and Socket Mode for npm start', () => {
    expect(manifest.features.slash_commands.map((command) => command.command)).toEqual(['/cspm']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('asks for the scopes the bot uses and no broader ones', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['channels:history', 'chat:write', 'commands', 'files:write', 'groups:history', 'usergroups:read', 'users:read']);
  });
});
