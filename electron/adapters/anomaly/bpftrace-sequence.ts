import { resetAllWindows } from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalyMonitor, MonitoredContainer } from '../../../shared/domain/anomaly/monitor.js';
import {
  countUnmonitored,
  createAnomalyMonitor,
  monitorContainer,
  monitorSnapshot,
  observe,
  observeExec,
  syscallIndex,
} from '../../../shared/domain/anomaly/monitor.js';
import type { SourceState, SyscallErrorCode } from '../../../shared/domain/syscalls/model.js';
import type { SyscallArch } from '../../../shared/domain/syscalls/names.js';
import { syscallLabel } from '../../../shared/domain/syscalls/names.js';
import { bpftraceArgs } from '../syscalls/bpftrace-program.js';
import { runBpftrace } from '../syscalls/bpftrace-process.js';
import { hostArch } from '../syscalls/bpftrace-source.js';
import type { CgroupResolver } from '../syscalls/cgroup-resolver.js';
import { createCgroupResolver } from '../syscalls/cgroup-resolver.js';
import type { AnomalySource, AnomalySourceListener, SequenceSourceOptions } from './anomaly-source.js';
import { DEFAULT_UPDATE_MS, snapshotTicker } from './anomaly-source.js';

/**
 * Every container's syscall *sequence* from eBPF, through bpftrace, fed to BoSC and the built-in alerts.
 *
 * The histogram source (../syscalls/bpftrace-source.ts) counts in the kernel and never sees an order; BoSC
 * needs one, so this program prints one line per syscall of a container — `CGROUP TID NR` — from
 * `tracepoint:raw_syscalls:sys_enter`, with the same in-kernel filter as the histogram source's
 * `skipHost` (`/cgroup != 1/`: on a hybrid cgroup-v1 host every host process is in the root cgroup-v2,
 * id 1). A second probe, `tracepoint:sched:sched_process_exec`, prints `X CGROUP TID COMM` when an exec
 * succeeded, with the name the process has *after* it: the shell rule's input. Cgroup ids are mapped to
 * containers by the syscall sources' resolver (../syscalls/cgroup-resolver.ts, refreshed on demand for a
 * new id, at most 4 times a second, and every second), numbers to names by shared/domain/syscalls/names.ts.
 *
 * Order: bpftrace 0.17 prints through per-CPU perf buffers, so syscalls of two threads running at the
 * same moment on two CPUs may come out of order by a fraction of a millisecond; threads that really run
 * concurrently interleave differently from run to run anyway, and training absorbs both. A buffer that
 * overflowed (`Lost N events`) restarts every container's window, so no window spans the gap.
 *
 * Cost: one perf-buffer record per container syscall (≈ 15 bytes of text). Host processes cost only the
 * filter. At very high container syscall rates bpftrace, not the detector, is the limit (and says so with
 * `Lost N events`); the per-CPU buffers are raised to 2 MiB (BPFTRACE_PERF_RB_PAGES) to absorb bursts.
 *
 * bpftrace runs as an explicit state machine (STYLE §5): `starting` until its banner or first line,
 * `streaming`, then `exited` (disposed) or `failed` — bpftrace never ends by itself, so any exit is a
 * failure, classified by classifyBpftraceFailure (missing binary, not root, no tracefs, killed).
 */

/** The program's syscall line is `CGROUP TID NR`; its exec line `X CGROUP TID COMM`. */
export const EXEC_MARK = 'X';

/** The bpftrace program (pure). */
export function bpftraceSequenceProgram(): string {
  return [
    'tracepoint:raw_syscalls:sys_enter /cgroup != 1/ { printf("%llu %d %d\\n", cgroup, tid, args->id); }',
    `tracepoint:sched:sched_process_exec /cgroup != 1/ { printf("${EXEC_MARK} %llu %d %s\\n", cgroup, tid, comm); }`,
  ].join('\n');
}

/** Perf ring buffer pages per CPU for the program's output (a power of two): 512 × 4 KiB = 2 MiB. */
export const PERF_RB_PAGES = 512;

/** What the output parser finds. */
export interface BpfSequenceSink {
  syscall(cgroup: number, tid: number, nr: number): void;
  exec(cgroup: number, tid: number, comm: string): void;
  /** bpftrace lost `count` events (its perf buffer was full). */
  lost(count: number): void;
  /** `Attaching N probes...`. */
  banner(): void;
  malformed(line: string): void;
}

