import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RUNTIME_SYSCALL_NAMES } from '../../../shared/domain/seccomp/generate.js';
import type { SecondBucket, SyscallSpan } from '../../../shared/domain/seccomp/phases.js';
import {
  DEFAULT_QUIET_SECONDS,
  spansFromBuckets,
  spansFromFirstLast,
  spansFromSnapshots,
  splitPhases,
} from '../../../shared/domain/seccomp/phases.js';

const T = 1_700_000_000;

// A web server's life in 1 s buckets: start-up reads config, creates dirs, binds; then it serves.
const START = [
  'execve',
  'brk',
  'mmap',
  'openat',
  'read',
  'close',
  'mkdir',
  'chmod',
  'socket',
  'bind',
  'listen',
];
const SERVE = ['accept4', 'read', 'write', 'close', 'epoll_wait'];
const buckets = (serveSeconds: number, extra: readonly SecondBucket[] = []): SecondBucket[] => [
  { second: T, syscalls: START.slice(0, 6) },
  { second: T + 1, syscalls: START.slice(6) },
  { second: T + 2, syscalls: SERVE },
  ...Array.from({ length: serveSeconds }, (_, i) => ({ second: T + 3 + i, syscalls: SERVE.slice(0, 4) })),
  ...extra,
];

describe('splitPhases', () => {
  it('quiet rule: the boundary follows the first growth that is followed by quietSeconds without a new name', () => {
    const s = splitPhases(spansFromBuckets(buckets(10)), { arch: 'x86_64' });
    // New names in T, T+1, T+2; nothing new from T+3 to T+12 (≥ 5 s), so the running phase starts at T+3.
    expect(s.boundary).toEqual({
      kind: 'quiet',
      second: T + 3,
      lastGrowth: T + 2,
      quietSeconds: DEFAULT_QUIET_SECONDS,
    });
    expect(s.startupSet).toEqual([...new Set([...START, ...SERVE])].sort());
    expect(s.runningSet).toEqual(['accept4', 'close', 'read', 'write']);
    expect(s.startupOnly).toEqual([
      'bind',
      'brk',
      'chmod',
      'epoll_wait',
      'execve',
      'listen',
      'mkdir',
      'mmap',
      'openat',
      'socket',
    ]);
    expect(s.runningProfile!.metadata.allowed).toEqual(
      [...new Set([...s.runningSet, ...RUNTIME_SYSCALL_NAMES])].sort(),
    );
    expect(s.runningProfile!.metadata.allowed).not.toContain('mkdir');
    expect(s.wholeProfile.metadata.allowed).toContain('mkdir');
  });

  it('the reduction is of the running-phase profile against the whole-life one, both with the runtime set', () => {
    const s = splitPhases(spansFromBuckets(buckets(10)), { arch: 'x86_64' });
    const whole = new Set([...START, ...SERVE, ...RUNTIME_SYSCALL_NAMES]).size;
    const running = new Set([...s.runningSet, ...RUNTIME_SYSCALL_NAMES]).size;
    const pct = Math.round((100 * (running - whole)) / whole);
    expect(s.reduction).toEqual({
      allowed: running,
      defaultAllowed: whole,
      reductionPct: pct,
      sentence: `the running-phase profile allows ${running} of the ${whole} syscalls the whole-life profile allows: \u2212${-pct} %`,
    });
  });

  it.each([
    // quietSeconds, serving seconds observed, expected boundary kind
    [5, 3, 'none-yet'],
    [5, 4, 'none-yet'],
    [5, 5, 'quiet'],
    [2, 2, 'quiet'],
    [12, 10, 'none-yet'],
  ] as const)('quietSeconds %i with %i serving seconds observed → %s', (quietSeconds, serve, kind) => {
    const s = splitPhases(spansFromBuckets(buckets(serve)), { arch: 'x86_64', quietSeconds });
    expect(s.boundary.kind).toBe(kind);
    if (s.boundary.kind === 'none-yet') {
      expect(s.boundary).toEqual({ kind: 'none-yet', lastGrowth: T + 2, quietFor: serve });
      expect(s.runningProfile).toBeNull();
      expect(s.reduction).toBeNull();
      expect(s.startupOnly).toEqual(s.startupSet);
    }
  });

  it('observedUntil extends the quiet stretch past the last event (the tracer kept running)', () => {
    const s = splitPhases(spansFromBuckets(buckets(1)), { arch: 'x86_64', observedUntil: T + 8 });
    expect(s.boundary).toEqual({ kind: 'quiet', second: T + 3, lastGrowth: T + 2, quietSeconds: 5 });
  });

  it('a pause inside start-up shorter than quietSeconds does not end it', () => {
    const late: SecondBucket = { second: T + 6, syscalls: ['setsockopt'] }; // 3 s after the last growth
    const s = splitPhases(spansFromBuckets(buckets(12, [late])), { arch: 'x86_64' });
    expect(s.boundary).toMatchObject({ kind: 'quiet', second: T + 7, lastGrowth: T + 6 });
    expect(s.startupOnly).toContain('setsockopt');
  });

  it('health wins over the quiet rule; names first seen later belong to the running phase', () => {
    const late: SecondBucket = { second: T + 9, syscalls: ['fsync'] };
    const s = splitPhases(spansFromBuckets(buckets(10, [late])), { arch: 'x86_64', healthyAt: T + 2 });
    expect(s.boundary).toEqual({ kind: 'health', second: T + 2 });
    expect(s.runningSet).toEqual(['accept4', 'close', 'epoll_wait', 'fsync', 'read', 'write']);
    expect(s.startupSet).not.toContain('fsync');
    expect(s.startupOnly).not.toContain('epoll_wait');
  });

  it('drops non-syscall events and unknown names before looking for growth', () => {
    const noisy: SecondBucket[] = [
      ...buckets(10),
      // A `switch` or an unnamed number appearing late must not restart the start-up phase.
      { second: T + 11, syscalls: ['switch', 'syscall_999', 'read'] },
    ];
    const s = splitPhases(spansFromBuckets(noisy), { arch: 'x86_64' });
    expect(s.boundary).toMatchObject({ kind: 'quiet', second: T + 3 });
    expect(s.runningSet).not.toContain('switch');
  });

  it('folds sysdig spellings onto kernel names', () => {
    const spans: SyscallSpan[] = [
      { syscall: 'sigreturn', firstSeen: T, lastSeen: T },
      { syscall: 'rt_sigreturn', firstSeen: T + 9, lastSeen: T + 9 },
      { syscall: 'read', firstSeen: T, lastSeen: T + 9 },
    ];
    const s = splitPhases(spans, { arch: 'x86_64', healthyAt: T + 5 });
    expect(s.startupSet).toEqual(['read', 'rt_sigreturn']);
    expect(s.runningSet).toEqual(['read', 'rt_sigreturn']);
    expect(s.startupOnly).toEqual([]);
  });

  it('nothing seen: none-yet, empty sets', () => {
    const s = splitPhases([], { arch: 'aarch64' });
    expect(s.boundary).toEqual({ kind: 'none-yet', lastGrowth: null, quietFor: 0 });
    expect(s.startupSet).toEqual([]);
    expect(s.wholeProfile.metadata.allowed).toEqual(RUNTIME_SYSCALL_NAMES);
  });

  it('refuses a quietSeconds that is not a positive integer', () => {
    expect(() => splitPhases([], { arch: 'x86_64', quietSeconds: 0 })).toThrow(RangeError);
  });

  it('properties: startupOnly ⊆ startupSet, runningSet ∩ startupOnly = ∅, every name is in one of the sets', () => {
    const names = ['read', 'write', 'openat', 'close', 'mmap', 'brk', 'futex', 'mkdir', 'chmod', 'execve'];
    const bucket = fc.record({
      second: fc.integer({ min: 0, max: 40 }),
      syscalls: fc.subarray(names, { minLength: 1 }),
    });
    fc.assert(
      fc.property(
        fc.array(bucket, { maxLength: 30 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        (bs, healthyAt) => {
          const spans = spansFromBuckets(bs);
          const s = splitPhases(spans, {
            arch: 'x86_64',
            quietSeconds: 3,
            ...(healthyAt !== undefined ? { healthyAt } : {}),
          });
          const startup = new Set(s.startupSet);
          const running = new Set(s.runningSet);
          for (const n of s.startupOnly) {
            expect(startup.has(n)).toBe(true);
            expect(running.has(n)).toBe(false);
          }
          for (const sp of spans) expect(startup.has(sp.syscall) || running.has(sp.syscall)).toBe(true);
          if (s.runningProfile !== null) {
            for (const n of s.startupOnly) {
              if (!RUNTIME_SYSCALL_NAMES.includes(n))
                expect(s.runningProfile.metadata.allowed).not.toContain(n);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('spans from buckets and snapshots', () => {
  it('spansFromBuckets: first and last second per name, counts of zero ignored, any order', () => {
    const spans = spansFromBuckets([
      { second: 12, syscalls: { read: 3, write: 0 } },
      { second: 10, syscalls: ['read', 'openat'] },
      { second: 11, syscalls: new Set(['write']) },
    ]);
    expect(spans).toEqual([
      { syscall: 'openat', firstSeen: 10, lastSeen: 10 },
      { syscall: 'read', firstSeen: 10, lastSeen: 12 },
      { syscall: 'write', firstSeen: 11, lastSeen: 11 },
    ]);
  });

  it('spansFromSnapshots: a name is seen in a second when its running total grew', () => {
    const spans = spansFromSnapshots([
      { second: 100, bySyscall: { execve: 1, read: 5 } },
      { second: 100, bySyscall: { execve: 1, read: 9 } },
      { second: 101, bySyscall: { execve: 1, read: 9, mkdir: 1 } },
      { second: 102, bySyscall: { execve: 1, read: 20, mkdir: 1 } },
      { second: 103, bySyscall: { execve: 1, read: 20, mkdir: 1 } },
    ]);
    expect(spans).toEqual([
      { syscall: 'execve', firstSeen: 100, lastSeen: 100 },
      { syscall: 'mkdir', firstSeen: 101, lastSeen: 101 },
      { syscall: 'read', firstSeen: 100, lastSeen: 102 },
    ]);
  });

  it('spansFromFirstLast: from the maps a fold keeps; a missing last second is the first', () => {
    expect(spansFromFirstLast({ firstSeen: { write: 5, read: 3 }, lastSeen: { read: 9 } })).toEqual([
      { syscall: 'read', firstSeen: 3, lastSeen: 9 },
      { syscall: 'write', firstSeen: 5, lastSeen: 5 },
    ]);
  });
});
