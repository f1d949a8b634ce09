import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspaceSandbox } from '../../../src/runtime/workspace-sandbox.js';
import type { SandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { createSandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import type { WorkspaceSandbox } from '../../../src/workspace/workspace-server.js';
import { fixedClock } from '../../support/fixed-clock.js';

interface MenuEntry {
  readonly id: string;
  readonly label: string;
}

describe("the workspace's Simulate menu", () => {
  let dataDir: string;
  let sandbox: SandboxAccount;
  let menu: WorkspaceSandbox;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cspm-simulate-'));
    sandbox = await createSandboxAccount({ dataDir, clock: fixedClock('2026-11-30T10:00:00Z'), reset: true });
    menu = workspaceSandbox({
      sandbox,
      slackApi: () => {
        throw new Error('not used here');
      },
      afterClockMoved: () => Promise.resolve(),
    });
  });

  afterEach(async () => {
    await sandbox.saved();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function entries(): Promise<MenuEntry[]> {
    return ((await menu.describe()) as { simulations: MenuEntry[] }).simulations;
  }

  it('offers a new finding of each control the sandbox can raise, in words', async () => {
    const offered = (await entries()).filter((entry) => entry.id.startsWith('new-finding:'));
    expect(offered.map((entry) => entry.id)).toEqual(
      sandbox.simulatedControls().map((control) => `new-finding:${control}`),
    );
    expect(offered.map((entry) => entry.label)).toContain(
      'A new EC2.21 finding (Network ACL lets SSH (22) or RDP (3389) in from the internet)',
    );
  });

  it('raises the chosen control on a new resource, which Security Hub then lists', async () => {
    const before = sandbox.securityHubFindings().filter((finding) => finding.controlId === 'EC2.170');
    await expect(menu.simulate({ id: 'new-finding:EC2.170' })).resolves.toEqual({
      ok: true,
      did: 'raised a new EC2.170 finding',
    });
    const after = sandbox.securityHubFindings().filter((finding) => finding.controlId === 'EC2.170');
    expect(after).toHaveLength(before.length + 1);
    expect(after.map((finding) => finding.resourceId)).not.toEqual(
      before.map((finding) => finding.resourceId),
    );
  });

  it('answers in words for a control it cannot raise, and changes nothing', async () => {
    const count = sandbox.securityHubFindings().length;
    await expect(menu.simulate({ id: 'new-finding:EC2.2' })).resolves.toEqual({
      ok: false,
      error: 'The sandbox cannot raise a new EC2.2 finding',
    });
    await expect(menu.simulate({ id: 'no-such-thing' })).resolves.toEqual({
      ok: false,
      error: 'unknown simulation',
    });
    expect(sandbox.securityHubFindings()).toHaveLength(count);
  });
});
