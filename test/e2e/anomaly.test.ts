import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSysdigSequence } from '../../electron/adapters/anomaly/sysdig-sequence.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import type { BoscSettings } from '../../shared/domain/anomaly/bosc.js';
import type { AnomalySnapshot } from '../../shared/domain/anomaly/monitor.js';
import { detectionText } from '../../shared/domain/anomaly/timeline.js';
import { ensureTracefs } from '../support/tracefs.js';
import { AnomalyPanelPage } from './pages/anomaly-pages.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { SyscallsPage } from './pages/syscalls-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';
import { removeContainers, runDetached } from './support/docker-cli.js';

// Anomaly detection end to end: `node dist/web.cjs` (the real engine, the real anomaly service, the real
// sysdig and bpftrace) driven through /usr/bin/chromium. The expected states come from the sysdig
// sequence adapter itself, run here on the same capture with the same settings: what the panel shows per
// container — through the service, the WebSocket, the renderer state — must be what the adapter computed.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const DATA = resolve(ROOT, '..', 'shared', 'data');
const K8S = join(DATA, 'scap', 'bencer_k8s_capture.scap');
const FALCO = join(DATA, 'events', 'falco_single_rule_with_cat_write.json');
const SETTINGS = { epochSize: 200, trainingEpochs: 10, thresholdPercent: 5 };
const BOSC: Partial<BoscSettings> = {
  epochSize: 200,
  trainingEpochs: 10,
  threshold: { kind: 'fraction', value: 0.05 },
};
const LOOP = `bh-anomaly-${Date.now().toString(36)}-loop`;

let browser: Browser;
let context: BrowserContext;
let live: BrowserModeProcess | undefined;
let page: Page;
let panel: AnomalyPanelPage;
let dashboard: DashboardPage;
let expected: AnomalySnapshot;
let loopId = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureTracefs();
  await mkdir(SCREENSHOTS, { recursive: true });
  const source = startSysdigSequence(K8S, { onState: () => undefined }, { clock: systemClock, bosc: BOSC });
  expect(await source.settled).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
  expected = source.snapshot();
  loopId = await runDetached(
    LOOP,
    'sh',
    '-c',
    'while true; do cat /etc/hostname >/dev/null; usleep 2000; done',
  );
  live = await startBrowserMode();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  dashboard = new DashboardPage(page);
  expect(await dashboard.open(live.url)).toBe(200);
  await dashboard.waitForCard(LOOP);
  await new SyscallsPage(page).show();
  panel = new AnomalyPanelPage(page);
  await panel.root().waitFor({ state: 'visible' });
});

afterAll(async () => {
  await removeContainers([LOOP]);
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
});

