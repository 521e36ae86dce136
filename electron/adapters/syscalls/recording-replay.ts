import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { z } from 'zod';

import type { EpochMillis } from '../../../shared/domain/ids.js';
import { SEVERITIES } from '../../../shared/domain/posture/model.js';
import type {
  EpochSeconds,
  ReplaySpeed,
  SourceState,
  SubjectTotals,
  SyscallFrame,
  SyscallWindowCounts,
  SysdigContainerId,
} from '../../../shared/domain/syscalls/model.js';
import type { ReplayCursor } from '../../../shared/domain/syscalls/replay.js';
import { advanceReplay, cursorAt, replayEnded } from '../../../shared/domain/syscalls/replay.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { writeTextAtomic } from '../atomic-write.js';
import type { Clock } from '../../services/ports.js';
import type {
  SyscallSource,
  SyscallSourceListener,
  SyscallSourcePort,
} from '../../services/syscall-ports.js';
import { MIN_FRAME_INTERVAL_MS } from '../../services/syscall-ports.js';
import { checkSpeed } from './capture-replay.js';

/**
 * Bulkhead's own recordings of syscall frames, for demos and tests: JSON lines, a header then one frame per
 * line with the wall time it was made.
 *
 *   {"format":"bulkhead-syscalls/1","recordedAt":1700000000000,"recordedWith":"capture bencer_k8s_capture.scap"}
 *   {"at":1700000000250,"frame":{…a SyscallFrame…}}
 *
 * A replay shows the frames at their recorded pace times a speed, or jumps to the last one (`max`); seeking
 * shows the last frame at or before a second. With `loop` it starts over at the first frame a second after
 * the last one (shared/domain/syscalls/replay.ts) and keeps streaming until disposed. Lines that are not valid frames are counted (in the frames'
 * `dropped.malformed`) and skipped. A recording shows what was recorded: each subject's top syscalls, so
 * `totals()` lists those only.
 */

export const RECORDING_FORMAT = 'bulkhead-syscalls/1';

/** Largest recording read (64 MiB: about an hour of 4 Hz frames). */
export const MAX_RECORDING_BYTES = 64 * 1024 * 1024;

/** The first line of a recording. */
export interface RecordingHeader {
  readonly format: typeof RECORDING_FORMAT;
  readonly recordedAt: EpochMillis;
  /** What was recorded, e.g. `sysdig capture bencer_k8s_capture.scap at x10`. */
  readonly recordedWith: string;
}

/** One recorded frame and the wall time it was made. */
export interface RecordingEntry {
  readonly at: EpochMillis;
  readonly frame: SyscallFrame;
}

const count = z.number().int().nonnegative();
const seconds = count.transform((n) => n as EpochSeconds);
const millis = count.transform((n) => n as EpochMillis);

const subjectSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('container'),
    id: z
      .string()
      .regex(/^[0-9a-f]{12}$/)
      .transform((s) => s as SysdigContainerId),
    name: z.string().max(256).nullable(),
  }),
  z.strictObject({ kind: z.literal('host') }),
  z.strictObject({ kind: z.literal('unattributed') }),
]);

const syscallCountSchema = z.strictObject({
  syscall: z.string().min(1).max(64),
  window: count,
  total: count,
});

const frameSchema = z.strictObject({
  seq: count,
  now: seconds,
  windowSeconds: z.number().int().min(1).max(3600),
  subjects: z.array(
    z.strictObject({
      subject: subjectSchema,
      window: count,
      total: count,
      top: z.array(syscallCountSchema),
      rest: z.strictObject({ syscalls: count, window: count, total: count }),
      perSecond: z.array(count).max(3600),
    }),
  ),
  totalEvents: count,
  dropped: z.strictObject({ overflow: count, late: count, malformed: count }),
  gaps: z.array(
    z.strictObject({ from: seconds, to: seconds, reason: z.enum(['no-data', 'dropped', 'tracer-restart']) }),
  ),
  keys: z.strictObject({ used: count, max: count }),
  alerts: z
    .array(
      z.strictObject({
        subject: subjectSchema,
        syscall: z.string().min(1).max(64),
        ruleId: z.string().min(1).max(64),
        title: z.string().max(200),
        severity: z.enum(SEVERITIES),
        firstSeen: seconds,
        lastSeen: seconds,
        total: count,
      }),
    )
    .max(4096)
    .optional(),
  replay: z
    .strictObject({
      start: seconds.nullable(),
      end: seconds.nullable(),
      position: seconds.nullable(),
      speed: z.union([z.literal('max'), z.number().positive()]),
      playing: z.boolean(),
      complete: z.boolean(),
      loop: z.boolean().optional(),
    })
    .optional(),
});

