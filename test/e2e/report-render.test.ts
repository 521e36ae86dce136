import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createChromiumReportRenderer } from '../../electron/adapters/report/chromium-renderer.js';
import { countPdfPages } from '../../electron/adapters/report/pdf-pages.js';
import type { Report } from '../../shared/domain/report/model.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type { ReportRendererPort } from '../../electron/services/report-ports.js';
import { revealInvisible } from '../../renderer/src/state/format.js';
import { HOSTILE, HOSTILE_NAME, HOSTILE_USER, reportFixture } from '../support/report-fixture.js';
import { ReportPage } from './pages/report-pages.js';
import { ROOT } from './support/browser-mode.js';
import { launchChromium } from './support/chromium.js';

// The report page and the headless renderer, with the fixture Report (test/support/report-fixture.ts: real
// posture and image findings from recorded data, made-up runtime numbers). The page is the built
// dist/renderer/report.html, run in /usr/bin/chromium; PDFs are read back with poppler (pdftotext, pdfinfo,
// pdftoppm). What a hostile string must not do: open a dialog, set a global, create an element, make a
// request (every request that is not one of the page's own files is refused and recorded).

const exec = promisify(execFile);
const PAGE = join(ROOT, 'dist', 'renderer', 'report.html');

let browser: Browser;
let context: BrowserContext;
let renderer: ReportRendererPort;
let work = '';
const blocked: string[] = [];
let report: Report;
let demo: Report;

