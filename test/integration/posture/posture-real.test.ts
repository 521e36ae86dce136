import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLocalCore } from '../../../electron/composition.js';
import type { AppCore } from '../../../electron/services/app-core.js';
import type { ContainerPosture } from '../../../shared/domain/posture/evaluate.js';
import type { Finding, FindingStatus } from '../../../shared/domain/posture/model.js';
import type { PostureReport } from '../../../shared/ipc/contract.js';

// posture:assess end to end on the real dockerd (.ci/run starts one) through the same composition root the
// three faces use: each container is created by this file with exactly the options of the issue and removed
// afterwards. For every running container the seccomp, capability and no-new-privileges evidence is compared
// with /proc/<pid>/status read here, independently of the code under test.

const IMAGE = 'bulkhead-test/busybox:1';
const PREFIX = `bh-posture-${process.pid}`;
const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

interface Spec {
  readonly key: string;
  readonly flags: readonly string[];
  /** False: only created (the privileged container cannot start on these machines). */
  readonly start: boolean;
  /** Expected status per rule id. */
  readonly verdicts: Readonly<Record<string, FindingStatus>>;
  /** The scores SCORE.md and the README quote for this engine, where they quote one. */
  readonly score?: { readonly value: number; readonly grade: string };
}

const SPECS: readonly Spec[] = [
  {
    key: 'default',
    flags: [],
    start: true,
    verdicts: {
      privileged: 'pass',
      seccomp: 'pass',
      capabilities: 'pass',
      'no-new-privileges': 'warn',
      'runs-as-root': 'warn',
      'readonly-rootfs': 'warn',
      'memory-limit': 'warn',
      'pids-limit': 'warn',
      'docker-socket': 'pass',
      'host-pid': 'pass',
      'host-network': 'pass',
      sshd: 'pass',
    },
    score: { value: 74, grade: 'C' },
  },
  {
    key: 'privileged',
    flags: ['--privileged'],
    start: false,
    verdicts: {
      privileged: 'fail',
      seccomp: 'fail',
      capabilities: 'fail',
      'systempaths-unconfined': 'fail',
      'host-devices': 'fail',
      sshd: 'na',
    },
    score: { value: 0, grade: 'F' },
  },
  {
    key: 'cap-all',
    flags: [
      '--cap-add',
      'ALL',
      '--cap-drop',
      'SYS_RESOURCE',
      '--security-opt',
      'seccomp=unconfined',
      '--security-opt',
      'systempaths=unconfined',
    ],
    start: true,
    verdicts: {
      privileged: 'pass',
      'cap-add-all': 'fail',
      capabilities: 'fail',
      seccomp: 'fail',
      'systempaths-unconfined': 'fail',
    },
  },
  {
    key: 'sys-admin',
    flags: ['--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined'],
    start: true,
    verdicts: { capabilities: 'fail', seccomp: 'fail', 'cap-add-all': 'pass', privileged: 'pass' },
    score: { value: 34, grade: 'F' },
  },
  {
    key: 'sock-host-ns',
    flags: ['-v', '/var/run/docker.sock:/var/run/docker.sock', '--pid', 'host', '--net', 'host'],
    start: true,
    verdicts: {
      'docker-socket': 'fail',
      'sensitive-mounts': 'fail',
      'host-pid': 'fail',
      'host-network': 'fail',
      seccomp: 'pass',
      sshd: 'pass',
    },
  },
  {
    key: 'hardened',
    flags: [
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--user',
      '1000:1000',
      '--memory',
      '64m',
      '--pids-limit',
      '50',
      '--cpus',
      '0.5',
    ],
    start: true,
    verdicts: {
      'readonly-rootfs': 'pass',
      capabilities: 'pass',
      'no-new-privileges': 'pass',
      'runs-as-root': 'pass',
      'memory-limit': 'pass',
      'pids-limit': 'pass',
      'cpu-limit': 'pass',
      seccomp: 'pass',
    },
    score: { value: 96, grade: 'A' },
  },
  {
    key: 'published-apparmor-unconfined',
    flags: ['-p', '0.0.0.0:8080:80', '--security-opt', 'apparmor=unconfined'],
    start: true,
    verdicts: { 'host-interface-binding': 'warn', 'privileged-ports': 'pass', seccomp: 'pass' },
  },
  {
    key: 'drop-net-raw',
    flags: ['--cap-drop', 'NET_RAW'],
    start: true,
    verdicts: { capabilities: 'pass', seccomp: 'pass', privileged: 'pass' },
  },
  {
    key: 'etc-ro',
    flags: ['-v', '/etc:/host-etc:ro'],
    start: true,
    verdicts: { 'sensitive-mounts': 'warn', 'docker-socket': 'pass' },
    score: { value: 64, grade: 'D' },
  },
];

