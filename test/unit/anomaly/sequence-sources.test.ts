import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import type { BpfSequenceSink } from '../../../electron/adapters/anomaly/bpftrace-sequence.js';
import {
  bpftraceSequenceProgram,
  createBpfSequenceParser,
  MAX_SEQUENCE_LINE,
  startBpftraceSequence,
} from '../../../electron/adapters/anomaly/bpftrace-sequence.js';
import {
  createSequenceSink,
  SEQUENCE_FORMAT,
  sequenceCaptureArgs,
} from '../../../electron/adapters/anomaly/sysdig-sequence.js';
import type { CgroupResolver } from '../../../electron/adapters/syscalls/cgroup-resolver.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import { createAnomalyMonitor, monitorSnapshot } from '../../../shared/domain/anomaly/monitor.js';
import type { SourceState, SysdigContainerId } from '../../../shared/domain/syscalls/model.js';
import { createSysdigLineSplitter } from '../../../shared/domain/syscalls/sysdig-line.js';

type Call =
  | ['syscall', number, number, number]
  | ['exec', number, number, string]
  | ['lost', number]
  | ['banner']
  | ['malformed', string];

function recorder(): BpfSequenceSink & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    syscall: (c, t, n) => calls.push(['syscall', c, t, n]),
    exec: (c, t, comm) => calls.push(['exec', c, t, comm]),
    lost: (n) => calls.push(['lost', n]),
    banner: () => calls.push(['banner']),
    malformed: (l) => calls.push(['malformed', l]),
  };
}

// Lines as bpftrace 0.17 printed them for the program on this host (cgroup 2685: the busybox loop).
const REAL = [
  'Attaching 2 probes...',
  '2685 8878 15',
  '2685 8878 61',
  'X 2685 9821 exe',
  '2685 9821 59',
  'Lost 12 events',
  'X 2685 9900 runc:[2:INIT]',
  'X 2685 9901 Web Content',
].join('\n');

describe('the eBPF sequence program', () => {
  it('filters host processes in the kernel on both probes and prints compact lines', () => {
    const p = bpftraceSequenceProgram();
    expect(p).toContain('tracepoint:raw_syscalls:sys_enter /cgroup != 1/');
    expect(p).toContain('tracepoint:sched:sched_process_exec /cgroup != 1/');
    expect(p).toContain('printf("%llu %d %d\\n", cgroup, tid, args->id)');
    expect(p).toContain('printf("X %llu %d %s\\n", cgroup, tid, comm)');
  });
});

describe('the eBPF sequence parser', () => {
  it('reads syscall, exec, lost and banner lines', () => {
    const r = recorder();
    const p = createBpfSequenceParser(r);
    p.push(`${REAL}\n`);
    p.end();
    expect(r.calls).toEqual([
      ['banner'],
      ['syscall', 2685, 8878, 15],
      ['syscall', 2685, 8878, 61],
      ['exec', 2685, 9821, 'exe'],
      ['syscall', 2685, 9821, 59],
      ['lost', 12],
      ['exec', 2685, 9900, 'runc:[2:INIT]'],
      ['exec', 2685, 9901, 'Web Content'],
    ]);
  });

  it.each([
    ['2685 8878', 'too few fields'],
    ['2685 8878 15 3', 'too many fields'],
    ['2685  8878 15', 'two spaces'],
    ['2685 8878 x', 'not a number'],
    ['1234567890123456 1 1', 'a cgroup id longer than 15 digits'],
    ['X 2685 9821', 'an exec without comm'],
    ['X 2685 9821 ', 'an exec with an empty comm'],
    ['X2685 9821 sh', 'no space after X'],
    ['hello', 'text'],
    ['7'.repeat(MAX_SEQUENCE_LINE + 1), 'too long'],
  ])('refuses %j (%s)', (line) => {
    const r = recorder();
    const p = createBpfSequenceParser(r);
    p.push(`${line}\n2685 1 0\n`);
    expect(r.calls[0]?.[0]).toBe('malformed');
    expect(r.calls.at(-1)).toEqual(['syscall', 2685, 1, 0]);
  });

  it('reads a negative syscall number (bpftrace prints -1 for some) and CRLF', () => {
    const r = recorder();
    const p = createBpfSequenceParser(r);
    p.push('2685 1 -1\r\n');
    expect(r.calls).toEqual([['syscall', 2685, 1, -1]]);
  });

  it('counts a last line without newline as malformed, and a runaway partial line', () => {
    const r = recorder();
    const p = createBpfSequenceParser(r);
    p.push('2685 1 2');
    p.end();
    expect(r.calls).toEqual([['malformed', '2685 1 2']]);
    const r2 = recorder();
    const p2 = createBpfSequenceParser(r2);
    for (let i = 0; i < 10; i++) p2.push('9'.repeat(100));
    p2.push('\n2685 1 2\n');
    expect(r2.calls.filter((c) => c[0] === 'malformed').length).toBeGreaterThanOrEqual(1);
    expect(r2.calls.at(-1)).toEqual(['syscall', 2685, 1, 2]);
  });

  it('gives the same calls however the output is cut', () => {
    const whole = recorder();
    const pw = createBpfSequenceParser(whole);
    pw.push(`${REAL}\n`);
    pw.end();
    const text = `${REAL}\n`;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), (cuts) => {
        const r = recorder();
        const p = createBpfSequenceParser(r);
        let from = 0;
        for (const c of [...new Set(cuts)].sort((a, b) => a - b)) {
          p.push(text.slice(from, c));
          from = c;
        }
        p.push(text.slice(from));
        p.end();
        expect(r.calls).toEqual(whole.calls);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 8 }), (parts) => {
        const p = createBpfSequenceParser(recorder());
        for (const part of parts) p.push(part);
        p.end();
      }),
      { numRuns: 1000 },
    );
  });
});

