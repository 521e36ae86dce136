import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { BoscSettings, MismatchThreshold } from '../../shared/domain/anomaly/bosc.js';
import type { AnomalySnapshot } from '../../shared/domain/anomaly/monitor.js';
import type { RaisedSummary, TimelineEntry } from '../../shared/domain/anomaly/timeline.js';
import { anomalyTimeline, detectionText, raisedSummary } from '../../shared/domain/anomaly/timeline.js';
import type { SourceState } from '../../shared/domain/syscalls/model.js';
import type {
  AnomalyImportSummary,
  AnomalyOutage,
  AnomalySettingsRequest,
  AnomalySourceRequest,
  PushOf,
  ResponseOf,
} from '../../shared/ipc/contract.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import type { ErrorData } from '../../shared/ipc/result.js';
import { createWaker, followUntilDone } from './follow.js';
import { assertNever } from '../../shared/util/assert-never.js';
import type { AppCore, PushEnvelope } from '../services/app-core.js';
import { sanitizeForTerminal } from './format.js';
import { parseDuration } from './syscalls.js';

/**
 * `bulkhead anomaly --source bpf|capture:FILE [--duration 60s] [--json] [--falco FILE]
 * [--epoch-size N] [--training-epochs N] [--threshold 5%|N]`.
 *
 * Subscribes through the app core like a window does (`anomaly:subscribe`), imports the Falco file into the
 * subscription's timeline (`anomaly:import-falco`) when one is given, and keeps the newest snapshot: a
 * capture is read to its end (`--duration` does not apply), the live eBPF sequence source runs for the
 * duration (default 60 s). Then it prints each container's detection state and the timeline of anomalous
 * epochs and alerts. Exit codes (README): 0, 1 the source (or the Falco file) failed, 2 usage, 3 an
 * anomaly or a critical/high alert was raised.
 */

/** Most a live run may last. */
export const MAX_ANOMALY_DURATION_MS = 3_600_000;
/** Default run of the live source. */
export const DEFAULT_ANOMALY_DURATION = '60s';
/** Time the service takes at most to push a queued snapshot (one per 250 ms), plus a margin. */
const SNAPSHOT_DRAIN_MS = 400;

/** A parsed command line, or the usage error. */
export type AnomalyArgs =
  | {
      readonly ok: true;
      readonly label: string;
      readonly source: AnomalySourceRequest;
      readonly settings: AnomalySettingsRequest;
      readonly json: boolean;
      readonly durationMs: number;
      /** The Falco JSON file to import, absolute; null when none. */
      readonly falco: string | null;
    }
  | { readonly ok: false; readonly message: string };

/**
 * Parse a threshold: `5%` (or `0.05`) is a fraction of the epoch's windows, a whole number a count of
 * mismatched windows. Null when it is neither.
 */
export function parseThreshold(text: string): MismatchThreshold | null {
  const t = text.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (percent !== null) {
    const value = Number(percent[1]) / 100;
    return value < 1 ? { kind: 'fraction', value } : null;
  }
  if (/^0?\.\d+$/.test(t)) return { kind: 'fraction', value: Number(t) };
  if (/^\d{1,8}$/.test(t)) return { kind: 'count', value: Number(t) };
  return null;
}

function positiveInt(text: string | undefined, name: string, min: number, max: number): number | string {
  if (text === undefined) return NaN;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < min || n > max) {
    return `${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`;
  }
  return n;
}

/** Parse the arguments of `bulkhead anomaly`. Paths are made absolute against `cwd`. */
export function parseAnomalyArgs(args: readonly string[], cwd: string): AnomalyArgs {
  const { values } = parseArgs({
    args: [...args],
    options: {
      source: { type: 'string' },
      json: { type: 'boolean' },
      duration: { type: 'string' },
      falco: { type: 'string' },
      'epoch-size': { type: 'string' },
      'training-epochs': { type: 'string' },
      threshold: { type: 'string' },
    },
    strict: true,
  });
  const raw = values.source;
  if (raw === undefined) return { ok: false, message: '--source is required (bpf or capture:FILE)' };
  let source: AnomalySourceRequest;
  if (raw === 'bpf') source = { kind: 'bpf' };
  else if (raw.startsWith('capture:') && raw.length > 'capture:'.length) {
    source = { kind: 'sysdig-capture', path: resolve(cwd, raw.slice('capture:'.length)) };
  } else if (raw === 'sysdig' || raw.startsWith('recording:')) {
    return {
      ok: false,
      message:
        raw === 'sysdig'
          ? 'anomaly detection reads live syscall sequences from eBPF (--source bpf) or a capture (capture:FILE); live sysdig is not offered'
          : 'a recording holds per-second counts, not the syscall order BoSC needs: use --source bpf or capture:FILE',
    };
  } else {
    return { ok: false, message: `--source must be bpf or capture:FILE (got ${JSON.stringify(raw)})` };
  }
  const durationMs = parseDuration(values.duration ?? DEFAULT_ANOMALY_DURATION);
  if (durationMs === null || durationMs < 1 || durationMs > MAX_ANOMALY_DURATION_MS) {
    return {
      ok: false,
      message: `--duration must be like 60s, 500ms or 2m, at most 1 hour (got ${JSON.stringify(values.duration)})`,
    };
  }
  const settings: { -readonly [K in keyof AnomalySettingsRequest]: AnomalySettingsRequest[K] } = {};
  const epochSize = positiveInt(values['epoch-size'], '--epoch-size', 10, 10_000_000);
  if (typeof epochSize === 'string') return { ok: false, message: epochSize };
  if (!Number.isNaN(epochSize)) settings.epochSize = epochSize;
  const training = positiveInt(values['training-epochs'], '--training-epochs', 1, 1_000_000);
  if (typeof training === 'string') return { ok: false, message: training };
  if (!Number.isNaN(training)) settings.trainingEpochs = training;
  if (values.threshold !== undefined) {
    const threshold = parseThreshold(values.threshold);
    if (threshold === null) {
      return {
        ok: false,
        message: `--threshold must be a percentage below 100 (5%), a fraction (0.05) or a whole number of mismatched windows (got ${JSON.stringify(values.threshold)})`,
      };
    }
    settings.threshold = threshold;
  }
  const falco = values.falco === undefined || values.falco === '' ? null : resolve(cwd, values.falco);
  return { ok: true, label: raw, source, settings, json: values.json === true, durationMs, falco };
}

