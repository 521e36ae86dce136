import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { createWebSocketBridge } from '../../shared/ipc/ws-client.js';
import type { WebSocketBridge } from '../../shared/ipc/ws-client.js';
import type { ImageStatusEntry } from '../../shared/ipc/contract.js';
import { TOKEN_PARAM, WS_PATH } from '../../shared/ipc/ws-constants.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { ImageFindingsPanel, ImageRow } from './pages/image-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';
import { TEST_IMAGE, TEST_LABEL, docker, removeContainers } from './support/docker-cli.js';

// Image findings end to end: `node dist/web.cjs` against the real dockerd with its own empty data directory
// (BULKHEAD_DATA_DIR), driven through /usr/bin/chromium. Images are exported and scanned by the real engine;
// the advisory database is imported with the real CLI from the real OSV records in ../shared/data/vuln/osv.
//
// Images: bulkhead-test/debian:bookworm (test/support/build-debian-image.sh; two containers share it),
// bulkhead-test/busybox:1 (no package database), and an image built here from bulkhead-test/busybox:1 that
// carries the real Alpine 3.18 apk database sample from ../shared/data/vuln/pkgdb (osv-scalibr's test
// data) with an Alpine 3.18 os-release, so the real ALPINE-CVE-2025-26519 record has something to match.
// Containers are labelled bulkhead.test=1 and removed in afterAll, by id; the built image is removed too.

const exec = promisify(execFile);
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const DEBIAN_IMAGE = 'bulkhead-test/debian:bookworm';
const SAMPLE_IMAGE = `bulkhead-test/apkdb-sample:${randomBytes(3).toString('hex')}`;
const OSV_DIR = join(ROOT, '..', 'shared', 'data', 'vuln', 'osv');
const APK_DB = join(ROOT, '..', 'shared', 'data', 'vuln', 'pkgdb', 'osv-scalibr_alpine_apk_installed');
const prefix = `0-bh-images-${randomBytes(3).toString('hex')}`;
const names = {
  debian1: `${prefix}-debian-1`,
  debian2: `${prefix}-debian-2`,
  busybox: `${prefix}-busybox`,
  sample: `${prefix}-apk-sample`,
};
const SCAN_TIMEOUT = 120_000;

let dataDir = '';
let buildDir = '';
let browser: Browser;
const contexts: BrowserContext[] = [];
const created: string[] = [];
let builtSample = false;
let live: BrowserModeProcess | undefined;
let api: WebSocketBridge | undefined;
let page: Page;
let dashboard: DashboardPage;
const pageErrors: string[] = [];

async function run(name: string, image: string): Promise<string> {
  const id = await docker('run', '-d', '--label', TEST_LABEL, '--name', name, image, 'sleep', '600');
  created.push(id);
  return id;
}

/** The real CLI with the test's data directory. */
async function cli(...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, BULKHEAD_DATA_DIR: dataDir },
    timeout: 120_000,
  });
  return stdout;
}

/** The engine's own `images:status` answer, over a second WebSocket client of the same server. */
async function status(): Promise<readonly ImageStatusEntry[]> {
  if (api === undefined || live === undefined) throw new Error('browser mode not started');
  const result = await api.invoke('images:status', {});
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

async function row(name: string): Promise<ImageRow> {
  return new ImageRow((await dashboard.waitForCard(name)).root);
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'bulkhead-images-e2e-'));
  buildDir = await mkdtemp(join(tmpdir(), 'bulkhead-apk-sample-'));
  await docker('image', 'inspect', '--format', '{{.Id}}', DEBIAN_IMAGE);
  await docker('image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE);
  await copyFile(APK_DB, join(buildDir, 'installed'));
  await writeFile(
    join(buildDir, 'os-release'),
    'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n',
  );
  await writeFile(
    join(buildDir, 'Dockerfile'),
    `FROM ${TEST_IMAGE}\nCOPY os-release /etc/os-release\nCOPY installed /lib/apk/db/installed\n`,
  );
  await docker('build', '-q', '--label', TEST_LABEL, '-t', SAMPLE_IMAGE, buildDir);
  builtSample = true;
  await run(names.debian1, DEBIAN_IMAGE);
  await run(names.debian2, DEBIAN_IMAGE);
  await run(names.busybox, TEST_IMAGE);
  await run(names.sample, SAMPLE_IMAGE);

  live = await startBrowserMode({ BULKHEAD_DATA_DIR: dataDir });
  const origin = live.origin;
  class OriginWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin });
    }
  }
  api = createWebSocketBridge(`ws://127.0.0.1:${live.port}${WS_PATH}?${TOKEN_PARAM}=${live.token}`, {
    WebSocket: OriginWebSocket,
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
      pageErrors.push(m.text());
  });
  // Every progress text the page ever renders, recorded as it appears (a scan can be over in a second).
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('.scan-progress-text')) {
        const text = el.textContent ?? '';
        if (text !== '' && !seen.includes(text)) seen.push(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  dashboard = new DashboardPage(page);
  expect(await dashboard.open(live.url)).toBe(200);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  api?.close();
  await live?.stop().catch(() => undefined);
  await removeContainers(created);
  if (builtSample) await docker('rmi', SAMPLE_IMAGE).catch(() => undefined);
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  if (buildDir !== '') await rm(buildDir, { recursive: true, force: true });
});

