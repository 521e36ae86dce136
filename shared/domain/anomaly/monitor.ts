import type { EpochMillis } from '../ids.js';
import type { AlertContainer, AlertRecord, AlertTable, SyscallAlertRule } from './alerts.js';
import {
  addAlert,
  alertRecords,
  createAlertTable,
  DEFAULT_MAX_ALERTS,
  isExecSyscall,
  isShellName,
  ruleForSyscall,
  shellHit,
  SYSCALL_ALERT_RULES,
  syscallHit,
} from './alerts.js';
import type { BoscContainerState, BoscDetector, BoscSettings, BoscStream } from './bosc.js';
import {
  boscStream,
  countUntracked,
  createBoscDetector,
  pushSyscall,
  raisedCount,
  streamState,
} from './bosc.js';

/**
 * One container-anomaly monitor: BoSC per container and the built-in syscall alerts, fed by a sequence
 * source (sysdig lines, eBPF lines) one syscall at a time.
 *
 * The per-syscall path is cheap: the caller resolves a container once (`monitorContainer`) and a syscall
 * name once (`syscallIndex`); `observe` then slides the container's BoSC window and checks a small table
 * (vocabulary index → rule) that is filled the first time an index appears, so the alert rules cost one
 * array read per syscall and an allocation only on a hit.
 *
 * Pure: no I/O, no clock. Mutable, changed only through this module; `monitorSnapshot` is plain data.
 */

/**
 * sysdig event types that are not syscalls: scheduler switches, process exits, signal deliveries, drops
 * and sysdig's own meta events. They have no place in a bag of *system calls* (a context switch says which
 * CPU ran what, not what the program asked for), so sequence sources skip them.
 */
export const NON_SYSCALL_EVENTS: ReadonlySet<string> = new Set([
  'switch',
  'procexit',
  'signaldeliver',
  'page_fault',
  'drop',
  'scapevent',
  'sysdigevent',
  'cpu_hotplug',
  'container',
  'notification',
  'infra',
  'procinfo',
  'tracer',
  'k8s',
  'mesos',
  'pluginevent',
  'meta',
]);

/** Whether a sysdig `evt.type` is a syscall (see NON_SYSCALL_EVENTS). */
export function isSyscallEventType(type: string): boolean {
  return !NON_SYSCALL_EVENTS.has(type);
}

/** A followed container. */
export interface MonitoredContainer {
  readonly key: string;
  /** The container's name when the source gives it (may arrive later). */
  name: string | null;
  /** Its BoSC stream; null when the detector follows maxContainers already (alerts still work). */
  readonly stream: BoscStream | null;
  /** @internal The alert rules' view of it. */
  readonly alertContainer: { id: string; name: string | null };
}

/** Options of createAnomalyMonitor. */
export interface AnomalyMonitorOptions {
  readonly bosc?: Partial<BoscSettings>;
  /** Bound on alert records; default 1024. */
  readonly maxAlerts?: number;
}

const UNKNOWN = -3;
const NONE = -1;
const EXEC = -2;

/** A monitor. */
export interface AnomalyMonitor {
  readonly detector: BoscDetector;
  readonly alerts: AlertTable;
  /** @internal */
  readonly m: {
    readonly containers: Map<string, MonitoredContainer>;
    /** Vocabulary index → rule index in SYSCALL_ALERT_RULES, EXEC, NONE or UNKNOWN (not looked up yet). */
    readonly ruleOf: Int16Array;
    untracked: number;
  };
}

/** Create a monitor; throws RangeError on bad BoSC settings. */
export function createAnomalyMonitor(options: AnomalyMonitorOptions = {}): AnomalyMonitor {
  const detector = createBoscDetector(options.bosc);
  const ruleOf = new Int16Array(detector.settings.maxSyscalls + 1).fill(UNKNOWN);
  return {
    detector,
    alerts: createAlertTable(options.maxAlerts ?? DEFAULT_MAX_ALERTS),
    m: { containers: new Map(), ruleOf, untracked: 0 },
  };
}

/**
 * The container of `key`, created on first use (with its BoSC stream); a later call with a name fills in
 * a name that was unknown. Null once 4 × maxContainers are known (events are then only counted).
 */
export function monitorContainer(
  monitor: AnomalyMonitor,
  key: string,
  name: string | null,
): MonitoredContainer | null {
  const m = monitor.m;
  const known = m.containers.get(key);
  if (known !== undefined) {
    if (known.name === null && name !== null) {
      known.name = name;
      known.alertContainer.name = name;
    }
    return known;
  }
  if (m.containers.size >= monitor.detector.settings.maxContainers * 4) return null;
  const c: MonitoredContainer = {
    key,
    name,
    stream: boscStream(monitor.detector, key),
    alertContainer: { id: key, name },
  };
  m.containers.set(key, c);
  return c;
}

