import type { SyscallArch } from '../syscalls/names.js';
import { ARCH_NAMES, syscallUniverse } from './profile.js';

/**
 * A seccomp profile from the syscalls a container was seen to make: an allow-list in Docker's current
 * format, `docker run --security-opt seccomp=FILE` ready.
 *
 * Default-deny with EPERM (`SCMP_ACT_ERRNO`, `defaultErrnoRet: 1`), so a call the workload never made fails
 * with "Operation not permitted" instead of killing it; one `SCMP_ACT_ALLOW` rule with the observed names
 * plus RUNTIME_SYSCALLS, sorted. The JSON text is deterministic (fixed key order, sorted names, two-space
 * indent, final newline) and holds only fields Docker knows: Docker 20.10 ignores unknown top-level fields
 * (json.Unmarshal), but Podman, CRI-O and future Docker versions need not, so the provenance travels
 * beside the file, in `GeneratedProfile.metadata`.
 */

/** Why a syscall is in RUNTIME_SYSCALLS. */
export interface RuntimeSyscall {
  readonly name: string;
  readonly why: string;
}

/**
 * The syscalls runc makes between installing the filter and exec'ing the entrypoint, so a profile needs
 * them although the workload never makes them.
 *
 * runc applies the filter in `runc init` (libcontainer/standard_init_linux.go). Without no-new-privileges
 * (Docker's default) it does so *before* finalizeNamespace, so dropping capabilities, switching user,
 * the cwd checks, closing its own descriptors and the exec-fifo handshake all run under the filter; with
 * `--security-opt no-new-privileges` it does so later, and this list is a superset of what is needed. The
 * filter is installed with prctl(PR_SET_SECCOMP) on one locked OS thread, without TSYNC: the Go runtime's
 * other threads (sysmon's nanosleep, the netpoller's epoll_pwait) are not filtered.
 *
 * Verified on runc 1.1.5 (Debian 12, Go 1.19) with Docker 20.10 on x86_64: traced with bpftrace from the
 * prctl(PR_SET_SECCOMP) of `runc:[2:INIT]` to its execve (31 containers), then each name removed from a
 * profile in turn (`docker run … true` must still exit 0). Every name below failed container start when
 * removed except `fcntl` and `rt_sigreturn`, kept for the reasons given. Left out although traced, because
 * runc tolerates EPERM for them: `epoll_ctl` (Go registering /proc fds with the poller: EPERM means "not
 * pollable"), `faccessat2` (x/sys falls back to fstatat), `getpid` (only fills the hook state). Not seen
 * at all, so left out: clone, mmap, sigaltstack, tgkill — the filtered thread did not spawn threads, grow
 * the heap or preempt others before exec in any traced start. Newer runc versions (≥ 1.1.12) may use
 * close_range first and fall back to /proc/self/fd, which these names cover.
 */
export const RUNTIME_SYSCALLS: readonly RuntimeSyscall[] = [
  { name: 'capget', why: 'finalizeNamespace reads the capability sets before changing them' },
  { name: 'capset', why: 'runc drops to the container capabilities under the filter' },
  { name: 'chdir', why: 'runc changes to the configured working directory' },
  { name: 'close', why: 'runc closes its log pipe, sync pipe and internal fds before exec' },
  { name: 'execve', why: 'the exec of the entrypoint itself' },
  { name: 'fcntl', why: 'runc marks inherited fds close-on-exec; it ignores errors, so without it fds leak' },
  { name: 'fstat', why: 'user setup checks /dev/stdin and friends (fstat on fds 0-2)' },
  { name: 'fstatfs', why: 'closing fds checks that /proc/self/fd is on procfs' },
  { name: 'futex', why: 'the Go runtime parks and wakes the init thread' },
  { name: 'getcwd', why: 'runc checks that the working directory is inside the container' },
  { name: 'getdents64', why: 'runc lists /proc/self/fd to close fds before exec' },
  { name: 'getppid', why: 'runc checks that its parent did not die' },
  { name: 'newfstatat', why: 'user setup stats /dev/null; exec.LookPath stats the entrypoint' },
  { name: 'openat', why: 'opens /proc/self/fd, /proc/self/status and the exec fifo' },
  { name: 'prctl', why: 'capability bounding set (PR_CAPBSET_DROP), keep-caps, pdeath signal' },
  { name: 'read', why: 'runc reads /proc/self/status and its config' },
  {
    name: 'rt_sigreturn',
    why: 'return from a signal handler (Go preemption); seen in 5 of 31 traced starts',
  },
  { name: 'setgid', why: 'runc switches to the container group' },
  { name: 'setgroups', why: 'runc sets the supplementary groups' },
  { name: 'setuid', why: 'runc switches to the container user' },
  { name: 'write', why: 'runc writes to the exec fifo to signal it is ready to exec' },
];

