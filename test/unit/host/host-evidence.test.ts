import { describe, expect, it } from 'vitest';

import { createProcHostEvidence, notThisContainer } from '../../../electron/adapters/host/host-evidence.js';
import type { ProcFs } from '../../../electron/adapters/host/proc-evidence.js';
import type { ContainerId } from '../../../shared/domain/ids.js';
import { errnoError } from '../posture/fixtures.js';

// Kernel evidence is only taken for a PID whose cgroup names the container (real /proc: see
// test/integration/posture/host-evidence.live.test.ts).

const ID = 'a'.repeat(64) as ContainerId;
const OTHER = 'b'.repeat(64) as ContainerId;
const STATUS =
  'Name:\tsleep\nPid:\t42\nUid:\t0\t0\t0\t0\nSeccomp:\t2\nNoNewPrivs:\t0\nCapEff:\t00000000a80425fb\n';

function procWith(cgroup: string | { errno: string }): ProcFs {
  const files: Record<string, string> = {
    '/proc/42/status': STATUS,
    '/proc/42/uid_map': '         0          0 4294967295\n',
  };
  return {
    readFile: (p) => {
      if (p === '/proc/42/cgroup')
        return typeof cgroup === 'string'
          ? Promise.resolve(cgroup)
          : Promise.reject(errnoError(cgroup.errno, p));
      const text = files[p];
      return text === undefined ? Promise.reject(errnoError('ENOENT', p)) : Promise.resolve(text);
    },
    readlink: (p) =>
      p === '/proc/42/ns/pid' ? Promise.resolve('pid:[4026532251]') : Promise.reject(errnoError('ENOENT', p)),
    readdir: (p) => Promise.reject(errnoError('ENOENT', p)),
  };
}

describe('kernel evidence belongs to the container', () => {
  it('cgroup v1 and v2 layouts that name the container: read', async () => {
    for (const cgroup of [
      `12:pids:/docker/${ID}\n1:name=systemd:/docker/${ID}\n`,
      `0::/system.slice/docker-${ID}.scope\n`,
    ]) {
      const host = createProcHostEvidence({ socketPath: '/x.sock', proc: { fs: procWith(cgroup) } });
      const k = await host.kernelEvidence(42, ID);
      expect(k.status).toMatchObject({ ok: true, value: { seccompMode: 2 } });
      expect(k.pidNamespace).toEqual({ ok: true, path: '/proc/42/ns/pid', value: 'pid:[4026532251]' });
    }
  });

  it('a PID whose cgroup names another container: every file refused as process-gone', async () => {
    const k = await notThisContainer(42, ID, { fs: procWith(`0::/system.slice/docker-${OTHER}.scope\n`) });
    expect(k?.status).toEqual({
      ok: false,
      path: '/proc/42/status',
      error: {
        code: 'process-gone',
        message: `PID 42 on this host is not container aaaaaaaaaaaa (/proc/42/cgroup does not name it): it restarted, or the engine runs in a VM`,
      },
    });
    expect([k?.uidMap.ok, k?.attrCurrent.ok, k?.pidNamespace.ok]).toEqual([false, false, false]);
  });

  it('an unreadable cgroup file proves nothing: the evidence files speak for themselves', async () => {
    expect(await notThisContainer(42, ID, { fs: procWith({ errno: 'EACCES' }) })).toBeNull();
    const host = createProcHostEvidence({
      socketPath: '/x.sock',
      proc: { fs: procWith({ errno: 'EACCES' }) },
    });
    expect((await host.kernelEvidence(42, ID)).status.ok).toBe(true);
  });
});
