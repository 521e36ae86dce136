import type { AnomalyMonitor, MonitoredContainer } from '../../../shared/domain/anomaly/monitor.js';
import {
  countUnmonitored,
  createAnomalyMonitor,
  isSyscallEventType,
  monitorContainer,
  monitorSnapshot,
  observe,
  syscallIndex,
  wantsProcess,
} from '../../../shared/domain/anomaly/monitor.js';
import type { ParseErrorReason, SourceState } from '../../../shared/domain/syscalls/model.js';
import type { SysdigChunkSink } from '../../../shared/domain/syscalls/sysdig-line.js';
import { createSysdigLineSplitter } from '../../../shared/domain/syscalls/sysdig-line.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { SysdigProcess } from '../syscalls/sysdig-process.js';
import { ENTER_FILTER, runSysdig, validateCapturePath } from '../syscalls/sysdig-process.js';
import type { AnomalySource, AnomalySourceListener, SequenceSourceOptions } from './anomaly-source.js';
import { DEFAULT_UPDATE_MS, snapshotTicker } from './anomaly-source.js';

/**
 * A sysdig capture as a syscall *sequence* per container, fed to BoSC and the built-in alerts.
 *
 * `sysdig -r FILE -p '*%evt.rawtime.s %container.id %evt.type %proc.name' 'evt.dir=>'`: the same four-field
 * line as the histogram source (shared/domain/syscalls/sysdig-line.ts parses it; the last field is free
 * text there, here the process name), one line per enter event in the order sysdig read them, which is
 * the order BoSC needs. sysdig runs through the syscall sources' process state machine (runSysdig in
 * ../syscalls/sysdig-process.ts: argument arrays, FIFO transport, failure classification, SIGTERM then
 * SIGKILL), after the same path validation as a capture replay.
 *
 * Per line: the container id (host and unattributed events are skipped unless `includeHost`); the event
 * type — sysdig's non-syscall events (`switch`, `procexit`, `signaldeliver`, …) are skipped; the process
 * name is read only for the syscalls an alert rule looks at. Limits: this format carries no container
 * name (states are keyed by sysdig's 12-hex id); a process name with a space makes a line sysdig's
 * parser refuses (counted as malformed, the event is lost to the sequence).
 */

/** The sequence format. */
export const SEQUENCE_FORMAT = '*%evt.rawtime.s %container.id %evt.type %proc.name';

/** argv for reading a capture's sequence. `path` must come from validateCapturePath. */
export function sequenceCaptureArgs(path: string): string[] {
  if (!path.startsWith('/')) throw new Error(`capture path must be absolute: ${path}`);
  return ['-r', path, '-p', SEQUENCE_FORMAT, ENTER_FILTER];
}

/** Options of a sysdig sequence source. */
export interface SysdigSequenceOptions extends SequenceSourceOptions {
  /** The sysdig program; default `sysdig` on PATH. */
  readonly program?: string;
  /** Follow host processes too, as the container `host`; default false. */
  readonly includeHost?: boolean;
}

