import { describe, expect, it } from 'vitest';

import type { AlertContainer, AlertObservation } from '../../../shared/domain/anomaly/alerts.js';
import {
  addAlert,
  alertRecords,
  createAlertTable,
  isShellName,
  MAX_PROCESSES,
  observeAll,
  observeSyscall,
  ruleForSyscall,
  SHELL_ALERT_RULE,
  SYSCALL_ALERT_RULES,
  syscallHit,
} from '../../../shared/domain/anomaly/alerts.js';
import {
  createAnomalyMonitor,
  isSyscallEventType,
  monitorContainer,
  monitorSnapshot,
  observe,
  observeExec,
  syscallIndex,
  wantsProcess,
} from '../../../shared/domain/anomaly/monitor.js';

const C1: AlertContainer = { id: '3ad7b26ded6d', name: 'web' };
const C2: AlertContainer = { id: '53fe249c71de', name: null };

const obs = (
  syscall: string,
  second = 1000,
  process: string | null = null,
  container = C1,
): AlertObservation => ({
  second,
  container,
  syscall,
  process,
});

describe('built-in syscall rules', () => {
  // Every syscall of the brief, the rule it raises and that rule's severity.
  it.each([
    ['ptrace', 'ptrace', 'high'],
    ['mount', 'mount', 'high'],
    ['umount2', 'mount', 'high'],
    ['umount', 'mount', 'high'], // sysdig's name for umount2
    ['unshare', 'unshare', 'high'],
    ['setns', 'setns', 'high'],
    ['init_module', 'kernel-module', 'critical'],
    ['finit_module', 'kernel-module', 'critical'],
    ['bpf', 'bpf', 'high'],
    ['perf_event_open', 'perf-event-open', 'medium'],
    ['keyctl', 'kernel-keyring', 'medium'],
    ['add_key', 'kernel-keyring', 'medium'],
    ['kexec_load', 'kexec', 'critical'],
    ['open_by_handle_at', 'open-by-handle-at', 'critical'],
  ] as const)('%s → %s (%s)', (syscall, id, severity) => {
    const rule = ruleForSyscall(syscall);
    expect(rule?.id).toBe(id);
    expect(rule?.severity).toBe(severity);
    const table = createAlertTable();
    expect(observeSyscall(table, obs(syscall))).toBe(id);
    expect(alertRecords(table)).toEqual([
      expect.objectContaining({ ruleId: id, severity, count: 1, syscalls: [{ name: syscall, count: 1 }] }),
    ]);
  });

  it.each(['read', 'openat', 'execve', 'clone', 'futex', 'switch', '<unknown>', 'mount_setattr', ''])(
    '%s raises nothing',
    (syscall) => {
      const table = createAlertTable();
      expect(observeSyscall(table, obs(syscall))).toBeNull();
      expect(alertRecords(table)).toEqual([]);
    },
  );

  it('every rule has a unique id, a title and a rationale, and no syscall is in two rules', () => {
    const ids = [...SYSCALL_ALERT_RULES.map((r) => r.id), SHELL_ALERT_RULE.id];
    expect(new Set(ids).size).toBe(ids.length);
    const all = SYSCALL_ALERT_RULES.flatMap((r) => r.syscalls);
    expect(new Set(all).size).toBe(all.length);
    for (const r of [...SYSCALL_ALERT_RULES, SHELL_ALERT_RULE]) {
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.rationale.length).toBeGreaterThan(60);
    }
  });
});

describe('shell rule', () => {
  it.each([
    ['execve', 'sh', true],
    ['execve', 'bash', true],
    ['execveat', 'dash', true],
    ['execve', 'ash', true],
    ['execve', 'zsh', true],
    ['execve', 'busybox', true],
    ['execve', 'cat', false],
    ['execve', 'shell', false],
    ['execve', null, false],
    ['openat', 'sh', false],
  ] as const)('%s by %s → %s', (syscall, process, hit) => {
    const table = createAlertTable();
    expect(observeSyscall(table, obs(syscall, 5, process))).toBe(hit ? SHELL_ALERT_RULE.id : null);
    expect(alertRecords(table).length).toBe(hit ? 1 : 0);
  });

  it('knows its shells', () => {
    expect(isShellName('sh')).toBe(true);
    expect(isShellName('SH')).toBe(false);
  });
});

