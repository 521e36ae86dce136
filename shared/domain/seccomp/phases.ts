import { assertNever } from '../../util/assert-never.js';
import type { SyscallArch } from '../syscalls/names.js';
import type { ProfileReduction } from './compare.js';
import { reduction } from './compare.js';
import type { GeneratedProfile } from './generate.js';
import { canonicalSyscall, generateProfile, NON_SYSCALL_EVENTS } from './generate.js';

/**
 * Split-phase profiles after SPEAKER (Lei, Sun, Zhu, Zhou and Xie, "SPEAKER: Split-Phase Execution of
 * Application Containers", DIMVA 2017): a container needs many syscalls only while it starts (loading
 * configuration, creating directories, binding sockets) and far fewer once it serves; SPEAKER measured a
 * running-phase set more than 50 % smaller for data stores and 35 % for web servers.
 *
 * Input: per syscall, the first and the last second it was seen (a SyscallSpan). That is all the split
 * needs — the boundary from when new names stop appearing, the startup set from first-seen seconds, the
 * running set from last-seen seconds — so the syscall service can feed it from its per-second buckets
 * (spansFromBuckets), from successive running totals (spansFromSnapshots), or from first/last-seen maps
 * kept per key by the fold (spansFromFirstLast).
 *
 * The boundary is the first second of the running phase: the second the health check turned healthy, or
 * else the second after the first growth that is followed by `quietSeconds` seconds without a new name.
 * Seconds are 1 s buckets, so a second holding both the last start-up calls and the first steady-state ones
 * counts as start-up.
 *
 * The running-phase profile is what the steady state needs (its names ∪ RUNTIME_SYSCALLS). Docker cannot
 * swap a container's filter at the boundary — runc installs one filter before exec and a filter can only be
 * narrowed by the process itself — so the profile is an attack-surface measure, and a profile for a process
 * that installs it itself once started (filters stack: a stricter one added after start-up applies on top
 * of Docker's) or for a container restarted straight into the steady state. Applied with `docker run` from
 * the start, it fails every start-up-only call with EPERM.
 */

