import type { AlertTable } from '../../shared/domain/anomaly/alerts.js';
import type { BoscSettings } from '../../shared/domain/anomaly/bosc.js';
import type { AnomalyMonitor, AnomalySnapshot } from '../../shared/domain/anomaly/monitor.js';
import type { SourceState } from '../../shared/domain/syscalls/model.js';
import type { AnomalyImportSummary } from '../../shared/ipc/contract.js';
import type { Disposable } from './ports.js';

/**
 * Ports for container anomaly detection: where syscall *sequences* come from (the eBPF sequence program,
 * a sysdig capture), implemented by electron/adapters/anomaly/, and where Falco alerts are read from.
 *
 * A source feeds one monitor (shared/domain/anomaly/monitor.ts: BoSC per container and the built-in
 * alerts) one syscall at a time and hands out snapshots — never events — at most 4 times a second.
 */

/** What to start. A capture path is validated by the adapter (exists, regular file, readable). */
export type AnomalySourceSpec =
  { readonly kind: 'bpf' } | { readonly kind: 'sysdig-capture'; readonly path: string };

export type AnomalySourceKind = AnomalySourceSpec['kind'];

/** Receives a source's states and snapshots. */
export interface AnomalySourceListener {
  /** Every state, `starting` first (called before `start` returns). */
  onState(state: SourceState): void;
  onSnapshot(snapshot: AnomalySnapshot): void;
}

/** How to start a source. */
export interface AnomalyStartOptions {
  /** Checked settings (checkBoscSettings). */
  readonly bosc: BoscSettings;
  /**
   * Feed this monitor rather than a new one: a live tracer restarted after a failure carries on with what
   * its containers learnt and the alerts raised (the service restarts the windows across the gap).
   */
  readonly monitor?: AnomalyMonitor;
}

/** A running source; `dispose()` stops it (`exited`/`disposed` unless already settled). */
export interface AnomalySourceHandle extends Disposable {
  readonly state: SourceState;
  /** The monitor it feeds; Falco imports fold into its alert table. */
  readonly monitor: AnomalyMonitor;
  snapshot(): AnomalySnapshot;
}

/** Starts sources of one kind. */
export interface AnomalySourcePort<K extends AnomalySourceKind = AnomalySourceKind> {
  readonly kind: K;
  start(
    spec: Extract<AnomalySourceSpec, { readonly kind: K }>,
    listener: AnomalySourceListener,
    options: AnomalyStartOptions,
  ): AnomalySourceHandle;
}

/** The sources, one port per kind; a kind without a port is unavailable. */
export type AnomalyPorts = { readonly [K in AnomalySourceKind]?: AnomalySourcePort<K> };

/** Reads a Falco JSON-lines file into an alert table. */
export interface FalcoImportPort {
  /**
   * Fold every alert of the file at `path` into `table`; throws BulkheadError (`bad-request`, `not-found`,
   * `permission-denied`) when the file cannot be read. Malformed lines are counted, not thrown.
   */
  importFile(path: string, table: AlertTable): Promise<AnomalyImportSummary>;
}
