import { access, constants } from 'node:fs/promises';

import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

import type { Report } from '../../../shared/domain/report/model.js';
import { REPORT_PAGE_GLOBAL } from '../../../shared/ipc/report-page.js';
import type { ReportPageApi, ReportPageRendered } from '../../../shared/ipc/report-page.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { RenderedReport, ReportRendererPort } from '../../services/report-ports.js';
import { pageFile, reportPageDir, reportPageUrl } from './page-files.js';
import { HEADER_TEMPLATE, PDF_MARGINS_MM, footerTemplate } from './pdf-layout.js';
import { countPdfPages } from './pdf-pages.js';
import { reportStylesheets, standaloneHtml } from './standalone-html.js';

/** Where Chromium is looked for unless told otherwise (Debian's package; `$BULKHEAD_CHROMIUM` overrides). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Chromium's flags: no sandbox (it runs as root in containers and CI), and nothing that phones home —
 * no background networking, no component updates, no first-run tasks.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** How long Chromium may take to start. */
const LAUNCH_TIMEOUT_MS = 30_000;

/** How long one render may take before it is abandoned. */
const RENDER_TIMEOUT_MS = 120_000;

/** Options of {@link createChromiumReportRenderer}. */
export interface ChromiumReportRendererOptions {
  /** The built report page, `dist/renderer/report.html`. */
  readonly reportPagePath: string;
  /** The Chromium binary; default `$BULKHEAD_CHROMIUM`, else /usr/bin/chromium. */
  readonly executablePath?: string;
  /** Told about every request the page made that was refused (anything but the page's own files). */
  readonly onBlockedRequest?: (url: string) => void;
  /** The environment `$BULKHEAD_CHROMIUM` is read from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The page's API as the adapter calls it (`globalThis`: this module is not compiled with the DOM). */
type PageGlobal = Readonly<Record<string, ReportPageApi | undefined>>;

/**
 * The headless report renderer: Chromium through playwright-core loads the built report page, the page
 * renders the Report with the app's components, and Chromium prints it (`page.pdf()`) or the adapter takes
 * the rendered markup for the standalone HTML export.
 *
 * The page is served under a made-up origin from the build directory; every other request — any URL at
 * all — is aborted, so a report cannot fetch anything, whatever its strings contain. One browser is started
 * on the first render and reused, and so is one loaded report page (cleared after each render; renders at
 * the same time get pages of their own); `dispose` closes the browser.
 */
export function createChromiumReportRenderer(options: ChromiumReportRendererOptions): ReportRendererPort {
  const env = options.env ?? process.env;
  const executablePath = options.executablePath ?? (env.BULKHEAD_CHROMIUM || DEFAULT_CHROMIUM);
  const pageDir = reportPageDir(options.reportPagePath);
  const pageUrl = reportPageUrl(options.reportPagePath);
  let browser: Promise<Browser> | null = null;
  /** A loaded report page kept between renders (cleared), so a warm render skips loading the page. */
  let idle: Page | null = null;

  const launch = async (): Promise<Browser> => {
    try {
      await access(executablePath, constants.X_OK);
    } catch {
      throw new BulkheadError(
        'chromium-missing',
        `No Chromium at ${executablePath}: install the chromium package, or set BULKHEAD_CHROMIUM to its path`,
      );
    }
    try {
      const b = await chromium.launch({
        executablePath,
        args: [...CHROMIUM_ARGS],
        timeout: LAUNCH_TIMEOUT_MS,
      });
      b.on('disconnected', () => {
        browser = null;
        idle = null;
      });
      return b;
    } catch (e) {
      throw new BulkheadError(
        'chromium-missing',
        `Chromium at ${executablePath} could not be started: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
        { cause: e },
      );
    }
  };

  const getBrowser = (): Promise<Browser> => {
    if (browser === null) {
      const started = launch();
      browser = started;
      started.catch(() => {
        if (browser === started) browser = null;
      });
    }
    return browser;
  };

  const open = async (b: Browser): Promise<Page> => {
    const context = await b.newContext({
      serviceWorkers: 'block',
      acceptDownloads: false,
      viewport: { width: 794, height: 1123 },
    });
    // Every request goes through here: the page's own files are answered from disk, the rest is refused.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      const file = await pageFile(pageDir, url);
      if (file === null) {
        options.onBlockedRequest?.(url);
        await route.abort('blockedbyclient');
        return;
      }
      await route.fulfill({ status: 200, body: file.body, contentType: file.contentType });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(RENDER_TIMEOUT_MS);
    // The page opens no dialogs; should a string ever manage to, it is dismissed rather than block printing.
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    const response = await page.goto(pageUrl, { waitUntil: 'load' });
    if (response === null || !response.ok())
      throw new BulkheadError('internal', `the report page ${options.reportPagePath} did not load`);
    await page.waitForFunction(
      (name) => (globalThis as unknown as Record<string, unknown>)[name] !== undefined,
      REPORT_PAGE_GLOBAL,
    );
    return page;
  };

  const renderOn = async (page: Page, report: Report): Promise<ReportPageRendered> =>
    page.evaluate(
      async ([name, value]) => {
        const api = (globalThis as unknown as PageGlobal)[name];
        if (api === undefined) throw new Error('the report page has no renderer');
        return api.render(value);
      },
      [REPORT_PAGE_GLOBAL, report] as const,
    );

  return {
    async render(report, format, onProgress): Promise<RenderedReport> {
      if (browser === null) onProgress?.('starting Chromium');
      const b = await getBrowser();
      const kept = idle;
      idle = null;
      const page =
        kept !== null && !kept.isClosed()
          ? kept
          : await open(b).catch((e: unknown) => {
              throw e instanceof BulkheadError
                ? e
                : new BulkheadError(
                    'report-renderer-unavailable',
                    `the report page could not be opened: ${String(e)}`,
                    { cause: e },
                  );
            });
      let reusable = false;
      try {
        onProgress?.(
          `laying out ${report.containers.length} container${report.containers.length === 1 ? '' : 's'}`,
        );
        const rendered = await renderOn(page, report);
        let result: RenderedReport;
        if (format === 'html') {
          const body = await page.evaluate(
            (name) => (globalThis as unknown as PageGlobal)[name]?.markup() ?? '',
            REPORT_PAGE_GLOBAL,
          );
          const css = await reportStylesheets(options.reportPagePath);
          result = {
            bytes: new TextEncoder().encode(standaloneHtml({ title: rendered.title, css, body })),
            pages: null,
          };
        } else {
          onProgress?.('printing the PDF');
          const pdf = await page.pdf({
            format: 'A4',
            printBackground: true,
            displayHeaderFooter: true,
            headerTemplate: HEADER_TEMPLATE,
            footerTemplate: footerTemplate(report),
            margin: {
              top: `${PDF_MARGINS_MM.top}mm`,
              right: `${PDF_MARGINS_MM.right}mm`,
              bottom: `${PDF_MARGINS_MM.bottom}mm`,
              left: `${PDF_MARGINS_MM.left}mm`,
            },
            // No tagged PDF (and so no outline, which Chromium builds from the tags): for a 20-container
            // report they cost about 1.5 s and more than three times the file size; the contents page links.
          });
          const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
          result = { bytes, pages: countPdfPages(bytes) };
        }
        await page.evaluate(
          (name) => (globalThis as unknown as PageGlobal)[name]?.clear(),
          REPORT_PAGE_GLOBAL,
        );
        reusable = true;
        return result;
      } finally {
        // Keep one cleared page for the next render; a page that failed, or a second one, is closed.
        if (reusable && idle === null && !page.isClosed()) idle = page;
        else
          await page
            .context()
            .close()
            .catch(() => undefined);
      }
    },

    async dispose(): Promise<void> {
      const current = browser;
      browser = null;
      idle = null;
      if (current === null) return;
      const b = await current.catch(() => null);
      await b?.close().catch(() => undefined);
    },
  };
}
