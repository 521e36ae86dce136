import { create } from 'zustand';

import { defaultReportPath, initialForm } from '../state/report-export.js';
import type { ReportExportState, ReportForm } from '../state/report-export.js';

/** The report export dialog: open or not, the form, the export in flight, the reveal. */
export const useReportStore = create<ReportExportState>()(() => ({
  open: false,
  form: initialForm(new Date()),
  run: { phase: 'idle' },
  reveal: { phase: 'idle' },
}));

/** What the dialog asks of the engine; registered by the report controller. */
export interface ReportActions {
  /** Export the form's choices. */
  export(): void;
  /** Show the written file in the file manager. */
  reveal(path: string): void;
}

let actions: ReportActions | null = null;

/** Register the controller's actions; null unregisters. */
export function setReportActions(next: ReportActions | null): void {
  actions = next;
}

/**
 * Open the dialog. The last export's progress or result stays until the next export starts; a default path
 * is renewed so its name carries the current time.
 */
export function openReportDialog(): void {
  useReportStore.setState((s) => ({
    open: true,
    form: s.form.pathEdited ? s.form : { ...s.form, path: defaultReportPath(s.form.format, new Date()) },
  }));
}

/** Close the dialog (an export in flight carries on; its result shows when the dialog is opened again). */
export function closeReportDialog(): void {
  useReportStore.setState({ open: false });
}

/** Change the form. */
export function updateReportForm(update: (form: ReportForm) => ReportForm): void {
  useReportStore.setState((s) => ({ form: update(s.form) }));
}

/** Export; does nothing before the controller started. */
export function exportReport(): void {
  actions?.export();
}

/** Reveal the written file. */
export function revealReport(path: string): void {
  actions?.reveal(path);
}
