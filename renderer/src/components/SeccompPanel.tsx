import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';

import type { SeccompReport } from '../../../shared/domain/seccomp/report.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import {
  DEFAULT_QUIET_SECONDS,
  MAX_QUIET_SECONDS,
  MIN_QUIET_SECONDS,
  entryFor,
  parseQuietSeconds,
  profileContents,
  profileExports,
  sentenceParts,
  splitView,
  statusText,
  versusDefaultView,
} from '../state/seccomp.js';
import type { NameList, ProfileExport, SeccompEntry } from '../state/seccomp.js';
import type { IconName } from '../state/status.js';
import { requestSeccompProfile, useSeccompStore } from '../stores/seccomp-store.js';
import { useSyscallsStore } from '../stores/syscalls-store.js';
import { Icon } from './Icon.js';

/** How long typing in the quiet-seconds box waits before generating again. */
const QUIET_DEBOUNCE_MS = 400;

/** How long a download's Blob URL is kept before it is revoked (the download has started by then). */
const BLOB_URL_LIFETIME_MS = 30_000;

function statusIcon(entry: SeccompEntry | null): IconName {
  if (entry === null) return 'circle';
  switch (entry.status) {
    case 'generating':
      return 'spinner';
    case 'ready':
      return 'check';
    case 'failed':
      return 'alert';
    default:
      return assertNever(entry, 'seccomp entry');
  }
}

/**
 * The "Seccomp profile" section of a subject's detail: generate a profile from what the subject was seen
 * calling in the current subscription (`seccomp:generate`), compare it with Docker's default, split it
 * into start-up and running phase, and download or copy it.
 *
 * Every name, sentence and reason comes from the engine and is rendered as text.
 */
export function SeccompPanel({
  subject,
  label,
}: {
  /** `SubjectView.key`, the token `seccomp:generate` takes. */
  readonly subject: string;
  /** How the Syscalls view names the subject (the file name is derived from it). */
  readonly label: string;
}): ReactElement {
  const subId = useSyscallsStore((s) => s.subscription?.subId ?? null);
  const entry = useSeccompStore((s) => entryFor(s, subId, subject));
  const [quietText, setQuietText] = useState(String(entry?.quietSeconds ?? DEFAULT_QUIET_SECONDS));
  const timer = useRef<number | null>(null);
  const headingId = useId();
  const quietId = useId();
  const quietHintId = useId();
  const waitId = useId();

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  const quiet = parseQuietSeconds(quietText);
  const generating = entry?.status === 'generating';
  const canGenerate = subId !== null && quiet.ok && !generating;

  const generate = (seconds: number): void => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    if (subId !== null) requestSeccompProfile({ subId, subject }, seconds);
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    if (canGenerate) generate(quiet.value);
  };

  const onQuietChange = (text: string): void => {
    setQuietText(text);
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    const parsed = parseQuietSeconds(text);
    // A new quiet stretch only changes the split: generate again once a profile exists.
    if (!parsed.ok || entry === null || subId === null) return;
    timer.current = window.setTimeout(() => generate(parsed.value), QUIET_DEBOUNCE_MS);
  };

  const report = entry === null || entry.status === 'failed' ? null : entry.report;
  return (
    <section
      className="seccomp-panel"
      aria-labelledby={headingId}
      data-seccomp-panel=""
      data-seccomp-status={entry?.status ?? 'idle'}
    >
      <header className="seccomp-head">
        <h3 id={headingId}>Seccomp profile</h3>
        <p className="syscalls-hint">
          A default-deny profile (calls fail with EPERM) allowing what {label} was seen calling in this
          source, plus the few calls the runtime makes before the entrypoint starts; compared with Docker’s
          default profile and split into a start-up and a running phase.
        </p>
      </header>
      <form className="seccomp-controls" onSubmit={onSubmit} aria-label="Generate a seccomp profile">
        <button
          type="submit"
          className="seccomp-generate"
          aria-disabled={!canGenerate}
          aria-describedby={subId === null ? waitId : undefined}
          data-seccomp-generate=""
        >
          <Icon name={generating ? 'spinner' : report === null ? 'play' : 'restart'} />
          {report === null ? 'Generate seccomp profile' : 'Generate again'}
        </button>
        <label htmlFor={quietId}>Quiet seconds</label>
        <input
          id={quietId}
          type="number"
          inputMode="numeric"
          min={MIN_QUIET_SECONDS}
          max={MAX_QUIET_SECONDS}
          step={1}
          value={quietText}
          aria-invalid={!quiet.ok}
          aria-describedby={quietHintId}
          onChange={(e) => onQuietChange(e.target.value)}
          data-seccomp-quiet=""
        />
        <span id={quietHintId} className={quiet.ok ? 'syscalls-hint' : 'seccomp-invalid'}>
          {quiet.ok ? (
            'no new syscall for this long ends the start-up phase'
          ) : (
            <>
              <Icon name="alert" /> {quiet.message}
            </>
          )}
        </span>
        {subId === null ? (
          <span id={waitId} className="syscalls-hint">
            Waiting for the syscall source to start.
          </span>
        ) : null}
      </form>
      {entry?.status === 'failed' ? (
        <p className="seccomp-error" role="alert" data-seccomp-error={entry.error.code}>
          <Icon name="alert" /> {statusText(entry)}
        </p>
      ) : (
        <p className="seccomp-status" role="status" aria-live="polite" data-seccomp-state-text="">
          <Icon name={statusIcon(entry)} /> {statusText(entry)}
        </p>
      )}
      {report !== null && entry !== null ? (
        <SeccompReportView
          report={report}
          quietSeconds={entry.quietSeconds}
          label={label}
          stale={generating}
        />
      ) : null}
    </section>
  );
}

