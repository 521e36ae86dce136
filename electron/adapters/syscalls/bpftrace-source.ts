import {
  addCount,
  addMalformed,
  addOverflow,
  advanceTo,
  createAggregate,
  createKeyTable,
  DEFAULT_WINDOW_SECONDS,
  internKey,
  makeFrame,
  readWindow,
  subjectTotals,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { SourceState, SyscallErrorCode } from '../../../shared/domain/syscalls/model.js';
import type { SyscallArch } from '../../../shared/domain/syscalls/names.js';
import { syscallLabel, syscallNumber } from '../../../shared/domain/syscalls/names.js';
import { SYSCALL_ALERT_RULES } from '../../../shared/domain/anomaly/alerts.js';
import type { Clock } from '../../services/ports.js';
import type {
  FoldOptions,
  SyscallSource,
  SyscallSourceListener,
  SyscallSourcePort,
} from '../../services/syscall-ports.js';
import { MIN_FRAME_INTERVAL_MS } from '../../services/syscall-ports.js';
import type { BpfCount } from './bpftrace-output.js';
import { runBpftrace } from './bpftrace-process.js';
import { createBpfOutputParser, createTotalsDiffer } from './bpftrace-output.js';
import type { BpftraceProgramOptions } from './bpftrace-program.js';
import {
  bpftraceArgs,
  bpftraceEnv,
  bpftraceProgram,
  DEFAULT_MAP_KEYS,
  RUNTIME_COMM,
} from './bpftrace-program.js';
import type { CgroupResolver } from './cgroup-resolver.js';
import { createCgroupResolver } from './cgroup-resolver.js';

/**
 * Live syscalls of every container from eBPF, through bpftrace (see bpftrace-program.ts for the program).
 *
 * bpftrace is a child process with an explicit state machine (STYLE §5): `starting` until its first
 * complete snapshot, then `streaming`, then `exited` (disposed) or `failed`, settled exactly once. A
 * bpftrace that dies — killed, or refused by the kernel — settles `failed` as soon as its pipes close
 * (well within 1 s); restarting it is the syscall service's job. Each snapshot's differences are
 * attributed to the current second, to the container whose cgroup id they carry (cgroup-resolver.ts),
 * and folded with the shared aggregate; frames go out at most every 250 ms.
 */

/** What an eBPF source needs. */
export interface BpftraceSourceOptions extends FoldOptions {
  readonly clock: Clock;
  /** The bpftrace program; default `bpftrace` on PATH. */
  readonly program?: string;
  /** The syscall table to name numbers with; default from process.arch. */
  readonly arch?: SyscallArch;
  /** The program's options (interval, mode). */
  readonly bpf?: BpftraceProgramOptions;
  /** Bound on the kernel map's keys; default 16384. */
  readonly mapKeys?: number;
  /** Maps cgroup ids to containers; default: the Docker layouts under /sys/fs/cgroup. */
  readonly resolver?: CgroupResolver;
  /** Periodic resolver refresh, ms; default 1000. */
  readonly refreshMs?: number;
  /** SIGKILL this long after SIGTERM; default 2000 ms. */
  readonly killTimeoutMs?: number;
  /** Whether Bulkhead runs as root; default from process.getuid(). */
  readonly isRoot?: boolean;
}

/** The port for eBPF sources. */
export function createBpftracePort(options: BpftraceSourceOptions): SyscallSourcePort<'bpf'> {
  return { kind: 'bpf', start: (_spec, listener) => startBpftraceSource(listener, options) };
}

/** The syscall table of this machine, or null when Bulkhead carries none for it. */
export function hostArch(arch: string = process.arch): SyscallArch | null {
  if (arch === 'x64') return 'x86_64';
  if (arch === 'arm64') return 'aarch64';
  return null;
}

/**
 * The numbers of the syscalls the built-in alerts watch, on `arch`: the ones whose calls by the runtime
 * itself (runc setting up the container inside its cgroup: dozens of mounts, pivot_root, umount2, unshare,
 * keyctl on `docker exec`) are told apart, so they do not raise alerts on every container start.
 */
export function alertSyscallNumbers(arch: SyscallArch): number[] {
  const out = new Set<number>();
  for (const rule of SYSCALL_ALERT_RULES)
    for (const name of rule.syscalls) {
      const nr = syscallNumber(arch, name);
      if (nr !== null) out.add(nr);
    }
  return [...out].sort((a, b) => a - b);
}

/** A running eBPF source. */
export interface BpftraceSource extends SyscallSource {
  /** bpftrace's process id; undefined before it runs or when it could not be started. */
  readonly pid: number | undefined;
}

/** Start the eBPF source. The listener hears `starting` before this returns. */
export function startBpftraceSource(
  listener: SyscallSourceListener,
  options: BpftraceSourceOptions,
): BpftraceSource {
  const { clock } = options;
  const program = options.program ?? 'bpftrace';
  const interval = Math.max(MIN_FRAME_INTERVAL_MS, options.frameIntervalMs ?? MIN_FRAME_INTERVAL_MS);
  const arch = options.arch ?? hostArch() ?? 'x86_64';
  const mode = options.bpf?.mode ?? 'running-totals';
  const agg = createAggregate(
    createKeyTable(options.maxKeys),
    options.windowSeconds ?? DEFAULT_WINDOW_SECONDS,
  );
  const mapKeys = options.mapKeys ?? DEFAULT_MAP_KEYS;
  let state: SourceState = { phase: 'starting', since: clock.now() };
  let settled = false;
  let disposed = false;
  let seq = 0;
  let lastEvents = -1;
  let lastSecond = -1;
  let lastOnDemand = -Infinity;
  const labels = new Map<number, string>();
  const differ = createTotalsDiffer();
  /** Per `cgroup nr`: runtime calls counted in @r and not yet in @c. */
  const runtimeOwed = new Map<string, number>();
  const nowSecond = (): number => Math.floor(clock.now() / 1000);

  const setState = (next: SourceState): void => {
    state = next;
    listener.onState(next);
  };

  const emit = (): void => {
    if (disposed || state.phase !== 'streaming') return;
    const now = nowSecond();
    advanceTo(agg, now);
    if (agg.totalEvents === lastEvents && now === lastSecond) return;
    lastEvents = agg.totalEvents;
    lastSecond = now;
    listener.onFrame(
      makeFrame(agg, now, {
        seq: seq++,
        ...(options.topN !== undefined ? { topN: options.topN } : {}),
        ...(options.seriesSeconds !== undefined ? { seriesSeconds: options.seriesSeconds } : {}),
      }),
    );
  };

  let resolver: CgroupResolver | null = options.resolver ?? null;
  const getResolver = (): CgroupResolver => (resolver ??= createCgroupResolver());

  const label = (nr: number): string => {
    let l = labels.get(nr);
    if (l === undefined) {
      l = syscallLabel(arch, nr);
      labels.set(nr, l);
    }
    return l;
  };

  const fold = (counts: readonly BpfCount[]): void => {
    const r = getResolver();
    const now = clock.now();
    // A new container: read its cgroup directory now (at most 4 times a second), not at the next refresh.
    if (now - lastOnDemand >= 250 && counts.some((c) => !r.known(c.cgroup))) {
      lastOnDemand = now;
      r.refresh();
    }
    const second = Math.floor(now / 1000);
    // The runtime's own calls are in both maps: fold them under `runc:<name>` and the rest under the name.
    // The interval prints @c before @r, so a runtime call made while @c is being printed shows up in @r one
    // snapshot before it shows up in @c: what @r has counted and @c not yet is owed (runtimeOwed) and taken
    // from @c's next increments, never counted as the container's own.
    const add = (cgroup: string, name: string, n: number): void => {
      if (n <= 0) return;
      const key = internKey(agg.keys, r.resolve(cgroup), name);
      if (key < 0) addOverflow(agg, second, n);
      else addCount(agg, second, key, n);
    };
    for (const c of counts) {
      if (c.runtime !== true) continue;
      add(c.cgroup, `${RUNTIME_COMM}${label(c.nr)}`, c.count);
      const k = `${c.cgroup} ${c.nr}`;
      runtimeOwed.set(k, (runtimeOwed.get(k) ?? 0) + c.count);
    }
    for (const c of counts) {
      if (c.runtime === true) continue;
      const k = `${c.cgroup} ${c.nr}`;
      const owed = runtimeOwed.get(k) ?? 0;
      if (owed === 0) {
        add(c.cgroup, label(c.nr), c.count);
        continue;
      }
      add(c.cgroup, label(c.nr), c.count - owed);
      if (c.count >= owed) runtimeOwed.delete(k);
      else runtimeOwed.set(k, owed - c.count);
    }
  };

  const parser = createBpfOutputParser({
    snapshot(entries) {
      if (disposed || settled) return;
      if (state.phase === 'starting') {
        advanceTo(agg, nowSecond());
        setState({ phase: 'streaming', since: clock.now() });
      }
      // A full kernel map drops new keys silently: say so as overflow (the counts are not known).
      if (entries.length >= mapKeys) addOverflow(agg, nowSecond(), 0);
      fold(mode === 'running-totals' ? differ.diff(entries) : entries);
    },
    malformed(_line, count) {
      addMalformed(agg, count);
    },
  });

  setState(state);
  const ticker = clock.setInterval(emit, interval);
  const refresher = clock.setInterval(() => resolver?.refresh(), options.refreshMs ?? 1000);

  const settle = (next: SourceState): void => {
    if (settled) return;
    settled = true;
    ticker.dispose();
    refresher.dispose();
    setState(next);
  };

  const finish = (failure: { code: SyscallErrorCode; message: string }, diagnostics: string): void => {
    if (settled) return;
    parser.end();
    emit();
    settle({ phase: 'failed', since: clock.now(), error: failure, diagnostics });
  };

  let text: string;
  try {
    text = bpftraceProgram(
      mode === 'running-totals' && options.bpf?.runtimeSplit === undefined
        ? { ...options.bpf, runtimeSplit: alertSyscallNumbers(arch) }
        : options.bpf,
    );
  } catch (e) {
    settle({
      phase: 'failed',
      since: clock.now(),
      error: { code: 'bpftrace-failed', message: e instanceof Error ? e.message : String(e) },
      diagnostics: '',
    });
    return {
      state,
      pid: undefined,
      replay: null,
      totals: () => subjectTotals(agg),
      window: (lastSeconds: number | null) => readWindow(agg, lastSeconds),
      dispose: () => undefined,
    };
  }

  const proc = runBpftrace({
    program,
    args: bpftraceArgs(text),
    env: bpftraceEnv(process.env, mapKeys),
    clock,
    ...(options.isRoot !== undefined ? { isRoot: options.isRoot } : {}),
    ...(options.killTimeoutMs !== undefined ? { killTimeoutMs: options.killTimeoutMs } : {}),
    onStdout(text) {
      if (!disposed && !settled) parser.push(text);
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
    replay: null,
    totals: () => subjectTotals(agg),
    window: (lastSeconds: number | null) => readWindow(agg, lastSeconds),
    dispose() {
      if (disposed) return;
      disposed = true;
      settle({ phase: 'exited', since: clock.now(), reason: 'disposed' });
      proc.stop();
    },
  };
}
