import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { revealInvisible } from '../../renderer/src/state/format.js';
import type { Report } from '../../shared/domain/report/model.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { ReportDialogPage } from './pages/report-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';
import { TEST_IMAGE, TEST_LABEL, docker, removeContainers } from './support/docker-cli.js';

// Reports end to end, from real containers on the real dockerd: `node dist/web.cjs` (browser mode, its own
// data directory) driven through /usr/bin/chromium — the "Report…" dialog picks the containers, exports a PDF
// and a JSON through `report:export`, shows the progress pushes and the result — and `node dist/cli.cjs
// report`. The PDFs are read back with poppler: pdftotext must find every container's name and score (as the
// JSON export states them), the engine version (as `docker version` states it) and the advisory DB's age;
// pdfinfo's page count must be sane; pdftoppm renders page 1 and a details page, saved as the README's
// screenshots (assets/screenshots/report-page1.png, report-details.png).
//
// Containers (label bulkhead.test=1, removed in afterAll): a hardened busybox and one with SYS_ADMIN and no
// seccomp filter (--privileged cannot start on this machine's engine), both
// running a small loop (so the bpftrace source the app starts has syscalls to count); a Debian one (an OS
// package database for the real OSV records to be matched against); and one created, not started, whose
// Config.User is attacker-style markup with an RTL override (it reaches the report as posture evidence).
// The advisory DB is imported with the real CLI from ../shared/data/vuln/osv, then its recorded import time
// is set 9 days back (as test/e2e/images.test.ts does), so the report's "9 days old, stale" is known.

const exec = promisify(execFile);
const SCREENSHOTS = join(ROOT, 'assets', 'screenshots');
const DEBIAN_IMAGE = 'bulkhead-test/debian:bookworm';
const OSV_DIR = join(ROOT, '..', 'shared', 'data', 'vuln', 'osv');
const prefix = `bh-report-${randomBytes(3).toString('hex')}`;
const names = {
  hardened: `${prefix}-hardened`,
  sysadmin: `${prefix}-sys-admin`,
  debian: `${prefix}-debian`,
  hostile: `${prefix}-hostile`,
};
const ALL_NAMES = Object.values(names);
const PAYLOAD = `<img src=x onerror="window.__pwned=1">\u202Eevil\u200B<script>window.__pwned=2</script>`;
const DB_AGE_DAYS = 9;
const LOOP = 'while :; do cat /proc/self/status >/dev/null; ls / >/dev/null; sleep 0.2; done';

let dataDir = '';
let work = '';
let engineVersion = '';
let browser: Browser;
let context: BrowserContext;
let live: BrowserModeProcess | undefined;
let page: Page;
const dialogs: string[] = [];
/** Files this test wrote into the home directory (removed in afterAll). */
const homeFiles: string[] = [];
const pageErrors: string[] = [];

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, BULKHEAD_DATA_DIR: dataDir },
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