function SeccompReportView({
  report,
  quietSeconds,
  label,
  stale,
}: {
  readonly report: SeccompReport;
  readonly quietSeconds: number;
  readonly label: string;
  readonly stale: boolean;
}): ReactElement {
  const versus = versusDefaultView(report);
  const split = splitView(report, quietSeconds);
  const contents = profileContents(report);
  const exports = profileExports(report, label);
  return (
    <div className="seccomp-report" data-stale={stale} aria-busy={stale}>
      {versus.available ? (
        <p
          className="seccomp-sentence"
          data-seccomp-sentence=""
          data-allowed={versus.allowed}
          data-default-allowed={versus.defaultAllowed}
          data-reduction-pct={versus.reductionPct ?? ''}
        >
          <Icon name="lock" /> Against Docker’s default profile:{' '}
          <strong>
            <Sentence text={versus.sentence} />
          </strong>
        </p>
      ) : (
        <p className="seccomp-sentence seccomp-unavailable" data-seccomp-unavailable="">
          <Icon name="circle" /> No comparison with Docker’s default profile: {versus.reason}
        </p>
      )}
      <SeccompExports whole={exports.whole} running={exports.running} />
      <div className="seccomp-columns">
        {/* Without the default, the reason above is all there is to say about it. */}
        {versus.available ? (
          <section className="seccomp-block" aria-label="Against Docker’s default" data-seccomp-versus="">
            <h4>Against Docker’s default</h4>
            <p className="syscalls-figures">
              <strong>{versus.allowed}</strong> allowed here, <strong>{versus.defaultAllowed}</strong> by the
              default, read from <code className="seccomp-path">{versus.path}</code>
            </p>
            {versus.lists.map((l) => (
              <NameDetails key={l.id} list={l} />
            ))}
          </section>
        ) : null}
        <section className="seccomp-block" aria-label="Split phase" data-seccomp-split="">
          <h4>Split phase</h4>
          {split.available ? (
            <>
              <dl className="seccomp-facts">
                <dt>Boundary</dt>
                <dd data-boundary={split.boundaryKind}>
                  <Icon name={split.boundaryKind === 'none-yet' ? 'circle' : 'check'} /> {split.boundary}
                </dd>
                {split.health !== null ? (
                  <>
                    <dt>Health check</dt>
                    <dd data-health="">{split.health}</dd>
                  </>
                ) : null}
                <dt>Start-up set</dt>
                <dd data-startup-count={split.startupCount}>{split.startupCount} syscalls</dd>
                <dt>Running set</dt>
                <dd data-running-count={split.runningCount}>
                  {split.boundaryKind === 'none-yet' ? 'none yet' : `${split.runningCount} syscalls`}
                </dd>
                <dt>Running phase</dt>
                <dd data-running-sentence="">
                  {split.sentence === null ? (
                    'no running-phase profile before a boundary is found'
                  ) : (
                    <Sentence text={split.sentence} />
                  )}
                </dd>
              </dl>
              <NameDetails
                list={{
                  id: 'startup-only',
                  title:
                    split.boundaryKind === 'none-yet'
                      ? 'Start-up so far (no running phase yet)'
                      : 'Only at start-up',
                  names: split.startupOnly,
                  conditional: [],
                  tone: 'neutral',
                  icon: 'circle',
                }}
              />
            </>
          ) : (
            <p className="syscalls-hint" data-split-unavailable="">
              {split.reason}
            </p>
          )}
          <p className="seccomp-note" data-seccomp-note="">
            <Icon name="alert" /> <span>{report.note}</span>
          </p>
        </section>
        <section className="seccomp-block" aria-label="What the profile holds" data-seccomp-contents="">
          <h4>What the profile holds</h4>
          <p className="syscalls-figures">
            <strong>{contents.allowed}</strong> syscalls allowed, from{' '}
            <strong>{contents.observedEvents.toLocaleString('en-US')}</strong> observed calls of{' '}
            <strong>{contents.observedNames}</strong> distinct names ({report.arch})
          </p>
          <NameDetails
            list={{
              id: 'runtime-added',
              title: 'Added for the runtime (runc before exec)',
              names: contents.runtimeAdded,
              conditional: [],
              tone: 'neutral',
              icon: 'check',
            }}
          />
          <NameDetails
            list={{
              id: 'unknown',
              title: `Not in the ${report.arch} table: left out`,
              names: contents.unknown,
              conditional: [],
              tone: contents.unknown.length > 0 ? 'warn' : 'neutral',
              icon: 'alert',
            }}
          />
          <NameDetails
            list={{
              id: 'ignored',
              title: 'Not syscalls (tracer events): left out',
              names: contents.ignored,
              conditional: [],
              tone: 'neutral',
              icon: 'circle',
            }}
          />
          {contents.excluded.length > 0 ? (
            <NameDetails
              list={{
                id: 'excluded',
                title: 'Excluded on purpose',
                names: contents.excluded,
                conditional: [],
                tone: 'neutral',
                icon: 'circle',
              }}
            />
          ) : null}
          {contents.aliased.length > 0 ? (
            <NameDetails
              list={{
                id: 'aliased',
                title: 'Tracer spellings mapped to kernel names',
                names: contents.aliased,
                conditional: [],
                tone: 'neutral',
                icon: 'circle',
              }}
            />
          ) : null}
        </section>
      </div>
    </div>
  );
}

