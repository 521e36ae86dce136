import type { Report } from '../../../shared/domain/report/model.js';

/**
 * The PDF page layout shared by both renderers (headless Chromium's `page.pdf()` and Electron's
 * `webContents.printToPDF`): A4, backgrounds printed, and a footer with "Page X of Y" on every page — and
 * "DEMO DATA" on every page of a demo report.
 */

/** Page margins in millimetres (the footer sits in the bottom margin). */
export const PDF_MARGINS_MM = { top: 14, right: 14, bottom: 16, left: 14 } as const;

const MM_PER_INCH = 25.4;

/** The margins in inches, as `printToPDF` takes them. */
export function marginsInInches(): { top: number; right: number; bottom: number; left: number } {
  const inch = (mm: number): number => Math.round((mm / MM_PER_INCH) * 1000) / 1000;
  return {
    top: inch(PDF_MARGINS_MM.top),
    right: inch(PDF_MARGINS_MM.right),
    bottom: inch(PDF_MARGINS_MM.bottom),
    left: inch(PDF_MARGINS_MM.left),
  };
}

/** Text for a print template, HTML-escaped (templates are markup; nothing from a container goes in them). */
export function escapeTemplateText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `2026-12-03 19:07 UTC`, like the report page's own timestamps. */
function utcMinute(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * The footer template: the report's date (and DEMO DATA) on the left, "Page X of Y" on the right. Chromium
 * fills `pageNumber` and `totalPages`; the template is rendered without the page's stylesheet, so its style
 * is inline (print templates are not subject to the page's CSP).
 */
export function footerTemplate(report: Pick<Report, 'generatedAt' | 'source'>): string {
  const demo =
    report.source.kind === 'demo'
      ? '<span style="font-weight:700;color:#5b2a86;letter-spacing:0.05em">DEMO DATA</span> · '
      : '';
  const left = `${demo}Bulkhead report · ${escapeTemplateText(utcMinute(report.generatedAt))}`;
  return (
    '<div style="box-sizing:border-box;width:100%;padding:0 14mm;display:flex;justify-content:space-between;' +
    "font-family:'DejaVu Sans',sans-serif;font-size:7.5pt;color:#545c68;-webkit-print-color-adjust:exact\">" +
    `<span>${left}</span>` +
    '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
  );
}

/** An empty header (without one Chromium prints its default: the date and the title). */
export const HEADER_TEMPLATE = '<span></span>';
