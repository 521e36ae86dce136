import type { ContainerSummary } from '../../../shared/domain/container.js';
import type {
  EpochSeconds,
  Gap,
  ReplaySpeed,
  SourceState,
  Subject,
  SubjectFrame,
  SyscallAlertHit,
  SyscallCount,
  SyscallFrame,
} from '../../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../../shared/domain/syscalls/model.js';
import type { SyscallSourceInfo, SyscallSourceRequest } from '../../../shared/ipc/contract.js';
import type { ErrorData, Result } from '../../../shared/ipc/result.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import { revealInvisible } from './format.js';

/**
 * The live-syscall view as the renderer knows it, and the pure functions that move it.
 *
 * Frames arrive per subscription (`subId`); frames and states of any other subscription (an old source
 * still draining after a switch) are ignored. Subjects keep their object identity while their data does not
 * change, so memoised recharts charts of a quiet container do not re-render at 4 Hz.
 */

/** One subject as the charts draw it; the same object while the subject's data is unchanged. */
export interface SubjectView {
  /** `subjectToken`: the sysdig container id (or full id for eBPF), `host` or `<NA>`. */
  readonly key: string;
  readonly subject: Subject;
  readonly frame: SubjectFrame;
  /** The top syscalls as chart rows (same array while unchanged). */
  readonly bars: readonly SyscallCount[];
  /** The first {@link CARD_TOP} of them, for the card row. */
  readonly cardBars: readonly SyscallCount[];
  /** The per-second series as chart points, x = the second (same array while unchanged). */
  readonly rate: readonly RatePoint[];
}

/** One point of a rate sparkline. */
export interface RatePoint {
  readonly second: number;
  readonly events: number;
}

/** Per-syscall counts of one subject for one second, derived from successive frames. */
export interface SeriesPoint {
  readonly second: number;
  readonly counts: Readonly<Record<string, number>>;
}

/** Bars shown in a card (the Syscalls view has the full histogram). */
export const CARD_TOP = 5;

/** The most seconds of per-syscall history kept per subject. */
export const MAX_SERIES_POINTS = 600;

/** A subscription in flight or running. */
export interface Subscription {
  readonly request: SyscallSourceRequest;
  /** Null until `syscalls:subscribe` answers. */
  readonly subId: string | null;
  /** Number of the subscribe request (answers to older requests are ignored). */
  readonly seq: number;
}

/** Everything the syscall UI is drawn from. */
export interface SyscallsState {
  /** What `syscalls:sources` answered; null before it did. */
  readonly sources: readonly SyscallSourceInfo[] | null;
  readonly sourcesError: ErrorData | null;
  /** The source the user (or the default) chose; null when nothing runs. */
  readonly subscription: Subscription | null;
  /** Why the newest subscribe failed (bad path, unknown source); shown inline next to the picker. */
  readonly subscribeError: ErrorData | null;
  /** The request that `subscribeError` answered (the inline message goes next to where it was made). */
  readonly failedRequest: SyscallSourceRequest | null;
  readonly sourceState: SourceState | null;
  /** The newest frame received for the current subscription. */
  readonly latest: SyscallFrame | null;
  /** The frame on screen: `latest`, or the one frozen by pause. */
  readonly shown: SyscallFrame | null;
  /** Gaps of `shown`; the same array while they do not change. */
  readonly gaps: readonly Gap[];
  /** Subjects of `shown`, in frame order, identity-stable. */
  readonly subjects: readonly SubjectView[];
  /** Per-subject per-syscall history (keyed by SubjectView.key), from successive frames. */
  readonly series: Readonly<Record<string, readonly SeriesPoint[]>>;
  /** Live sources: the display is frozen (frames still arrive). Replays: playback was asked to stop. */
  readonly paused: boolean;
  /** Pushes for a subscription whose subscribe has not answered yet, held until it does. */
  readonly early: Readonly<
    Record<string, { readonly state: SourceState | null; readonly frame: SyscallFrame | null }>
  >;
  /** Number of the newest subscribe request sent. */
  readonly requested: number;
}

