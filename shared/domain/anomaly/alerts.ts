import type { EpochMillis } from '../ids.js';
import type { Severity } from '../posture/model.js';

/**
 * Built-in syscall alerts, and the alert timeline they share with imported Falco alerts.
 *
 * A container rarely needs the syscalls below, and an attacker inside one often does: each is a step of a
 * known escape or of tampering with the host kernel. The rules match syscall names as sources report them
 * (sysdig's `evt.type`, or the kernel table's name for a number from eBPF; aliases such as sysdig's
 * `umount` for umount2 are listed). A hit is *not* proof of an attack — a debugger ptraces, a CI runner
 * mounts — which is why each rule says why it matters.
 *
 * Alerts are deduplicated per (source, rule, container): one record with the first and last time seen and
 * a count, so a loop calling ptrace a million times is one line that says so. The table is bounded
 * (`maxRecords`; a further pair is counted in `overflow`), as is what a record collects (processes, tags).
 *
 * Pure: no I/O, no clock. The table is mutable, changed only through this module; `alertRecords` returns
 * plain readonly data.
 */

/** A built-in rule on syscall names. */
export interface SyscallAlertRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** The names that trigger it (kernel names and sysdig's spellings). */
  readonly syscalls: readonly string[];
  /** Why a container doing this deserves a look. */
  readonly rationale: string;
}

/** The built-in syscall rules. */
export const SYSCALL_ALERT_RULES: readonly SyscallAlertRule[] = [
  {
    id: 'open-by-handle-at',
    title: 'open_by_handle_at called (Shocker breakout)',
    severity: 'critical',
    syscalls: ['open_by_handle_at'],
    rationale:
      'open_by_handle_at opens a file by its file handle, bypassing the mount namespace: with CAP_DAC_READ_SEARCH a container can brute-force handles and read any file of the host (the 2014 "Shocker" escape). No ordinary container workload calls it.',
  },
  {
    id: 'kernel-module',
    title: 'Kernel module load attempted',
    severity: 'critical',
    syscalls: ['init_module', 'finit_module'],
    rationale:
      'init_module/finit_module load code into the host kernel, which every container shares: success (CAP_SYS_MODULE) is a full host compromise, and an attempt means something in the container tried.',
  },
  {
    id: 'kexec',
    title: 'kexec_load called',
    severity: 'critical',
    syscalls: ['kexec_load', 'kexec_file_load'],
    rationale:
      'kexec_load replaces the running kernel with another one: nothing inside a container has a reason to, and success hands the host to whoever chose the new kernel.',
  },
  {
    id: 'mount',
    title: 'Filesystem mounted or unmounted',
    severity: 'high',
    syscalls: ['mount', 'umount2', 'umount'],
    rationale:
      'Mounting needs CAP_SYS_ADMIN and is how several escapes begin: mounting the host disk from a privileged container, a cgroup filesystem for the release_agent trick (CVE-2022-0492), or a procfs to reach host paths. Applications do not mount at run time.',
  },
  {
    id: 'ptrace',
    title: 'ptrace called',
    severity: 'high',
    syscalls: ['ptrace'],
    rationale:
      "ptrace reads and writes another process: memory, registers, code. It is how debuggers work and how injected code reaches a neighbour process, steals secrets from memory or escapes through a host process visible with --pid=host. Docker's default seccomp profile allows it on kernels ≥ 4.8.",
  },
  {
    id: 'unshare',
    title: 'New namespaces created (unshare)',
    severity: 'high',
    syscalls: ['unshare'],
    rationale:
      'unshare creates namespaces; an unprivileged user namespace gives the process a full capability set inside it and so reaches kernel code that is otherwise root-only — the first step of many kernel exploits. Container workloads seldom nest namespaces.',
  },
  {
    id: 'setns',
    title: 'Namespace entered (setns)',
    severity: 'high',
    syscalls: ['setns'],
    rationale:
      "setns moves the caller into another namespace given a descriptor of it — with the host PID namespace or a mounted /proc of the host, that is the host's mount or network namespace. Tools such as nsenter do this; an application does not.",
  },
  {
    id: 'bpf',
    title: 'eBPF program or map operation',
    severity: 'high',
    syscalls: ['bpf'],
    rationale:
      "bpf loads programs into the kernel and manipulates their maps: a large kernel attack surface (verifier bugs have given root), and with CAP_BPF/CAP_SYS_ADMIN a way to read every process's data on the host.",
  },
  {
    id: 'perf-event-open',
    title: 'perf_event_open called',
    severity: 'medium',
    syscalls: ['perf_event_open'],
    rationale:
      "perf_event_open exposes performance counters and tracing: kernel bugs reachable through it have been exploited for root, and its counters leak information across processes. Docker's default seccomp profile blocks it.",
  },
  {
    id: 'kernel-keyring',
    title: 'Kernel keyring used',
    severity: 'medium',
    syscalls: ['keyctl', 'add_key', 'request_key'],
    rationale:
      "The kernel keyring is not namespaced: keys added or read from a container can be those of the host or of other containers, and keyring bugs have been used for privilege escalation. Docker's default seccomp profile blocks these calls.",
  },
];

