import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeEach, describe, expect, it } from 'vitest';

import {
  readHostLsms,
  readKernelEvidence,
  readOwnPidNamespace,
} from '../../../electron/adapters/host/proc-evidence.js';
import { createAppCore } from '../../../electron/services/app-core-impl.js';
import { createEngineMonitor } from '../../../electron/services/engine-monitor.js';
import type { EngineMonitor } from '../../../electron/services/engine-monitor.js';
import type {
  DecidedEngineFactsReport,
  DemoScenario,
  HostEvidencePort,
} from '../../../electron/services/ports.js';
import {
  ENGINE_CACHE_MS,
  configurationOnlyHost,
  createPostureService,
} from '../../../electron/services/posture-service.js';
import type { PostureService } from '../../../electron/services/posture-service.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import type { ProcessList } from '../../../shared/domain/posture/model.js';
import type { ContainerPostureEntry, PostureReport } from '../../../shared/ipc/contract.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { FAKE_INFO, createFakeEngine } from '../../support/fake-engine.js';
import type { FakeEngine } from '../../support/fake-engine.js';
import type { FixtureName, Overrides } from '../posture/fixtures.js';
import { FIXTURE_DIR, loadInspect, recordedProcFs } from '../posture/fixtures.js';

// The posture service over a scripted engine (fake-engine.ts) serving the inspect documents recorded from
// real containers, and a HostEvidencePort serving the /proc files recorded from them through the real
// readKernelEvidence. The real engine and /proc are covered by test/integration/posture/.