/** What `bulkhead anomaly` prints (`--json`), and decides its exit code from. */
export interface AnomalyReport {
  readonly source: string;
  readonly state: SourceState | null;
  readonly settings: BoscSettings;
  /** Every container's BoSC state, by key, as the engine's snapshot has it. */
  readonly containers: AnomalySnapshot['containers'];
  /** Anomalous epochs and alerts, by time. */
  readonly timeline: readonly TimelineEntry[];
  readonly falco: AnomalyImportSummary | null;
  readonly untracked: number;
  readonly alertOverflow: number;
  readonly vocabularyOverflow: number;
  readonly outages: readonly AnomalyOutage[];
  readonly raised: RaisedSummary;
}

/** What a run ended with. */
export type AnomalyOutcome =
  { readonly ok: true; readonly report: AnomalyReport } | { readonly ok: false; readonly error: ErrorData };

const EMPTY_SNAPSHOT: AnomalySnapshot = {
  containers: [],
  alerts: [],
  untracked: 0,
  alertOverflow: 0,
  vocabularyOverflow: 0,
  at: null,
};

/**
 * Subscribe, import the Falco file, follow snapshots and states until a capture ends or the live duration
 * is up, and report the newest snapshot. A live tracer that dies after it streamed is restarted by the
 * service, so only a failure before streaming ends a live run early.
 */
export async function collectAnomalies(
  core: AppCore,
  args: Extract<AnomalyArgs, { ok: true }>,
  sleep: (ms: number) => { promise: Promise<void>; cancel(): void },
): Promise<AnomalyOutcome> {
  const live = args.source.kind === 'bpf';
  const seen: PushEnvelope[] = [];
  const waker = createWaker();
  const stop = core.pushes.subscribe((push) => {
    if (push.channel === Pushes.anomalySnapshot || push.channel === Pushes.anomalyState) {
      seen.push(push);
      waker.wake();
    }
  });
  try {
    const subscribed = await core.dispatch(Channels.anomalySubscribe, {
      source: args.source,
      settings: args.settings,
    });
    if (!subscribed.ok) return { ok: false, error: subscribed.error };
    const { subId, settings } = subscribed.value as ResponseOf<'anomaly:subscribe'>;
    let snapshot: AnomalySnapshot | null = null;
    let outages: readonly AnomalyOutage[] = [];
    let state: SourceState | null = null;
    let streamed = false;
    const drain = (): void => {
      for (const push of seen.splice(0)) {
        if (push.channel === Pushes.anomalySnapshot) {
          const p = push.payload as PushOf<'anomaly:snapshot'>;
          if (p.subId !== subId) continue;
          snapshot = p.snapshot;
          outages = p.outages;
        } else {
          const p = push.payload as PushOf<'anomaly:state'>;
          if (p.subId !== subId) continue;
          state = p.state;
          if (p.state.phase === 'streaming') streamed = true;
        }
      }
    };
    const unsubscribe = async (): Promise<void> => {
      await core.dispatch(Channels.anomalyUnsubscribe, { subId });
    };

    let falco: AnomalyImportSummary | null = null;
    if (args.falco !== null) {
      const imported = await core.dispatch(Channels.anomalyImportFalco, { subId, path: args.falco });
      if (!imported.ok) {
        await unsubscribe();
        return { ok: false, error: imported.error };
      }
      falco = imported.value as AnomalyImportSummary;
    }
    const importedAt = Date.now();

    await followUntilDone({
      live,
      durationMs: args.durationMs,
      sleep,
      waker,
      drain,
      state: () => state,
      streamed: () => streamed,
    });
    // The snapshot queued after the import goes out within one snapshot interval: wait for it.
    if (falco !== null) {
      const left = importedAt + SNAPSHOT_DRAIN_MS - Date.now();
      if (left > 0) await sleep(left).promise;
      drain();
    }
    await unsubscribe();
    const last = state as SourceState | null;
    if (last?.phase === 'failed' && (!live || !streamed)) return { ok: false, error: last.error };
    const snap: AnomalySnapshot = snapshot ?? EMPTY_SNAPSHOT;
    return {
      ok: true,
      report: {
        source: args.label,
        state: last,
        settings,
        containers: snap.containers,
        timeline: anomalyTimeline(snap),
        falco,
        untracked: snap.untracked,
        alertOverflow: snap.alertOverflow,
        vocabularyOverflow: snap.vocabularyOverflow,
        outages,
        raised: raisedSummary(snap),
      },
    };
  } finally {
    stop();
  }
}

