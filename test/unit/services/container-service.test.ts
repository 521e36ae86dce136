import { beforeEach, describe, expect, it } from 'vitest';

import { createContainerService, describeEngine } from '../../../electron/services/container-service.js';
import type { ContainerService } from '../../../electron/services/container-service.js';
import { createEngineMonitor } from '../../../electron/services/engine-monitor.js';
import type { EngineMonitor } from '../../../electron/services/engine-monitor.js';
import type { DemoScenario, DemoScenarioPort } from '../../../electron/services/ports.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { FAKE_INFO, createFakeEngine } from '../../support/fake-engine.js';
import type { FakeEngine } from '../../support/fake-engine.js';

function summary(id: string, name: string): ContainerSummary {
  return {
    id: id.repeat(64) as ContainerId,
    name,
    image: 'img:1',
    imageId: `sha256:${'e'.repeat(64)}`,
    state: 'running',
    status: 'Up',
    createdAt: 1 as EpochMillis,
    startedAt: 2 as EpochMillis,
    finishedAt: null,
    exitCode: null,
    pid: 10,
    labels: {},
  };
}

const LIVE = summary('a', 'live-one');
const DEMO_C = summary('d', 'demo-one');
const SCENARIO: DemoScenario = {
  format: 'bulkhead-demo/1',
  recordedAt: 1_600_000_000_000 as EpochMillis,
  recordedWith: 'test',
  engine: { ...FAKE_INFO, version: '20.10.24', os: 'linux', arch: 'amd64' },
  containers: [{ summary: DEMO_C, inspect: { Id: DEMO_C.id } }],
};

const demoOf = (load: () => Promise<DemoScenario | null>): DemoScenarioPort & { loads: number } => {
  const port = {
    loads: 0,
    load: () => {
      port.loads += 1;
      return load();
    },
  };
  return port;
};

let clock: FakeClock;
let engine: FakeEngine;
let monitor: EngineMonitor;

beforeEach(() => {
  clock = createFakeClock();
  engine = createFakeEngine();
  engine.containers = [LIVE];
  monitor = createEngineMonitor({ engine, clock, publish: () => undefined });
});

function service(demo: DemoScenarioPort, showDemo?: boolean): ContainerService {
  return createContainerService({ engine, monitor, demo, showDemoWhenDisconnected: showDemo });
}

async function rejection(p: Promise<unknown>): Promise<BulkheadError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BulkheadError);
    return e as BulkheadError;
  }
  throw new Error('expected a rejection');
}

describe('container service', () => {
  it('connected → the live list', async () => {
    monitor.start();
    await clock.flush();
    const list = await service(demoOf(() => Promise.resolve(SCENARIO))).list();
    expect(list).toEqual({
      source: { kind: 'live' },
      engineName: 'Docker 99.0.0 on linux/amd64',
      containers: [LIVE],
      problems: [],
    });
  });

  it('disconnected with a demo scenario → the demo containers, labelled as such, with the reason', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.flush();
    const list = await service(demoOf(() => Promise.resolve(SCENARIO))).list();
    expect(list.source).toEqual({
      kind: 'demo',
      recordedAt: SCENARIO.recordedAt,
      recordedOn: 'Docker 20.10.24 on linux/amd64',
      reason: 'Docker engine not reachable at unix:///fake/docker.sock (ECONNREFUSED)',
    });
    expect(list.engineName).toBe('Docker 20.10.24 on linux/amd64');
    expect(list.containers).toEqual([DEMO_C]);
  });

  it('disconnected with demo switched off → the connection error', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.flush();
    const e = await rejection(
      service(
        demoOf(() => Promise.resolve(SCENARIO)),
        false,
      ).list(),
    );
    expect(e.code).toBe('docker-unreachable');
    expect(e.message).toBe('Docker engine not reachable at unix:///fake/docker.sock (ECONNREFUSED)');
  });

  it('disconnected without a scenario → the connection error', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.flush();
    const e = await rejection(service(demoOf(() => Promise.resolve(null))).list());
    expect(e.code).toBe('docker-unreachable');
  });

  it('a corrupt scenario is named in the error, and loaded only once', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.flush();
    const demo = demoOf(() =>
      Promise.reject(new BulkheadError('demo-unavailable', 'scenario.json is invalid')),
    );
    const s = service(demo);
    const e = await rejection(s.list());
    expect(e.code).toBe('docker-unreachable');
    expect(e.message).toContain('demo scenario unusable: scenario.json is invalid');
    await rejection(s.list());
    expect(await s.demoAvailable()).toBe(false);
    expect(demo.loads).toBe(1);
  });

  it('while connecting, waits for the first verdict', async () => {
    const s = service(demoOf(() => Promise.resolve(SCENARIO)));
    const pending = s.list();
    monitor.start();
    await clock.flush();
    expect((await pending).source.kind).toBe('live');
  });

  it('a monitor that never settles: after the bounded wait, demo with "no answer yet"', async () => {
    engine.mode = 'hung';
    const s = createContainerService({
      engine,
      monitor,
      demo: demoOf(() => Promise.resolve(SCENARIO)),
      firstVerdictWaitMs: 2500,
    });
    let settled = false;
    const pending = s.list().finally(() => (settled = true));
    await clock.advance(2400);
    expect(settled).toBe(false);
    await clock.advance(100);
    const list = await pending;
    expect(list.source.kind === 'demo' && list.source.reason).toContain('no answer yet');
  });

  it('a live call failing because the engine just went away falls back like a disconnection', async () => {
    monitor.start();
    await clock.flush();
    engine.mode = 'down'; // the monitor has not noticed yet
    const list = await service(demoOf(() => Promise.resolve(SCENARIO))).list();
    expect(list.source.kind).toBe('demo');
  });

  it('other live errors are passed on', async () => {
    monitor.start();
    await clock.flush();
    engine.listContainers = () => Promise.reject(new BulkheadError('docker-error', 'engine says no'));
    expect((await rejection(service(demoOf(() => Promise.resolve(SCENARIO))).list())).message).toBe(
      'engine says no',
    );
  });

  it('inspect: live, demo, and not-found for ids neither knows', async () => {
    const s = service(demoOf(() => Promise.resolve(SCENARIO)));
    monitor.start();
    await clock.flush();
    expect((await s.inspect(LIVE.id)).summary).toEqual(LIVE);
    expect((await rejection(s.inspect(DEMO_C.id))).code).toBe('not-found');

    engine.mode = 'down';
    engine.breakStreams();
    await clock.flush();
    expect(await s.inspect(DEMO_C.id)).toEqual(SCENARIO.containers[0]);
    const e = await rejection(s.inspect(LIVE.id));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain('demo scenario');
  });

  it('the demo setting', () => {
    const s = service(demoOf(() => Promise.resolve(SCENARIO)));
    expect(s.showDemoWhenDisconnected()).toBe(true);
    expect(s.setShowDemoWhenDisconnected(true)).toBe(false);
    expect(s.setShowDemoWhenDisconnected(false)).toBe(true);
    expect(s.showDemoWhenDisconnected()).toBe(false);
  });

  it('describeEngine', () => {
    expect(describeEngine({ ...FAKE_INFO, version: '20.10.24' })).toBe('Docker 20.10.24 on linux/amd64');
    expect(describeEngine({ ...FAKE_INFO, version: '', os: '' })).toBe('Docker (unknown version)');
  });
});