const headerSchema = z.strictObject({
  format: z.literal(RECORDING_FORMAT),
  recordedAt: millis,
  recordedWith: z.string().max(1000),
});

const entrySchema = z.strictObject({ at: millis, frame: frameSchema });

/** The text of a recording. */
export function formatRecording(header: RecordingHeader, entries: readonly RecordingEntry[]): string {
  return [header, ...entries].map((v) => JSON.stringify(v)).join('\n') + '\n';
}

/** Write a recording to `path` (atomically: a failed write leaves a previous recording there intact). */
export async function writeRecording(
  path: string,
  header: RecordingHeader,
  entries: readonly RecordingEntry[],
): Promise<void> {
  await writeTextAtomic(path, formatRecording(header, entries));
}

/** A parsed recording and the number of lines skipped. */
export interface ParsedRecording {
  readonly header: RecordingHeader;
  readonly entries: readonly RecordingEntry[];
  readonly malformed: number;
}

/**
 * Parse a recording's text. Throws BulkheadError `capture-unreadable` naming `where` when the header is not
 * a Bulkhead recording header; later lines that are not valid entries are counted and skipped.
 */
export function parseRecording(text: string, where: string): ParsedRecording {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  let headerValue: unknown;
  try {
    headerValue = JSON.parse(lines[i] ?? '');
  } catch {
    headerValue = undefined;
  }
  const header = headerSchema.safeParse(headerValue);
  if (!header.success) {
    throw new BulkheadError(
      'capture-unreadable',
      `${where} is not a Bulkhead syscall recording: its first line is not a ${RECORDING_FORMAT} header.`,
    );
  }
  const entries: RecordingEntry[] = [];
  let malformed = 0;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      malformed++;
      continue;
    }
    const entry = entrySchema.safeParse(value);
    if (entry.success) entries.push(entry.data);
    else malformed++;
  }
  return { header: header.data, entries, malformed };
}

/** Read and parse the recording at `path`; throws BulkheadError `capture-unreadable` or `permission-denied`. */
export async function loadRecording(path: string): Promise<ParsedRecording> {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw new BulkheadError('capture-unreadable', 'A recording path must be a non-empty file path.');
  }
  const abs = resolve(path);
  try {
    const info = await stat(abs);
    if (!info.isFile()) throw new BulkheadError('capture-unreadable', `${abs} is not a regular file.`);
    if (info.size > MAX_RECORDING_BYTES) {
      throw new BulkheadError('capture-unreadable', `${abs} is larger than ${MAX_RECORDING_BYTES} bytes.`);
    }
    return parseRecording(await readFile(abs, 'utf8'), abs);
  } catch (e) {
    if (e instanceof BulkheadError) throw e;
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new BulkheadError('permission-denied', `Bulkhead may not read ${abs}.`, { cause: e });
    }
    if (code === 'ENOENT') throw new BulkheadError('capture-unreadable', `There is no file at ${abs}.`);
    throw new BulkheadError('capture-unreadable', `${abs} cannot be read: ${String(e)}`, { cause: e });
  }
}

/** What a recording replay needs. */
export interface RecordingReplayOptions {
  readonly clock: Clock;
  /** Time between frames, at least 250 ms; default 250. */
  readonly frameIntervalMs?: number;
  /** Start over after the last frame; default false. */
  readonly loop?: boolean;
}

/** How long (recorded time) a looping replay keeps its last frame before it starts over. */
export const LOOP_HOLD_MS = 1000;

/** The port for recording replays. */
export function createRecordingReplayPort(options: RecordingReplayOptions): SyscallSourcePort<'recording'> {
  return {
    kind: 'recording',
    start: (spec, listener) =>
      startRecordingReplay(spec.path, spec.speed, listener, { ...options, loop: spec.loop === true }),
  };
}

