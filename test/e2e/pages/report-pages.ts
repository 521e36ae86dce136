import type { BrowserContext, Locator, Page } from 'playwright-core';

import { pageFile, reportPageDir, reportPageUrl } from '../../../electron/adapters/report/page-files.js';
import type { Report } from '../../../shared/domain/report/model.js';
import { REPORT_PAGE_GLOBAL } from '../../../shared/ipc/report-page.js';
import type { ReportPageApi, ReportPageRendered } from '../../../shared/ipc/report-page.js';

/**
 * The built report page (dist/renderer/report.html) in a browser context, served the way the headless
 * renderer serves it: its own files from disk under the made-up origin, every other request refused and
 * recorded (so a test sees any request a hostile string managed to cause).
 */
export class ReportPage {
  /** URLs the page asked for that are not its own files. */
  readonly blocked: string[] = [];
  /** Messages of dialogs the page opened (each dismissed). */
  readonly dialogs: string[] = [];
  /** Uncaught errors in the page. */
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {}

  /** Open the page in `context` and wait for its API. */
  static async open(context: BrowserContext, reportPagePath: string): Promise<ReportPage> {
    const dir = reportPageDir(reportPagePath);
    const page = await context.newPage();
    const rp = new ReportPage(page);
    await page.route('**/*', async (route) => {
      const file = await pageFile(dir, route.request().url());
      if (file === null) {
        rp.blocked.push(route.request().url());
        await route.abort('blockedbyclient');
      } else await route.fulfill({ status: 200, body: file.body, contentType: file.contentType });
    });
    page.on('dialog', (d) => {
      rp.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => rp.errors.push(e.message));
    await page.goto(reportPageUrl(reportPagePath));
    await page.waitForFunction((name) => name in window, REPORT_PAGE_GLOBAL);
    return rp;
  }

  /** Render a report through the page's own API. */
  render(report: Report): Promise<ReportPageRendered> {
    return this.page.evaluate(
      ([name, value]) => (window as unknown as Record<string, ReportPageApi>)[name]!.render(value),
      [REPORT_PAGE_GLOBAL, report] as const,
    );
  }

  /** `data-report-section` of every top-level part, in document order. */
  sections(): Promise<string[]> {
    return this.page
      .locator('[data-report-section]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-report-section') ?? ''));
  }

  /** The n-th container's details. */
  container(index: number): Locator {
    return this.page.locator('section.report-container').nth(index);
  }

  /** `section → state` of the n-th container's parts. */
  partStates(index: number): Promise<Record<string, string>> {
    return this.container(index)
      .locator('[data-report-part]')
      .evaluateAll((els): Record<string, string> =>
        Object.fromEntries(
          els.map((e) => [e.getAttribute('data-report-part') ?? '', e.getAttribute('data-state') ?? '']),
        ),
      );
  }

  /** A computed style property of every element matching `selector` (deduplicated). */
  computed(selector: string, property: string): Promise<string[]> {
    return this.page
      .locator(selector)
      .evaluateAll(
        (els, prop) => [...new Set(els.map((e) => getComputedStyle(e).getPropertyValue(prop)))],
        property,
      );
  }

  /** The document's text. */
  text(): Promise<string> {
    return this.page.evaluate(() => document.body.textContent ?? '');
  }
}
