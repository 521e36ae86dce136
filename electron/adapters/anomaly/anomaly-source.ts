import type { BoscSettings } from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalyMonitor, AnomalySnapshot } from '../../../shared/domain/anomaly/monitor.js';
import { monitorSnapshot, raisedTotal } from '../../../shared/domain/anomaly/monitor.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type { Clock, Disposable } from '../../services/ports.js';

/**
 * What the anomaly sequence sources (sysdig-sequence.ts, bpftrace-sequence.ts) have in common: a source
 * state machine (`starting → streaming → exited | failed`, the syscall sources' SourceState), a monitor
 * (BoSC + built-in alerts, shared/domain/anomaly/monitor.ts) fed one syscall at a time, and snapshots
 * pushed at a fixed rate when something changed — never per event (STYLE §4).
 */

/** Receives a source's states and its snapshots. */
export interface AnomalySourceListener {
  /** Each state, `starting` first; the settling one (`exited`/`failed`) after the last snapshot. */
  onState(state: SourceState): void;
  /** A snapshot, at most every `updateIntervalMs`, only when syscalls or alerts moved. */
  onSnapshot?(snapshot: AnomalySnapshot): void;
}

/** A running sequence source. */
export interface AnomalySource extends Disposable {
  readonly state: SourceState;
  /** The monitor it feeds (read it with `snapshot()`; tests may read it directly). */
  readonly monitor: AnomalyMonitor;
  /** The current state of every container and the alert timeline. */
  snapshot(): AnomalySnapshot;
  /** Lines that were not what the tool prints, since start. */
  readonly malformed: number;
  /** Resolves with the settling state (exited or failed). */
  readonly settled: Promise<SourceState>;
}

/** One syscall as a tap sees it (tests record sequences with it); off the hot path when not set. */
export type SyscallTap = (container: string, syscall: string, second: number) => void;

/** Options every sequence source takes. */
export interface SequenceSourceOptions {
  readonly clock: Clock;
  /** BoSC settings; unset ones take DEFAULT_BOSC_SETTINGS (shared/domain/anomaly/bosc.ts). */
  readonly bosc?: Partial<BoscSettings>;
  /** Bound on alert records; default 1024. */
  readonly maxAlerts?: number;
  /** Time between snapshots, ms; default 250. */
  readonly updateIntervalMs?: number;
  /** Called for every syscall that reaches a container's detector, in order. */
  readonly onSyscall?: SyscallTap;
  /** SIGKILL this long after SIGTERM; default 2000 ms. */
  readonly killTimeoutMs?: number;
}

/** Default time between snapshots. */
export const DEFAULT_UPDATE_MS = 250;

/**
 * The snapshot ticker: every `intervalMs`, a snapshot when the monitor moved (syscalls counted, or alerts or
 * anomalies raised) since the last one. `flush()` sends one now if anything moved.
 */
export function snapshotTicker(
  monitor: AnomalyMonitor,
  clock: Clock,
  intervalMs: number,
  progress: () => number,
  send: (snapshot: AnomalySnapshot) => void,
): Disposable & { flush(): void } {
  let last = -1;
  const flush = (): void => {
    const mark = progress() + raisedTotal(monitor) + monitor.alerts.hits;
    if (mark === last) return;
    last = mark;
    send(monitorSnapshot(monitor, clock.now()));
  };
  const timer = clock.setInterval(flush, Math.max(50, intervalMs));
  return { flush, dispose: () => timer.dispose() };
}
