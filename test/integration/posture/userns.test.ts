import { execFile } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLocalCore } from '../../../electron/composition.js';
import type { AppCore } from '../../../electron/services/app-core.js';
import type { ContainerPosture } from '../../../shared/domain/posture/evaluate.js';
import type { PostureReport } from '../../../shared/ipc/contract.js';
import { createPrivateDockerd } from '../../support/private-dockerd.js';
import type { PrivateDockerd } from '../../support/private-dockerd.js';

// User namespaces for real: a second dockerd with --userns-remap=default (its own socket, data-root and
// exec-root), the test image loaded into it, one container on it and one on the default engine. Bulkhead
// must report the remapping engine's daemon check as passing and its container as remapped from
// /proc/<pid>/uid_map, and the default engine's container as not remapped — read here from /proc as well.

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const IMAGE = 'bulkhead-test/busybox:1';

/** /proc/<pid>/uid_map lines as [inside, outside, count], read here. */
function uidMap(pid: number): number[][] {
  return readFileSync(`/proc/${pid}/uid_map`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
}

async function assess(host: string, id: string): Promise<{ report: PostureReport; core: AppCore }> {
  const core = createLocalCore({ mode: 'cli', env: { DOCKER_HOST: host }, showDemoWhenDisconnected: false });
  const answer = await core.dispatch('posture:assess', { ids: [id] });
  if (!answer.ok) {
    await core.dispose();
    throw new Error(answer.error.message);
  }
  return { report: answer.value as PostureReport, core };
}

function only(report: PostureReport): Extract<ContainerPosture, { state: 'assessed' }> {
  const r = report.containers[0]?.result;
  if (r === undefined || r.state !== 'assessed') throw new Error(JSON.stringify(r));
  return r;
}

describe('user namespace remapping on a real second dockerd', () => {
  let dockerd: PrivateDockerd;
  let remappedId = '';
  let defaultId = '';
  const cores: AppCore[] = [];

  beforeAll(async () => {
    dockerd = await createPrivateDockerd({ extraArgs: ['--userns-remap=default'] });
    // The remapped root must be able to traverse to its graph root: mkdtemp makes the directory 0700.
    chmodSync(dockerd.dir, 0o711);
    chmodSync(join(dockerd.dir, 'data'), 0o711);
    try {
      await dockerd.start();
      await run(join(ROOT, 'test/support/build-images.sh'), ['-H', dockerd.host]);
      remappedId = (
        await run('docker', ['-H', dockerd.host, 'run', '-d', '--label', 'bulkhead.test=1', IMAGE])
      ).stdout.trim();
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${dockerd.tail()}`, { cause: e });
    }
    defaultId = (await run('docker', ['run', '-d', '--label', 'bulkhead.test=1', IMAGE])).stdout.trim();
  }, 180_000);

  afterAll(async () => {
    for (const c of cores) await c.dispose();
    if (defaultId !== '') await run('docker', ['rm', '-f', defaultId]).catch(() => undefined);
    if (remappedId !== '')
      await run('docker', ['-H', dockerd.host, 'rm', '-f', remappedId]).catch(() => undefined);
    await dockerd?.cleanup();
  }, 120_000);

  it('the remapping engine: daemon check passes, the container is remapped by its uid_map', async () => {
    const { report, core } = await assess(dockerd.host, remappedId);
    cores.push(core);
    expect(report.evidenceKind).toBe('kernel');
    if (report.engine.state !== 'assessed') throw new Error(report.engine.error.message);
    expect(report.engine.findings.find((f) => f.ruleId === 'daemon-userns-remap')?.status).toBe('pass');

    const p = only(report);
    const pid = p.snapshot.pid;
    const map = uidMap(pid);
    // Read here: uid 0 inside maps to an unprivileged host uid, not the identity map.
    expect(map[0]?.[0]).toBe(0);
    expect(map[0]?.[1]).toBeGreaterThan(0);
    const userns = p.findings.find((f) => f.ruleId === 'host-userns');
    expect(userns).toMatchObject({ status: 'pass', evidenceKind: 'kernel' });
    expect(userns?.evidence).toContainEqual({
      source: 'proc',
      field: `/proc/${pid}/uid_map`,
      value: map.map((r) => r.join(' ')).join('; '),
    });
    // /proc/<pid>/status, read from the host, shows the host uid of the container's root.
    const root = p.findings.find((f) => f.ruleId === 'runs-as-root');
    expect(root).toMatchObject({ status: 'pass', evidenceKind: 'kernel' });
    expect(root?.message).toBe(`Runs as uid 0 inside a user namespace, mapped to host uid ${map[0]?.[1]}.`);
  });

  it('its daemon facts come from that dockerd: its own command line and config file', async () => {
    const { report, core } = await assess(dockerd.host, remappedId);
    cores.push(core);
    if (report.engine.state !== 'assessed') throw new Error(report.engine.error.message);
    const iptables = report.engine.findings.find((f) => f.ruleId === 'daemon-iptables');
    // private-dockerd.ts starts it with --iptables=false and an empty --config-file.
    expect(iptables?.status).toBe('warn');
    expect(iptables?.evidence).toContainEqual({
      source: 'host',
      field: `dockerd command line (PID ${dockerd.pid()}, holds ${dockerd.socketPath})`,
      value: '--iptables=false',
    });
    const icc = report.engine.findings.find((f) => f.ruleId === 'daemon-icc');
    expect(icc?.evidence).toContainEqual({
      source: 'host',
      field: join(dockerd.dir, 'daemon.json'),
      value: '(no "icc")',
    });
  });

  it('the default engine: not remapped, by the daemon check and by the container’s uid_map', async () => {
    const { report, core } = await assess('unix:///var/run/docker.sock', defaultId);
    cores.push(core);
    if (report.engine.state !== 'assessed') throw new Error(report.engine.error.message);
    expect(report.engine.findings.find((f) => f.ruleId === 'daemon-userns-remap')?.status).toBe('warn');
    const p = only(report);
    expect(uidMap(p.snapshot.pid)).toEqual([[0, 0, 4294967295]]);
    expect(p.findings.find((f) => f.ruleId === 'runs-as-root')).toMatchObject({
      status: 'warn',
      evidenceKind: 'kernel',
      message: 'Runs as uid 0 in the host’s user namespace: root in the container is root on the host.',
    });
  });
});
