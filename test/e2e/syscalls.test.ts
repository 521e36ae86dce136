import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startCaptureReplay } from '../../electron/adapters/syscalls/capture-replay.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import type { SyscallSource } from '../../electron/services/syscall-ports.js';
import type { EpochSeconds, SourceState, SubjectTotals } from '../../shared/domain/syscalls/model.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { SyscallsPage, barWidths } from './pages/syscalls-pages.js';
import { ROOT, startBrowserMode } from './support/browser-mode.js';
import type { BrowserModeProcess } from './support/browser-mode.js';
import { VIEWPORT, launchChromium } from './support/chromium.js';

// The syscall UI end to end: `node dist/web.cjs` (the real engine, the real syscall service, the real
// sysdig) driven through /usr/bin/chromium. The expected numbers are computed here by the capture adapter
// itself (electron/adapters/syscalls/capture-replay.ts) reading the same real capture, so the test checks
// that what reaches the screen — through the service, the WebSocket, the renderer state and the charts —
// is what the adapter counted, at the end of the capture and after a seek.

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const CAPTURE = resolve(ROOT, '..', 'shared', 'data', 'scap', 'sysdig-inspect_502Error.scap');
const LB = 'example2_lb_1';
const WEB = 'example2_web_1';

let browser: Browser;
let context: BrowserContext;
let live: BrowserModeProcess | undefined;
let page: Page;
let view: SyscallsPage;
let adapter: SyscallSource;
let atEnd: readonly SubjectTotals[];
const pageErrors: string[] = [];
let work = '';
let notACapture = '';

/** The adapter's own replay of the capture at max speed, read to its end. */
async function adapterReplay(): Promise<SyscallSource> {
  let done: (s: SourceState) => void = () => undefined;
  const settled = new Promise<SourceState>((r) => (done = r));
  const source = startCaptureReplay(
    CAPTURE,
    'max',
    {
      onState: (s) => {
        if (s.phase === 'exited' || s.phase === 'failed') done(s);
      },
      onFrame: () => undefined,
    },
    { clock: systemClock },
  );
  expect(await settled).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
  return source;
}

const byName = (totals: readonly SubjectTotals[], name: string): SubjectTotals => {
  const t = totals.find((s) => s.subject.kind === 'container' && s.subject.name === name);
  if (t === undefined) throw new Error(`the adapter saw no ${name}`);
  return t;
};

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'bulkhead-syscalls-e2e-'));
  notACapture = join(work, 'notes.scap');
  await writeFile(notACapture, 'these are notes, not a capture\n');
  adapter = await adapterReplay();
  atEnd = adapter.totals();
  live = await startBrowserMode();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  expect(await new DashboardPage(page).open(live.url)).toBe(200);
  view = new SyscallsPage(page);
  await view.show();
});

