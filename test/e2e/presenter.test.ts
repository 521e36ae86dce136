import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DashboardPage } from './pages/dashboard-page.js';
import { PresenterPage } from './pages/presenter-page.js';
import { SyscallsPage } from './pages/syscalls-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { launchChromium } from './support/chromium.js';
import { TEST_IMAGE, TEST_LABEL, docker, removeContainers } from './support/docker-cli.js';
import { ensureTracefs } from '../support/tracefs.js';

// Presenter mode end to end: `node dist/web.cjs` against the real dockerd and the real eBPF source, driven
// through /usr/bin/chromium at projector sizes. Two containers ("before/after hardening") are created here,
// labelled bulkhead.test=1, and removed in afterAll by id. The engine may hold other containers: the test
// steps relative to its own two, which sort next to each other.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const FULL_HD = { width: 1920, height: 1080 };
const HD = { width: 1280, height: 720 };
const NO_SUCH_SOCKET = 'unix:///tmp/bulkhead-no-such-presenter.sock';
const prefix = `0-bh-presenter-${randomBytes(3).toString('hex')}`;
const names = { before: `${prefix}-1-default`, after: `${prefix}-2-hardened` };
const LOOP = ['sh', '-c', 'while true; do cat /etc/hostname >/dev/null; sleep 0.2; done'];
const HARDENED = [
  '--read-only',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
  '--user',
  '1000:1000',
  '--memory',
  '64m',
  '--pids-limit',
  '50',
];
/** The smallest computed font size of a value on stage, in CSS pixels. */
const VALUE_PX = 24;
/** WCAG AAA for normal text. */
const AAA = 7;

let browser: Browser;
const contexts: BrowserContext[] = [];
const created: string[] = [];
let live: BrowserModeProcess | undefined;
let demo: BrowserModeProcess | undefined;
let page: Page;
let dashboard: DashboardPage;
let presenter: PresenterPage;
const pageErrors: string[] = [];

async function newPage(viewport = FULL_HD): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const p = await context.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
      pageErrors.push(m.text());
  });
  return p;
}

async function run(name: string, options: readonly string[]): Promise<string> {
  const id = await docker(
    'run',
    '-d',
    '--label',
    TEST_LABEL,
    '--name',
    name,
    ...options,
    TEST_IMAGE,
    ...LOOP,
  );
  created.push(id);
  return id;
}

/** Press a key and wait for the stage to show `name` first. */
async function pressUntilShown(key: string, name: string): Promise<void> {
  await page.keyboard.press(key);
  await expect.poll(async () => (await presenter.shownNames())[0], { timeout: 5_000 }).toBe(name);
}

/** Asserts every element the locator matches is set at least `px` large, with AAA contrast. */
async function expectLegible(what: string, locator: Locator, px = VALUE_PX): Promise<number> {
  const measured = await presenter.legibility(locator);
  expect(measured.length, `${what}: nothing on stage`).toBeGreaterThan(0);
  for (const m of measured) {
    expect(m.fontSize, `${what} "${m.text}" font size`).toBeGreaterThanOrEqual(px);
    expect(m.contrast, `${what} "${m.text}" contrast`).toBeGreaterThanOrEqual(AAA);
  }
  return Math.min(...measured.map((m) => m.fontSize));
}

/** The values the room reads off one container on stage; resolves with the smallest value size. */
async function expectLargeValues(name: string): Promise<number> {
  const overview = presenter.cell('overview', name);
  const posture = presenter.cell('posture', name);
  const runtime = presenter.cell('syscalls', name);
  const image = presenter.cell('image', name);
  const sizes = [
    await expectLegible('state', overview.locator('.state-badge')),
    await expectLegible('grade', posture.locator('.grade-letter')),
    await expectLegible('score', posture.locator('.grade-score')),
    await expectLegible('counts', posture.locator('.posture-count')),
    await expectLegible('syscall total', runtime.locator('.syscalls-total')),
    await expectLegible('syscall chart labels', runtime.locator('.syscall-bars text')),
    await expectLegible(
      'image',
      image.locator('.image-state, .image-age, .image-vulns, .scan-progress-text'),
    ),
  ];
  return Math.min(...sizes);
}