export const initialSyscallsState: SyscallsState = {
  sources: null,
  sourcesError: null,
  subscription: null,
  subscribeError: null,
  failedRequest: null,
  sourceState: null,
  latest: null,
  shown: null,
  gaps: [],
  subjects: [],
  series: {},
  paused: false,
  early: {},
  requested: 0,
};

/** Apply the answer to `syscalls:sources`. */
export function applySourcesResult(
  state: SyscallsState,
  result: Result<readonly SyscallSourceInfo[]>,
): SyscallsState {
  if (result.ok) return { ...state, sources: result.value, sourcesError: null };
  return { ...state, sourcesError: result.error };
}

/** Live kinds in the order the default prefers them. */
const LIVE_PREFERENCE: readonly SyscallSourceRequest['kind'][] = ['bpf', 'sysdig-live'];

/** The recorded lab session, replayed in a loop at the recorded pace. */
export const LAB_SESSION_REQUEST: SyscallSourceRequest = { kind: 'lab-session', speed: 1 };

/**
 * The source started without asking. With demo data on the cards (no engine), the recorded lab session
 * when it ships — its containers are among the demo's, so the cards show its syscalls and alerts. Else the
 * first available live one (eBPF first), or null.
 */
export function defaultSource(
  sources: readonly SyscallSourceInfo[],
  demoShown = false,
): SyscallSourceRequest | null {
  if (demoShown && sources.find((s) => s.kind === 'lab-session')?.available === true)
    return LAB_SESSION_REQUEST;
  for (const kind of LIVE_PREFERENCE) {
    const info = sources.find((s) => s.kind === kind);
    if (info?.available === true) return kind === 'bpf' ? { kind: 'bpf' } : { kind: 'sysdig-live' };
  }
  return null;
}

/** Whether a source is live (a tracer on this machine) rather than a replay of something recorded. */
export function isLive(request: SyscallSourceRequest | null | undefined): boolean {
  return request?.kind === 'bpf' || request?.kind === 'sysdig-live';
}

/**
 * The label a replayed source carries on every card and in the Syscalls view: RECORDING for Bulkhead
 * recordings (the recorded lab session among them), CAPTURE for a sysdig capture; null for live sources.
 */
export function replayTag(request: SyscallSourceRequest | null | undefined): 'RECORDING' | 'CAPTURE' | null {
  switch (request?.kind) {
    case 'recording':
    case 'lab-session':
      return 'RECORDING';
    case 'sysdig-capture':
      return 'CAPTURE';
    case 'bpf':
    case 'sysdig-live':
    case undefined:
      return null;
    default:
      return assertNever(request, 'source request');
  }
}

/**
 * Why nothing runs, in one sentence per source plus what to do: shown when no live source is available.
 */
export function unavailableText(sources: readonly SyscallSourceInfo[]): string {
  const reasons = sources
    .filter((s) => !s.available && (s.kind === 'bpf' || s.kind === 'sysdig-live'))
    .map((s) => `${s.label}: ${s.reason ?? 'not available here'}`);
  const lead = reasons.length > 0 ? `${reasons.join(' ')} ` : 'No live syscall source is available here. ';
  return `${lead}Open a capture to replay it.`;
}

/** Record that a subscribe went out for `request`; the display starts over. */
export function beginSubscribe(
  state: SyscallsState,
  request: SyscallSourceRequest,
): { readonly state: SyscallsState; readonly seq: number } {
  const seq = state.requested + 1;
  return {
    seq,
    state: {
      ...state,
      requested: seq,
      subscription: { request, subId: null, seq },
      subscribeError: null,
      failedRequest: null,
      sourceState: null,
      latest: null,
      shown: null,
      gaps: [],
      subjects: [],
      series: {},
      paused: false,
      early: {},
    },
  };
}

