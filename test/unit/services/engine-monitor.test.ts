import { beforeEach, describe, expect, it } from 'vitest';

import type { PushEnvelope } from '../../../electron/services/app-core.js';
import { createEngineMonitor } from '../../../electron/services/engine-monitor.js';
import type { EngineMonitor } from '../../../electron/services/engine-monitor.js';
import type { ConnectionState } from '../../../shared/domain/engine.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { FAKE_INFO, createFakeEngine } from '../../support/fake-engine.js';
import type { FakeEngine } from '../../support/fake-engine.js';

const ID = '0123456789abcdef'.repeat(4);

let clock: FakeClock;
let engine: FakeEngine;
let pushes: PushEnvelope[];
let monitor: EngineMonitor;

beforeEach(() => {
  clock = createFakeClock();
  engine = createFakeEngine();
  pushes = [];
  monitor = createEngineMonitor({ engine, clock, publish: (p) => pushes.push(p) });
});

const states = (): ConnectionState[] =>
  pushes.filter((p) => p.channel === 'engine:state').map((p) => p.payload as ConnectionState);
const phases = (): string[] => states().map((s) => s.phase);
const changes = (): unknown[] =>
  pushes.filter((p) => p.channel === 'containers:changed').map((p) => p.payload);
const t0 = (): number => 1_700_000_000_000;