beforeAll(async () => {
  await ensureTracefs();
  await mkdir(SCREENSHOTS, { recursive: true });
  await docker('image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE);
  await run(names.before, []);
  await run(names.after, HARDENED);
  live = await startBrowserMode();
  browser = await launchChromium();
  page = await newPage();
  dashboard = new DashboardPage(page);
  presenter = new PresenterPage(page);
  expect(await dashboard.open(live.url)).toBe(200);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
  await demo?.stop().catch(() => undefined);
  await removeContainers(created);
});

describe('presenter mode against the real engine', () => {
  it('runs the live eBPF source, as a speaker would, for the runtime row', async () => {
    const syscalls = new SyscallsPage(page);
    await syscalls.show();
    await syscalls.root().getByLabel('Live source').selectOption('bpf');
    await expect.poll(() => syscalls.phase(), { timeout: 20_000 }).toBe('streaming');
    await page.getByRole('tab', { name: 'Containers' }).click();
    await dashboard.waitForCard(names.before);
    await dashboard.waitForCard(names.after);
  });

  it('toggles with p and with the header button, but not while typing', async () => {
    expect(await presenter.isOn()).toBe(false);
    // Typing a p into a field is typing, not a shortcut.
    const syscalls = new SyscallsPage(page);
    await syscalls.show();
    const path = syscalls.root().getByLabel('Capture or recording path');
    await path.fill('');
    await path.press('p');
    expect(await path.inputValue()).toBe('p');
    expect(await presenter.isOn()).toBe(false);
    await path.fill('');
    await page.getByRole('tab', { name: 'Containers' }).click();

    // Presenter mode opens on the card the user was on.
    await dashboard.card(names.before).root.focus();
    await page.keyboard.press('p');
    await presenter.stage().waitFor({ timeout: 5_000 });
    expect(await presenter.isOn()).toBe(true);
    expect(await presenter.shownNames()).toEqual([names.before]);
    expect(await dashboard.cards().count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Containers' }).count()).toBe(0);

    await page.keyboard.press('p');
    await presenter.stage().waitFor({ state: 'detached', timeout: 5_000 });
    expect(await presenter.isOn()).toBe(false);
    await dashboard.waitForCard(names.before);

    await presenter.toggle().click();
    await presenter.stage().waitFor({ timeout: 5_000 });
    expect(await presenter.isOn()).toBe(true);
    await presenter.toggle().click();
    await presenter.stage().waitFor({ state: 'detached', timeout: 5_000 });
    expect(await presenter.isOn()).toBe(false);
    await presenter.toggle().click();
    expect(await presenter.isOn()).toBe(true);
    // Escape leaves it too.
    await page.keyboard.press('Escape');
    await presenter.stage().waitFor({ state: 'detached', timeout: 5_000 });
    await presenter.toggle().click();
    expect(await presenter.isOn()).toBe(true);
  });

  it('is remembered across a reload, on the same container', async () => {
    await page.reload();
    await presenter.stage().waitFor({ timeout: 15_000 });
    expect(await presenter.isOn()).toBe(true);
    await expect.poll(() => presenter.shownNames(), { timeout: 10_000 }).toEqual([names.before]);
  });

  it('sets the values of the card at 24 px or more, the headings larger, in AAA contrast', async () => {
    await expect
      .poll(
        () =>
          presenter
            .cell('posture', names.before)
            .locator('[data-posture-state]')
            .getAttribute('data-posture-state'),
        {
          timeout: 20_000,
        },
      )
      .toBe('assessed');
    await expect
      .poll(() => presenter.cell('syscalls', names.before).locator('[data-syscalls-state="data"]').count(), {
        timeout: 20_000,
      })
      .toBe(1);
    const values = await expectLargeValues(names.before);
    const rows = await expectLegible(
      'row title',
      presenter.stage().locator('.presenter-row-title'),
      values + 1,
    );
    await expectLegible('container name', presenter.stage().locator('.presenter-name'), rows + 1);
    // Labels and secondary lines stay readable too.
    await expectLegible('labels', presenter.cell('overview', names.before).locator('dt'), 20);
    await expectLegible('hint', presenter.hint(), 20);
  });

  it('writes out whatever a tooltip would say', async () => {
    const titles = await presenter.titles();
    // The full container id and the evidence note at least.
    expect(titles.length).toBeGreaterThanOrEqual(2);
    for (const t of titles) expect(t.shown, t.title).toBe(true);
  });

  it('lists the keys on screen', async () => {
    const hint = (await presenter.hint().innerText()).replace(/\s+/g, ' ');
    for (const part of ['← → container', '↑ ↓ aspect', '2 split', 'Shift+← → second', 'p exit'])
      expect(hint).toContain(part);
  });

  it('saves screenshots of one container at 1920×1080 and 1280×720', async () => {
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300); // the switch animation (≤ 200 ms) has settled
    await page.screenshot({ path: join(SCREENSHOTS, 'presenter-1920.png') });
    await page.setViewportSize(HD);
    await page.waitForTimeout(300);
    await expectLargeValues(names.before);
    await page.screenshot({ path: join(SCREENSHOTS, 'presenter-1280.png') });
    await page.setViewportSize(FULL_HD);
  });

  it('steps between containers with ←/→, wrapping around, and Home/End', async () => {
    await pressUntilShown('ArrowRight', names.after);
    expect((await presenter.positions())[0]).toMatch(/^\d+ of \d+$/);
    await pressUntilShown('ArrowLeft', names.before);
    // A presentation clicker's PageDown/PageUp do the same.
    await pressUntilShown('PageDown', names.after);
    await pressUntilShown('PageUp', names.before);

    // Other containers on the engine may come and go meanwhile: the ends are checked by position.
    const position = async (): Promise<string | undefined> => (await presenter.positions())[0];
    const LAST = /^(\d+) of \1$/;
    const FIRST = /^1 of \d+$/;
    await page.keyboard.press('End');
    await expect.poll(position, { timeout: 5_000 }).toMatch(LAST);
    await page.keyboard.press('ArrowRight'); // wraps to the start
    await expect.poll(position, { timeout: 5_000 }).toMatch(FIRST);
    await page.keyboard.press('ArrowLeft'); // and back to the end
    await expect.poll(position, { timeout: 5_000 }).toMatch(LAST);
    await page.keyboard.press('Home');
    await expect.poll(position, { timeout: 5_000 }).toMatch(FIRST);

    // Back to the before/after pair.
    await page.getByRole('button', { name: 'Presenter mode' }).click();
    await dashboard.card(names.before).root.focus();
    await page.keyboard.press('p');
    await expect.poll(() => presenter.shownNames()).toEqual([names.before]);
  });

  it('moves between the aspect rows with ↑/↓, marking the current one for the room', async () => {
    expect(await presenter.currentAspect()).toBeNull();
    const seen: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('ArrowDown');
      seen.push(await presenter.currentAspect());
    }
    expect(seen).toEqual(['overview', 'posture', 'syscalls', 'image', 'image']);
    expect(await presenter.focusedAspect()).toBe('image');
    await page.keyboard.press('ArrowUp');
    expect(await presenter.currentAspect()).toBe('syscalls');
    expect(await presenter.focusedAspect()).toBe('syscalls');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await presenter.currentAspect()).toBe('overview');
  });

  it('shows two containers side by side with 2, and picks the second with Shift+←/→', async () => {
    await page.keyboard.press('2');
    await expect.poll(() => presenter.shownNames()).toEqual([names.before, names.after]);
    expect((await presenter.positions()).map((p) => p.split(' · ')[0])).toEqual(['Left', 'Right']);
    for (const name of [names.before, names.after])
      await expect
        .poll(
          () =>
            presenter
              .cell('posture', name)
              .locator('[data-posture-state]')
              .getAttribute('data-posture-state'),
          {
            timeout: 20_000,
          },
        )
        .toBe('assessed');
    await expect
      .poll(() => presenter.cell('syscalls', names.after).locator('[data-syscalls-state="data"]').count(), {
        timeout: 20_000,
      })
      .toBe(1);
    await expectLargeValues(names.before);
    await expectLargeValues(names.after);
    // The two sit side by side, each half the stage.
    const [left, right] = await Promise.all(
      [names.before, names.after].map((n) => presenter.cell('overview', n).boundingBox()),
    );
    if (left === undefined || left === null || right === undefined || right === null)
      throw new Error('a cell is not on screen');
    expect(right.x).toBeGreaterThan(left.x + left.width - 1);
    expect(Math.abs(left.y - right.y)).toBeLessThan(2);
    expect(left.width).toBeGreaterThan(FULL_HD.width / 3);

    await page.keyboard.press('ArrowUp'); // overview, to the top
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, 'presenter-split-1920.png') });

    await page.keyboard.press('Shift+ArrowRight');
    const [primary, second] = await presenter.shownNames();
    expect(primary).toBe(names.before);
    expect(second).not.toBe(names.before);
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => presenter.shownNames()).toEqual([names.before, names.after]);

    await page.keyboard.press('2');
    await expect.poll(() => presenter.shownNames()).toEqual([names.before]);
  });

  it('slides a switch in under 200 ms, and not at all with reduced motion', async () => {
    await page.keyboard.press('ArrowRight');
    const moving = await presenter.animations();
    expect(moving.length).toBeGreaterThan(0);
    for (const a of moving) {
      expect(a.name).toBe('presenter-enter');
      expect(a.seconds).toBeGreaterThan(0);
      expect(a.seconds).toBeLessThanOrEqual(0.2);
    }
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.keyboard.press('ArrowLeft');
    for (const a of await presenter.animations()) expect(a.name).toBe('none');
    await page.emulateMedia({ reducedMotion: null });
  });

  it('goes back to the grid on the container it showed', async () => {
    await pressUntilShown('ArrowRight', names.after);
    await page.keyboard.press('p');
    await dashboard.waitForCard(names.after);
    expect(await page.locator('article.card[tabindex="0"]').getAttribute('data-container-name')).toBe(
      names.after,
    );
    expect(await page.getByRole('tab', { name: 'Containers' }).count()).toBe(1);
  });

  it('keeps the DEMO DATA label on stage and in the banner', async () => {
    demo = await startBrowserMode({ DOCKER_HOST: NO_SUCH_SOCKET });
    const demoPage = await newPage();
    const demoDashboard = new DashboardPage(demoPage);
    const demoPresenter = new PresenterPage(demoPage);
    expect(await demoDashboard.open(demo.url)).toBe(200);
    await demoDashboard.banner('demo').waitFor({ timeout: 15_000 });
    await demoPresenter.toggle().click();
    await demoPresenter.stage().waitFor({ timeout: 5_000 });
    const tag = demoPresenter.stage().locator('.presenter-head .demo-tag');
    expect(await tag.innerText()).toContain('DEMO DATA');
    expect(await demoPresenter.stage().locator('.presenter-head').innerText()).toContain(
      'Recorded demo data, not a live container',
    );
    expect(await demoDashboard.banner('demo').innerText()).toMatch(/^DEMO DATA/);
    await expectLegibleOn(demoPresenter, demoPresenter.stage().locator('.presenter-head .demo-tag'), 20);
    for (const t of await demoPresenter.titles()) expect(t.shown, t.title).toBe(true);
    await demoPage.keyboard.press('2');
    await demoPage.mouse.move(0, 0);
    await demoPage.waitForTimeout(300);
    await demoPage.screenshot({ path: join(SCREENSHOTS, 'presenter-demo-split-1920.png') });
  });

  it('never broke its Content Security Policy or threw', () => {
    expect(pageErrors).toEqual([]);
  });
});

async function expectLegibleOn(on: PresenterPage, locator: Locator, px: number): Promise<void> {
  for (const m of await on.legibility(locator)) {
    expect(m.fontSize, m.text).toBeGreaterThanOrEqual(px);
    expect(m.contrast, m.text).toBeGreaterThanOrEqual(AAA);
  }
}
