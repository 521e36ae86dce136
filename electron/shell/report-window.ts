import { access } from 'node:fs/promises';
import { isAbsolute } from 'node:path';

import { BrowserWindow, session, shell } from 'electron';
import type { Session } from 'electron';

import { isReportFileUrl, reportPageDir } from '../adapters/report/page-files.js';
import { HEADER_TEMPLATE, footerTemplate, marginsInInches } from '../adapters/report/pdf-layout.js';
import { countPdfPages } from '../adapters/report/pdf-pages.js';
import { reportStylesheets, standaloneHtml } from '../adapters/report/standalone-html.js';
import type { Report } from '../../shared/domain/report/model.js';
import { REPORT_PAGE_GLOBAL } from '../../shared/ipc/report-page.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type { RenderedReport, ReportRendererPort, RevealPort } from '../services/report-ports.js';
import { applySessionGuards } from './security.js';
import { REPORT_PARTITION, reportWindowOptions } from './window.js';

// The desktop app's report renderer and file-manager reveal. The same built report page the headless
// renderer uses is loaded in a hidden window and printed with webContents.printToPDF, with the same footer
// and margins. This file is Electron glue only (it cannot run on the build machine); the page, the layout,
// the page count and the HTML export are the shared adapter code the e2e tests exercise headless.

/** How long one render may take before its window is destroyed. */
const RENDER_TIMEOUT_MS = 120_000;

let sessionReady = false;

/**
 * The report window's session: the app's guards (no permission, CSP header), and a request filter that lets
 * the page load its own files from disk and cancels everything else — any URL, any scheme.
 */
function reportSession(pageDir: string): Session {
  const ses = session.fromPartition(REPORT_PARTITION);
  if (!sessionReady) {
    applySessionGuards(ses);
    ses.webRequest.onBeforeRequest((details, callback) => {
      const allowed = isReportFileUrl(details.url, pageDir);
      if (!allowed)
        console.warn(`bulkhead: report window: blocked a request to ${details.url.slice(0, 200)}`);
      callback({ cancel: !allowed });
    });
    sessionReady = true;
  }
  return ses;
}

function withTimeout<T>(work: Promise<T>, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new BulkheadError('internal', `the report did not render within ${RENDER_TIMEOUT_MS / 1000} s`));
    }, RENDER_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function renderIn(
  window: BrowserWindow,
  reportPagePath: string,
  report: Report,
  format: 'html' | 'pdf',
  onProgress: ((message: string) => void) | undefined,
): Promise<RenderedReport> {
  const { webContents } = window;
  await window.loadFile(reportPagePath);
  // The report crosses as a JSON literal in the script text: JSON is a JavaScript expression, and nothing
  // in it can end the string or the call (Checklist: the page itself has no bridge to the main process).
  const api = `window[${JSON.stringify(REPORT_PAGE_GLOBAL)}]`;
  onProgress?.(
    `laying out ${report.containers.length} container${report.containers.length === 1 ? '' : 's'}`,
  );
  const rendered: unknown = await webContents.executeJavaScript(`${api}.render(${JSON.stringify(report)})`);
  const title =
    typeof rendered === 'object' &&
    rendered !== null &&
    typeof (rendered as { title?: unknown }).title === 'string'
      ? (rendered as { title: string }).title
      : 'Bulkhead report';
  if (format === 'html') {
    const body: unknown = await webContents.executeJavaScript(`${api}.markup()`);
    if (typeof body !== 'string') throw new BulkheadError('internal', 'the report page returned no markup');
    const css = await reportStylesheets(reportPagePath);
    return { bytes: new TextEncoder().encode(standaloneHtml({ title, css, body })), pages: null };
  }
  onProgress?.('printing the PDF');
  const pdf = await webContents.printToPDF({
    pageSize: 'A4',
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: HEADER_TEMPLATE,
    footerTemplate: footerTemplate(report),
    margins: marginsInInches(),
    // Untagged, like the headless renderer (see chromium-renderer.ts): tags cost time and triple the size.
  });
  const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  return { bytes, pages: countPdfPages(bytes) };
}

/**
 * The desktop ReportRendererPort: each render gets a fresh hidden window (secure preferences, no preload,
 * its own session that can load nothing but the page's files), which is destroyed afterwards.
 */
export function createPrintToPdfRenderer(options: { readonly reportPagePath: string }): ReportRendererPort {
  const pageDir = reportPageDir(options.reportPagePath);
  const open = new Set<BrowserWindow>();
  return {
    async render(report, format, onProgress): Promise<RenderedReport> {
      reportSession(pageDir);
      const window = new BrowserWindow(reportWindowOptions());
      open.add(window);
      const gone = new Promise<never>((_, reject) => {
        window.webContents.once('render-process-gone', (_event, details) =>
          reject(new BulkheadError('internal', `the report window's renderer exited (${details.reason})`)),
        );
      });
      try {
        return await withTimeout(
          Promise.race([renderIn(window, options.reportPagePath, report, format, onProgress), gone]),
          () => window.destroy(),
        );
      } finally {
        open.delete(window);
        if (!window.isDestroyed()) window.destroy();
      }
    },
    dispose(): Promise<void> {
      for (const window of open) if (!window.isDestroyed()) window.destroy();
      open.clear();
      return Promise.resolve();
    },
  };
}

/**
 * The desktop RevealPort: shows an exported file in the system file manager. Only an absolute path to a file
 * that exists is shown (the path comes from the export's own answer); anything else answers false, and the
 * dialog then shows the path with a copy button.
 */
export const shellReveal: RevealPort = {
  async reveal(path) {
    if (!isAbsolute(path)) return false;
    try {
      await access(path);
    } catch {
      return false;
    }
    shell.showItemInFolder(path);
    return true;
  },
};
