import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { BulkheadBridge } from '../../../shared/ipc/bridge.js';
import type { LabStatusReport, PushChannel, PushOf, RequestChannel } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import type { Result } from '../../../shared/ipc/result.js';
import { startLabController } from '../../../renderer/src/lab-controller.js';
import type { LabController } from '../../../renderer/src/lab-controller.js';
import { initialLabState } from '../../../renderer/src/state/lab.js';
import { setLabOpen, useLabStore } from '../../../renderer/src/stores/lab-store.js';
import { useTransportStore } from '../../../renderer/src/stores/transport-store.js';

// The lab controller over an in-memory bridge (deterministic; the real channels are tested against dockerd
// in test/integration/lab/lab-service.test.ts) and hand-driven debounce timers.

const STATUS: LabStatusReport = {
  engine: 'unix:///var/run/docker.sock',
  blocked: null,
  upBlocked: null,
  containers: [],
  op: null,
};

function fakeBridge(start: Result<unknown> = ok({ opId: 'lab-1' })) {
  const calls: { channel: RequestChannel; request: unknown }[] = [];
  const listeners = new Map<PushChannel, Set<(p: unknown) => void>>();
  const bridge: BulkheadBridge = {
    invoke(channel, request) {
      calls.push({ channel, request });
      const result: Result<unknown> =
        channel === 'lab:status' ? ok(STATUS) : channel.startsWith('lab:') ? start : err('internal', 'no');
      return Promise.resolve(result) as never;
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(channel, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
  const push = <P extends PushChannel>(channel: P, payload: PushOf<P>): void => {
    for (const l of listeners.get(channel) ?? []) l(payload);
  };
  const of = (channel: RequestChannel) => calls.filter((c) => c.channel === channel).map((c) => c.request);
  return { bridge, push, of, listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0) };
}

/** Debounce timers fired by hand. */
function manualTimers() {
  const due = new Map<number, () => void>();
  let next = 1;
  return {
    timers: {
      setTimeout: (fn: () => void) => {
        due.set(next, fn);
        return next++;
      },
      clearTimeout: (h: unknown) => void due.delete(h as number),
    },
    fire: () => {
      const fns = [...due.values()];
      due.clear();
      for (const fn of fns) fn();
    },
    pending: () => due.size,
  };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

let controller: LabController | undefined;
beforeEach(() => {
  useLabStore.setState(initialLabState, true);
  useTransportStore.setState({ view: { kind: 'ipc' } }, true);
});
afterEach(() => controller?.dispose());

describe('lab controller', () => {
  it('asks for the lab’s status only while the panel is open', async () => {
    const fake = fakeBridge();
    const t = manualTimers();
    controller = startLabController(fake.bridge, t.timers, () => 7);
    fake.push('containers:changed', { ids: 'all' });
    await flush();
    expect(fake.of('lab:status')).toEqual([]);
    expect(t.pending()).toBe(0);
    setLabOpen(true);
    await flush();
    expect(fake.of('lab:status')).toHaveLength(1);
    expect(useLabStore.getState().status).toEqual(STATUS);
    fake.push('containers:changed', { ids: 'all' });
    fake.push('containers:changed', { ids: 'all' });
    t.fire();
    await flush();
    expect(fake.of('lab:status')).toHaveLength(2);
  });

  it('sends each operation to its channel and follows its pushes, fetching the status when it ends', async () => {
    const fake = fakeBridge();
    const t = manualTimers();
    controller = startLabController(fake.bridge, t.timers, () => 7);
    controller.start('attack', 'hardened');
    expect(useLabStore.getState().pending).toBe('attack');
    await flush();
    expect(fake.of('lab:attack')).toEqual([{ target: 'hardened' }]);
    expect(useLabStore.getState().pending).toBeNull();
    controller.start('up', null);
    controller.start('down', null);
    controller.start('attack', null);
    await flush();
    expect(fake.of('lab:up')).toEqual([{}]);
    expect(fake.of('lab:down')).toEqual([{}]);
    expect(fake.of('lab:attack')).toHaveLength(1);
    fake.push('lab:progress', {
      opId: 'lab-1',
      op: 'up',
      target: null,
      line: { tone: 'info', text: 'lab up on x:' },
      done: null,
    });
    fake.push('lab:progress', {
      opId: 'lab-1',
      op: 'up',
      target: null,
      line: null,
      done: { ok: true, summary: 'done' },
    });
    expect(useLabStore.getState().op).toMatchObject({
      opId: 'lab-1',
      startedAt: 7,
      lines: [{ text: 'lab up on x:' }],
    });
    t.fire();
    await flush();
    expect(fake.of('lab:status')).toHaveLength(1);
  });

  it('keeps a refused start for the error line, and stops listening on dispose', async () => {
    const fake = fakeBridge(err('docker-unreachable', 'No Docker engine is reachable'));
    controller = startLabController(fake.bridge, manualTimers().timers);
    controller.start('up', null);
    await flush();
    expect(useLabStore.getState().startError).toEqual({
      code: 'docker-unreachable',
      message: 'No Docker engine is reachable',
    });
    controller.dispose();
    controller = undefined;
    expect(fake.listenerCount()).toBe(0);
  });
});
