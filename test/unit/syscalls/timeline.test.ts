import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  addCount,
  createAggregate,
  createKeyTable,
  makeFrame,
  subjectTotals,
} from '../../../shared/domain/syscalls/aggregate.js';
import {
  createAggregateSink,
  createSysdigSink,
  timelineTarget,
} from '../../../shared/domain/syscalls/sysdig-fold.js';
import { createSysdigLineSplitter } from '../../../shared/domain/syscalls/sysdig-line.js';
import {
  applyTimeline,
  createTimeline,
  flushTimeline,
  timelineAdd,
  timelineOverflow,
} from '../../../shared/domain/syscalls/timeline.js';

const T0 = 1_485_464_530;

describe('timeline (the replay buffer)', () => {
  it('re-folds to exactly what a direct fold gives, at any position (property)', () => {
    fc.assert(
      fc.property(
        // Time-ordered events, as sysdig prints a capture: (second offset, key).
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 9 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 0, max: 400 }),
        (steps, at) => {
          let second = T0;
          const events = steps.map(([dt, key]) => [(second += dt), key] as const);
          const keys = createKeyTable(10);
          for (let k = 0; k < 10; k++) keys.keySyscall.push(`s${k}`); // keys exist; subjects unused here
          const tl = createTimeline(10);
          for (const [s, k] of events) timelineAdd(tl, s, k);
          flushTimeline(tl);
          const position = T0 + (at % (second - T0 + 1));

          const direct = createAggregate(keys, 7);
          for (const [s, k] of events) if (s <= position) addCount(direct, s, k);
          const replayed = createAggregate(keys, 7);
          applyTimeline(tl, replayed, 0, position);

          expect(replayed.total).toEqual(direct.total);
          expect(replayed.windowSum).toEqual(direct.windowSum);
          expect(replayed.totalEvents).toBe(direct.totalEvents);
          expect(tl.events).toBe(events.length);
          expect(tl.length).toBeLessThanOrEqual(events.length);
        },
      ),
    );
  });

  it('continues from where it stopped', () => {
    const keys = createKeyTable(4);
    keys.keySyscall.push('a', 'b');
    const tl = createTimeline(4);
    timelineAdd(tl, T0, 0);
    timelineAdd(tl, T0 + 1, 1);
    timelineAdd(tl, T0 + 2, 1);
    flushTimeline(tl);
    const agg = createAggregate(keys, 10);
    const next = applyTimeline(tl, agg, 0, T0 + 1);
    expect(next).toBe(2);
    expect(agg.totalEvents).toBe(2);
    expect(applyTimeline(tl, agg, next, T0 + 5)).toBe(3);
    expect(agg.totalEvents).toBe(3);
    expect(tl.first).toBe(T0);
    expect(tl.last).toBe(T0 + 2);
  });

  it('is bounded: beyond maxEntries, seconds are kept as overflow counts only', () => {
    const keys = createKeyTable(100);
    for (let k = 0; k < 100; k++) keys.keySyscall.push(`s${k}`);
    const tl = createTimeline(100, 150);
    for (let s = 0; s < 4; s++) for (let k = 0; k < 60; k++) timelineAdd(tl, T0 + s, k);
    timelineOverflow(tl, T0 + 3, 5);
    flushTimeline(tl);
    expect(tl.length).toBe(120); // two seconds of 60 entries fit, the third would pass 150
    expect(tl.full).toBe(true);
    const agg = createAggregate(keys, 10);
    applyTimeline(tl, agg, 0, T0 + 10);
    expect(agg.totalEvents).toBe(120);
    expect(agg.overflow).toBe(120 + 5);
  });
});

// Real sysdig lines (k8s capture) through the sink into both targets.
const LINES = [
  '1481211698 <NA> switch <NA>',
  '1481211698 host select host',
  '1481211698 host select host',
  '1481211699 53fe249c71de futex k8s-proxy',
  '1481211699 53fe249c71de futex k8s-proxy',
  '1481211699 53fe249c71de read k8s-proxy',
  '1481211699 de7157ba23c4 <unknown> k8s-kubelet',
  'a line that is not one',
].join('\n');

describe('createSysdigSink', () => {
  it('folds real lines straight into rolling counts, counting refused lines', () => {
    const agg = createAggregate(createKeyTable(), 600);
    const sink = createAggregateSink(agg);
    const split = createSysdigLineSplitter(sink);
    split.push(LINES + '\n');
    split.end();
    expect(sink.malformedCount).toBe(1);
    expect(sink.malformedByReason).toEqual({ 'bad-time': 1 });
    expect(sink.malformedSamples).toEqual(['a line that is not one']);
    expect(agg.malformed).toBe(1);
    expect(subjectTotals(agg)).toEqual([
      {
        subject: { kind: 'container', id: '53fe249c71de', name: 'k8s-proxy' },
        total: 3,
        bySyscall: { futex: 2, read: 1 },
        firstSeen: { futex: 1481211699, read: 1481211699 },
        lastSeen: { futex: 1481211699, read: 1481211699 },
      },
      {
        subject: { kind: 'container', id: 'de7157ba23c4', name: 'k8s-kubelet' },
        total: 1,
        bySyscall: { '<unknown>': 1 },
        firstSeen: { '<unknown>': 1481211699 },
        lastSeen: { '<unknown>': 1481211699 },
      },
      {
        subject: { kind: 'host' },
        total: 2,
        bySyscall: { select: 2 },
        firstSeen: { select: 1481211698 },
        lastSeen: { select: 1481211698 },
      },
      {
        subject: { kind: 'unattributed' },
        total: 1,
        bySyscall: { switch: 1 },
        firstSeen: { switch: 1481211698 },
        lastSeen: { switch: 1481211698 },
      },
    ]);
    expect(makeFrame(agg, 1481211699, { seq: 0 }).dropped).toEqual({ overflow: 0, late: 0, malformed: 1 });
  });

  it('gives the same totals through the replay buffer', () => {
    const direct = createAggregate(createKeyTable(), 600);
    const s1 = createSysdigLineSplitter(createAggregateSink(direct));
    s1.push(LINES + '\n');
    s1.end();

    const keys = createKeyTable();
    const tl = createTimeline(keys.maxKeys);
    const s2 = createSysdigLineSplitter(createSysdigSink(keys, timelineTarget(tl)));
    s2.push(LINES + '\n');
    s2.end();
    flushTimeline(tl);
    const replayed = createAggregate(keys, 600);
    applyTimeline(tl, replayed, 0, tl.last);
    expect(subjectTotals(replayed)).toEqual(subjectTotals(direct));
  });

  it('counts an overflow when the key table is full', () => {
    const agg = createAggregate(createKeyTable(2), 600);
    const split = createSysdigLineSplitter(createAggregateSink(agg));
    split.push(LINES + '\n');
    split.end();
    expect(agg.keys.keySyscall).toEqual(['switch', 'select']);
    expect(agg.totalEvents).toBe(3);
    expect(agg.overflow).toBe(4);
  });
});