describe('dedupe per container and rule', () => {
  it('one record per (rule, container) with first/last seen and counts', () => {
    const table = createAlertTable();
    observeAll(table, [
      obs('ptrace', 10, 'gdb'),
      obs('ptrace', 12, 'gdb'),
      obs('ptrace', 11, 'strace'),
      obs('ptrace', 13, 'gdb', C2),
      obs('mount', 20, 'mount'),
      obs('umount2', 21, 'umount'),
      obs('read', 22, 'x'),
    ]);
    const records = alertRecords(table);
    expect(records.map((r) => [r.ruleId, r.container?.id, r.count])).toEqual([
      ['ptrace', C1.id, 3],
      ['ptrace', C2.id, 1],
      ['mount', C1.id, 2],
    ]);
    expect(records[0]).toMatchObject({
      key: `builtin:ptrace:${C1.id}`,
      source: 'builtin',
      firstSeen: 10_000,
      lastSeen: 12_000,
      processes: ['gdb', 'strace'],
      container: C1,
    });
    expect(records[2]!.syscalls).toEqual([
      { name: 'mount', count: 1 },
      { name: 'umount2', count: 1 },
    ]);
    expect(table.hits).toBe(6);
  });

  it('bounds the records and what each collects', () => {
    const table = createAlertTable(2);
    for (let i = 0; i < 20; i++) observeSyscall(table, obs('ptrace', i, `p${i}`));
    observeSyscall(table, obs('bpf', 30));
    expect(observeSyscall(table, obs('setns', 31))).toBe('setns'); // matched, but dropped
    const records = alertRecords(table);
    expect(records).toHaveLength(2);
    expect(records[0]!.count).toBe(20);
    expect(records[0]!.processes).toHaveLength(MAX_PROCESSES);
    expect(table.overflow).toBe(1);
    // An existing record still counts when the table is full.
    expect(addAlert(table, syscallHit(ruleForSyscall('bpf')!, obs('bpf', 40)))).toBe(true);
    expect(alertRecords(table)[1]).toMatchObject({ ruleId: 'bpf', count: 2, lastSeen: 40_000 });
  });

  it('refuses a non-positive bound', () => {
    expect(() => createAlertTable(0)).toThrow(RangeError);
  });
});

describe('monitor: BoSC and alerts fed together', () => {
  it('alerts by vocabulary index, reads process names only where a rule needs them', () => {
    const m = createAnomalyMonitor({ bosc: { windowSize: 2, epochSize: 10, trainingEpochs: 1 } });
    const c = monitorContainer(m, 'abc', null)!;
    const read = syscallIndex(m, 'read');
    const ptrace = syscallIndex(m, 'ptrace');
    const execve = syscallIndex(m, 'execve');
    expect([wantsProcess(m, read), wantsProcess(m, ptrace), wantsProcess(m, execve)]).toEqual([
      false,
      true,
      true,
    ]);
    for (let i = 0; i < 12; i++) observe(m, c, read, 50, null);
    observe(m, c, ptrace, 51, 'gdb');
    observe(m, c, execve, 52, 'sh');
    observe(m, c, execve, 52, 'cat');
    observeExec(m, c, 53, 'bash');
    observeExec(m, c, 53, 'exe');
    // A name arriving later fills in the container's name.
    expect(monitorContainer(m, 'abc', 'web')).toBe(c);
    const snap = monitorSnapshot(m);
    expect(snap.containers).toHaveLength(1);
    expect(snap.containers[0]).toMatchObject({
      key: 'abc',
      name: 'web',
      bosc: { phase: 'watching', syscalls: 15 },
    });
    expect(snap.alerts.map((a) => [a.ruleId, a.count, a.processes])).toEqual([
      ['ptrace', 1, ['gdb']],
      ['shell-in-container', 2, ['sh', 'bash']],
    ]);
  });

  it('skips sysdig events that are not syscalls', () => {
    for (const t of ['switch', 'procexit', 'signaldeliver']) expect(isSyscallEventType(t)).toBe(false);
    for (const t of ['read', 'execve', '<unknown>']) expect(isSyscallEventType(t)).toBe(true);
  });
});
