import type {
  EpochSeconds,
  ReplaySpeed,
  SourceState,
  SubjectTotals,
  SyscallFrame,
  SyscallWindowCounts,
} from '../../shared/domain/syscalls/model.js';
import type { Disposable } from './ports.js';

/**
 * Ports for the live-syscall feature: where syscall frames come from, implemented by the adapters in
 * electron/adapters/syscalls/ (sysdig live, sysdig capture replay, Bulkhead recording replay).
 *
 * A source folds its events with the pure code in shared/domain/syscalls and hands out frames — never raw
 * events — at most 4 times a second (STYLE §4), each with its drop counts.
 */

/** Fastest a source emits frames: 250 ms (4 Hz). */
export const MIN_FRAME_INTERVAL_MS = 250;

/** How a source folds and summarises (all optional; defaults in shared/domain/syscalls/aggregate.ts). */
export interface FoldOptions {
  /** Rolling window in 1 s buckets; default 600 (10 minutes). */
  readonly windowSeconds?: number;
  /** Bound on distinct (subject, syscall) pairs; default 4096. Events beyond it are dropped and counted. */
  readonly maxKeys?: number;
  /** Syscalls listed per subject in a frame; default 10. */
  readonly topN?: number;
  /** Length of each subject's per-second series in a frame; default 60. */
  readonly seriesSeconds?: number;
  /** Time between frames, at least MIN_FRAME_INTERVAL_MS; default 250. */
  readonly frameIntervalMs?: number;
}

/** What to start. Paths are validated by the adapter (exists, regular file, readable) before use. */
export type SyscallSourceSpec =
  | { readonly kind: 'bpf' }
  | { readonly kind: 'sysdig-live' }
  | { readonly kind: 'sysdig-capture'; readonly path: string; readonly speed: ReplaySpeed }
  | {
      readonly kind: 'recording';
      readonly path: string;
      readonly speed: ReplaySpeed;
      /** Start over at the end (the recorded lab session); default false. */
      readonly loop?: boolean;
    };

export type SyscallSourceKind = SyscallSourceSpec['kind'];

/** Receives a source's state changes and frames. */
export interface SyscallSourceListener {
  /** Every state, starting with `starting` (called before `start` returns). */
  onState(state: SourceState): void;
  onFrame(frame: SyscallFrame): void;
}

/** The timeline scrubber's controls, for replays. */
export interface ReplayControl {
  /** Show the window ending at `second` (clamped to what is loaded). */
  seek(second: EpochSeconds): void;
  /** `max`, or a multiple of the recorded pace (0.1 to 1000). */
  setSpeed(speed: ReplaySpeed): void;
  setPlaying(playing: boolean): void;
}

/** A running source. `dispose()` stops it (the state becomes `exited`/`disposed` unless already settled). */
export interface SyscallSource extends Disposable {
  readonly state: SourceState;
  /** Null for live sources. */
  readonly replay: ReplayControl | null;
  /** Every subject's totals per syscall since start (for a replay: up to the position), without a top-N cut. */
  totals(): readonly SubjectTotals[];
  /**
   * Per subject and syscall, the counts of the last `lastSeconds` seconds the source's window holds (all
   * of it when null), ending at its newest second (for a replay: the position); null before anything was
   * counted. Absent on sources that cannot say.
   */
  window?(lastSeconds: number | null): SyscallWindowCounts | null;
}

/** Starts sources of one kind. */
export interface SyscallSourcePort<K extends SyscallSourceKind = SyscallSourceKind> {
  readonly kind: K;
  start(
    spec: Extract<SyscallSourceSpec, { readonly kind: K }>,
    listener: SyscallSourceListener,
  ): SyscallSource;
}

/** What the machine offers the live sources, as probed when the source picker asks. */
export interface SyscallToolFacts {
  /** Whether Bulkhead runs as root (both live tracers need it). */
  readonly isRoot: boolean;
  /** Whether `bpftrace` / `sysdig` is an executable on PATH. */
  readonly bpftraceOnPath: boolean;
  readonly sysdigOnPath: boolean;
  /** Whether sysdig's kernel driver is loaded (its device node, /dev/scap0, exists). */
  readonly sysdigDriverPresent: boolean;
}

/** Probes the tools behind the live sources (cheap: a PATH lookup and a stat or two; no process is run). */
export interface SyscallToolProbePort {
  probe(): Promise<SyscallToolFacts>;
}