/** Count `n` syscalls that had no container to go to (see monitorContainer). */
export function countUnmonitored(monitor: AnomalyMonitor, n = 1): void {
  monitor.m.untracked += n;
}

/** The vocabulary index of a syscall name (look it up once per name, not per syscall). */
export function syscallIndex(monitor: AnomalyMonitor, name: string): number {
  return monitor.detector.vocabulary.indexOf(name);
}

function ruleIndex(monitor: AnomalyMonitor, index: number): number {
  const name = monitor.detector.vocabulary.nameOf(index);
  const rule = ruleForSyscall(name);
  if (rule !== null) return SYSCALL_ALERT_RULES.indexOf(rule);
  return isExecSyscall(name) ? EXEC : NONE;
}

function cachedRule(monitor: AnomalyMonitor, index: number): number {
  const ruleOf = monitor.m.ruleOf;
  let r = ruleOf[index]!;
  if (r === UNKNOWN) {
    r = ruleIndex(monitor, index);
    ruleOf[index] = r;
  }
  return r;
}

/**
 * Whether `observe` reads the process name for this syscall (a rule matches it, or it is an exec), so a
 * source need build the name only then.
 */
export function wantsProcess(monitor: AnomalyMonitor, index: number): boolean {
  return cachedRule(monitor, index) !== NONE;
}

function snapshotContainer(c: MonitoredContainer): AlertContainer {
  return { id: c.alertContainer.id, name: c.alertContainer.name };
}

/**
 * One syscall of a container: into its BoSC window, and through the alert rules.
 *
 * `process` is the issuing process's name when the source has it (sysdig: `proc.name`); an execve with a
 * shell's name raises the shell alert.
 */
export function observe(
  monitor: AnomalyMonitor,
  c: MonitoredContainer,
  index: number,
  second: number,
  process: string | null,
): void {
  if (c.stream !== null) pushSyscall(monitor.detector, c.stream, index, second);
  else countUntracked(monitor.detector);
  const r = cachedRule(monitor, index);
  if (r === NONE) return;
  const syscall = monitor.detector.vocabulary.nameOf(index);
  if (r >= 0) {
    const rule: SyscallAlertRule = SYSCALL_ALERT_RULES[r]!;
    addAlert(monitor.alerts, syscallHit(rule, { second, container: snapshotContainer(c), syscall, process }));
  } else if (process !== null && isShellName(process)) {
    addAlert(monitor.alerts, shellHit({ second, container: snapshotContainer(c), syscall, process }));
  }
}

/**
 * A successful exec seen apart from the syscall stream, with the name the process has now (eBPF:
 * `sched_process_exec`). Only the shell rule looks at it; the execve itself went through `observe`.
 */
export function observeExec(
  monitor: AnomalyMonitor,
  c: MonitoredContainer,
  second: number,
  process: string,
): void {
  if (!isShellName(process)) return;
  addAlert(monitor.alerts, shellHit({ second, container: snapshotContainer(c), syscall: 'execve', process }));
}

/** Anomalous epochs ever raised across the monitor's containers (grows only): "did anything new happen". */
export function raisedTotal(monitor: AnomalyMonitor): number {
  let n = 0;
  for (const c of monitor.m.containers.values()) if (c.stream !== null) n += raisedCount(c.stream);
  return n;
}

/** One container in a snapshot. */
export interface MonitoredContainerState {
  readonly key: string;
  readonly name: string | null;
  /** Null when the container had no BoSC stream (the detector was full). */
  readonly bosc: BoscContainerState | null;
}

/** A monitor's state as plain data. */
export interface AnomalySnapshot {
  /** Containers by key. */
  readonly containers: readonly MonitoredContainerState[];
  /** The alert timeline. */
  readonly alerts: readonly AlertRecord[];
  /** Syscalls not followed: containers beyond the bounds. */
  readonly untracked: number;
  /** Alert hits dropped because the alert table was full. */
  readonly alertOverflow: number;
  /** Syscall names beyond the vocabulary bound. */
  readonly vocabularyOverflow: number;
  /** When the snapshot was taken (the caller's clock); null when the caller has none. */
  readonly at: EpochMillis | null;
}

/** Snapshot the monitor. */
export function monitorSnapshot(monitor: AnomalyMonitor, at: EpochMillis | null = null): AnomalySnapshot {
  const containers = [...monitor.m.containers.values()]
    .map((c): MonitoredContainerState => ({
      key: c.key,
      name: c.name,
      bosc: c.stream === null ? null : streamState(monitor.detector, c.stream),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    containers,
    alerts: alertRecords(monitor.alerts),
    untracked: monitor.m.untracked + monitor.detector.untracked,
    alertOverflow: monitor.alerts.overflow,
    vocabularyOverflow: monitor.detector.vocabulary.overflowed,
    at,
  };
}
