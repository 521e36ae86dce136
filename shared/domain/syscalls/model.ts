import { assertNever } from '../../util/assert-never.js';
import type { EpochMillis } from '../ids.js';
import type { Severity } from '../posture/model.js';

/**
 * The live-syscall model: events from a source (sysdig live, a sysdig capture, a Bulkhead recording) are
 * folded per subject and per syscall into 1 s buckets; the renderer receives compact frames, never events.
 *
 * Everything here is serialisable data so frames cross IPC, the WebSocket and recordings unchanged.
 */

/** Whole seconds since the Unix epoch (sysdig's `evt.rawtime.s`): the unit of a histogram bucket. */
export type EpochSeconds = number & { readonly __brand: 'EpochSeconds' };

/**
 * sysdig's `container.id`: 12 lowercase hex digits for Docker, containerd, CRI-O and podman containers.
 *
 * Not a ContainerId (always the full 64-hex id): joining the two is a prefix match done on purpose.
 */
export type SysdigContainerId = string & { readonly __brand: 'SysdigContainerId' };

/**
 * Who issued an event.
 *
 * `unattributed` is an event sysdig could not place in a container (`container.id` is `<NA>`: the process
 * started before the capture and sysdig never saw its cgroup). It is neither dropped nor counted as host.
 */
export type Subject =
  | {
      readonly kind: 'container';
      readonly id: SysdigContainerId;
      /** sysdig's `container.name`; null when sysdig printed `<NA>`. */
      readonly name: string | null;
    }
  | { readonly kind: 'host' }
  | { readonly kind: 'unattributed' };

/** One syscall (or other enter event, e.g. sysdig's `switch`) as a source reports it. */
export interface SyscallEvent {
  readonly second: EpochSeconds;
  readonly subject: Subject;
  /** The name sysdig prints in `evt.type` (`read`, `futex`, `switch`, `<unknown>`, …). */
  readonly syscall: string;
}

/** Why a line of sysdig output was refused. */
export const PARSE_ERROR_REASONS = [
  /** Not exactly four space-separated fields: cut short, or two lines run together. */
  'field-count',
  /** The time field is not 1–12 digits. */
  'bad-time',
  /** The container field is not 12 hex digits, `host` or `<NA>`. */
  'bad-container',
  /** The event type is not `[a-z0-9_]{1,64}` or `<unknown>`. */
  'bad-syscall',
  /** Longer than the longest line a well-formed event can have. */
  'too-long',
  /** The output ended in the middle of a line (no final newline). */
  'truncated',
] as const;
export type ParseErrorReason = (typeof PARSE_ERROR_REASONS)[number];

/** A refused line; counted and skipped, never thrown. */
export interface ParseError {
  readonly error: ParseErrorReason;
  /** The start of the line (at most 200 characters), for diagnostics. */
  readonly line: string;
}

/** Whether a parse result is an error. */
export function isParseError(value: SyscallEvent | ParseError): value is ParseError {
  return 'error' in value;
}

/** One syscall's counts for one subject. */
export interface SyscallCount {
  readonly syscall: string;
  /** Events in the rolling window. */
  readonly window: number;
  /** Events since the source started (for a replay: since the start of the capture up to the position). */
  readonly total: number;
}

/** One subject's histogram in a frame. */
export interface SubjectFrame {
  readonly subject: Subject;
  /** All of this subject's events in the window / since start. */
  readonly window: number;
  readonly total: number;
  /** The top syscalls by window count (ties: by total, then by name). */
  readonly top: readonly SyscallCount[];
  /** What the top list leaves out: how many syscalls and their summed counts. */
  readonly rest: { readonly syscalls: number; readonly window: number; readonly total: number };
  /** This subject's events per second for the last `seriesSeconds` seconds, oldest first. */
  readonly perSecond: readonly number[];
}

/** Events a fold did not count, each kind since the source started. */
export interface DropCounts {
  /** Events whose (subject, syscall) pair was new once the bound on distinct pairs was reached. */
  readonly overflow: number;
  /** Events older than the window when they arrived. */
  readonly late: number;
  /** Lines that did not parse. */
  readonly malformed: number;
}

/**
 * Seconds in the window whose counts are not complete.
 *
 * `no-data`: the source was not running (before it started, or a gap it reported); `dropped`: events of that
 * second were dropped (see DropCounts); `tracer-restart`: a live tracer died and was being restarted (the
 * syscall service marks the outage). Ranges are inclusive.
 */
export interface Gap {
  readonly from: EpochSeconds;
  readonly to: EpochSeconds;
  readonly reason: 'no-data' | 'dropped' | 'tracer-restart';
}

/** Replay speed: `max` reads as fast as sysdig can, a number multiplies the recorded pace (1, 10, …). */
export type ReplaySpeed = 'max' | number;

/** Where a replay stands, for the timeline scrubber. */
export interface ReplayPosition {
  /** First and last second loaded so far; null while nothing is loaded (or the capture is empty). */
  readonly start: EpochSeconds | null;
  readonly end: EpochSeconds | null;
  /** The last second shown. */
  readonly position: EpochSeconds | null;
  readonly speed: ReplaySpeed;
  readonly playing: boolean;
  /** True once the whole input has been read. */
  readonly complete: boolean;
  /** Present and true for a replay that starts over at its end. */
  readonly loop?: boolean;
}

