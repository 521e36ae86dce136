import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DashboardPage } from './pages/dashboard-page.js';
import { PostureMatrixPage, PosturePanel } from './pages/posture-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';
import { TEST_IMAGE, TEST_LABEL, docker, removeContainers } from './support/docker-cli.js';

// Strings from the engine are attacker-controlled. A container is created (not started: its user does not
// exist) with markup, an RTL override, zero-width characters and a control character in the fields Bulkhead
// shows (Config.User in the posture evidence), a 200-character name and an image reference of ~150
// characters. Through the real engine, browser mode and Chromium: the text must show verbatim, nothing may
// execute (no dialog, no global set by an onerror, no element created from it, no CSP report), and the
// card must keep its column width.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const suffix = Date.now().toString(36);
const PAYLOAD = `<img src=x onerror="window.__pwned=1">\u202Eevil\u200B<script>window.__pwned=2</script>\u0007`;
const NAME = `bh-hostile-${suffix}-${'x'.repeat(200 - `bh-hostile-${suffix}-`.length)}`;
const PLAIN = `bh-hostile-${suffix}-plain`;
const REPO = `bulkhead-test/${'long-repository-name-'.repeat(6)}${suffix}`;
const REF = `${REPO}:${'t'.repeat(20)}`;

let browser: Browser;
let context: BrowserContext;
let live: BrowserModeProcess | undefined;
let page: Page;
const pageErrors: string[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  await docker('tag', TEST_IMAGE, REF);
  await docker('create', '--label', TEST_LABEL, '--name', NAME, '--user', PAYLOAD, '--workdir', '/tmp', REF);
  await docker('run', '-d', '--label', TEST_LABEL, '--name', PLAIN, TEST_IMAGE);
  live = await startBrowserMode();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  expect(await new DashboardPage(page).open(live.url)).toBe(200);
});

afterAll(async () => {
  await removeContainers([NAME, PLAIN]);
  await docker('rmi', REF).catch(() => undefined);
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
});

describe('hostile strings from the engine', () => {
  it('show verbatim as text, execute nothing, and do not break the layout', async () => {
    const dashboard = new DashboardPage(page);
    const hostile = await dashboard.waitForCard(NAME);
    const plain = await dashboard.waitForCard(PLAIN);
    expect(await hostile.title()).toBe(NAME);
    expect(await hostile.image()).toBe(REF);
    // The long name and reference wrap inside the column: the card is as wide as its neighbour.
    const [a, b] = await Promise.all([hostile.root.boundingBox(), plain.root.boundingBox()]);
    expect(a?.width).toBeCloseTo(b?.width ?? 0, 0);

    // The evidence of the runs-as-root check quotes Config.User as the engine stores it, with the RTL
    // override, the zero-width space and the bell written out (they would reorder or hide what is shown).
    await page.getByRole('tab', { name: 'Posture matrix' }).click();
    const matrix = new PostureMatrixPage(page);
    const cell = await matrix.cell('runs-as-root', NAME);
    await cell.click();
    const panel = new PosturePanel(page);
    expect(await panel.isOpen()).toBe(true);
    const user = (await panel.evidence()).find((e) => e.field === 'Config.User');
    expect(user?.value).toContain(
      '<img src=x onerror="window.__pwned=1">⟨U+202E⟩evil⟨U+200B⟩<script>window.__pwned=2</script>⟨U+0007⟩',
    );
    expect(await panel.text('.finding-message')).toContain('⟨U+202E⟩evil');
    // The back link names the 200-character container and stays inside the drawer.
    const [link, drawer] = await Promise.all([
      panel.root.locator('.panel-back').boundingBox(),
      panel.root.boundingBox(),
    ]);
    expect((link?.x ?? 0) + (link?.width ?? 0)).toBeLessThanOrEqual(
      (drawer?.x ?? 0) + (drawer?.width ?? 0) + 1,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'hostile-evidence.png') });
    await panel.close();

    // Nothing ran and nothing was built from the markup.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"], img[onerror]').count()).toBe(0);
    expect(await page.locator('body script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(live!.output()).not.toMatch(/Content Security Policy|csp/i);
  });
});