async function pdfText(pdf: string, ...args: string[]): Promise<string> {
  return (await exec('pdftotext', [...args, pdf, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

async function pdfPages(pdf: string): Promise<number> {
  return Number(/^Pages:\s+(\d+)/m.exec((await exec('pdfinfo', [pdf])).stdout)?.[1]);
}

/** Each page's text, first page first. */
async function pageTexts(pdf: string): Promise<string[]> {
  const all = await pdfText(pdf, '-layout');
  return all.split('\f').slice(0, await pdfPages(pdf));
}

/** The first page (1-based) whose text passes `test`. */
function pageWhere(pages: readonly string[], test: (text: string) => boolean): number {
  const i = pages.findIndex(test);
  if (i < 0) throw new Error('no page matches');
  return i + 1;
}

/** Render one page with pdftoppm and copy it to the README's screenshots. */
async function savePage(pdf: string, n: number, name: string): Promise<void> {
  const stem = join(work, name);
  await exec('pdftoppm', ['-png', '-r', '80', '-f', String(n), '-l', String(n), '-singlefile', pdf, stem]);
  const png = await readFile(`${stem}.png`);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  await copyFile(`${stem}.png`, join(SCREENSHOTS, `${name}.png`));
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'bh-report-data-'));
  work = await mkdtemp(join(tmpdir(), 'bh-report-e2e-'));
  const label = ['--label', TEST_LABEL];
  await docker(
    'run',
    '-d',
    ...label,
    '--name',
    names.hardened,
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
    TEST_IMAGE,
    'sh',
    '-c',
    LOOP,
  );
  await docker(
    'run',
    '-d',
    ...label,
    '--name',
    names.sysadmin,
    '--cap-add',
    'SYS_ADMIN',
    '--security-opt',
    'seccomp=unconfined',
    TEST_IMAGE,
    'sh',
    '-c',
    LOOP,
  );
  await docker('run', '-d', ...label, '--name', names.debian, DEBIAN_IMAGE, 'sleep', 'infinity');
  await docker('create', ...label, '--name', names.hostile, '--user', PAYLOAD, TEST_IMAGE);
  engineVersion = await docker('version', '--format', '{{.Server.Version}}');

  expect((await cli('db', 'import', OSV_DIR)).stdout).toMatch(/^Imported /);
  const metaPath = join(dataDir, 'advisories', 'meta.json');
  const meta = JSON.parse(await readFile(metaPath, 'utf8')) as { ecosystems: { importedAt: number }[] };
  for (const e of meta.ecosystems) e.importedAt = Date.now() - DB_AGE_DAYS * 24 * 60 * 60 * 1000;
  await writeFile(metaPath, JSON.stringify(meta));

  live = await startBrowserMode({ BULKHEAD_DATA_DIR: dataDir });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const dashboard = new DashboardPage(page);
  expect(await dashboard.open(live.url)).toBe(200);
  for (const name of ALL_NAMES) await dashboard.waitForCard(name);
});

afterAll(async () => {
  await removeContainers(ALL_NAMES);
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
  for (const f of homeFiles) await rm(f, { force: true });
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('reports from real containers', () => {
  let pdf = '';
  let report: Report;

  it('exports a PDF and a JSON from the Report… dialog, with progress, the result and the path', async () => {
    const dialog = new ReportDialogPage(page);
    // `e` opens it with focus on its heading; Escape closes it; the header button opens it too.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('e');
    await dialog.waitOpen();
    expect(await dialog.focused()).toBe('h2#report-dialog-title');
    await dialog.close();
    expect(await dialog.isOpen()).toBe(false);
    await dialog.button().click();
    await dialog.waitOpen();

    // Only this test's containers (other tests may run containers on the same engine).
    await dialog.allContainers().uncheck();
    expect(await dialog.root.locator('[data-report-problem]').textContent()).toBe(
      'Pick at least one container.',
    );
    expect(await dialog.exportButton().isDisabled()).toBe(true);
    for (const name of ALL_NAMES) await dialog.container(name).check();
    await dialog.window('Last minute').check();
    await dialog.format('pdf').check();
    // The default: a file named by the time in the engine user's home directory (browser mode has no save
    // dialog; the engine resolves ~).
    expect(await dialog.path().inputValue()).toMatch(/^~\/bulkhead-report-\d{8}-\d{4}\.pdf$/);
    pdf = join(work, 'dialog-report.pdf');
    await dialog.path().fill(pdf);
    await dialog.recordPhases();
    await dialog.exportButton().click();
    await dialog.root.locator('.report-status[data-export-state="running"]').waitFor({ state: 'visible' });
    expect(await dialog.waitForEnd()).toBe('done');
    const phases = await dialog.phases();
    expect(phases.some((p) => p.startsWith('rendering|'))).toBe(true);
    expect(phases.some((p) => /\(\d+ of \d+\)/.test(p))).toBe(true);

    const result = dialog.status().locator('.report-result');
    const pages = Number(await result.getAttribute('data-pages'));
    expect(await result.textContent()).toMatch(new RegExp(`^PDF, [\\d.]+ kB, ${pages} pages, in [\\d.]+ s$`));
    expect(await dialog.status().locator('.report-written-path').textContent()).toBe(pdf);
    expect(Number(await result.getAttribute('data-bytes'))).toBe((await stat(pdf)).size);
    expect(await pdfPages(pdf)).toBe(pages);

    // Browser mode has no file manager to ask: the path is shown, ready to copy.
    await dialog.root.getByRole('button', { name: 'Open containing folder' }).click();
    await dialog.root.locator('[data-reveal="unavailable"]').waitFor();
    expect(await dialog.root.locator('.report-copy-path').inputValue()).toBe(pdf);
    await page.screenshot({ path: join(ROOT, 'test-results', 'report-dialog.png') }).catch(() => undefined);

    // The same choices as JSON: the typed path keeps its name, with the new extension.
    await dialog.format('json').check();
    expect(await dialog.path().inputValue()).toBe(join(work, 'dialog-report.json'));
    await dialog.exportButton().click();
    expect(await dialog.waitForEnd()).toBe('done');
    report = JSON.parse(await readFile(join(work, 'dialog-report.json'), 'utf8')) as Report;
    expect(report.containers.map((c) => c.name).sort()).toEqual([...ALL_NAMES].sort());

    // A ~/ path is the engine user's home (this engine is local: this test's own home).
    const inHome = `bh-report-e2e-${randomBytes(3).toString('hex')}.json`;
    homeFiles.push(join(homedir(), inHome));
    await dialog.path().fill(`~/${inHome}`);
    await dialog.exportButton().click();
    expect(await dialog.waitForEnd()).toBe('done');
    expect(await dialog.status().locator('.report-written-path').textContent()).toBe(join(homedir(), inHome));
    expect((await stat(join(homedir(), inHome))).isFile()).toBe(true);

    // A file the engine cannot write: a clear error, and the dialog stays usable.
    await dialog.path().fill(join(work, 'no-such-dir', 'r.json'));
    await dialog.exportButton().click();
    expect(await dialog.waitForEnd()).toBe('failed');
    expect(await dialog.root.locator('.report-failed-message').textContent()).toMatch(/no-such-dir/);
    expect(await dialog.exportButton().isEnabled()).toBe(true);
    await dialog.close();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('prints every container with its score, the engine version and the DB age, on a sane number of pages', async () => {
    const pages = await pageTexts(pdf);
    // Cover, contents, summary, a page or more per container, methodology, host checks.
    expect(pages.length).toBeGreaterThanOrEqual(5 + ALL_NAMES.length);
    expect(pages.length).toBeLessThanOrEqual(10 + 12 * ALL_NAMES.length);
    expect(pages[0]).toContain(`Docker ${engineVersion}`);
    for (const c of report.containers) {
      const row = report.summary.rows.find((r) => r.id === c.id);
      expect(row?.score, c.name).toEqual(expect.any(Number));
      // On the summary page, and on the first page of the container's own details.
      const summary = pages.find((t) => t.includes('Summary') && t.includes('Highlights')) ?? '';
      expect(summary).toContain(c.name);
      const details = pageWhere(pages, (t) => /CONTAINER \d+ OF \d+/.test(t) && t.includes(c.name));
      expect(pages[details - 1]).toContain(`${row?.score}/100`);
    }
    // The advisory DB's age as the images sections state it, with the stale flag.
    const all = pages.join('\n');
    expect(all).toContain(`${DB_AGE_DAYS} days old`);
    expect(all).toContain('stale (over 7 days)');
    // The hostile Config.User is printed as text, its RTL override written out (-raw: drawing order).
    const raw = (await pdfText(pdf, '-raw')).replace(/\s+/g, '');
    expect(raw.includes(revealInvisible(PAYLOAD).replace(/\s+/g, ''))).toBe(true);
    expect(raw.includes('\u202E')).toBe(false);

    // The README's screenshots: the cover, and the first details page of the SYS_ADMIN container.
    await savePage(pdf, 1, 'report-page1');
    await savePage(
      pdf,
      pageWhere(pages, (t) => /CONTAINER \d+ OF \d+/.test(t) && t.includes(names.sysadmin)),
      'report-details',
    );
  });

  it('writes the same from the CLI, headless, with the syscalls of a live bpftrace source', async () => {
    const out = join(work, 'cli-report.pdf');
    const { stdout } = await cli(
      'report',
      '--format',
      'pdf',
      '--out',
      out,
      '--containers',
      `${names.hardened},${names.sysadmin}`,
      '--sections',
      'posture,syscalls',
      '--source',
      'bpf',
      '--duration',
      '6s',
    );
    expect(stdout).toContain(out);
    const text = await pdfText(out);
    expect(text).toContain(names.hardened);
    expect(text).toContain(names.sysadmin);
    expect(text).toContain(`Docker ${engineVersion}`);
    expect(text).toContain('Syscalls by count in the report window');
    expect(await pdfPages(out)).toBeGreaterThanOrEqual(7);
  });
});