/** The names of RUNTIME_SYSCALLS, sorted. */
export const RUNTIME_SYSCALL_NAMES: readonly string[] = RUNTIME_SYSCALLS.map((r) => r.name).sort();

/**
 * Syscalls runc makes in the container's cgroup *before* installing the filter, that a container without
 * CAP_SYS_ADMIN cannot use anyway (Docker's default profile denies each of them to it).
 *
 * A tracer that attributes syscalls by cgroup (the eBPF source) and watched the container start sees them
 * — mount and pivot_root while runc builds the root filesystem — so a profile generated from its counts
 * would allow them for nothing. Pass this list as `exclude` when the observation includes the start of a
 * container that is not privileged.
 */
export const RUNTIME_SETUP_SYSCALLS: readonly RuntimeSyscall[] = [
  {
    name: 'keyctl',
    why: 'runc joins a fresh session keyring (denied to every container by the default profile)',
  },
  { name: 'mount', why: 'runc mounts the root filesystem, /proc, /dev and the volumes' },
  { name: 'pivot_root', why: 'runc pivots into the root filesystem' },
  { name: 'sethostname', why: 'runc sets the container hostname' },
  { name: 'setns', why: 'runc joins existing namespaces (shared network or pid namespaces)' },
  { name: 'umount2', why: 'runc detaches the old root after pivot_root' },
  { name: 'unshare', why: 'runc creates the container namespaces' },
];

/** The names of RUNTIME_SETUP_SYSCALLS, sorted. */
export const RUNTIME_SETUP_SYSCALL_NAMES: readonly string[] = RUNTIME_SETUP_SYSCALLS.map(
  (r) => r.name,
).sort();

/** Prefix of the eBPF source's labels for calls made by the container runtime itself (`runc:mount`). */
export const RUNTIME_LABEL_PREFIX = 'runc:';

/**
 * Event types sysdig prints in `evt.type` that are not syscalls: scheduler and signal events, process
 * exit, its own meta events, and `<unknown>` for a syscall it has no name for.
 */
export const NON_SYSCALL_EVENTS: ReadonlySet<string> = new Set([
  '<unknown>',
  'NA',
  'asyncevent',
  'container',
  'cpu_hotplug',
  'drop',
  'groupadded',
  'groupdeleted',
  'infra',
  'k8s',
  'mesos',
  'notification',
  'page_fault',
  'pluginevent',
  'procexit',
  'procinfo',
  'scapevent',
  'signaldeliver',
  'switch',
  'sysdigevent',
  'tracer',
  'useradded',
  'userdeleted',
]);

/**
 * sysdig's spellings of syscalls whose kernel name differs, used only when the arch's table does not know
 * the spelling (sysdig folds some pairs, e.g. `eventfd` for eventfd and eventfd2: prefer the eBPF source,
 * which reports numbers, when a profile must be exact).
 */
export const SYSDIG_ALIASES: Readonly<Record<string, string>> = {
  pread: 'pread64',
  pwrite: 'pwrite64',
  prlimit: 'prlimit64',
  sigreturn: 'rt_sigreturn',
  umount: 'umount2',
};

