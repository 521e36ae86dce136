import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { labDown, openLabEngine } from '../../electron/adapters/docker/lab.js';
import { createPrivateDockerd } from '../support/private-dockerd.js';
import type { PrivateDockerd } from '../support/private-dockerd.js';
import { ensureTracefs } from '../support/tracefs.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { LabPanelPage, StageBannerPage } from './pages/stage-pages.js';
import { SyscallsPage } from './pages/syscalls-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';
import { removeContainers, runDetached } from './support/docker-cli.js';

// On stage, end to end in Chromium against browser mode (`node dist/web.cjs`), nothing faked:
//  - offline: no engine (DOCKER_HOST points at a socket that does not exist) and no tracer (PATH holds
//    only a link to node, so neither bpftrace nor sysdig is found): the demo data and the recorded lab
//    session (assets/demo/lab-session.jsonl, a real recording) run, labelled, in a loop;
//  - live (the real dockerd, root, bpftrace): the Lab panel drives `lab up`, both attacks and `lab down`
//    from the keyboard; then the real eBPF source is killed (SIGKILL to the bpftrace this browser mode
//    started, found by its parent pid) and the one-line notice offers the recording, which `r` switches to;
//  - the engine dying: a private dockerd (test/support/private-dockerd.ts) is stopped under a page that
//    watches it, and started again.
// The lab's containers (bulkhead-lab-*, label bulkhead.lab=1) are removed in afterAll with `lab down`.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const NO_SUCH_SOCKET = 'unix:///tmp/bulkhead-no-such-stage.sock';
const BYSTANDER = `bh-stage-${Date.now().toString(36)}`;

let browser: Browser;
const contexts: BrowserContext[] = [];
const servers: BrowserModeProcess[] = [];
let pathDir: string;
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

/** The pids of the processes whose parent is `ppid` and whose name is `comm`. */
async function childrenNamed(ppid: number, comm: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const parent = Number(stat.slice(close + 2).split(' ')[1]);
    if (name === comm && parent === ppid) found.push(Number(entry));
  }
  return found;
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  pathDir = await mkdtemp(join(tmpdir(), 'bh-stage-path-'));
  await symlink(process.execPath, join(pathDir, 'node'));
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  for (const s of servers) await s.stop().catch(() => undefined);
  await removeContainers([BYSTANDER]);
  await labDown(openLabEngine()).catch(() => undefined);
  await rm(pathDir, { recursive: true, force: true });
});

