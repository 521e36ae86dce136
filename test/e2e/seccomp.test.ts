import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SeccompReport } from '../../shared/domain/seccomp/report.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { SeccompPanelPage } from './pages/seccomp-pages.js';
import { SyscallsPage } from './pages/syscalls-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';

// The seccomp panel end to end: `node dist/web.cjs` (the real engine, syscall service and seccomp service,
// the real sysdig reading a real capture) driven through /usr/bin/chromium. The oracle is the CLI —
// `bulkhead seccomp generate --json` on the same capture with the same environment — so what reaches the
// screen and the downloaded file is checked against what the engine's other front end prints.

const execFileAsync = promisify(execFile);
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const CAPTURE = resolve(ROOT, '..', 'shared', 'data', 'scap', 'sysdig-inspect_502Error.scap');
const DEFAULT_PROFILE = resolve(
  ROOT,
  '..',
  'shared',
  'data',
  'seccomp',
  'moby-profiles_seccomp_default.json',
);
const WEB = 'example2_web_1';
/** sysdig's id of example2_web_1 in the capture. */
const WEB_ID = 'c78a447010cd';
const WITH_DEFAULT = { BULKHEAD_SECCOMP_DEFAULT: DEFAULT_PROFILE };
// Empty is "not set" for the engine, whatever the environment the tests run in.
const WITHOUT_DEFAULT = { BULKHEAD_SECCOMP_DEFAULT: '' };

/** The CLI's report for example2_web_1 in the capture. */
async function cliReport(env: Record<string, string>, quietSeconds?: number): Promise<SeccompReport> {
  const args = [
    join(ROOT, 'dist', 'cli.cjs'),
    'seccomp',
    'generate',
    '--source',
    `capture:${CAPTURE}`,
    '--container',
    WEB_ID,
    '--json',
    ...(quietSeconds === undefined ? [] : ['--quiet-seconds', String(quietSeconds)]),
  ];
  const { stdout } = await execFileAsync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as SeccompReport;
}

const allowedNames = (json: string): string[] =>
  (JSON.parse(json) as { syscalls: { names: string[] }[] }).syscalls.flatMap((r) => r.names);

let browser: Browser;
let context: BrowserContext;
let live: BrowserModeProcess | undefined;
let bare: BrowserModeProcess | undefined;
let page: Page;
let oracle: SeccompReport;
let oracleQuiet: SeccompReport;
let oracleBare: SeccompReport;
const pageErrors: string[] = [];

/** Open the Syscalls view of `url`, replay the capture at max and open example2_web_1's detail. */
async function openWebDetail(p: Page, url: string): Promise<SeccompPanelPage> {
  expect(await new DashboardPage(p).open(url)).toBe(200);
  const view = new SyscallsPage(p);
  await view.show();
  await view.openCapture(CAPTURE, 'max');
  await expect.poll(() => view.phase(), { timeout: 30_000 }).toBe('exited');
  await expect.poll(() => view.subjectNames(), { timeout: 10_000 }).toContain(WEB);
  await view.subject(WEB).openDetail();
  await expect.poll(() => view.detail().root.getAttribute('data-detail')).toBe(WEB);
  return new SeccompPanelPage(view.detail().root.locator('[data-seccomp-panel]'));
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  [oracle, oracleQuiet, oracleBare] = await Promise.all([
    cliReport(WITH_DEFAULT),
    cliReport(WITH_DEFAULT, 3600),
    cliReport(WITHOUT_DEFAULT),
  ]);
  live = await startBrowserMode(WITH_DEFAULT);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: live.origin });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
  await bare?.stop().catch(() => undefined);
});

