import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumMissing, launchChromium } from './chromium.js';
import type { RunningBot } from './npm-start.js';
import { startNpmStart } from './npm-start.js';

/** `npm run docs:screenshots` points this at docs/images; otherwise the screenshots are test artifacts. */
const SCREENSHOTS = process.env['CSPM_SCREENSHOT_DIR'] ?? 'test-artifacts';

if (chromiumMissing) {
  console.warn(
    `Skipping the browser test: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set CSPM_CHROMIUM_PATH.`,
  );
}

interface WorkspaceState {
  readonly messages: readonly {
    ts: string;
    channel: string;
    text: string;
    thread_ts?: string;
    metadata?: { event_type?: string };
  }[];
}

interface SandboxState {
  readonly estate: { readonly regions: readonly { readonly securityGroups?: readonly unknown[] }[] };
}

let bot: RunningBot;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
/** Top-level finding messages the bot posted when it started. */
let posted = 0;

const screenshot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
const modal = () => page.locator('.modal');
/** The finding message whose text includes `text`, in the channel pane. */
const findingMessage = (text: string) => page.locator('#messages article.message', { hasText: text }).first();
const workspaceState = async () =>
  (await (await fetch(new URL('ui/state', bot.url))).json()) as WorkspaceState;

async function openFromMessage(messageText: string, button: string): Promise<void> {
  await findingMessage(messageText).getByRole('button', { name: button }).click();
  await modal().waitFor();
}

async function slashCommand(text: string): Promise<void> {
  await page.locator('#composer-input').fill(text);
  await page.locator('#composer-input').press('Enter');
}

/** Every rule of a security group in the sandbox account, as kept on disk after each change. */
async function sandboxRulesOf(groupId: string): Promise<Record<string, unknown>[]> {
  const text = JSON.stringify(await bot.sandboxState());
  const rules = (JSON.parse(text) as SandboxState).estate.regions.flatMap((region) =>
    JSON.stringify(region).includes(groupId) ? [region] : [],
  );
  const found: Record<string, unknown>[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (record['GroupId'] === groupId && 'SecurityGroupRuleId' in record) found.push(record);
    Object.values(record).forEach(walk);
  };
  walk(rules);
  return found;
}

