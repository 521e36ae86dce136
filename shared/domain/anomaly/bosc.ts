import { assertNever } from '../../util/assert-never.js';
import type { EpochSeconds } from '../syscalls/model.js';

/**
 * Bag-of-System-Calls (BoSC) anomaly detection per container, after Abed, Clancy & Levy, "Applying bag of
 * system calls for anomalous behavior detection of applications in Linux containers" (IEEE Globecom
 * Workshops 2015).
 *
 * Each container's syscalls, in the order the source reports them, pass through a sliding window of
 * `windowSize` syscalls. The *bag* of a window is its frequency vector: how many times each syscall occurs
 * in it, order ignored. Syscalls are counted in *epochs* of `epochSize` windows (one window per syscall once
 * the window is full). For the first `trainingEpochs` epochs every window's bag is added to the container's
 * normal database, with how often it was seen. Afterwards a window whose bag is not in the database is a
 * *mismatch*, and an epoch with more mismatches than the threshold is *anomalous*.
 *
 * The bag is never rebuilt: sliding the window is one syscall entering and one leaving, so the count vector
 * changes in two places, and its key — a pair of 32-bit linear hashes, Σ count[s] × weight[s] with a random
 * weight per syscall — changes by adding one weight and subtracting another. Looking a window up is then one
 * open-addressing probe on the hash pair and an exact comparison of the stored bag (its syscalls, sorted)
 * against the current counts, `windowSize` reads, so two different bags whose hashes collide are never
 * taken for each other. Per syscall: O(1) to slide, O(windowSize) to confirm, no allocation.
 *
 * Memory is bounded: per container the database holds at most `maxBags` bags (each `windowSize` × 2 bytes
 * plus 20), a window that does not fit while training is counted (`database.full`); at most `maxSyscalls`
 * distinct syscall names (the rest share one `<other>` index); at most `maxContainers` containers; and the
 * anomalous epochs kept per container are capped (`maxAnomalies`, the count goes on). Frequencies saturate
 * at 2^32 − 1 instead of wrapping.
 *
 * Pure: no I/O, no clock (seconds come with the events). For speed the state is mutable and updated in
 * place by this module's functions; snapshots (`streamState`, `detectorStates`) are plain readonly data.
 */

/** When an epoch counts as anomalous: more than `value` mismatched windows, or more than `value` × epochSize. */
export type MismatchThreshold =
  { readonly kind: 'fraction'; readonly value: number } | { readonly kind: 'count'; readonly value: number };

/** Settings of a BoSC detector. */
export interface BoscSettings {
  /** Syscalls per sliding window (the paper: 10). 2–100. */
  readonly windowSize: number;
  /** Windows (≈ syscalls) per epoch. 10–10 000 000. */
  readonly epochSize: number;
  /** Epochs of training before watching starts. 1–1 000 000. */
  readonly trainingEpochs: number;
  /** An epoch with more mismatches than this is anomalous. */
  readonly threshold: MismatchThreshold;
  /** Most bags in one container's normal database. */
  readonly maxBags: number;
  /** Most distinct syscall names (one more, `<other>`, collects the rest). 16–65 535. */
  readonly maxSyscalls: number;
  /** Most containers followed at once (a further one is counted in `untracked`). */
  readonly maxContainers: number;
  /** Anomalous epochs kept per container (the newest; older ones are counted but dropped). */
  readonly maxAnomalies: number;
  /** Over-represented syscalls named in a hint. */
  readonly hintSize: number;
  /**
   * Bit mask applied to the hash weights; keep the default (all bits). Tests set it to 0 or a few bits to
   * force hash collisions and check that the exact comparison keeps the answers right.
   */
  readonly hashMask: number;
}