const progressSeen = (): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);

describe('image findings against the real engine', () => {
  it('scans the Debian image once for its two containers, with a progress bar while it runs', async () => {
    const d1 = await row(names.debian1);
    const d2 = await row(names.debian2);
    await expect.poll(() => d1.state(), { timeout: SCAN_TIMEOUT }).toBe('scanned');
    await expect.poll(() => d2.state(), { timeout: SCAN_TIMEOUT }).toBe('scanned');

    const debianId = await docker('image', 'inspect', '--format', '{{.Id}}', DEBIAN_IMAGE);
    expect(await d1.imageId()).toBe(debianId);
    expect(await d2.imageId()).toBe(debianId);
    const entries = (await status()).filter((e) => e.imageId === debianId);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.containers).toHaveLength(2);
    expect(await d1.shared().innerText()).toBe('Shared with 1 other container · scanned once');
    expect(await d2.shared().innerText()).toBe('Shared with 1 other container · scanned once');

    const seen = await progressSeen();
    expect(
      seen.some((t) =>
        /^(Queued for scanning|Exporting image|Reading packages|Matching advisories)…/.test(t),
      ),
    ).toBe(true);
  });

  it('without an advisory database: the Debian row counts packages and says how to import one; busybox has no package database', async () => {
    const debian = await row(names.debian1);
    const report = (await status()).find((e) => e.containers.length === 2 && e.state.phase === 'done');
    const packages = report?.state.phase === 'done' ? report.state.report.packageDb.packages : -1;
    expect(packages).toBeGreaterThan(50);
    expect(await debian.packages()).toBe(packages);
    expect(await debian.note('no-advisory-db').innerText()).toBe(
      'No advisory database imported — run bulkhead db import …',
    );
    expect(await debian.vulnerabilities()).toBeNull();
    expect(await debian.age().innerText()).toMatch(/^Built (today|\d+ days? ago)$/);

    const busybox = await row(names.busybox);
    await expect.poll(() => busybox.state(), { timeout: SCAN_TIMEOUT }).toBe('scanned');
    expect(await busybox.note('no-package-db').innerText()).toMatch(/^No package database found/);
  });

  it('after importing the real OSV records and rescanning: honest counts, DB source and age', async () => {
    expect(await cli('db', 'import', OSV_DIR)).toMatch(/^Imported /);
    const debian = await row(names.debian1);
    const sample = await row(names.sample);
    await expect.poll(() => sample.state(), { timeout: SCAN_TIMEOUT }).toBe('scanned');
    const before = (await progressSeen()).length;
    await debian.rescan();
    await expect.poll(() => debian.db().count(), { timeout: SCAN_TIMEOUT }).toBe(1);
    await sample.rescan();
    await expect.poll(() => sample.db().count(), { timeout: SCAN_TIMEOUT }).toBe(1);
    // The rescan went through the progress bar again.
    expect((await progressSeen()).length).toBeGreaterThanOrEqual(before);

    // Debian: whatever the engine matched, the row says the same number (these records are for Debian 7
    // and 9, so bookworm is expected to show "0 known vulnerabilities").
    const entries = await status();
    const debianId = await debian.imageId();
    const debianEntry = entries.find((e) => e.imageId === debianId);
    const matched =
      debianEntry?.state.phase === 'done' ? debianEntry.state.report.vulnerabilities.length : -1;
    expect(matched).toBeGreaterThanOrEqual(0);
    expect(await debian.vulnerabilities()).toBe(matched);
    if (matched === 0) expect(await debian.root.innerText()).toContain('0 known vulnerabilities');
    expect(await debian.note('no-advisory-db').count()).toBe(0);
    const db = await debian.db().innerText();
    expect(db).toContain('osv');
    expect(db).toMatch(/(under a minute|\d+ minutes?) old/);
    expect(db).not.toContain('stale');
    // The second container of the image shows the same rescanned report.
    expect(await (await row(names.debian2)).vulnerabilities()).toBe(matched);

    // The sample: the real matcher finds musl and musl-utils affected by ALPINE-CVE-2025-26519 (high).
    expect(await sample.vulnerabilities()).toBe(2);
    expect(await sample.severityCounts()).toEqual({ high: 2 });
    expect(await sample.root.locator('.sev-count').innerText()).toBe('2 high');
    expect(await sample.worst().innerText()).toMatch(/ALPINE-CVE-2025-26519 in musl \(fixed in 1\.2\.4-r3\)/);
    expect(await sample.lint().innerText()).toMatch(/^Lint: \d+ fail · \d+ warn · \d+ pass$/);

    await dashboard.card(names.debian1).root.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'images-cards.png') });
  });

  it('opens the findings view: sortable table, osv.dev links, filter, lint with evidence, keyboard', async () => {
    const sample = await row(names.sample);
    await sample.root.locator('.image-open').focus();
    await page.keyboard.press('Enter');
    const panel = new ImageFindingsPanel(page);
    await expect.poll(() => panel.isOpen()).toBe(true);
    expect(await panel.title()).toBe(SAMPLE_IMAGE);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('image-panel-title');
    expect(await panel.text('.image-os')).toContain('Alpine Linux v3.18');
    expect(await panel.text('.image-pkgdb')).toBe('15 apk packages');

    const rows = await panel.rows();
    expect(rows.map((r) => r.package)).toEqual(['musl', 'musl-utils']);
    for (const r of rows) {
      expect(r.advisory).toBe('ALPINE-CVE-2025-26519');
      expect(r.severity).toBe('high');
      expect(r.fixed).toBe('1.2.4-r3');
      expect(r.db).toContain('osv');
    }
    await panel.sortButton('Package').click();
    expect(await panel.columnHead('package').getAttribute('aria-sort')).toBe('ascending');
    expect((await panel.rows()).map((r) => r.package)).toEqual(['musl', 'musl-utils']);
    await panel.sortButton('Package').click();
    expect(await panel.columnHead('package').getAttribute('aria-sort')).toBe('descending');
    expect((await panel.rows()).map((r) => r.package)).toEqual(['musl-utils', 'musl']);

    const link = panel.advisoryLinks().first();
    expect(await link.getAttribute('href')).toBe('https://osv.dev/vulnerability/ALPINE-CVE-2025-26519');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

    await panel.filter().fill('utils');
    expect((await panel.rows()).map((r) => r.package)).toEqual(['musl-utils']);
    await panel.filter().fill('');
    await panel.fixableOnly().check();
    expect(await panel.rows()).toHaveLength(2);
    await panel.fixableOnly().uncheck();

    const lint = await panel.lint();
    const root = lint.find((l) => l.id === 'image-user-root');
    const health = lint.find((l) => l.id === 'image-no-healthcheck');
    expect(root?.status).toMatch(/^(fail|warn)$/);
    expect(root?.text).toMatch(/[✕!]\s*(fail|warn)/);
    expect(root?.evidence).toContain('User');
    expect(health?.status).toMatch(/^(fail|warn)$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'images-findings.png') });

    await panel.close();
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('image-open');
  });

  it('the Debian findings view: OS, image age, no findings stated plainly, lint', async () => {
    const debian = await row(names.debian1);
    await debian.open();
    const panel = new ImageFindingsPanel(page);
    await expect.poll(() => panel.isOpen()).toBe(true);
    expect(await panel.title()).toBe(DEBIAN_IMAGE);
    expect(await panel.text('.image-os')).toContain('Debian GNU/Linux 12 (bookworm)');
    expect(await panel.text('.image-age')).toMatch(/^Built (today|\d+ days? ago)$/);
    const matched = await debian.vulnerabilities();
    if (matched === 0)
      expect(await panel.text('[data-vulns="0"]')).toMatch(/^0 known vulnerabilities in \d+ packages/);
    else expect(await panel.rows()).toHaveLength(matched ?? -1);
    const lint = await panel.lint();
    expect(lint.find((l) => l.id === 'image-user-root')?.status).toMatch(/^(fail|warn)$/);
    expect(lint.find((l) => l.id === 'image-no-healthcheck')?.status).toMatch(/^(fail|warn)$/);
    await panel.close();
  });

  it('flags a database imported more than seven days ago as stale, on the card and next to every finding', async () => {
    // Age the real import by rewriting its recorded import time (the store re-reads meta.json per scan).
    const metaPath = join(dataDir, 'advisories', 'meta.json');
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as { ecosystems: { importedAt: number }[] };
    const eightDaysAgo = Date.now() - (8 * 24 + 1) * 60 * 60 * 1000;
    for (const e of meta.ecosystems) e.importedAt = eightDaysAgo;
    await writeFile(metaPath, JSON.stringify(meta));

    const sample = await row(names.sample);
    await sample.rescan();
    await expect
      .poll(() => sample.db().innerText(), { timeout: SCAN_TIMEOUT })
      .toContain('stale (over 7 days)');
    expect(await sample.db().innerText()).toMatch(/8 days old/);
    await sample.open();
    const panel = new ImageFindingsPanel(page);
    await expect.poll(() => panel.isOpen()).toBe(true);
    const rows = await panel.rows();
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.db).toMatch(/8 days old\s*!?\s*stale \(over 7 days\)/);
    await panel.close();
  });

  it('never broke the Content Security Policy or threw in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