/** Longest line accepted: an exec line is at most ~50 characters. */
export const MAX_SEQUENCE_LINE = 128;
const BANNER = /^Attaching \d+ probes?\.\.\.$/;
const LOST = /^Lost (\d{1,15}) events$/;

// Results of the last scan (module scratch: the parser allocates nothing per syscall line).
let scanA = 0;
let scanB = 0;
let scanC = 0;
let scanEnd = 0;

/** Scan an unsigned decimal (at most 15 digits) at `i`; sets scanA and scanEnd, false when there is none. */
function scanNumber(text: string, i: number, end: number): boolean {
  let n = 0;
  const start = i;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    i++;
  }
  if (i === start || i - start > 15) return false;
  scanA = n;
  scanEnd = i;
  return true;
}

/** `CGROUP TID NR` in [start, end): sets scanA/B/C. */
function scanSyscall(text: string, start: number, end: number): boolean {
  if (!scanNumber(text, start, end) || scanEnd >= end || text.charCodeAt(scanEnd) !== 32) return false;
  const cgroup = scanA;
  if (!scanNumber(text, scanEnd + 1, end) || scanEnd >= end || text.charCodeAt(scanEnd) !== 32) return false;
  const tid = scanA;
  let i = scanEnd + 1;
  const negative = i < end && text.charCodeAt(i) === 45;
  if (negative) i++;
  if (!scanNumber(text, i, end) || scanEnd !== end) return false;
  scanB = tid;
  scanC = negative ? -scanA : scanA;
  scanA = cgroup;
  return true;
}

/**
 * `CGROUP TID COMM` in [start, end) (after the `X `): sets scanA/B and scanEnd at the comm, which is the
 * rest of the line (a comm may hold spaces; the kernel keeps at most 15 characters).
 */
function scanExec(text: string, start: number, end: number): boolean {
  if (!scanNumber(text, start, end) || scanEnd >= end || text.charCodeAt(scanEnd) !== 32) return false;
  const cgroup = scanA;
  if (!scanNumber(text, scanEnd + 1, end) || scanEnd + 1 >= end || text.charCodeAt(scanEnd) !== 32)
    return false;
  scanB = scanA;
  scanA = cgroup;
  scanEnd++;
  return true;
}

/** A line splitter for the program's output. */
export interface BpfSequenceParser {
  push(text: string): void;
  /** The end of the output: a partial last line is malformed. */
  end(): void;
}

/** Create a parser feeding `sink`. Never throws on any input. */
export function createBpfSequenceParser(sink: BpfSequenceSink): BpfSequenceParser {
  let carry = '';

  const line = (text: string, start: number, end: number): void => {
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end === start) return;
    if (end - start > MAX_SEQUENCE_LINE) {
      sink.malformed(text.slice(start, start + MAX_SEQUENCE_LINE));
      return;
    }
    const first = text.charCodeAt(start);
    if (first >= 48 && first <= 57) {
      if (scanSyscall(text, start, end)) sink.syscall(scanA, scanB, scanC);
      else sink.malformed(text.slice(start, end));
      return;
    }
    if (first === 88 && text.charCodeAt(start + 1) === 32) {
      if (scanExec(text, start + 2, end)) sink.exec(scanA, scanB, text.slice(scanEnd, end));
      else sink.malformed(text.slice(start, end));
      return;
    }
    const l = text.slice(start, end);
    if (BANNER.test(l)) {
      sink.banner();
      return;
    }
    const lost = LOST.exec(l);
    if (lost !== null) sink.lost(Number(lost[1]));
    else sink.malformed(l);
  };

  return {
    push(text) {
      let from = 0;
      if (carry !== '') {
        const nl = text.indexOf('\n');
        if (nl === -1) {
          carry += text;
          if (carry.length > MAX_SEQUENCE_LINE * 4) {
            sink.malformed(carry.slice(0, MAX_SEQUENCE_LINE));
            carry = '';
          }
          return;
        }
        const joined = carry + text.slice(0, nl);
        carry = '';
        line(joined, 0, joined.length);
        from = nl + 1;
      }
      for (;;) {
        const nl = text.indexOf('\n', from);
        if (nl === -1) break;
        line(text, from, nl);
        from = nl + 1;
      }
      if (from < text.length) {
        carry = text.slice(from);
        if (carry.length > MAX_SEQUENCE_LINE * 4) {
          sink.malformed(carry.slice(0, MAX_SEQUENCE_LINE));
          carry = '';
        }
      }
    },
    end() {
      if (carry !== '') sink.malformed(carry.slice(0, MAX_SEQUENCE_LINE));
      carry = '';
    },
  };
}