// Real lines printed by `sysdig -r bencer_k8s_capture.scap -p SEQUENCE_FORMAT evt.dir=>` (sysdig 0.29.3).
const K8S_LINES = [
  '1481211698 <NA> switch <NA>',
  '1481211698 host select containerd-shim',
  '1481211698 host switch containerd-shim',
  '1481211699 b3a718d8b339 execve bash',
  '1481211700 53fe249c71de futex hyperkube',
  '1481211700 53fe249c71de read hyperkube',
  '1481211700 53fe249c71de futex hyperkube',
  '1481211700 de7157ba23c4 setns nsenter',
  '1481211700 53fe249c71de switch hyperkube',
  '1481211700 53fe249c71de futex two words',
].join('\n');

describe('the sysdig sequence sink', () => {
  it('asks sysdig for the sequence format, enter events only, with argument arrays', () => {
    expect(SEQUENCE_FORMAT).toBe('*%evt.rawtime.s %container.id %evt.type %proc.name');
    expect(sequenceCaptureArgs('/data/x.scap')).toEqual([
      '-r',
      '/data/x.scap',
      '-p',
      SEQUENCE_FORMAT,
      'evt.dir=>',
    ]);
    expect(() => sequenceCaptureArgs('x.scap')).toThrow(/absolute/);
  });

  it('feeds containers only, skips non-syscall events, alerts with process names', () => {
    const monitor = createAnomalyMonitor({ bosc: { windowSize: 2, epochSize: 10, trainingEpochs: 1 } });
    const seen: string[] = [];
    const sink = createSequenceSink(monitor, { onSyscall: (c, s, t) => seen.push(`${t} ${c} ${s}`) });
    const splitter = createSysdigLineSplitter(sink);
    splitter.push(`${K8S_LINES}\n`);
    splitter.end();
    expect(sink.counts).toEqual({
      events: 5,
      skipped: 4, // <NA> switch, host select, host switch, the container's switch
      unattributed: 1,
      malformed: 1, // a process name with a space makes five fields
      malformedByReason: { 'field-count': 1 },
    });
    expect(seen).toEqual([
      '1481211699 b3a718d8b339 execve',
      '1481211700 53fe249c71de futex',
      '1481211700 53fe249c71de read',
      '1481211700 53fe249c71de futex',
      '1481211700 de7157ba23c4 setns',
    ]);
    const snap = monitorSnapshot(monitor);
    expect(snap.containers.map((c) => [c.key, c.bosc?.syscalls])).toEqual([
      ['53fe249c71de', 3],
      ['b3a718d8b339', 1],
      ['de7157ba23c4', 1],
    ]);
    expect(snap.alerts.map((a) => [a.ruleId, a.container?.id, a.processes, a.firstSeen])).toEqual([
      ['shell-in-container', 'b3a718d8b339', ['bash'], 1481211699_000],
      ['setns', 'de7157ba23c4', ['nsenter'], 1481211700_000],
    ]);
  });

  it('follows the host as a container when asked', () => {
    const monitor = createAnomalyMonitor();
    const sink = createSequenceSink(monitor, { includeHost: true });
    const splitter = createSysdigLineSplitter(sink);
    splitter.push(`${K8S_LINES}\n`);
    expect(sink.counts.events).toBe(6);
    expect(monitorSnapshot(monitor).containers.map((c) => c.key)).toContain('host');
  });
});

