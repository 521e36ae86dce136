import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BpfCount } from '../../../electron/adapters/syscalls/bpftrace-output.js';
import {
  createBpfOutputParser,
  createTotalsDiffer,
  parseEntry,
} from '../../../electron/adapters/syscalls/bpftrace-output.js';
import {
  bpftraceArgs,
  bpftraceEnv,
  bpftraceProgram,
  emptyProgram,
} from '../../../electron/adapters/syscalls/bpftrace-program.js';
import { classifyBpftraceFailure } from '../../../electron/adapters/syscalls/bpftrace-process.js';
import {
  alertSyscallNumbers,
  hostArch,
  startBpftraceSource,
} from '../../../electron/adapters/syscalls/bpftrace-source.js';
import {
  createCgroupResolver,
  dockerCgroupLayouts,
} from '../../../electron/adapters/syscalls/cgroup-resolver.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import { ensureTracefs } from '../../support/tracefs.js';
import type { SourceState, SyscallFrame } from '../../../shared/domain/syscalls/model.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bulkhead-bpf-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ID_A = 'a'.repeat(64);
const ID_B = `b${'0123456789abcdef'.repeat(4).slice(1)}`;

describe('bpftraceProgram', () => {
  it('counts per (cgroup, syscall number) in one count() map, never cleared, printed between markers every 250 ms', () => {
    const p = bpftraceProgram();
    expect(p).toBe(
      [
        'tracepoint:raw_syscalls:sys_enter { @c[cgroup, args->id] = count(); }',
        'interval:ms:250 { printf("#B\\n"); print(@c); printf("#E\\n"); }',
      ].join('\n'),
    );
    expect(p).not.toMatch(/clear|delete|zero/);
  });

  it('filters the host only when asked, alternates two maps in the other mode, and checks the interval', () => {
    expect(bpftraceProgram({ skipHost: true })).toMatch(
      /^tracepoint:raw_syscalls:sys_enter \/cgroup != 1\/ \{/,
    );
    const alt = bpftraceProgram({ mode: 'alternate', intervalMs: 500 });
    expect(alt).toMatch(/interval:ms:500/);
    expect(alt).toMatch(/@p = 1; print\(@c\); clear\(@c\)/);
    expect(alt).toMatch(/@p = 0; print\(@d\); clear\(@d\)/);
    expect(() => bpftraceProgram({ intervalMs: 50 })).toThrow(RangeError);
    expect(() => bpftraceProgram({ intervalMs: 250.5 })).toThrow(RangeError);
    expect(emptyProgram()).toBe('tracepoint:raw_syscalls:sys_enter { }');
  });

  it('passes the program as one argv element and the key bound through the environment', () => {
    expect(bpftraceArgs('x y; z')).toEqual(['-e', 'x y; z']);
    expect(bpftraceEnv({ PATH: '/bin' }, 1000)).toEqual({ PATH: '/bin', BPFTRACE_MAP_KEYS_MAX: '1000' });
    expect(() => bpftraceEnv({}, 0)).toThrow(RangeError);
  });
});

describe('bpftrace output parser', () => {
  const collect = (): {
    snapshots: BpfCount[][];
    malformed: string[];
    bad: number;
    sink: Parameters<typeof createBpfOutputParser>[0];
  } => {
    const out = {
      snapshots: [] as BpfCount[][],
      malformed: [] as string[],
      bad: 0,
      sink: {
        snapshot: (e: readonly BpfCount[]) => out.snapshots.push([...e]),
        malformed: (line: string, n: number) => {
          out.malformed.push(line);
          out.bad += n;
        },
      },
    };
    return out;
  };

  it('parses entries, including 64-bit cgroup ids and negative syscall numbers', () => {
    expect(parseEntry('@c[11976, 106]: 12')).toEqual({ cgroup: '11976', nr: 106, count: 12 });
    expect(parseEntry('@r[11976, 165]: 55')).toEqual({ cgroup: '11976', nr: 165, count: 55, runtime: true });
    expect(parseEntry('@c[18446744073709551615, -1]: 3')).toEqual({
      cgroup: '18446744073709551615',
      nr: -1,
      count: 3,
    });
    for (const bad of ['@c[1, 2]: x', '@c[1,2]: 3', '@x[1, 2]: 3', '@c[1, 2]: 3 ', '@c[1]: 3', '']) {
      expect(parseEntry(bad), bad).toBeNull();
    }
  });

  it('hands on complete snapshots only, from chunks cut anywhere; malformed lines are counted and skipped', () => {
    const text =
      'Attaching 2 probes...\n#B\n@c[1, 0]: 5\n@c[42, 1]: 7\n\n#E\n#B\n@c[1, 0]: 9\ngarbage\n@c[42, 1]: 8\n\n#E\n#B\n@c[1, 0]: 10\n@c[42';
    for (const cut of [1, 3, 7, 1000]) {
      const out = collect();
      const parser = createBpfOutputParser(out.sink);
      for (let i = 0; i < text.length; i += cut) parser.push(text.slice(i, i + cut));
      parser.end();
      expect(out.snapshots).toEqual([
        [
          { cgroup: '1', nr: 0, count: 5 },
          { cgroup: '42', nr: 1, count: 7 },
        ],
        [
          { cgroup: '1', nr: 0, count: 9 },
          { cgroup: '42', nr: 1, count: 8 },
        ],
      ]);
      // `garbage`, the truncated `@c[42` and the open snapshot (its marker and one entry).
      expect(out.malformed).toEqual(['garbage', '@c[42', '#B']);
      expect(out.bad).toBe(1 + 1 + 2);
    }
  });

  it('a snapshot without its end marker is dropped when the next one begins; a stray end is malformed', () => {
    const out = collect();
    const parser = createBpfOutputParser(out.sink);
    parser.push('#B\n@c[1, 0]: 5\n#B\n@c[1, 0]: 6\n#E\n#E\nlost line\n');
    expect(out.snapshots).toEqual([[{ cgroup: '1', nr: 0, count: 6 }]]);
    expect(out.malformed).toEqual(['#B', '#E', 'lost line']);
    expect(out.bad).toBe(4);
  });

  it('turns running totals into differences', () => {
    const d = createTotalsDiffer();
    expect(d.diff([{ cgroup: '5', nr: 0, count: 10 }])).toEqual([{ cgroup: '5', nr: 0, count: 10 }]);
    expect(
      d.diff([
        { cgroup: '5', nr: 0, count: 10 },
        { cgroup: '5', nr: 1, count: 3 },
      ]),
    ).toEqual([{ cgroup: '5', nr: 1, count: 3 }]);
    expect(d.diff([{ cgroup: '5', nr: 0, count: 25 }])).toEqual([{ cgroup: '5', nr: 0, count: 15 }]);
    // A total that went down is a new entry: counted from zero.
    expect(d.diff([{ cgroup: '5', nr: 0, count: 4 }])).toEqual([{ cgroup: '5', nr: 0, count: 4 }]);
  });
});

describe('cgroup resolver', () => {
  it('maps directory inodes to containers in both Docker layouts; 1 is the host; the rest unattributed', () => {
    const root = tempDir();
    mkdirSync(join(root, 'unified', 'docker', ID_A), { recursive: true });
    mkdirSync(join(root, 'unified', 'docker', 'not-a-container'), { recursive: true });
    mkdirSync(join(root, 'system.slice', `docker-${ID_B}.scope`), { recursive: true });
    mkdirSync(join(root, 'system.slice', 'ssh.service'), { recursive: true });
    const inoA = statSync(join(root, 'unified', 'docker', ID_A), { bigint: true }).ino.toString();
    const inoB = statSync(join(root, 'system.slice', `docker-${ID_B}.scope`), {
      bigint: true,
    }).ino.toString();
    const other = statSync(join(root, 'system.slice', 'ssh.service'), { bigint: true }).ino.toString();
    const r = createCgroupResolver({
      layouts: dockerCgroupLayouts(root),
      nameOf: (id) => (id === ID_A ? 'web' : null),
    });
    expect(r.resolve(inoA)).toEqual({ kind: 'container', id: ID_A.slice(0, 12), name: 'web' });
    expect(r.resolve(inoB)).toEqual({ kind: 'container', id: ID_B.slice(0, 12), name: null });
    expect(r.resolve('1')).toEqual({ kind: 'host' });
    expect(r.resolve(other)).toEqual({ kind: 'unattributed' });
    expect(r.known(other)).toBe(false);
  });

  it('finds a container created after it started on refresh, and remembers one whose directory is gone', () => {
    const root = tempDir();
    mkdirSync(join(root, 'unified', 'docker'), { recursive: true });
    const r = createCgroupResolver({ layouts: dockerCgroupLayouts(root) });
    const dir = join(root, 'unified', 'docker', ID_A);
    mkdirSync(dir);
    const ino = statSync(dir, { bigint: true }).ino.toString();
    expect(r.resolve(ino)).toEqual({ kind: 'unattributed' });
    expect(r.refresh()).toBe(1);
    expect(r.resolve(ino)).toEqual({ kind: 'container', id: ID_A.slice(0, 12), name: null });
    rmSync(dir, { recursive: true });
    r.refresh();
    expect(r.known(ino)).toBe(true);
  });

  it('works when no layout exists (not a Docker host)', () => {
    const r = createCgroupResolver({ layouts: dockerCgroupLayouts(join(tempDir(), 'nothing')) });
    expect(r.refresh()).toBe(0);
    expect(r.resolve('77')).toEqual({ kind: 'unattributed' });
  });
});

describe('classifyBpftraceFailure', () => {
  const base = { spawnError: null, exitCode: 1, signal: null, stderr: '', isRoot: true, program: 'bpftrace' };
  it('names the cause and the fix', () => {
    expect(classifyBpftraceFailure({ ...base, spawnError: 'ENOENT' }).code).toBe('bpftrace-missing');
    expect(classifyBpftraceFailure({ ...base, spawnError: 'EACCES' }).code).toBe('permission-denied');
    expect(
      classifyBpftraceFailure({
        ...base,
        isRoot: false,
        stderr: 'ERROR: bpftrace currently only supports running as the root user.\n',
      }).code,
    ).toBe('permission-denied');
    const tracefs = classifyBpftraceFailure({
      ...base,
      stderr:
        "ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace.\nstdin:1:1-34: ERROR: tracepoint not found: raw_syscalls:sys_enter\n",
    });
    expect(tracefs.code).toBe('bpftrace-failed');
    expect(tracefs.message).toMatch(/mount -t tracefs/);
    const killed = classifyBpftraceFailure({ ...base, exitCode: null, signal: 'SIGKILL' });
    expect(killed).toEqual({ code: 'bpftrace-failed', message: 'bpftrace was stopped by SIGKILL.' });
  });

  it('maps node arch names to syscall tables', () => {
    expect(hostArch('x64')).toBe('x86_64');
    expect(hostArch('arm64')).toBe('aarch64');
    expect(hostArch('s390x')).toBeNull();
  });
});

describe('bpftrace source fold (a stand-in bpftrace printing fixed snapshots)', () => {
  it('folds differences per container and syscall name, counts malformed lines, fails when the tool exits', async () => {
    const root = tempDir();
    const dir = join(root, 'unified', 'docker', ID_A);
    mkdirSync(dir, { recursive: true });
    const ino = statSync(dir, { bigint: true }).ino.toString();
    // Three snapshots of running totals, 300 ms apart, then exit 3; read = 0, write = 1 on x86_64.
    const script = join(root, 'fake-bpftrace');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        'echo "Attaching 2 probes..."',
        `printf '#B\\n@c[${ino}, 0]: 100\\n@c[1, 1]: 5\\n\\n#E\\n'`,
        'sleep 0.3',
        `printf '#B\\n@c[${ino}, 0]: 250\\n@c[${ino}, 1]: 7\\n@c[1, 1]: 5\\n@c[999999, 0]: 2\\nnoise\\n\\n#E\\n'`,
        'sleep 0.3',
        `printf '#B\\n@c[${ino}, 0]: 300\\n@c[${ino}, 1]: 7\\n@c[1, 1]: 6\\n@c[999999, 0]: 2\\n@c[${ino}, 1023]: 1\\n\\n#E\\n'`,
        'sleep 0.3',
        'echo "ERROR: something broke" >&2',
        'exit 3',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    const states: SourceState[] = [];
    const frames: SyscallFrame[] = [];
    const s = startBpftraceSource(
      { onState: (x) => states.push(x), onFrame: (f) => frames.push(f) },
      {
        clock: systemClock,
        program: script,
        arch: 'x86_64',
        resolver: createCgroupResolver({ layouts: dockerCgroupLayouts(root) }),
        isRoot: true,
      },
    );
    const end = Date.now() + 5000;
    while (s.state.phase !== 'failed' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(states.map((x) => x.phase)).toEqual(['starting', 'streaming', 'failed']);
    const failed = s.state;
    expect(failed.phase === 'failed' && failed.error).toEqual({
      code: 'bpftrace-failed',
      message: 'bpftrace stopped with exit code 3 (bpftrace said: "ERROR: something broke").',
    });
    const totals = s.totals();
    // When each syscall was first seen depends on the stand-in's timing; the counts do not.
    for (const t of totals)
      expect(Object.keys(t.firstSeen ?? {}).sort()).toEqual(Object.keys(t.bySyscall).sort());
    expect(totals.map((t) => ({ subject: t.subject, total: t.total, bySyscall: t.bySyscall }))).toEqual([
      {
        subject: { kind: 'container', id: ID_A.slice(0, 12), name: null },
        total: 308,
        bySyscall: { read: 300, write: 7, syscall_1023: 1 },
      },
      { subject: { kind: 'host' }, total: 6, bySyscall: { write: 6 } },
      { subject: { kind: 'unattributed' }, total: 2, bySyscall: { read: 2 } },
    ]);
    const last = frames.at(-1)!;
    expect(last.dropped.malformed).toBe(1);
    expect(last.totalEvents).toBe(316);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.seq).toBe(frames[i - 1]!.seq + 1);
  });
});

describe('the runtime split: runc’s own calls of the alert syscalls are told apart', () => {
  it('folds runc’s calls under runc:<name> and only the container’s own under the name, so only those alert', async () => {
    const root = tempDir();
    const dir = join(root, 'unified', 'docker', ID_A);
    mkdirSync(dir, { recursive: true });
    const ino = statSync(dir, { bigint: true }).ino.toString();
    // mount (165): 55 by runc at start-up, then 2 more by the container itself; read (0) is not split.
    const script = join(root, 'fake-bpftrace');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `printf '#B\\n@c[${ino}, 0]: 10\\n@c[${ino}, 165]: 55\\n\\n@r[${ino}, 165]: 55\\n\\n#E\\n'`,
        'sleep 0.3',
        `printf '#B\\n@c[${ino}, 0]: 20\\n@c[${ino}, 165]: 57\\n\\n@r[${ino}, 165]: 55\\n\\n#E\\n'`,
        'sleep 0.3',
        'exit 0',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    const frames: SyscallFrame[] = [];
    const s = startBpftraceSource(
      { onState: () => undefined, onFrame: (f) => frames.push(f) },
      {
        clock: systemClock,
        program: script,
        arch: 'x86_64',
        resolver: createCgroupResolver({ layouts: dockerCgroupLayouts(root) }),
        isRoot: true,
      },
    );
    const end = Date.now() + 5000;
    while (s.state.phase !== 'exited' && s.state.phase !== 'failed' && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    expect(s.totals()[0]!.bySyscall).toEqual({ read: 20, mount: 2, 'runc:mount': 55 });
    const alerts = frames.at(-1)!.alerts ?? [];
    expect(alerts.map((a) => [a.syscall, a.total])).toEqual([['mount', 2]]);
  });

  it('never counts as the container’s own a runtime call @r printed before @c did (the print straddles a burst)', async () => {
    const root = tempDir();
    const dir = join(root, 'unified', 'docker', ID_A);
    mkdirSync(dir, { recursive: true });
    const ino = statSync(dir, { bigint: true }).ino.toString();
    // Snapshot 2 was printed in the middle of runc's burst of 16 mounts: @c before them, @r after. Snapshot 3
    // has them in both, then the container makes one mount of its own.
    const script = join(root, 'fake-bpftrace');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `printf '#B\\n@c[${ino}, 165]: 10\\n\\n@r[${ino}, 165]: 10\\n\\n#E\\n'`,
        'sleep 0.3',
        `printf '#B\\n@c[${ino}, 165]: 10\\n\\n@r[${ino}, 165]: 26\\n\\n#E\\n'`,
        'sleep 0.3',
        `printf '#B\\n@c[${ino}, 165]: 26\\n\\n@r[${ino}, 165]: 26\\n\\n#E\\n'`,
        'sleep 0.3',
        `printf '#B\\n@c[${ino}, 165]: 27\\n\\n@r[${ino}, 165]: 26\\n\\n#E\\n'`,
        'sleep 0.3',
        'exit 0',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    const s = startBpftraceSource(
      { onState: () => undefined, onFrame: () => undefined },
      {
        clock: systemClock,
        program: script,
        arch: 'x86_64',
        resolver: createCgroupResolver({ layouts: dockerCgroupLayouts(root) }),
        isRoot: true,
      },
    );
    const end = Date.now() + 5000;
    while (s.state.phase !== 'exited' && s.state.phase !== 'failed' && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    expect(s.totals()[0]!.bySyscall).toEqual({ mount: 1, 'runc:mount': 26 });
  });

  it('splits exactly the alert syscalls that exist on the arch', () => {
    const nrs = alertSyscallNumbers('x86_64');
    expect(nrs).toContain(165); // mount
    expect(nrs).toContain(101); // ptrace
    expect(nrs).toContain(304); // open_by_handle_at
    expect(nrs).not.toContain(0); // read
    expect(bpftraceProgram({ runtimeSplit: [165, 101] })).toContain(
      'if (args->id == 101 || args->id == 165) { if (strncmp(comm, "runc:", 5) == 0) { @r[cgroup, args->id] = count(); } }',
    );
    expect(() => bpftraceProgram({ runtimeSplit: [1.5] })).toThrow(RangeError);
  });
});

describe('bpftrace compiles the programs (real bpftrace, --emit-elf: a dry run, nothing attached)', () => {
  const run = promisify(execFile);
  beforeAll(ensureTracefs);
  it.each([
    ['running totals', bpftraceProgram()],
    ['alternate', bpftraceProgram({ mode: 'alternate' })],
    ['skip host', bpftraceProgram({ skipHost: true })],
    ['runtime split (the alert syscalls)', bpftraceProgram({ runtimeSplit: alertSyscallNumbers('x86_64') })],
    ['empty', emptyProgram()],
  ])('%s', async (_name, program) => {
    const elf = join(tempDir(), 'program.elf');
    await run('bpftrace', ['--emit-elf', elf, ...bpftraceArgs(program)]);
    expect(statSync(elf).size).toBeGreaterThan(0);
  });

  it('and refuses a broken one (the check can fail)', async () => {
    const elf = join(tempDir(), 'program.elf');
    await expect(
      run('bpftrace', [
        '--emit-elf',
        elf,
        '-e',
        'tracepoint:raw_syscalls:sys_enter { @c[args->idx] = count(); }',
      ]),
    ).rejects.toThrow(/idx/);
  });
});

describe('the bpftrace output parser and overlong lines', () => {
  it('drops the whole overlong line, however the pipe cut it (found by fuzzing)', () => {
    const run = (parts: readonly string[]): { snapshots: BpfCount[][]; malformed: number } => {
      const snapshots: BpfCount[][] = [];
      let malformed = 0;
      const p = createBpfOutputParser({
        snapshot: (e) => snapshots.push([...e]),
        malformed: (_l, n) => (malformed += n),
      });
      for (const part of parts) p.push(part);
      p.end();
      return { snapshots, malformed };
    };
    const whole = run(['#B\n' + 'x'.repeat(801) + '@c[1, 2]: 3\n#E\n']);
    expect(whole).toEqual({ snapshots: [[]], malformed: 1 });
    expect(run(['#B\n' + 'x'.repeat(801), '@c[1, 2]: 3\n#E\n'])).toEqual(whole);
    expect(run(['#B\n' + 'x'.repeat(900), 'y'.repeat(900), 'z\n@c[1, 2]: 3\n#E\n'])).toEqual({
      snapshots: [[{ cgroup: '1', nr: 2, count: 3 }]],
      malformed: 1,
    });
  });
});
