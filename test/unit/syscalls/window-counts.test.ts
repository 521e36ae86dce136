import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  addCount,
  addOverflow,
  advanceTo,
  countsBetween,
  createAggregate,
  createKeyTable,
  heldSeconds,
  internKey,
  readWindow,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { SyscallAggregate } from '../../../shared/domain/syscalls/aggregate.js';
import type { Subject, SubjectTotals, SysdigContainerId } from '../../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../../shared/domain/syscalls/model.js';

const A: Subject = { kind: 'container', id: 'aaaaaaaaaaaa' as SysdigContainerId, name: 'web' };
const B: Subject = { kind: 'container', id: 'bbbbbbbbbbbb' as SysdigContainerId, name: 'db' };
const HOST: Subject = { kind: 'host' };
const NA: Subject = { kind: 'unattributed' };
const SUBJECTS = [A, B, HOST, NA];
const SYSCALLS = ['read', 'write', 'futex', 'ptrace', 'openat'];
const T0 = 1_700_000_000;

type Event = readonly [second: number, subject: Subject, syscall: string, n: number];

/**
 * The oracle: replays the events the way the fold sees them (the head moves forward with the newest
 * second; an event older than the window at its arrival is late and never in a bucket), keeps every event
 * that made it into a bucket, and at the end counts those in [from, to] that the window still holds.
 */
function oracle(
  events: readonly Event[],
  w: number,
  maxKeys: number,
  from: number,
  to: number,
): Map<string, Map<string, { n: number; first: number; last: number }>> {
  let head: number | null = null;
  let start: number | null = null;
  const pairs = new Set<string>();
  const bucketed: Event[] = [];
  for (const e of events) {
    const [second, subject, syscall] = e;
    const pair = `${subjectToken(subject)} ${syscall}`;
    if (!pairs.has(pair)) {
      if (pairs.size >= maxKeys) {
        if (head === null || second > head) head = second;
        start ??= second;
        continue;
      }
      pairs.add(pair);
    }
    if (head === null || second > head) head = second;
    start ??= second;
    if (second <= head - w) continue; // late
    if (second < start) start = second;
    bucketed.push(e);
  }
  type Counts = Map<string, { n: number; first: number; last: number }>;
  const out = new Map<string, Counts>();
  if (head === null || start === null) return out;
  const lo = Math.max(from, head - w + 1, start);
  const hi = Math.min(to, head);
  for (const [second, subject, syscall, n] of bucketed) {
    if (second < lo || second > hi) continue;
    const token = subjectToken(subject);
    let m = out.get(token);
    if (m === undefined) {
      m = new Map() as Counts;
      out.set(token, m);
    }
    const c = m.get(syscall) ?? { n: 0, first: second, last: second };
    m.set(syscall, { n: c.n + n, first: Math.min(c.first, second), last: Math.max(c.last, second) });
  }
  return out;
}

function fold(agg: SyscallAggregate, events: readonly Event[]): void {
  for (const [second, subject, syscall, n] of events) {
    const key = internKey(agg.keys, subject, syscall);
    if (key < 0) addOverflow(agg, second, n);
    else addCount(agg, second, key, n);
  }
}

function asMap(
  totals: readonly SubjectTotals[],
): Map<string, Map<string, { n: number; first: number; last: number }>> {
  const out = new Map<string, Map<string, { n: number; first: number; last: number }>>();
  for (const t of totals) {
    const m = new Map<string, { n: number; first: number; last: number }>();
    let sum = 0;
    for (const [name, n] of Object.entries(t.bySyscall)) {
      m.set(name, { n, first: t.firstSeen?.[name] ?? -1, last: t.lastSeen?.[name] ?? -1 });
      sum += n;
    }
    expect(t.total).toBe(sum);
    out.set(subjectToken(t.subject), m);
  }
  return out;
}

describe('window counts between two seconds', () => {
  it('counts only the seconds asked for, with first and last seen inside them', () => {
    const agg = createAggregate(createKeyTable(), 10);
    fold(agg, [
      [T0, A, 'read', 2],
      [T0 + 1, A, 'read', 1],
      [T0 + 1, A, 'ptrace', 1],
      [T0 + 3, B, 'write', 5],
      [T0 + 4, A, 'read', 4],
    ]);
    expect(heldSeconds(agg)).toEqual({ from: T0, to: T0 + 4 });
    expect(countsBetween(agg, T0 + 1, T0 + 3)).toEqual([
      {
        subject: A,
        total: 2,
        bySyscall: { read: 1, ptrace: 1 },
        firstSeen: { read: T0 + 1, ptrace: T0 + 1 },
        lastSeen: { read: T0 + 1, ptrace: T0 + 1 },
      },
      {
        subject: B,
        total: 5,
        bySyscall: { write: 5 },
        firstSeen: { write: T0 + 3 },
        lastSeen: { write: T0 + 3 },
      },
    ]);
    expect(countsBetween(agg, T0 + 5, T0 + 9)).toEqual([]);
    expect(countsBetween(agg, T0 + 3, T0 + 1)).toEqual([]);
  });

  it('seconds that fell out of the window count nothing, however far back the range goes', () => {
    const agg = createAggregate(createKeyTable(), 5);
    fold(agg, [
      [T0, A, 'read', 7],
      [T0 + 10, A, 'read', 1],
    ]);
    advanceTo(agg, T0 + 12);
    expect(heldSeconds(agg)).toEqual({ from: T0 + 8, to: T0 + 12 });
    expect(countsBetween(agg, 0, T0 + 100)).toEqual([
      {
        subject: A,
        total: 1,
        bySyscall: { read: 1 },
        firstSeen: { read: T0 + 10 },
        lastSeen: { read: T0 + 10 },
      },
    ]);
    const w = readWindow(agg, 3);
    expect(w).toMatchObject({ from: T0 + 10, to: T0 + 12, topOnly: false });
    expect(w?.subjects.map((s) => s.total)).toEqual([1]);
    expect(readWindow(agg, null)?.from).toBe(T0 + 8);
  });

  it('an empty fold holds nothing', () => {
    const agg = createAggregate(createKeyTable(), 5);
    expect(heldSeconds(agg)).toBeNull();
    expect(countsBetween(agg, 0, T0)).toEqual([]);
    expect(readWindow(agg, null)).toBeNull();
  });

  it('equals the brute-force oracle on random event streams, late events and overflow included', () => {
    const event = fc.tuple(
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom(...SUBJECTS),
      fc.constantFrom(...SYSCALLS),
      fc.integer({ min: 1, max: 5 }),
    );
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: -5, max: 45 }),
        fc.integer({ min: 0, max: 50 }),
        (raw, w, maxKeys, from, len) => {
          const events: Event[] = raw.map(([s, subject, syscall, n]) => [T0 + s, subject, syscall, n]);
          const agg = createAggregate(createKeyTable(maxKeys), w);
          fold(agg, events);
          const got = asMap(countsBetween(agg, T0 + from, T0 + from + len));
          expect(got).toEqual(oracle(events, w, maxKeys, T0 + from, T0 + from + len));
        },
      ),
      { numRuns: 500 },
    );
  });
});
