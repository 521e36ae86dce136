import type { SyscallAggregate } from '../../../shared/domain/syscalls/aggregate.js';
import {
  advanceTo,
  createAggregate,
  createKeyTable,
  DEFAULT_WINDOW_SECONDS,
  makeFrame,
  readWindow,
  subjectTotals,
} from '../../../shared/domain/syscalls/aggregate.js';
import type {
  EpochSeconds,
  ReplayPosition,
  ReplaySpeed,
  SourceState,
  SyscallFrame,
} from '../../../shared/domain/syscalls/model.js';
import { createSysdigSink, timelineTarget } from '../../../shared/domain/syscalls/sysdig-fold.js';
import { createSysdigLineSplitter } from '../../../shared/domain/syscalls/sysdig-line.js';
import { applyTimeline, createTimeline, flushTimeline } from '../../../shared/domain/syscalls/timeline.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { Clock, Disposable } from '../../services/ports.js';
import type {
  FoldOptions,
  SyscallSource,
  SyscallSourceListener,
  SyscallSourcePort,
} from '../../services/syscall-ports.js';
import { MIN_FRAME_INTERVAL_MS } from '../../services/syscall-ports.js';
import type { SysdigProcess } from './sysdig-process.js';
import { captureArgs, runSysdig, validateCapturePath } from './sysdig-process.js';

/**
 * Replays a sysdig capture (`sysdig -r FILE`): at full speed (`max`) or at the recorded pace times a speed
 * (1, 10, …), with a timeline scrubber.
 *
 * sysdig always reads the whole capture as fast as it can; its lines are parsed in chunks and folded into a
 * per-second buffer (shared/domain/syscalls/timeline.ts), and playback — the window shown, at a position
 * that moves with the clock — is folded from that buffer. Seeking is therefore a re-fold of buffered
 * per-second counts, not a second run of sysdig: a frame needs totals since the start of the capture, so a
 * re-read with a time filter would read from the start anyway. Pacing is per second (the bucket size).
 *
 * The source's state is the reader's: `exited`/`end-of-input` once sysdig has read the capture to its end
 * (an empty capture gives that and an empty frame, not an error); the scrubber keeps working afterwards.
 * A capture sysdig cannot read, or cannot read to the end, is `failed` with `capture-unreadable` and a
 * sentence naming the file; what was read before the error is kept and shown.
 */

/** What a capture replay needs besides its spec. */
export interface CaptureReplayOptions extends FoldOptions {
  readonly clock: Clock;
  /** The sysdig program; default `sysdig` on PATH. */
  readonly program?: string;
  /** Count host processes too (default true); false keeps containers and unattributed events only. */
  readonly includeHost?: boolean;
  /** Bound on the per-second buffer (entries of second × key); default 4 M. */
  readonly maxTimelineEntries?: number;
}

/** Check a replay speed: `max` or a number from 0.1 to 1000. */
export function checkSpeed(speed: ReplaySpeed): ReplaySpeed {
  if (speed === 'max') return speed;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0.1 || speed > 1000) {
    throw new RangeError(`replay speed must be 'max' or a number from 0.1 to 1000, not ${String(speed)}`);
  }
  return speed;
}

/** The port for capture replays. */
export function createCaptureReplayPort(options: CaptureReplayOptions): SyscallSourcePort<'sysdig-capture'> {
  return {
    kind: 'sysdig-capture',
    start: (spec, listener) => startCaptureReplay(spec.path, spec.speed, listener, options),
  };
}

