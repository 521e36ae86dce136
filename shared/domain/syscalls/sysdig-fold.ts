import type { KeyTable, SyscallAggregate } from './aggregate.js';
import { addCount, addMalformed, addOverflow, internKey } from './aggregate.js';
import type { ParseErrorReason } from './model.js';
import type { SysdigChunkSink } from './sysdig-line.js';
import { toSubject } from './sysdig-line.js';
import type { Timeline } from './timeline.js';
import { timelineAdd, timelineOverflow } from './timeline.js';

/** Where parsed sysdig events go once they have a key. */
export interface KeyedEventTarget {
  count(second: number, key: number): void;
  /** An event whose (subject, syscall) pair did not fit in the key table. */
  overflow(second: number): void;
}

/** A SysdigChunkSink that also tells how many lines it refused, by reason, with a few examples. */
export interface CountingSink extends SysdigChunkSink {
  readonly malformedCount: number;
  readonly malformedByReason: Readonly<Partial<Record<ParseErrorReason, number>>>;
  /** The first few refused lines (at most 5, each at most 200 characters), for diagnostics. */
  readonly malformedSamples: readonly string[];
}

/**
 * The bridge from parseSysdigChunk to a fold: looks up the key of each `id type` pair (one substring and
 * one Map lookup per event; the subject and name are built only for a pair not seen before).
 */
export function createSysdigSink(
  keys: KeyTable,
  target: KeyedEventTarget,
  onMalformed?: (reason: ParseErrorReason) => void,
): CountingSink {
  const byPair = keys.byPair;
  const byReason: Partial<Record<ParseErrorReason, number>> = {};
  const samples: string[] = [];
  let malformed = 0;
  return {
    event(second, text, idStart, idEnd, typeEnd, lineEnd) {
      const pair = text.slice(idStart, typeEnd);
      let key = byPair.get(pair);
      if (key === undefined) {
        const subject = toSubject(text.slice(idStart, idEnd), text.slice(typeEnd + 1, lineEnd));
        key = internKey(keys, subject, text.slice(idEnd + 1, typeEnd));
        if (key < 0) {
          target.overflow(second);
          return;
        }
      }
      target.count(second, key);
    },
    malformed(reason, text, start, end) {
      malformed++;
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      if (samples.length < 5) samples.push(text.slice(start, Math.min(end, start + 200)));
      onMalformed?.(reason);
    },
    get malformedCount() {
      return malformed;
    },
    malformedByReason: byReason,
    malformedSamples: samples,
  };
}

/** A target that folds straight into rolling counts (live sources). */
export function aggregateTarget(agg: SyscallAggregate): KeyedEventTarget {
  return {
    count: (second, key) => addCount(agg, second, key, 1),
    overflow: (second) => addOverflow(agg, second, 1),
  };
}

/** A target that buffers per-second counts for a replay. */
export function timelineTarget(tl: Timeline): KeyedEventTarget {
  return {
    count: (second, key) => timelineAdd(tl, second, key),
    overflow: (second) => timelineOverflow(tl, second, 1),
  };
}

/** A sink folding into `agg` that counts refused lines into it too. */
export function createAggregateSink(agg: SyscallAggregate): CountingSink {
  return createSysdigSink(agg.keys, aggregateTarget(agg), () => addMalformed(agg, 1));
}
