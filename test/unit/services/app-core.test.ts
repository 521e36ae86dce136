import { beforeEach, describe, expect, it } from 'vitest';

import type { AppCore, PushEnvelope } from '../../../electron/services/app-core.js';
import { createAppCore, createPushHub } from '../../../electron/services/app-core-impl.js';
import type { DemoScenario } from '../../../electron/services/ports.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { FAKE_ENDPOINT, FAKE_INFO, createFakeEngine } from '../../support/fake-engine.js';
import type { FakeEngine } from '../../support/fake-engine.js';

const C: ContainerSummary = {
  id: 'c'.repeat(64) as ContainerId,
  name: 'one',
  image: 'img:1',
  imageId: `sha256:${'e'.repeat(64)}`,
  state: 'exited',
  status: 'Exited (0)',
  createdAt: 1 as EpochMillis,
  startedAt: 2 as EpochMillis,
  finishedAt: 3 as EpochMillis,
  exitCode: 0,
  pid: 0,
  labels: {},
};
const SCENARIO: DemoScenario = {
  format: 'bulkhead-demo/1',
  recordedAt: 5 as EpochMillis,
  recordedWith: 'test',
  engine: FAKE_INFO,
  containers: [{ summary: { ...C, id: 'd'.repeat(64) as ContainerId }, inspect: {} }],
};

let clock: FakeClock;
let engine: FakeEngine;
let core: AppCore;
let pushes: PushEnvelope[];

beforeEach(() => {
  clock = createFakeClock();
  engine = createFakeEngine();
  engine.containers = [C];
  core = createAppCore({
    engine,
    demo: { load: () => Promise.resolve(SCENARIO) },
    clock,
    mode: 'cli',
    version: '1.2.3',
    onError: () => undefined,
  });
  pushes = [];
  core.pushes.subscribe((p) => pushes.push(p));
});

describe('push hub', () => {
  it('fans out to every subscriber; a throwing listener does not stop the others; unsubscribe works', () => {
    const hub = createPushHub();
    const got: string[] = [];
    hub.subscribe(() => {
      throw new Error('bad listener');
    });
    const off = hub.subscribe((p) => got.push(`a:${p.channel}`));
    hub.subscribe((p) => got.push(`b:${p.channel}`));
    const push: PushEnvelope = { channel: 'containers:changed', payload: { ids: 'all' } };
    hub.publish(push);
    off();
    hub.publish(push);
    expect(got).toEqual(['a:containers:changed', 'b:containers:changed', 'b:containers:changed']);
  });
});

describe('app core', () => {
  it('app:describe', async () => {
    expect(await core.dispatch('app:describe', {})).toEqual({
      ok: true,
      value: { version: '1.2.3', mode: 'cli', demoAvailable: true, showDemoWhenDisconnected: true },
    });
  });

  it('start() connects and pushes engine:state and containers:changed all', async () => {
    core.start();
    core.start();
    await clock.flush();
    expect(pushes.map((p) => p.channel)).toEqual(['engine:state', 'containers:changed']);
    expect(engine.calls.describe).toBe(1);
  });

  it('engine:describe returns the connection state (and starts watching)', async () => {
    const r = await core.dispatch('engine:describe', {});
    expect(r).toEqual({
      ok: true,
      value: { phase: 'connected', endpoint: FAKE_ENDPOINT, since: clock.now(), engine: FAKE_INFO },
    });
  });

  it('containers:list and containers:inspect go to the live engine', async () => {
    const list = await core.dispatch('containers:list', {});
    expect(list.ok && (list.value as { containers: unknown[] }).containers).toEqual([C]);
    const one = await core.dispatch('containers:inspect', { id: C.id });
    expect(one).toEqual({ ok: true, value: { summary: C, inspect: { Id: C.id } } });
  });

  it('errors cross as data: not-found, bad-request, unknown-channel', async () => {
    expect(await core.dispatch('containers:inspect', { id: 'f'.repeat(64) })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await core.dispatch('containers:inspect', { id: 'f'.repeat(12) })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await core.dispatch('containers:kill', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
  });

  it('engine down: demo data; demo:configure off → the error, and each toggle invalidates all', async () => {
    engine.mode = 'down';
    core.start();
    await clock.flush();
    const demo = await core.dispatch('containers:list', {});
    expect(demo.ok && (demo.value as { source: { kind: string } }).source.kind).toBe('demo');

    pushes.length = 0;
    const off = await core.dispatch('demo:configure', { showDemoWhenDisconnected: false });
    expect(off).toEqual({
      ok: true,
      value: { version: '1.2.3', mode: 'cli', demoAvailable: true, showDemoWhenDisconnected: false },
    });
    expect(pushes).toEqual([{ channel: 'containers:changed', payload: { ids: 'all' } }]);
    expect(await core.dispatch('containers:list', {})).toMatchObject({
      ok: false,
      error: { code: 'docker-unreachable' },
    });

    // Setting the same value again changes nothing and invalidates nothing.
    await core.dispatch('demo:configure', { showDemoWhenDisconnected: false });
    expect(pushes).toHaveLength(1);
    await core.dispatch('demo:configure', { showDemoWhenDisconnected: true });
    expect(pushes).toHaveLength(2);
  });

  it('dispose stops the monitor and the pushes; it is idempotent', async () => {
    core.start();
    await clock.flush();
    await core.dispose();
    await core.dispose();
    expect(engine.openWatches()).toBe(0);
    expect(clock.pending()).toBe(0);
    pushes.length = 0;
    core.start();
    await clock.advance(5000);
    expect(pushes).toEqual([]);
  });
});
