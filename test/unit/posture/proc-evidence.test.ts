import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  kernelErrorCode,
  listContainerProcesses,
  readHostLsms,
  readKernelEvidence,
  readOwnPidNamespace,
} from '../../../electron/adapters/host/proc-evidence.js';
import type { ProcFs } from '../../../electron/adapters/host/proc-evidence.js';
import { errnoError, loadKernel, recordedProcFs } from './fixtures.js';

describe('kernelErrorCode', () => {
  it.each([
    ['EACCES', false, 'permission-denied'],
    ['EPERM', false, 'permission-denied'],
    ['ENOENT', false, 'process-gone'],
    ['ESRCH', false, 'process-gone'],
    ['ENOENT', true, 'not-supported'],
    ['EINVAL', false, 'not-supported'],
    ['EOPNOTSUPP', false, 'not-supported'],
    ['EIO', false, 'unreadable'],
  ] as const)('%s (host file: %s) → %s', (errno, hostFile, code) => {
    expect(kernelErrorCode(errno, hostFile)).toBe(code);
  });
});

describe('readKernelEvidence over recorded files', () => {
  it('reads what the kernel gave for a running container, errors included', async () => {
    const k = await loadKernel('default');
    if (k === null) throw new Error('default was recorded running');
    expect(k.status).toMatchObject({ ok: true, value: { name: 'sleep', seccompMode: 2, noNewPrivs: false } });
    expect(k.uidMap).toMatchObject({ ok: true, value: [{ inside: 0, outside: 0, count: 4294967295 }] });
    // The recorded kernel refused attr/current with EINVAL: no LSM on these machines.
    expect(k.attrCurrent).toMatchObject({
      ok: false,
      path: `/proc/${k.pid}/attr/current`,
      error: { code: 'not-supported' },
    });
    expect(k.pidNamespace).toMatchObject({
      ok: true,
      value: expect.stringMatching(/^pid:\[\d+\]$/) as unknown,
    });
  });

  it('gives each file its own typed error, with the path', async () => {
    const fs: ProcFs = {
      readFile: (path) =>
        Promise.reject(
          errnoError(
            path.endsWith('status') ? 'EACCES' : path.endsWith('uid_map') ? 'ESRCH' : 'EINVAL',
            `x ${path}`,
          ),
        ),
      readlink: () => Promise.reject(errnoError('EPERM')),
      readdir: () => Promise.reject(errnoError('EACCES')),
    };
    const k = await readKernelEvidence(4242, { fs });
    expect(k.status).toEqual({
      ok: false,
      path: '/proc/4242/status',
      error: { code: 'permission-denied', message: 'permission denied: EACCES on /proc/4242/status' },
    });
    expect(k.uidMap).toMatchObject({ ok: false, error: { code: 'process-gone' } });
    expect(k.attrCurrent).toMatchObject({
      ok: false,
      path: '/proc/4242/attr/current',
      error: { code: 'not-supported' },
    });
    expect(k.pidNamespace).toMatchObject({
      ok: false,
      path: '/proc/4242/ns/pid',
      error: { code: 'permission-denied' },
    });
  });

  it.each([0, -1, Number.NaN, 1.5])('PID %d: every file is process-gone, nothing is read', async (pid) => {
    const fs: ProcFs = {
      readFile: () => Promise.reject(new Error('must not read')),
      readlink: () => Promise.reject(new Error('must not read')),
      readdir: () => Promise.reject(new Error('must not read')),
    };
    const k = await readKernelEvidence(pid, { fs });
    for (const file of [k.status, k.uidMap, k.attrCurrent, k.pidNamespace])
      expect(file).toMatchObject({ ok: false, error: { code: 'process-gone' } });
  });

  it('reads the recorded host: no /sys/kernel/security/lsm on these machines', async () => {
    expect(await readHostLsms({ fs: recordedProcFs(null) })).toMatchObject({
      ok: false,
      path: '/sys/kernel/security/lsm',
      error: { code: 'not-supported' },
    });
    expect(
      await readHostLsms({ fs: recordedProcFs(null, { lsm: 'lockdown,capability,yama,apparmor\n' }) }),
    ).toEqual({
      ok: true,
      path: '/sys/kernel/security/lsm',
      value: ['lockdown', 'capability', 'yama', 'apparmor'],
    });
  });
});

// The same adapter against the real kernel, on this test's own process and a child it starts.
describe('on the real /proc', () => {
  let child: ChildProcess;
  beforeAll(async () => {
    child = spawn('sleep', ['60'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
  });
  afterAll(() => {
    child.kill('SIGKILL');
  });

  it('reads status, uid_map and the PID namespace of a live process', async () => {
    const pid = child.pid ?? -1;
    const k = await readKernelEvidence(pid);
    if (!k.status.ok) throw new Error(k.status.error.message);
    expect(k.status.value.pid).toBe(pid);
    expect(k.status.value.name).toBe('sleep');
    expect(k.status.value.capBnd).not.toBeNull();
    expect(k.uidMap.ok).toBe(true);
    expect(k.pidNamespace).toMatchObject({ ok: true, value: await readOwnPidNamespace() });
    // Without an LSM the kernel refuses attr/current with EINVAL; with one it gives a label.
    if (!k.attrCurrent.ok) expect(k.attrCurrent.error.code).toBe('not-supported');
  });

  it('lists the processes of a PID namespace, bounded', async () => {
    const pid = child.pid ?? -1;
    const all = await listContainerProcesses(pid, null);
    if (!all.ok) throw new Error(all.error.message);
    expect(all.value.scope).toBe('pid-namespace');
    expect(all.value.items).toContainEqual({ pid, comm: 'sleep', args: ['sleep', '60'] });
    expect(all.value.items.some((p) => p.pid === process.pid)).toBe(true);
    const bounded = await listContainerProcesses(pid, null, { maxProcesses: 1 });
    if (!bounded.ok) throw new Error(bounded.error.message);
    expect(bounded.value.items).toHaveLength(1);
    expect(bounded.value.truncated).toBe(true);
  });

  it("switches to the cgroup when the process is in the reader's PID namespace", async () => {
    const pid = child.pid ?? -1;
    const own = await readOwnPidNamespace();
    const list = await listContainerProcesses(pid, own);
    if (!list.ok) throw new Error(list.error.message);
    expect(list.value.scope).toBe('cgroup');
    expect(list.value.items.map((p) => p.pid)).toContain(pid);
  });

  it('answers process-gone for a PID that does not exist', async () => {
    const list = await listContainerProcesses(2 ** 22 + 12345, null);
    expect(list).toMatchObject({ ok: false, error: { code: 'process-gone' } });
    const k = await readKernelEvidence(2 ** 22 + 12345);
    expect(k.status).toMatchObject({ ok: false, error: { code: 'process-gone' } });
  });
});