/**
 * Apply the answer to subscribe request `seq`: adopt the subId (and any pushes that came before it), or
 * keep the error for the inline message. Answers to requests overtaken by a newer one are ignored (the
 * controller unsubscribes them).
 */
export function applySubscribeResult(
  state: SyscallsState,
  seq: number,
  result: Result<{ readonly subId: string; readonly state: SourceState }>,
): SyscallsState {
  if (state.subscription?.seq !== seq) return state;
  if (!result.ok)
    return {
      ...state,
      subscription: null,
      subscribeError: result.error,
      failedRequest: state.subscription.request,
      early: {},
    };
  const { subId } = result.value;
  const held = state.early[subId];
  let next: SyscallsState = {
    ...state,
    subscription: { ...state.subscription, subId },
    sourceState: held?.state ?? result.value.state,
    early: {},
  };
  if (held?.frame != null) next = applyFrame(next, subId, held.frame);
  return next;
}

/** Whether pushes for `subId` belong to the current subscription, or should wait for its answer. */
function routeOf(state: SyscallsState, subId: string): 'current' | 'hold' | 'stale' {
  const sub = state.subscription;
  if (sub === null) return 'stale';
  if (sub.subId === subId) return 'current';
  return sub.subId === null ? 'hold' : 'stale';
}

/** Apply a `syscalls:state` push. */
export function applyStatePush(state: SyscallsState, subId: string, next: SourceState): SyscallsState {
  const route = routeOf(state, subId);
  if (route === 'stale') return state;
  if (route === 'hold') {
    const held = state.early[subId];
    return { ...state, early: { ...state.early, [subId]: { state: next, frame: held?.frame ?? null } } };
  }
  return { ...state, sourceState: next };
}

function sameCounts(a: readonly SyscallCount[], b: readonly SyscallCount[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return y !== undefined && x.syscall === y.syscall && x.window === y.window && x.total === y.total;
  });
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether two frames of one subject carry the same data. */
export function sameSubjectFrame(a: SubjectFrame, b: SubjectFrame): boolean {
  return (
    a.window === b.window &&
    a.total === b.total &&
    a.rest.syscalls === b.rest.syscalls &&
    a.rest.window === b.rest.window &&
    a.rest.total === b.rest.total &&
    sameCounts(a.top, b.top) &&
    sameNumbers(a.perSecond, b.perSecond)
  );
}

/** Turn a subject's frame into chart data; `now` is the frame's last second. */
export function toSubjectView(subject: SubjectFrame, now: number): SubjectView {
  const n = subject.perSecond.length;
  return {
    key: subjectToken(subject.subject),
    subject: subject.subject,
    frame: subject,
    bars: subject.top,
    cardBars: subject.top.slice(0, CARD_TOP),
    rate: subject.perSecond.map((events, i) => ({ second: now - n + 1 + i, events })),
  };
}

/**
 * The subjects of `frame`, reusing each previous SubjectView whose data did not change (the time axis of
 * an unchanged all-zero series is allowed to lag: nothing would be drawn differently but the labels).
 */
export function reconcileSubjects(
  previous: readonly SubjectView[],
  frame: SyscallFrame,
): readonly SubjectView[] {
  const byKey = new Map(previous.map((v) => [v.key, v]));
  let changed = previous.length !== frame.subjects.length;
  const next = frame.subjects.map((s, i) => {
    const old = byKey.get(subjectToken(s.subject));
    const lastSecond = old?.rate[old.rate.length - 1]?.second;
    const moved = lastSecond !== undefined && lastSecond !== frame.now && s.total > 0;
    if (old !== undefined && !moved && sameSubjectFrame(old.frame, s)) {
      if (previous[i] !== old) changed = true;
      return old;
    }
    changed = true;
    return toSubjectView(s, frame.now);
  });
  return changed ? next : previous;
}

