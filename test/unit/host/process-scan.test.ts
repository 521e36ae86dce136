import { describe, expect, it } from 'vitest';

import type { ProcFs } from '../../../electron/adapters/host/proc-evidence.js';
import { scanContainerProcesses } from '../../../electron/adapters/host/process-scan.js';
import { errnoError } from '../posture/fixtures.js';

// One pass over a scripted /proc for many containers; the same scan against the real /proc and the
// per-container listContainerProcesses is in test/integration/posture/host-evidence.live.test.ts.

const HOST_NS = 'pid:[1]';

interface FakeProc {
  readonly ns: string;
  readonly cgroup: string;
  readonly comm: string;
}

function scriptedProc(procs: Record<number, FakeProc>, denied: readonly string[] = []) {
  const reads = new Map<string, number>();
  const count = (p: string): void => {
    reads.set(p, (reads.get(p) ?? 0) + 1);
  };
  const lookup = (path: string): string => {
    count(path);
    if (denied.includes(path)) throw errnoError('EACCES', path);
    const m = /^\/proc\/(\d+)\/(.+)$/.exec(path);
    const proc = m === null ? undefined : procs[Number(m[1])];
    if (m === null || proc === undefined) throw errnoError('ENOENT', path);
    switch (m[2]) {
      case 'ns/pid':
        return proc.ns;
      case 'cgroup':
        return `${proc.cgroup}\n`;
      case 'comm':
        return `${proc.comm}\n`;
      case 'cmdline':
        return `${proc.comm}\u0000arg\u0000`;
      default:
        throw errnoError('ENOENT', path);
    }
  };
  const fs: ProcFs = {
    readFile: (p) => Promise.resolve().then(() => lookup(p)),
    readlink: (p) => Promise.resolve().then(() => lookup(p)),
    readdir: (p) =>
      p === '/proc'
        ? Promise.resolve([...Object.keys(procs), 'self', 'meminfo'])
        : Promise.reject(errnoError('ENOENT', p)),
  };
  return { fs, reads };
}

const PROCS: Record<number, FakeProc> = {
  1: { ns: HOST_NS, cgroup: '0::/', comm: 'init' },
  50: { ns: HOST_NS, cgroup: '0::/docker/host', comm: 'sleep' }, // --pid host container's init
  51: { ns: HOST_NS, cgroup: '0::/docker/host', comm: 'sh' },
  60: { ns: 'pid:[7]', cgroup: '0::/docker/a', comm: 'sleep' },
  61: { ns: 'pid:[7]', cgroup: '0::/docker/a', comm: 'sshd' },
  70: { ns: 'pid:[8]', cgroup: '0::/docker/b', comm: 'sleep' },
  99: { ns: HOST_NS, cgroup: '0::/', comm: 'sshd' }, // the host's sshd: nobody's container
};

describe('scanContainerProcesses', () => {
  it('groups by PID namespace, by cgroup for a --pid host init; each /proc entry is read once', async () => {
    const { fs, reads } = scriptedProc(PROCS);
    const got = await scanContainerProcesses([60, 70, 50], HOST_NS, { fs });
    const comms = (pid: number) => {
      const r = got.get(pid);
      if (r === undefined || !r.ok) throw new Error(JSON.stringify(r));
      return { scope: r.value.scope, items: r.value.items.map((i) => [i.pid, i.comm]) };
    };
    expect(comms(60)).toEqual({
      scope: 'pid-namespace',
      items: [
        [60, 'sleep'],
        [61, 'sshd'],
      ],
    });
    expect(comms(70)).toEqual({ scope: 'pid-namespace', items: [[70, 'sleep']] });
    expect(comms(50)).toEqual({
      scope: 'cgroup',
      items: [
        [50, 'sleep'],
        [51, 'sh'],
      ],
    });
    expect(got.get(60)).toMatchObject({ ok: true, value: { source: 'proc', truncated: false } });
    // The init's own link is read once to find its key, and once in the scan; no more.
    for (const pid of Object.keys(PROCS)) {
      expect(reads.get(`/proc/${pid}/ns/pid`) ?? 0, pid).toBeLessThanOrEqual(2);
      expect(reads.get(`/proc/${pid}/cgroup`) ?? 0, pid).toBeLessThanOrEqual(2);
    }
  });

  it('an init that cannot be read gets its own typed error; the others are listed', async () => {
    const { fs } = scriptedProc(PROCS, ['/proc/70/ns/pid']);
    const got = await scanContainerProcesses([60, 70, 404], HOST_NS, { fs });
    expect(got.get(70)).toEqual({
      ok: false,
      path: '/proc/70/ns/pid',
      error: { code: 'permission-denied', message: 'permission denied: EACCES on /proc/70/ns/pid' },
    });
    expect(got.get(404)).toMatchObject({ ok: false, error: { code: 'process-gone' } });
    expect(got.get(60)).toMatchObject({ ok: true });
  });

  it('bounds: at most maxProcesses per container, marked truncated', async () => {
    const { fs } = scriptedProc(PROCS);
    const got = await scanContainerProcesses([60], HOST_NS, { fs, maxProcesses: 1 });
    expect(got.get(60)).toMatchObject({ ok: true, value: { items: [{ pid: 60 }], truncated: true } });
  });

  it('no inits: no /proc access at all', async () => {
    const { fs, reads } = scriptedProc(PROCS);
    expect((await scanContainerProcesses([], HOST_NS, { fs })).size).toBe(0);
    expect(reads.size).toBe(0);
  });
});
