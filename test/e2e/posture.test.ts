import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DashboardPage } from './pages/dashboard-page.js';
import { PostureMatrixPage, PosturePanel, PostureRow } from './pages/posture-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';
import { TEST_IMAGE, TEST_LABEL, docker, removeContainers } from './support/docker-cli.js';

// The posture UI end to end: `node dist/web.cjs` against the real dockerd, driven through /usr/bin/chromium.
// Containers are created here with the security options under test (labelled bulkhead.test=1) and removed
// in afterAll, by id. Nothing is faked: grades, cells and evidence come from the real engine's
// `posture:assess` over real inspect documents and this host's /proc.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const NO_SUCH_SOCKET = 'unix:///tmp/bulkhead-no-such-posture.sock';
// `0-` sorts first, so the test containers are the first cards and columns on a shared engine.
const prefix = `0-bh-posture-${randomBytes(3).toString('hex')}`;
const names = { hardened: `${prefix}-hardened`, sysAdmin: `${prefix}-sys-admin`, late: `${prefix}-late` };

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
  '--cpus',
  '0.5',
];
const SYS_ADMIN = ['--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined'];

let browser: Browser;
const contexts: BrowserContext[] = [];
const created: string[] = [];
let live: BrowserModeProcess | undefined;
let demo: BrowserModeProcess | undefined;
let page: Page;
let dashboard: DashboardPage;
let sysAdminPid = 0;
const pageErrors: string[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  const p = await context.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
      pageErrors.push(m.text());
  });
  return p;
}

/** `docker run -d` with security options; resolves with the full id. */
async function run(name: string, options: readonly string[]): Promise<string> {
  const id = await docker('run', '-d', '--label', TEST_LABEL, '--name', name, ...options, TEST_IMAGE);
  created.push(id);
  return id;
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  await docker('image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE);
  await run(names.hardened, HARDENED);
  const sysAdmin = await run(names.sysAdmin, SYS_ADMIN);
  sysAdminPid = Number(await docker('inspect', '--format', '{{.State.Pid}}', sysAdmin));
  live = await startBrowserMode();
  browser = await launchChromium();
  page = await newPage();
  dashboard = new DashboardPage(page);
  expect(await dashboard.open(live.url)).toBe(200);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
  await demo?.stop().catch(() => undefined);
  await removeContainers(created);
});

