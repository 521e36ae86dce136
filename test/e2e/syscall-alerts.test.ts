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
// two containers start under it. One calls mount and unshare a second later (the missing CAP_SYS_ADMIN
// makes both fail, but the calls are entered, which is what the tracer sees), the other calls neither.
// Both are set up by runc inside their cgroups (dozens of mounts, pivot_root, umount2, unshare): those
// calls are the runtime's, counted as runc:<name>, and must not raise alerts. The alerts must reach the
// caller's card within seconds, and only it.

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
    const view = new SyscallsPage(page);
    await view.show();
    await view.root().getByLabel('Live source').selectOption('bpf');
    await expect.poll(() => view.phase(), { timeout: 15_000 }).toBe('streaming');
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
      'sleep 1; mount -t tmpfs none /mnt; unshare -m true; while true; do sleep 1; done',
    );

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
      .toEqual(['mount', 'unshare']);
    const text = await noisy.root.locator('.syscalls-alerts').innerText();
    expect(text).toContain('HIGH');
    expect(text).toMatch(/mount ×\d+/);
    expect(await quiet.root.locator('[data-syscalls-state="data"]').count()).toBe(1);
    // Both were set up by runc under the tracer: none of that is an alert.
    expect(await quiet.root.locator('.syscalls-alert').count()).toBe(0);
    expect(text).toMatch(/mount ×1\b/);
    await noisy.root.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'syscall-alerts.png') });
    expect(pageErrors).toEqual([]);
  });
});