/** Options of the eBPF sequence source. */
export interface BpftraceSequenceOptions extends SequenceSourceOptions {
  /** The bpftrace program; default `bpftrace` on PATH. */
  readonly program?: string;
  /** The syscall table; default from process.arch. */
  readonly arch?: SyscallArch;
  /** Maps cgroup ids to containers; default: the Docker layouts under /sys/fs/cgroup. */
  readonly resolver?: CgroupResolver;
  /** Periodic resolver refresh, ms; default 1000. */
  readonly refreshMs?: number;
  /** Whether Bulkhead runs as root; default from process.getuid(). */
  readonly isRoot?: boolean;
  /** Called for every exec in a container, with the process's new name (tests mark workloads with it). */
  readonly onExec?: (container: string, comm: string, second: number) => void;
  /**
   * Feed this monitor instead of a new one (`bosc` and `maxAlerts` are then its own): a tracer restarted
   * after a failure carries on with what was learnt and raised. The caller restarts the windows across the
   * gap (resetAllWindows).
   */
  readonly monitor?: AnomalyMonitor;
}

/** A running eBPF sequence source. */
export interface BpftraceSequenceSource extends AnomalySource {
  /** bpftrace's pid; undefined before it runs or when it could not be started. */
  readonly pid: number | undefined;
  /** Events bpftrace reported lost, and syscalls of cgroups that are no known container. */
  readonly lost: number;
  readonly unattributed: number;
}

/** Cache entry of a cgroup id that resolved to nothing: the resolver generation it was tried in. */
interface Unknown {
  readonly generation: number;
}