/**
 * What the renderer receives, at most 4 times a second: a compact summary, never raw events.
 *
 * Subjects are ordered containers (by id), then host, then unattributed, so cards do not jump around.
 */
export interface SyscallFrame {
  /** Increases by one per frame of a source. */
  readonly seq: number;
  /** The last second of the window. */
  readonly now: EpochSeconds;
  readonly windowSeconds: number;
  readonly subjects: readonly SubjectFrame[];
  /** All events counted since start, all subjects. */
  readonly totalEvents: number;
  readonly dropped: DropCounts;
  readonly gaps: readonly Gap[];
  /** Distinct (subject, syscall) pairs in use and the bound on them. */
  readonly keys: { readonly used: number; readonly max: number };
  /** Present for replays (captures, recordings). */
  readonly replay?: ReplayPosition;
  /**
   * Built-in syscall alerts (ptrace, mount, unshare, open_by_handle_at …) seen since start, worst first;
   * absent in frames recorded before Bulkhead had them.
   */
  readonly alerts?: readonly SyscallAlertHit[];
}

/** One built-in alert rule triggered by one subject's syscall: when first and last, and how often. */
export interface SyscallAlertHit {
  readonly subject: Subject;
  readonly syscall: string;
  /** The rule's id and title in shared/domain/anomaly/alerts.ts. */
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly firstSeen: EpochSeconds;
  readonly lastSeen: EpochSeconds;
  readonly total: number;
}

/** The codes a syscall source fails with (each is also in shared/ipc/result.ts ERROR_CODES). */
export const SYSCALL_ERROR_CODES = [
  /** No sysdig binary. */
  'sysdig-missing',
  /** sysdig is there but cannot open its kernel driver (/dev/scap0): live capture impossible. */
  'sysdig-driver-missing',
  /** sysdig stopped with an error Bulkhead does not recognise (its words are in the message). */
  'sysdig-failed',
  /** A capture or recording that is missing, not a capture, truncated, or from a newer sysdig. */
  'capture-unreadable',
  /** Not allowed to read the file or to open the driver. */
  'permission-denied',
  /** No bpftrace binary (the eBPF source). */
  'bpftrace-missing',
  /** bpftrace stopped or refused the program for a reason Bulkhead does not recognise (its words are in the message). */
  'bpftrace-failed',
] as const;
export type SyscallErrorCode = (typeof SYSCALL_ERROR_CODES)[number];

/**
 * A syscall source's state machine: `starting → streaming → exited | failed`, settled exactly once.
 *
 * `exited` with `end-of-input` is a capture or recording read to its end (an empty capture too: empty, not
 * an error); `disposed` is a source stopped by its owner. `failed` keeps what was counted before the
 * failure (a truncated capture's first events) and says why, with sysdig's own words in `diagnostics`.
 */
export type SourceState =
  | { readonly phase: 'starting'; readonly since: EpochMillis }
  | { readonly phase: 'streaming'; readonly since: EpochMillis }
  | { readonly phase: 'exited'; readonly since: EpochMillis; readonly reason: 'end-of-input' | 'disposed' }
  | {
      readonly phase: 'failed';
      readonly since: EpochMillis;
      readonly error: { readonly code: SyscallErrorCode; readonly message: string };
      /** The tail of the tool's stderr (at most a few KB); empty when there was none. */
      readonly diagnostics: string;
    };

/** A full table of counts since start, per subject and per syscall (for the CLI, exports and tests). */
export interface SubjectTotals {
  readonly subject: Subject;
  readonly total: number;
  readonly bySyscall: Readonly<Record<string, number>>;
  /**
   * The second each syscall was first seen, since the source started; absent where the source cannot know
   * it (a recording keeps per-second counts of the top syscalls only).
   */
  readonly firstSeen?: Readonly<Record<string, EpochSeconds>>;
  /** The second each syscall was last seen; present exactly when `firstSeen` is. */
  readonly lastSeen?: Readonly<Record<string, EpochSeconds>>;
}

/**
 * Per subject and per syscall, the events of the seconds `[from, to]` (inclusive) of a fold's window — the
 * histogram of a report window — with each syscall's first and last second within that range.
 */
export interface SyscallWindowCounts {
  readonly from: EpochSeconds;
  readonly to: EpochSeconds;
  /** Subjects with at least one event in the range, in frame order (containers by id, host, unattributed). */
  readonly subjects: readonly SubjectTotals[];
  /** The fold's drop counts since it started (its events not counted, in or out of the range). */
  readonly dropped: DropCounts;
  /**
   * True when only each subject's top syscalls are known (a recording keeps the top list of each frame);
   * the other syscalls' events are then missing from `subjects`.
   */
  readonly topOnly: boolean;
}

/** The key a subject is stored and compared under: the container id, `host` or `<NA>` (sysdig's spelling). */
export function subjectToken(subject: Subject): string {
  switch (subject.kind) {
    case 'container':
      return subject.id;
    case 'host':
      return 'host';
    case 'unattributed':
      return '<NA>';
    default:
      return assertNever(subject, 'subject');
  }
}
