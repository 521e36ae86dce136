import type {
  DropCounts,
  EpochSeconds,
  Gap,
  Subject,
  SubjectFrame,
  SubjectTotals,
  SyscallAlertHit,
  SyscallCount,
  SyscallFrame,
  SyscallWindowCounts,
} from './model.js';
import { subjectToken } from './model.js';
import { ruleForSyscall } from '../anomaly/alerts.js';
import type { Severity } from '../posture/model.js';

/**
 * The fold: per subject, per syscall, counts in 1 s buckets over a rolling window, plus totals since start.
 *
 * Memory is bounded whatever the event rate: each distinct (subject, syscall) pair — a key — owns one
 * fixed-size ring of `windowSeconds` counters, and the number of keys is capped (`maxKeys`); an event for
 * a new pair beyond the cap is dropped and counted (`overflow`), so a flood of distinct names cannot grow
 * memory. Worst case: maxKeys × windowSeconds × 4 bytes (4096 × 600 × 4 = 9.4 MiB), allocated per key as
 * keys appear.
 *
 * Pure in the sense that matters here: no I/O, no clock, deterministic. For speed (≥ 1 M events/s on one
 * core) the state is mutable and the functions update it in place; nothing else holds a reference to it.
 */

/** Default rolling window: 10 minutes of 1 s buckets. */
export const DEFAULT_WINDOW_SECONDS = 600;
/** Default bound on distinct (subject, syscall) pairs. */
export const DEFAULT_MAX_KEYS = 4096;
/** Longest window accepted (one hour). */
export const MAX_WINDOW_SECONDS = 3600;

/**
 * The keys of a fold: (subject, syscall) pairs numbered 0, 1, 2, … in order of appearance.
 *
 * Separate from the counts so a replay can rebuild its counts (after a seek) with the same key numbers.
 */
export interface KeyTable {
  readonly maxKeys: number;
  /** `<token> <syscall>` → key, where token is the container id, `host` or `<NA>` (see subjectToken). */
  readonly byPair: Map<string, number>;
  /** key → subject index, key → syscall name. */
  readonly keySubject: number[];
  readonly keySyscall: string[];
  /** Subjects in order of appearance, their tokens and their keys. */
  readonly subjects: Subject[];
  readonly subjectByToken: Map<string, number>;
  readonly subjectKeys: number[][];
  /** Keys whose syscall has a built-in alert rule (shared/domain/anomaly/alerts.ts), in order of appearance. */
  readonly alertKeys: number[];
}