describe('the anomaly panel against the real engine', () => {
  it('says which sources can drive BoSC and what the eBPF sequence source costs', async () => {
    expect(await panel.phase()).toBe('off');
    const limits = await panel.limits().innerText();
    expect(limits).toContain('count-only sources');
    expect(limits).toContain('cannot drive it');
    expect(limits).toContain('costs more per syscall than the counting eBPF source');
    // The defaults are shown in the form.
    const form = panel.form();
    expect(await form.getByLabel('Epoch size').inputValue()).toBe('1000');
    expect(await form.getByLabel('Training epochs').inputValue()).toBe('200');
    expect(await form.getByLabel('Threshold').inputValue()).toBe('5');
  });

  it('refuses a bad setting in the form and a bad path at the engine, saying why', async () => {
    await panel.start({ kind: 'capture', path: K8S }, { epochSize: 5 });
    await expect
      .poll(() => panel.root().locator('[data-anomaly-error="form"]').innerText())
      .toContain('Epoch size must be a whole number of windows from 10');
    await panel.form().getByLabel('Epoch size').fill('1000');
    await panel.start({ kind: 'capture', path: '/nonexistent/bulkhead/nope.scap' });
    await expect
      .poll(() => panel.root().locator('[data-anomaly-error="source"]').innerText(), { timeout: 10_000 })
      .toContain('/nonexistent/bulkhead/nope.scap');
  });

  it('replays the k8s capture: every container’s state in the table is the adapter’s, in words with an icon', async () => {
    await panel.start({ kind: 'capture', path: K8S }, SETTINGS);
    await expect.poll(() => panel.phase(), { timeout: 30_000 }).toBe('exited');
    const want = expected.containers.map((c) => ({
      key: c.key,
      phase: c.bosc?.phase,
      state: detectionText(c, BOSC.epochSize!),
      syscalls: c.bosc?.syscalls,
    }));
    await expect
      .poll(
        async () =>
          (await panel.rows()).map((r) => ({
            key: r.key,
            phase: r.phase,
            state: r.state,
            syscalls: r.syscalls,
          })),
        {
          timeout: 10_000,
        },
      )
      .toEqual(want);
    const rows = await panel.rows();
    expect(rows.every((r) => r.hasIcon)).toBe(true);
    expect(rows.map((r) => r.phase)).toEqual(expect.arrayContaining(['learning', 'anomalous']));
    expect(rows.find((r) => r.key === '53fe249c71de')?.state).toMatch(/^ANOMALOUS · \d+ epochs · hint: \w+/);

    // The timeline: every kept anomalous epoch and both built-in alerts.
    const kept = expected.containers.reduce(
      (n, c) => n + (c.bosc?.phase === 'anomalous' ? c.bosc.anomalies.length : 0),
      0,
    );
    const kinds = await panel
      .timeline()
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-timeline-kind')));
    expect(kinds.filter((k) => k === 'anomaly')).toHaveLength(kept);
    const rules = await panel
      .timeline()
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-alert-rule')).filter((r) => r !== null));
    expect(rules).toEqual(expected.alerts.map((a) => a.ruleId));
    const setns = panel.timeline().and(page.locator('[data-alert-rule="setns"]'));
    expect(await setns.innerText()).toMatch(
      /HIGH[\s\S]*Namespace entered \(setns\)[\s\S]*built-in rule setns[\s\S]*×3/,
    );

    // A card of the engine is not in the capture, and says so in words with an icon.
    const line = dashboardCardLine(LOOP);
    await page.getByRole('tab', { name: 'Containers' }).click();
    await expect.poll(() => line.getAttribute('data-anomaly-card')).toBe('none');
    expect(await line.innerText()).toBe('Anomaly detection: not in this capture.');
    expect(await line.locator('svg.icon').count()).toBe(1);
    await new SyscallsPage(page).show();
  });

  it('imports a Falco alert file: the counts are shown and its alerts join the timeline', async () => {
    // The view was switched away and back: the form shows what runs, not the defaults.
    expect(await panel.form().getByLabel('Epoch size').inputValue()).toBe('200');
    expect(await panel.form().getByLabel('Capture path').inputValue()).toBe(K8S);
    expect(
      await panel
        .form()
        .getByRole('radio', { name: /sysdig capture/ })
        .isChecked(),
    ).toBe(true);
    await panel.importFalco(join(DATA, 'events', 'missing.json'));
    await expect
      .poll(() => panel.imports().last().innerText(), { timeout: 10_000 })
      .toContain('There is no Falco alert file at');
    await panel.importFalco(FALCO);
    const done = panel.imports().last();
    await expect.poll(() => done.getAttribute('data-import-status'), { timeout: 10_000 }).toBe('done');
    expect(await done.getAttribute('data-imported')).toBe('8');
    expect(await done.getAttribute('data-skipped')).toBe('0');
    expect(await done.innerText()).toContain('8 imported, 0 skipped');
    const falco = panel.root().locator('[data-anomaly-timeline] [data-alert-source="falco"]');
    await expect.poll(() => falco.count(), { timeout: 5_000 }).toBe(1);
    const text = await falco.innerText();
    expect(text).toMatch(/MEDIUM/);
    expect(text).toContain('open_from_cat');
    expect(text).toContain('Falco rule open_from_cat');
    expect(text).toContain('host / no container');
    expect(text).toContain('×8');
    expect(text).toContain('at 2016-08-04 16:17:57');
    // Falco's own sentence is text, behind a keyboard-reachable disclosure.
    const summary = falco.locator('summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    expect(await falco.locator('.anomaly-detail').innerText()).toContain(
      'An open was seen (command=cat /dev/null)',
    );

    await panel.root().scrollIntoViewIfNeeded();
    await panel.root().screenshot({ path: join(SCREENSHOTS, 'anomaly-panel.png') });
  });

  it('runs on the live eBPF sequence: the card of a real container shows its state with an icon', async () => {
    await panel.start({ kind: 'bpf' }, { epochSize: 100, trainingEpochs: 5, thresholdPercent: 5 });
    await expect.poll(() => panel.phase(), { timeout: 20_000 }).toBe('streaming');
    await expect
      .poll(async () => (await panel.rows()).find((r) => loopId.startsWith(r.key))?.phase, {
        timeout: 20_000,
      })
      .toMatch(/^(watching|anomalous)$/);
    const row = (await panel.rows()).find((r) => loopId.startsWith(r.key))!;
    expect(row.key.length).toBeGreaterThanOrEqual(12);
    // The table names it as the engine does.
    expect(row.name).toBe(LOOP);
    expect(row.hasIcon).toBe(true);

    await page.getByRole('tab', { name: 'Containers' }).click();
    const line = dashboardCardLine(LOOP);
    await expect
      .poll(() => line.getAttribute('data-anomaly-card'), { timeout: 10_000 })
      .toMatch(/^(watching|anomalous)$/);
    expect(loopId.startsWith((await line.getAttribute('data-anomaly-key')) ?? '-')).toBe(true);
    expect(await line.innerText()).toMatch(
      /^Anomaly detection: (watching · 0 anomalies|ANOMALOUS · \d+ epochs?( · hint: .+)?)$/,
    );
    expect(await line.locator('svg.icon').count()).toBe(1);
    await dashboard.screenshot(join(SCREENSHOTS, 'anomaly-card.png'));

    await new SyscallsPage(page).show();
    await panel.stop();
    await expect.poll(() => panel.phase()).toBe('off');
    await page.getByRole('tab', { name: 'Containers' }).click();
    await expect.poll(() => line.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

function dashboardCardLine(name: string) {
  return dashboard.card(name).root.locator('[data-anomaly-card]');
}
