import { useId, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { BoscSettings } from '../../../shared/domain/anomaly/bosc.js';
import { DEFAULT_BOSC_SETTINGS } from '../../../shared/domain/anomaly/bosc.js';
import type { MonitoredContainerState } from '../../../shared/domain/anomaly/monitor.js';
import type { TimelineEntry } from '../../../shared/domain/anomaly/timeline.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import type { AnomalySourceRequest } from '../../../shared/ipc/contract.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import type { AnomalyImport, AnomalySettingsForm } from '../state/anomaly.js';
import {
  DEFAULT_SETTINGS_FORM,
  anomalyRequest,
  anomalySourceText,
  detectionIndicator,
  parseSettingsForm,
  phaseCounts,
  seenText,
  settingsFormOf,
  spanText,
  thresholdText,
} from '../state/anomaly.js';
import { sourcePhaseText } from '../state/syscalls.js';
import { importFalcoAlerts, startAnomaly, stopAnomaly, useAnomalyStore } from '../stores/anomaly-store.js';
import { useContainersStore } from '../stores/containers-store.js';
import { revealInvisible } from '../state/format.js';
import { Icon } from './Icon.js';

/**
 * Anomaly detection in the Syscalls view: start and stop it on a sequence source with its BoSC settings,
 * every container's state, the Falco import, and the one timeline of anomalous epochs and alerts.
 *
 * Every string from the engine (container names, rule titles, Falco output) is rendered as text. States
 * are words with an icon; colour only repeats them.
 */
export function AnomalyPanel(): ReactElement {
  const headingId = useId();
  const { subscription, sourceState, subscribeError } = useAnomalyStore(
    useShallow((s) => ({
      subscription: s.subscription,
      sourceState: s.sourceState,
      subscribeError: s.subscribeError,
    })),
  );
  return (
    <section
      className="anomaly-panel"
      aria-labelledby={headingId}
      data-anomaly-panel=""
      data-phase={subscription === null ? 'off' : (sourceState?.phase ?? 'starting')}
    >
      <header className="anomaly-head">
        <h2 id={headingId}>Anomaly detection (Bag of System Calls)</h2>
        <p>
          For each container, learns which windows of {DEFAULT_BOSC_SETTINGS.windowSize} consecutive syscalls
          are normal during its first training epochs, then watches: an epoch with more windows never seen in
          training than the threshold is <strong>anomalous</strong>, with a hint naming the syscalls that
          became more common. Built-in syscall alerts and imported Falco alerts join the same timeline.
        </p>
        <p className="anomaly-limits" data-anomaly-limits="">
          <Icon name="alert" />
          <span>
            BoSC needs the syscall <em>order</em>: it runs on the eBPF sequence source or a sysdig capture.
            The count-only sources — the eBPF counts behind the histograms above, and Bulkhead recordings —
            cannot drive it. The eBPF sequence source sends one record per container syscall to Bulkhead, so
            it costs more per syscall than the counting eBPF source; it runs only while detection is on.
          </span>
        </p>
      </header>
      <StartForm running={subscription !== null} />
      {subscribeError !== null ? (
        <p className="anomaly-error" role="alert" data-anomaly-error="subscribe">
          <Icon name="alert" />
          <span>Could not start anomaly detection: {subscribeError.message}</span>
        </p>
      ) : null}
      {subscription !== null ? (
        <>
          <Status request={subscription.request} />
          <ContainerTable />
          <FalcoImport />
          <Timeline />
        </>
      ) : null}
    </section>
  );
}

function StartForm({ running }: { readonly running: boolean }): ReactElement {
  const id = useId();
  // A panel shown again (the view was switched) starts from what runs, not from the defaults.
  const [initial] = useState(() => useAnomalyStore.getState().subscription);
  const [kind, setKind] = useState<AnomalySourceRequest['kind']>(initial?.request.kind ?? 'bpf');
  const [path, setPath] = useState(initial?.request.kind === 'sysdig-capture' ? initial.request.path : '');
  const [form, setForm] = useState<AnomalySettingsForm>(
    initial !== null ? settingsFormOf(initial.settings) : DEFAULT_SETTINGS_FORM,
  );
  const [problem, setProblem] = useState<{ field: string; message: string } | null>(null);
  const errorId = `${id}-error`;

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    const source = anomalyRequest(kind, path);
    if (!source.ok) {
      setProblem({ field: 'path', message: source.message });
      return;
    }
    const settings = parseSettingsForm(form);
    if (!settings.ok) {
      setProblem({ field: settings.field, message: settings.message });
      return;
    }
    setProblem(null);
    startAnomaly(source.request, settings.settings);
  };
  const invalid = (field: string): boolean => problem?.field === field;
  const described = (field: string): string | undefined => (invalid(field) ? errorId : undefined);
  const field = (
    name: keyof AnomalySettingsForm,
    label: string,
    unit: string,
    fallback: string,
  ): ReactElement => (
    <span className="anomaly-setting">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        type="text"
        inputMode="decimal"
        value={form[name]}
        spellCheck={false}
        aria-invalid={invalid(name)}
        aria-describedby={described(name)}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
      <span className="anomaly-unit">
        {unit} (default {fallback})
      </span>
    </span>
  );

  return (
    <form className="anomaly-start" onSubmit={onSubmit} aria-label="Anomaly detection source">
      <fieldset>
        <legend>Sequence source</legend>
        <label className="anomaly-choice">
          <input
            type="radio"
            name={`${id}-kind`}
            value="bpf"
            checked={kind === 'bpf'}
            onChange={() => setKind('bpf')}
          />
          eBPF sequence, live (bpftrace, root; costlier than the counting source)
        </label>
        <label className="anomaly-choice">
          <input
            type="radio"
            name={`${id}-kind`}
            value="sysdig-capture"
            checked={kind === 'sysdig-capture'}
            onChange={() => setKind('sysdig-capture')}
          />
          sysdig capture, read to its end
        </label>
        <span className="anomaly-setting anomaly-path">
          <label htmlFor={`${id}-path`}>Capture path</label>
          <input
            id={`${id}-path`}
            type="text"
            value={path}
            spellCheck={false}
            placeholder="/path/to/capture.scap"
            aria-invalid={invalid('path')}
            aria-describedby={described('path')}
            onChange={(e) => {
              setPath(e.target.value);
              if (e.target.value.trim() !== '') setKind('sysdig-capture');
            }}
          />
        </span>
      </fieldset>
      <fieldset>
        <legend>Settings</legend>
        {field('epochSize', 'Epoch size', 'windows', DEFAULT_SETTINGS_FORM.epochSize)}
        {field('trainingEpochs', 'Training epochs', 'epochs', DEFAULT_SETTINGS_FORM.trainingEpochs)}
        {field(
          'thresholdPercent',
          'Threshold',
          '% of an epoch’s windows unseen in training',
          DEFAULT_SETTINGS_FORM.thresholdPercent,
        )}
      </fieldset>
      <div className="anomaly-actions">
        <button type="submit" data-action="anomaly-start">
          <Icon name={running ? 'restart' : 'play'} /> {running ? 'Restart detection' : 'Start detection'}
        </button>
        <button type="button" onClick={() => stopAnomaly()} disabled={!running} data-action="anomaly-stop">
          <Icon name="stop" /> Stop
        </button>
      </div>
      {problem !== null ? (
        <p className="anomaly-error" id={errorId} role="alert" data-anomaly-error="form">
          <Icon name="alert" /> {problem.message}
        </p>
      ) : null}
    </form>
  );
}