/** Create an empty KeyTable holding at most `maxKeys` pairs. */
export function createKeyTable(maxKeys = DEFAULT_MAX_KEYS): KeyTable {
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer`);
  return {
    maxKeys,
    byPair: new Map(),
    keySubject: [],
    keySyscall: [],
    subjects: [],
    subjectByToken: new Map(),
    subjectKeys: [],
    alertKeys: [],
  };
}

/**
 * The key of (subject, syscall), created if new; -1 when the table is full (the caller counts an overflow).
 *
 * A container first seen without a name (sysdig printed `<NA>`) gets its name when a later event brings one.
 */
export function internKey(table: KeyTable, subject: Subject, syscall: string): number {
  const token = subjectToken(subject);
  const pair = `${token} ${syscall}`;
  const known = table.byPair.get(pair);
  if (known !== undefined) {
    if (subject.kind === 'container' && subject.name !== null) nameSubject(table, token, subject);
    return known;
  }
  if (table.keySyscall.length >= table.maxKeys) return -1;
  let s = table.subjectByToken.get(token);
  if (s === undefined) {
    s = table.subjects.length;
    table.subjects.push(subject);
    table.subjectByToken.set(token, s);
    table.subjectKeys.push([]);
  } else if (subject.kind === 'container' && subject.name !== null) {
    nameSubject(table, token, subject);
  }
  const key = table.keySyscall.length;
  table.byPair.set(pair, key);
  table.keySubject.push(s);
  table.keySyscall.push(syscall);
  table.subjectKeys[s]!.push(key);
  if (ruleForSyscall(syscall) !== null) table.alertKeys.push(key);
  return key;
}

function nameSubject(table: KeyTable, token: string, subject: Subject): void {
  const s = table.subjectByToken.get(token);
  if (s === undefined) return;
  const current = table.subjects[s];
  if (current?.kind === 'container' && current.name === null) table.subjects[s] = subject;
}

const OBSERVED = 1;
const DROPPED = 2;

/** Rolling counts over one KeyTable. Create with createAggregate; change only through this module. */
export interface SyscallAggregate {
  readonly keys: KeyTable;
  readonly windowSeconds: number;
  /** Whether any second has been folded; `start` and `head` mean nothing before. */
  started: boolean;
  /** First and latest second folded. */
  start: number;
  head: number;
  /** Per key: a ring of per-second counts (slot = second mod windowSeconds), its sum over the window, its total. */
  readonly rings: Uint32Array[];
  readonly windowSum: number[];
  readonly total: number[];
  /** Per key: the earliest second it was counted in (-1 before it was), for the split-phase analysis. */
  readonly firstSeen: number[];
  /** Per key: the latest second it was counted in (-1 before it was). */
  readonly lastSeen: number[];
  /** Per slot: OBSERVED when the source was running in that second, DROPPED when events were dropped. */
  readonly status: Uint8Array;
  totalEvents: number;
  overflow: number;
  late: number;
  malformed: number;
}

/** Create a fold over `keys` with a rolling window of `windowSeconds` 1 s buckets. */
export function createAggregate(keys: KeyTable, windowSeconds = DEFAULT_WINDOW_SECONDS): SyscallAggregate {
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS) {
    throw new RangeError(`windowSeconds must be an integer from 1 to ${MAX_WINDOW_SECONDS}`);
  }
  return {
    keys,
    windowSeconds,
    started: false,
    start: 0,
    head: 0,
    rings: [],
    windowSum: [],
    total: [],
    firstSeen: [],
    lastSeen: [],
    status: new Uint8Array(windowSeconds),
    totalEvents: 0,
    overflow: 0,
    late: 0,
    malformed: 0,
  };
}

/**
 * Move the window forward so that `second` is its last bucket: the buckets that fall out are cleared and
 * the seconds passed over count as observed (a running source that saw no event saw zero events).
 * Seconds at or before the current head change nothing.
 */
export function advanceTo(agg: SyscallAggregate, second: number): void {
  if (!agg.started) {
    agg.started = true;
    agg.start = second;
    agg.head = second;
    agg.status.fill(0);
    agg.status[second % agg.windowSeconds] = OBSERVED;
    return;
  }
  if (second <= agg.head) return;
  const w = agg.windowSeconds;
  const { rings, windowSum } = agg;
  if (second - agg.head >= w) {
    for (let k = 0; k < rings.length; k++) {
      rings[k]!.fill(0);
      windowSum[k] = 0;
    }
    agg.status.fill(OBSERVED);
  } else {
    for (let s = agg.head + 1; s <= second; s++) {
      const slot = s % w;
      for (let k = 0; k < rings.length; k++) {
        const ring = rings[k]!;
        const v = ring[slot]!;
        if (v !== 0) {
          windowSum[k]! -= v;
          ring[slot] = 0;
        }
      }
      agg.status[slot] = OBSERVED;
    }
  }
  agg.head = second;
}

function ensureKey(agg: SyscallAggregate, key: number): Uint32Array {
  let ring = agg.rings[key];
  if (ring === undefined) {
    // Keys are numbered densely, so at most a few rings are added here (a replay may meet its keys late).
    for (let k = agg.rings.length; k <= key; k++) {
      agg.rings.push(new Uint32Array(agg.windowSeconds));
      agg.windowSum.push(0);
      agg.total.push(0);
      agg.firstSeen.push(-1);
      agg.lastSeen.push(-1);
    }
    ring = agg.rings[key]!;
  }
  return ring;
}

/**
 * Count `n` events of `key` in `second`.
 *
 * A second after the head moves the window; one inside the window is added to its bucket; one older than
 * the window still counts in the totals but not in the window, and is counted as `late`.
 */
export function addCount(agg: SyscallAggregate, second: number, key: number, n = 1): void {
  if (!agg.started || second > agg.head) advanceTo(agg, second);
  const ring = agg.rings[key] ?? ensureKey(agg, key);
  agg.total[key]! += n;
  agg.totalEvents += n;
  const first = agg.firstSeen[key]!;
  if (first < 0 || second < first) agg.firstSeen[key] = second;
  if (second > agg.lastSeen[key]!) agg.lastSeen[key] = second;
  if (second <= agg.head - agg.windowSeconds) {
    agg.late += n;
    return;
  }
  if (second < agg.start) {
    // A late event inside the window from before the first one: that second was observed after all.
    agg.start = second;
    agg.status[second % agg.windowSeconds] = OBSERVED;
  }
  ring[second % agg.windowSeconds]! += n;
  agg.windowSum[key]! += n;
}

/** Count `n` events of `second` dropped because the key table was full. */
export function addOverflow(agg: SyscallAggregate, second: number, n = 1): void {
  if (!agg.started || second > agg.head) advanceTo(agg, second);
  agg.overflow += n;
  if (second > agg.head - agg.windowSeconds) agg.status[second % agg.windowSeconds]! |= DROPPED;
}

/** Count `n` lines that did not parse. */
export function addMalformed(agg: SyscallAggregate, n = 1): void {
  agg.malformed += n;
}

/** Mark the seconds `[from, to]` (those still in the window) as not observed: the source was not running. */
export function markNoData(agg: SyscallAggregate, from: number, to: number): void {
  if (!agg.started) return;
  const lo = Math.max(from, agg.head - agg.windowSeconds + 1);
  const hi = Math.min(to, agg.head);
  for (let s = lo; s <= hi; s++) agg.status[s % agg.windowSeconds]! &= ~OBSERVED;
}

/** Options for makeFrame. */
export interface FrameOptions {
  /** Sequence number of the frame. */
  readonly seq: number;
  /** Syscalls listed per subject (the rest are summed); default 10. */
  readonly topN?: number;
  /** Length of each subject's per-second series; default 60, at most the window. */
  readonly seriesSeconds?: number;
}

/** Drop counts of a fold. */
export function dropCounts(agg: SyscallAggregate): DropCounts {
  return { overflow: agg.overflow, late: agg.late, malformed: agg.malformed };
}

const KIND_ORDER = { container: 0, host: 1, unattributed: 2 } as const;

function compareSubjects(a: Subject, b: Subject): number {
  const byKind = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (byKind !== 0 || a.kind !== 'container' || b.kind !== 'container') return byKind;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function compareCounts(a: SyscallCount, b: SyscallCount): number {
  return (
    b.window - a.window || b.total - a.total || (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0)
  );
}

/**
 * A compact frame of the window ending at `now` (or at the head when that is later): per subject the top-N
 * syscalls with window and total counts, the rest summed, a per-second series; drop counts; gap markers.
 *
 * Reads the fold without changing it. Seconds after the head count as observed zeros (the caller moves the
 * head with advanceTo when time passes without events).
 */
export function makeFrame(agg: SyscallAggregate, now: number, options: FrameOptions): SyscallFrame {
  const w = agg.windowSeconds;
  const topN = Math.max(0, options.topN ?? 10);
  const series = Math.min(w, Math.max(0, options.seriesSeconds ?? 60));
  const end = agg.started ? Math.max(now, agg.head) : now;
  const head = agg.head;
  // Buckets still in the rings but before the window that ends at `end`: (head - w, end - w].
  const expiredTo = Math.min(end - w, head);
  const expiredFrom = head - w + 1;

  const { keys } = agg;
  const subjects: SubjectFrame[] = [];
  for (let s = 0; s < keys.subjects.length; s++) {
    const counts: SyscallCount[] = [];
    const perSecond = new Array<number>(series).fill(0);
    let window = 0;
    let total = 0;
    for (const k of keys.subjectKeys[s]!) {
      const ring = agg.rings[k];
      let win = 0;
      let tot = 0;
      if (ring !== undefined) {
        tot = agg.total[k]!;
        win = agg.windowSum[k]!;
        if (end - head >= w) win = 0;
        else for (let sec = expiredFrom; sec <= expiredTo; sec++) win -= ring[sec % w]!;
        for (let i = 0; i < series; i++) {
          const sec = end - series + 1 + i;
          if (sec <= head && sec > head - w) perSecond[i]! += ring[sec % w]!;
        }
      }
      if (tot === 0) continue;
      counts.push({ syscall: keys.keySyscall[k]!, window: win, total: tot });
      window += win;
      total += tot;
    }
    if (total === 0) continue;
    counts.sort(compareCounts);
    const top = counts.slice(0, topN);
    let restWindow = 0;
    let restTotal = 0;
    for (let i = topN; i < counts.length; i++) {
      restWindow += counts[i]!.window;
      restTotal += counts[i]!.total;
    }
    subjects.push({
      subject: keys.subjects[s]!,
      window,
      total,
      top,
      rest: { syscalls: Math.max(0, counts.length - topN), window: restWindow, total: restTotal },
      perSecond,
    });
  }
  subjects.sort((a, b) => compareSubjects(a.subject, b.subject));

  return {
    seq: options.seq,
    now: end as EpochSeconds,
    windowSeconds: w,
    subjects,
    totalEvents: agg.totalEvents,
    dropped: dropCounts(agg),
    gaps: findGaps(agg, end),
    keys: { used: keys.keySyscall.length, max: keys.maxKeys },
    alerts: alertHits(agg),
  };
}

/**
 * The built-in syscall alerts of a fold: one per (subject, rule-triggering syscall) counted since start,
 * worst severity first, then most recent. Computed from the counts, so every source has them — the eBPF
 * source, which counts without order, as much as sysdig.
 */
export function alertHits(agg: SyscallAggregate): SyscallAlertHit[] {
  const { keys } = agg;
  const hits: SyscallAlertHit[] = [];
  for (const k of keys.alertKeys) {
    const total = agg.total[k] ?? 0;
    if (total === 0) continue;
    const syscall = keys.keySyscall[k]!;
    const rule = ruleForSyscall(syscall);
    if (rule === null) continue;
    hits.push({
      subject: keys.subjects[keys.keySubject[k]!]!,
      syscall,
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      firstSeen: agg.firstSeen[k]! as EpochSeconds,
      lastSeen: agg.lastSeen[k]! as EpochSeconds,
      total,
    });
  }
  return hits.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.lastSeen - a.lastSeen ||
      compareSubjects(a.subject, b.subject) ||
      (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0),
  );
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  info: 4,
};

/** The gap markers of the window ending at `end`, as inclusive ranges. */
function findGaps(agg: SyscallAggregate, end: number): Gap[] {
  const w = agg.windowSeconds;
  const gaps: Gap[] = [];
  let open: { from: number; to: number; reason: Gap['reason'] } | null = null;
  for (let sec = end - w + 1; sec <= end; sec++) {
    let reason: Gap['reason'] | null;
    if (!agg.started || sec < agg.start) reason = 'no-data';
    else if (sec > agg.head) reason = null;
    else if (sec <= agg.head - w) reason = 'no-data';
    else {
      const st = agg.status[sec % w]!;
      reason = (st & OBSERVED) === 0 ? 'no-data' : (st & DROPPED) !== 0 ? 'dropped' : null;
    }
    if (open !== null && (reason !== open.reason || reason === null)) {
      gaps.push({ from: open.from as EpochSeconds, to: open.to as EpochSeconds, reason: open.reason });
      open = null;
    }
    if (reason !== null) {
      if (open === null) open = { from: sec, to: sec, reason };
      else open.to = sec;
    }
  }
  if (open !== null)
    gaps.push({ from: open.from as EpochSeconds, to: open.to as EpochSeconds, reason: open.reason });
  return gaps;
}

/** Every subject's totals since start, per syscall (no top-N cut), in frame order. */
export function subjectTotals(agg: SyscallAggregate): SubjectTotals[] {
  const { keys } = agg;
  const out: SubjectTotals[] = [];
  for (let s = 0; s < keys.subjects.length; s++) {
    const bySyscall: Record<string, number> = {};
    const firstSeen: Record<string, EpochSeconds> = {};
    const lastSeen: Record<string, EpochSeconds> = {};
    let total = 0;
    for (const k of keys.subjectKeys[s]!) {
      const t = agg.total[k] ?? 0;
      if (t === 0) continue;
      const name = keys.keySyscall[k]!;
      bySyscall[name] = t;
      firstSeen[name] = agg.firstSeen[k]! as EpochSeconds;
      lastSeen[name] = agg.lastSeen[k]! as EpochSeconds;
      total += t;
    }
    if (total > 0) out.push({ subject: keys.subjects[s]!, total, bySyscall, firstSeen, lastSeen });
  }
  return out.sort((a, b) => compareSubjects(a.subject, b.subject));
}

/** The seconds the fold's window still holds: from its first second (or the window's start) to its head. */
export function heldSeconds(agg: SyscallAggregate): { readonly from: number; readonly to: number } | null {
  if (!agg.started) return null;
  return { from: Math.max(agg.start, agg.head - agg.windowSeconds + 1), to: agg.head };
}

/**
 * Per subject and per syscall, the events counted in the seconds `[from, to]` (inclusive), with the first
 * and last of those seconds each syscall was counted in. Only the seconds the window still holds count
 * (heldSeconds); events that arrived older than the window were never in it (they are `late`).
 *
 * Reads the fold without changing it; costs (keys × seconds in range), at most 4096 × 3600 additions.
 */
export function countsBetween(agg: SyscallAggregate, from: number, to: number): SubjectTotals[] {
  const held = heldSeconds(agg);
  if (held === null) return [];
  const lo = Math.max(Math.ceil(from), held.from);
  const hi = Math.min(Math.floor(to), held.to);
  if (hi < lo) return [];
  const w = agg.windowSeconds;
  const { keys } = agg;
  const out: SubjectTotals[] = [];
  for (let s = 0; s < keys.subjects.length; s++) {
    const bySyscall: Record<string, number> = {};
    const firstSeen: Record<string, EpochSeconds> = {};
    const lastSeen: Record<string, EpochSeconds> = {};
    let total = 0;
    for (const k of keys.subjectKeys[s]!) {
      const ring = agg.rings[k];
      if (ring === undefined || agg.windowSum[k] === 0) continue;
      let n = 0;
      let first = -1;
      let last = -1;
      for (let sec = lo; sec <= hi; sec++) {
        const v = ring[sec % w]!;
        if (v === 0) continue;
        n += v;
        if (first < 0) first = sec;
        last = sec;
      }
      if (n === 0) continue;
      const name = keys.keySyscall[k]!;
      bySyscall[name] = n;
      firstSeen[name] = first as EpochSeconds;
      lastSeen[name] = last as EpochSeconds;
      total += n;
    }
    if (total > 0) out.push({ subject: keys.subjects[s]!, total, bySyscall, firstSeen, lastSeen });
  }
  return out.sort((a, b) => compareSubjects(a.subject, b.subject));
}

/**
 * The counts of the last `lastSeconds` seconds the fold holds (all it holds when null), ending at its
 * head; null before anything was folded.
 */
export function readWindow(agg: SyscallAggregate, lastSeconds: number | null): SyscallWindowCounts | null {
  const held = heldSeconds(agg);
  if (held === null) return null;
  const from = lastSeconds === null ? held.from : Math.max(held.from, held.to - Math.floor(lastSeconds) + 1);
  return {
    from: from as EpochSeconds,
    to: held.to as EpochSeconds,
    subjects: countsBetween(agg, from, held.to),
    dropped: dropCounts(agg),
    topOnly: false,
  };
}