/**
 * Extend each subject's per-syscall history with what changed between two frames: the difference of each
 * listed syscall's total, the rest as `other` (so a second's stack adds up to the subject's events). A
 * frame whose totals went down (a replay sought backwards) starts the history over.
 */
export function extendSeries(
  series: SyscallsState['series'],
  previous: SyscallFrame | null,
  frame: SyscallFrame,
): SyscallsState['series'] {
  if (previous === null) return {};
  if (frame.totalEvents < previous.totalEvents || frame.now < previous.now) return {};
  const before = new Map(previous.subjects.map((s) => [subjectToken(s.subject), s]));
  let out: Record<string, readonly SeriesPoint[]> | null = null;
  for (const s of frame.subjects) {
    const key = subjectToken(s.subject);
    const old = before.get(key);
    const delta = s.total - (old?.total ?? 0);
    if (delta <= 0) continue;
    const oldTotals = new Map((old?.top ?? []).map((c) => [c.syscall, c.total]));
    const counts: Record<string, number> = {};
    let listed = 0;
    for (const c of s.top) {
      const d = c.total - (oldTotals.get(c.syscall) ?? 0);
      if (d > 0 && oldTotals.has(c.syscall)) {
        counts[c.syscall] = d;
        listed += d;
      } else if (d > 0 && old === undefined) {
        counts[c.syscall] = d;
        listed += d;
      }
    }
    if (delta - listed > 0) counts.other = delta - listed;
    out ??= { ...series };
    const points = out[key] ?? [];
    const last = points[points.length - 1];
    let merged: SeriesPoint[];
    if (last !== undefined && last.second === frame.now) {
      const sum: Record<string, number> = { ...last.counts };
      for (const [name, n] of Object.entries(counts)) sum[name] = (sum[name] ?? 0) + n;
      merged = [...points.slice(0, -1), { second: frame.now, counts: sum }];
    } else {
      merged = [...points, { second: frame.now, counts }];
    }
    out[key] = merged.length > MAX_SERIES_POINTS ? merged.slice(-MAX_SERIES_POINTS) : merged;
  }
  return out ?? series;
}

/** Apply a `syscalls:frame` push; paused live sources keep the frame but not the display. */
export function applyFrame(state: SyscallsState, subId: string, frame: SyscallFrame): SyscallsState {
  const route = routeOf(state, subId);
  if (route === 'stale') return state;
  if (route === 'hold') {
    const held = state.early[subId];
    return { ...state, early: { ...state.early, [subId]: { state: held?.state ?? null, frame } } };
  }
  if (state.latest !== null && frame.seq <= state.latest.seq) return state;
  const series = extendSeries(state.series, state.latest, frame);
  if (state.paused && frame.replay === undefined) return { ...state, latest: frame, series };
  return {
    ...state,
    latest: frame,
    shown: frame,
    series,
    gaps: reconcileGaps(state.gaps, frame.gaps),
    subjects: reconcileSubjects(state.subjects, frame),
  };
}

/** `next`, or `previous` when they hold the same gaps (keeps the charts' props identical). */
export function reconcileGaps(previous: readonly Gap[], next: readonly Gap[]): readonly Gap[] {
  const same =
    previous.length === next.length &&
    previous.every((g, i) => {
      const h = next[i];
      return h !== undefined && g.from === h.from && g.to === h.to && g.reason === h.reason;
    });
  return same ? previous : next;
}

/** Pause or resume the display; resuming shows the newest frame at once. */
export function setPaused(state: SyscallsState, paused: boolean): SyscallsState {
  if (paused) return { ...state, paused: true };
  const frame = state.latest;
  if (frame === null) return { ...state, paused: false };
  return {
    ...state,
    paused: false,
    shown: frame,
    gaps: reconcileGaps(state.gaps, frame.gaps),
    subjects: reconcileSubjects(state.subjects, frame),
  };
}