/** What the sink counts. */
export interface SequenceCounts {
  /** Syscalls passed to a container's detector. */
  readonly events: number;
  /** Lines skipped: host, unattributed, or not a syscall (`switch`, …). */
  readonly skipped: number;
  /** Of those, events sysdig could not place in a container (`<NA>`). */
  readonly unattributed: number;
  readonly malformed: number;
  readonly malformedByReason: Readonly<Partial<Record<ParseErrorReason, number>>>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The sink from sysdig lines to a monitor (exported for tests): container and type are resolved through
 * small caches, so a line costs a substring or two and a Map lookup.
 */
export function createSequenceSink(
  monitor: AnomalyMonitor,
  options: { readonly includeHost?: boolean; readonly onSyscall?: SequenceSourceOptions['onSyscall'] } = {},
): SysdigChunkSink & { readonly counts: SequenceCounts } {
  const includeHost = options.includeHost ?? false;
  const tap = options.onSyscall;
  const byReason: Partial<Record<ParseErrorReason, number>> = {};
  const counts: Mutable<SequenceCounts> = {
    events: 0,
    skipped: 0,
    unattributed: 0,
    malformed: 0,
    malformedByReason: byReason,
  };
  // Type → vocabulary index, or -1 for an event that is not a syscall.
  const types = new Map<string, number>();
  let lastId = '';
  let lastContainer: MonitoredContainer | null = null;
  return {
    counts,
    event(second, text, idStart, idEnd, typeEnd, lineEnd) {
      let c: MonitoredContainer | null;
      if (lastContainer !== null && idEnd - idStart === lastId.length && text.startsWith(lastId, idStart)) {
        c = lastContainer;
      } else {
        const id = text.slice(idStart, idEnd);
        if (id === '<NA>' || (id === 'host' && !includeHost)) {
          counts.unattributed += id === '<NA>' ? 1 : 0;
          counts.skipped++;
          return;
        }
        c = monitorContainer(monitor, id, null);
        if (c === null) {
          countUnmonitored(monitor);
          return;
        }
        lastId = id;
        lastContainer = c;
      }
      const type = text.slice(idEnd + 1, typeEnd);
      let index = types.get(type);
      if (index === undefined) {
        index = isSyscallEventType(type) ? syscallIndex(monitor, type) : -1;
        types.set(type, index);
      }
      if (index < 0) {
        counts.skipped++;
        return;
      }
      counts.events++;
      const process = wantsProcess(monitor, index) ? text.slice(typeEnd + 1, lineEnd) : null;
      observe(monitor, c, index, second, process === '<NA>' ? null : process);
      tap?.(c.key, type, second);
    },
    malformed(reason) {
      counts.malformed++;
      byReason[reason] = (byReason[reason] ?? 0) + 1;
    },
  };
}

/** Read the capture at `path` to its end through BoSC and the alerts. The listener hears `starting` first. */
export function startSysdigSequence(
  path: string,
  listener: AnomalySourceListener,
  options: SysdigSequenceOptions,
): AnomalySource {
  const { clock } = options;
  const monitor = createAnomalyMonitor({
    ...(options.bosc !== undefined ? { bosc: options.bosc } : {}),
    ...(options.maxAlerts !== undefined ? { maxAlerts: options.maxAlerts } : {}),
  });
  const sink = createSequenceSink(monitor, {
    ...(options.includeHost !== undefined ? { includeHost: options.includeHost } : {}),
    ...(options.onSyscall !== undefined ? { onSyscall: options.onSyscall } : {}),
  });
  const splitter = createSysdigLineSplitter(sink);
  let state: SourceState = { phase: 'starting', since: clock.now() };
  let settled = false;
  let disposed = false;
  let proc: SysdigProcess | null = null;
  let resolveSettled: (s: SourceState) => void = () => undefined;
  const settledPromise = new Promise<SourceState>((r) => (resolveSettled = r));

  const ticker = snapshotTicker(
    monitor,
    clock,
    options.updateIntervalMs ?? DEFAULT_UPDATE_MS,
    () => sink.counts.events,
    (snap) => {
      if (!disposed) listener.onSnapshot?.(snap);
    },
  );

  const setState = (next: SourceState): void => {
    if (settled) return;
    state = next;
    if (next.phase === 'exited' || next.phase === 'failed') {
      settled = true;
      ticker.dispose();
    }
    listener.onState(next);
    if (settled) resolveSettled(next);
  };

  listener.onState(state);

  validateCapturePath(path).then(
    (abs) => {
      if (disposed) return;
      proc = runSysdig({
        mode: 'capture',
        args: sequenceCaptureArgs(abs),
        clock,
        ...(options.program !== undefined ? { program: options.program } : {}),
        ...(options.killTimeoutMs !== undefined ? { killTimeoutMs: options.killTimeoutMs } : {}),
        path: abs,
        eventsRead: () => sink.counts.events,
        onText: (text) => splitter.push(text),
        onState: (next) => {
          if (disposed) return;
          if (next.phase === 'exited' || next.phase === 'failed') {
            splitter.end();
            ticker.flush();
          }
          setState(next);
        },
      });
    },
    (e: unknown) => {
      if (disposed) return;
      const code =
        e instanceof BulkheadError && e.code === 'permission-denied' ? e.code : 'capture-unreadable';
      setState({
        phase: 'failed',
        since: clock.now(),
        error: { code, message: e instanceof Error ? e.message : String(e) },
        diagnostics: '',
      });
    },
  );

  return {
    get state() {
      return state;
    },
    monitor,
    snapshot: () => monitorSnapshot(monitor, clock.now()),
    get malformed() {
      return sink.counts.malformed;
    },
    settled: settledPromise,
    dispose() {
      if (disposed) return;
      setState({ phase: 'exited', since: clock.now(), reason: 'disposed' });
      disposed = true;
      ticker.dispose();
      proc?.dispose();
    },
  };
}
