import type { Report } from '../domain/report/model.js';

/**
 * The report page's API (renderer/report.html): what a renderer adapter calls once the page has loaded.
 *
 * The headless adapter (playwright-core) and the desktop one (a hidden BrowserWindow) both load the same
 * built page, hand it the Report as a JSON value, wait until it is painted, then print it to PDF or take the
 * rendered markup for the standalone HTML export. The page makes no request of its own and has no bridge.
 */

/** The global the page defines on `window` when its script has run. */
export const REPORT_PAGE_GLOBAL = 'bulkheadReport';

/** What `render` answers once the document is laid out and painted. */
export interface ReportPageRendered {
  /** The document title (also the PDF's Title). */
  readonly title: string;
  readonly containers: number;
}

/** `window.bulkheadReport`. */
export interface ReportPageApi {
  /** Render the report (replacing any earlier one); resolves after fonts are ready and two frames painted. */
  render(report: Report): Promise<ReportPageRendered>;
  /** The rendered document's body markup, as the browser serializes it (text escaped, no script). */
  markup(): string;
  /** Drop the rendered document (the page is kept for the next report). */
  clear(): void;
}
