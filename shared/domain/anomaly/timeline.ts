import { assertNever } from '../../util/assert-never.js';
import type { EpochMillis } from '../ids.js';
import type { Severity } from '../posture/model.js';
import type { AlertRecord } from './alerts.js';
import type { BoscContainerState } from './bosc.js';
import type { AnomalySnapshot, MonitoredContainerState } from './monitor.js';

/**
 * What the UI and the CLI say about a snapshot: each container's detection state in a few words, the one
 * timeline of anomalous epochs and alerts, and whether anything was raised that should fail a CI run.
 *
 * Pure: plain data in, plain data out.
 */

/** One anomalous epoch of one container, on the timeline. */
export interface AnomalyTimelineEntry {
  readonly kind: 'anomaly';
  /** `anomaly:<container>:<epoch>`, unique in a timeline. */
  readonly key: string;
  readonly container: { readonly id: string; readonly name: string | null };
  readonly epoch: number;
  /** The seconds of its first and last window, as epoch ms. */
  readonly from: EpochMillis;
  readonly to: EpochMillis;
  readonly windows: number;
  readonly mismatches: number;
  /** The over-represented syscalls, most over-represented first. */
  readonly hint: readonly string[];
}

/** One alert record (built-in or Falco), on the timeline. */
export interface AlertTimelineEntry {
  readonly kind: 'alert';
  readonly key: string;
  readonly from: EpochMillis;
  readonly to: EpochMillis;
  readonly alert: AlertRecord;
}

export type TimelineEntry = AnomalyTimelineEntry | AlertTimelineEntry;

/** The anomalous epochs of every container (those kept: the newest maxAnomalies each) and every alert, by time. */
export function anomalyTimeline(snapshot: AnomalySnapshot): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const c of snapshot.containers) {
    const b = c.bosc;
    if (b === null || b.phase !== 'anomalous') continue;
    for (const a of b.anomalies) {
      out.push({
        kind: 'anomaly',
        key: `anomaly:${c.key}:${a.epoch}`,
        container: { id: c.key, name: c.name },
        epoch: a.epoch,
        from: (a.from * 1000) as EpochMillis,
        to: (a.to * 1000) as EpochMillis,
        windows: a.windows,
        mismatches: a.mismatches,
        hint: a.hint.map((h) => h.syscall),
      });
    }
  }
  for (const alert of snapshot.alerts) {
    out.push({ kind: 'alert', key: alert.key, from: alert.firstSeen, to: alert.lastSeen, alert });
  }
  return out.sort(compareEntries);
}

/** By start, then end; anomalies of one container by epoch number; then by key. */
function compareEntries(x: TimelineEntry, y: TimelineEntry): number {
  if (x.from !== y.from) return x.from - y.from;
  if (x.to !== y.to) return x.to - y.to;
  if (x.kind === 'anomaly' && y.kind === 'anomaly' && x.container.id === y.container.id) {
    return x.epoch - y.epoch;
  }
  return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
}

/** How far a learning container is through its training, 0–100 (whole percent, rounded down). */
export function learningPercent(
  state: Extract<BoscContainerState, { phase: 'learning' }>,
  epochSize: number | null,
): number {
  const partial = epochSize !== null && epochSize > 0 ? state.current.windows / epochSize : 0;
  const done = (state.epochsTrained + Math.min(1, partial)) / state.trainingEpochs;
  return Math.max(0, Math.min(100, Math.floor(done * 100)));
}

/** The hint of an anomalous container, as names. */
export function hintNames(state: BoscContainerState): readonly string[] {
  return state.phase === 'anomalous' ? state.hint.map((h) => h.syscall) : [];
}

/**
 * A container's detection state in a few words: `learning 35 %`, `watching · 0 anomalies`,
 * `ANOMALOUS · 3 epochs · hint: nanosleep, futex` (at most `maxHint` syscalls named); `not followed` when
 * the detector was full.
 */
export function detectionText(
  c: MonitoredContainerState,
  epochSize: number | null,
  maxHint = Infinity,
): string {
  const b = c.bosc;
  if (b === null) return 'not followed (the detector follows its maximum of containers)';
  switch (b.phase) {
    case 'learning':
      return `learning ${learningPercent(b, epochSize)} %`;
    case 'watching':
      return 'watching · 0 anomalies';
    case 'anomalous': {
      const hint = hintNames(b).slice(0, maxHint);
      return `ANOMALOUS · ${b.anomalousEpochs} epoch${b.anomalousEpochs === 1 ? '' : 's'}${
        hint.length > 0 ? ` · hint: ${hint.join(', ')}` : ''
      }`;
    }
    default:
      return assertNever(b, 'phase');
  }
}

/** Severities that make `bulkhead anomaly` exit 3. */
export const FAILING_SEVERITIES: ReadonlySet<Severity> = new Set(['critical', 'high']);

/** What was raised that a CI run should fail on: anomalous containers, and critical or high alerts. */
export interface RaisedSummary {
  /** Keys of the containers in the anomalous phase. */
  readonly anomalous: readonly string[];
  /** Keys of the critical and high alert records. */
  readonly severeAlerts: readonly string[];
}

/** The anomalous containers and the critical/high alerts of a snapshot. */
export function raisedSummary(snapshot: AnomalySnapshot): RaisedSummary {
  return {
    anomalous: snapshot.containers.filter((c) => c.bosc?.phase === 'anomalous').map((c) => c.key),
    severeAlerts: snapshot.alerts.filter((a) => FAILING_SEVERITIES.has(a.severity)).map((a) => a.key),
  };
}