describe('offline: no engine, no bpftrace, no sysdig', () => {
  let page: Page;
  let dashboard: DashboardPage;

  beforeAll(async () => {
    const offline = await startBrowserMode({ DOCKER_HOST: NO_SUCH_SOCKET, PATH: pathDir });
    servers.push(offline);
    page = await newPage();
    dashboard = new DashboardPage(page);
    expect(await dashboard.open(offline.url)).toBe(200);
    await dashboard.banner('demo').waitFor({ timeout: 15_000 });
  });

  it('replays the recorded lab session over the demo data, labelled, with the weak container’s alerts', async () => {
    const weak = await dashboard.waitForCard('bulkhead-lab-weak');
    const hardened = await dashboard.waitForCard('bulkhead-lab-hardened');
    expect(await weak.hasDemoTag()).toBe(true);
    expect(await hardened.hasDemoTag()).toBe(true);
    // The recording is the default runtime source: its frames reach the demo cards, tagged RECORDING.
    await weak.root.locator('[data-syscalls-state="data"]').waitFor({ timeout: 15_000 });
    expect(await weak.root.locator('[data-replay-tag="RECORDING"]').innerText()).toContain('RECORDING');

    const view = new SyscallsPage(page);
    await view.show();
    expect(await view.root().getByLabel('Live source or recording').inputValue()).toBe('lab-session');
    const availability = await view.availability();
    expect(availability.find((a) => a.kind === 'bpf')).toMatchObject({ available: false });
    expect(availability.find((a) => a.kind === 'bpf')!.text).toMatch(/bpftrace is not installed/);
    expect(availability.find((a) => a.kind === 'sysdig-live')!.text).toMatch(/sysdig is not installed/);
    expect(availability.find((a) => a.kind === 'lab-session')).toMatchObject({ available: true });
    expect(await view.root().locator('.syscalls-status [data-replay-tag="RECORDING"]').count()).toBe(1);
    expect(await view.note().innerText()).toMatch(/RECORDING, not live/);
    // x1 by default, streaming (a loop has no end), looping.
    expect(await view.root().getByLabel('Replay speed').inputValue()).toBe('1');
    expect(await view.phase()).toBe('streaming');
    expect(await view.root().locator('[data-replay-loop="true"]').count()).toBe(1);

    // Faster, so the loop comes round within the test: the position must go back to the start.
    await view.root().getByLabel('Replay speed').selectOption('10');
    const positions: number[] = [];
    const wrapped = async (): Promise<boolean> => {
      positions.push(await view.position());
      return positions.some((p, i) => i > 0 && p < positions[i - 1]!);
    };
    await expect.poll(wrapped, { timeout: 20_000, interval: 100 }).toBe(true);

    await page.getByRole('tab', { name: 'Containers' }).click();
    const alerts = weak.root.locator('.syscalls-alert');
    await expect
      .poll(() => alerts.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-alert-syscall'))), {
        timeout: 20_000,
      })
      .toEqual(expect.arrayContaining(['mount', 'ptrace']));
    // Over a whole lap (about 3 s at x10), the hardened container never raises one: seccomp refused it all.
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      expect(await hardened.root.locator('.syscalls-alert').count()).toBe(0);
      await page.waitForTimeout(100);
    }
    await weak.root.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'stage-offline-replay.png') });
  });

  it('has the lab buttons, reachable by keyboard, each saying why it cannot run on demo data', async () => {
    const lab = new LabPanelPage(page);
    await lab.toggle().focus();
    await page.keyboard.press('Enter');
    await lab.root().waitFor({ state: 'visible' });
    expect(await lab.actions()).toEqual([
      { id: 'up', label: 'Up', off: true },
      { id: 'attack-weak', label: 'Attack weak', off: true },
      { id: 'attack-hardened', label: 'Attack hardened', off: true },
      { id: 'down', label: 'Down', off: true },
    ]);
    expect(await lab.reasons().innerText()).toBe(
      'Demo data is shown: the lab needs the local Docker engine.',
    );
    // Opening the panel moves focus to its heading; Tab goes on through Close and the four buttons.
    const reached: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      reached.push(await lab.focusedAction());
    }
    expect(reached).toEqual(['close', 'up', 'attack-weak', 'attack-hardened', 'down']);
    // A button that cannot run does nothing when pressed.
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(await lab.root().locator('.lab-log').count()).toBe(0);
    expect(await lab.action('down').getAttribute('aria-describedby')).toBe(
      await lab.reasons().getAttribute('id'),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'stage-lab-offline.png') });
    await lab.toggle().click();
  });
});

describe('the engine dying mid-talk', () => {
  let dockerd: PrivateDockerd;
  let page: Page;
  let dashboard: DashboardPage;

  beforeAll(async () => {
    dockerd = await createPrivateDockerd();
    await dockerd.start();
    // No tracer either: nothing runs for the runtime row until the switch.
    const server = await startBrowserMode({ DOCKER_HOST: dockerd.host, PATH: pathDir });
    servers.push(server);
    page = await newPage();
    dashboard = new DashboardPage(page);
    expect(await dashboard.open(server.url)).toBe(200);
    await page.locator('.connection-pill').getByText('Connected').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await dockerd?.cleanup();
  });

  it('says so in one line and `r` switches to the recording over demo data, even with the demo hidden; back once it returns', async () => {
    const stage = new StageBannerPage(page);
    const view = new SyscallsPage(page);
    expect(await stage.lost().count()).toBe(0);
    await dockerd.stop();
    await stage.lost().waitFor({ timeout: 15_000 });
    expect(await stage.lost().getAttribute('data-cause')).toBe('engine');
    expect(await stage.lost().locator('.stage-text').innerText()).toMatch(
      new RegExp(
        `^Live data stopped at \\d\\d:\\d\\d:\\d\\d: the Docker engine at ${dockerd.host.replace(/[.]/g, '\\.')} is not answering\\.$`,
      ),
    );
    // The cards went to demo data by themselves; hide it, so the switch has to bring it back.
    await dashboard.banner('demo').waitFor({ timeout: 15_000 });
    await dashboard.button('Hide demo data').click();
    await expect.poll(() => dashboard.cards().count(), { timeout: 10_000 }).toBe(0);
    await page.keyboard.press('r');
    const weak = await dashboard.waitForCard('bulkhead-lab-weak');
    expect(await weak.hasDemoTag()).toBe(true);
    await weak.root.locator('[data-replay-tag="RECORDING"]').waitFor({ timeout: 20_000 });
    expect(await stage.lost().count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'stage-engine-died.png') });

    await dockerd.start();
    await stage.back().waitFor({ timeout: 30_000 });
    await stage.backButton().click();
    await view.show();
    // Back to what ran before the switch: nothing, as no tracer is installed here.
    await expect.poll(() => view.root().getByLabel('Live source or recording').inputValue()).toBe('');
    await expect.poll(() => dashboard.cards().count(), { timeout: 15_000 }).toBe(0);
    expect(await stage.back().count()).toBe(0);
  });
});

