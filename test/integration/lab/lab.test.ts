import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AttackReport, AttackStepResult, LabEngine } from '../../../electron/adapters/docker/lab.js';
import {
  DEFAULT_LAB_IMAGES,
  HARDENED_DENIED,
  LAB_LABEL,
  LAB_ROLES,
  LAB_ROLE_LABEL,
  engineArch,
  hardenedProfile,
  labAttack,
  labContainerName,
  labDown,
} from '../../../electron/adapters/docker/lab.js';
import type { BpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { startBpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import { createLabCliDeps, labCommand } from '../../../electron/cli/lab.js';
import type { SyscallArch } from '../../../shared/domain/syscalls/names.js';
import type { SyscallAlertHit } from '../../../shared/domain/syscalls/model.js';
import { ensureTracefs } from '../../support/tracefs.js';

// The demo lab against the real dockerd: `lab up` creates the five roles with their documented options
// (checked by inspect and, for the running ones, by the kernel's /proc view), `lab down` removes exactly
// the lab's containers, and `lab attack` runs its steps through the exec API — reaching the kernel on the
// weak container, where the live eBPF source raises the matching alerts within 2 s of each step, and
// refused with EPERM by Bulkhead's generated seccomp profile on the hardened one.

const run = promisify(execFile);
const TEST_LABEL = 'bulkhead.test';
const suffix = Date.now().toString(36);
/** Two containers that are not the lab's: one plain, one with lookalike labels (`bulkhead.lab=0`). */
const BYSTANDERS: readonly { name: string; labels: Record<string, string> }[] = [
  { name: `bh-lab-bystander-${suffix}`, labels: { [TEST_LABEL]: '1' } },
  {
    name: `bh-lab-lookalike-${suffix}`,
    labels: { [TEST_LABEL]: '1', [LAB_LABEL]: '0', [LAB_ROLE_LABEL]: 'weak' },
  },
];

const deps = createLabCliDeps('usage text');
const lab: LabEngine = deps.openEngine();
let arch: SyscallArch;

interface Captured {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function cli(...args: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await labCommand(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, deps);
  return { code, out, err };
}

interface Inspected {
  Id: string;
  Name: string;
  Config: { Image: string; User: string; Labels: Record<string, string> };
  State: { Running: boolean; Status: string; Pid: number };
  HostConfig: {
    Privileged: boolean;
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    ReadonlyRootfs: boolean;
    Memory: number;
    PidsLimit: number | null;
    NanoCpus: number;
    Binds: string[] | null;
  };
}

const inspect = async (name: string): Promise<Inspected> =>
  (await lab.docker.getContainer(name).inspect()) as unknown as Inspected;

async function labIds(): Promise<string[]> {
  const listed = await lab.docker.listContainers({ all: true, filters: { label: [`${LAB_LABEL}=1`] } });
  return listed.map((c) => c.Id).sort();
}

/** The kernel's word on a running container's process: seccomp mode and no_new_privs. */
async function procStatus(pid: number): Promise<{ seccomp: string; noNewPrivs: string }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1] ?? '';
  return { seccomp: field('Seccomp'), noNewPrivs: field('NoNewPrivs') };
}

let upRun: Captured;

beforeAll(async () => {
  // Leftovers of an interrupted run carry the label.
  await labDown(lab);
  arch = await engineArch(lab);
  for (const b of BYSTANDERS) {
    const c = await lab.docker.createContainer({
      name: b.name,
      Image: DEFAULT_LAB_IMAGES.idle,
      Cmd: ['sleep', 'infinity'],
      Labels: b.labels,
    });
    await c.start();
  }
  upRun = await cli('up');
});

afterAll(async () => {
  await labDown(lab).catch(() => undefined);
  for (const b of BYSTANDERS)
    await lab.docker
      .getContainer(b.name)
      .remove({ force: true })
      .catch(() => undefined);
});

describe('bulkhead lab up', () => {
  it('uses an attack image that has perl', async () => {
    const { stdout } = await run('docker', [
      'run',
      '--rm',
      DEFAULT_LAB_IMAGES.attack,
      'perl',
      '-e',
      'print 1',
    ]);
    expect(stdout).toBe('1');
  });

  it('creates every role, labelled, and reports each in one line', async () => {
    expect(upRun.code, upRun.err.join('\n')).toBe(0);
    for (const role of LAB_ROLES) {
      const c = await inspect(labContainerName(role));
      expect(c.Name).toBe(`/bulkhead-lab-${role}`);
      expect(c.Config.Labels).toMatchObject({ [LAB_LABEL]: '1', [LAB_ROLE_LABEL]: role });
      const lines = upRun.out.filter((l) => l.startsWith(`${role}: `));
      expect(lines, role).toHaveLength(1);
      if (role !== 'privileged') {
        expect(c.State.Running, `${role} runs`).toBe(true);
        expect(lines[0]).toMatch(new RegExp(`^${role}: created and started \\(bulkhead-lab-${role}, `));
      }
    }
    expect(await labIds()).toHaveLength(LAB_ROLES.length);
  });

  it('reports the privileged container the engine will not start in one line, and goes on', async () => {
    const c = await inspect('bulkhead-lab-privileged');
    expect(c.HostConfig.Privileged).toBe(true);
    expect(c.Config.Image).toBe(DEFAULT_LAB_IMAGES.attack);
    const [line] = upRun.out.filter((l) => l.startsWith('privileged: '));
    if (c.State.Running) {
      expect(line).toMatch(/^privileged: created and started/);
    } else {
      // This VM withholds CAP_SYS_RESOURCE, so runc cannot give a privileged container every capability.
      expect(c.State.Status).toBe('created');
      expect(line).toMatch(/^privileged: created, the engine refused to start it: \S.*$/);
      expect(line).not.toContain('\n');
      process.stdout.write(`lab: ${line}\n`);
    }
    // The roles after it were still created.
    expect(upRun.out.findIndex((l) => l.startsWith('hardened: created'))).toBeGreaterThan(
      upRun.out.indexOf(line!),
    );
  });

  it('gives each role its documented options', async () => {
    const sock = await inspect('bulkhead-lab-docker-sock');
    expect(sock.Config.Image).toBe(DEFAULT_LAB_IMAGES.idle);
    expect(sock.HostConfig.Binds).toEqual(['/var/run/docker.sock:/var/run/docker.sock']);
    expect(sock.HostConfig.Privileged).toBe(false);

    const def = await inspect('bulkhead-lab-default');
    expect(def.Config.Image).toBe(DEFAULT_LAB_IMAGES.attack);
    expect(def.HostConfig).toMatchObject({
      Privileged: false,
      CapAdd: null,
      CapDrop: null,
      SecurityOpt: null,
      ReadonlyRootfs: false,
      Binds: null,
    });
    expect(def.Config.User).toBe('');
    expect((await procStatus(def.State.Pid)).seccomp).toBe('2');

    const weak = await inspect('bulkhead-lab-weak');
    expect(weak.Config.Image).toBe(DEFAULT_LAB_IMAGES.attack);
    expect(weak.HostConfig).toMatchObject({
      Privileged: false,
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      SecurityOpt: ['seccomp=unconfined'],
    });
    expect((await procStatus(weak.State.Pid)).seccomp).toBe('0');

    const hard = await inspect('bulkhead-lab-hardened');
    expect(hard.Config.Image).toBe(DEFAULT_LAB_IMAGES.attack);
    expect(hard.Config.User).toBe('1000:1000');
    expect(hard.HostConfig).toMatchObject({
      Privileged: false,
      ReadonlyRootfs: true,
      CapAdd: null,
      CapDrop: ['ALL'],
      Memory: 64 * 1024 * 1024,
      PidsLimit: 50,
      NanoCpus: 500_000_000,
    });
    const [nnp, seccomp, ...more] = hard.HostConfig.SecurityOpt ?? [];
    expect(nnp).toBe('no-new-privileges');
    expect(more).toEqual([]);
    expect(seccomp?.startsWith('seccomp=')).toBe(true);
    // The JSON text itself, as the docker CLI sends it for `seccomp=FILE`: Bulkhead's generated profile.
    const profile = hardenedProfile(arch);
    const sent = JSON.parse(seccomp!.slice('seccomp='.length)) as { syscalls: { names: string[] }[] };
    expect(sent).toEqual(profile.document);
    expect(sent.syscalls[0]!.names.filter((n) => HARDENED_DENIED.includes(n))).toEqual([]);
    expect(upRun.out.join('\n')).toContain(
      `seccomp profile of the hardened container, generated by Bulkhead (${arch}): ${profile.metadata.allowed.length} syscalls allowed`,
    );
    // The kernel agrees: a seccomp filter (mode 2) and no_new_privs on the container's process.
    expect(await procStatus(hard.State.Pid)).toEqual({ seccomp: '2', noNewPrivs: '1' });
  });

  it('does not duplicate anything when run again, and says what exists', async () => {
    const before = await labIds();
    const again = await cli('up');
    expect(again.code, again.err.join('\n')).toBe(0);
    expect(await labIds()).toEqual(before);
    for (const role of LAB_ROLES) {
      const [line] = again.out.filter((l) => l.startsWith(`${role}: `));
      expect(line, role).toMatch(new RegExp(`^${role}: exists`));
    }
    expect(again.out).toContainEqual(
      expect.stringMatching(/^weak: exists, running \(bulkhead-lab-weak, [0-9a-f]{12}\)$/),
    );
  });
});

/** Alerts the eBPF source reported, with the time each frame arrived. */
const seen: { at: number; alerts: readonly SyscallAlertHit[] }[] = [];
let source: BpftraceSource | null = null;

function alertTotal(alerts: readonly SyscallAlertHit[], id: string, syscall: string): number {
  return (
    alerts.find((a) => a.subject.kind === 'container' && id.startsWith(a.subject.id) && a.syscall === syscall)
      ?.total ?? 0
  );
}

/** When the alert for `syscall` on `id` first grew after `from`: the frame's arrival time, or null. */
function alertGrewAt(id: string, syscall: string, from: number): { at: number; before: number } | null {
  const earlier = seen.filter((s) => s.at < from).at(-1);
  const before = earlier === undefined ? 0 : alertTotal(earlier.alerts, id, syscall);
  const grew = seen.find((s) => s.at >= from && alertTotal(s.alerts, id, syscall) > before);
  return grew === undefined ? null : { at: grew.at, before };
}

const byStep = (report: AttackReport): Record<string, AttackStepResult> =>
  Object.fromEntries(report.steps.map((s) => [s.step, s]));

/** The syscalls whose alerts the weak container must raise, each from its own step. */
const ALERTED = ['mount', 'unshare', 'ptrace', 'open_by_handle_at'] as const;

describe('bulkhead lab attack, with the live eBPF source running', () => {
  beforeAll(async () => {
    await ensureTracefs();
    // Started after `up`: the containers' start-up (runc mounting their root filesystems) is not traced.
    source = startBpftraceSource(
      {
        onState: () => undefined,
        onFrame: (f) => seen.push({ at: Date.now(), alerts: f.alerts ?? [] }),
      },
      { clock: systemClock },
    );
    const end = Date.now() + 20_000;
    while (source.state.phase !== 'streaming') {
      if (Date.now() > end || source.state.phase === 'failed')
        throw new Error(`eBPF source not streaming: ${JSON.stringify(source.state)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterAll(() => source?.dispose());

  it('reaches the kernel on the weak container, and each call raises its alert within 2 s', async () => {
    const weak = await inspect('bulkhead-lab-weak');
    // 2.5 s apart, so each step's 2 s window closes before the next step begins.
    const report = await labAttack(lab, 'weak', { pauseMs: 2500 });
    expect(report.container).toEqual({ id: weak.Id, name: 'bulkhead-lab-weak', role: 'weak' });
    const s = byStep(report);
    expect(report.steps.map((r) => r.step)).toEqual([
      'shell',
      'shadow',
      'mount',
      'unshare',
      'ptrace',
      'open_by_handle_at',
      'keyctl',
    ]);
    // Root with every capability but one and no filter: the calls get through, or fail for the kernel's
    // own reasons past the permission checks (a NULL file handle is a bad address).
    expect(s.shell).toMatchObject({
      exitCode: 0,
      blocked: null,
      firstLine: 'uid=0(root) gid=0(root) groups=0(root)',
    });
    expect(s.shadow).toMatchObject({ exitCode: 0, blocked: null });
    expect(s.shadow!.firstLine).toMatch(/^root:/);
    expect(s.mount).toMatchObject({
      exitCode: 0,
      blocked: null,
      firstLine: 'mount("none", "/mnt", "tmpfs", 0, NULL) = 0',
    });
    expect(s.unshare).toMatchObject({ exitCode: 0, blocked: null });
    expect(s.ptrace).toMatchObject({
      exitCode: 0,
      blocked: null,
      firstLine: 'ptrace(PTRACE_ATTACH, 1, 0, 0) = 0',
    });
    expect(s.open_by_handle_at).toMatchObject({ exitCode: 1, blocked: null });
    expect(s.open_by_handle_at!.firstLine).toMatch(/= -1 errno 14 \(Bad address\)$/);
    expect(s.keyctl).toMatchObject({ exitCode: 0, blocked: null });
    expect(s.keyctl!.firstLine).toMatch(/= \d+$/);
    // pid 1 was detached again and runs on.
    expect((await inspect('bulkhead-lab-weak')).State.Running).toBe(true);

    // Let the last frames come in, then look for each alert after its step began.
    await new Promise((r) => setTimeout(r, 1000));
    const delays: string[] = [];
    for (const syscall of ALERTED) {
      const step = report.steps.find((r) => r.syscall === syscall)!;
      const grew = alertGrewAt(weak.Id, syscall, step.startedAt);
      expect(grew, `an alert for ${syscall} on the weak container`).not.toBeNull();
      const delay = grew!.at - step.startedAt;
      delays.push(`${syscall} ${delay} ms`);
      expect(delay, `${syscall} alert delay`).toBeLessThanOrEqual(2000);
    }
    process.stdout.write(`lab: alerts on the weak container after their steps: ${delays.join(', ')}\n`);
  });

  it('is refused with EPERM on the hardened container, before the calls reach the tracepoint', async () => {
    const hard = await inspect('bulkhead-lab-hardened');
    const from = Date.now();
    const r = await cli('attack', 'hardened', '--pause', '0.2s', '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    const report = JSON.parse(r.out.join('\n')) as AttackReport;
    const s = byStep(report);
    // The shell runs (the profile allows what it needs), as uid 1000.
    expect(s.shell).toMatchObject({ exitCode: 0, blocked: null, firstLine: 'uid=1000 gid=1000 groups=1000' });
    // File permissions, not seccomp: uid 1000 may not read /etc/shadow.
    expect(s.shadow).toMatchObject({ exitCode: 1, blocked: 'EACCES' });
    for (const step of ['mount', 'unshare', 'ptrace', 'open_by_handle_at', 'keyctl'] as const) {
      expect(s[step], step).toMatchObject({ exitCode: 1, blocked: 'EPERM' });
      expect(s[step]!.firstLine, step).toMatch(/Operation not permitted/);
    }
    // The progress went to stderr, one header and one result line per step.
    expect(r.err.filter((l) => /^\[\d\/7\] /.test(l))).toHaveLength(7);
    expect(r.err.filter((l) => l.includes('BLOCKED (EPERM)'))).toHaveLength(5);
    expect((await inspect('bulkhead-lab-hardened')).State.Running).toBe(true);
    // seccomp runs before raw_syscalls:sys_enter: the refused calls were never counted, so no alert.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const syscall of ALERTED)
      expect(alertGrewAt(hard.Id, syscall, from), `${syscall} alert on hardened`).toBeNull();
  });

  it('prints the steps as they go and a summary', async () => {
    const r = await cli('attack', 'bulkhead-lab-default', '--pause', '0');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out[0]).toBe('attack on bulkhead-lab-default (role default): 7 steps, 0 s apart');
    expect(r.out).toContain("[1/7] spawn a shell: sh -c 'id'");
    // Docker's default profile: mount, unshare, open_by_handle_at and keyctl refused; ptrace allowed.
    expect(r.out.at(-1)).toBe(
      'bulkhead-lab-default: 4 of 7 steps blocked (EPERM 4, EACCES 0), 3 went through',
    );
  });

  it('refuses a container that is not the lab’s, and bad usage', async () => {
    const foreign = await cli('attack', BYSTANDERS[1]!.name);
    expect(foreign.code).toBe(1);
    expect(foreign.err.join('\n')).toMatch(/is not a lab container/);
    expect((await cli('attack', '../etc')).code).toBe(2);
    expect((await cli('attack')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('up', '--bogus')).code).toBe(2);
    const missing = await cli('attack', `bh-lab-missing-${suffix}`);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toMatch(/no such container/);
  });
});

describe('bulkhead lab down', () => {
  it('removes exactly the lab containers, and a non-lab container survives', async () => {
    const lab1 = await labIds();
    expect(lab1).toHaveLength(LAB_ROLES.length);
    const r = await cli('down', '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    const removed = (JSON.parse(r.out.join('\n')) as { removed: { id: string }[] }).removed.map((c) => c.id);
    expect(removed.sort()).toEqual(lab1);
    expect(await labIds()).toEqual([]);
    for (const b of BYSTANDERS) expect((await inspect(b.name)).State.Running, b.name).toBe(true);
    const again = await cli('down');
    expect(again).toMatchObject({
      code: 0,
      out: ['no lab containers (label bulkhead.lab=1) on this engine'],
    });
  });
});
