import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { SyscallAggregate } from '../../../shared/domain/syscalls/aggregate.js';
import {
  addCount,
  addOverflow,
  advanceTo,
  createAggregate,
  createKeyTable,
  internKey,
  makeFrame,
  markNoData,
  subjectTotals,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { Subject, SysdigContainerId } from '../../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../../shared/domain/syscalls/model.js';

const A: Subject = { kind: 'container', id: 'aaaaaaaaaaaa' as SysdigContainerId, name: 'web' };
const B: Subject = { kind: 'container', id: 'bbbbbbbbbbbb' as SysdigContainerId, name: 'db' };
const HOST: Subject = { kind: 'host' };
const NA: Subject = { kind: 'unattributed' };
const SUBJECTS = [A, B, HOST, NA];
const T0 = 1_481_211_698;

function fold(agg: SyscallAggregate, events: readonly (readonly [number, Subject, string])[]): void {
  for (const [second, subject, syscall] of events) {
    const key = internKey(agg.keys, subject, syscall);
    if (key < 0) addOverflow(agg, second);
    else addCount(agg, second, key);
  }
}

describe('the fold', () => {
  it('counts per subject and per syscall, in the window and since start', () => {
    const agg = createAggregate(createKeyTable(), 10);
    fold(agg, [
      [T0, A, 'read'],
      [T0, A, 'read'],
      [T0, A, 'write'],
      [T0 + 1, HOST, 'read'],
      [T0 + 2, NA, 'switch'],
      [T0 + 2, B, 'futex'],
    ]);
    const frame = makeFrame(agg, T0 + 2, { seq: 7 });
    expect(frame.seq).toBe(7);
    expect(frame.now).toBe(T0 + 2);
    expect(frame.totalEvents).toBe(6);
    // Containers by id, then host, then unattributed — unattributed is its own subject, not host.
    expect(frame.subjects.map((s) => subjectToken(s.subject))).toEqual([
      'aaaaaaaaaaaa',
      'bbbbbbbbbbbb',
      'host',
      '<NA>',
    ]);
    const a = frame.subjects[0]!;
    expect(a.subject).toEqual(A);
    expect(a.top).toEqual([
      { syscall: 'read', window: 2, total: 2 },
      { syscall: 'write', window: 1, total: 1 },
    ]);
    expect(a.window).toBe(3);
    expect(a.perSecond.slice(-3)).toEqual([3, 0, 0]);
    expect(frame.subjects[3]!.top).toEqual([{ syscall: 'switch', window: 1, total: 1 }]);
    expect(subjectTotals(agg)).toEqual([
      {
        subject: A,
        total: 3,
        bySyscall: { read: 2, write: 1 },
        firstSeen: { read: T0, write: T0 },
        lastSeen: { read: T0, write: T0 },
      },
      {
        subject: B,
        total: 1,
        bySyscall: { futex: 1 },
        firstSeen: { futex: T0 + 2 },
        lastSeen: { futex: T0 + 2 },
      },
      {
        subject: HOST,
        total: 1,
        bySyscall: { read: 1 },
        firstSeen: { read: T0 + 1 },
        lastSeen: { read: T0 + 1 },
      },
      {
        subject: NA,
        total: 1,
        bySyscall: { switch: 1 },
        firstSeen: { switch: T0 + 2 },
        lastSeen: { switch: T0 + 2 },
      },
    ]);
  });

  it('raises the built-in alerts from the counts: one per subject and syscall, worst first, with first/last seen', () => {
    const agg = createAggregate(createKeyTable(), 5);
    fold(agg, [
      [T0, A, 'read'],
      [T0, A, 'mount'],
      [T0 + 1, A, 'mount'],
      [T0 + 1, B, 'ptrace'],
      [T0 + 2, B, 'open_by_handle_at'],
      [T0 + 9, A, 'mount'],
      [T0 + 9, HOST, 'futex'],
    ]);
    const alerts = makeFrame(agg, T0 + 9, { seq: 0 }).alerts ?? [];
    expect(
      alerts.map((a) => [subjectToken(a.subject), a.syscall, a.severity, a.firstSeen, a.lastSeen, a.total]),
    ).toEqual([
      ['bbbbbbbbbbbb', 'open_by_handle_at', 'critical', T0 + 2, T0 + 2, 1],
      ['aaaaaaaaaaaa', 'mount', 'high', T0, T0 + 9, 3],
      ['bbbbbbbbbbbb', 'ptrace', 'high', T0 + 1, T0 + 1, 1],
    ]);
    // Nothing a container rarely needs: no alert.
    const quiet = createAggregate(createKeyTable(), 5);
    fold(quiet, [
      [T0, A, 'read'],
      [T0, A, 'write'],
      [T0, A, 'futex'],
    ]);
    expect(makeFrame(quiet, T0, { seq: 0 }).alerts).toEqual([]);
  });

  it('keeps the earliest second each syscall was seen, a late event included, after it left the window', () => {
    const agg = createAggregate(createKeyTable(), 3);
    fold(agg, [
      [T0 + 5, A, 'read'],
      [T0 + 4, A, 'read'],
      [T0 + 6, A, 'mkdir'],
      [T0 + 20, A, 'read'],
      [T0 + 21, A, 'write'],
    ]);
    expect(subjectTotals(agg)[0]!.firstSeen).toEqual({ read: T0 + 4, mkdir: T0 + 6, write: T0 + 21 });
    expect(subjectTotals(agg)[0]!.lastSeen).toEqual({ read: T0 + 20, mkdir: T0 + 6, write: T0 + 21 });
  });

  it('rolls the window: old buckets leave the window, totals stay', () => {
    const agg = createAggregate(createKeyTable(), 5);
    fold(agg, [
      [T0, A, 'read'],
      [T0 + 4, A, 'read'],
    ]);
    expect(makeFrame(agg, T0 + 4, { seq: 0 }).subjects[0]!.top[0]).toEqual({
      syscall: 'read',
      window: 2,
      total: 2,
    });
    fold(agg, [[T0 + 5, A, 'write']]);
    const f = makeFrame(agg, T0 + 5, { seq: 1 });
    expect(f.subjects[0]!.top).toEqual([
      { syscall: 'read', window: 1, total: 2 },
      { syscall: 'write', window: 1, total: 1 },
    ]);
    // A jump longer than the window empties it.
    fold(agg, [[T0 + 100, B, 'read']]);
    const g = makeFrame(agg, T0 + 100, { seq: 2 });
    expect(g.subjects.map((s) => [subjectToken(s.subject), s.window, s.total])).toEqual([
      ['aaaaaaaaaaaa', 0, 3],
      ['bbbbbbbbbbbb', 1, 1],
    ]);
  });

  it('makeFrame reads without changing the fold, also for a `now` after the head', () => {
    const agg = createAggregate(createKeyTable(), 5);
    fold(agg, [
      [T0, A, 'read'],
      [T0 + 2, A, 'read'],
    ]);
    const later = makeFrame(agg, T0 + 6, { seq: 0 });
    expect(later.now).toBe(T0 + 6);
    expect(later.subjects[0]!.window).toBe(1); // T0 left the window (T0+2 … T0+6)
    expect(later.subjects[0]!.perSecond.slice(-5)).toEqual([1, 0, 0, 0, 0]);
    const again = makeFrame(agg, T0 + 6, { seq: 0 });
    expect(again).toEqual(later);
    expect(makeFrame(agg, T0 + 2, { seq: 0 }).subjects[0]!.window).toBe(2);
    expect(makeFrame(agg, T0 + 20, { seq: 0 }).subjects[0]).toMatchObject({ window: 0, total: 2 });
  });

  it('counts a late event in the totals but not in the window', () => {
    const agg = createAggregate(createKeyTable(), 5);
    fold(agg, [
      [T0 + 10, A, 'read'],
      [T0 + 3, A, 'read'],
      [T0 + 8, A, 'read'],
    ]);
    const f = makeFrame(agg, T0 + 10, { seq: 0 });
    expect(f.dropped.late).toBe(1);
    expect(f.subjects[0]).toMatchObject({ window: 2, total: 3 });
  });

  it('lists the top N syscalls and sums the rest', () => {
    const agg = createAggregate(createKeyTable(), 60);
    const events: [number, Subject, string][] = [];
    ['a', 'b', 'c', 'd', 'e'].forEach((name, i) => {
      for (let n = 0; n <= i; n++) events.push([T0, A, name]);
    });
    fold(agg, events);
    const f = makeFrame(agg, T0, { seq: 0, topN: 2 });
    expect(f.subjects[0]!.top.map((c) => c.syscall)).toEqual(['e', 'd']);
    expect(f.subjects[0]!.rest).toEqual({ syscalls: 3, window: 6, total: 6 });
    expect(f.subjects[0]!.window).toBe(15);
  });

  it('breaks ties by total, then by name', () => {
    const agg = createAggregate(createKeyTable(), 2);
    fold(agg, [
      [T0, A, 'zz'],
      [T0, A, 'zz'],
      [T0 + 2, A, 'zz'],
      [T0 + 2, A, 'bb'],
      [T0 + 2, A, 'aa'],
    ]);
    expect(makeFrame(agg, T0 + 2, { seq: 0 }).subjects[0]!.top.map((c) => c.syscall)).toEqual([
      'zz',
      'aa',
      'bb',
    ]);
  });

  it('names a container when a later event brings its name', () => {
    const keys = createKeyTable();
    internKey(keys, { kind: 'container', id: 'cccccccccccc' as SysdigContainerId, name: null }, 'read');
    internKey(
      keys,
      { kind: 'container', id: 'cccccccccccc' as SysdigContainerId, name: 'late-name' },
      'write',
    );
    expect(keys.subjects).toEqual([{ kind: 'container', id: 'cccccccccccc', name: 'late-name' }]);
  });
});

describe('bounds', () => {
  it('drops and counts events for new pairs beyond maxKeys; memory stays at maxKeys rings', () => {
    const agg = createAggregate(createKeyTable(3), 10);
    const events: [number, Subject, string][] = [];
    for (let i = 0; i < 10_000; i++) events.push([T0 + (i % 5), A, `sys_${i % 1000}`]);
    fold(agg, events);
    expect(agg.keys.keySyscall).toEqual(['sys_0', 'sys_1', 'sys_2']);
    expect(agg.rings.length).toBe(3);
    const f = makeFrame(agg, T0 + 4, { seq: 0 });
    expect(f.keys).toEqual({ used: 3, max: 3 });
    expect(f.totalEvents).toBe(30);
    expect(f.dropped.overflow).toBe(10_000 - 30);
    // Every second lost events, so every second is marked.
    expect(f.gaps.filter((g) => g.reason === 'dropped')).toEqual([
      { from: T0, to: T0 + 4, reason: 'dropped' },
    ]);
  });

  it('refuses unreasonable sizes', () => {
    expect(() => createKeyTable(0)).toThrow(RangeError);
    expect(() => createAggregate(createKeyTable(), 0)).toThrow(RangeError);
    expect(() => createAggregate(createKeyTable(), 3601)).toThrow(RangeError);
  });
});

describe('gap markers', () => {
  it('marks the seconds before the source started, and gaps the source reports', () => {
    const agg = createAggregate(createKeyTable(), 10);
    advanceTo(agg, T0);
    fold(agg, [[T0 + 5, A, 'read']]);
    markNoData(agg, T0 + 2, T0 + 3);
    const f = makeFrame(agg, T0 + 5, { seq: 0 });
    expect(f.gaps).toEqual([
      { from: T0 - 4, to: T0 - 1, reason: 'no-data' },
      { from: T0 + 2, to: T0 + 3, reason: 'no-data' },
    ]);
  });

  it('an empty fold is all no-data and has no subjects', () => {
    const f = makeFrame(createAggregate(createKeyTable(), 600), T0, { seq: 0 });
    expect(f.subjects).toEqual([]);
    expect(f.totalEvents).toBe(0);
    expect(f.gaps).toEqual([{ from: T0 - 599, to: T0, reason: 'no-data' }]);
  });
});

describe('against a brute-force model (property)', () => {
  const eventArb = fc.tuple(
    fc.integer({ min: 0, max: 40 }),
    fc.constantFrom(...SUBJECTS),
    fc.constantFrom('read', 'write', 'futex', 'switch'),
  );

  it('window counts, totals, late drops and per-second series match a plain recount', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 200 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 15 }),
        (raw, w, extra) => {
          const events = raw.map(([s, subj, sc]) => [T0 + s, subj, sc] as const);
          const agg = createAggregate(createKeyTable(), w);
          fold(agg, events);
          if (events.length === 0) return;
          const head = Math.max(...events.map((e) => e[0]));
          const end = head + extra;
          const series = Math.min(w, 8);
          const frame = makeFrame(agg, end, { seq: 0, topN: 100, seriesSeconds: series });

          // Recount: an event is late if it is a window or more behind the newest second seen so far.
          const expected = new Map<string, { window: number; total: number }>();
          const perSecond = new Map<string, number[]>();
          let seen = -Infinity;
          let late = 0;
          for (const [second, subject, syscall] of events) {
            seen = Math.max(seen, second);
            const k = `${subjectToken(subject)} ${syscall}`;
            const e = expected.get(k) ?? { window: 0, total: 0 };
            e.total++;
            const isLate = second <= seen - w;
            if (isLate) late++;
            if (!isLate && second > end - w) e.window++;
            expected.set(k, e);
            if (!isLate && second > end - series) {
              const row = perSecond.get(subjectToken(subject)) ?? new Array<number>(series).fill(0);
              row[second - (end - series + 1)]!++;
              perSecond.set(subjectToken(subject), row);
            }
          }
          const actual = new Map<string, { window: number; total: number }>();
          for (const s of frame.subjects) {
            for (const c of s.top)
              actual.set(`${subjectToken(s.subject)} ${c.syscall}`, { window: c.window, total: c.total });
            expect(s.perSecond).toEqual(
              perSecond.get(subjectToken(s.subject)) ?? new Array<number>(series).fill(0),
            );
          }
          expect(actual).toEqual(expected);
          expect(frame.dropped.late).toBe(late);
          expect(frame.totalEvents).toBe(events.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
