import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { hostArch, startBpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import { compareProfile } from '../../../shared/domain/seccomp/compare.js';
import type { GeneratedProfile } from '../../../shared/domain/seccomp/generate.js';
import { generateProfile, RUNTIME_SETUP_SYSCALL_NAMES } from '../../../shared/domain/seccomp/generate.js';
import type { TotalsSnapshot } from '../../../shared/domain/seccomp/phases.js';
import { spansFromSnapshots, splitPhases } from '../../../shared/domain/seccomp/phases.js';
import type { SeccompProfile } from '../../../shared/domain/seccomp/profile.js';
import { DOCKER_DEFAULT_CAPS, parseSeccompProfile } from '../../../shared/domain/seccomp/profile.js';
import { ensureTracefs } from '../../support/tracefs.js';
import { PROFILES, profileText } from '../../unit/seccomp/data.js';

// Profiles generated from what the eBPF source saw a real container do, enforced by the real dockerd/runc.
const run = promisify(execFile);
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = 'bulkhead.test=1';
const ARCH = hostArch() ?? 'x86_64';

/** The workload of the first test: 200 rounds of a redirect and a cat (fork + exec of busybox each time). */
const WORKLOAD = 'i=0; while [ $i -lt 200 ]; do echo x > /tmp/f; cat /tmp/f >/dev/null; i=$((i+1)); done';

/**
 * The split-phase container: start-up creates a directory, changes its mode and touches a file; the steady
 * state only reads the file and sleeps. `while cat … && sleep …` rather than `while true`: the loop ends
 * (and the container exits 1) as soon as cat or sleep fails, so "still running" means "still working".
 */
const STEADY = 'while cat /tmp/ready >/dev/null && sleep 0.2; do :; done';
const SPLIT = `mkdir /tmp/s; chmod 700 /tmp/s; touch /tmp/ready; ${STEADY}`;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the docker CLI; a non-zero exit is a result, not an exception. */
async function docker(...args: string[]): Promise<Ran> {
  try {
    const r = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: (err.stdout ?? '').trim(),
      stderr: (err.stderr ?? '').trim(),
    };
  }
}

/** `docker run --rm` with the test label: the container's exit code, stdout and stderr. */
const runOnce = (opts: readonly string[], ...cmd: string[]): Promise<Ran> =>
  docker('run', '--rm', '--label', LABEL, ...opts, IMAGE, ...cmd);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let source: BpftraceSource | null = null;
const started: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bulkhead-seccomp-'));

/** This container's running totals, or undefined while the source has not attributed any event to it. */
function totalsOf(id: string): Readonly<Record<string, number>> | undefined {
  return source?.totals().find((t) => t.subject.kind === 'container' && id.startsWith(t.subject.id))
    ?.bySyscall;
}

/**
 * Start a container under the source and take its running totals every 200 ms, until it exits or
 * `forMs` have passed (then it is removed); two more snapshots after that, so the last events are in.
 */
async function observe(cmd: string, forMs: number): Promise<{ id: string; snapshots: TotalsSnapshot[] }> {
  const r = await docker('run', '-d', '--label', LABEL, IMAGE, 'sh', '-c', cmd);
  expect(r.code, r.stderr).toBe(0);
  const id = r.stdout;
  started.push(id);
  const snapshots: TotalsSnapshot[] = [];
  const take = (): void => {
    const bySyscall = totalsOf(id);
    if (bySyscall !== undefined)
      snapshots.push({ second: Math.floor(Date.now() / 1000), bySyscall: { ...bySyscall } });
  };
  let exited = false;
  void docker('wait', id).then(() => (exited = true));
  const end = Date.now() + forMs;
  while (!exited && Date.now() < end) {
    take();
    await sleep(200);
  }
  if (!exited) await docker('rm', '-f', id);
  for (let i = 0; i < 3; i++) {
    await sleep(300);
    take();
  }
  return { id, snapshots };
}

function writeProfile(name: string, g: GeneratedProfile): string {
  const file = join(dir, name);
  writeFileSync(file, g.json);
  return file;
}

const seccomp = (file: string): string[] => ['--security-opt', `seccomp=${file}`];