describe.skipIf(chromiumMissing)(
  'npm start with no Slack or AWS: the local workspace in a browser, against the sandbox',
  () => {
    beforeAll(async () => {
      await mkdir(SCREENSHOTS, { recursive: true });
      bot = await startNpmStart();
      browser = await launchChromium();
      page = await browser.context.newPage();
      await page.goto(bot.url);
      await page.locator('body[data-ready="true"]').waitFor();
    });
    afterAll(async () => {
      await browser?.close();
      await bot?.stop();
    });

    it('shows every sample finding the bot posted in #cspm-findings, with its buttons, labelled sandbox', async () => {
      const topLevel = async () =>
        // Finding messages only: the weekly digest may be due and posted into the same channel meanwhile.
        (await workspaceState()).messages.filter(
          (message) =>
            message.channel === '#cspm-findings' &&
            !message.thread_ts &&
            message.metadata?.event_type === 'cspm_finding',
        ).length;
      expect(bot.alerted).toBeGreaterThan(5);
      // Messages go out at Slack's pace (about one a second per channel) after the sync stored them.
      await expect.poll(topLevel, { timeout: 60_000, interval: 500 }).toBe(bot.alerted);
      posted = await topLevel();
      await expect
        .poll(() => page.locator('#messages article.message', { hasText: 'View in Security Hub' }).count())
        .toBe(posted);
      const ssh = findingMessage('port 22');
      expect(await ssh.getByRole('button', { name: 'Remediate…' }).getAttribute('class')).toContain(
        'btn-primary',
      );
      expect(await ssh.getByRole('button', { name: 'Suppress…' }).isVisible()).toBe(true);
      expect(await ssh.getByRole('button', { name: 'Accept risk…' }).isVisible()).toBe(true);
      expect(await page.locator('#slot-sandbox-badge').textContent()).toContain('Sandbox');
      expect(bot.output()).toContain('sandbox account');
      await screenshot('channel');
    });

    it('remediates: the plan in the modal, confirm, the message shows ✅, the rule is gone and Security Hub says RESOLVED', async () => {
      const message = findingMessage('port 22');
      const groupId = /sg-[0-9a-f]+/.exec((await message.textContent()) ?? '')?.[0];
      expect(groupId).toBeDefined();
      const openBefore = (await sandboxRulesOf(groupId!)).filter(
        (rule) => rule['CidrIpv4'] === '0.0.0.0/0' && rule['IsEgress'] === false,
      );
      expect(openBefore.length).toBeGreaterThan(0);

      await openFromMessage('port 22', 'Remediate…');
      await expect.poll(() => modal().textContent(), { timeout: 20_000 }).toContain('Revoke');
      await screenshot('remediate-modal');
      await modal().getByRole('button', { name: 'Remediate', exact: true }).click();

      const resolved = page.locator('#messages article.message', { hasText: groupId! }).first();
      await expect.poll(() => resolved.textContent(), { timeout: 30_000 }).toContain('Resolved');
      if (await modal().count()) await modal().getByRole('button', { name: 'Close' }).first().click();
      const stillOpen = (await sandboxRulesOf(groupId!)).filter(
        (rule) =>
          rule['CidrIpv4'] === '0.0.0.0/0' &&
          rule['IsEgress'] === false &&
          rule['FromPort'] !== undefined &&
          Number(rule['FromPort']) <= 22 &&
          Number(rule['ToPort']) >= 22,
      );
      expect(stillOpen).toEqual([]);
      const panel = page.locator('#slot-securityhub-panel');
      await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain('RESOLVED');
      expect(await panel.textContent()).toContain('Remediated from Slack');
      await screenshot('remediated');
    });

    it('refuses a suppression reason that is too short under the field, as Slack does, and keeps the form open', async () => {
      await openFromMessage('port 3389', 'Suppress…');
      await modal().locator('textarea').fill('too short');
      await modal().getByRole('button', { name: 'Suppress', exact: true }).click();
      const error = modal().locator('[data-block-id="suppress.reason"] .input-error');
      await error.waitFor();
      expect(await error.textContent()).toContain('at least 10 characters');
      await modal().getByRole('button', { name: 'Cancel' }).click();
      await modal().waitFor({ state: 'detached' });
    });

    it('accepts the risk until a date: the bot’s inline error for a past date, then the accepted state', async () => {
      await openFromMessage('port 3389', 'Accept risk…');
      const until = modal().locator('input[type="date"]');
      await until.fill(DateTime.utc().minus({ days: 1 }).toISODate()!);
      await modal().locator('textarea').fill('Jump host for the on-call team until the VPN lands.');
      await modal().getByRole('button', { name: 'Accept risk', exact: true }).click();
      const error = modal().locator('[data-block-id] .input-error');
      await error.waitFor();
      expect(await error.textContent()).not.toBe('');
      expect(await modal().locator('textarea').inputValue()).toContain('Jump host');
      await screenshot('accept-risk-modal');
      await until.fill(DateTime.utc().plus({ days: 14 }).toISODate()!);
      await modal().getByRole('button', { name: 'Accept risk', exact: true }).click();
      await modal().waitFor({ state: 'detached' });
      await expect
        .poll(() => findingMessage('port 3389').textContent(), { timeout: 30_000 })
        .toContain('Risk accepted');
    });

    it('answers /cspm status privately with the new counts', async () => {
      await slashCommand('/cspm status');
      const answer = page.locator('#messages article.message.ephemeral', { hasText: 'Security posture' });
      await answer.waitFor({ timeout: 15_000 });
      expect(await answer.textContent()).toContain('Only visible to you');
      // One remediated, one accepted: two fewer open than were posted.
      expect(await answer.textContent()).toContain(`${posted - 2} open findings`);
      expect(await answer.textContent()).toMatch(/Remediated\s*1/);
      await answer.scrollIntoViewIfNeeded();
      await screenshot('status');
    });

    it('posts the weekly digest on /cspm digest, with its chart in the thread', async () => {
      await slashCommand('/cspm digest');
      const digest = findingMessage('Weekly security digest');
      await digest.waitFor({ timeout: 30_000 });
      await digest.getByRole('button', { name: '1 reply' }).click({ timeout: 30_000 });
      const chart = page.locator('#thread-panel figure.file img');
      await chart.waitFor();
      await expect
        .poll(() => chart.evaluate((image: { naturalWidth: number }) => image.naturalWidth))
        .toBeGreaterThan(100);
      await chart.scrollIntoViewIfNeeded();
      await screenshot('digest');
      await page.locator('#thread-panel').getByRole('button', { name: 'Close thread' }).click();
    });

    it('opens the App Home with the status and the acceptance just made', async () => {
      await page.locator('#nav-home').click();
      const home = page.locator('.home');
      await home.waitFor({ timeout: 15_000 });
      expect(await home.textContent()).toContain('Your risk acceptances');
      expect(await home.textContent()).toContain(DateTime.utc().plus({ days: 14 }).toISODate()!);
      await screenshot('app-home');
    });
  },
);