/** An engine sentence whose closing figure ("−88 %") never breaks across lines. */
function Sentence({ text }: { readonly text: string }): ReactElement {
  const { head, figure } = sentenceParts(text);
  return (
    <span>
      {head}
      <span className="seccomp-figure">{figure}</span>
    </span>
  );
}

/** A collapsible list of syscall names: the count and meaning in the summary, the names inside. */
function NameDetails({
  list,
}: {
  readonly list: Omit<NameList, 'id'> & { readonly id: string };
}): ReactElement {
  const conditional = new Set(list.conditional);
  return (
    <details
      className={`seccomp-list seccomp-tone-${list.tone}`}
      data-list={list.id}
      data-count={list.names.length}
    >
      <summary>
        <Icon name={list.icon} /> {list.title}: <strong>{list.names.length}</strong>
        {list.conditional.length > 0 ? ` (${list.conditional.length} only for some arguments)` : null}
      </summary>
      {list.names.length === 0 ? (
        <p className="syscalls-hint">none</p>
      ) : (
        <ul className="seccomp-names">
          {list.names.map((n) => (
            <li key={n} data-name={n}>
              {n}
              {conditional.has(n) ? ' (only for some arguments: may fail)' : ''}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

/**
 * Save `text` as a file through a Blob URL and an `<a download>`.
 *
 * In a browser (browser mode) this is an ordinary download. In the Electron window the click reaches the
 * session's `will-download` event instead of a navigation (so the window guards do not refuse it); with no
 * handler there Electron asks where to save the file with its own dialog.
 */
function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS);
}

/** Whether the page may write to the clipboard at all (a secure context with the async Clipboard API). */
function clipboardAvailable(): boolean {
  return window.isSecureContext && typeof navigator.clipboard?.writeText === 'function';
}

function SeccompExports({
  whole,
  running,
}: {
  readonly whole: ProfileExport;
  readonly running: ProfileExport;
}): ReactElement {
  const [copied, setCopied] = useState<string | null>(null);
  const reasonId = useId();
  const copy = (text: string, what: string): void => {
    navigator.clipboard.writeText(text).then(
      () => setCopied(`Copied the ${what} to the clipboard.`),
      (e: unknown) => setCopied(`Could not copy the ${what}: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  const canCopy = clipboardAvailable();
  return (
    <div className="seccomp-export" role="group" aria-label="Export">
      {whole.available ? (
        <>
          <button
            type="button"
            onClick={() => downloadText(whole.json, whole.fileName)}
            data-download="whole"
            data-file-name={whole.fileName}
          >
            Download profile
          </button>
          {canCopy ? (
            <button type="button" onClick={() => copy(whole.json, 'profile')} data-copy="whole">
              Copy
            </button>
          ) : null}
        </>
      ) : null}
      {running.available ? (
        <>
          <button
            type="button"
            onClick={() => downloadText(running.json, running.fileName)}
            data-download="running"
            data-file-name={running.fileName}
          >
            Download running-phase profile
          </button>
          {canCopy ? (
            <button
              type="button"
              onClick={() => copy(running.json, 'running-phase profile')}
              data-copy="running"
            >
              Copy running-phase profile
            </button>
          ) : null}
        </>
      ) : (
        <>
          <button type="button" disabled aria-describedby={reasonId} data-download="running">
            Download running-phase profile
          </button>
          <span id={reasonId} className="syscalls-hint seccomp-export-line" data-download-reason="running">
            {running.reason}
          </span>
        </>
      )}
      {copied !== null ? (
        <span className="syscalls-hint seccomp-export-line" role="status" data-copy-status="">
          {copied}
        </span>
      ) : null}
    </div>
  );
}