/**
 * The defaults, and why.
 *
 * - window 10: the paper's choice; long enough that a bag says what the code is doing (a read loop, a file
 *   open, a fork/exec), short enough that a steady workload has few distinct bags (the busybox loop of the
 *   integration test: 200–500).
 * - epoch 1000 windows: at the rates containers run at (1 000–100 000 syscalls/s) an epoch closes within a
 *   second, so an anomaly is raised within a second of the behaviour, and 1000 windows make a fraction
 *   threshold meaningful (one stray window is 0.1 %).
 * - 200 training epochs (200 000 windows): about 20 s for a busy container, a few minutes for a quiet one.
 *   Measured on the busybox loop (≈ 7 000 syscalls/s, bpftrace), training on one minute and watching the
 *   rest: after 20 epochs the worst watched epoch had 73 mismatches, after 100 epochs 25, after 200 epochs
 *   13 (mean 0.08) — the database keeps growing slowly as rare interleavings show up, and more training
 *   means fewer of them later. Set it from how long the workload takes to show its normal range.
 * - threshold 5 % of the epoch (more than 50 mismatches in 1000): live sources interleave the threads of a
 *   container differently from run to run, a trickle of unseen bags (above: at most 1.3 % of an epoch after
 *   200 training epochs; the integration test's hour of the loop replayed: at most 15 in one epoch),
 *   while a `docker exec` of a shell doing file and network work turned 9–73 % of an epoch's windows into
 *   mismatches.
 * - 65 536 bags per container (≈ 2.5 MiB at window 10, allocated as the database grows), 1024 syscall
 *   names (≈ 25 KiB of per-container counters), 256 containers, 32 anomalies kept, 5 syscalls per hint.
 */