function settingsLine(s: BoscSettings): string {
  return `window ${s.windowSize} syscalls · epoch ${s.epochSize.toLocaleString('en-US')} windows · ${s.trainingEpochs.toLocaleString('en-US')} training epochs · anomalous above ${thresholdText(s.threshold, s.epochSize)}`;
}

function Status({ request }: { readonly request: AnomalySourceRequest }): ReactElement {
  const { state, settings, snapshot, outages } = useAnomalyStore(
    useShallow((s) => ({
      state: s.sourceState,
      settings: s.settings,
      snapshot: s.snapshot,
      outages: s.outages,
    })),
  );
  const counts = phaseCounts(snapshot);
  const icon =
    state === null || state.phase === 'starting'
      ? 'spinner'
      : state.phase === 'failed'
        ? 'alert'
        : state.phase === 'streaming'
          ? 'play'
          : 'check';
  return (
    <div className="anomaly-status" data-anomaly-status={state?.phase ?? 'starting'}>
      <p className="anomaly-status-line">
        <Icon name={icon} />
        <strong>{anomalySourceText(request)}</strong>
        <span className="anomaly-phase">{sourcePhaseText(state)}</span>
      </p>
      {settings !== null ? <p className="anomaly-hint">{settingsLine(settings)}</p> : null}
      {snapshot !== null ? (
        <p className="anomaly-hint" data-anomaly-counts="">
          {snapshot.containers.length} container(s): {counts.learning} learning, {counts.watching} watching,{' '}
          {counts.anomalous} anomalous
          {counts.untracked > 0 ? `, ${counts.untracked} not followed` : ''}
          {snapshot.untracked > 0
            ? ` · ${snapshot.untracked.toLocaleString('en-US')} syscalls beyond the bounds`
            : ''}
          {snapshot.alertOverflow > 0 ? ` · ${snapshot.alertOverflow} alert(s) dropped (table full)` : ''}
        </p>
      ) : (
        <p className="anomaly-hint">No syscalls yet.</p>
      )}
      {outages.length > 0 ? (
        <p className="anomaly-hint" data-anomaly-outages="">
          <Icon name="restart" /> The tracer restarted {outages.length} time(s); every window restarts across
          each gap ({outages.map((o) => spanText(o.from * 1000, (o.to ?? o.from) * 1000)).join(', ')}).
        </p>
      ) : null}
      {state?.phase === 'failed' ? (
        <div className="anomaly-error" role="alert" data-anomaly-error="source">
          <p>
            <Icon name="alert" /> <strong>{state.error.code}</strong>: {state.error.message}
          </p>
          {state.diagnostics !== '' ? (
            <details>
              <summary>Diagnostics from the tool</summary>
              <pre className="anomaly-diagnostics">{state.diagnostics}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

const NO_CARDS: readonly never[] = [];

/** The engine's name for a key (a prefix of the card's id), else the source's name, else the key. */
function containerLabel(
  key: string,
  name: string | null,
  cards: readonly Pick<ContainerSummary, 'id' | 'name'>[],
): string {
  return cards.find((c) => key.length >= 12 && c.id.startsWith(key))?.name ?? name ?? key.slice(0, 12);
}

function ContainerTable(): ReactElement {
  const { snapshot, settings } = useAnomalyStore(
    useShallow((s) => ({ snapshot: s.snapshot, settings: s.settings })),
  );
  const cards = useContainersStore((s) => s.list?.containers ?? NO_CARDS);
  const containers = snapshot?.containers ?? [];
  if (containers.length === 0)
    return <p className="anomaly-hint">No container has issued a syscall to the detector yet.</p>;
  return (
    <div className="anomaly-table-wrap">
      <table className="anomaly-table" data-anomaly-table="">
        <caption>Detection state per container</caption>
        <thead>
          <tr>
            <th scope="col">Container</th>
            <th scope="col">State</th>
            <th scope="col">Syscalls</th>
            <th scope="col">Epochs</th>
            <th scope="col">Normal bags</th>
            <th scope="col">Mismatches</th>
            <th scope="col">Window restarts</th>
          </tr>
        </thead>
        <tbody>
          {containers.map((c) => (
            <ContainerRow
              key={c.key}
              c={c}
              label={containerLabel(c.key, c.name, cards)}
              settings={settings}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ContainerRow({
  c,
  label,
  settings,
}: {
  readonly c: MonitoredContainerState;
  readonly label: string;
  readonly settings: BoscSettings | null;
}): ReactElement {
  const indicator = detectionIndicator(c, settings);
  const b = c.bosc;
  const n = (v: number | undefined): string => (v === undefined ? '–' : v.toLocaleString('en-US'));
  return (
    <tr data-anomaly-row={c.key} data-anomaly-phase={indicator.phase}>
      <th scope="row">
        <span className="anomaly-name">{label}</span>
        {label !== c.key.slice(0, 12) ? <span className="anomaly-key"> {c.key.slice(0, 12)}</span> : null}
      </th>
      <td>
        <span className={`anomaly-state tone-${indicator.tone}`} data-anomaly-state="">
          <Icon name={indicator.icon} />
          <span>{indicator.label}</span>
        </span>
      </td>
      <td className="num">{n(b?.syscalls)}</td>
      <td className="num">{n(b?.epochs)}</td>
      <td className="num">
        {n(b?.database.bags)}
        {b !== null && b.database.full > 0 ? ` (${n(b.database.full)} did not fit)` : ''}
      </td>
      <td className="num">{n(b?.mismatches)}</td>
      <td className="num">{n(b?.gaps)}</td>
    </tr>
  );
}

function FalcoImport(): ReactElement {
  const id = useId();
  const [path, setPath] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const imports = useAnomalyStore((s) => s.imports);
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    if (path.trim() === '') {
      setLocal('Enter the path of a Falco JSON alert file (one alert per line).');
      return;
    }
    setLocal(null);
    importFalcoAlerts(path.trim());
  };
  const latest = imports[imports.length - 1];
  const invalid = local !== null || latest?.status === 'failed';
  return (
    <form className="anomaly-import" onSubmit={onSubmit} aria-label="Import Falco alerts">
      <label htmlFor={id}>Falco alert file (JSON lines)</label>
      <div className="anomaly-import-row">
        <input
          id={id}
          type="text"
          value={path}
          spellCheck={false}
          placeholder="/var/log/falco/events.json"
          aria-invalid={invalid}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" data-action="anomaly-import">
          Import Falco alerts
        </button>
      </div>
      {local !== null ? (
        <p className="anomaly-error" role="alert">
          <Icon name="alert" /> {local}
        </p>
      ) : null}
      {imports.length > 0 ? (
        <ul className="anomaly-imports" aria-label="Falco imports" aria-live="polite">
          {imports.map((i) => (
            <ImportLine key={i.seq} entry={i} />
          ))}
        </ul>
      ) : null}
    </form>
  );
}

function ImportLine({ entry }: { readonly entry: AnomalyImport }): ReactElement {
  switch (entry.status) {
    case 'running':
      return (
        <li data-import-status="running">
          <Icon name="spinner" /> Importing {entry.path}…
        </li>
      );
    case 'failed':
      return (
        <li data-import-status="failed" className="anomaly-import-failed">
          <Icon name="alert" /> {entry.path}: {entry.error?.message ?? 'failed'}
        </li>
      );
    case 'done': {
      const s = entry.summary!;
      return (
        <li
          data-import-status="done"
          data-imported={s.alerts}
          data-skipped={s.malformed}
          data-dropped={s.dropped}
        >
          <Icon name="check" /> {s.path}: {s.alerts.toLocaleString('en-US')} imported,{' '}
          {s.malformed.toLocaleString('en-US')} skipped
          {s.dropped > 0 ? `, ${s.dropped.toLocaleString('en-US')} dropped (alert table full)` : ''} (
          {s.lines.toLocaleString('en-US')} lines)
          {s.errors.length > 0 ? (
            <ul className="anomaly-import-errors">
              {s.errors.slice(0, 5).map((e) => (
                <li key={e.line}>
                  line {e.line}: {e.message}
                </li>
              ))}
              {s.errors.length > 5 ? <li>+{s.errors.length - 5} more</li> : null}
            </ul>
          ) : null}
        </li>
      );
    }
    default:
      return assertNever(entry.status, 'import status');
  }
}

/** Most timeline entries listed (the newest); the rest are counted. */
const TIMELINE_SHOWN = 200;

function Timeline(): ReactElement {
  const timeline = useAnomalyStore((s) => s.timeline);
  const cards = useContainersStore((s) => s.list?.containers ?? NO_CARDS);
  const shown = timeline.length > TIMELINE_SHOWN ? timeline.slice(-TIMELINE_SHOWN) : timeline;
  return (
    <section className="anomaly-timeline" aria-label="Anomaly and alert timeline">
      <h3>Timeline</h3>
      {timeline.length === 0 ? (
        <p className="anomaly-hint" data-timeline-empty="">
          Nothing raised: no anomalous epoch and no alert.
        </p>
      ) : (
        <ol data-anomaly-timeline="" tabIndex={0}>
          {timeline.length > shown.length ? (
            <li className="anomaly-hint">{timeline.length - shown.length} older entries not shown</li>
          ) : null}
          {shown.map((e) => (
            <TimelineItem key={e.key} entry={e} cards={cards} />
          ))}
        </ol>
      )}
    </section>
  );
}

function TimelineItem({
  entry,
  cards,
}: {
  readonly entry: TimelineEntry;
  readonly cards: readonly Pick<ContainerSummary, 'id' | 'name'>[];
}): ReactElement {
  switch (entry.kind) {
    case 'anomaly':
      return (
        <li className="anomaly-entry anomaly-entry-anomaly" data-timeline-kind="anomaly">
          <span className="anomaly-badge tone-bad">
            <Icon name="alert" /> ANOMALY
          </span>{' '}
          <span className="anomaly-when">{spanText(entry.from, entry.to)}</span>{' '}
          <strong>{containerLabel(entry.container.id, entry.container.name, cards)}</strong>{' '}
          <span>
            epoch {entry.epoch}: {entry.mismatches.toLocaleString('en-US')} of{' '}
            {entry.windows.toLocaleString('en-US')} windows unseen in training
          </span>
          {entry.hint.length > 0 ? (
            <span className="anomaly-entry-hint"> · hint: {entry.hint.join(', ')}</span>
          ) : null}
        </li>
      );
    case 'alert': {
      const a = entry.alert;
      const who =
        a.container === null
          ? 'host / no container'
          : containerLabel(a.container.id, a.container.name, cards);
      return (
        <li
          className="anomaly-entry anomaly-entry-alert"
          data-timeline-kind="alert"
          data-alert-source={a.source}
          data-alert-rule={a.ruleId}
          data-alert-severity={a.severity}
        >
          <span className={`anomaly-badge anomaly-severity-${a.severity}`}>
            <Icon name="alert" /> {a.severity.toUpperCase()}
          </span>{' '}
          <span className="anomaly-when">{seenText(a.firstSeen, a.lastSeen)}</span>{' '}
          <strong>{revealInvisible(a.title)}</strong>{' '}
          <span className="anomaly-rule">
            ({a.source === 'falco' ? 'Falco' : 'built-in'} rule {revealInvisible(a.ruleId)})
          </span>{' '}
          <span>· {revealInvisible(who)}</span> <span>· ×{a.count.toLocaleString('en-US')}</span>
          {a.processes.length > 0 ? <span> · {revealInvisible(a.processes.join(', '))}</span> : null}
          {a.detail !== null || a.rationale !== null ? (
            <details>
              <summary>{a.detail !== null ? 'Falco output' : 'Why it matters'}</summary>
              <p className="anomaly-detail">{revealInvisible(a.detail ?? a.rationale ?? '')}</p>
            </details>
          ) : null}
        </li>
      );
    }
    default:
      return assertNever(entry, 'timeline entry');
  }
}
