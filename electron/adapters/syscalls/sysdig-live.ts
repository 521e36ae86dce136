import {
  advanceTo,
  createAggregate,
  createKeyTable,
  DEFAULT_WINDOW_SECONDS,
  makeFrame,
  readWindow,
  subjectTotals,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import { createAggregateSink } from '../../../shared/domain/syscalls/sysdig-fold.js';
import { createSysdigLineSplitter } from '../../../shared/domain/syscalls/sysdig-line.js';
import type { Clock } from '../../services/ports.js';
import type {
  FoldOptions,
  SyscallSource,
  SyscallSourceListener,
  SyscallSourcePort,
} from '../../services/syscall-ports.js';
import { MIN_FRAME_INTERVAL_MS } from '../../services/syscall-ports.js';
import { liveArgs, runSysdig } from './sysdig-process.js';

/**
 * Live syscalls of every container, from `sysdig -p FORMAT 'evt.dir=> and not container.id=host'`.
 *
 * sysdig names each event's container itself (`container.id`, `container.name`); events it cannot place
 * are kept as unattributed. The lines are parsed in chunks straight into the rolling fold, and a frame is
 * made at most every 250 ms, for the window ending at the current second.
 *
 * Needs sysdig's kernel driver (/dev/scap0) and root. Where the driver is not loaded — containers, CI, most
 * laptops — the source fails with `sysdig-driver-missing` and a sentence that says so; without sysdig,
 * `sysdig-missing`.
 */

/** What a live source needs. */
export interface SysdigLiveOptions extends FoldOptions {
  readonly clock: Clock;
  /** The sysdig program; default `sysdig` on PATH. */
  readonly program?: string;
}

/** The port for live sysdig sources. */
export function createSysdigLivePort(options: SysdigLiveOptions): SyscallSourcePort<'sysdig-live'> {
  return { kind: 'sysdig-live', start: (_spec, listener) => startSysdigLive(listener, options) };
}

/** Start sysdig live. The listener hears `starting` before this returns. */
export function startSysdigLive(listener: SyscallSourceListener, options: SysdigLiveOptions): SyscallSource {
  const { clock } = options;
  const interval = Math.max(MIN_FRAME_INTERVAL_MS, options.frameIntervalMs ?? MIN_FRAME_INTERVAL_MS);
  const agg = createAggregate(
    createKeyTable(options.maxKeys),
    options.windowSeconds ?? DEFAULT_WINDOW_SECONDS,
  );
  const sink = createAggregateSink(agg);
  const splitter = createSysdigLineSplitter(sink);
  let state: SourceState = { phase: 'starting', since: clock.now() };
  let seq = 0;
  let disposed = false;
  let lastEvents = -1;
  let lastSecond = -1;

  const nowSecond = (): number => Math.floor(clock.now() / 1000);

  const emit = (): void => {
    if (disposed || state.phase !== 'streaming') return;
    const now = nowSecond();
    advanceTo(agg, now);
    // Nothing new and the window has not moved: no frame.
    if (agg.totalEvents === lastEvents && now === lastSecond) return;
    lastEvents = agg.totalEvents;
    lastSecond = now;
    listener.onFrame(
      makeFrame(agg, now, {
        seq: seq++,
        ...(options.topN !== undefined ? { topN: options.topN } : {}),
        ...(options.seriesSeconds !== undefined ? { seriesSeconds: options.seriesSeconds } : {}),
      }),
    );
  };

  listener.onState(state);
  const ticker = clock.setInterval(emit, interval);

  const proc = runSysdig({
    mode: 'live',
    args: liveArgs(),
    clock,
    ...(options.program !== undefined ? { program: options.program } : {}),
    onText: (text) => splitter.push(text),
    onState: (next) => {
      if (disposed) return;
      if (next.phase === 'streaming') advanceTo(agg, nowSecond());
      if (next.phase === 'exited' || next.phase === 'failed') {
        splitter.end();
        emit();
        ticker.dispose();
      }
      state = next;
      listener.onState(next);
    },
  });

  return {
    get state() {
      return state;
    },
    replay: null,
    totals: () => subjectTotals(agg),
    window: (lastSeconds: number | null) => readWindow(agg, lastSeconds),
    dispose() {
      if (disposed) return;
      disposed = true;
      ticker.dispose();
      proc.dispose();
      if (state.phase === 'starting' || state.phase === 'streaming') {
        state = { phase: 'exited', since: clock.now(), reason: 'disposed' };
        listener.onState(state);
      }
    },
  };
}
