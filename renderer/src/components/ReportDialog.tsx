import { useEffect, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import '../report-dialog.css';
import { assertNever } from '../../../shared/util/assert-never.js';
import { REPORT_FORMATS, REPORT_SECTIONS } from '../../../shared/domain/report/model.js';
import { orderContainers } from '../state/containers.js';
import {
  FORMAT_LABELS,
  REPORT_WINDOWS,
  exportFailedTitle,
  formProblem,
  isReportShortcut,
  progressView,
  resultText,
  toggleContainer,
  toggleSection,
  withFormat,
} from '../state/report-export.js';
import type { ExportRun, RevealState } from '../state/report-export.js';
import { sectionTitle } from '../state/report-view.js';
import { useContainersStore } from '../stores/containers-store.js';
import {
  closeReportDialog,
  exportReport,
  openReportDialog,
  revealReport,
  updateReportForm,
  useReportStore,
} from '../stores/report-store.js';
import { useSyscallsStore } from '../stores/syscalls-store.js';
import { Icon } from './Icon.js';
import { useModalDialog } from './use-modal-dialog.js';

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

/** The header's "Report…" button; `e` (export) opens the dialog from anywhere but a text field or a dialog. */
export function ReportButton(): ReactElement {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.isComposing || event.repeat) return;
      const inDialog =
        (event.target instanceof Element && event.target.closest('dialog') !== null) ||
        document.querySelector('dialog[open]') !== null;
      const key = {
        key: event.key,
        ctrlKey: event.ctrlKey,
        altKey: event.altKey,
        metaKey: event.metaKey,
        typing: isTyping(event.target),
        inDialog,
      };
      if (!isReportShortcut(key)) return;
      event.preventDefault();
      openReportDialog();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
  return (
    <button
      type="button"
      className="report-button"
      aria-keyshortcuts="e"
      title="Export a report (e)"
      aria-haspopup="dialog"
      data-report-button=""
      onClick={openReportDialog}
    >
      <svg className="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <g fill="none" stroke="currentColor" strokeWidth="1.6">
          <path d="M3.5 1.5h6l3 3v10h-9z" />
          <path d="M6 8h4M6 10.5h4M6 5.5h2" />
        </g>
      </svg>
      <span>Report…</span>
      <kbd aria-hidden="true">e</kbd>
    </button>
  );
}

/**
 * The report export dialog: which containers, which sections, the time window of the runtime sections,
 * the format and where the engine writes the file; then the export's progress, its result, and "Open
 * containing folder" (or, where no file manager can be asked, the path with a copy button).
 *
 * A native modal `<dialog>` like the drawers: the page behind is inert, Tab wraps, Escape closes, focus
 * returns to the opener. Container names are text.
 */
export function ReportDialog(): ReactElement {
  const { open, form, run, reveal } = useReportStore(
    useShallow((s) => ({ open: s.open, form: s.form, run: s.run, reveal: s.reveal })),
  );
  const list = useContainersStore((s) => s.list);
  const syscallsRunning = useSyscallsStore((s) => s.subscription?.subId != null);
  const { dialog, heading, onClose, onKeyDown } = useModalDialog(open, closeReportDialog);

  const containers = list === null ? [] : orderContainers(list.containers);
  const all = containers.map((c) => c.id);
  const chosen = form.containers ?? all;
  const problem = formProblem(form, all);
  const running = run.phase === 'running';

  return (
    <dialog
      ref={dialog}
      className="report-dialog"
      aria-labelledby="report-dialog-title"
      onClose={onClose}
      onKeyDown={onKeyDown}
    >
      {open ? (
        <div className="panel-body" data-panel="report">
          <header className="panel-head">
            <div className="panel-title-block">
              <span className="panel-kicker">Export</span>
              <h2 id="report-dialog-title" ref={heading} tabIndex={-1}>
                Report
              </h2>
            </div>
            <button
              type="button"
              className="panel-close"
              onClick={() => dialog.current?.close()}
              aria-label="Close"
            >
              <span aria-hidden="true">✕</span> Close
            </button>
          </header>
          <form
            className="report-form"
            onSubmit={(event) => {
              event.preventDefault();
              exportReport();
            }}
          >
            <fieldset className="report-field report-field-containers">
              <legend>Containers</legend>
              <label className="report-check report-check-all">
                <input
                  type="checkbox"
                  checked={form.containers === null}
                  disabled={running}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    updateReportForm((f) => ({ ...f, containers: on ? null : [] }));
                  }}
                />
                All containers ({containers.length}, and any that start before the export)
              </label>
              {containers.length === 0 ? (
                <p className="report-note">No containers are listed yet.</p>
              ) : (
                <ul className="report-container-list">
                  {containers.map((c) => (
                    <li key={c.id}>
                      <label className="report-check" data-container-name={c.name}>
                        <input
                          type="checkbox"
                          checked={chosen.includes(c.id)}
                          disabled={running}
                          onChange={() =>
                            updateReportForm((f) => ({
                              ...f,
                              containers: toggleContainer(f.containers, c.id, all),
                            }))
                          }
                        />
                        <span className="report-container-name">{c.name}</span>
                        <span className="report-note"> {c.state}</span>
                      </label>
                    </li>
                  ))}
                </ul>
              )}
            </fieldset>

            <fieldset className="report-field">
              <legend>Sections</legend>
              <p className="report-note">
                The cover, the summary and the host’s daemon checks are always in.
              </p>
              {REPORT_SECTIONS.map((section) => (
                <label key={section} className="report-check" data-section={section}>
                  <input
                    type="checkbox"
                    checked={form.sections.includes(section)}
                    disabled={running}
                    onChange={() =>
                      updateReportForm((f) => ({ ...f, sections: toggleSection(f.sections, section) }))
                    }
                  />
                  {sectionTitle(section)}
                </label>
              ))}
            </fieldset>

            <fieldset className="report-field">
              <legend>Time window</legend>
              <p className="report-note">
                For the syscall and anomaly sections; posture and images are as of the export.
                {syscallsRunning ? '' : ' No syscall source is running: those sections will say so.'}
              </p>
              {REPORT_WINDOWS.map((w) => (
                <label key={w.label} className="report-radio">
                  <input
                    type="radio"
                    name="report-window"
                    checked={form.windowSeconds === w.seconds}
                    disabled={running}
                    onChange={() => updateReportForm((f) => ({ ...f, windowSeconds: w.seconds }))}
                  />
                  {w.label}
                </label>
              ))}
            </fieldset>

            <fieldset className="report-field">
              <legend>Format</legend>
              {REPORT_FORMATS.map((format) => (
                <label key={format} className="report-radio" data-format={format}>
                  <input
                    type="radio"
                    name="report-format"
                    checked={form.format === format}
                    disabled={running}
                    onChange={() => updateReportForm((f) => withFormat(f, format, new Date()))}
                  />
                  {FORMAT_LABELS[format]}
                </label>
              ))}
            </fieldset>

            <label className="report-field report-path">
              <span className="report-label">Save to</span>
              <input
                type="text"
                className="report-path-input"
                value={form.path}
                disabled={running}
                spellCheck={false}
                autoComplete="off"
                onChange={(e) => {
                  const path = e.currentTarget.value;
                  updateReportForm((f) => ({ ...f, path, pathEdited: true }));
                }}
              />
              <span className="report-note">
                A path on the machine the engine runs on; <code>~</code> is that user’s home directory. An
                existing file is replaced only once the new one is complete.
              </span>
            </label>

            <div className="panel-actions">
              <button type="submit" className="report-export" disabled={running || problem !== null}>
                {running ? 'Exporting…' : 'Export'}
              </button>
              {problem !== null ? (
                <span className="report-problem" data-report-problem="">
                  {problem}
                </span>
              ) : null}
            </div>
          </form>
          <ExportStatus run={run} reveal={reveal} />
        </div>
      ) : null}
    </dialog>
  );
}