/** Observed names sorted into syscalls of the arch and the rest. */
export interface NormalizedObservation {
  /** Syscall names of the arch's table, sorted, each once. */
  readonly syscalls: readonly string[];
  /** Non-syscall event names that were dropped (`switch`, `procexit`, …), sorted. */
  readonly ignored: readonly string[];
  /** Names the arch's table does not know (another arch's, newer than the table, `syscall_451`), sorted. */
  readonly unknown: readonly string[];
  /** sysdig spellings that were mapped onto kernel names. */
  readonly aliased: readonly { readonly from: string; readonly to: string }[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The kernel name of an observed name on `arch` (a table name, or a mapped sysdig spelling); null otherwise. */
export function canonicalSyscall(raw: string, arch: SyscallArch): string | null {
  const universe = syscallUniverse(arch);
  if (universe.has(raw)) return raw;
  const alias = Object.hasOwn(SYSDIG_ALIASES, raw) ? SYSDIG_ALIASES[raw] : undefined;
  return alias !== undefined && universe.has(alias) ? alias : null;
}

/** Sort observed names (from sysdig, bpftrace or a recording) into the arch's syscalls and the rest. */
export function normalizeObserved(observed: Iterable<string>, arch: SyscallArch): NormalizedObservation {
  const syscalls = new Set<string>();
  const ignored = new Set<string>();
  const unknown = new Set<string>();
  const aliased = new Map<string, string>();
  for (const raw of observed) {
    // `runc:<name>`: the eBPF source's label for the runtime's own calls before it installs the filter
    // and execs the entrypoint; the profile does not need them.
    if (NON_SYSCALL_EVENTS.has(raw) || raw.startsWith(RUNTIME_LABEL_PREFIX)) {
      ignored.add(raw);
      continue;
    }
    const name = canonicalSyscall(raw, arch);
    if (name === null) unknown.add(raw);
    else {
      syscalls.add(name);
      if (name !== raw) aliased.set(raw, name);
    }
  }
  return {
    syscalls: [...syscalls].sort(byName),
    ignored: [...ignored].sort(byName),
    unknown: [...unknown].sort(byName),
    aliased: [...aliased].sort(([a], [b]) => byName(a, b)).map(([from, to]) => ({ from, to })),
  };
}

/** The JSON document of a generated profile, in Docker's current format and key order. */
export interface DockerSeccompDocument {
  readonly defaultAction: 'SCMP_ACT_ERRNO';
  readonly defaultErrnoRet: number;
  readonly archMap: readonly {
    readonly architecture: string;
    readonly subArchitectures: readonly string[];
  }[];
  readonly syscalls: readonly { readonly names: readonly string[]; readonly action: 'SCMP_ACT_ALLOW' }[];
}

/** Where a generated profile's names came from; kept out of the file (see the module comment). */
export interface GeneratedMetadata {
  readonly arch: SyscallArch;
  /** Every name allowed, sorted (observed ∪ runtime, minus excluded). */
  readonly allowed: readonly string[];
  /** Observed syscalls of the arch, sorted (before exclusion). */
  readonly observed: readonly string[];
  /** RUNTIME_SYSCALLS the observation did not contain, added. */
  readonly runtimeAdded: readonly string[];
  /** Observed names left out because `exclude` named them. */
  readonly excluded: readonly string[];
  /** Non-syscall event names dropped. */
  readonly ignored: readonly string[];
  /** Names unknown to the arch's table, dropped: check them (a newer syscall would be denied). */
  readonly unknown: readonly string[];
  readonly aliased: readonly { readonly from: string; readonly to: string }[];
}

/** A generated profile: the document, its text for a file, and where its names came from. */
export interface GeneratedProfile {
  readonly document: DockerSeccompDocument;
  /** The document as deterministic JSON text (ends in a newline). */
  readonly json: string;
  readonly metadata: GeneratedMetadata;
}

/** Options of generateProfile. */
export interface GenerateOptions {
  /** The architecture the container runs on (names are per architecture). */
  readonly arch: SyscallArch;
  /** Names never to allow, even if observed (e.g. RUNTIME_SETUP_SYSCALL_NAMES); runtime names stay. */
  readonly exclude?: Iterable<string>;
  /** errno for denied calls; default 1 (EPERM). */
  readonly errnoRet?: number;
}

/** EPERM: a denied call fails with "Operation not permitted". */
export const EPERM = 1;

/**
 * A default-deny profile allowing `observed` ∪ RUNTIME_SYSCALLS on `arch`.
 *
 * `observed` may hold any names a source printed: non-syscall events are dropped, sysdig spellings mapped,
 * names unknown to the arch dropped and reported. The archMap has the host architecture with the
 * sub-architectures Docker's default profile gives it (x86_64: X86 and X32; aarch64: ARM); the names are
 * those of the native table, and libseccomp resolves each name per architecture.
 */
export function generateProfile(observed: Iterable<string>, options: GenerateOptions): GeneratedProfile {
  const { arch } = options;
  const seen = normalizeObserved(observed, arch);
  const exclude = new Set(options.exclude ?? []);
  const runtime = new Set(RUNTIME_SYSCALL_NAMES);
  const allowed = new Set<string>(RUNTIME_SYSCALL_NAMES);
  const excluded: string[] = [];
  for (const name of seen.syscalls) {
    if (exclude.has(name) && !runtime.has(name)) excluded.push(name);
    else allowed.add(name);
  }
  const observedSet = new Set(seen.syscalls);
  const names = [...allowed].sort(byName);
  const a = ARCH_NAMES[arch];
  const document: DockerSeccompDocument = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: options.errnoRet ?? EPERM,
    archMap: [{ architecture: a.scmp, subArchitectures: [...a.subArchitectures] }],
    syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }],
  };
  return {
    document,
    json: `${JSON.stringify(document, null, 2)}\n`,
    metadata: {
      arch,
      allowed: names,
      observed: seen.syscalls,
      runtimeAdded: RUNTIME_SYSCALL_NAMES.filter((n) => !observedSet.has(n)),
      excluded,
      ignored: seen.ignored,
      unknown: seen.unknown,
      aliased: seen.aliased,
    },
  };
}
