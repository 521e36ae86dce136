import type { ContainerId } from '../../../shared/domain/ids.js';
import { REPORT_SECTIONS } from '../../../shared/domain/report/model.js';
import type { ReportFormat, ReportSection } from '../../../shared/domain/report/model.js';
import type {
  PushOf,
  ReportExportPhase,
  ReportExportResult,
  RequestOf,
} from '../../../shared/ipc/contract.js';
import type { ErrorData } from '../../../shared/ipc/result.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import { formatBytes } from './images.js';

/**
 * The report export dialog as data: what the user picked, the export in flight and its progress pushes,
 * the result, and the reveal that follows. Pure functions; the store and the controller apply them.
 */

/** The time windows the dialog offers, in seconds; null: everything the subscription still holds. */
export const REPORT_WINDOWS: readonly { readonly seconds: number | null; readonly label: string }[] = [
  { seconds: 60, label: 'Last minute' },
  { seconds: 300, label: 'Last 5 minutes' },
  { seconds: 600, label: 'Last 10 minutes' },
  { seconds: null, label: 'Everything held' },
];

/** The formats, as the dialog names them. */
export const FORMAT_LABELS: Readonly<Record<ReportFormat, string>> = {
  pdf: 'PDF',
  html: 'HTML',
  json: 'JSON',
  sarif: 'SARIF',
};

/** What the user picked. */
export interface ReportForm {
  /** null: every container (the default); else the ticked ones. */
  readonly containers: readonly ContainerId[] | null;
  readonly sections: readonly ReportSection[];
  readonly windowSeconds: number | null;
  readonly format: ReportFormat;
  readonly path: string;
  /** Whether the user typed the path (a format change then only swaps its extension). */
  readonly pathEdited: boolean;
}

/** One export from the click to its answer. */
export type ExportRun =
  | { readonly phase: 'idle' }
  | {
      readonly phase: 'running';
      readonly exportId: string;
      readonly progress: PushOf<'report:progress'> | null;
    }
  | { readonly phase: 'done'; readonly exportId: string; readonly result: ReportExportResult }
  | { readonly phase: 'failed'; readonly exportId: string; readonly error: ErrorData };

/** Asking the desktop to show the file. */
export type RevealState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'asking' }
  | { readonly phase: 'revealed' }
  /** No file manager to ask (browser mode) or it failed: the path is shown with a copy button. */
  | { readonly phase: 'unavailable'; readonly reason: string | null };

/** The dialog's state. */
export interface ReportExportState {
  readonly open: boolean;
  readonly form: ReportForm;
  readonly run: ExportRun;
  readonly reveal: RevealState;
}

/** A key press as the shortcut test needs it. */
export interface ShortcutKey {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  /** Typed into a field. */
  readonly typing: boolean;
  /** Inside (or while) a dialog is open. */
  readonly inDialog: boolean;
}

/** `e` (export) opens the report dialog — not while typing, not over another dialog, not with Ctrl/Alt/Meta. */
export function isReportShortcut(event: ShortcutKey): boolean {
  return (
    (event.key === 'e' || event.key === 'E') &&
    !event.typing &&
    !event.inDialog &&
    !event.ctrlKey &&
    !event.altKey &&
    !event.metaKey
  );
}

/** The file extension of a format. */
export function formatExtension(format: ReportFormat): string {
  switch (format) {
    case 'pdf':
      return 'pdf';
    case 'html':
      return 'html';
    case 'json':
      return 'json';
    case 'sarif':
      return 'sarif';
    default:
      return assertNever(format, 'report format');
  }
}

/**
 * `~/bulkhead-report-20261203-1907.pdf`: a file in the engine's home directory (the engine resolves `~`;
 * browser mode has no native save dialog), named by the local date and time of `now`.
 */
export function defaultReportPath(format: ReportFormat, now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `~/bulkhead-report-${stamp}.${formatExtension(format)}`;
}

const KNOWN_EXTENSION = /\.(pdf|html?|json|sarif)$/i;

/** The form with another format: a default path follows it; a typed one keeps its name, extension swapped. */
export function withFormat(form: ReportForm, format: ReportFormat, now: Date): ReportForm {
  const path = !form.pathEdited
    ? defaultReportPath(format, now)
    : KNOWN_EXTENSION.test(form.path)
      ? form.path.replace(KNOWN_EXTENSION, `.${formatExtension(format)}`)
      : form.path;
  return { ...form, format, path };
}

/** A fresh form: every container, every section, the last 5 minutes, PDF, the default path. */
export function initialForm(now: Date): ReportForm {
  return {
    containers: null,
    sections: REPORT_SECTIONS,
    windowSeconds: 300,
    format: 'pdf',
    path: defaultReportPath('pdf', now),
    pathEdited: false,
  };
}

/** Tick or untick a section (kept in the model's order). */
export function toggleSection(
  sections: readonly ReportSection[],
  section: ReportSection,
): readonly ReportSection[] {
  const on = sections.includes(section);
  return REPORT_SECTIONS.filter((s) => (s === section ? !on : sections.includes(s)));
}

/**
 * Tick or untick a container. Unticking one of "all" turns the choice into every other container listed now;
 * from then on the choice is that explicit list (only the "All containers" box goes back to every container,
 * including those started later).
 */
export function toggleContainer(
  chosen: readonly ContainerId[] | null,
  id: ContainerId,
  all: readonly ContainerId[],
): readonly ContainerId[] {
  const current = chosen ?? all;
  const next = current.includes(id) ? current.filter((c) => c !== id) : [...current, id];
  return all.filter((c) => next.includes(c));
}

