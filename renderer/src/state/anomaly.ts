import type { BoscSettings, MismatchThreshold } from '../../../shared/domain/anomaly/bosc.js';
import { DEFAULT_BOSC_SETTINGS } from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalySnapshot, MonitoredContainerState } from '../../../shared/domain/anomaly/monitor.js';
import type { TimelineEntry } from '../../../shared/domain/anomaly/timeline.js';
import { anomalyTimeline, detectionText } from '../../../shared/domain/anomaly/timeline.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type {
  AnomalyImportSummary,
  AnomalyOutage,
  AnomalySettingsRequest,
  AnomalySourceRequest,
} from '../../../shared/ipc/contract.js';
import type { ErrorData, Result } from '../../../shared/ipc/result.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import type { Indicator } from './status.js';

/**
 * Anomaly detection as the renderer knows it (BoSC per container and the alert timeline), and the pure
 * functions that move it.
 *
 * Like the syscall state (./syscalls.ts): pushes arrive per subscription, those of any other subscription
 * are ignored, and pushes that arrive before `anomaly:subscribe` answered are held until it does. The
 * timeline is derived once per snapshot, not per render.
 */

/** A subscription in flight or running. */
export interface AnomalySubscription {
  readonly request: AnomalySourceRequest;
  readonly settings: AnomalySettingsRequest;
  /** Null until `anomaly:subscribe` answers. */
  readonly subId: string | null;
  readonly seq: number;
}

/** One Falco import the user asked for. */
export interface AnomalyImport {
  readonly seq: number;
  readonly path: string;
  readonly status: 'running' | 'done' | 'failed';
  readonly summary: AnomalyImportSummary | null;
  readonly error: ErrorData | null;
}

/** Everything the anomaly UI is drawn from. */
export interface AnomalyState {
  readonly subscription: AnomalySubscription | null;
  /** Why the newest subscribe failed; shown next to the start button. */
  readonly subscribeError: ErrorData | null;
  readonly sourceState: SourceState | null;
  /** The settings in effect, as the engine answered them. */
  readonly settings: BoscSettings | null;
  readonly snapshot: AnomalySnapshot | null;
  readonly outages: readonly AnomalyOutage[];
  /** Anomalous epochs and alerts of `snapshot`, by time. */
  readonly timeline: readonly TimelineEntry[];
  /** Pushes for a subscription whose subscribe has not answered yet. */
  readonly early: Readonly<
    Record<
      string,
      {
        readonly state: SourceState | null;
        readonly snapshot: AnomalySnapshot | null;
        readonly outages: readonly AnomalyOutage[];
      }
    >
  >;
  readonly requested: number;
  /** The newest imports (at most MAX_IMPORTS), oldest first. */
  readonly imports: readonly AnomalyImport[];
  readonly importsRequested: number;
}

/** Imports listed. */
export const MAX_IMPORTS = 5;

export const initialAnomalyState: AnomalyState = {
  subscription: null,
  subscribeError: null,
  sourceState: null,
  settings: null,
  snapshot: null,
  outages: [],
  timeline: [],
  early: {},
  requested: 0,
  imports: [],
  importsRequested: 0,
};

/** Record that a subscribe went out; what was shown before is cleared. */
export function beginAnomalySubscribe(
  state: AnomalyState,
  request: AnomalySourceRequest,
  settings: AnomalySettingsRequest,
): { readonly state: AnomalyState; readonly seq: number } {
  const seq = state.requested + 1;
  return {
    seq,
    state: {
      ...state,
      requested: seq,
      subscription: { request, settings, subId: null, seq },
      subscribeError: null,
      sourceState: null,
      settings: null,
      snapshot: null,
      outages: [],
      timeline: [],
      early: {},
      imports: [],
    },
  };
}

/** Apply the answer to subscribe request `seq` (answers to overtaken requests are ignored). */
export function applyAnomalySubscribeResult(
  state: AnomalyState,
  seq: number,
  result: Result<{
    readonly subId: string;
    readonly state: SourceState;
    readonly settings: BoscSettings;
  }>,
): AnomalyState {
  if (state.subscription?.seq !== seq) return state;
  if (!result.ok) return { ...state, subscription: null, subscribeError: result.error, early: {} };
  const { subId } = result.value;
  const held = state.early[subId];
  let next: AnomalyState = {
    ...state,
    subscription: { ...state.subscription, subId },
    sourceState: held?.state ?? result.value.state,
    settings: result.value.settings,
    early: {},
  };
  if (held?.snapshot != null) next = applyAnomalySnapshot(next, subId, held.snapshot, held.outages);
  return next;
}

function routeOf(state: AnomalyState, subId: string): 'current' | 'hold' | 'stale' {
  const sub = state.subscription;
  if (sub === null) return 'stale';
  if (sub.subId === subId) return 'current';
  return sub.subId === null ? 'hold' : 'stale';
}