/** The shell rule: a shell started in a container, where the source carries process names. */
export interface ShellAlertRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Process names that are shells. */
  readonly shells: readonly string[];
  /** The syscalls whose process name is checked. */
  readonly syscalls: readonly string[];
  readonly rationale: string;
}

/**
 * `shell-in-container`: an execve (or execveat) whose process name is a shell.
 *
 * What the name is depends on the source, and both readings mean a shell is at work in the container: the
 * eBPF sequence source gives the name the process has *after* the exec (`sched_process_exec`: the process
 * became `sh`); sysdig's enter events give the caller's name (a shell ran a program). `busybox` is in the
 * list because `busybox sh` runs as `busybox`.
 */
export const SHELL_ALERT_RULE: ShellAlertRule = {
  id: 'shell-in-container',
  title: 'Shell running in a container',
  severity: 'medium',
  shells: ['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox'],
  syscalls: ['execve', 'execveat'],
  rationale:
    'Containers run one service; an interactive or scripted shell in one is usually a person (docker exec) or an attacker who got code execution and is looking around. An entrypoint that is a shell script shows up here too — check which it was.',
};

const RULE_BY_SYSCALL: ReadonlyMap<string, SyscallAlertRule> = new Map(
  SYSCALL_ALERT_RULES.flatMap((r) => r.syscalls.map((s) => [s, r] as const)),
);
const SHELLS: ReadonlySet<string> = new Set(SHELL_ALERT_RULE.shells);
const EXECS: ReadonlySet<string> = new Set(SHELL_ALERT_RULE.syscalls);

/** The built-in rule a syscall name triggers, or null. */
export function ruleForSyscall(syscall: string): SyscallAlertRule | null {
  return RULE_BY_SYSCALL.get(syscall) ?? null;
}

/** Whether a syscall name is one the shell rule looks at (execve, execveat). */
export function isExecSyscall(syscall: string): boolean {
  return EXECS.has(syscall);
}

/** Whether a process name is a shell. */
export function isShellName(process: string): boolean {
  return SHELLS.has(process);
}

/** A container as alerts name it: sysdig's container id (12 hex) or a longer one, and its name if known. */
export interface AlertContainer {
  readonly id: string;
  readonly name: string | null;
}

/** One syscall as the alert rules see it. */
export interface AlertObservation {
  /** Whole seconds since the epoch. */
  readonly second: number;
  readonly container: AlertContainer;
  readonly syscall: string;
  /** The process's name, when the source carries it (see SHELL_ALERT_RULE for what it means on an exec). */
  readonly process?: string | null;
}

/** Where an alert came from. */
export type AlertSource = 'builtin' | 'falco';