function parseOrThrow(text: string): SeccompProfile {
  const r = parseSeccompProfile(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.profile;
}

const defaultProfile = parseOrThrow(profileText(PROFILES.current));

beforeAll(async () => {
  await ensureTracefs();
  source = startBpftraceSource(
    { onState: () => undefined, onFrame: () => undefined },
    { clock: systemClock },
  );
  await until('the eBPF source streaming', () => source?.state.phase === 'streaming', 20_000);
});

afterAll(async () => {
  source?.dispose();
  if (started.length > 0) await docker('rm', '-f', ...started);
  rmSync(dir, { recursive: true, force: true });
});

describe('a seccomp profile generated from the syscalls eBPF saw', () => {
  let generated: GeneratedProfile;
  let file: string;

  it('is generated from the workload, and the same workload runs under it', async () => {
    const { snapshots } = await observe(WORKLOAD, 20_000);
    const totals = snapshots.at(-1)?.bySyscall;
    expect(totals, 'the container was attributed').toBeDefined();
    const observed = Object.keys(totals!);
    // The trace covers the whole life: 200 cat execs, and runc's own set-up in the container's cgroup.
    expect(totals!['execve']).toBeGreaterThanOrEqual(200);
    expect(observed).toContain('pivot_root');
    expect(observed).not.toContain('mkdir');
    expect(observed).not.toContain('chmod');

    generated = generateProfile(observed, { arch: ARCH, exclude: RUNTIME_SETUP_SYSCALL_NAMES });
    expect(generated.metadata.excluded).toEqual(expect.arrayContaining(['pivot_root']));
    // The eBPF source labels runc's own calls of the alert syscalls runc:<name>; the profile leaves them out.
    expect(generated.metadata.ignored).toEqual(expect.arrayContaining(['runc:mount']));
    expect(generated.metadata.allowed).not.toContain('mount');
    expect(generated.metadata.unknown).toEqual([]);
    file = writeProfile('workload.json', generated);

    const c = compareProfile(observed, parseOrThrow(generated.json), defaultProfile, {
      arch: ARCH,
      caps: DOCKER_DEFAULT_CAPS,
    });
    process.stdout.write(
      `seccomp: observed ${generated.metadata.observed.length} syscalls, runtime added ${generated.metadata.runtimeAdded.join(' ') || 'none'}, excluded ${generated.metadata.excluded.join(' ')}; ${c.reduction.sentence}\n`,
    );
    expect(c.reduction.reductionPct!).toBeLessThan(-50);

    const again = await runOnce(seccomp(file), 'sh', '-c', WORKLOAD);
    expect(again, 'the workload under its own profile').toEqual({ code: 0, stdout: '', stderr: '' });
  });

  // On x86_64 busybox makes mkdir(2) and chmod(2), which runc never does. (On aarch64 they are mkdirat and
  // fchmodat, which runc makes while it builds the root filesystem, so there the trace contains them.)
  it.each([
    ['mkdir', 'mkdir /tmp/d'],
    ['chmod', 'chmod 700 /tmp'],
  ])(
    '%s, which the workload never made and the default allows, fails with EPERM under it',
    async (_name, cmd) => {
      const denied = await runOnce(seccomp(file), 'sh', '-c', cmd);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/Operation not permitted/);
      const allowed = await runOnce([], 'sh', '-c', cmd);
      expect(allowed).toEqual({ code: 0, stdout: '', stderr: '' });
    },
  );
});

describe('split-phase (SPEAKER) on a real container', () => {
  it('finds start-up-only syscalls, and the steady loop keeps working under the running-phase profile', async () => {
    const quietSeconds = 3;
    const { snapshots } = await observe(SPLIT, 7_000);
    expect(snapshots.length).toBeGreaterThan(10);
    const split = splitPhases(spansFromSnapshots(snapshots), {
      arch: ARCH,
      quietSeconds,
      observedUntil: snapshots.at(-1)!.second,
      exclude: RUNTIME_SETUP_SYSCALL_NAMES,
    });
    expect(split.boundary.kind).toBe('quiet');
    expect(split.startupOnly).toEqual(expect.arrayContaining(['mkdir', 'chmod', 'utimensat', 'pivot_root']));
    expect(split.runningSet).not.toContain('mkdir');
    // busybox cat copies with sendfile; sleep is clock_nanosleep; each round forks and execs busybox.
    expect(split.runningSet).toEqual(
      expect.arrayContaining(['clone', 'execve', 'openat', 'sendfile', 'clock_nanosleep']),
    );
    const runningProfile = split.runningProfile!;
    expect(runningProfile.metadata.allowed).not.toContain('mkdir');
    expect(runningProfile.metadata.allowed).not.toContain('chmod');
    process.stdout.write(
      `seccomp split: boundary ${JSON.stringify(split.boundary)}; start-up only: ${split.startupOnly.join(' ')}; ${split.reduction!.sentence}\n`,
    );
    const runningFile = writeProfile('running.json', runningProfile);

    // The steady loop alone, from a fresh start, under the running-phase profile: /tmp/ready comes from a
    // bind mount because creating it is start-up work. Alive after 2 s means cat and sleep kept succeeding.
    const ready = join(dir, 'ready');
    writeFileSync(ready, 'ready\n');
    const r = await docker(
      'run',
      '-d',
      '--label',
      LABEL,
      ...seccomp(runningFile),
      '-v',
      `${ready}:/tmp/ready:ro`,
      IMAGE,
      'sh',
      '-c',
      STEADY,
    );
    expect(r.code, r.stderr).toBe(0);
    started.push(r.stdout);
    await sleep(2000);
    const state = await docker('inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', r.stdout);
    expect(state.stdout, 'the steady loop is still running').toBe('true 0');
    const logs = await docker('logs', r.stdout);
    expect(logs.stdout + logs.stderr).toBe('');

    // The steady state never dropped capabilities or switched user: runc does, under the filter, so the
    // profile works only because generateProfile added those runtime names. Without them runc cannot start.
    expect(runningProfile.metadata.runtimeAdded).toEqual(
      expect.arrayContaining(['capset', 'setgroups', 'setuid']),
    );
    const runtimeOnly = new Set(runningProfile.metadata.runtimeAdded);
    const bare = {
      ...runningProfile.document,
      syscalls: [
        {
          names: runningProfile.metadata.allowed.filter((n) => !runtimeOnly.has(n)),
          action: 'SCMP_ACT_ALLOW',
        },
      ],
    };
    const bareFile = join(dir, 'running-without-runtime.json');
    writeFileSync(bareFile, JSON.stringify(bare));
    const refused = await runOnce(seccomp(bareFile), 'true');
    // 125: docker run could not start the container (which runtime call fails first decides runc's words).
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/Error response from daemon/);

    // The start-up, on the other hand, is refused under it.
    const startup = await runOnce(seccomp(runningFile), 'sh', '-c', 'mkdir /tmp/s');
    expect(startup.code).toBe(1);
    expect(startup.stderr).toMatch(/Operation not permitted/);
  });
});