/** Apply an `anomaly:snapshot` push. */
export function applyAnomalySnapshot(
  state: AnomalyState,
  subId: string,
  snapshot: AnomalySnapshot,
  outages: readonly AnomalyOutage[],
): AnomalyState {
  const route = routeOf(state, subId);
  if (route === 'stale') return state;
  if (route === 'hold') {
    const held = state.early[subId];
    return {
      ...state,
      early: { ...state.early, [subId]: { state: held?.state ?? null, snapshot, outages } },
    };
  }
  return { ...state, snapshot, outages, timeline: anomalyTimeline(snapshot) };
}

/** Apply an `anomaly:state` push. */
export function applyAnomalyStatePush(state: AnomalyState, subId: string, next: SourceState): AnomalyState {
  const route = routeOf(state, subId);
  if (route === 'stale') return state;
  if (route === 'hold') {
    const held = state.early[subId];
    return {
      ...state,
      early: {
        ...state.early,
        [subId]: { state: next, snapshot: held?.snapshot ?? null, outages: held?.outages ?? [] },
      },
    };
  }
  return { ...state, sourceState: next };
}

/** Stop: no subscription, nothing shown (the controller unsubscribes). */
export function clearAnomalySubscription(state: AnomalyState): AnomalyState {
  return {
    ...initialAnomalyState,
    requested: state.requested,
    importsRequested: state.importsRequested,
  };
}

/** Record that an import of `path` went out. */
export function beginImport(
  state: AnomalyState,
  path: string,
): { readonly state: AnomalyState; readonly seq: number } {
  const seq = state.importsRequested + 1;
  const entry: AnomalyImport = { seq, path, status: 'running', summary: null, error: null };
  return {
    seq,
    state: {
      ...state,
      importsRequested: seq,
      imports: [...state.imports, entry].slice(-MAX_IMPORTS),
    },
  };
}

/** Apply the answer to import `seq`. */
export function applyImportResult(
  state: AnomalyState,
  seq: number,
  result: Result<AnomalyImportSummary>,
): AnomalyState {
  if (!state.imports.some((i) => i.seq === seq)) return state;
  return {
    ...state,
    imports: state.imports.map((i) =>
      i.seq !== seq
        ? i
        : result.ok
          ? { ...i, status: 'done', summary: result.value }
          : { ...i, status: 'failed', error: result.error },
    ),
  };
}

/**
 * The container a card shows: the snapshot's container whose key is a prefix of the card's full id
 * (sysdig names containers by 12 hex digits, eBPF by the full id) — as alertsForCard matches alerts.
 */
export function containerForCard(
  snapshot: AnomalySnapshot | null,
  cardId: string,
): MonitoredContainerState | null {
  if (snapshot === null) return null;
  return snapshot.containers.find((c) => c.key.length >= 12 && cardId.startsWith(c.key)) ?? null;
}

/** Syscalls a card's hint names (the table names them all). */
export const CARD_HINT = 3;

/** How a container's detection state is shown: words first, an icon with them, a tone that repeats them. */
export interface DetectionIndicator extends Indicator {
  readonly phase: 'learning' | 'watching' | 'anomalous' | 'untracked';
}

/** The indicator of a container's detection state. */
export function detectionIndicator(
  c: MonitoredContainerState,
  settings: BoscSettings | null,
  maxHint = Infinity,
): DetectionIndicator {
  const label = detectionText(c, settings?.epochSize ?? null, maxHint);
  const b = c.bosc;
  if (b === null) return { phase: 'untracked', label, icon: 'circle', tone: 'neutral' };
  switch (b.phase) {
    case 'learning':
      return { phase: 'learning', label, icon: 'spinner', tone: 'pending' };
    case 'watching':
      return { phase: 'watching', label, icon: 'check', tone: 'ok' };
    case 'anomalous':
      return { phase: 'anomalous', label, icon: 'alert', tone: 'bad' };
    default:
      return assertNever(b, 'phase');
  }
}

/** What a card says about anomaly detection when its container has no state. */
export function cardNoStateText(
  state: Pick<AnomalyState, 'subscription' | 'sourceState'>,
  running: boolean,
): string | null {
  const sub = state.subscription;
  if (sub === null) return null;
  if (state.sourceState?.phase === 'failed')
    return `Anomaly detection failed: ${state.sourceState.error.message}`;
  if (sub.request.kind === 'sysdig-capture') return 'Anomaly detection: not in this capture.';
  return running
    ? 'Anomaly detection: no syscalls from this container yet.'
    : 'Anomaly detection: not running, no syscalls.';
}

/** The settings form as typed: text fields, checked on start. */
export interface AnomalySettingsForm {
  readonly epochSize: string;
  readonly trainingEpochs: string;
  /** Percent of an epoch's windows. */
  readonly thresholdPercent: string;
}

function thresholdPercentOf(t: MismatchThreshold): string {
  return t.kind === 'fraction' ? String(+(t.value * 100).toFixed(4)) : '5';
}

/** The defaults, as the form shows them (DEFAULT_BOSC_SETTINGS). */
export const DEFAULT_SETTINGS_FORM: AnomalySettingsForm = {
  epochSize: String(DEFAULT_BOSC_SETTINGS.epochSize),
  trainingEpochs: String(DEFAULT_BOSC_SETTINGS.trainingEpochs),
  thresholdPercent: thresholdPercentOf(DEFAULT_BOSC_SETTINGS.threshold),
};

