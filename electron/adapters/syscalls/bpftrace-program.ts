/**
 * The bpftrace program of the eBPF syscall source, as a function of its options (pure: no I/O).
 *
 * One probe on `tracepoint:raw_syscalls:sys_enter` counts syscalls in the kernel per (cgroup id, syscall
 * number) in a `count()` map — per-CPU in bpftrace, so the probe takes no shared lock — and an `interval`
 * probe prints the map every 250 ms between two marker lines.
 *
 * The map holds RUNNING TOTALS and is never cleared: printing and then clearing one map races with the
 * probe (bpftrace issues #817 and #277; counts between the print and the clear are lost, and an interval
 * was once counted twice), so the reader takes differences between consecutive snapshots instead. The
 * probe is the cheapest form that stays exact: no string operations, no branch, no extra helper beyond
 * `bpf_get_current_cgroup_id` (the `cgroup` builtin, the cgroup-v2 id), one map update.
 */

/** The marker line before each snapshot. */
export const SNAPSHOT_BEGIN = '#B';
/** The marker line after each snapshot: a snapshot without it is incomplete and is not used. */
export const SNAPSHOT_END = '#E';
/** The map's name as it appears in the printed lines (`@c[cgroup, nr]: count`). */
export const COUNT_MAP = '@c';
/** The map of the container runtime's own calls of the `runtimeSplit` syscalls (running-totals mode). */
export const RUNTIME_MAP = '@r';
/** The `comm` prefix of the runtime's processes (`runc:[1:CHILD]`, `runc:[2:INIT]`) until they exec. */
export const RUNTIME_COMM = 'runc:';

/** Fastest snapshot period accepted (bpftrace's interval probe): 100 ms. */
export const MIN_SNAPSHOT_MS = 100;
/** Default snapshot period: 250 ms, so a spike shows within half a second. */
export const DEFAULT_SNAPSHOT_MS = 250;
/** Default bound on the kernel map's keys (BPFTRACE_MAP_KEYS_MAX); bpftrace's own default is 4096. */
export const DEFAULT_MAP_KEYS = 16384;

/** How the program counts. */
export interface BpftraceProgramOptions {
  /** Snapshot period in ms (an integer from 100 to 10 000); default 250. */
  readonly intervalMs?: number;
  /**
   * `running-totals` (default): one map, never cleared. `alternate`: two maps, the probe writes the one
   * the phase names and the interval prints and clears the idle one (exact too, but the probe reads the
   * phase on every syscall; kept for the benchmark's comparison).
   */
  readonly mode?: 'running-totals' | 'alternate';
  /** Do not count host processes (cgroup id 1 on a hybrid host); default false. */
  readonly skipHost?: boolean;
  /**
   * Syscall numbers whose calls by the container runtime itself (`comm` starting `runc:`, i.e. runc's init
   * before it execs the entrypoint, inside the container's cgroup) are also counted in a second map, so the
   * reader can tell them from the container's own (running-totals mode only). The check runs only for these
   * numbers, after a chain of compares: the common syscalls pay a few compares, nothing else.
   */
  readonly runtimeSplit?: readonly number[];
}

function checkInterval(ms: number): number {
  if (!Number.isInteger(ms) || ms < MIN_SNAPSHOT_MS || ms > 10_000) {
    throw new RangeError(`intervalMs must be an integer from ${MIN_SNAPSHOT_MS} to 10000`);
  }
  return ms;
}

/** The program text for `bpftrace -e`. Throws RangeError on an invalid interval. */
export function bpftraceProgram(options: BpftraceProgramOptions = {}): string {
  const ms = checkInterval(options.intervalMs ?? DEFAULT_SNAPSHOT_MS);
  const filter = options.skipHost === true ? ' /cgroup != 1/' : '';
  if ((options.mode ?? 'running-totals') === 'running-totals') {
    const split = [...new Set(options.runtimeSplit ?? [])].sort((a, b) => a - b);
    for (const nr of split) {
      if (!Number.isInteger(nr) || nr < 0 || nr > 4095)
        throw new RangeError(`runtimeSplit: bad syscall number ${nr}`);
    }
    if (split.length === 0) {
      return [
        `tracepoint:raw_syscalls:sys_enter${filter} { ${COUNT_MAP}[cgroup, args->id] = count(); }`,
        `interval:ms:${ms} { printf("${SNAPSHOT_BEGIN}\\n"); print(${COUNT_MAP}); printf("${SNAPSHOT_END}\\n"); }`,
      ].join('\n');
    }
    const test = split.map((nr) => `args->id == ${nr}`).join(' || ');
    return [
      `tracepoint:raw_syscalls:sys_enter${filter} { ${COUNT_MAP}[cgroup, args->id] = count(); if (${test}) { if (strncmp(comm, "${RUNTIME_COMM}", ${RUNTIME_COMM.length}) == 0) { ${RUNTIME_MAP}[cgroup, args->id] = count(); } } }`,
      `interval:ms:${ms} { printf("${SNAPSHOT_BEGIN}\\n"); print(${COUNT_MAP}); print(${RUNTIME_MAP}); printf("${SNAPSHOT_END}\\n"); }`,
    ].join('\n');
  }
  // Alternate: @p is the phase; the probe counts into @c while it is 0 and into @d while it is 1; the
  // interval flips it, then prints and clears the map the probe just left. The printed counts are per
  // interval (the reader adds them), under the same map name so the parser need not know the mode.
  return [
    `tracepoint:raw_syscalls:sys_enter${filter} { if (@p == 0) { @c[cgroup, args->id] = count(); } else { @d[cgroup, args->id] = count(); } }`,
    `interval:ms:${ms} { printf("${SNAPSHOT_BEGIN}\\n"); if (@p == 0) { @p = 1; print(@c); clear(@c); } else { @p = 0; print(@d); clear(@d); } printf("${SNAPSHOT_END}\\n"); }`,
  ].join('\n');
}

/** The empty program on the same tracepoint: the floor every raw_syscalls tracer pays (for the benchmark). */
export function emptyProgram(): string {
  return 'tracepoint:raw_syscalls:sys_enter { }';
}

/** argv for running `program`: `-e PROGRAM` (never a shell string). */
export function bpftraceArgs(program: string): string[] {
  return ['-e', program];
}

/** Environment for bpftrace: the map-key bound, on top of the caller's environment. */
export function bpftraceEnv(
  base: Readonly<Record<string, string | undefined>>,
  mapKeys = DEFAULT_MAP_KEYS,
): Record<string, string | undefined> {
  if (!Number.isInteger(mapKeys) || mapKeys < 1 || mapKeys > 1 << 20) {
    throw new RangeError('mapKeys must be an integer from 1 to 1048576');
  }
  return { ...base, BPFTRACE_MAP_KEYS_MAX: String(mapKeys) };
}
