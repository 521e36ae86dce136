import { describe, expect, it } from 'vitest';

import type { ConnectionState } from '../../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { createPushForwarder } from '../../../electron/shell/ipc.js';
import type { PushTarget } from '../../../electron/shell/ipc.js';
import { createFakeCore } from '../../support/fake-core.js';

/** A webContents stand-in: records sends, loads on demand, can be destroyed. */
class FakeWebContents implements PushTarget {
  readonly sent: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  throwOnSend = false;
  private loadListeners: (() => void)[] = [];

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, payload: unknown): void {
    if (this.throwOnSend) throw new Error('Object has been destroyed');
    this.sent.push({ channel, payload });
  }

  once(_event: 'did-finish-load', listener: () => void): this {
    this.loadListeners.push(listener);
    return this;
  }

  finishLoad(): void {
    const listeners = this.loadListeners;
    this.loadListeners = [];
    for (const l of listeners) l();
  }
}

const id = (n: number): ContainerId => n.toString(16).padStart(64, '0') as ContainerId;
const changed = (n: number) => ({ ids: [id(n)] });
const CONNECTING: ConnectionState = {
  phase: 'connecting',
  endpoint: {
    url: 'unix:///var/run/docker.sock',
    transport: 'unix',
    tls: false,
    source: 'default',
    local: true,
  },
  since: 1_700_000_000_000 as EpochMillis,
};

describe('createPushForwarder', () => {
  it('queues pushes until the page has loaded, then delivers them in order, and later ones at once', () => {
    const core = createFakeCore();
    const wc = new FakeWebContents();
    const logs: string[] = [];
    createPushForwarder(core.pushes, wc, { log: (l) => logs.push(l) });

    core.emit('containers:changed', changed(1));
    core.emit('engine:state', CONNECTING);
    core.emit('containers:changed', changed(2));
    expect(wc.sent).toEqual([]);

    wc.finishLoad();
    expect(wc.sent).toEqual([
      { channel: 'containers:changed', payload: changed(1) },
      { channel: 'engine:state', payload: CONNECTING },
      { channel: 'containers:changed', payload: changed(2) },
    ]);

    core.emit('containers:changed', { ids: 'all' });
    expect(wc.sent.at(-1)).toEqual({ channel: 'containers:changed', payload: { ids: 'all' } });
    expect(logs).toEqual([]);
  });

  it('bounds the queue: the oldest pushes are dropped and the count is logged once', () => {
    const core = createFakeCore();
    const wc = new FakeWebContents();
    const logs: string[] = [];
    createPushForwarder(core.pushes, wc, { maxQueued: 2, log: (l) => logs.push(l) });

    for (let n = 1; n <= 5; n += 1) core.emit('containers:changed', changed(n));
    wc.finishLoad();

    expect(wc.sent.map((s) => s.payload)).toEqual([changed(4), changed(5)]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/dropped 3 push/);
  });

  it('drops pushes to a destroyed webContents with one log line and stops listening', () => {
    const core = createFakeCore();
    const wc = new FakeWebContents();
    const logs: string[] = [];
    createPushForwarder(core.pushes, wc, { log: (l) => logs.push(l) });
    wc.finishLoad();
    expect(core.subscriberCount()).toBe(1);

    wc.destroyed = true;
    core.emit('containers:changed', changed(1));
    core.emit('containers:changed', changed(2));

    expect(wc.sent).toEqual([]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/window is gone/);
    expect(core.subscriberCount()).toBe(0);
  });

  it('survives a webContents that throws on send (destroyed between check and send)', () => {
    const core = createFakeCore();
    const wc = new FakeWebContents();
    const logs: string[] = [];
    createPushForwarder(core.pushes, wc, { log: (l) => logs.push(l) });
    wc.finishLoad();
    wc.throwOnSend = true;

    expect(() => core.emit('containers:changed', changed(1))).not.toThrow();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/could not deliver containers:changed/);
    expect(core.subscriberCount()).toBe(0);
  });

  it('dispose stops forwarding and discards the queue', () => {
    const core = createFakeCore();
    const wc = new FakeWebContents();
    const dispose = createPushForwarder(core.pushes, wc, { log: () => undefined });
    core.emit('containers:changed', changed(1));
    dispose();
    expect(core.subscriberCount()).toBe(0);
    wc.finishLoad();
    core.emit('containers:changed', changed(2));
    expect(wc.sent).toEqual([]);
    expect(() => dispose()).not.toThrow();
  });
});
