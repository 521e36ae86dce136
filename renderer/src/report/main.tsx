import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';

import '../styles.css';
import '../posture.css';
import '../images.css';
import './report.css';
import type { Report } from '../../../shared/domain/report/model.js';
import { REPORT_PAGE_GLOBAL } from '../../../shared/ipc/report-page.js';
import type { ReportPageApi, ReportPageRendered } from '../../../shared/ipc/report-page.js';
import { formatTimestamp } from '../state/format.js';
import { ReportDocument } from './ReportDocument.js';

// The report page's entry: it renders nothing until an adapter calls window.bulkheadReport.render(report).

const element = document.getElementById('root');
if (element === null) throw new Error('report.html has no #root element');
const root = createRoot(element);

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

async function render(report: Report): Promise<ReportPageRendered> {
  if (typeof report !== 'object' || report === null || report.format !== 'bulkhead-report')
    throw new Error('not a Bulkhead report');
  // flushSync: the DOM is complete when this returns, so the frames below paint the finished document.
  flushSync(() => root.render(<ReportDocument report={report} />));
  const title = `Bulkhead report ${formatTimestamp(report.generatedAt)}${report.source.kind === 'demo' ? ' (demo data)' : ''}`;
  document.title = title;
  await document.fonts.ready;
  // One frame: the document is painted once (printing lays it out again for the page size anyway).
  await nextFrame();
  return { title, containers: report.containers.length };
}

const api: ReportPageApi = {
  render,
  markup: () => element.innerHTML,
  clear: () => {
    flushSync(() => root.render(null));
    document.title = 'Bulkhead report';
  },
};
Object.defineProperty(window, REPORT_PAGE_GLOBAL, { value: api, writable: false, configurable: false });
