import { COUNT_MAP, RUNTIME_MAP, SNAPSHOT_BEGIN, SNAPSHOT_END } from './bpftrace-program.js';

/**
 * The parser of bpftrace's output for the eBPF source (pure: no I/O, no clock).
 *
 * bpftrace prints, every interval, `#B`, then one line per map entry — `@c[CGROUP, NR]: COUNT` — and an
 * empty line, then `#E`. Text arrives in chunks cut anywhere; lines are reassembled here. A snapshot is
 * handed on only when its `#E` arrives, so a snapshot cut short (bpftrace killed in the middle of a
 * print) is never half-counted. Lines that are not what bpftrace prints are counted as malformed and
 * skipped; bpftrace's own banner (`Attaching N probes...`) is not malformed.
 */

/** One entry of a snapshot: the cgroup id (decimal text, as ids can exceed 2^53), syscall number, count. */
export interface BpfCount {
  readonly cgroup: string;
  readonly nr: number;
  readonly count: number;
  /** Set on entries of the runtime map (`@r`): the container runtime's own calls, also counted in `@c`. */
  readonly runtime?: true;
}

/** Receives complete snapshots and malformed lines. */
export interface BpfOutputSink {
  snapshot(entries: readonly BpfCount[]): void;
  /** A line that is not bpftrace output (or a snapshot cut short: its lines are counted here). */
  malformed(line: string, count: number): void;
}

/** Longest line accepted: the longest entry is ~70 characters. */
const MAX_LINE = 200;
const ENTRY = new RegExp(`^(${COUNT_MAP}|${RUNTIME_MAP})\\[(\\d{1,20}), (-?\\d{1,10})\\]: (\\d{1,20})$`);
const BANNER = /^Attaching \d+ probes?\.\.\.$/;

/** Parse one line outside the markers' logic: an entry, or null when it is not one. */
export function parseEntry(line: string): BpfCount | null {
  if (line.length > MAX_LINE) return null;
  const m = ENTRY.exec(line);
  if (m === null) return null;
  const nr = Number(m[3]);
  const count = Number(m[4]);
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(nr)) return null;
  // Leading zeros never appear in bpftrace's output; normalise anyway so ids compare as text.
  const cgroup = BigInt(m[2]!).toString();
  return m[1] === RUNTIME_MAP ? { cgroup, nr, count, runtime: true } : { cgroup, nr, count };
}

/** A line splitter feeding a BpfOutputSink. */
export interface BpfOutputParser {
  push(text: string): void;
  /** The end of the output: a partial last line and an open snapshot are counted as malformed. */
  end(): void;
}

/** Create a parser that hands complete snapshots to `sink`. */
export function createBpfOutputParser(sink: BpfOutputSink): BpfOutputParser {
  let carry = '';
  let open: BpfCount[] | null = null;
  let openLines = 0;

  const line = (text: string): void => {
    const l = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (l === SNAPSHOT_BEGIN) {
      if (open !== null) sink.malformed(SNAPSHOT_BEGIN, openLines + 1); // a snapshot without its end
      open = [];
      openLines = 0;
      return;
    }
    if (l === SNAPSHOT_END) {
      if (open === null) {
        sink.malformed(l, 1);
        return;
      }
      const entries = open;
      open = null;
      sink.snapshot(entries);
      return;
    }
    if (l === '') return;
    if (open === null) {
      if (!BANNER.test(l)) sink.malformed(l.slice(0, MAX_LINE), 1);
      return;
    }
    const entry = parseEntry(l);
    if (entry === null) sink.malformed(l.slice(0, MAX_LINE), 1);
    else {
      open.push(entry);
      openLines++;
    }
  };

  // After an overlong partial line was given up: drop the rest of it, up to its newline, so the result
  // does not depend on where the pipe cut the output.
  let discarding = false;

  return {
    push(text) {
      if (discarding) {
        const nl = text.indexOf('\n');
        if (nl < 0) return;
        discarding = false;
        text = text.slice(nl + 1);
      }
      let start = 0;
      const data = carry + text;
      for (;;) {
        const nl = data.indexOf('\n', start);
        if (nl < 0) break;
        line(data.slice(start, nl));
        start = nl + 1;
      }
      carry = data.slice(start);
      if (carry.length > MAX_LINE * 4) {
        sink.malformed(carry.slice(0, MAX_LINE), 1);
        carry = '';
        discarding = true;
      }
    },
    end() {
      discarding = false;
      if (carry !== '') {
        sink.malformed(carry.slice(0, MAX_LINE), 1);
        carry = '';
      }
      if (open !== null) {
        sink.malformed(SNAPSHOT_BEGIN, openLines + 1);
        open = null;
      }
    },
  };
}

/**
 * Turns running-total snapshots into per-interval differences, keyed by (cgroup, nr).
 *
 * The first snapshot's totals are all new (the map starts empty when the program attaches). A total that
 * went down (a map entry recreated) counts from zero.
 */
export interface TotalsDiffer {
  diff(entries: readonly BpfCount[]): BpfCount[];
}

/** Create a TotalsDiffer. */
export function createTotalsDiffer(): TotalsDiffer {
  const last = new Map<string, number>();
  return {
    diff(entries) {
      const out: BpfCount[] = [];
      for (const e of entries) {
        const key = `${e.runtime === true ? 'r' : 'c'} ${e.cgroup} ${e.nr}`;
        const before = last.get(key) ?? 0;
        last.set(key, e.count);
        const delta = e.count >= before ? e.count - before : e.count;
        if (delta > 0) out.push({ ...e, count: delta });
      }
      return out;
    },
  };
}