describe('the seccomp panel against the real engine', () => {
  let panel: SeccompPanelPage;

  it('generates from the keyboard, with the numbers and lists the CLI prints', async () => {
    panel = await openWebDetail(page, live!.url);
    expect(await panel.status()).toBe('idle');
    expect(await panel.statusText()).toContain('No profile generated yet.');
    await panel.generateWithKeyboard();
    await expect.poll(() => panel.status(), { timeout: 20_000 }).toBe('ready');
    // Focus stays on the button, now "Generate again".
    expect(await panel.generateButton().evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await panel.generateButton().innerText()).toContain('Generate again');

    if (!oracle.versusDefault.available) throw new Error(`the CLI had no default: ${JSON.stringify(oracle)}`);
    const c = oracle.versusDefault.comparison;
    expect(await panel.sentence().innerText()).toContain(c.reduction.sentence);
    expect(c.reduction.sentence).toMatch(/^this profile allows \d+ of the \d+ syscalls the default allows: /);
    expect(await panel.numbers()).toEqual({
      allowed: c.reduction.allowed,
      defaultAllowed: c.reduction.defaultAllowed,
      pct: c.reduction.reductionPct,
    });

    const d = c.defaultProfile;
    const allowed = await panel.list('observed-allowed');
    expect(allowed.count).toBe(d.observedAllowed.length + d.observedConditional.length);
    expect(allowed.names).toEqual([...d.observedAllowed, ...d.observedConditional].sort());
    const blocked = await panel.list('observed-blocked');
    expect(blocked.count).toBe(d.observedBlocked.length);
    expect(blocked.names).toEqual(d.observedBlocked);
    expect(blocked.summary).toContain('would fail');
    const unused = await panel.list('allowed-unused');
    expect(unused.count).toBe(d.allowedUnused.length);
    expect(unused.names).toEqual(d.allowedUnused);
    expect(unused.summary).toContain('attack surface left open');

    const m = oracle.whole.metadata;
    expect((await panel.list('runtime-added')).names).toEqual(m.runtimeAdded);
    expect((await panel.list('unknown')).names).toEqual(m.unknown);
    expect((await panel.list('ignored')).names).toEqual(m.ignored);
  });

  it('shows the split phase as the CLI finds it, with the note on running containers', async () => {
    const p = oracle.phases;
    if (p === null) throw new Error('the CLI found no phases in the capture');
    const boundary = await panel.boundary();
    expect(boundary.kind).toBe(p.boundary.kind);
    if (p.boundary.kind === 'quiet')
      expect(boundary.text).toContain(`no new syscall for ${p.boundary.quietSeconds} s`);
    // example2_web_1 is only in the capture: the engine says why there is no health boundary.
    expect(await panel.health()).toBe(p.health?.basis ?? null);
    expect(await panel.setCounts()).toEqual({ startup: p.startupSet.length, running: p.runningSet.length });
    expect((await panel.list('startup-only')).names).toEqual(p.startupOnly);
    expect(await panel.runningSentence()).toBe(p.reduction?.sentence);
    expect(await panel.note()).toBe(oracle.note);

    await panel.root.scrollIntoViewIfNeeded();
    await panel.root.screenshot({ path: join(SCREENSHOTS, 'seccomp-panel.png') });
  });

  it('downloads both profiles as JSON files whose allowed names are the CLI’s', async () => {
    const whole = await panel.download('whole');
    expect(whole.suggestedFilename()).toBe(`seccomp-${WEB}.json`);
    const text = await readFile(await whole.path(), 'utf8');
    expect(allowedNames(text)).toEqual(oracle.whole.metadata.allowed);
    expect(allowedNames(text)).toEqual(allowedNames(oracle.whole.json));
    expect(text).toBe(oracle.whole.json);

    const runningJson = oracle.phases?.running?.json;
    if (runningJson === undefined) throw new Error('the CLI found no running phase');
    const running = await panel.download('running');
    expect(running.suggestedFilename()).toBe(`seccomp-${WEB}-running.json`);
    expect(allowedNames(await readFile(await running.path(), 'utf8'))).toEqual(allowedNames(runningJson));
  });

  it('copies the profile to the clipboard', async () => {
    await panel.copyButton('whole').click();
    await expect
      .poll(() => panel.root.locator('[data-copy-status]').innerText(), { timeout: 5_000 })
      .toBe('Copied the profile to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(oracle.whole.json);
  });

  it('regenerates when the quiet seconds change; without a boundary the running download says why', async () => {
    const input = panel.quietSeconds();
    expect(await input.inputValue()).toBe('5');
    await input.fill('0');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await panel.root.innerText()).toContain('Quiet seconds must be a whole number from 1 to 3600.');

    await input.fill('3600');
    expect(await input.getAttribute('aria-invalid')).toBe('false');
    const q = oracleQuiet.phases;
    if (q === null) throw new Error('the CLI found no phases in the capture');
    await expect.poll(async () => (await panel.boundary()).kind, { timeout: 20_000 }).toBe(q.boundary.kind);
    await expect.poll(() => panel.status(), { timeout: 20_000 }).toBe('ready');
    expect(q.boundary.kind).toBe('none-yet');
    expect((await panel.boundary()).text).toContain('not yet');
    expect(await panel.downloadButton('running').isDisabled()).toBe(true);
    expect(await panel.downloadReason().innerText()).toContain('No running-phase profile yet');
    // The whole-life profile does not depend on the split.
    expect(await panel.sentence().innerText()).toContain(
      oracleQuiet.versusDefault.available ? oracleQuiet.versusDefault.comparison.reduction.sentence : '?',
    );

    await input.fill('5');
    await expect
      .poll(async () => (await panel.boundary()).kind, { timeout: 20_000 })
      .toBe(oracle.phases?.boundary.kind);
    expect(await panel.downloadButton('running').isDisabled()).toBe(false);
  });

  it('without Docker’s default profile, shows the engine’s reason', async () => {
    bare = await startBrowserMode(WITHOUT_DEFAULT);
    const other = await context.newPage();
    other.on('pageerror', (e) => pageErrors.push(e.message));
    const p = await openWebDetail(other, bare.url);
    await p.generateButton().click();
    await expect.poll(() => p.status(), { timeout: 20_000 }).toBe('ready');
    if (oracleBare.versusDefault.available) throw new Error('the CLI found a default without the variable');
    const reason = oracleBare.versusDefault.reason;
    expect(reason).toContain('BULKHEAD_SECCOMP_DEFAULT');
    expect(await p.unavailable().innerText()).toContain(reason);
    expect(await p.sentence().count()).toBe(0);
    // The profile itself does not need the default.
    const download = await p.download('whole');
    expect(allowedNames(await readFile(await download.path(), 'utf8'))).toEqual(
      oracleBare.whole.metadata.allowed,
    );
    await other.close();
  });

  it('threw no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