describe('posture against the real engine', () => {
  it('grades every card, the hardened container better than the SYS_ADMIN + seccomp=unconfined one', async () => {
    const hardened = new PostureRow((await dashboard.waitForCard(names.hardened)).root);
    const sysAdmin = new PostureRow((await dashboard.waitForCard(names.sysAdmin)).root);
    await expect.poll(() => hardened.state(), { timeout: 15_000 }).toBe('assessed');
    await expect.poll(() => sysAdmin.state(), { timeout: 15_000 }).toBe('assessed');

    expect(await hardened.grade()).toMatch(/^[A-F]$/);
    expect(await sysAdmin.grade()).toMatch(/^[A-F]$/);
    expect(await hardened.score()).toBeGreaterThan(await sysAdmin.score());
    expect((await hardened.grade()) < (await sysAdmin.grade())).toBe(true);
    expect(await hardened.evidenceKind()).toBe('kernel evidence');
    expect(await sysAdmin.evidenceKind()).toBe('kernel evidence');

    const worst = await sysAdmin.worst();
    expect(worst).toContain('Seccomp filter active · CIS 5.22');
    expect(worst).toContain('Capabilities restricted · CIS 5.4');
    expect((await sysAdmin.counts()).fail).toBeGreaterThanOrEqual(2);
    expect((await hardened.counts()).fail).toBe(0);

    await dashboard.card(names.hardened).root.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'posture-cards.png') });
  });

  it('sorts the matrix by score and filters it by severity', async () => {
    const matrix = new PostureMatrixPage(page);
    await matrix.show();
    await expect
      .poll(() => matrix.columnNames())
      .toEqual(expect.arrayContaining([names.hardened, names.sysAdmin]));

    await matrix.sortBy('score-asc');
    const asc = (await matrix.columnScores()).filter((s): s is number => s !== null);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    const order = await matrix.columnNames();
    expect(order.indexOf(names.sysAdmin)).toBeLessThan(order.indexOf(names.hardened));
    await matrix.sortBy('score-desc');
    const desc = (await matrix.columnScores()).filter((s): s is number => s !== null);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await page.screenshot({ path: join(SCREENSHOTS, 'posture-matrix.png') });

    const all = (await matrix.rowIds()).length;
    for (const s of ['medium', 'low', 'info']) await matrix.severityChip(s).click();
    const severities = await matrix.rowSeverities();
    expect(new Set(severities)).toEqual(new Set(['critical', 'high']));
    expect(await matrix.runtimeCount().innerText()).toBe(
      `Showing ${severities.length} of ${all} checks · ${all - severities.length} hidden by filters`,
    );
    expect(await matrix.rowIds()).toContain('seccomp');
  });

  it('opens the seccomp cell of the SYS_ADMIN container: /proc Seccomp evidence and the remediation', async () => {
    const matrix = new PostureMatrixPage(page);
    const cell = await matrix.cell('seccomp', names.sysAdmin);
    expect(await cell.innerText()).toMatch(/^✕\s*fail$/);
    await cell.click();
    const panel = new PosturePanel(page);
    expect(await panel.isOpen()).toBe(true);
    expect(await panel.title()).toBe('Seccomp filter active');
    expect(await panel.status()).toMatch(/fail/);
    expect(await panel.text('.finding-cis')).toContain('5.22');
    const evidence = await panel.evidence();
    expect(evidence).toContainEqual({
      source: 'kernel (/proc)',
      field: `/proc/${sysAdminPid}/status Seccomp`,
      value: '0',
      role: 'decides',
    });
    expect(evidence.find((e) => e.field === 'HostConfig.SecurityOpt')?.value).toContain('seccomp=unconfined');
    expect(await panel.text('.evidence-basis')).toMatch(/the kernel wins/);
    expect(await panel.text('.remediation-flag')).toContain('seccomp=unconfined');
    expect(await panel.text('.remediation-compose')).toContain('security_opt');
    expect((await panel.text('.finding-rationale')).length).toBeGreaterThan(20);
    await page.screenshot({ path: join(SCREENSHOTS, 'posture-evidence.png') });
    await panel.close();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-status'))).toBe('fail');
  });

  it('shows AppArmor as n/a, not available on this host', async () => {
    const matrix = new PostureMatrixPage(page);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    const cell = await matrix.cell('apparmor-profile', names.hardened);
    expect(await cell.innerText()).toMatch(/^–\s*n\/a$/);
    await cell.click();
    const panel = new PosturePanel(page);
    expect(await panel.text('.finding-message')).toContain('AppArmor is not available on this host.');
    await panel.close();
  });

  it('shows the host (daemon) score', async () => {
    const matrix = new PostureMatrixPage(page);
    const score = Number(await matrix.hostScore().getAttribute('data-host-score'));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(100);
    expect(await page.locator('.host-table tbody tr').count()).toBeGreaterThan(10);
    expect(await page.locator('.host-posture-fact .grade-letter').innerText()).toMatch(/^[A-F]$/);
  });

  it('adds a container created during the test without a reload: created, not running, no kernel evidence', async () => {
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    const id = await docker('create', '--label', TEST_LABEL, '--name', names.late, TEST_IMAGE);
    created.push(id);
    const matrix = new PostureMatrixPage(page);
    await expect.poll(() => matrix.columnNames(), { timeout: 10_000 }).toContain(names.late);
    expect(await matrix.column(names.late).innerText()).toContain('not running');
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);

    await page.getByRole('tab', { name: 'Containers', exact: true }).click();
    const late = new PostureRow((await dashboard.waitForCard(names.late)).root);
    await expect.poll(() => late.state(), { timeout: 10_000 }).toBe('assessed');
    expect(await late.notRunning().innerText()).toBe('Created, not running: no kernel evidence');
    expect(await late.evidenceKind()).toBe('configuration only');
  });

  it('renders the demo containers in the matrix, each labelled DEMO DATA, when no engine is reachable', async () => {
    const scenario = JSON.parse(await readFile(join(ROOT, 'assets', 'demo', 'scenario.json'), 'utf8')) as {
      containers: { summary: { name: string } }[];
    };
    const expected = scenario.containers.map((c) => c.summary.name).sort((a, b) => a.localeCompare(b, 'en'));
    expect(expected.length).toBeGreaterThan(0);
    demo = await startBrowserMode({ DOCKER_HOST: NO_SUCH_SOCKET });
    const demoPage = await newPage();
    const demoDashboard = new DashboardPage(demoPage);
    expect(await demoDashboard.open(demo.url)).toBe(200);
    await demoDashboard.banner('demo').waitFor({ timeout: 15_000 });
    const matrix = new PostureMatrixPage(demoPage);
    await matrix.show();
    await expect
      .poll(() => matrix.columnNames().then((n) => [...n].sort((a, b) => a.localeCompare(b, 'en'))), {
        timeout: 15_000,
      })
      .toEqual(expected);
    const heads = await matrix.columnHeads().allInnerTexts();
    for (const head of heads) expect(head).toContain('DEMO DATA');
    expect(await demoPage.locator('table.matrix tbody td').count()).toBeGreaterThan(0);
    await demoPage.screenshot({ path: join(SCREENSHOTS, 'posture-demo-matrix.png') });
  });

  it('never broke the Content Security Policy or threw in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