const FIXTURES: readonly FixtureName[] = ['default', 'privileged', 'hardened', 'sys-admin-unconfined'];
const idOf = (name: FixtureName): ContainerId => loadInspect(name).Id as ContainerId;
const pidOf = (name: FixtureName): number => (loadInspect(name).State as { Pid: number }).Pid;
const hostDoc = (file: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', file), 'utf8')) as unknown;

function summaryOf(name: FixtureName): ContainerSummary {
  const doc = loadInspect(name);
  return {
    id: idOf(name),
    name: String(doc.Name).slice(1),
    image: 'bulkhead-test/busybox:1',
    imageId: '',
    state: pidOf(name) > 0 ? 'running' : 'created',
    status: '',
    createdAt: 1 as EpochMillis,
    startedAt: null,
    finishedAt: null,
    exitCode: null,
    pid: pidOf(name),
    labels: {},
  };
}

const DECIDED: DecidedEngineFactsReport = {
  facts: { icc: false, iptables: true },
  evidence: {
    icc: [{ source: 'host', field: 'dockerd command line (PID 1, test)', value: '--icc=false' }],
  },
  notes: ['userland-proxy: test note'],
};

/** A HostEvidencePort over the recorded /proc files, counting its calls. */
function fixtureHost(overrides: Partial<Record<FixtureName, Overrides>> = {}) {
  const calls = { kernel: [] as number[], processes: [] as (readonly number[])[], decide: 0, hostFacts: 0 };
  const port: HostEvidencePort = {
    local: true,
    async hostFacts() {
      calls.hostFacts += 1;
      const fs = recordedProcFs(null);
      return { lsms: await readHostLsms({ fs }), pidNamespace: await readOwnPidNamespace({ fs }) };
    },
    kernelEvidence(pid) {
      calls.kernel.push(pid);
      const name = FIXTURES.find((n) => pidOf(n) === pid) ?? null;
      return readKernelEvidence(pid, { fs: recordedProcFs(name, name === null ? {} : overrides[name]) });
    },
    containerProcesses(initPids) {
      calls.processes.push([...initPids]);
      const list = (pid: number): ProcessList => ({
        source: 'proc',
        scope: 'pid-namespace',
        items: [{ pid, comm: 'sleep', args: ['sleep', 'infinity'] }],
        truncated: false,
      });
      return Promise.resolve(
        new Map(initPids.map((pid) => [pid, { ok: true, path: '/proc', value: list(pid) }])),
      );
    },
    decideEngineFacts() {
      calls.decide += 1;
      return Promise.resolve(DECIDED);
    },
  };
  return { port, calls };
}

let clock: FakeClock;
let engine: FakeEngine;
let monitor: EngineMonitor;

beforeEach(() => {
  clock = createFakeClock();
  engine = createFakeEngine();
  engine.containers = FIXTURES.map(summaryOf);
  for (const name of FIXTURES) engine.documents.set(idOf(name), loadInspect(name));
  engine.engineDocs = { info: hostDoc('docker-info.json'), version: hostDoc('docker-version.json') };
  monitor = createEngineMonitor({ engine, clock, publish: () => undefined });
  monitor.start();
});

function service(host: HostEvidencePort, demo: DemoScenario | null = null, showDemo = true): PostureService {
  return createPostureService({
    engine,
    host,
    monitor,
    demo: { load: () => Promise.resolve(demo) },
    clock,
    showDemoWhenDisconnected: () => showDemo,
  });
}

function entry(report: PostureReport, name: FixtureName): ContainerPostureEntry {
  const found = report.containers.find((c) => c.id === idOf(name));
  if (found === undefined) throw new Error(`${name} missing from the report`);
  return found;
}

function assessed(report: PostureReport, name: FixtureName) {
  const r = entry(report, name).result;
  if (r.state !== 'assessed') throw new Error(`${name}: ${JSON.stringify(r)}`);
  return r;
}

const finding = (report: PostureReport, name: FixtureName, ruleId: string) =>
  assessed(report, name).findings.find((f) => f.ruleId === ruleId);

describe('posture service, local engine', () => {
  it('one list, one inspect per container, kernel evidence for running ones, one process scan', async () => {
    const host = fixtureHost();
    const report = await service(host.port).assess();
    expect(report.source).toEqual({ kind: 'live' });
    expect(report.evidenceKind).toBe('kernel');
    expect(report.containers.map((c) => c.id)).toEqual(FIXTURES.map(idOf));
    expect(engine.calls.list).toBe(1);
    expect(engine.calls.inspect).toBe(FIXTURES.length);
    expect(engine.calls.engineDocuments).toBe(1);
    const running = FIXTURES.filter((n) => pidOf(n) > 0).map(pidOf);
    expect([...host.calls.kernel].sort()).toEqual([...running].sort());
    expect(host.calls.processes).toHaveLength(1);
    expect([...(host.calls.processes[0] ?? [])].sort()).toEqual([...running].sort());

    expect(finding(report, 'sys-admin-unconfined', 'seccomp')).toMatchObject({
      status: 'fail',
      evidenceKind: 'kernel',
    });
    expect(finding(report, 'hardened', 'no-new-privileges')).toMatchObject({
      status: 'pass',
      evidenceKind: 'kernel',
    });
    // The privileged container was created, not started: configuration verdicts, and it says so.
    const priv = assessed(report, 'privileged');
    expect(priv.evidenceKind).toBe('configuration-only');
    expect(priv.notes).toContain('Not running: every verdict rests on the configuration only.');
    expect(finding(report, 'privileged', 'privileged')).toMatchObject({ status: 'fail' });
    expect(finding(report, 'default', 'sshd')).toMatchObject({ status: 'pass', evidenceKind: 'kernel' });
  });

  it('the engine posture carries the decided facts with their host evidence, and their notes', async () => {
    const report = await service(fixtureHost().port).assess();
    if (report.engine.state !== 'assessed') throw new Error(report.engine.error.message);
    const icc = report.engine.findings.find((f) => f.ruleId === 'daemon-icc');
    expect(icc?.status).toBe('pass');
    expect(icc?.evidence).toContainEqual({
      source: 'host',
      field: 'dockerd command line (PID 1, test)',
      value: '--icc=false',
    });
    expect(report.engine.notes).toContain('userland-proxy: test note');
    expect(report.engine.findings.find((f) => f.ruleId === 'daemon-userland-proxy')?.status).toBe('info');
  });

  it('engine documents and host facts are reused for a short time, then asked again', async () => {
    const host = fixtureHost();
    const s = service(host.port);
    await s.assess();
    await s.assess();
    expect(engine.calls.engineDocuments).toBe(1);
    expect(host.calls.decide).toBe(1);
    expect(engine.calls.inspect).toBe(2 * FIXTURES.length);
    await clock.advance(ENGINE_CACHE_MS);
    await s.assess();
    expect(engine.calls.engineDocuments).toBe(2);
    expect(host.calls.decide).toBe(2);
  });

  it('a container removed between list and inspect is `unavailable` (not-found); the rest are assessed', async () => {
    engine.vanishing.add(idOf('hardened'));
    const report = await service(fixtureHost().port).assess();
    expect(entry(report, 'hardened').result).toEqual({
      state: 'unavailable',
      error: { code: 'not-found', message: expect.stringContaining('removed') as unknown },
    });
    expect(assessed(report, 'default').findings.length).toBeGreaterThan(20);
  });

  it('a permission error on /proc: that container is assessed from the configuration, with notes', async () => {
    const host = fixtureHost({ default: { 'proc-status': { errno: 'EACCES' } } });
    const report = await service(host.port).assess();
    const d = assessed(report, 'default');
    expect(d.notes).toEqual([
      expect.stringMatching(/^\/proc\/\d+\/status: permission-denied \(permission denied: EACCES/),
    ]);
    expect(finding(report, 'default', 'seccomp')).toMatchObject({
      status: 'pass',
      evidenceKind: 'configuration-only',
    });
    // The PID namespace link was readable: that verdict still follows the kernel.
    expect(finding(report, 'default', 'host-pid')?.evidenceKind).toBe('kernel');
    expect(finding(report, 'sys-admin-unconfined', 'seccomp')?.evidenceKind).toBe('kernel');
  });

  it('an inspect document without a usable Id is an error state; unexpected fields are notes', async () => {
    engine.documents.set(idOf('default'), { Id: 42, Name: '/bulkhead-posture-default' });
    const weird = loadInspect('hardened');
    (weird.HostConfig as Record<string, unknown>).Privileged = 'yes';
    delete weird.Mounts;
    weird.Surprise = [1, 2];
    engine.documents.set(idOf('hardened'), weird);
    const report = await service(fixtureHost().port).assess();
    expect(entry(report, 'default')).toMatchObject({
      name: 'bulkhead-posture-default',
      result: { state: 'error', error: { code: 'bad-inspect', message: 'Id: expected string, got number' } },
    });
    const h = assessed(report, 'hardened');
    expect(h.notes).toEqual(
      expect.arrayContaining(['HostConfig.Privileged: expected boolean, got string', 'Mounts: missing']),
    );
    expect(finding(report, 'hardened', 'privileged')?.status).toBe('info');
    expect(assessed(report, 'sys-admin-unconfined').score.grade).toBe('F');
  });

  it('a process list that cannot be read becomes a note', async () => {
    const host = fixtureHost();
    host.port.containerProcesses = (pids) =>
      Promise.resolve(
        new Map(
          pids.map((pid) => [
            pid,
            {
              ok: false,
              path: `/proc/${pid}/ns/pid`,
              error: { code: 'permission-denied', message: 'permission denied: EACCES' },
            },
          ]),
        ),
      );
    const report = await service(host.port).assess();
    expect(assessed(report, 'default').notes).toEqual([
      `/proc/${pidOf('default')}/ns/pid: permission-denied (permission denied: EACCES); the processes were not listed.`,
    ]);
    expect(finding(report, 'default', 'sshd')?.status).toBe('info');
  });

  it('asked for ids: only those, and an unknown id is a not-found entry', async () => {
    const unknown = 'f'.repeat(64) as ContainerId;
    const report = await service(fixtureHost().port).assess([idOf('hardened'), unknown]);
    expect(report.containers.map((c) => c.id)).toEqual([idOf('hardened'), unknown]);
    expect(report.containers[1]?.result).toMatchObject({
      state: 'unavailable',
      error: { code: 'not-found' },
    });
    expect(engine.calls.inspect).toBe(1);
  });
});

describe('posture service, remote engine', () => {
  it('configuration only: no /proc is read, every verdict is marked so', async () => {
    const report = await service(configurationOnlyHost('remote in this test')).assess();
    expect(report.evidenceKind).toBe('configuration-only');
    for (const c of report.containers) {
      const r = c.result;
      if (r.state !== 'assessed') throw new Error('not assessed');
      expect(new Set(r.findings.map((f) => f.evidenceKind))).toEqual(new Set(['configuration-only']));
      expect(r.notes).toContain('Remote engine: every verdict rests on the configuration only.');
    }
    if (report.engine.state !== 'assessed') throw new Error('engine not assessed');
    expect(report.engine.notes).toContain("The engine's own settings were not read: remote in this test.");
  });

  it('reached over TCP without TLS: the daemon TLS check fails on the endpoint Bulkhead itself uses', async () => {
    const tcp: FakeEngine = {
      ...engine,
      endpoint: {
        url: 'tcp://10.0.0.5:2375',
        transport: 'tcp',
        tls: false,
        source: 'DOCKER_HOST',
        local: false,
      },
    };
    const report = await createPostureService({
      engine: tcp,
      host: configurationOnlyHost('remote'),
      monitor,
      demo: { load: () => Promise.resolve(null) },
      clock,
      showDemoWhenDisconnected: () => false,
    }).assess();
    if (report.engine.state !== 'assessed') throw new Error('engine not assessed');
    const tls = report.engine.findings.find((f) => f.ruleId === 'daemon-tls');
    expect(tls?.status).toBe('fail');
    expect(tls?.evidence).toContainEqual({
      source: 'engine',
      field: 'endpoint Bulkhead uses',
      value: 'tcp://10.0.0.5:2375 (no TLS)',
    });
  });

  it('info/version unreadable: the host posture is an error state, the containers are still assessed', async () => {
    engine.engineDocuments = () => Promise.reject(new BulkheadError('docker-error', 'info: HTTP 500'));
    const report = await service(configurationOnlyHost('remote')).assess();
    expect(report.engine).toEqual({
      state: 'error',
      error: {
        code: 'bad-engine-info',
        message: "The engine's info and version could not be read: info: HTTP 500",
      },
    });
    expect(assessed(report, 'default').score.value).toBeGreaterThan(0);
  });
});

describe('posture service, demo data', () => {
  const recorded = async (): Promise<DemoScenario> => ({
    format: 'bulkhead-demo/1',
    recordedAt: 1_700_000_000_000 as EpochMillis,
    recordedWith: 'test',
    engine: FAKE_INFO,
    containers: FIXTURES.map((n) => ({ summary: summaryOf(n), inspect: loadInspect(n) })),
    posture: {
      engine: { info: hostDoc('docker-info.json'), version: hostDoc('docker-version.json') },
      decided: DECIDED,
      host: await fixtureHost().port.hostFacts(),
      containers: await Promise.all(
        FIXTURES.filter((n) => pidOf(n) > 0).map(async (n) => ({
          id: idOf(n),
          kernel: await readKernelEvidence(pidOf(n), { fs: recordedProcFs(n) }),
          processes: null,
        })),
      ),
    },
  });

  it('engine down, demo shown: the recorded documents and kernel evidence, labelled as demo', async () => {
    engine.mode = 'down';
    await clock.flush();
    const report = await service(configurationOnlyHost('unused'), await recorded()).assess();
    expect(report.source).toMatchObject({ kind: 'demo', recordedAt: 1_700_000_000_000 });
    expect(report.evidenceKind).toBe('kernel');
    expect(finding(report, 'sys-admin-unconfined', 'seccomp')).toMatchObject({
      status: 'fail',
      evidenceKind: 'kernel',
    });
    expect(report.engine.state).toBe('assessed');
    expect(engine.calls.inspect).toBe(0);
  });

  it('a scenario recorded before posture existed: configuration only, the host says why it is missing', async () => {
    engine.mode = 'down';
    await clock.flush();
    const { posture: _dropped, ...old } = await recorded();
    const report = await service(configurationOnlyHost('unused'), old).assess();
    expect(report.evidenceKind).toBe('configuration-only');
    expect(report.engine).toMatchObject({ state: 'error', error: { code: 'bad-engine-info' } });
    expect(assessed(report, 'default').evidenceKind).toBe('configuration-only');
  });

  it('engine down, demo hidden: the connection error', async () => {
    engine.mode = 'down';
    await clock.flush();
    await expect(service(fixtureHost().port, await recorded(), false).assess()).rejects.toMatchObject({
      code: 'docker-unreachable',
    });
  });
});

describe('posture:assess through the app core', () => {
  it('is wired with the host evidence and validates its request', async () => {
    const host = fixtureHost();
    const core = createAppCore({
      engine,
      host: host.port,
      demo: { load: () => Promise.resolve(null) },
      clock,
      mode: 'cli',
      version: '0',
      onError: () => undefined,
    });
    try {
      const answer = await core.dispatch('posture:assess', { ids: [idOf('hardened')] });
      if (!answer.ok) throw new Error(answer.error.message);
      const report = answer.value as PostureReport;
      expect(report.evidenceKind).toBe('kernel');
      expect(assessed(report, 'hardened').score).toMatchObject({ value: 96, grade: 'A' });
      expect(host.calls.kernel).toEqual([pidOf('hardened')]);
      expect(await core.dispatch('posture:assess', { ids: ['abc'] })).toMatchObject({
        ok: false,
        error: { code: 'bad-request' },
      });
      expect(await core.dispatch('posture:assess', { ids: [], extra: 1 })).toMatchObject({
        ok: false,
        error: { code: 'bad-request' },
      });
    } finally {
      await core.dispose();
    }
  });
});