async function text(pdf: string, ...args: string[]): Promise<string> {
  return (await exec('pdftotext', [...args, pdf, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

async function pdfPages(pdf: string): Promise<number> {
  const { stdout } = await exec('pdfinfo', [pdf]);
  return Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1]);
}

/** Whether fontconfig has a font for a language (CJK text can only be drawn, and extracted, with one). */
async function hasFontFor(lang: string): Promise<boolean> {
  const { stdout } = await exec('fc-list', [`:lang=${lang}`, 'family']);
  return stdout.trim() !== '';
}

beforeAll(async () => {
  if (!existsSync(PAGE)) throw new Error(`${PAGE} is missing: run \`npm run build\` before the e2e tests`);
  work = await mkdtemp(join(tmpdir(), 'bh-report-render-'));
  report = await reportFixture({ containers: 3, hostile: true, unavailable: true });
  demo = await reportFixture({ containers: 1, demo: true });
  browser = await launchChromium();
  context = await browser.newContext();
  renderer = createChromiumReportRenderer({
    reportPagePath: PAGE,
    onBlockedRequest: (url) => blocked.push(url),
  });
});

afterAll(async () => {
  await renderer?.dispose?.();
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('the report page', () => {
  it('renders cover, contents, summary, every container, methodology and host, in that order', async () => {
    const page = await ReportPage.open(context, PAGE);
    const rendered = await page.render(report);
    expect(rendered.containers).toBe(4);
    expect(await page.sections()).toEqual([
      'cover',
      'toc',
      'summary',
      'container',
      'container',
      'container',
      'container',
      'methodology',
      'host',
    ]);
    // Each container has every chosen section; the one made to fail says why, section by section.
    expect(await page.partStates(1)).toEqual({
      posture: 'assessed',
      images: 'scanned',
      syscalls: 'observed',
      seccomp: 'generated',
      anomalies: 'monitored',
    });
    expect(await page.partStates(2)).toEqual({
      posture: 'unavailable',
      images: 'unavailable',
      syscalls: 'unavailable',
      seccomp: 'unavailable',
      anomalies: 'unavailable',
    });
    expect(await page.container(2).textContent()).toContain(
      'Not available: No such container: it was removed',
    );
    // The contents link every container by index, never by name.
    const links = await page.page
      .locator('.toc-list a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual([
      '#summary',
      '#containers',
      '#container-1',
      '#container-2',
      '#container-3',
      '#container-4',
      '#methodology',
      '#host',
    ]);
    // The syscall histogram is an SVG with one bar per syscall and its count as text.
    const chart = page.container(1).locator('[data-chart="syscalls"] svg');
    expect(await chart.locator('rect').count()).toBe(12);
    expect(await chart.textContent()).toContain('clock_nanosleep');
    expect(page.errors).toEqual([]);
    await page.page.close();
  });

  it('keeps table rows and charts whole, repeats table headers and starts each container on a new page', async () => {
    const page = await ReportPage.open(context, PAGE);
    await page.page.emulateMedia({ media: 'print' });
    await page.render(report);
    expect(
      await page.computed('.report-container, .report-summary, .report-toc, .report-host', 'break-before'),
    ).toEqual(['page']);
    expect(await page.computed('.report tr', 'break-inside')).toEqual(['avoid']);
    // A check and its evidence rows are one row group, kept together.
    expect(await page.computed('.finding-group', 'break-inside')).toEqual(['avoid']);
    expect(await page.computed('.report-chart', 'break-inside')).toEqual(['avoid']);
    expect(await page.computed('.report thead', 'display')).toEqual(['table-header-group']);
    await page.page.close();
  });

  it('shows hostile strings as inert text: no dialog, no request, no element, nothing run', async () => {
    const page = await ReportPage.open(context, PAGE);
    await page.render(report);
    const body = await page.text();
    // Markup is text; bidi and zero-width characters are written out (⟨U+202E⟩), as everywhere in the app;
    // Arabic and CJK are ordinary text and stay as they are.
    expect(body).toContain(revealInvisible(HOSTILE_NAME));
    expect(body).toContain(revealInvisible(HOSTILE_USER));
    expect(body).toContain(`${HOSTILE.markup}${HOSTILE.script}zero⟨U+200B⟩width`);
    expect(body).toContain(HOSTILE.arabic);
    expect(body).toContain(HOSTILE.cjk);
    expect(body).not.toContain('\u202E');
    expect(
      await page.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    expect(await page.page.locator('img, iframe, object, embed').count()).toBe(0);
    expect(await page.page.locator('body script').count()).toBe(0);
    expect(page.dialogs).toEqual([]);
    expect(page.blocked).toEqual([]);
    expect(page.errors).toEqual([]);
    await page.page.close();
  });
});

describe('the headless renderer', () => {
  it('prints an A4 PDF with "Page X of Y" on every page, hostile text verbatim and inert', async () => {
    const progress: string[] = [];
    const out = await renderer.render(report, 'pdf', (m) => progress.push(m));
    const pdf = join(work, 'report.pdf');
    await writeFile(pdf, out.bytes);
    expect(Buffer.from(out.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const pages = await pdfPages(pdf);
    expect(out.pages).toBe(pages);
    // Cover, contents, summary, four containers (one 10 kB name), methodology, host: 9 pages at the least.
    expect(pages).toBeGreaterThanOrEqual(9);
    expect(pages).toBeLessThan(60);
    expect(progress).toContain('printing the PDF');

    const { stdout: info } = await exec('pdfinfo', [pdf]);
    expect(info).toMatch(/^Page size:\s+595(\.\d+)? x 842(\.\d+)? pts \(A4\)/m);
    const all = await text(pdf);
    const missingPages = Array.from({ length: pages }, (_, i) => `Page ${i + 1} of ${pages}`).filter(
      (footer) => !all.includes(footer),
    );
    expect(missingPages).toEqual([]);
    // Markup and the written-out invisible characters come back verbatim from the PDF's text, in drawing
    // order (-raw: a value wrapped inside a narrow table cell stays in one piece, line breaks aside).
    const flat = (await text(pdf, '-raw')).replace(/\s+/g, '');
    const expected = [
      revealInvisible(HOSTILE_USER),
      `${HOSTILE.markup}${HOSTILE.script}zero⟨U+200B⟩width`,
      `ptrace called by ${HOSTILE.script}⟨U+202E⟩evil`,
    ].map((t) => t.replace(/\s+/g, ''));
    expect(expected.filter((t) => !flat.includes(t))).toEqual([]);
    // Arabic is drawn with DejaVu Sans; pdftotext gives the words back (in visual order around the dash).
    expect(HOSTILE.arabic.split('-').filter((word) => !all.includes(word))).toEqual([]);
    // CJK: only with a CJK font can Chromium draw (and so embed, and pdftotext extract) the characters.
    if (await hasFontFor('zh')) expect(all.includes(HOSTILE.cjk)).toBe(true);
    else
      console.info(
        'report-render: no CJK font installed (fc-list :lang=zh is empty); CJK is checked in the DOM and the HTML only',
      );
    expect(blocked).toEqual([]);
  });

  it('writes a standalone HTML document without a script that shows the same text', async () => {
    const out = await renderer.render(report, 'html');
    const html = new TextDecoder().decode(out.bytes);
    expect(out.pages).toBeNull();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/,
    );
    // Open it with scripts on: its own CSP lets the inline stylesheet apply and nothing run or load.
    const file = join(work, 'report.html');
    await writeFile(file, html);
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`file://${file}`);
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain(revealInvisible(HOSTILE_NAME));
    expect(body).toContain(HOSTILE.cjk);
    expect(
      await page.evaluate(() => getComputedStyle(document.querySelector('.report-container')!).breakBefore),
    ).toBe('page');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img, script').count()).toBe(0);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
    // The same report renders to the same document.
    const again = await renderer.render(report, 'html');
    expect(Buffer.from(again.bytes).equals(Buffer.from(out.bytes))).toBe(true);
  });

  it('says DEMO DATA on every page of a demo report, and pdftoppm renders every page', async () => {
    const out = await renderer.render(demo, 'pdf');
    const pdf = join(work, 'demo.pdf');
    await writeFile(pdf, out.bytes);
    const pages = await pdfPages(pdf);
    expect(countPdfPages(out.bytes)).toBe(pages);
    for (let n = 1; n <= pages; n++)
      expect(await text(pdf, '-f', String(n), '-l', String(n))).toContain('DEMO DATA');
    expect(await text(pdf, '-f', '1', '-l', '1')).toContain('Recorded demo data, not a live engine');
    await exec('pdftoppm', ['-png', '-r', '40', pdf, join(work, 'demo')]);
    const pngs = (await readdir(work)).filter((f) => f.startsWith('demo-') && f.endsWith('.png'));
    expect(pngs).toHaveLength(pages);
    const first = await readFile(join(work, pngs.sort()[0]!));
    expect(first.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('fails with a clear error when Chromium is missing, and keeps working after', async () => {
    const missing = createChromiumReportRenderer({
      reportPagePath: PAGE,
      executablePath: join(work, 'no-chromium'),
    });
    const error = await missing.render(demo, 'pdf').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BulkheadError);
    expect((error as BulkheadError).code).toBe('chromium-missing');
    expect((error as BulkheadError).message).toContain(`No Chromium at ${join(work, 'no-chromium')}`);
    await missing.dispose?.();
    const out = await renderer.render(demo, 'html');
    expect(out.bytes.length).toBeGreaterThan(1000);
  });
});