afterAll(async () => {
  adapter?.dispose();
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await live?.stop().catch(() => undefined);
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('the Syscalls view against the real engine', () => {
  it('lists every source with its availability, and says why nothing runs when no live source can', async () => {
    await expect.poll(async () => (await view.availability()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const sources = await view.availability();
    for (const s of sources) expect(s.text.length).toBeGreaterThan(s.kind.length);
    const liveOnes = sources.filter((s) => s.kind === 'bpf' || s.kind === 'sysdig-live');
    expect(liveOnes.length).toBe(2);
    if (liveOnes.some((s) => s.available)) {
      // A live source was started by default: the empty state is not shown.
      await expect.poll(() => view.phase(), { timeout: 10_000 }).not.toBeNull();
      expect(await view.emptyState().count()).toBe(0);
    } else {
      const empty = await view.emptyState().innerText();
      expect(empty).toContain('No syscall source is running.');
      expect(empty).toContain('Open a capture to replay it.');
      // Each unavailable live source's reason, as the engine gave it, is in the sentence.
      for (const s of liveOnes) expect(empty).toContain(s.text.split(': ').slice(1).join(': ').trim());
      await page.getByRole('tab', { name: 'Containers' }).click();
      const rows = page.locator('[data-syscalls-state]');
      if ((await rows.count()) > 0) {
        expect(await rows.first().getAttribute('data-syscalls-state')).toBe('no-source');
        expect(await rows.first().innerText()).toContain('No syscall source running');
      }
      await view.show();
    }
  });

  it('shows the engine’s refusal of a bad path inline and keeps running', async () => {
    await view.openCapture('-rf');
    await expect
      .poll(() => view.openError().innerText(), { timeout: 5_000 })
      .toContain('must not start with "-"');
    const input = view.root().getByLabel('Capture or recording path');
    expect(await input.getAttribute('aria-invalid')).toBe('true');

    await view.openCapture('/nonexistent/bulkhead/nope.scap');
    await expect
      .poll(() => view.openError().innerText(), { timeout: 5_000 })
      .toContain('There is no file at /nonexistent/bulkhead/nope.scap');

    await view.openCapture(notACapture);
    await expect
      .poll(() => view.openError().innerText(), { timeout: 5_000 })
      .toContain('is not a sysdig capture');
  });

  it('replays the capture at max: the subjects, their top syscalls and totals are the adapter’s', async () => {
    await view.openCapture(CAPTURE, 'max');
    await expect.poll(() => view.phase(), { timeout: 30_000 }).toBe('exited');
    expect(await view.openError().count()).toBe(0);
    await expect
      .poll(() => view.subjectNames(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([LB, WEB]));

    const expectedAll = atEnd.reduce((n, t) => n + t.total, 0);
    await expect.poll(() => view.totalEvents(), { timeout: 10_000 }).toBe(expectedAll);
    expect(await view.droppedText()).toBe('none dropped');
    // The window reaches back before the capture's first second: the engine reports that as a no-data gap,
    // listed in text and shaded on every subject's sparkline.
    const status = await view.root().locator('[data-syscalls-totals]').innerText();
    expect(status).toMatch(/gaps \(shaded on the charts\): \d\d:\d\d:\d\d–\d\d:\d\d:\d\d no data/);
    expect(await view.subject(LB).root.locator('.recharts-reference-area').count()).toBeGreaterThan(0);
    expect(await view.note().innerText()).toMatch(/Counts only|sequence/);
    if (atEnd.some((t) => t.subject.kind === 'host')) expect(await view.subjectNames()).toContain('host');

    for (const name of [LB, WEB]) {
      const expected = byName(atEnd, name);
      const subject = view.subject(name);
      expect(await subject.total()).toBe(expected.total);
      expect(await subject.origin()).toContain('not on this engine');
      const ranked = Object.entries(expected.bySyscall).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      expect(await subject.barNames()).toEqual(ranked.slice(0, 5).map(([s]) => s));

      await subject.openDetail();
      const detail = view.detail();
      await expect.poll(() => detail.root.getAttribute('data-detail')).toBe(name);
      const rows = await detail.rows();
      const listed = rows.filter((r) => r.syscall !== '(rest)');
      expect(listed.length).toBeGreaterThan(0);
      for (const r of listed) expect(r.total).toBe(expected.bySyscall[r.syscall]);
      const rest = rows.find((r) => r.syscall === '(rest)')?.total ?? 0;
      expect(listed.reduce((n, r) => n + r.total, 0) + rest).toBe(expected.total);
      expect(await detail.footTotal()).toBe(expected.total);
    }

    // Sorting by name, then by count, reorders the same rows.
    const detail = view.detail();
    await detail.sortBy('Syscall');
    const names = (await detail.rows()).filter((r) => r.syscall !== '(rest)').map((r) => r.syscall);
    expect(names).toEqual([...names].sort());
    await detail.sortBy('Total');
    const counts = (await detail.rows()).filter((r) => r.syscall !== '(rest)').map((r) => r.total);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));

    await page.screenshot({ path: join(SCREENSHOTS, 'syscalls-view.png') });
  });

  it('scrubs the timeline: the totals become the adapter’s at that second', async () => {
    const end = await view.position();
    const min = Number(await view.scrubber().getAttribute('min'));
    expect(end).toBeGreaterThan(min + 4);
    const target = end - 4;
    await view.scrubTo(target);
    expect(await view.position()).toBe(target);

    adapter.replay?.seek(target as EpochSeconds);
    const atTarget = adapter.totals();
    for (const name of [LB, WEB]) {
      const expected = byName(atTarget, name).total;
      expect(expected).toBeLessThan(byName(atEnd, name).total);
      await expect.poll(() => view.subject(name).total(), { timeout: 5_000 }).toBe(expected);
    }
    await view.scrubTo(end);
    await expect.poll(() => view.subject(LB).total(), { timeout: 5_000 }).toBe(byName(atEnd, LB).total);
  });

  it('switches the histogram to a log scale', async () => {
    const detail = view.detail();
    await detail.setLogScale(false);
    const linear = await detail.barWidths();
    await detail.setLogScale(true);
    await expect.poll(() => detail.chartLabel()).toContain('(log scale)');
    const log = await detail.barWidths();
    expect(log.length).toBe(linear.length);
    // A log scale lifts the small bars relative to the largest.
    const ratio = (w: number[]): number => Math.min(...w) / Math.max(...w);
    expect(ratio(log)).toBeGreaterThan(ratio(linear));
    await detail.setLogScale(false);
  });

  it('compares two subjects side by side on the same scale', async () => {
    await view.subject(LB).setCompared(true);
    await view.subject(WEB).setCompared(true);
    const compare = view.compare();
    await compare.waitFor({ state: 'visible' });
    expect(await compare.getAttribute('data-compare')).toBe('2');
    const max = Math.max(
      ...Object.values(byName(atEnd, LB).bySyscall),
      ...Object.values(byName(atEnd, WEB).bySyscall),
    );
    expect(await compare.locator('h2').innerText()).toContain(`0–${max.toLocaleString('en-US')}`);

    // Same scale: pixels per event are the same in both charts.
    const perEvent: number[] = [];
    for (const name of [LB, WEB]) {
      const item = compare.locator(`[data-compare-subject="${name}"]`);
      const widths = await barWidths(item.locator('.syscall-bars'));
      const top = Object.values(byName(atEnd, name).bySyscall).sort((a, b) => b - a)[0] ?? 0;
      perEvent.push((widths[0] ?? 0) / top);
    }
    expect(perEvent[0]).toBeGreaterThan(0);
    expect(Math.abs((perEvent[0] ?? 0) - (perEvent[1] ?? 0))).toBeLessThan(0.02 * (perEvent[0] ?? 1));

    await view.detail().root.getByRole('button', { name: 'Close' }).click();
    await compare.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'syscalls-compare.png') });
  });

  it('replays at x10: the stacked time series of the top syscalls fills in, its values written beside it', async () => {
    await view.openCapture(CAPTURE, 'x10');
    await expect.poll(() => view.phase(), { timeout: 30_000 }).toBe('exited');
    const end = Number(await view.scrubber().getAttribute('max'));
    await expect.poll(() => view.position(), { timeout: 15_000 }).toBe(end);
    await view.subject(LB).openDetail();
    const detail = view.detail();
    await expect
      .poll(() => detail.root.locator('.recharts-area').count(), { timeout: 5_000 })
      .toBeGreaterThan(1);
    const legend = await detail.root.locator('.syscalls-legend li').allInnerTexts();
    const sum = legend.reduce((n, line) => n + Number(line.split(': ')[1]?.replace(/,/g, '')), 0);
    // The series starts at the second frame, so it holds at most the subject's events, and some of them.
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThanOrEqual(byName(atEnd, LB).total);
    await detail.root.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'syscalls-series.png') });
  });

  it('the cards’ runtime row says the replayed capture has no data for the engine’s containers', async () => {
    await page.getByRole('tab', { name: 'Containers' }).click();
    const rows = page.locator('article.card [data-syscalls-state]');
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      expect(await rows.nth(i).getAttribute('data-syscalls-state')).toBe('no-data');
      expect(await rows.nth(i).innerText()).toContain('Not in this capture');
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'syscalls-cards.png') });
    expect(pageErrors).toEqual([]);
  });
});
