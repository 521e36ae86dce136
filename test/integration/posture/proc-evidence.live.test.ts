import { execFileSync } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  listContainerProcesses,
  readHostLsms,
  readKernelEvidence,
  readOwnPidNamespace,
} from '../../../electron/adapters/host/proc-evidence.js';
import { mapEngineFacts } from '../../../shared/domain/posture/engine-facts.js';
import { assessContainer, buildHostFacts } from '../../../shared/domain/posture/evaluate.js';
import type { HostFacts } from '../../../shared/domain/posture/model.js';

// The adapter and the rules on real containers of the real dockerd (.ci/run starts one): the sshd
// check must see a process named sshd in a container's own PID namespace, and must not blame a `--pid host`
// container for it even though that process is visible in the host's PID namespace.

const IMAGE = 'bulkhead-test/busybox:1';
const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
describe('proc evidence on live containers', () => {
  const created: string[] = [];
  let fakeSshd = '';
  let hostPid = '';
  let host: HostFacts;

  const run = (...args: string[]): string => {
    const id = docker('run', '-d', '--label', 'bulkhead.test=1', ...args);
    created.push(id);
    return id;
  };
  const inspect = (id: string): unknown => (JSON.parse(docker('inspect', id)) as unknown[])[0];
  const pidOf = (id: string): number => Number(docker('inspect', '-f', '{{.State.Pid}}', id));

  beforeAll(async () => {
    // The shell renames itself to "sshd" (its own /proc/<pid>/comm), then idles.
    fakeSshd = run(IMAGE, 'sh', '-c', 'echo -n sshd > /proc/$$/comm; while :; do sleep 1; done');
    hostPid = run('--pid', 'host', IMAGE, 'sleep', 'infinity');
    const info: unknown = JSON.parse(docker('info', '--format', '{{json .}}'));
    const engine = mapEngineFacts(info, null);
    if (!engine.ok) throw new Error(engine.problems.join('; '));
    host = buildHostFacts(engine.facts, {
      lsms: await readHostLsms(),
      pidNamespace: await readOwnPidNamespace(),
    });
    // Let the fake sshd rename itself.
    for (
      let i = 0;
      i < 50 &&
      !execFileSync('cat', [`/proc/${pidOf(fakeSshd)}/comm`], { encoding: 'utf8' }).startsWith('sshd');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(() => {
    if (created.length > 0) docker('rm', '-f', ...created);
  }, 60_000);

  it('finds sshd inside a container with its own PID namespace', async () => {
    const pid = pidOf(fakeSshd);
    const processes = await listContainerProcesses(pid, host.pidNamespace);
    if (!processes.ok) throw new Error(processes.error.message);
    expect(processes.value.scope).toBe('pid-namespace');
    expect(processes.value.items.map((p) => p.comm)).toContain('sshd');
    const p = assessContainer(
      { inspect: inspect(fakeSshd), kernel: await readKernelEvidence(pid), processes: processes.value },
      host,
    );
    if (p.state !== 'assessed') throw new Error(p.error.message);
    expect(p.findings.find((f) => f.ruleId === 'sshd')).toMatchObject({
      status: 'fail',
      evidenceKind: 'kernel',
    });
    expect(p.findings.find((f) => f.ruleId === 'seccomp')).toMatchObject({
      status: 'pass',
      evidenceKind: 'kernel',
    });
  });

  it('does not blame a --pid host container for the sshd it can see', async () => {
    const pid = pidOf(hostPid);
    const processes = await listContainerProcesses(pid, host.pidNamespace);
    if (!processes.ok) throw new Error(processes.error.message);
    expect(processes.value.scope).toBe('cgroup');
    expect(processes.value.items.map((p) => [p.comm, p.args])).toEqual([['sleep', ['sleep', 'infinity']]]);
    const p = assessContainer(
      { inspect: inspect(hostPid), kernel: await readKernelEvidence(pid), processes: processes.value },
      host,
    );
    if (p.state !== 'assessed') throw new Error(p.error.message);
    expect(p.findings.find((f) => f.ruleId === 'sshd')).toMatchObject({
      status: 'pass',
      message: '1 process, no sshd.',
    });
    expect(p.findings.find((f) => f.ruleId === 'host-pid')).toMatchObject({
      status: 'fail',
      evidenceKind: 'kernel',
    });
  });
});
