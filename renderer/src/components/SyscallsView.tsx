import { useId, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { EpochSeconds, Gap, ReplaySpeed, SourceState } from '../../../shared/domain/syscalls/model.js';
import type { SyscallSourceInfo, SyscallSourceRequest } from '../../../shared/ipc/contract.js';
import {
  LAB_SESSION_REQUEST,
  REPLAY_SPEEDS,
  captureRequest,
  defaultSource,
  droppedText,
  droppedTotal,
  isLive,
  isReplay,
  sourcePhaseText,
  subjectLabel,
  subjectOrigin,
  unavailableText,
} from '../state/syscalls.js';
import type { SubjectView } from '../state/syscalls.js';
import type { SyscallsController } from '../syscalls-controller.js';
import { useContainersStore } from '../stores/containers-store.js';
import {
  openSyscallDetail,
  toggleCompare,
  useSyscallsStore,
  useSyscallsUiStore,
} from '../stores/syscalls-store.js';
import { AnomalyPanel } from './AnomalyPanel.js';
import { Icon } from './Icon.js';
import { ReplayTag } from './ReplayTag.js';
import { RateSparkline, SyscallBars, clockText } from './SyscallCharts.js';
import { SyscallCompare, SyscallDetail } from './SyscallDetail.js';

/**
 * The Syscalls view: source picker (with why a source is unavailable), capture open, pause/resume, replay
 * speed and timeline, the source's note and limits, drop counts and gaps, then one column per subject —
 * containers of the engine, containers only in a replayed capture, the host and unattributed events —,
 * the detail of one subject and the comparison of two or more.
 */
export function SyscallsView({ controller }: { readonly controller: SyscallsController }): ReactElement {
  const { sources, sourcesError, subscription, subscribeError, sourceState } = useSyscallsStore(
    useShallow((s) => ({
      sources: s.sources,
      sourcesError: s.sourcesError,
      subscription: s.subscription,
      // A refused replay is reported inline by the capture box.
      subscribeError: isReplay(s.failedRequest) ? null : s.subscribeError,
      sourceState: s.sourceState,
    })),
  );
  const info = sources?.find((s) => s.kind === subscription?.request.kind) ?? null;

  return (
    <div className="syscalls-view" data-syscalls-view="">
      <section className="syscalls-toolbar" aria-label="Syscall source">
        <SourcePicker controller={controller} sources={sources} current={subscription?.request ?? null} />
        <CaptureOpen controller={controller} />
        {sourcesError !== null ? (
          <p className="syscalls-error" role="alert">
            <Icon name="alert" /> Sources unavailable: {sourcesError.message}
          </p>
        ) : null}
      </section>
      {subscribeError !== null ? (
        <p className="syscalls-error" role="alert" data-syscalls-error="subscribe">
          <Icon name="alert" />
          <span>Could not start the source: {subscribeError.message}</span>
        </p>
      ) : null}
      {subscription === null ? (
        <NothingRunning sources={sources} />
      ) : (
        <>
          <SourceStatus info={info} request={subscription.request} state={sourceState} />
          <PlaybackControls controller={controller} request={subscription.request} />
          <SubjectColumns />
          <SyscallCompare />
          <SyscallDetail />
        </>
      )}
      <AnomalyPanel />
    </div>
  );
}

function sourceValue(kind: SyscallSourceInfo['kind']): string {
  return kind;
}

function SourcePicker({
  controller,
  sources,
  current,
}: {
  readonly controller: SyscallsController;
  readonly sources: readonly SyscallSourceInfo[] | null;
  readonly current: SyscallSourceRequest | null;
}): ReactElement {
  const id = useId();
  const live = (sources ?? []).filter((s) => s.kind === 'bpf' || s.kind === 'sysdig-live');
  const session = (sources ?? []).find((s) => s.kind === 'lab-session') ?? null;
  const value =
    current !== null && (isLive(current) || current.kind === 'lab-session') ? sourceValue(current.kind) : '';
  return (
    <div className="syscalls-picker">
      <label htmlFor={id}>Live source or recording</label>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          const kind = e.target.value;
          if (kind === 'bpf' || kind === 'sysdig-live') controller.select({ kind });
          else if (kind === 'lab-session') controller.select(LAB_SESSION_REQUEST);
          else controller.select(null);
        }}
        disabled={sources === null}
      >
        <option value="">
          {current !== null && isReplay(current) && value === '' ? 'none (replaying a file)' : 'none'}
        </option>
        {live.map((s) => (
          <option key={s.kind} value={s.kind} disabled={!s.available}>
            {s.label}
            {s.available ? '' : ' (unavailable)'}
          </option>
        ))}
        {session !== null ? (
          <option value="lab-session" disabled={!session.available}>
            {session.label}
            {session.available ? '' : ' (unavailable)'}
          </option>
        ) : null}
      </select>
      <ul className="syscalls-availability" aria-label="Source availability">
        {(sources ?? []).map((s) => (
          <li key={s.kind} data-source-kind={s.kind} data-available={s.available}>
            <Icon name={s.available ? 'check' : 'circle'} />
            <strong>{s.label}</strong>: {s.available ? 'available' : (s.reason ?? 'unavailable')}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The engine checks the path (exists, readable, a capture); its answer is shown inline. */
function CaptureOpen({ controller }: { readonly controller: SyscallsController }): ReactElement {
  const id = useId();
  const [path, setPath] = useState('');
  const [speed, setSpeed] = useState<ReplaySpeed>('max');
  const [local, setLocal] = useState<string | null>(null);
  const { request, state, error } = useSyscallsStore(
    useShallow((s) => ({
      request: s.subscription?.request ?? null,
      state: s.sourceState,
      error: isReplay(s.failedRequest) ? s.subscribeError : null,
    })),
  );
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    if (path.trim() === '') {
      setLocal('Enter the path of a sysdig capture (.scap) or a Bulkhead recording.');
      return;
    }
    setLocal(null);
    controller.select(captureRequest(path, speed));
  };
  const failed = isReplay(request) && state?.phase === 'failed' ? state : null;
  const message =
    local ?? (failed !== null ? failed.error.message : null) ?? (error !== null ? error.message : null);
  const errorId = `${id}-error`;
  return (
    <form className="syscalls-open" onSubmit={onSubmit} aria-label="Open a capture">
      <label htmlFor={id}>Capture or recording path</label>
      <div className="syscalls-open-row">
        <input
          id={id}
          type="text"
          value={path}
          spellCheck={false}
          placeholder="/path/to/capture.scap"
          aria-invalid={message !== null}
          aria-describedby={message !== null ? errorId : undefined}
          onChange={(e) => setPath(e.target.value)}
        />
        <SpeedSelect value={speed} onChange={setSpeed} label="Speed" />
        <button type="submit">Open</button>
      </div>
      <p className="syscalls-hint">
        A path on the machine the engine runs on; the engine checks it. The desktop app uses this box too for
        now (no native file dialog yet).
      </p>
      {message !== null ? (
        <p
          className="syscalls-error syscalls-open-error"
          id={errorId}
          role="alert"
          data-syscalls-error="open"
        >
          <Icon name="alert" /> {message}
        </p>
      ) : null}
    </form>
  );
}

function SpeedSelect({
  value,
  onChange,
  label,
}: {
  readonly value: ReplaySpeed;
  readonly onChange: (speed: ReplaySpeed) => void;
  readonly label: string;
}): ReactElement {
  const id = useId();
  return (
    <span className="syscalls-speed">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={String(value)}
        onChange={(e) => onChange(e.target.value === 'max' ? 'max' : Number(e.target.value))}
      >
        {REPLAY_SPEEDS.map((s) => (
          <option key={String(s.value)} value={String(s.value)}>
            {s.label}
          </option>
        ))}
      </select>
    </span>
  );
}

function NothingRunning({
  sources,
}: {
  readonly sources: readonly SyscallSourceInfo[] | null;
}): ReactElement {
  if (sources === null)
    return (
      <p className="syscalls-empty" role="status" data-syscalls-empty="loading">
        <Icon name="spinner" /> Asking the engine which syscall sources it has…
      </p>
    );
  const fallback = defaultSource(sources);
  return (
    <div className="syscalls-empty" role="status" data-syscalls-empty="none">
      <Icon name="circle" />
      <div>
        <p className="syscalls-empty-title">No syscall source is running.</p>
        <p>
          {fallback === null
            ? unavailableText(sources)
            : 'Choose a live source above, or open a capture to replay it.'}
        </p>
      </div>
    </div>
  );
}

function SourceStatus({
  info,
  request,
  state,
}: {
  readonly info: SyscallSourceInfo | null;
  readonly request: SyscallSourceRequest;
  readonly state: SourceState | null;
}): ReactElement {
  const { frame, dropped } = useSyscallsStore(
    useShallow((s) => ({ frame: s.shown, dropped: droppedTotal(s.shown) })),
  );
  const label =
    request.kind === 'sysdig-capture' || request.kind === 'recording'
      ? `${info?.label ?? request.kind}: ${request.path}`
      : (info?.label ?? request.kind);
  return (
    <section className="syscalls-status" aria-label="Source status" data-phase={state?.phase ?? 'idle'}>
      <p className="syscalls-status-line">
        <ReplayTag request={request} />
        <strong className="syscalls-source-label">{label}</strong>
        <span className={`syscalls-phase syscalls-phase-${state?.phase ?? 'idle'}`}>
          {sourcePhaseText(state)}
        </span>
        {info !== null ? (
          <span className="syscalls-kind" data-sequence={info.sequence}>
            {info.sequence ? 'sequence' : 'counts only'}
          </span>
        ) : null}
      </p>
      {info !== null ? (
        <p className="syscalls-note" data-syscalls-note="">
          {info.sequence
            ? 'Carries the syscall sequence per process. '
            : 'Counts only: how many of each syscall per second, not their order or arguments. '}
          {info.note}
        </p>
      ) : null}
      {state?.phase === 'failed' ? (
        <div className="syscalls-error" role="alert" data-syscalls-error="source">
          <p>
            <Icon name="alert" /> <strong>{state.error.code}</strong>: {state.error.message}
          </p>
          {frame !== null ? <p>What was counted before the failure is kept below.</p> : null}
          {state.diagnostics !== '' ? (
            <details>
              <summary>Diagnostics from the tool</summary>
              <pre className="syscalls-diagnostics">{state.diagnostics}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
      {frame !== null ? (
        <p className="syscalls-totals" data-syscalls-totals="">
          <span>
            <strong data-total-events="">{frame.totalEvents.toLocaleString('en-US')}</strong> events
          </span>
          <span className={dropped > 0 ? 'syscalls-dropped-some' : ''} data-dropped={dropped}>
            {droppedText(frame)}
          </span>
          <span>
            {frame.gaps.length === 0
              ? 'no gaps'
              : `gaps (shaded on the charts): ${frame.gaps
                  .map(
                    (g) =>
                      `${clockText(g.from)}–${clockText(g.to)} ${g.reason === 'dropped' ? 'dropped' : 'no data'}`,
                  )
                  .join(', ')}`}
          </span>
          <span>
            keys {frame.keys.used.toLocaleString('en-US')} of {frame.keys.max.toLocaleString('en-US')}
          </span>
        </p>
      ) : (
        <p className="syscalls-totals">No events yet.</p>
      )}
    </section>
  );
}

function PlaybackControls({
  controller,
  request,
}: {
  readonly controller: SyscallsController;
  readonly request: SyscallSourceRequest;
}): ReactElement {
  const { paused, replay } = useSyscallsStore(
    useShallow((s) => ({ paused: s.paused, replay: s.shown?.replay ?? null })),
  );
  const scrubId = useId();
  // A seek shows at once; the frame that follows it (its position differs from the one the seek was made
  // from) takes over again.
  const [pending, setPending] = useState<{ readonly value: number; readonly from: number | null } | null>(
    null,
  );
  const replaying = isReplay(request);
  const playing = replaying ? (replay?.playing ?? !paused) : !paused;
  return (
    <section className="syscalls-playback" aria-label="Playback">
      <button
        type="button"
        onClick={() => controller.setPaused(playing)}
        aria-pressed={!playing}
        data-action={playing ? 'pause' : 'resume'}
      >
        <Icon name={playing ? 'pause' : 'play'} /> {playing ? 'Pause' : 'Resume'}
      </button>
      {!replaying ? (
        <span className="syscalls-hint">
          {paused ? 'Display frozen; frames still arrive and show on resume.' : 'Live.'}
        </span>
      ) : null}
      {replaying && replay !== null ? (
        <>
          <SpeedSelect value={replay.speed} onChange={(s) => controller.setSpeed(s)} label="Replay speed" />
          {replay.start !== null && replay.end !== null ? (
            <span className="syscalls-scrub">
              <label htmlFor={scrubId}>Position</label>
              <input
                id={scrubId}
                type="range"
                min={replay.start}
                max={replay.end}
                step={1}
                value={
                  pending !== null && pending.from === replay.position
                    ? pending.value
                    : (replay.position ?? replay.start)
                }
                aria-valuetext={replay.position !== null ? clockText(replay.position) : 'not started'}
                onChange={(e) => {
                  const second = Number(e.target.value);
                  setPending({ value: second, from: replay.position });
                  controller.seek(second as EpochSeconds);
                }}
              />
              <output htmlFor={scrubId} data-replay-position={replay.position ?? ''}>
                {replay.position !== null ? clockText(replay.position) : '–'} of {clockText(replay.start)}–
                {clockText(replay.end)}
              </output>
              <span className="syscalls-hint" data-replay-loop={replay.loop === true}>
                {replay.loop === true
                  ? replay.speed === 'max'
                    ? 'at max the last frame stays; x1 or faster loops'
                    : 'looping: starts over at the end'
                  : replay.complete
                    ? 'whole file read'
                    : 'still reading…'}
              </span>
            </span>
          ) : (
            <span className="syscalls-hint">Nothing loaded yet.</span>
          )}
        </>
      ) : null}
    </section>
  );
}

function SubjectColumns(): ReactElement {
  const { subjects, gaps } = useSyscallsStore(useShallow((s) => ({ subjects: s.subjects, gaps: s.gaps })));
  const cards = useContainersStore((s) => s.list?.containers ?? NO_CARDS);
  const { detail, compare } = useSyscallsUiStore(
    useShallow((s) => ({ detail: s.detail, compare: s.compare })),
  );
  if (subjects.length === 0)
    return <p className="syscalls-empty">No subjects yet: no events counted so far.</p>;
  return (
    <ul className="syscalls-subjects" aria-label="Subjects">
      {subjects.map((v) => (
        <SubjectColumn
          key={v.key}
          view={v}
          label={subjectLabel(v.subject, cards)}
          origin={subjectOrigin(v.subject, cards)}
          gaps={gaps}
          open={detail === v.key}
          compared={compare.includes(v.key)}
        />
      ))}
    </ul>
  );
}

const NO_CARDS: readonly never[] = [];

const ORIGIN_TEXT = {
  card: 'container on this engine',
  'not-on-engine': 'not on this engine (from the source)',
  host: 'host processes',
  unattributed: 'no container known (process older than the capture)',
} as const;

function SubjectColumn({
  view,
  label,
  origin,
  gaps,
  open,
  compared,
}: {
  readonly view: SubjectView;
  readonly label: string;
  readonly origin: keyof typeof ORIGIN_TEXT;
  readonly gaps: readonly Gap[];
  readonly open: boolean;
  readonly compared: boolean;
}): ReactElement {
  const last = view.frame.perSecond[view.frame.perSecond.length - 1] ?? 0;
  return (
    <li className="syscalls-subject" data-subject={label} data-subject-key={view.key} data-origin={origin}>
      <header className="syscalls-subject-head">
        <h3 className="syscalls-subject-name">{label}</h3>
        <span className="syscalls-origin">{ORIGIN_TEXT[origin]}</span>
      </header>
      <p className="syscalls-figures">
        <strong data-subject-total="">{view.frame.total.toLocaleString('en-US')}</strong> events ·{' '}
        {last.toLocaleString('en-US')}/s last second
      </p>
      <RateSparkline data={view.rate} gaps={gaps} width={250} height={30} />
      <SyscallBars
        data={view.cardBars}
        value="total"
        width={250}
        label={`${label}: top syscalls ${view.cardBars.map((c) => `${c.syscall} ${c.total}`).join(', ')}`}
      />
      <div className="syscalls-subject-actions">
        <button
          type="button"
          aria-expanded={open}
          onClick={() => openSyscallDetail(open ? null : view.key)}
          data-action="detail"
        >
          {open ? 'Hide details' : 'Details'}
        </button>
        <label className="syscalls-compare-toggle">
          <input type="checkbox" checked={compared} onChange={() => toggleCompare(view.key)} />
          Compare
        </label>
      </div>
    </li>
  );
}