/** Stop: the current subscription ends (the controller unsubscribes it). */
export function clearSubscription(state: SyscallsState): SyscallsState {
  // Everything but the source list and the request counter goes back to where it starts.
  return {
    ...initialSyscallsState,
    sources: state.sources,
    sourcesError: state.sourcesError,
    requested: state.requested,
  };
}

/** Whether the current source is a replay (capture, recording, the recorded lab session). */
export function isReplay(request: SyscallSourceRequest | null | undefined): boolean {
  return (
    request?.kind === 'sysdig-capture' || request?.kind === 'recording' || request?.kind === 'lab-session'
  );
}

/** The card a subject belongs to: a prefix match of the sysdig short id (or the full eBPF id). */
export function cardOf<C extends Pick<ContainerSummary, 'id'>>(
  subject: Subject,
  cards: readonly C[],
): C | null {
  if (subject.kind !== 'container' || subject.id.length === 0) return null;
  return cards.find((c) => c.id.startsWith(subject.id)) ?? null;
}

/** The subject of a card in the shown frame, or null. */
export function subjectForCard(subjects: readonly SubjectView[], cardId: string): SubjectView | null {
  return (
    subjects.find((v) => v.subject.kind === 'container' && v.key.length > 0 && cardId.startsWith(v.key)) ??
    null
  );
}

/** The built-in alerts of a frame that belong to one card's container (alerts name sysdig's short id or the full id). */
export function alertsForCard(
  alerts: readonly SyscallAlertHit[] | undefined,
  cardId: string,
): readonly SyscallAlertHit[] {
  if (alerts === undefined || alerts.length === 0) return NO_ALERTS;
  const mine = alerts.filter(
    (a) => a.subject.kind === 'container' && a.subject.id.length > 0 && cardId.startsWith(a.subject.id),
  );
  return mine.length === 0 ? NO_ALERTS : mine;
}

const NO_ALERTS: readonly SyscallAlertHit[] = [];

/**
 * How a subject is named in the Syscalls view: the card's name, sysdig's name, or the short id. A name from
 * a capture or a recording is not bound by Docker's name rules: invisibles are written out (revealInvisible).
 */
export function subjectLabel(
  subject: Subject,
  cards: readonly Pick<ContainerSummary, 'id' | 'name'>[],
): string {
  switch (subject.kind) {
    case 'container':
      return revealInvisible(cardOf(subject, cards)?.name ?? subject.name ?? subject.id.slice(0, 12));
    case 'host':
      return 'host';
    case 'unattributed':
      return 'unattributed';
    default:
      return assertNever(subject, 'subject');
  }
}

/** What a subject column is, relative to the engine's containers. */
export function subjectOrigin(
  subject: Subject,
  cards: readonly Pick<ContainerSummary, 'id'>[],
): 'card' | 'not-on-engine' | 'host' | 'unattributed' {
  switch (subject.kind) {
    case 'container':
      return cardOf(subject, cards) === null ? 'not-on-engine' : 'card';
    case 'host':
      return 'host';
    case 'unattributed':
      return 'unattributed';
    default:
      return assertNever(subject, 'subject');
  }
}

/** Gaps clipped to a time range (for ReferenceArea on a chart whose x runs from `from` to `to`). */
export function gapsWithin(gaps: readonly Gap[], from: number, to: number): readonly Gap[] {
  return gaps
    .filter((g) => g.to >= from && g.from <= to)
    .map((g) => ({
      ...g,
      from: Math.max(g.from, from) as EpochSeconds,
      to: Math.min(g.to, to) as EpochSeconds,
    }));
}

/** The sum of a frame's drop counts. */
export function droppedTotal(frame: SyscallFrame | null): number {
  if (frame === null) return 0;
  return frame.dropped.overflow + frame.dropped.late + frame.dropped.malformed;
}