describe('engine monitor', () => {
  it('starts connecting and connects: describe(), events followed, state and an "all" invalidation', async () => {
    expect(monitor.state().phase).toBe('connecting');
    monitor.start();
    await clock.flush();
    expect(monitor.state()).toEqual({
      phase: 'connected',
      endpoint: engine.endpoint,
      since: t0(),
      engine: FAKE_INFO,
    });
    expect(engine.calls.describe).toBe(1);
    expect(engine.openWatches()).toBe(1);
    expect(phases()).toEqual(['connected']);
    expect(changes()).toEqual([{ ids: 'all' }]);
  });

  it('start is idempotent', async () => {
    monitor.start();
    monitor.start();
    await clock.flush();
    expect(engine.calls.describe).toBe(1);
    expect(engine.openWatches()).toBe(1);
  });

  it('container events become invalidations of that id; other events and non-ids do not', async () => {
    monitor.start();
    await clock.flush();
    pushes.length = 0;
    engine.emit({ type: 'container', action: 'start', id: ID, time: 1 as EpochMillis });
    engine.emit({ type: 'image', action: 'pull', id: 'busybox', time: 1 as EpochMillis });
    engine.emit({ type: 'container', action: 'start', id: 'not-an-id', time: 1 as EpochMillis });
    expect(pushes).toEqual([{ channel: 'containers:changed', payload: { ids: [ID] } }]);
  });

  it('an unreachable engine at start → disconnected with the error and a retry time', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.flush();
    const s = monitor.state();
    expect(s.phase).toBe('disconnected');
    if (s.phase !== 'disconnected') return;
    expect(s.error).toEqual({
      code: 'docker-unreachable',
      message: 'Docker engine not reachable at unix:///fake/docker.sock (ECONNREFUSED)',
    });
    expect(s.retryAt).toBe(t0() + 250);
    expect(changes()).toEqual([{ ids: 'all' }]);
  });

  it('retries with backoff 250 ms doubling to 5 s, and keeps `since` of the first failure', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.flush();
    const delays: number[] = [];
    let last = clock.now();
    for (let i = 0; i < 8; i++) {
      const before = engine.calls.ping;
      // Step 1 ms at a time to find exactly when the next attempt happens.
      while (engine.calls.ping === before) await clock.advance(1);
      delays.push(clock.now() - last);
      last = clock.now();
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    const s = monitor.state();
    expect(s.phase === 'disconnected' && s.since).toBe(t0());
    // One invalidation for the phase change, none for the unchanged retries.
    expect(changes()).toEqual([{ ids: 'all' }]);
  });

  it('a failed attempt publishes each new retry time', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.advance(250 + 500);
    expect(states().map((s) => (s.phase === 'disconnected' ? s.retryAt : null))).toEqual([
      t0() + 250,
      t0() + 250 + 500,
      t0() + 250 + 500 + 1000,
    ]);
  });

  it('backoff resets after a success', async () => {
    engine.mode = 'down';
    monitor.start();
    await clock.advance(250 + 500 + 1000); // three failures: next delay would be 2000
    engine.mode = 'up';
    await clock.advance(2000);
    expect(monitor.state().phase).toBe('connected');
    engine.breakStreams();
    await clock.flush();
    const s = monitor.state();
    expect(s.phase === 'disconnected' && s.retryAt).toBe(clock.now() + 250);
  });

  it('a broken event stream → disconnected at once, then reconnect → connected and "all"', async () => {
    monitor.start();
    await clock.flush();
    pushes.length = 0;
    engine.mode = 'down';
    engine.breakStreams();
    await clock.flush();
    expect(monitor.state().phase).toBe('disconnected');
    engine.mode = 'up';
    await clock.advance(250);
    expect(monitor.state().phase).toBe('connected');
    expect(phases()).toEqual(['disconnected', 'connected']);
    expect(changes()).toEqual([{ ids: 'all' }, { ids: 'all' }]);
    expect(engine.openWatches()).toBe(1);
  });

  it('a hung engine (pings never answer) is noticed within 2 s', async () => {
    monitor.start();
    await clock.flush();
    const lostAt = clock.now();
    engine.mode = 'hung'; // the event stream stays open: only the pings can tell
    let noticed: number | null = null;
    for (let ms = 0; ms <= 3000 && noticed === null; ms += 10) {
      await clock.advance(10);
      if (monitor.state().phase === 'disconnected') noticed = clock.now() - lostAt;
    }
    expect(noticed).not.toBeNull();
    expect(noticed).toBeLessThanOrEqual(2000);
    const s = monitor.state();
    expect(s.phase === 'disconnected' && s.error.code).toBe('docker-unreachable');
    expect(engine.openWatches()).toBe(0); // the stale stream was released
  });

  it('over ssh, a slow ping (a new SSH session per request) is not a lost engine', async () => {
    const ssh = {
      ...engine,
      endpoint: { ...engine.endpoint, url: 'ssh://me@box:22', transport: 'ssh' as const },
    };
    let slow = false;
    ssh.ping = () => (slow ? new Promise<void>((r) => clock.setTimeout(r, 2500)) : Promise.resolve());
    const m = createEngineMonitor({ engine: ssh, clock, publish: () => undefined });
    m.start();
    await clock.flush();
    slow = true;
    await clock.advance(3600);
    expect(m.state().phase).toBe('connected');
    ssh.ping = () => new Promise<void>(() => undefined);
    await clock.advance(5000 + 1000);
    expect(m.state().phase).toBe('disconnected');
    m.dispose();
  });

  it('a ping failure → disconnected', async () => {
    monitor.start();
    await clock.flush();
    engine.mode = 'down';
    await clock.advance(1000);
    expect(monitor.state().phase).toBe('disconnected');
  });

  it('pings every 500 ms while connected, never two at once', async () => {
    monitor.start();
    await clock.flush();
    const base = engine.calls.ping;
    await clock.advance(5000);
    expect(engine.calls.ping - base).toBe(10);
  });

  it('a non-connection error from describe() becomes docker-error', async () => {
    engine.describe = () => Promise.reject(new Error('weird answer'));
    monitor.start();
    await clock.flush();
    const s = monitor.state();
    expect(s.phase === 'disconnected' && s.error).toEqual({ code: 'docker-error', message: 'weird answer' });
  });

  it('permission denied is reported as such', async () => {
    engine.ping = () =>
      Promise.reject(new BulkheadError('docker-permission-denied', 'permission denied on /x'));
    monitor.start();
    await clock.flush();
    const s = monitor.state();
    expect(s.phase === 'disconnected' && s.error.code).toBe('docker-permission-denied');
  });

  it('settled() waits for the first verdict, or times out still connecting', async () => {
    engine.mode = 'hung';
    const early = monitor.settled(100);
    await clock.advance(100);
    expect((await early).phase).toBe('connecting');

    const waiting = monitor.settled(5000);
    monitor.start();
    await clock.advance(1000); // the first ping times out after 800 ms (+ grace)
    expect((await waiting).phase).toBe('disconnected');
    expect((await monitor.settled(5000)).phase).toBe('disconnected');
  });

  it('dispose cancels timers, closes the stream, ignores late answers, and is idempotent', async () => {
    monitor.start();
    await clock.flush();
    monitor.dispose();
    monitor.dispose();
    expect(engine.openWatches()).toBe(0);
    expect(clock.pending()).toBe(0);
    const count = pushes.length;
    await clock.advance(10_000);
    engine.emit({ type: 'container', action: 'die', id: ID, time: 1 as EpochMillis });
    expect(pushes.length).toBe(count);
    monitor.start();
    await clock.flush();
    expect(engine.calls.describe).toBe(1);
  });

  it('dispose during a pending attempt: the late answer changes nothing', async () => {
    let answer: () => void = () => undefined;
    engine.ping = () => new Promise<void>((r) => (answer = r));
    monitor.start();
    await clock.flush();
    monitor.dispose();
    answer();
    await clock.flush();
    expect(monitor.state().phase).toBe('connecting');
    expect(engine.openWatches()).toBe(0);
    expect(pushes).toEqual([]);
  });

  it('a throwing publish does not break the machine', async () => {
    const m = createEngineMonitor({
      engine,
      clock,
      publish: () => {
        throw new Error('listener bug');
      },
    });
    m.start();
    await clock.flush();
    expect(m.state().phase).toBe('connected');
    m.dispose();
  });
});