/** Start replaying the recording at `path`. The listener hears `starting` before this returns. */
export function startRecordingReplay(
  path: string,
  initialSpeed: ReplaySpeed,
  listener: SyscallSourceListener,
  options: RecordingReplayOptions,
): SyscallSource {
  const { clock } = options;
  const loop = options.loop === true;
  const interval = Math.max(MIN_FRAME_INTERVAL_MS, options.frameIntervalMs ?? MIN_FRAME_INTERVAL_MS);
  let speed = checkSpeed(initialSpeed);
  let state: SourceState = { phase: 'starting', since: clock.now() };
  let entries: readonly RecordingEntry[] = [];
  let ats: readonly number[] = [];
  let malformed = 0;
  let cursor: ReplayCursor = { index: -1, paceWall: 0, paceAt: 0, laps: 0 };
  let shown = -1;
  let shownLap = 0;
  let playing = true;
  let seq = 0;
  let disposed = false;
  let loaded = false;

  const setState = (next: SourceState): void => {
    if (state.phase === 'exited' || state.phase === 'failed') return;
    state = next;
    listener.onState(next);
  };

  /** Pace from now, at the frame shown. */
  const rebase = (): void => {
    cursor = cursorAt(ats, Math.max(0, cursor.index), clock.now(), cursor.laps);
  };

  const tick = (): void => {
    if (!loaded || disposed || entries.length === 0) return;
    const last = entries.length - 1;
    if (cursor.index < 0) {
      cursor = cursorAt(ats, speed === 'max' ? last : 0, clock.now());
    } else if (playing) {
      cursor = advanceReplay(ats, cursor, clock.now(), { speed, loop, holdMs: LOOP_HOLD_MS });
      if (replayEnded(ats, cursor, loop)) playing = false;
    }
    if (cursor.index === shown && cursor.laps === shownLap) return;
    shown = cursor.index;
    shownLap = cursor.laps;
    const { frame } = entries[shown]!;
    const first = entries[0]!.frame.now;
    const end = entries[last]!.frame.now;
    listener.onFrame({
      ...frame,
      seq: seq++,
      dropped: { ...frame.dropped, malformed: frame.dropped.malformed + malformed },
      replay: {
        start: first,
        end,
        position: frame.now,
        speed,
        playing,
        complete: true,
        ...(loop ? { loop } : {}),
      },
    });
  };

  listener.onState(state);
  const ticker = clock.setInterval(tick, interval);

  loadRecording(path).then(
    (parsed) => {
      if (disposed) return;
      entries = parsed.entries;
      malformed = parsed.malformed;
      ats = entries.map((e) => e.at);
      loaded = true;
      setState({ phase: 'streaming', since: clock.now() });
      tick();
      // The whole file is read; a loop goes on streaming it until disposed.
      if (!loop) setState({ phase: 'exited', since: clock.now(), reason: 'end-of-input' });
    },
    (e: unknown) => {
      if (disposed) return;
      ticker.dispose();
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

  const totals = (): SubjectTotals[] => {
    const entry = entries[shown];
    if (entry === undefined) return [];
    return entry.frame.subjects.map((s) => ({
      subject: s.subject,
      total: s.total,
      bySyscall: Object.fromEntries(s.top.map((c) => [c.syscall, c.total])),
    }));
  };

  // A recording holds each frame's top syscalls only: its window is the shown frame's, whatever is asked.
  const window = (): SyscallWindowCounts | null => {
    const entry = entries[shown];
    if (entry === undefined) return null;
    const { frame } = entry;
    const subjects = frame.subjects
      .map((s) => ({
        subject: s.subject,
        total: s.top.reduce((n, c) => n + c.window, 0),
        bySyscall: Object.fromEntries(s.top.filter((c) => c.window > 0).map((c) => [c.syscall, c.window])),
      }))
      .filter((s) => s.total > 0);
    return {
      from: (frame.now - frame.windowSeconds + 1) as EpochSeconds,
      to: frame.now,
      subjects,
      dropped: { ...frame.dropped, malformed: frame.dropped.malformed + malformed },
      topOnly: true,
    };
  };

  return {
    get state() {
      return state;
    },
    window,
    replay: {
      seek(second) {
        if (entries.length === 0) return;
        let i = 0;
        while (i < entries.length - 1 && entries[i + 1]!.frame.now <= second) i++;
        cursor = cursorAt(ats, i, clock.now(), cursor.laps);
        tick();
      },
      setSpeed(next) {
        speed = checkSpeed(next);
        rebase();
      },
      setPlaying(next) {
        if (next && cursor.index === entries.length - 1 && speed !== 'max' && !loop)
          cursor = cursorAt(ats, 0, clock.now(), cursor.laps);
        playing = next;
        rebase();
      },
    },
    totals,
    dispose() {
      if (disposed) return;
      disposed = true;
      ticker.dispose();
      setState({ phase: 'exited', since: clock.now(), reason: 'disposed' });
    },
  };
}