/** Whether the report should fail a CI run (exit 3): an anomalous container or a critical/high alert. */
export function anomalyRaised(report: AnomalyReport): boolean {
  return report.raised.anomalous.length > 0 || report.raised.severeAlerts.length > 0;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function thresholdText(t: MismatchThreshold, epochSize: number): string {
  switch (t.kind) {
    case 'fraction':
      return `more than ${+(t.value * 100).toFixed(4)} % of an epoch (${Math.floor(t.value * epochSize)} windows)`;
    case 'count':
      return `more than ${t.value} mismatched windows`;
    default:
      return assertNever(t, 'threshold');
  }
}

function timelineLine(e: TimelineEntry): string {
  switch (e.kind) {
    case 'anomaly': {
      const who = e.container.name ?? e.container.id;
      const hint = e.hint.length > 0 ? ` · hint: ${e.hint.map(sanitizeForTerminal).join(', ')}` : '';
      const span = e.from === e.to ? time(e.from) : `${time(e.from)} – ${time(e.to)}`;
      return `${span}  ANOMALY   ${sanitizeForTerminal(who)}  epoch ${e.epoch}: ${e.mismatches} of ${e.windows} windows unseen in training${hint}`;
    }
    case 'alert': {
      const a = e.alert;
      const who =
        a.container === null
          ? 'host / no container'
          : a.container.name === null
            ? a.container.id
            : `${a.container.name} (${a.container.id})`;
      const span =
        a.firstSeen === a.lastSeen ? time(a.firstSeen) : `${time(a.firstSeen)} – ${time(a.lastSeen)}`;
      return `${span}  ${a.severity.toUpperCase().padEnd(8)}  ${sanitizeForTerminal(who)}  ${sanitizeForTerminal(a.title)} [${a.source === 'falco' ? 'Falco' : 'built-in'}: ${sanitizeForTerminal(a.ruleId)}] ×${a.count}`;
    }
    default:
      return assertNever(e, 'timeline entry');
  }
}

/** The text `bulkhead anomaly` prints. */
export function formatAnomalyReport(report: AnomalyReport): string {
  const s = report.settings;
  const lines: string[] = [
    `Source: ${sanitizeForTerminal(report.source)} — ${report.containers.length} container(s)`,
    `BoSC: window ${s.windowSize}, epoch ${s.epochSize} windows, ${s.trainingEpochs} training epochs, anomalous above ${thresholdText(s.threshold, s.epochSize)}`,
  ];
  if (report.falco !== null) {
    const f = report.falco;
    lines.push(
      `Falco: ${f.alerts} alert(s) imported from ${sanitizeForTerminal(f.path)}${f.dropped > 0 ? `, ${f.dropped} dropped (alert table full)` : ''}${f.malformed > 0 ? `, ${f.malformed} line(s) skipped` : ''}`,
    );
    for (const e of f.errors.slice(0, 5)) lines.push(`  line ${e.line}: ${sanitizeForTerminal(e.message)}`);
  }
  const outageSeconds = report.outages.reduce((n, o) => n + ((o.to ?? o.from) - o.from + 1), 0);
  if (outageSeconds > 0) {
    lines.push(`The tracer was down and restarted for ${outageSeconds} s; windows restart across the gap.`);
  }
  if (report.untracked > 0)
    lines.push(`${report.untracked} syscalls not followed (beyond the container bound).`);
  lines.push('', 'Containers:');
  if (report.containers.length === 0) lines.push('  none seen');
  const keys = report.containers.map((c) => sanitizeForTerminal(c.name ?? c.key));
  const width = Math.max(12, ...keys.map((k) => k.length));
  report.containers.forEach((c, i) => {
    const b = c.bosc;
    const figures =
      b === null
        ? ''
        : `  ${b.syscalls} syscalls, ${b.epochs} epochs, ${b.database.bags} bags, ${b.mismatches} mismatches`;
    lines.push(
      `  ${keys[i]!.padEnd(width)}  ${sanitizeForTerminal(detectionText(c, s.epochSize))}${figures}`,
    );
  });
  lines.push('', 'Timeline:');
  if (report.timeline.length === 0) lines.push('  nothing raised');
  for (const e of report.timeline) lines.push(`  ${timelineLine(e)}`);
  return lines.join('\n');
}

/** The report as the user asked for it: JSON or text. */
export function renderAnomalies(report: AnomalyReport, json: boolean): string {
  return json ? JSON.stringify(report, null, 2) : formatAnomalyReport(report);
}
