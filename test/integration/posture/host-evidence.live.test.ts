import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readDaemonFacts } from '../../../electron/adapters/host/daemon-config.js';
import { createProcHostEvidence } from '../../../electron/adapters/host/host-evidence.js';
import {
  listContainerProcesses,
  readOwnPidNamespace,
} from '../../../electron/adapters/host/proc-evidence.js';
import { scanContainerProcesses } from '../../../electron/adapters/host/process-scan.js';
import type { ContainerId } from '../../../shared/domain/ids.js';

// The one-pass process scan against the real /proc gives what the per-container listing gives, and the
// daemon facts are read from the real dockerd that holds /var/run/docker.sock.

const IMAGE = 'bulkhead-test/busybox:1';
const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describe('host evidence on the real host', () => {
  const created: string[] = [];
  const pids: number[] = [];

  beforeAll(() => {
    for (const flags of [[], ['--pid', 'host'], []]) {
      const id = docker(
        'run',
        '-d',
        '--label',
        'bulkhead.test=1',
        ...flags,
        IMAGE,
        'sh',
        '-c',
        'sleep 1000 & sleep 1000',
      );
      created.push(id);
      pids.push(Number(docker('inspect', '-f', '{{.State.Pid}}', id)));
    }
  }, 60_000);

  afterAll(() => {
    if (created.length > 0) docker('rm', '-f', ...created);
  }, 60_000);

  it('one scan for all containers equals listContainerProcesses for each', async () => {
    const hostNs = await readOwnPidNamespace();
    const scanned = await scanContainerProcesses(pids, hostNs);
    for (const pid of pids) {
      const single = await listContainerProcesses(pid, hostNs);
      const one = scanned.get(pid);
      if (!single.ok || one === undefined || !one.ok) throw new Error(`${pid}: ${JSON.stringify(one)}`);
      expect(one.value.scope).toBe(single.value.scope);
      expect(one.value.items.map((p) => p.pid).sort()).toEqual(single.value.items.map((p) => p.pid).sort());
      // sh and its two sleeps (the shell may exec the last one: two or three processes).
      expect(one.value.items.length).toBeGreaterThanOrEqual(2);
      expect(one.value.items.every((p) => p.comm === 'sh' || p.comm === 'sleep')).toBe(true);
    }
    expect(scanned.get(pids[1] ?? 0)).toMatchObject({ ok: true, value: { scope: 'cgroup' } });
  });

  it('takes kernel evidence for a container only from its own process (checked by its cgroup)', async () => {
    const host = createProcHostEvidence({ socketPath: '/var/run/docker.sock' });
    const own = await host.kernelEvidence(pids[0] ?? 0, created[0] as ContainerId);
    expect(own.status.ok).toBe(true);
    const foreign = await host.kernelEvidence(pids[0] ?? 0, created[2] as ContainerId);
    expect(foreign.status).toMatchObject({ ok: false, error: { code: 'process-gone' } });
  });

  it('finds the dockerd holding the socket and decides its facts from its command line', async () => {
    const r = await readDaemonFacts('/var/run/docker.sock');
    const cmd = r.evidence.icc?.find((e) => e.field.startsWith('dockerd command line'));
    const pid = Number(/PID (\d+)/.exec(cmd?.field ?? '')?.[1]);
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('dockerd');
    // Independently: that process has an open socket whose inode /proc/net/unix lists for the path.
    const inodes = readFileSync(`/proc/${pid}/net/unix`, 'utf8')
      .split('\n')
      .filter((l) => / \/(var\/)?run\/docker\.sock$/.test(l))
      .map((l) => l.trim().split(/\s+/)[6]);
    const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return execFileSync('readlink', [`/proc/${pid}/fd/${fd}`], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    });
    expect(fds.some((l) => inodes.some((i) => l === `socket:[${i}]`))).toBe(true);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000');
    const icc = argv.find((a) => a.startsWith('--icc'));
    if (icc !== undefined) expect(cmd?.value).toBe(icc);
    else expect(cmd?.value).toBe('(no --icc)');
    if (!argv.some((a) => a.startsWith('--iptables')) && !existsSync('/etc/docker/daemon.json'))
      expect(r.facts.iptables).toBe(true);
  });
});