/** One hit to fold into the table (a built-in rule's match, or one imported Falco alert). */
export interface AlertHit {
  readonly source: AlertSource;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string | null;
  /** Null when the alert is not about a container (Falco: a host event, or no container fields). */
  readonly container: AlertContainer | null;
  readonly time: EpochMillis;
  readonly syscall: string | null;
  readonly process: string | null;
  /** Falco's `output` sentence; null for built-in rules. */
  readonly detail: string | null;
  readonly tags: readonly string[];
  readonly hostname: string | null;
}

/** One line of the alert timeline: every hit of one rule on one container, deduplicated. */
export interface AlertRecord {
  /** `source:rule:container` — stable, unique in a table. */
  readonly key: string;
  readonly source: AlertSource;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string | null;
  readonly container: AlertContainer | null;
  /** First and last hit. Syscall sources resolve to the second (a multiple of 1000). */
  readonly firstSeen: EpochMillis;
  readonly lastSeen: EpochMillis;
  readonly count: number;
  /** The syscalls that matched, with counts (built-in rules). */
  readonly syscalls: readonly { readonly name: string; readonly count: number }[];
  /** Distinct process names seen (at most MAX_PROCESSES). */
  readonly processes: readonly string[];
  /** The latest Falco output sentence (null for built-in rules). */
  readonly detail: string | null;
  readonly tags: readonly string[];
  readonly hostname: string | null;
}

/** Most distinct process names kept per record. */
export const MAX_PROCESSES = 8;
/** Most tags kept per record. */
export const MAX_TAGS = 16;
/** Default bound on records. */
export const DEFAULT_MAX_ALERTS = 1024;

interface MutableRecord {
  readonly key: string;
  readonly source: AlertSource;
  readonly ruleId: string;
  title: string;
  severity: Severity;
  rationale: string | null;
  container: AlertContainer | null;
  firstSeen: number;
  lastSeen: number;
  count: number;
  readonly syscalls: Map<string, number>;
  readonly processes: string[];
  detail: string | null;
  readonly tags: string[];
  hostname: string | null;
}

/** The deduplicating alert table. Create with createAlertTable; change only through this module. */
export interface AlertTable {
  readonly maxRecords: number;
  /** Hits dropped because they were for a new (source, rule, container) once the table was full. */
  readonly overflow: number;
  /** All hits folded (dropped ones included). */
  readonly hits: number;
  /** @internal */
  readonly t: { readonly records: Map<string, MutableRecord>; overflow: number; hits: number };
}

/** Create an empty table of at most `maxRecords` records. */
export function createAlertTable(maxRecords = DEFAULT_MAX_ALERTS): AlertTable {
  if (!Number.isInteger(maxRecords) || maxRecords < 1)
    throw new RangeError('maxRecords must be a positive integer');
  const t = { records: new Map<string, MutableRecord>(), overflow: 0, hits: 0 };
  return {
    maxRecords,
    get overflow() {
      return t.overflow;
    },
    get hits() {
      return t.hits;
    },
    t,
  };
}

/** The key a hit is deduplicated under. */
export function alertKey(source: AlertSource, ruleId: string, container: AlertContainer | null): string {
  return `${source}:${ruleId}:${container === null ? '-' : container.id}`;
}