function ExportStatus({
  run,
  reveal,
}: {
  readonly run: ExportRun;
  readonly reveal: RevealState;
}): ReactElement | null {
  switch (run.phase) {
    case 'idle':
      return null;
    case 'running': {
      const view = progressView(run.progress);
      const percent = view.fraction === null ? null : Math.round(view.fraction * 100);
      return (
        <div
          className="report-status"
          role="status"
          data-export-state="running"
          data-phase={run.progress?.phase ?? ''}
        >
          <span className="report-progress-text">
            <Icon name="spinner" /> {view.text}
          </span>
          <progress className="report-progress" max={100} value={percent ?? undefined} aria-label={view.text}>
            {percent === null ? view.text : `${percent}%`}
          </progress>
        </div>
      );
    }
    case 'done':
      return (
        <div className="report-status report-done" role="status" data-export-state="done">
          <p className="report-done-title">
            <Icon name="check" /> <strong>Report written</strong>{' '}
            <span className="report-result" data-pages={run.result.pages ?? ''} data-bytes={run.result.bytes}>
              {resultText(run.result)}
            </span>
          </p>
          <code className="report-written-path">{run.result.path}</code>
          <RevealActions path={run.result.path} reveal={reveal} />
        </div>
      );
    case 'failed':
      return (
        <div
          className="report-status report-failed"
          role="alert"
          data-export-state="failed"
          data-error-code={run.error.code}
        >
          <p className="report-failed-title">
            <Icon name="alert" /> <strong>{exportFailedTitle(run.error.code)}</strong>
          </p>
          <p className="report-failed-message">{run.error.message}</p>
          <p className="report-note">
            Nothing was written over an existing file. Change the choices and export again.
          </p>
        </div>
      );
    default:
      return assertNever(run, 'export run');
  }
}

function RevealActions({
  path,
  reveal,
}: {
  readonly path: string;
  readonly reveal: RevealState;
}): ReactElement {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'no' | 'yes' | 'select'>('no');
  if (reveal.phase === 'unavailable') {
    const copy = (): void => {
      navigator.clipboard.writeText(path).then(
        () => setCopied('yes'),
        () => {
          // No clipboard permission (the desktop app denies every permission): select it for Ctrl+C.
          input.current?.select();
          setCopied('select');
        },
      );
    };
    return (
      <div className="report-reveal" data-reveal="unavailable">
        <p className="report-note">
          {reveal.reason ?? 'There is no file manager to open here (browser mode); the file is at:'}
        </p>
        <div className="report-copy">
          <input
            ref={input}
            type="text"
            readOnly
            className="report-copy-path"
            value={path}
            aria-label="Path of the written report"
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" className="panel-close report-copy-button" onClick={copy}>
            Copy path
          </button>
          <span className="report-copied" role="status">
            {copied === 'yes' ? 'Copied.' : copied === 'select' ? 'Selected: press Ctrl+C to copy.' : ''}
          </span>
        </div>
      </div>
    );
  }
  return (
    <div className="panel-actions report-reveal" data-reveal={reveal.phase}>
      <button
        type="button"
        className="panel-close report-open-folder"
        disabled={reveal.phase === 'asking'}
        onClick={() => revealReport(path)}
      >
        Open containing folder
      </button>
      {reveal.phase === 'revealed' ? <span className="report-note">Shown in the file manager.</span> : null}
    </div>
  );
}