/** Start replaying the capture at `path`. The listener hears `starting` before this returns. */
export function startCaptureReplay(
  path: string,
  initialSpeed: ReplaySpeed,
  listener: SyscallSourceListener,
  options: CaptureReplayOptions,
): SyscallSource {
  const { clock } = options;
  const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const interval = Math.max(MIN_FRAME_INTERVAL_MS, options.frameIntervalMs ?? MIN_FRAME_INTERVAL_MS);
  let speed = checkSpeed(initialSpeed);

  const keys = createKeyTable(options.maxKeys);
  const timeline = createTimeline(keys.maxKeys, options.maxTimelineEntries);
  const sink = createSysdigSink(keys, timelineTarget(timeline));
  const splitter = createSysdigLineSplitter(sink);

  let agg: SyscallAggregate = createAggregate(keys, windowSeconds);
  let applied = 0;
  let position: number | null = null;
  let playing = true;
  // Paced playback: the position was `pos` at wall time `wall`.
  let pace = { wall: 0, pos: 0 };
  let complete = false;
  let dirty = false;
  let seq = 0;
  let disposed = false;
  let settled = false;
  let proc: SysdigProcess | null = null;
  let state: SourceState = { phase: 'starting', since: clock.now() };

  const setState = (next: SourceState): void => {
    if (settled) return;
    if (next.phase === 'exited' || next.phase === 'failed') settled = true;
    state = next;
    listener.onState(next);
  };

  /** Show the window ending at `second`: fold forward, or re-fold from the start to go back. */
  const showUpTo = (second: number): void => {
    if (agg.started && second < agg.head) {
      agg = createAggregate(keys, windowSeconds);
      applied = 0;
    }
    applied = applyTimeline(timeline, agg, applied, second);
    advanceTo(agg, second);
    position = second;
    dirty = true;
  };

  const rebase = (): void => {
    pace = { wall: clock.now(), pos: position ?? timeline.first };
  };

  /** Move the position as the speed and the clock say, within what is loaded. */
  const play = (): void => {
    if (!complete) flushTimeline(timeline);
    if (!timeline.seen) return;
    const end = timeline.last;
    if (position === null) {
      showUpTo(speed === 'max' ? end : timeline.first);
      rebase();
    } else if (playing) {
      let target: number;
      if (speed === 'max') {
        target = end;
      } else {
        target = Math.floor(pace.pos + ((clock.now() - pace.wall) / 1000) * speed);
        if (target >= end) {
          target = end;
          if (complete) playing = false;
          else rebase();
        }
      }
      if (target !== position || applied < timeline.second.length) showUpTo(target);
    }
    if (speed === 'max' && complete && playing) {
      playing = false;
      dirty = true;
    }
  };

  const replayPosition = (): ReplayPosition => ({
    start: timeline.seen ? (timeline.first as EpochSeconds) : null,
    end: timeline.seen ? (timeline.last as EpochSeconds) : null,
    position: position as EpochSeconds | null,
    speed,
    playing,
    complete,
  });

  const frame = (): SyscallFrame => {
    const now = position ?? Math.floor(clock.now() / 1000);
    const base = makeFrame(agg, now, {
      seq: seq++,
      ...(options.topN !== undefined ? { topN: options.topN } : {}),
      ...(options.seriesSeconds !== undefined ? { seriesSeconds: options.seriesSeconds } : {}),
    });
    return {
      ...base,
      dropped: { ...base.dropped, malformed: sink.malformedCount },
      replay: replayPosition(),
    };
  };

  const emit = (): void => {
    if (disposed || !dirty) return;
    dirty = false;
    listener.onFrame(frame());
  };

  const ticker: Disposable = clock.setInterval(() => {
    play();
    emit();
  }, interval);

  const fail = (code: 'capture-unreadable' | 'permission-denied', message: string): void => {
    setState({ phase: 'failed', since: clock.now(), error: { code, message }, diagnostics: '' });
  };

  listener.onState(state);

  validateCapturePath(path).then(
    (abs) => {
      if (disposed) return;
      proc = runSysdig({
        mode: 'capture',
        args: captureArgs(abs, options.includeHost ?? true),
        clock,
        ...(options.program !== undefined ? { program: options.program } : {}),
        path: abs,
        eventsRead: () => timeline.events,
        onText: (text) => {
          splitter.push(text);
          dirty = true;
        },
        onState: (next) => {
          if (disposed) return;
          if (next.phase === 'exited' || next.phase === 'failed') {
            splitter.end();
            flushTimeline(timeline);
            complete = true;
            dirty = true;
            play();
            emit();
          }
          setState(next);
        },
      });
    },
    (e: unknown) => {
      if (disposed) return;
      if (e instanceof BulkheadError && e.code === 'permission-denied') fail('permission-denied', e.message);
      else fail('capture-unreadable', e instanceof Error ? e.message : String(e));
      complete = true;
    },
  );

  return {
    get state() {
      return state;
    },
    replay: {
      seek(second) {
        if (!timeline.seen) return;
        if (!complete) flushTimeline(timeline);
        const s = Math.min(Math.max(Math.floor(second), timeline.first), timeline.last);
        showUpTo(s);
        rebase();
      },
      setSpeed(next) {
        speed = checkSpeed(next);
        rebase();
        dirty = true;
      },
      setPlaying(next) {
        if (next && complete && position !== null && position >= timeline.last && speed !== 'max') {
          showUpTo(timeline.first);
        }
        playing = next;
        rebase();
        dirty = true;
      },
    },
    totals: () => subjectTotals(agg),
    window: (lastSeconds: number | null) => {
      const w = readWindow(agg, lastSeconds);
      return w === null ? null : { ...w, dropped: { ...w.dropped, malformed: sink.malformedCount } };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      ticker.dispose();
      proc?.dispose();
      setState({ phase: 'exited', since: clock.now(), reason: 'disposed' });
    },
  };
}
