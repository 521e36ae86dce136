import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureTracefs } from '../support/tracefs.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { SyscallsPage } from './pages/syscalls-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';
import { TEST_IMAGE, TEST_LABEL, docker, removeContainers, runDetached } from './support/docker-cli.js';

// Built-in syscall alerts end to end, with nothing faked: browser mode (as root) runs the live eBPF source;
// a container started by the test calls mount and unshare a few seconds later (the missing CAP_SYS_ADMIN
// makes both fail, but the calls are entered, which is what the tracer sees), a quiet container beside it
// calls neither. The alerts must reach the caller's card within seconds, and only it.
//
// Both containers start before the tracer: a container started under the tracer also shows its runtime's
// set-up (runc mounts the root filesystem, pivots and unshares inside the container's cgroup before it
// execs the entrypoint), which the count-only eBPF source cannot tell apart (see README, Syscalls).

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const suffix = Date.now().toString(36);
const NOISY = `bh-alerts-${suffix}-noisy`;
const QUIET = `bh-alerts-${suffix}-quiet`;

let browser: Browser;
let context: BrowserContext;
let live: BrowserModeProcess | undefined;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureTracefs();
  await mkdir(SCREENSHOTS, { recursive: true });
  live = await startBrowserMode();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  expect(await new DashboardPage(page).open(live.url)).toBe(200);
});

afterAll(async () => {
  await removeContainers([NOISY, QUIET]);
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
});

describe('built-in syscall alerts from the live eBPF source', () => {
  it('puts mount and unshare alerts on the card of the container that called them, and on no other', async () => {
    await runDetached(QUIET, 'sh', '-c', 'while true; do cat /etc/hostname >/dev/null; sleep 0.2; done');
    // Unconfined: calls that a seccomp filter rejects never reach raw_syscalls:sys_enter (the kernel runs
    // the filter first), so under Docker's default profile mount and unshare would be invisible to eBPF.
    await docker(
      'run',
      '-d',
      '--label',
      TEST_LABEL,
      '--name',
      NOISY,
      '--security-opt',
      'seccomp=unconfined',
      TEST_IMAGE,
      'sh',
      '-c',
      'while [ ! -e /tmp/go ]; do sleep 0.1; done; mount -t tmpfs none /mnt; unshare -m true; while true; do sleep 1; done',
    );
    const view = new SyscallsPage(page);
    await view.show();
    await view.root().getByLabel('Live source').selectOption('bpf');
    await expect.poll(() => view.phase(), { timeout: 15_000 }).toBe('streaming');
    // docker exec: runc joins a session keyring (keyctl) for the exec'd process, which is an alert too.
    await docker('exec', NOISY, 'touch', '/tmp/go');

    const dashboard = new DashboardPage(page);
    await page.getByRole('tab', { name: 'Containers' }).click();
    const noisy = await dashboard.waitForCard(NOISY);
    const quiet = await dashboard.waitForCard(QUIET);
    const alerts = noisy.root.locator('.syscalls-alert');
    await expect
      .poll(
        () => alerts.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-alert-syscall')).sort()),
        {
          timeout: 10_000,
        },
      )
      .toEqual(['keyctl', 'mount', 'unshare']);
    const text = await noisy.root.locator('.syscalls-alerts').innerText();
    expect(text).toContain('HIGH');
    expect(text).toMatch(/mount ×\d+/);
    expect(await quiet.root.locator('[data-syscalls-state="data"]').count()).toBe(1);
    expect(await quiet.root.locator('.syscalls-alert').count()).toBe(0);
    await noisy.root.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'syscall-alerts.png') });
    expect(pageErrors).toEqual([]);
  });
});