/** Start the eBPF sequence source. The listener hears `starting` before this returns. */
export function startBpftraceSequence(
  listener: AnomalySourceListener,
  options: BpftraceSequenceOptions,
): BpftraceSequenceSource {
  const { clock } = options;
  const program = options.program ?? 'bpftrace';
  const arch = options.arch ?? hostArch() ?? 'x86_64';
  const monitor =
    options.monitor ??
    createAnomalyMonitor({
      ...(options.bosc !== undefined ? { bosc: options.bosc } : {}),
      ...(options.maxAlerts !== undefined ? { maxAlerts: options.maxAlerts } : {}),
    });
  const tap = options.onSyscall;
  let state: SourceState = { phase: 'starting', since: clock.now() };
  let settled = false;
  let disposed = false;
  let events = 0;
  let lost = 0;
  let unattributed = 0;
  let malformed = 0;
  let second = Math.floor(clock.now() / 1000);
  let resolver: CgroupResolver | null = options.resolver ?? null;
  let generation = 0;
  let lastOnDemand = -Infinity;
  let resolveSettled: (s: SourceState) => void = () => undefined;
  const settledPromise = new Promise<SourceState>((r) => (resolveSettled = r));

  // cgroup id → container (or Unknown); syscall number → vocabulary index and name.
  const byCgroup = new Map<number, MonitoredContainer | Unknown>();
  const indexOfNr = new Int32Array(1024).fill(-1);
  const names: string[] = [];

  const getResolver = (): CgroupResolver => (resolver ??= createCgroupResolver());
  const refresh = (): void => {
    getResolver().refresh();
    generation++;
  };

  /** Refresh the resolver on demand, at most 4 times a second; whether it did. */
  const refreshOnDemand = (): boolean => {
    const now = clock.now();
    if (now - lastOnDemand < 250) return false;
    lastOnDemand = now;
    refresh();
    return true;
  };

  const containerOf = (cgroup: number): MonitoredContainer | null => {
    const known = byCgroup.get(cgroup);
    if (known !== undefined) {
      if ('key' in known) return known;
      // Not a container when last looked up, and the resolver has not been refreshed since.
      if (known.generation === generation && !refreshOnDemand()) return null;
    }
    let subject = getResolver().resolve(String(cgroup));
    // A cgroup never seen: most likely a container started after the last refresh.
    if (subject.kind !== 'container' && known === undefined && refreshOnDemand()) {
      subject = getResolver().resolve(String(cgroup));
    }
    if (subject.kind !== 'container') {
      byCgroup.set(cgroup, { generation });
      return null;
    }
    const c = monitorContainer(monitor, subject.id, subject.name);
    if (c !== null) byCgroup.set(cgroup, c);
    return c;
  };

  const indexOf = (nr: number): number => {
    if (nr >= 0 && nr < indexOfNr.length) {
      let i = indexOfNr[nr]!;
      if (i < 0) {
        const label = syscallLabel(arch, nr);
        i = syscallIndex(monitor, label);
        indexOfNr[nr] = i;
        names[i] = label;
      }
      return i;
    }
    const label = syscallLabel(arch, nr);
    const i = syscallIndex(monitor, label);
    names[i] = label;
    return i;
  };

  const setState = (next: SourceState): void => {
    if (settled) return;
    state = next;
    if (next.phase === 'exited' || next.phase === 'failed') {
      settled = true;
      ticker.dispose();
      refresher.dispose();
    }
    listener.onState(next);
    if (settled) resolveSettled(next);
  };
  const toStreaming = (): void => {
    if (state.phase === 'starting') setState({ phase: 'streaming', since: clock.now() });
  };

  const parser = createBpfSequenceParser({
    syscall(cgroup, _tid, nr) {
      const c = containerOf(cgroup);
      if (c === null) {
        unattributed++;
        countUnmonitored(monitor);
        return;
      }
      const index = indexOf(nr);
      events++;
      observe(monitor, c, index, second, null);
      if (tap !== undefined) tap(c.key, names[index] ?? syscallLabel(arch, nr), second);
    },
    exec(cgroup, _tid, comm) {
      const c = containerOf(cgroup);
      if (c === null) return;
      observeExec(monitor, c, second, comm);
      options.onExec?.(c.key, comm, second);
    },
    lost(count) {
      lost += count;
      resetAllWindows(monitor.detector);
    },
    banner() {
      toStreaming();
    },
    malformed() {
      malformed++;
    },
  });

  const ticker = snapshotTicker(
    monitor,
    clock,
    options.updateIntervalMs ?? DEFAULT_UPDATE_MS,
    () => events,
    (snap) => {
      if (!disposed && !settled) listener.onSnapshot?.(snap);
    },
  );
  const refresher = clock.setInterval(() => {
    if (resolver !== null) refresh();
  }, options.refreshMs ?? 1000);

  listener.onState(state);

  const finish = (failure: { code: SyscallErrorCode; message: string }, diagnostics: string): void => {
    if (settled) return;
    parser.end();
    ticker.flush();
    setState({ phase: 'failed', since: clock.now(), error: failure, diagnostics });
  };

  const proc = runBpftrace({
    program,
    args: bpftraceArgs(bpftraceSequenceProgram()),
    env: { ...process.env, BPFTRACE_PERF_RB_PAGES: String(PERF_RB_PAGES) },
    clock,
    ...(options.isRoot !== undefined ? { isRoot: options.isRoot } : {}),
    ...(options.killTimeoutMs !== undefined ? { killTimeoutMs: options.killTimeoutMs } : {}),
    onStdout(text) {
      if (disposed || settled) return;
      second = Math.floor(clock.now() / 1000);
      parser.push(text);
      if (events > 0) toStreaming();
    },
    onEnd: finish,
  });

  return {
    get state() {
      return state;
    },
    get pid() {
      return proc.pid;
    },
    monitor,
    snapshot: () => monitorSnapshot(monitor, clock.now()),
    get malformed() {
      return malformed;
    },
    get lost() {
      return lost;
    },
    get unattributed() {
      return unattributed;
    },
    settled: settledPromise,
    dispose() {
      if (disposed) return;
      setState({ phase: 'exited', since: clock.now(), reason: 'disposed' });
      disposed = true;
      proc.stop();
    },
  };
}