/** When a syscall was seen: first and last second (inclusive, any consistent unit of whole seconds). */
export interface SyscallSpan {
  readonly syscall: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** Where the running phase starts, and why there. */
export type PhaseBoundary =
  /** The health check turned healthy at `second`. */
  | { readonly kind: 'health'; readonly second: number }
  /** No new syscall for `quietSeconds` seconds after `lastGrowth`; the running phase starts at `second`. */
  | {
      readonly kind: 'quiet';
      readonly second: number;
      readonly lastGrowth: number;
      readonly quietSeconds: number;
    }
  /** Still growing (or nothing seen): `quietFor` seconds without a new name so far. */
  | { readonly kind: 'none-yet'; readonly lastGrowth: number | null; readonly quietFor: number };

/** Options of splitPhases. */
export interface PhaseOptions {
  readonly arch: SyscallArch;
  /** The second the container's health check turned healthy; wins over the quiet rule. */
  readonly healthyAt?: number | null;
  /** Seconds without a new syscall that end the start-up; default 5. */
  readonly quietSeconds?: number;
  /** The last second observed (the tracer was running); default the last second any syscall was seen. */
  readonly observedUntil?: number;
  /** Passed to generateProfile for both profiles (e.g. RUNTIME_SETUP_SYSCALL_NAMES). */
  readonly exclude?: Iterable<string>;
}

/** The split. Sets are sorted syscall names of the arch (non-syscall events and unknown names dropped). */
export interface PhaseSplit {
  readonly boundary: PhaseBoundary;
  /** Seen before the boundary. */
  readonly startupSet: readonly string[];
  /** Seen at or after the boundary (including names first seen during start-up and used again). */
  readonly runningSet: readonly string[];
  /** Seen before the boundary and never after it. */
  readonly startupOnly: readonly string[];
  /** Profile for the whole life: startupSet ∪ runningSet ∪ RUNTIME_SYSCALLS. */
  readonly wholeProfile: GeneratedProfile;
  /** Profile for the steady state: runningSet ∪ RUNTIME_SYSCALLS; null before a boundary is found. */
  readonly runningProfile: GeneratedProfile | null;
  /**
   * Allowed names of the running-phase profile (`allowed`) against the whole-life one (`defaultAllowed`);
   * null before a boundary.
   */
  readonly reduction: ProfileReduction | null;
}

/** Default quiet stretch that ends the start-up phase. */
export const DEFAULT_QUIET_SECONDS = 5;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Merge spans of the same name (widest span) and drop invalid ones (non-integer, last before first). */
function mergeSpans(spans: Iterable<SyscallSpan>): Map<string, { first: number; last: number }> {
  const out = new Map<string, { first: number; last: number }>();
  for (const s of spans) {
    if (!Number.isInteger(s.firstSeen) || !Number.isInteger(s.lastSeen) || s.lastSeen < s.firstSeen) continue;
    const known = out.get(s.syscall);
    if (known === undefined) out.set(s.syscall, { first: s.firstSeen, last: s.lastSeen });
    else {
      known.first = Math.min(known.first, s.firstSeen);
      known.last = Math.max(known.last, s.lastSeen);
    }
  }
  return out;
}

/** Find the boundary by the quiet rule over the seconds in which new names appeared. */
function quietBoundary(
  growth: readonly number[],
  observedUntil: number,
  quietSeconds: number,
): PhaseBoundary {
  for (let i = 0; i < growth.length; i++) {
    const g = growth[i]!;
    const next = growth[i + 1];
    const quietFor = (next === undefined ? observedUntil + 1 : next) - g - 1;
    if (quietFor >= quietSeconds) return { kind: 'quiet', second: g + 1, lastGrowth: g, quietSeconds };
  }
  const last = growth.at(-1) ?? null;
  return {
    kind: 'none-yet',
    lastGrowth: last,
    quietFor: last === null ? 0 : Math.max(0, observedUntil - last),
  };
}

/**
 * Split a container's syscalls into start-up and running phase and generate the running-phase profile.
 *
 * Names are normalised per name first (non-syscall events such as sysdig's `switch` and names unknown to
 * the arch are dropped), so they neither make the set grow nor end up in a profile.
 */
export function splitPhases(spans: Iterable<SyscallSpan>, options: PhaseOptions): PhaseSplit {
  const { arch } = options;
  const quietSeconds = options.quietSeconds ?? DEFAULT_QUIET_SECONDS;
  if (!Number.isInteger(quietSeconds) || quietSeconds < 1)
    throw new RangeError('quietSeconds must be a positive integer');
  // Fold each observed spelling onto its kernel name; non-syscall events and unknown names drop out.
  const merged = new Map<string, { first: number; last: number }>();
  for (const [name, span] of mergeSpans(spans)) {
    const kernel = NON_SYSCALL_EVENTS.has(name) ? null : canonicalSyscall(name, arch);
    if (kernel === null) continue;
    const m = merged.get(kernel);
    if (m === undefined) merged.set(kernel, { ...span });
    else {
      m.first = Math.min(m.first, span.first);
      m.last = Math.max(m.last, span.last);
    }
  }
  let lastSeen = -Infinity;
  for (const s of merged.values()) lastSeen = Math.max(lastSeen, s.last);
  const observedUntil = options.observedUntil ?? (lastSeen === -Infinity ? 0 : lastSeen);

  let boundary: PhaseBoundary;
  if (options.healthyAt !== undefined && options.healthyAt !== null) {
    boundary = { kind: 'health', second: options.healthyAt };
  } else {
    const growth = [...new Set([...merged.values()].map((s) => s.first))].sort((a, b) => a - b);
    boundary = quietBoundary(growth, observedUntil, quietSeconds);
  }

  const exclude = options.exclude === undefined ? undefined : [...options.exclude];
  const gen = (names: Iterable<string>): GeneratedProfile =>
    generateProfile(names, exclude === undefined ? { arch } : { arch, exclude });
  const all = [...merged.keys()].sort(byName);
  const wholeProfile = gen(all);

  let start: number;
  switch (boundary.kind) {
    case 'health':
    case 'quiet':
      start = boundary.second;
      break;
    case 'none-yet':
      return {
        boundary,
        startupSet: all,
        runningSet: [],
        startupOnly: all,
        wholeProfile,
        runningProfile: null,
        reduction: null,
      };
    default:
      return assertNever(boundary, 'phase boundary');
  }
  const startupSet = all.filter((n) => merged.get(n)!.first < start);
  const runningSet = all.filter((n) => merged.get(n)!.last >= start);
  const running = new Set(runningSet);
  const runningProfile = gen(runningSet);
  return {
    boundary,
    startupSet,
    runningSet,
    startupOnly: startupSet.filter((n) => !running.has(n)),
    wholeProfile,
    runningProfile,
    reduction: reduction(
      runningProfile.metadata.allowed.length,
      wholeProfile.metadata.allowed.length,
      'the running-phase profile',
      'the whole-life profile',
    ),
  };
}

/** One second's bucket: the syscalls made in it (names, or names → counts; a zero count is not a use). */
export interface SecondBucket {
  readonly second: number;
  readonly syscalls: Iterable<string> | Readonly<Record<string, number>>;
}

const isIterable = (v: SecondBucket['syscalls']): v is Iterable<string> =>
  typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';

/** Spans from per-second buckets, in any order (what the fold's 1 s rings hold). */
export function spansFromBuckets(buckets: Iterable<SecondBucket>): SyscallSpan[] {
  const spans = new Map<string, { first: number; last: number }>();
  const see = (name: string, second: number): void => {
    const s = spans.get(name);
    if (s === undefined) spans.set(name, { first: second, last: second });
    else {
      if (second < s.first) s.first = second;
      if (second > s.last) s.last = second;
    }
  };
  for (const b of buckets) {
    if (isIterable(b.syscalls)) for (const name of b.syscalls) see(name, b.second);
    else for (const [name, n] of Object.entries(b.syscalls)) if (n > 0) see(name, b.second);
  }
  return [...spans]
    .sort(([a], [b]) => byName(a, b))
    .map(([syscall, s]) => ({ syscall, firstSeen: s.first, lastSeen: s.last }));
}

/** Running totals at a second (a source's `totals()` taken at intervals). */
export interface TotalsSnapshot {
  readonly second: number;
  readonly bySyscall: Readonly<Record<string, number>>;
}

/**
 * Spans from successive running totals, oldest first: a syscall is seen in a snapshot's second when its
 * total grew since the previous snapshot (or first appears). The first snapshot's counts are taken as
 * made in its own second.
 */
export function spansFromSnapshots(snapshots: Iterable<TotalsSnapshot>): SyscallSpan[] {
  const previous = new Map<string, number>();
  const buckets: SecondBucket[] = [];
  for (const snap of snapshots) {
    const grew: string[] = [];
    for (const [name, total] of Object.entries(snap.bySyscall)) {
      if (total > (previous.get(name) ?? 0)) grew.push(name);
      previous.set(name, total);
    }
    buckets.push({ second: snap.second, syscalls: grew });
  }
  return spansFromBuckets(buckets);
}

/** Per-syscall first and last seconds, as a fold can keep them (name → second). */
export interface FirstLastSeen {
  readonly firstSeen: Readonly<Record<string, number>>;
  readonly lastSeen: Readonly<Record<string, number>>;
}

/**
 * Spans from per-syscall first/last-seen maps (a subject's totals, when its source keeps both); a name
 * missing from `lastSeen` is taken as seen once, at its first second.
 */
export function spansFromFirstLast(seen: FirstLastSeen): SyscallSpan[] {
  return Object.entries(seen.firstSeen)
    .sort(([a], [b]) => byName(a, b))
    .map(([syscall, firstSeen]) => ({ syscall, firstSeen, lastSeen: seen.lastSeen[syscall] ?? firstSeen }));
}