/** The form as it was submitted for `settings` (so a remounted panel shows what runs). */
export function settingsFormOf(settings: AnomalySettingsRequest): AnomalySettingsForm {
  return {
    epochSize: String(settings.epochSize ?? DEFAULT_SETTINGS_FORM.epochSize),
    trainingEpochs: String(settings.trainingEpochs ?? DEFAULT_SETTINGS_FORM.trainingEpochs),
    thresholdPercent:
      settings.threshold !== undefined
        ? thresholdPercentOf(settings.threshold)
        : DEFAULT_SETTINGS_FORM.thresholdPercent,
  };
}

/** A checked form, or which field is wrong and why. */
export type SettingsParse =
  | { readonly ok: true; readonly settings: AnomalySettingsRequest }
  | { readonly ok: false; readonly field: keyof AnomalySettingsForm; readonly message: string };

function wholeNumber(text: string, min: number, max: number): number | null {
  const t = text.trim().replace(/[ _,]/g, '');
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/** Check the form against the bounds the engine enforces (shared/ipc/schemas.ts). */
export function parseSettingsForm(form: AnomalySettingsForm): SettingsParse {
  const epochSize = wholeNumber(form.epochSize, 10, 10_000_000);
  if (epochSize === null)
    return {
      ok: false,
      field: 'epochSize',
      message: 'Epoch size must be a whole number of windows from 10 to 10,000,000.',
    };
  const trainingEpochs = wholeNumber(form.trainingEpochs, 1, 1_000_000);
  if (trainingEpochs === null)
    return {
      ok: false,
      field: 'trainingEpochs',
      message: 'Training epochs must be a whole number from 1 to 1,000,000.',
    };
  const t = form.thresholdPercent.trim().replace(/%$/, '').trim();
  const percent = /^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!(percent >= 0 && percent < 100))
    return {
      ok: false,
      field: 'thresholdPercent',
      message: 'The threshold must be a percentage of an epoch from 0 to below 100.',
    };
  return {
    ok: true,
    settings: { epochSize, trainingEpochs, threshold: { kind: 'fraction', value: percent / 100 } },
  };
}

/** The request for the source chosen in the panel; null (with why) when the capture path is empty. */
export function anomalyRequest(
  kind: AnomalySourceRequest['kind'],
  path: string,
):
  | { readonly ok: true; readonly request: AnomalySourceRequest }
  | { readonly ok: false; readonly message: string } {
  switch (kind) {
    case 'bpf':
      return { ok: true, request: { kind: 'bpf' } };
    case 'sysdig-capture': {
      const trimmed = path.trim();
      if (trimmed === '') return { ok: false, message: 'Enter the path of a sysdig capture (.scap).' };
      return { ok: true, request: { kind: 'sysdig-capture', path: trimmed } };
    }
    default:
      return assertNever(kind, 'anomaly source');
  }
}

/** The running source in words. */
export function anomalySourceText(request: AnomalySourceRequest): string {
  switch (request.kind) {
    case 'bpf':
      return 'eBPF sequence, live';
    case 'sysdig-capture':
      return `capture ${request.path}`;
    default:
      return assertNever(request, 'anomaly source');
  }
}

/** A threshold in words. */
export function thresholdText(t: MismatchThreshold, epochSize: number): string {
  switch (t.kind) {
    case 'fraction':
      return `more than ${+(t.value * 100).toFixed(4)} % of an epoch (${Math.floor(t.value * epochSize).toLocaleString('en-US')} windows)`;
    case 'count':
      return `more than ${t.value.toLocaleString('en-US')} mismatched windows`;
    default:
      return assertNever(t, 'threshold');
  }
}

/** A count of each phase, for the panel's summary line. */
export function phaseCounts(
  snapshot: AnomalySnapshot | null,
): Readonly<Record<DetectionIndicator['phase'], number>> {
  const out = { learning: 0, watching: 0, anomalous: 0, untracked: 0 };
  for (const c of snapshot?.containers ?? []) out[c.bosc === null ? 'untracked' : c.bosc.phase]++;
  return out;
}

/** Epoch ms as UTC `HH:MM:SS` (timelines of captures are in the capture's time). */
export function timeOfDay(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** An alert's first and last sighting: `at D T`, or `first D T, last D T` when they differ by a second. */
export function seenText(first: number, last: number): string {
  return spanText(first, first) === spanText(last, last)
    ? `at ${spanText(first, first)}`
    : `first ${spanText(first, first)}, last ${spanText(last, last)}`;
}

/** A span of epoch ms as `HH:MM:SS` or `HH:MM:SS–HH:MM:SS`, with the UTC date once. */
export function spanText(from: number, to: number): string {
  const day = new Date(from).toISOString().slice(0, 10);
  return from === to || timeOfDay(from) === timeOfDay(to)
    ? `${day} ${timeOfDay(from)}`
    : `${day} ${timeOfDay(from)}–${timeOfDay(to)}`;
}