describe('live: the lab from the app, and the eBPF source dying mid-talk', () => {
  let live: BrowserModeProcess;
  let page: Page;
  let dashboard: DashboardPage;
  let lab: LabPanelPage;

  beforeAll(async () => {
    await ensureTracefs();
    // Leftovers of an interrupted run carry the label.
    await labDown(openLabEngine());
    live = await startBrowserMode();
    servers.push(live);
    page = await newPage();
    dashboard = new DashboardPage(page);
    lab = new LabPanelPage(page);
    expect(await dashboard.open(live.url)).toBe(200);
    const view = new SyscallsPage(page);
    await view.show();
    // On a live engine with bpftrace, eBPF is the default source.
    const until = Date.now() + 20_000;
    while ((await view.phase()) !== 'streaming') {
      if (Date.now() > until) throw new Error(`the eBPF source is not streaming: ${await view.phase()}`);
      await page.waitForTimeout(100);
    }
    expect(await view.root().getByLabel('Live source or recording').inputValue()).toBe('bpf');
    await page.getByRole('tab', { name: 'Containers' }).click();
  });

  it('runs up, attack weak, attack hardened and down from the keyboard, with the CLI’s lines and BLOCKED marked', async () => {
    await lab.open();
    await expect
      .poll(() => lab.actions())
      .toEqual([
        { id: 'up', label: 'Up', off: false },
        { id: 'attack-weak', label: 'Attack weak', off: true },
        { id: 'attack-hardened', label: 'Attack hardened', off: true },
        { id: 'down', label: 'Down', off: true },
      ]);
    expect(await lab.reasons().innerText()).toContain('There is no bulkhead-lab-weak: press Up first.');
    const press = async (id: 'up' | 'attack-weak' | 'attack-hardened' | 'down'): Promise<void> => {
      await expect
        .poll(async () => (await lab.actions()).find((a) => a.id === id)?.off, { timeout: 20_000 })
        .toBe(false);
      await lab.action(id).focus();
      await page.keyboard.press('Enter');
    };

    await press('up');
    await expect
      .poll(() => lab.summary().innerText(), { timeout: 60_000 })
      .toMatch(/^lab up: \d of 5 running/);
    const up = await lab.lines();
    expect(up[0]).toEqual({ tone: 'info', text: 'lab up on unix:///var/run/docker.sock:' });
    expect(up.map((l) => l.text)).toContainEqual(
      expect.stringMatching(/^weak: created and started \(bulkhead-lab-weak, [0-9a-f]{12}\)$/),
    );
    expect(up.at(-1)!.text).toMatch(/^seccomp profile of the hardened container, generated by Bulkhead/);
    await dashboard.waitForCard('bulkhead-lab-weak');

    await press('attack-weak');
    await expect
      .poll(() => lab.summary().innerText(), { timeout: 60_000 })
      .toMatch(/^bulkhead-lab-weak: 0 of 7 steps blocked/);
    const weakLines = await lab.lines();
    expect(weakLines[0]!.text).toBe('attack on bulkhead-lab-weak (role weak): 7 steps, 1 s apart');
    expect(weakLines.filter((l) => l.tone === 'step')).toHaveLength(7);
    expect(weakLines).toContainEqual({
      tone: 'through',
      text: 'went through, exit 0: mount("none", "/mnt", "tmpfs", 0, NULL) = 0',
    });
    // The live eBPF source saw the calls: their alerts are on the weak card.
    const weak = dashboard.card('bulkhead-lab-weak');
    await expect
      .poll(
        () =>
          weak.root
            .locator('.syscalls-alert')
            .evaluateAll((l) => l.map((li) => li.getAttribute('data-alert-syscall'))),
        {
          timeout: 10_000,
        },
      )
      .toEqual(expect.arrayContaining(['mount', 'ptrace']));

    await press('attack-hardened');
    await expect
      .poll(() => lab.summary().innerText(), { timeout: 60_000 })
      .toBe('bulkhead-lab-hardened: 6 of 7 steps blocked (EPERM 5, EACCES 1), 1 went through');
    const hardLines = await lab.lines();
    const blocked = hardLines.filter((l) => l.tone === 'blocked');
    expect(blocked).toHaveLength(6);
    for (const l of blocked) expect(l.text).toMatch(/^BLOCKED \((EPERM|EACCES)\), exit 1: /);
    expect(await lab.root().locator('.lab-mark-blocked').count()).toBe(6);
    await lab.root().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'stage-lab-live.png') });

    await press('down');
    await expect
      .poll(() => lab.summary().innerText(), { timeout: 60_000 })
      .toBe('lab down: removed 5 lab containers');
    await dashboard.waitForNoCard('bulkhead-lab-weak');
    await expect.poll(async () => (await lab.actions()).find((a) => a.id === 'down')?.off).toBe(true);
    expect(await lab.error().count()).toBe(0);
    await lab.toggle().click();
  });

  it('says so in one line when the eBPF source dies, `r` switches to the recording, and back to live', async () => {
    const stage = new StageBannerPage(page);
    const view = new SyscallsPage(page);
    const [tracer, ...others] = await childrenNamed(live.pid, 'bpftrace');
    expect(tracer, 'the bpftrace this browser mode started').toBeDefined();
    expect(others).toEqual([]);
    process.kill(tracer!, 'SIGKILL');

    await stage.lost().waitFor({ timeout: 10_000 });
    expect(await stage.lost().getAttribute('data-cause')).toBe('source');
    expect(await stage.lost().locator('.stage-text').innerText()).toMatch(
      /^The eBPF \(bpftrace\) source stopped at \d\d:\d\d:\d\d \(bpftrace-failed: .*\)(; restarting it…| and was restarted at \d\d:\d\d:\d\d\.)$/,
    );
    expect(await stage.switchButton().innerText()).toMatch(/^Switch to recording\s*R$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'stage-source-died.png') });

    // `r` in a text field types an r; outside one it switches.
    await view.show();
    const box = view.root().getByLabel('Capture or recording path');
    await box.focus();
    await page.keyboard.press('r');
    expect(await box.inputValue()).toBe('r');
    expect(await view.root().getByLabel('Live source or recording').inputValue()).toBe('bpf');
    await box.fill('');
    await box.blur();
    await page.keyboard.press('r');
    await expect
      .poll(() => view.root().getByLabel('Live source or recording').inputValue(), { timeout: 5_000 })
      .toBe('lab-session');
    // The lap starts quiet (5 s before the first attack): wait for the recorded containers' syscalls.
    await expect.poll(() => view.totalEvents().catch(() => 0), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await view.subjectNames()).not.toEqual([]);
    expect(await view.root().locator('.syscalls-status [data-replay-tag="RECORDING"]').count()).toBe(1);
    expect(await stage.lost().count()).toBe(0);

    // Nothing froze: the container list still follows the engine.
    await page.getByRole('tab', { name: 'Containers' }).click();
    await runDetached(BYSTANDER, 'sleep', '600');
    await dashboard.waitForCard(BYSTANDER);

    // eBPF can start again: the way back is offered, and taken.
    await stage.back().waitFor({ timeout: 10_000 });
    expect(await stage.back().innerText()).toMatch(
      /Showing the recorded lab session \(RECORDING\) since \d\d:\d\d:\d\d; live is available again\./,
    );
    await stage.backButton().click();
    await view.show();
    await expect
      .poll(() => view.root().getByLabel('Live source or recording').inputValue(), { timeout: 5_000 })
      .toBe('bpf');
    await expect.poll(() => view.phase(), { timeout: 20_000 }).toBe('streaming');
    expect(await stage.back().count()).toBe(0);
  });

  it('never broke its Content Security Policy or threw', () => {
    expect(pageErrors).toEqual([]);
  });
});