/** Drop counts as one line of text ("none dropped" when all are zero). */
export function droppedText(frame: SyscallFrame | null): string {
  if (frame === null || droppedTotal(frame) === 0) return 'none dropped';
  const { overflow, late, malformed } = frame.dropped;
  const parts: string[] = [];
  if (overflow > 0) parts.push(`${overflow.toLocaleString('en-US')} over the key bound`);
  if (late > 0) parts.push(`${late.toLocaleString('en-US')} late`);
  if (malformed > 0) parts.push(`${malformed.toLocaleString('en-US')} malformed`);
  return `dropped: ${parts.join(', ')}`;
}

/** Sort orders of the full histogram table. */
export type HistogramSort = 'count-desc' | 'count-asc' | 'name-asc' | 'name-desc';

/** A subject's full histogram (top syscalls plus the rest as one row), sorted. */
export function histogramRows(
  frame: SubjectFrame,
  sort: HistogramSort,
): readonly { readonly syscall: string; readonly window: number; readonly total: number }[] {
  const rows = frame.top.map((c) => ({ syscall: c.syscall, window: c.window, total: c.total }));
  const byName = (a: { syscall: string }, b: { syscall: string }): number =>
    a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0;
  switch (sort) {
    case 'count-desc':
      rows.sort((a, b) => b.total - a.total || byName(a, b));
      break;
    case 'count-asc':
      rows.sort((a, b) => a.total - b.total || byName(a, b));
      break;
    case 'name-asc':
      rows.sort(byName);
      break;
    case 'name-desc':
      rows.sort((a, b) => byName(b, a));
      break;
    default:
      return assertNever(sort, 'sort');
  }
  return rows;
}

/** The largest total among the given subjects' syscalls: the shared Y scale of comparison mode. */
export function sharedMax(views: readonly SubjectView[]): number {
  let max = 0;
  for (const v of views) for (const c of v.frame.top) max = Math.max(max, c.total);
  return max;
}

/**
 * A subject's series as stacked-chart rows: one row per second, one key per syscall of the top `n` by sum
 * (the rest folded into `other`).
 */
export function stackedRows(
  points: readonly SeriesPoint[],
  n: number,
): { readonly keys: readonly string[]; readonly rows: readonly Record<string, number>[] } {
  const sums = new Map<string, number>();
  for (const p of points)
    for (const [k, v] of Object.entries(p.counts)) if (k !== 'other') sums.set(k, (sums.get(k) ?? 0) + v);
  const keys = [...sums.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([k]) => k);
  const kept = new Set(keys);
  const rows = points.map((p) => {
    const row: Record<string, number> = { second: p.second };
    let other = 0;
    for (const k of keys) row[k] = p.counts[k] ?? 0;
    for (const [k, v] of Object.entries(p.counts)) if (!kept.has(k)) other += v;
    row.other = other;
    return row;
  });
  return { keys: [...keys, 'other'], rows };
}

/** The speed choices of the replay selector. */
export const REPLAY_SPEEDS: readonly { readonly value: ReplaySpeed; readonly label: string }[] = [
  { value: 'max', label: 'max' },
  { value: 1, label: 'x1' },
  { value: 10, label: 'x10' },
  { value: 100, label: 'x100' },
];

/** The phase of the source as a word, with a tone for the badge. */
export function sourcePhaseText(state: SourceState | null): string {
  if (state === null) return 'idle';
  switch (state.phase) {
    case 'starting':
      return 'starting';
    case 'streaming':
      return 'streaming';
    case 'exited':
      return state.reason === 'end-of-input' ? 'read to the end' : 'stopped';
    case 'failed':
      return 'failed';
    default:
      return assertNever(state, 'source state');
  }
}

/** The request for a path typed in the capture box: `.scap` (optionally gzipped) replays with sysdig. */
export function captureRequest(path: string, speed: ReplaySpeed): SyscallSourceRequest {
  const trimmed = path.trim();
  return /\.scap(\.gz)?$/i.test(trimmed)
    ? { kind: 'sysdig-capture', path: trimmed, speed }
    : { kind: 'recording', path: trimmed, speed };
}