/** The host has no AppArmor and no SELinux when securityfs says so (or is absent). */
const LSMS = existsSync('/sys/kernel/security/lsm')
  ? readFileSync('/sys/kernel/security/lsm', 'utf8').trim().split(',')
  : [];
const NO_MAC_LSM = !LSMS.includes('apparmor') && !LSMS.includes('selinux');

/** /proc/<pid>/status fields, read and split here without the code under test. */
function procStatus(pid: number): { seccomp: string; capEff: string; noNewPrivs: string } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (key: string): string => {
    const m = new RegExp(`^${key}:\\s*(\\S+)\\s*$`, 'm').exec(text);
    if (m === null) throw new Error(`/proc/${pid}/status has no ${key}`);
    return m[1] ?? '';
  };
  return { seccomp: field('Seccomp'), capEff: field('CapEff'), noNewPrivs: field('NoNewPrivs') };
}

const popcount = (hex: string): number =>
  [...BigInt(`0x${hex}`).toString(2)].filter((bit) => bit === '1').length;

describe('posture:assess on the real engine', () => {
  const ids = new Map<string, string>();
  let core: AppCore;
  let report: PostureReport;

  beforeAll(async () => {
    for (const spec of SPECS) {
      const id = docker(
        'create',
        '--label',
        'bulkhead.test=1',
        '--name',
        `${PREFIX}-${spec.key}`,
        ...spec.flags,
        IMAGE,
      );
      ids.set(spec.key, id);
      if (spec.start) docker('start', id);
    }
    core = createLocalCore({
      mode: 'cli',
      env: { DOCKER_HOST: 'unix:///var/run/docker.sock' },
      showDemoWhenDisconnected: false,
    });
    const answer = await core.dispatch('posture:assess', { ids: [...ids.values()] });
    if (!answer.ok) throw new Error(answer.error.message);
    report = answer.value as PostureReport;
  }, 120_000);

  afterAll(async () => {
    await core?.dispose();
    if (ids.size > 0) docker('rm', '-f', ...ids.values());
  }, 60_000);

  const posture = (key: string): Extract<ContainerPosture, { state: 'assessed' }> => {
    const entry = report.containers.find((c) => c.id === ids.get(key));
    if (entry === undefined) throw new Error(`${key} is not in the report`);
    if (entry.result.state !== 'assessed') throw new Error(`${key}: ${JSON.stringify(entry.result)}`);
    return entry.result;
  };
  const find = (key: string, ruleId: string): Finding => {
    const f = posture(key).findings.find((x) => x.ruleId === ruleId);
    if (f === undefined) throw new Error(`${key}: no finding ${ruleId}`);
    return f;
  };
  const proc = (f: Finding, field: string): string | undefined =>
    f.evidence.find((e) => e.source === 'proc' && e.field.endsWith(` ${field}`))?.value;

  it('answers for exactly the containers asked, in that order, from the live engine with kernel evidence', () => {
    expect(report.source).toEqual({ kind: 'live' });
    expect(report.evidenceKind).toBe('kernel');
    expect(report.containers.map((c) => c.id)).toEqual([...ids.values()]);
    expect(report.containers.map((c) => c.name)).toEqual(SPECS.map((s) => `${PREFIX}-${s.key}`));
  });

  it.each(SPECS.map((s) => [s.key, s] as const))('%s: the expected verdicts', (key, spec) => {
    const p = posture(key);
    const got = Object.fromEntries(Object.keys(spec.verdicts).map((r) => [r, find(key, r).status]));
    expect(got).toEqual(spec.verdicts);
    if (spec.score !== undefined) expect({ value: p.score.value, grade: p.score.grade }).toEqual(spec.score);
    if (NO_MAC_LSM) {
      for (const rule of ['apparmor-profile', 'selinux-options']) {
        expect(find(key, rule).status, rule).toBe('na');
        expect(find(key, rule).message, rule).toMatch(/not available on this host/);
      }
    }
  });

  it.each(SPECS.filter((s) => s.start).map((s) => [s.key] as const))(
    '%s: seccomp, capabilities and no-new-privileges are what /proc/<pid>/status says',
    (key) => {
      const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', ids.get(key) ?? ''));
      const p = posture(key);
      expect(p.snapshot.pid).toBe(pid);
      expect(p.snapshot.kernel?.pid).toBe(pid);
      expect(p.evidenceKind).toBe('kernel');
      const real = procStatus(pid);

      const seccomp = find(key, 'seccomp');
      expect(seccomp.evidenceKind).toBe('kernel');
      expect(proc(seccomp, 'Seccomp')).toBe(real.seccomp);
      expect(seccomp.status).toBe(real.seccomp === '0' ? 'fail' : 'pass');

      const caps = find(key, 'capabilities');
      expect(caps.evidenceKind).toBe('kernel');
      expect(proc(caps, 'CapEff')).toBe(`${real.capEff} (${popcount(real.capEff)})`);

      const nnp = find(key, 'no-new-privileges');
      expect(nnp.evidenceKind).toBe('kernel');
      expect(proc(nnp, 'NoNewPrivs')).toBe(real.noNewPrivs);
      expect(nnp.status).toBe(real.noNewPrivs === '1' ? 'pass' : 'warn');
    },
  );

  it('the kernel is trusted over the configuration: cap-add ALL shows the capabilities the VM withholds', () => {
    const caps = find('cap-all', 'capabilities');
    const pid = posture('cap-all').snapshot.pid;
    const real = procStatus(pid);
    // The configuration implies every known capability but SYS_RESOURCE; the kernel grants what it has.
    expect(caps.message).toMatch(new RegExp(`^${popcount(real.capEff)} capabilities \\(cap-add ALL\\)`));
  });

  it('drop NET_RAW: the kernel set lacks CAP_NET_RAW (bit 13)', () => {
    const pid = posture('drop-net-raw').snapshot.pid;
    expect(BigInt(`0x${procStatus(pid).capEff}`) & (1n << 13n)).toBe(0n);
    expect(posture('drop-net-raw').snapshot.kernel?.status).toMatchObject({ ok: true });
  });

  it('privileged: created, not running — no kernel evidence, configuration verdicts, and it says so', () => {
    const p = posture('privileged');
    expect(p.snapshot.state).toBe('created');
    expect(p.snapshot.running).toBe(false);
    expect(p.snapshot.kernel).toBeNull();
    expect(p.evidenceKind).toBe('configuration-only');
    expect(p.notes).toContain('Not running: every verdict rests on the configuration only.');
    expect(new Set(p.findings.map((f) => f.evidenceKind))).toEqual(new Set(['configuration-only']));
  });

  it('--pid host: its processes are selected by cgroup, never the host’s', () => {
    const p = posture('sock-host-ns');
    expect(p.snapshot.processes?.scope).toBe('cgroup');
    expect(p.snapshot.processes?.items.map((i) => i.comm)).toEqual(['sleep']);
    expect(posture('default').snapshot.processes?.scope).toBe('pid-namespace');
  });

  it('the host score: daemon findings with evidence from the dockerd that holds the socket', () => {
    const e = report.engine;
    if (e.state !== 'assessed') throw new Error(e.error.message);
    expect(e.score.value).toBeGreaterThanOrEqual(0);
    const icc = e.findings.find((f) => f.ruleId === 'daemon-icc');
    const cmd = icc?.evidence.find((x) => x.source === 'host' && x.field.startsWith('dockerd command line'));
    const m = /^dockerd command line \(PID (\d+), holds \/var\/run\/docker\.sock\)$/.exec(cmd?.field ?? '');
    expect(m, JSON.stringify(icc?.evidence)).not.toBeNull();
    expect(readFileSync(`/proc/${m?.[1]}/comm`, 'utf8').trim()).toBe('dockerd');
    // What that dockerd was started with, read here: icc is only off with --icc=false (or daemon.json).
    const argv = readFileSync(`/proc/${m?.[1]}/cmdline`, 'utf8').split('\u0000');
    if (!argv.some((a) => a.startsWith('--icc')) && !existsSync('/etc/docker/daemon.json'))
      expect(icc?.status).toBe('warn');
  });
});

describe('posture:assess on the real engine, bad input', () => {
  it('a container removed before it could be inspected: `not-found` for it, the others assessed', async () => {
    const keep = docker('create', '--label', 'bulkhead.test=1', IMAGE);
    const gone = docker('create', '--label', 'bulkhead.test=1', IMAGE);
    docker('rm', '-f', gone);
    const core = createLocalCore({
      mode: 'cli',
      env: { DOCKER_HOST: 'unix:///var/run/docker.sock' },
      showDemoWhenDisconnected: false,
    });
    try {
      const answer = await core.dispatch('posture:assess', { ids: [gone, keep] });
      if (!answer.ok) throw new Error(answer.error.message);
      const report = answer.value as PostureReport;
      expect(report.containers.map((c) => [c.id, c.result.state])).toEqual([
        [gone, 'unavailable'],
        [keep, 'assessed'],
      ]);
      expect(report.containers[0]?.result).toMatchObject({ error: { code: 'not-found' } });
    } finally {
      await core.dispose();
      docker('rm', '-f', keep);
    }
  });
});
