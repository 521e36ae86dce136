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

/** The report export dialog in the app, as a user drives it. */
export class ReportDialogPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('dialog.report-dialog');
  }

  /** The header's "Report…" button. */
  button(): Locator {
    return this.page.locator('button[data-report-button]');
  }

  isOpen(): Promise<boolean> {
    return this.root.evaluate((d) => (d as HTMLDialogElement).open);
  }

  async waitOpen(): Promise<void> {
    await this.root.locator('[data-panel="report"]').waitFor({ state: 'visible' });
  }

  /** The element that has focus, as `tag#id`. */
  focused(): Promise<string> {
    return this.page.evaluate(() => {
      const e = document.activeElement;
      return e === null ? '' : `${e.tagName.toLowerCase()}#${e.id}`;
    });
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.root.locator('[data-panel="report"]').waitFor({ state: 'detached' });
  }

  allContainers(): Locator {
    return this.root.locator('.report-check-all input');
  }

  container(name: string): Locator {
    return this.root.locator(`label[data-container-name=${JSON.stringify(name)}] input`);
  }

  section(id: string): Locator {
    return this.root.locator(`label[data-section="${id}"] input`);
  }

  format(id: string): Locator {
    return this.root.locator(`label[data-format="${id}"] input`);
  }

  window(label: string): Locator {
    return this.root.getByLabel(label, { exact: true });
  }

  path(): Locator {
    return this.root.locator('.report-path-input');
  }

  exportButton(): Locator {
    return this.root.locator('button.report-export');
  }

  status(): Locator {
    return this.root.locator('.report-status');
  }

  /** Record every `data-phase` the running status shows, from now on (the page keeps the list). */
  async recordPhases(): Promise<void> {
    await this.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __reportPhases: string[] }).__reportPhases = seen;
      new MutationObserver(() => {
        const el = document.querySelector('.report-status[data-export-state="running"]');
        const phase = el?.getAttribute('data-phase') ?? null;
        const text = el?.querySelector('.report-progress-text')?.textContent ?? '';
        if (phase !== null && seen.at(-1) !== `${phase}|${text}`) seen.push(`${phase}|${text}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  }

  /** `phase|progress text` values recorded since recordPhases. */
  phases(): Promise<string[]> {
    return this.page.evaluate(
      () => (window as unknown as { __reportPhases?: string[] }).__reportPhases ?? [],
    );
  }

  /** Wait for the export to end; resolves with `done` or `failed`. */
  async waitForEnd(timeout = 120_000): Promise<string> {
    const end = this.root.locator(
      '.report-status[data-export-state="done"], .report-status[data-export-state="failed"]',
    );
    await end.waitFor({ state: 'visible', timeout });
    return (await end.getAttribute('data-export-state')) ?? '';
  }
}