describe('the eBPF sequence source as a process (a stand-in bpftrace)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-bpfseq-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A script that prints `lines` like bpftrace, then sleeps (or exits with `code`). */
  function fakeBpftrace(lines: readonly string[], code: number | null): string {
    const path = join(dir, `bpftrace-${Math.random().toString(36).slice(2)}`);
    const body = lines.map((l) => `echo '${l}'`).join('\n');
    writeFileSync(path, `#!/bin/sh\n${body}\n${code === null ? 'exec sleep 30' : `exit ${code}`}\n`, {
      mode: 0o755,
    });
    return path;
  }

  const resolver: CgroupResolver = {
    resolve: (cg) =>
      cg === '777'
        ? { kind: 'container', id: 'aaaaaaaaaaaa' as SysdigContainerId, name: 'web' }
        : cg === '1'
          ? { kind: 'host' }
          : { kind: 'unattributed' },
    known: (cg) => cg === '777' || cg === '1',
    refresh: () => 1,
  };

  it('streams, feeds the container, restarts windows on lost events, and settles exited on dispose', async () => {
    // x86_64: 101 = ptrace, 0 = read, 59 = execve.
    const program = fakeBpftrace(
      [
        'Attaching 2 probes...',
        '777 10 0',
        '777 10 0',
        '777 10 101',
        '555 11 0',
        'Lost 3 events',
        'X 777 12 sh',
        '777 12 59',
      ],
      null,
    );
    const states: SourceState[] = [];
    const tapped: string[] = [];
    const s = startBpftraceSequence(
      { onState: (st) => states.push(st) },
      {
        clock: systemClock,
        program,
        arch: 'x86_64',
        resolver,
        isRoot: true,
        onSyscall: (c, n) => tapped.push(`${c} ${n}`),
      },
    );
    expect(states.map((x) => x.phase)).toEqual(['starting']);
    const deadline = Date.now() + 5000;
    while (tapped.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(tapped).toEqual([
      'aaaaaaaaaaaa read',
      'aaaaaaaaaaaa read',
      'aaaaaaaaaaaa ptrace',
      'aaaaaaaaaaaa execve',
    ]);
    expect(s.state.phase).toBe('streaming');
    expect([s.lost, s.unattributed, s.malformed]).toEqual([3, 1, 0]);
    const snap = s.snapshot();
    expect(snap.containers.map((c) => [c.key, c.name, c.bosc?.syscalls, c.bosc?.gaps])).toEqual([
      ['aaaaaaaaaaaa', 'web', 4, 1],
    ]);
    expect(snap.alerts.map((a) => [a.ruleId, a.processes])).toEqual([
      ['ptrace', []],
      ['shell-in-container', ['sh']],
    ]);
    s.dispose();
    expect((await s.settled).phase).toBe('exited');
    expect(states.map((x) => x.phase)).toEqual(['starting', 'streaming', 'exited']);
  });

  it('settles failed when bpftrace exits, with its words', async () => {
    const program = fakeBpftrace(['Attaching 2 probes...'], 1);
    const s = startBpftraceSequence(
      { onState: () => undefined },
      { clock: systemClock, program, resolver, isRoot: true },
    );
    const end = await s.settled;
    expect(end.phase === 'failed' && end.error.code).toBe('bpftrace-failed');
    expect(end.phase === 'failed' && end.error.message).toMatch(/exit code 1/);
  });

  it('settles bpftrace-missing when there is no bpftrace', async () => {
    const s = startBpftraceSequence(
      { onState: () => undefined },
      { clock: systemClock, program: join(dir, 'nope'), resolver, isRoot: true },
    );
    const end = await s.settled;
    expect(end.phase === 'failed' && end.error.code).toBe('bpftrace-missing');
  });
});
