import type { SyscallAggregate } from './aggregate.js';
import { addCount, addOverflow } from './aggregate.js';

/**
 * A replay's buffer: a capture folded into per-second, per-key counts, so the timeline scrubber can seek
 * without reading the capture again.
 *
 * Why buffer rather than re-run `sysdig -r` with a time filter on each seek: a frame at position P needs the
 * totals since the start of the capture up to P, so a re-read would start from the beginning anyway, and
 * sysdig reads about 250 k events/s; applying the buffered counts takes milliseconds. The buffer holds one
 * entry per (second, key) that occurred — far fewer than events — and is bounded by `maxEntries`: beyond
 * it, the events of further seconds are counted as overflow drops instead of stored.
 */
export interface Timeline {
  readonly maxEntries: number;
  /** Segment i covers `second[i]`; its entries are `[offset[i], offset[i + 1])` (the last runs to `length`). */
  readonly second: number[];
  readonly offset: number[];
  /** Overflow drops per segment (events whose key could not be created, or that did not fit). */
  readonly overflow: number[];
  keys: Uint32Array;
  counts: Uint32Array;
  length: number;
  /** The second being accumulated, its dense per-key counts and the keys touched in it. */
  current: number;
  hasCurrent: boolean;
  acc: Uint32Array;
  touched: number[];
  currentOverflow: number;
  /** Set once the buffer is full: later seconds are counted as overflow only. */
  full: boolean;
  /** Whether any event was added; then `first` and `last` are the first and last second seen. */
  seen: boolean;
  first: number;
  last: number;
  events: number;
}

/** Default bound: 4 M (second, key) entries, 32 MiB. */
export const DEFAULT_TIMELINE_ENTRIES = 4 * 1024 * 1024;

/** Create an empty timeline for keys numbered below `maxKeys`. */
export function createTimeline(maxKeys: number, maxEntries = DEFAULT_TIMELINE_ENTRIES): Timeline {
  const initial = Math.min(maxEntries, 64 * 1024);
  return {
    maxEntries,
    second: [],
    offset: [],
    overflow: [],
    keys: new Uint32Array(initial),
    counts: new Uint32Array(initial),
    length: 0,
    current: 0,
    hasCurrent: false,
    acc: new Uint32Array(maxKeys),
    touched: [],
    currentOverflow: 0,
    full: false,
    seen: false,
    first: 0,
    last: 0,
    events: 0,
  };
}

/** Store the second being accumulated as a segment. */
export function flushTimeline(tl: Timeline): void {
  if (!tl.hasCurrent) return;
  tl.hasCurrent = false;
  const { touched, acc } = tl;
  let dropped = 0;
  if (tl.full || tl.length + touched.length > tl.maxEntries) {
    tl.full = true;
    for (const k of touched) {
      dropped += acc[k]!;
      acc[k] = 0;
    }
    touched.length = 0;
  } else if (tl.length + touched.length > tl.keys.length) {
    const size = Math.min(tl.maxEntries, Math.max(tl.keys.length * 2, tl.length + touched.length));
    const keys = new Uint32Array(size);
    const counts = new Uint32Array(size);
    keys.set(tl.keys.subarray(0, tl.length));
    counts.set(tl.counts.subarray(0, tl.length));
    tl.keys = keys;
    tl.counts = counts;
  }
  tl.second.push(tl.current);
  tl.offset.push(tl.length);
  tl.overflow.push(tl.currentOverflow + dropped);
  tl.currentOverflow = 0;
  for (const k of touched) {
    tl.keys[tl.length] = k;
    tl.counts[tl.length] = acc[k]!;
    tl.length++;
    acc[k] = 0;
  }
  touched.length = 0;
}

function switchTo(tl: Timeline, second: number): void {
  flushTimeline(tl);
  if (!tl.seen) {
    tl.seen = true;
    tl.first = second;
    tl.last = second;
  }
  tl.current = second;
  tl.hasCurrent = true;
  if (second < tl.first) tl.first = second;
  if (second > tl.last) tl.last = second;
}

/** Add one event of `key` in `second`. */
export function timelineAdd(tl: Timeline, second: number, key: number): void {
  if (second !== tl.current || !tl.hasCurrent) switchTo(tl, second);
  const acc = tl.acc;
  if (acc[key] === 0) tl.touched.push(key);
  acc[key]! += 1;
  tl.events++;
}

/** Add `n` events of `second` that could not be given a key. */
export function timelineOverflow(tl: Timeline, second: number, n = 1): void {
  if (second !== tl.current || !tl.hasCurrent) switchTo(tl, second);
  tl.currentOverflow += n;
  tl.events += n;
}

/**
 * Fold the stored segments from segment `from` on into `agg`, up to and including second `until`; returns
 * the index of the first segment not applied (pass it back as `from` to continue).
 */
export function applyTimeline(tl: Timeline, agg: SyscallAggregate, from: number, until: number): number {
  let i = from;
  const n = tl.second.length;
  for (; i < n; i++) {
    const sec = tl.second[i]!;
    if (sec > until) break;
    const startAt = tl.offset[i]!;
    const stopAt = i + 1 < n ? tl.offset[i + 1]! : tl.length;
    for (let e = startAt; e < stopAt; e++) addCount(agg, sec, tl.keys[e]!, tl.counts[e] ?? 0);
    const over = tl.overflow[i]!;
    if (over > 0) addOverflow(agg, sec, over);
  }
  return i;
}