export const DEFAULT_BOSC_SETTINGS: BoscSettings = {
  windowSize: 10,
  epochSize: 1000,
  trainingEpochs: 200,
  threshold: { kind: 'fraction', value: 0.05 },
  maxBags: 65_536,
  maxSyscalls: 1024,
  maxContainers: 256,
  maxAnomalies: 32,
  hintSize: 5,
  hashMask: 0xffffffff,
};

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, not ${String(value)}`);
  }
  return value;
}

/** The number of mismatches an epoch of `epochSize` windows may have without being anomalous. */
export function mismatchLimit(threshold: MismatchThreshold, epochSize: number): number {
  switch (threshold.kind) {
    case 'fraction':
      return threshold.value * epochSize;
    case 'count':
      return threshold.value;
    default:
      return assertNever(threshold, 'threshold');
  }
}

/** Fill in and check settings; throws RangeError naming the first bad one. */
export function checkBoscSettings(partial: Partial<BoscSettings> = {}): BoscSettings {
  const s: BoscSettings = { ...DEFAULT_BOSC_SETTINGS, ...partial };
  checkInt('windowSize', s.windowSize, 2, 100);
  checkInt('epochSize', s.epochSize, 10, 10_000_000);
  checkInt('trainingEpochs', s.trainingEpochs, 1, 1_000_000);
  checkInt('maxBags', s.maxBags, 1, 1 << 24);
  checkInt('maxSyscalls', s.maxSyscalls, 16, 65_535);
  checkInt('maxContainers', s.maxContainers, 1, 1 << 16);
  checkInt('maxAnomalies', s.maxAnomalies, 1, 10_000);
  checkInt('hintSize', s.hintSize, 0, 100);
  checkInt('hashMask', s.hashMask, 0, 0xffffffff);
  const t = s.threshold;
  switch (t.kind) {
    case 'fraction':
      if (!(t.value >= 0 && t.value < 1)) throw new RangeError('a fraction threshold must be from 0 to < 1');
      break;
    case 'count':
      checkInt('threshold count', t.value, 0, s.epochSize - 1);
      break;
    default:
      return assertNever(t, 'threshold');
  }
  return s;
}

/**
 * Syscall names ↔ small indices, shared by every container of a detector.
 *
 * The last index, `maxSyscalls`, is `<other>`: every name beyond the bound maps there, so a flood of
 * invented names cannot grow memory.
 */
export interface SyscallVocabulary {
  /** The index of `name`, added if new (`other` when full). */
  indexOf(name: string): number;
  /** The name of an index (`<other>` for the overflow index). */
  nameOf(index: number): string;
  /** Indices handed out so far, `<other>` not included. */
  readonly size: number;
  /** The overflow index. */
  readonly other: number;
  /** Names that did not fit. */
  readonly overflowed: number;
}

/** The name shown for the overflow index. */
export const OTHER_SYSCALL = '<other>';

function createVocabulary(maxSyscalls: number): SyscallVocabulary {
  const byName = new Map<string, number>();
  const names: string[] = [];
  let overflowed = 0;
  return {
    indexOf(name) {
      const known = byName.get(name);
      if (known !== undefined) return known;
      if (names.length >= maxSyscalls) {
        overflowed++;
        return maxSyscalls;
      }
      const i = names.length;
      names.push(name);
      byName.set(name, i);
      return i;
    },
    nameOf(index) {
      return names[index] ?? OTHER_SYSCALL;
    },
    get size() {
      return names.length;
    },
    other: maxSyscalls,
    get overflowed() {
      return overflowed;
    },
  };
}

/** One syscall that is more common in mismatched windows than in training: a hint at what changed. */
export interface OverRepresented {
  readonly syscall: string;
  /** Occurrences in the mismatched windows (a syscall in k overlapping windows counts k times). */
  readonly inMismatches: number;
  /** Its share of the syscalls in mismatched windows, and of the syscalls seen in training. */
  readonly share: number;
  readonly trainingShare: number;
  /** share ÷ (smoothed) trainingShare: how many times more common; a syscall never trained on is highest. */
  readonly ratio: number;
}

/** One anomalous epoch. */
export interface AnomalousEpoch {
  /** The epoch's number for this container (0 is the first training epoch). */
  readonly epoch: number;
  /** The seconds of its first and last window. */
  readonly from: EpochSeconds;
  readonly to: EpochSeconds;
  readonly windows: number;
  readonly mismatches: number;
  readonly hint: readonly OverRepresented[];
}

/** What every container state carries. */
export interface BoscCommon {
  /** The container's key, as the source gave it (sysdig's 12-hex container.id). */
  readonly key: string;
  readonly syscalls: number;
  readonly windows: number;
  /** Epochs completed, training included. */
  readonly epochs: number;
  readonly database: {
    readonly bags: number;
    readonly maxBags: number;
    /** Training windows whose (new) bag did not fit in the database. */
    readonly full: number;
  };
  /** The open epoch. */
  readonly current: { readonly windows: number; readonly mismatches: number };
  /** Mismatches since watching started, in every epoch. */
  readonly mismatches: number;
  /** Times the window was restarted because the source lost events. */
  readonly gaps: number;
  /** The first and the latest second seen; null before any syscall. */
  readonly firstSecond: EpochSeconds | null;
  readonly lastSecond: EpochSeconds | null;
}

/** A container's state: learning, watching, or anomalous (since it was last acknowledged). */
export type BoscContainerState = BoscCommon &
  (
    | { readonly phase: 'learning'; readonly epochsTrained: number; readonly trainingEpochs: number }
    | { readonly phase: 'watching'; readonly epochsWatched: number }
    | {
        readonly phase: 'anomalous';
        readonly epochsWatched: number;
        /** Anomalous epochs since the last acknowledgement (all of them, even those no longer kept). */
        readonly anomalousEpochs: number;
        /** The newest anomalous epochs (at most maxAnomalies), oldest first. */
        readonly anomalies: readonly AnomalousEpoch[];
        /** Mismatches in all those anomalous epochs. */
        readonly anomalousMismatches: number;
        /** Over-represented syscalls across those epochs. */
        readonly hint: readonly OverRepresented[];
      }
  );

/** The phases, in order. */
export type BoscPhase = BoscContainerState['phase'];

/**
 * One container's detector state. Mutable, changed only through this module; read it with streamState.
 */
export interface BoscStream {
  readonly key: string;
  /** @internal Everything below is the module's. */
  readonly s: StreamInternals;
}

interface StreamInternals {
  // Sliding window: a ring of indices, the counts of the window, its hash pair.
  readonly ring: Uint16Array;
  readonly counts: Uint8Array;
  ringPos: number;
  filled: number;
  hashA: number;
  hashB: number;
  // Database: open addressing on hashA → entry + 1; entries in parallel arrays.
  slots: Int32Array;
  mask: number;
  entA: Int32Array;
  entB: Int32Array;
  freq: Uint32Array;
  bags: Uint16Array;
  bagCount: number;
  full: number;
  // Epoch and phase.
  phase: 'learning' | 'watching';
  epochs: number;
  epochWindows: number;
  epochMismatches: number;
  epochFrom: number;
  syscalls: number;
  windows: number;
  mismatches: number;
  gaps: number;
  firstSecond: number;
  lastSecond: number;
  // Syscalls seen in training, and in the mismatched windows of the open epoch and of the anomalies.
  readonly trained: Float64Array;
  trainedTotal: number;
  readonly epochMm: Float64Array;
  epochMmTotal: number;
  readonly anomalyMm: Float64Array;
  anomalyMmTotal: number;
  anomalies: AnomalousEpoch[];
  anomalousEpochs: number;
  anomalousMismatches: number;
  /** Anomalous epochs ever (acknowledging does not reset it): a cheap "something new was raised" counter. */
  raised: number;
}

/** A detector: settings, the shared vocabulary and hash weights, the containers. */
export interface BoscDetector {
  readonly settings: BoscSettings;
  readonly vocabulary: SyscallVocabulary;
  /** Events for containers beyond maxContainers. */
  readonly untracked: number;
  /** @internal */
  readonly d: DetectorInternals;
}

interface DetectorInternals {
  readonly weightA: Int32Array;
  readonly weightB: Int32Array;
  readonly streams: Map<string, BoscStream>;
  readonly limit: number;
  untracked: number;
}

/** splitmix32: deterministic, well-mixed weights (no Math.random, so runs are reproducible). */
function weights(n: number, seed: number, mask: number): Int32Array {
  const out = new Int32Array(n);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    out[i] = z & mask;
  }
  return out;
}

/** Create a detector; throws RangeError on bad settings. */
export function createBoscDetector(settings: Partial<BoscSettings> = {}): BoscDetector {
  const s = checkBoscSettings(settings);
  const d: DetectorInternals = {
    weightA: weights(s.maxSyscalls + 1, 0x2545f491, s.hashMask),
    weightB: weights(s.maxSyscalls + 1, 0x68e31da4, s.hashMask),
    streams: new Map(),
    limit: mismatchLimit(s.threshold, s.epochSize),
    untracked: 0,
  };
  return {
    settings: s,
    vocabulary: createVocabulary(s.maxSyscalls),
    get untracked() {
      return d.untracked;
    },
    d,
  };
}

const INITIAL_ENTRIES = 64;

function newStream(key: string, st: BoscSettings): BoscStream {
  const n = st.maxSyscalls + 1;
  const entries = Math.min(INITIAL_ENTRIES, st.maxBags);
  const slots = slotCountFor(entries);
  return {
    key,
    s: {
      ring: new Uint16Array(st.windowSize),
      counts: new Uint8Array(n),
      ringPos: 0,
      filled: 0,
      hashA: 0,
      hashB: 0,
      slots: new Int32Array(slots),
      mask: slots - 1,
      entA: new Int32Array(entries),
      entB: new Int32Array(entries),
      freq: new Uint32Array(entries),
      bags: new Uint16Array(entries * st.windowSize),
      bagCount: 0,
      full: 0,
      phase: 'learning',
      epochs: 0,
      epochWindows: 0,
      epochMismatches: 0,
      epochFrom: 0,
      syscalls: 0,
      windows: 0,
      mismatches: 0,
      gaps: 0,
      firstSecond: -1,
      lastSecond: -1,
      trained: new Float64Array(n),
      trainedTotal: 0,
      epochMm: new Float64Array(n),
      epochMmTotal: 0,
      anomalyMm: new Float64Array(n),
      anomalyMmTotal: 0,
      anomalies: [],
      anomalousEpochs: 0,
      anomalousMismatches: 0,
      raised: 0,
    },
  };
}

/** Power of two holding `entries` at a load of at most one half. */
function slotCountFor(entries: number): number {
  let n = 16;
  while (n < entries * 2) n *= 2;
  return n;
}

/**
 * The stream of container `key`, created on first use; null when maxContainers are followed already (the
 * caller should count the event with `countUntracked`). Look it up once per container, not per syscall.
 */
export function boscStream(detector: BoscDetector, key: string): BoscStream | null {
  const known = detector.d.streams.get(key);
  if (known !== undefined) return known;
  if (detector.d.streams.size >= detector.settings.maxContainers) return null;
  const stream = newStream(key, detector.settings);
  detector.d.streams.set(key, stream);
  return stream;
}

/** Count `n` events of a container that could not be followed (see boscStream). */
export function countUntracked(detector: BoscDetector, n = 1): void {
  detector.d.untracked += n;
}

/** Stop following a container (it is gone); its memory is released. */
export function forgetStream(detector: BoscDetector, key: string): boolean {
  return detector.d.streams.delete(key);
}

/** Whether the stored bag `e` has exactly the counts of the current window. */
function sameBag(s: StreamInternals, e: number, w: number): boolean {
  const bags = s.bags;
  const counts = s.counts;
  const base = e * w;
  const end = base + w;
  let i = base;
  while (i < end) {
    const v = bags[i]!;
    let j = i + 1;
    while (j < end && bags[j] === v) j++;
    if (counts[v] !== j - i) return false;
    i = j;
  }
  return true;
}

/** The entry holding the current window's bag, or -1. */
function findBag(s: StreamInternals, w: number): number {
  const slots = s.slots;
  const mask = s.mask;
  const a = s.hashA;
  const b = s.hashB;
  let slot = a & mask;
  for (;;) {
    const e1 = slots[slot]!;
    if (e1 === 0) return -1;
    const e = e1 - 1;
    if (s.entA[e] === a && s.entB[e] === b && sameBag(s, e, w)) return e;
    slot = (slot + 1) & mask;
  }
}

function growEntries(s: StreamInternals, w: number, maxBags: number): boolean {
  const cap = s.entA.length;
  if (s.bagCount < cap) return true;
  if (cap >= maxBags) return false;
  const next = Math.min(cap * 2, maxBags);
  const entA = new Int32Array(next);
  entA.set(s.entA);
  const entB = new Int32Array(next);
  entB.set(s.entB);
  const freq = new Uint32Array(next);
  freq.set(s.freq);
  const bags = new Uint16Array(next * w);
  bags.set(s.bags);
  s.entA = entA;
  s.entB = entB;
  s.freq = freq;
  s.bags = bags;
  const slotCount = slotCountFor(next);
  if (slotCount > s.slots.length) {
    const slots = new Int32Array(slotCount);
    const mask = slotCount - 1;
    for (let e = 0; e < s.bagCount; e++) {
      let slot = s.entA[e]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    s.slots = slots;
    s.mask = mask;
  }
  return true;
}

/** Add the current window's bag (new) to the database; false when it is full. */
function insertBag(s: StreamInternals, w: number, maxBags: number): boolean {
  if (!growEntries(s, w, maxBags)) return false;
  const e = s.bagCount++;
  s.entA[e] = s.hashA;
  s.entB[e] = s.hashB;
  s.freq[e] = 1;
  // The bag's syscalls, sorted (insertion sort of `w` values: only for a bag never seen before).
  const bags = s.bags;
  const base = e * w;
  for (let k = 0; k < w; k++) {
    const v = s.ring[k]!;
    let j = base + k;
    while (j > base && bags[j - 1]! > v) {
      bags[j] = bags[j - 1]!;
      j--;
    }
    bags[j] = v;
  }
  let slot = s.hashA & s.mask;
  while (s.slots[slot] !== 0) slot = (slot + 1) & s.mask;
  s.slots[slot] = e + 1;
  return true;
}

/** Add the syscalls of the current window to `into` (a mismatch's contribution to the hint). */
function addWindow(s: StreamInternals, into: Float64Array, w: number): void {
  const ring = s.ring;
  for (let k = 0; k < w; k++) into[ring[k]!]!++;
}

/** Over-represented syscalls of `mm` against the training counts. */
function hintOf(
  s: StreamInternals,
  mm: Float64Array,
  mmTotal: number,
  vocabulary: SyscallVocabulary,
  size: number,
): OverRepresented[] {
  if (size === 0 || mmTotal === 0) return [];
  const n = vocabulary.size + 1;
  // Add-one smoothing over the names known, so a syscall never seen in training has a finite, top ratio.
  const denom = s.trainedTotal + n;
  const out: OverRepresented[] = [];
  for (let i = 0; i < mm.length; i++) {
    const m = mm[i]!;
    if (m === 0) continue;
    const share = m / mmTotal;
    const ratio = share / ((s.trained[i]! + 1) / denom);
    if (ratio <= 1) continue;
    out.push({
      syscall: vocabulary.nameOf(i),
      inMismatches: m,
      share,
      trainingShare: s.trainedTotal === 0 ? 0 : s.trained[i]! / s.trainedTotal,
      ratio,
    });
  }
  out.sort(
    (x, y) => y.ratio - x.ratio || y.inMismatches - x.inMismatches || (x.syscall < y.syscall ? -1 : 1),
  );
  return out.slice(0, size);
}

function closeEpoch(detector: BoscDetector, s: StreamInternals): void {
  const st = detector.settings;
  if (s.phase === 'learning') {
    if (s.epochs + 1 >= st.trainingEpochs) s.phase = 'watching';
  } else if (s.epochMismatches > detector.d.limit) {
    const anomaly: AnomalousEpoch = {
      epoch: s.epochs,
      from: s.epochFrom as EpochSeconds,
      to: s.lastSecond as EpochSeconds,
      windows: s.epochWindows,
      mismatches: s.epochMismatches,
      hint: hintOf(s, s.epochMm, s.epochMmTotal, detector.vocabulary, st.hintSize),
    };
    s.anomalies.push(anomaly);
    if (s.anomalies.length > st.maxAnomalies) s.anomalies.shift();
    s.anomalousEpochs++;
    s.anomalousMismatches += s.epochMismatches;
    s.raised++;
    for (let i = 0; i < s.epochMm.length; i++) s.anomalyMm[i]! += s.epochMm[i]!;
    s.anomalyMmTotal += s.epochMmTotal;
  }
  if (s.epochMmTotal > 0) {
    s.epochMm.fill(0);
    s.epochMmTotal = 0;
  }
  s.epochs++;
  s.epochWindows = 0;
  s.epochMismatches = 0;
}

/**
 * Feed one syscall (a vocabulary index) issued at `second` to a container's stream.
 *
 * The hot path: slide the window, update the hash pair, then learn or check the window.
 */
export function pushSyscall(
  detector: BoscDetector,
  stream: BoscStream,
  syscall: number,
  second: number,
): void {
  const s = stream.s;
  const w = s.ring.length;
  const d = detector.d;
  s.syscalls++;
  if (s.firstSecond < 0) s.firstSecond = second;
  s.lastSecond = second;
  const pos = s.ringPos;
  if (s.filled === w) {
    const old = s.ring[pos]!;
    s.counts[old]!--;
    s.hashA = (s.hashA - d.weightA[old]!) | 0;
    s.hashB = (s.hashB - d.weightB[old]!) | 0;
  } else {
    s.filled++;
  }
  s.ring[pos] = syscall;
  s.ringPos = pos + 1 === w ? 0 : pos + 1;
  s.counts[syscall]!++;
  s.hashA = (s.hashA + d.weightA[syscall]!) | 0;
  s.hashB = (s.hashB + d.weightB[syscall]!) | 0;
  if (s.filled < w) return;

  // A full window.
  if (s.epochWindows === 0) s.epochFrom = second;
  s.windows++;
  s.epochWindows++;
  const e = findBag(s, w);
  if (s.phase === 'learning') {
    s.trained[syscall]!++;
    s.trainedTotal++;
    if (e >= 0) {
      if (s.freq[e]! !== 0xffffffff) s.freq[e]!++;
    } else if (!insertBag(s, w, detector.settings.maxBags)) {
      s.full++;
    }
  } else if (e < 0) {
    s.mismatches++;
    s.epochMismatches++;
    addWindow(s, s.epochMm, w);
    s.epochMmTotal += w;
  }
  if (s.epochWindows >= detector.settings.epochSize) closeEpoch(detector, s);
}

/**
 * Restart a container's window: the source lost events (or restarted), so the next window must not join
 * syscalls from both sides of the gap. The epoch goes on; the next `windowSize − 1` syscalls make no window.
 */
export function resetWindow(stream: BoscStream): void {
  const s = stream.s;
  for (let k = 0; k < s.filled; k++) s.counts[s.ring[k]!] = 0;
  s.filled = 0;
  s.ringPos = 0;
  s.hashA = 0;
  s.hashB = 0;
  s.gaps++;
}

/** Restart the window of every container (the source lost events without saying whose). */
export function resetAllWindows(detector: BoscDetector): void {
  for (const stream of detector.d.streams.values()) resetWindow(stream);
}

/** Anomalous epochs ever raised for this stream (a counter that only grows; acknowledging does not reset it). */
export function raisedCount(stream: BoscStream): number {
  return stream.s.raised;
}

/** Acknowledge a container's anomalies: back to watching, the anomalies and their hint cleared. */
export function acknowledgeAnomalies(stream: BoscStream): void {
  const s = stream.s;
  s.anomalies = [];
  s.anomalousEpochs = 0;
  s.anomalousMismatches = 0;
  s.anomalyMm.fill(0);
  s.anomalyMmTotal = 0;
}

/** The frequency of the current window's bag in the database (0 when it is not there); for tests and tools. */
export function currentBagFrequency(stream: BoscStream): number {
  const s = stream.s;
  if (s.filled < s.ring.length) return 0;
  const e = findBag(s, s.ring.length);
  return e < 0 ? 0 : s.freq[e]!;
}

/** A container's state as plain data. */
export function streamState(detector: BoscDetector, stream: BoscStream): BoscContainerState {
  const s = stream.s;
  const st = detector.settings;
  const common: BoscCommon = {
    key: stream.key,
    syscalls: s.syscalls,
    windows: s.windows,
    epochs: s.epochs,
    database: { bags: s.bagCount, maxBags: st.maxBags, full: s.full },
    current: { windows: s.epochWindows, mismatches: s.epochMismatches },
    mismatches: s.mismatches,
    gaps: s.gaps,
    firstSecond: s.firstSecond < 0 ? null : (s.firstSecond as EpochSeconds),
    lastSecond: s.lastSecond < 0 ? null : (s.lastSecond as EpochSeconds),
  };
  if (s.phase === 'learning') {
    return { ...common, phase: 'learning', epochsTrained: s.epochs, trainingEpochs: st.trainingEpochs };
  }
  const epochsWatched = s.epochs - st.trainingEpochs;
  if (s.anomalousEpochs === 0) return { ...common, phase: 'watching', epochsWatched };
  return {
    ...common,
    phase: 'anomalous',
    epochsWatched,
    anomalousEpochs: s.anomalousEpochs,
    anomalies: [...s.anomalies],
    anomalousMismatches: s.anomalousMismatches,
    hint: hintOf(s, s.anomalyMm, s.anomalyMmTotal, detector.vocabulary, st.hintSize),
  };
}

/** Every container's state, by key. */
export function detectorStates(detector: BoscDetector): BoscContainerState[] {
  return [...detector.d.streams.values()]
    .map((stream) => streamState(detector, stream))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The stream of `key` if it is followed. */
export function findStream(detector: BoscDetector, key: string): BoscStream | null {
  return detector.d.streams.get(key) ?? null;
}

/**
 * Run a whole sequence of vocabulary indices through one container's stream (tests, replays, benchmarks).
 * `seconds` gives each syscall's second (or one second for all).
 */
export function pushSequence(
  detector: BoscDetector,
  stream: BoscStream,
  syscalls: ArrayLike<number>,
  seconds: ArrayLike<number> | number,
): void {
  if (typeof seconds === 'number') {
    for (let i = 0; i < syscalls.length; i++) pushSyscall(detector, stream, syscalls[i]!, seconds);
  } else {
    for (let i = 0; i < syscalls.length; i++) pushSyscall(detector, stream, syscalls[i]!, seconds[i]!);
  }
}