/** Fold one hit into the table; false when it was dropped (table full). */
export function addAlert(table: AlertTable, hit: AlertHit): boolean {
  const t = table.t;
  t.hits++;
  const key = alertKey(hit.source, hit.ruleId, hit.container);
  let r = t.records.get(key);
  if (r === undefined) {
    if (t.records.size >= table.maxRecords) {
      t.overflow++;
      return false;
    }
    r = {
      key,
      source: hit.source,
      ruleId: hit.ruleId,
      title: hit.title,
      severity: hit.severity,
      rationale: hit.rationale,
      container: hit.container,
      firstSeen: hit.time,
      lastSeen: hit.time,
      count: 0,
      syscalls: new Map(),
      processes: [],
      detail: hit.detail,
      tags: [],
      hostname: hit.hostname,
    };
    t.records.set(key, r);
  }
  r.count++;
  if (hit.time < r.firstSeen) r.firstSeen = hit.time;
  if (hit.time >= r.lastSeen) {
    r.lastSeen = hit.time;
    if (hit.detail !== null) r.detail = hit.detail;
    // The latest Falco priority wins (a rule's priority can change between Falco versions).
    r.severity = hit.severity;
  }
  // A name that arrives later fills in an unnamed container.
  if (
    r.container !== null &&
    r.container.name === null &&
    hit.container !== null &&
    hit.container.name !== null
  ) {
    r.container = hit.container;
  }
  if (hit.syscall !== null) r.syscalls.set(hit.syscall, (r.syscalls.get(hit.syscall) ?? 0) + 1);
  if (hit.process !== null && r.processes.length < MAX_PROCESSES && !r.processes.includes(hit.process)) {
    r.processes.push(hit.process);
  }
  for (const tag of hit.tags) {
    if (r.tags.length >= MAX_TAGS) break;
    if (!r.tags.includes(tag)) r.tags.push(tag);
  }
  if (r.hostname === null && hit.hostname !== null) r.hostname = hit.hostname;
  return true;
}

/** The hit a built-in syscall rule makes of an observation. */
export function syscallHit(rule: SyscallAlertRule, o: AlertObservation): AlertHit {
  return {
    source: 'builtin',
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    rationale: rule.rationale,
    container: o.container,
    time: (o.second * 1000) as EpochMillis,
    syscall: o.syscall,
    process: o.process ?? null,
    detail: null,
    tags: [],
    hostname: null,
  };
}

/** The hit the shell rule makes of an exec observation. */
export function shellHit(o: AlertObservation): AlertHit {
  return {
    source: 'builtin',
    ruleId: SHELL_ALERT_RULE.id,
    title: SHELL_ALERT_RULE.title,
    severity: SHELL_ALERT_RULE.severity,
    rationale: SHELL_ALERT_RULE.rationale,
    container: o.container,
    time: (o.second * 1000) as EpochMillis,
    syscall: o.syscall,
    process: o.process ?? null,
    detail: null,
    tags: [],
    hostname: null,
  };
}

/**
 * Check one observation against the built-in rules and fold any hit into the table; returns the id of
 * the rule that matched, or null.
 */
export function observeSyscall(table: AlertTable, o: AlertObservation): string | null {
  const rule = RULE_BY_SYSCALL.get(o.syscall);
  if (rule !== undefined) {
    addAlert(table, syscallHit(rule, o));
    return rule.id;
  }
  if (EXECS.has(o.syscall) && typeof o.process === 'string' && SHELLS.has(o.process)) {
    addAlert(table, shellHit(o));
    return SHELL_ALERT_RULE.id;
  }
  return null;
}

/** Fold a whole stream of observations (tests, one-offs). */
export function observeAll(table: AlertTable, observations: Iterable<AlertObservation>): void {
  for (const o of observations) observeSyscall(table, o);
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  info: 4,
};

/** The records, as the timeline shows them: by first seen, then severity (worst first), then key. */
export function alertRecords(table: AlertTable): AlertRecord[] {
  return [...table.t.records.values()]
    .map((r): AlertRecord => ({
      key: r.key,
      source: r.source,
      ruleId: r.ruleId,
      title: r.title,
      severity: r.severity,
      rationale: r.rationale,
      container: r.container,
      firstSeen: r.firstSeen as EpochMillis,
      lastSeen: r.lastSeen as EpochMillis,
      count: r.count,
      syscalls: [...r.syscalls.entries()]
        .map(([name, count]) => ({ name, count }))
        .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)),
      processes: [...r.processes],
      detail: r.detail,
      tags: [...r.tags],
      hostname: r.hostname,
    }))
    .sort(
      (a, b) =>
        a.firstSeen - b.firstSeen ||
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
}