/** Why the form cannot be sent yet, or null. */
export function formProblem(form: ReportForm, available: readonly ContainerId[]): string | null {
  if (form.containers !== null && form.containers.filter((c) => available.includes(c)).length === 0)
    return 'Pick at least one container.';
  if (form.sections.length === 0) return 'Pick at least one section.';
  if (form.path.trim() === '') return 'Say where to write the file.';
  return null;
}

/** The `report:export` request for the form. */
export function exportRequest(
  form: ReportForm,
  exportId: string,
  available: readonly ContainerId[],
  subscriptions: { readonly syscallsSubId: string | null; readonly anomalySubId: string | null },
): RequestOf<'report:export'> {
  return {
    ...(form.containers !== null ? { containers: form.containers.filter((c) => available.includes(c)) } : {}),
    sections: form.sections,
    ...(form.windowSeconds !== null ? { windowSeconds: form.windowSeconds } : {}),
    ...(subscriptions.syscallsSubId !== null ? { syscallsSubId: subscriptions.syscallsSubId } : {}),
    ...(subscriptions.anomalySubId !== null ? { anomalySubId: subscriptions.anomalySubId } : {}),
    format: form.format,
    path: form.path.trim(),
    exportId,
  };
}

/** An export id the schema accepts: 22 url-safe characters from the platform's random source. */
export function newExportId(random: (bytes: Uint8Array<ArrayBuffer>) => void): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = new Uint8Array(21);
  random(bytes);
  // A letter first: an id never looks like a command-line option.
  return `x${Array.from(bytes, (b) => alphabet[b % 64]).join('')}`;
}

/** The state once an export was sent. */
export function beginExport(state: ReportExportState, exportId: string): ReportExportState {
  return { ...state, run: { phase: 'running', exportId, progress: null }, reveal: { phase: 'idle' } };
}

/** A progress push; pushes of another export (an earlier one, another window's) are ignored. */
export function applyProgress(state: ReportExportState, push: PushOf<'report:progress'>): ReportExportState {
  if (state.run.phase !== 'running' || state.run.exportId !== push.exportId) return state;
  return { ...state, run: { ...state.run, progress: push } };
}

/** The export's answer; an answer to an export the dialog no longer waits for is ignored. */
export function applyExportResult(
  state: ReportExportState,
  exportId: string,
  result:
    | { readonly ok: true; readonly value: ReportExportResult }
    | { readonly ok: false; readonly error: ErrorData },
): ReportExportState {
  if (state.run.phase !== 'running' || state.run.exportId !== exportId) return state;
  return {
    ...state,
    run: result.ok
      ? { phase: 'done', exportId, result: result.value }
      : { phase: 'failed', exportId, error: result.error },
  };
}

/** The words for a phase. */
export function phaseLabel(phase: ReportExportPhase): string {
  switch (phase) {
    case 'gathering':
      return 'Gathering';
    case 'scanning-images':
      return 'Scanning images';
    case 'rendering':
      return 'Rendering';
    case 'writing':
      return 'Writing';
    case 'done':
      return 'Done';
    case 'failed':
      return 'Failed';
    default:
      return assertNever(phase, 'export phase');
  }
}

/** The progress line and bar: the phase, its message, and done/total when the phase counts steps. */
export function progressView(progress: PushOf<'report:progress'> | null): {
  readonly text: string;
  readonly fraction: number | null;
} {
  if (progress === null) return { text: 'Starting…', fraction: null };
  const steps = progress.total > 0 ? ` (${progress.done} of ${progress.total})` : '';
  const message = progress.message === '' ? '' : `: ${progress.message}`;
  return {
    text: `${phaseLabel(progress.phase)}${message}${steps}`,
    fraction: progress.total > 0 ? Math.min(1, Math.max(0, progress.done / progress.total)) : null,
  };
}

/** `PDF, 412 KB, 14 pages, in 3.2 s`. */
export function resultText(result: ReportExportResult): string {
  const pages = result.pages === null ? '' : `, ${result.pages} page${result.pages === 1 ? '' : 's'}`;
  return `${FORMAT_LABELS[result.format]}, ${formatBytes(result.bytes)}${pages}, in ${(result.durationMs / 1000).toFixed(1)} s`;
}

/** The headline of a failed export, chosen by code (the engine's message goes under it). */
export function exportFailedTitle(code: ErrorData['code']): string {
  switch (code) {
    case 'chromium-missing':
      return 'Chromium is needed for PDF and HTML reports';
    case 'report-renderer-unavailable':
      return 'This engine cannot render PDF or HTML reports';
    case 'disk-full':
      return 'The disk is full: the report could not be written';
    case 'write-failed':
    case 'permission-denied':
      return 'The report could not be written';
    case 'bad-request':
      return 'The engine refused these choices';
    case 'docker-unreachable':
    case 'docker-permission-denied':
    case 'docker-error':
      return 'The engine did not answer';
    case 'transport-closed':
      return 'The connection to the engine was lost';
    case 'not-found':
    case 'unknown-channel':
    case 'untrusted-sender':
    case 'demo-unavailable':
    case 'sysdig-missing':
    case 'sysdig-driver-missing':
    case 'sysdig-failed':
    case 'capture-unreadable':
    case 'bpftrace-missing':
    case 'bpftrace-failed':
    case 'internal':
      return 'The report could not be made';
    default:
      return assertNever(code, 'error code');
  }
}
