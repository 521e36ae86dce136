import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  addCount,
  advanceTo,
  createAggregate,
  createKeyTable,
  internKey,
  makeFrame,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { SysdigContainerId } from '../../../shared/domain/syscalls/model.js';
import type { BulkheadBridge } from '../../../shared/ipc/bridge.js';
import type { PushChannel, PushOf, RequestChannel, SyscallSourceInfo } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import type { Result } from '../../../shared/ipc/result.js';
import { initialSyscallsState } from '../../../renderer/src/state/syscalls.js';
import { initialContainersState } from '../../../renderer/src/state/containers.js';
import { useContainersStore } from '../../../renderer/src/stores/containers-store.js';
import { useSyscallsStore } from '../../../renderer/src/stores/syscalls-store.js';
import { useTransportStore } from '../../../renderer/src/stores/transport-store.js';
import { startSyscallsController } from '../../../renderer/src/syscalls-controller.js';
import type { SyscallsController } from '../../../renderer/src/syscalls-controller.js';
import { demoList, liveList, ms } from './fixtures.js';

const info = (
  kind: SyscallSourceInfo['kind'],
  available: boolean,
  reason: string | null = null,
): SyscallSourceInfo => ({
  kind,
  label: kind,
  available,
  reason,
  sequence: false,
  note: '',
});

/** A bridge that answers at once: sources as given, subscribe with sub-1, sub-2, … */
function fakeBridge(
  sources: readonly SyscallSourceInfo[],
  subscribe: (n: number) => Result<unknown> | null = () => null,
) {
  const calls: { channel: RequestChannel; request: unknown }[] = [];
  const listeners = new Map<PushChannel, Set<(p: unknown) => void>>();
  let subs = 0;
  const bridge: BulkheadBridge = {
    invoke(channel, request) {
      calls.push({ channel, request });
      let result: Result<unknown>;
      if (channel === 'syscalls:sources') result = ok(sources);
      else if (channel === 'syscalls:subscribe') {
        subs += 1;
        result = subscribe(subs) ?? ok({ subId: `sub-${subs}`, state: { phase: 'starting', since: ms(0) } });
      } else if (channel === 'syscalls:unsubscribe') result = ok(request);
      else if (channel === 'syscalls:control') result = ok({ replay: null });
      else result = err('internal', `${channel} not faked`);
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

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function frame(seq: number) {
  const keys = createKeyTable();
  const agg = createAggregate(keys, 60);
  advanceTo(agg, 100);
  addCount(
    agg,
    100,
    internKey(keys, { kind: 'container', id: 'c78a447010cd' as SysdigContainerId, name: 'w' }, 'read'),
    3,
  );
  return makeFrame(agg, 100, { seq });
}

let controller: SyscallsController | undefined;

beforeEach(() => {
  useSyscallsStore.setState(initialSyscallsState, true);
  useContainersStore.setState(initialContainersState, true);
  useTransportStore.setState({ view: { kind: 'ipc' } }, true);
});
afterEach(() => controller?.dispose());

describe('syscalls controller', () => {
  it('starts eBPF by default when it is available', async () => {
    const fake = fakeBridge([info('sysdig-live', true), info('bpf', true), info('sysdig-capture', true)]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([{ source: { kind: 'bpf' } }]);
    expect(useSyscallsStore.getState().subscription?.subId).toBe('sub-1');
  });

  it('starts the recorded lab session by default over demo data, even where eBPF could run', async () => {
    useContainersStore.setState({ list: demoList() });
    const fake = fakeBridge([info('bpf', true), info('lab-session', true)]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([{ source: { kind: 'lab-session', speed: 1 } }]);
  });

  it('reconsiders a live default once, when the first list turns out to be demo data', async () => {
    const fake = fakeBridge([info('bpf', true), info('lab-session', true)]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([{ source: { kind: 'bpf' } }]);
    useContainersStore.setState({ list: demoList() });
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([
      { source: { kind: 'bpf' } },
      { source: { kind: 'lab-session', speed: 1 } },
    ]);
    expect(fake.of('syscalls:unsubscribe')).toEqual([{ subId: 'sub-1' }]);
    // Settled: the engine coming back later changes nothing by itself (the stage notice offers the way).
    useContainersStore.setState({ list: liveList() });
    await flush();
    expect(fake.of('syscalls:subscribe')).toHaveLength(2);
  });

  it('waits for the container list when nothing live can run, and starts nothing on live cards', async () => {
    const fake = fakeBridge([info('bpf', false), info('lab-session', true)]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([]);
    useContainersStore.setState({ list: liveList() });
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([]);
  });

  it('starts nothing when no live source is available, keeping the sources for the reasons', async () => {
    const fake = fakeBridge([
      info('bpf', false, 'eBPF needs root.'),
      info('sysdig-live', false, 'no driver.'),
    ]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([]);
    expect(useSyscallsStore.getState().subscription).toBeNull();
    expect(useSyscallsStore.getState().sources?.[0]?.reason).toBe('eBPF needs root.');
  });

  it('switching source unsubscribes the old one, whose late frames are then ignored', async () => {
    const fake = fakeBridge([info('bpf', true)]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    controller.select({ kind: 'sysdig-capture', path: '/x.scap', speed: 'max' });
    await flush();
    expect(fake.of('syscalls:unsubscribe')).toEqual([{ subId: 'sub-1' }]);
    fake.push('syscalls:frame', { subId: 'sub-1', frame: frame(1) });
    expect(useSyscallsStore.getState().shown).toBeNull();
    fake.push('syscalls:frame', { subId: 'sub-2', frame: frame(1) });
    expect(useSyscallsStore.getState().shown?.seq).toBe(1);
  });

  it('pausing a replay asks the engine to stop playback; pausing live only freezes the display', async () => {
    const fake = fakeBridge([info('bpf', true)]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    controller.setPaused(true);
    expect(fake.of('syscalls:control')).toEqual([]);
    expect(useSyscallsStore.getState().paused).toBe(true);
    controller.select({ kind: 'sysdig-capture', path: '/x.scap', speed: 'max' });
    await flush();
    controller.setPaused(true);
    controller.setSpeed(10);
    controller.seek(42 as never);
    expect(fake.of('syscalls:control')).toEqual([
      { subId: 'sub-2', playing: false },
      { subId: 'sub-2', speed: 10 },
      { subId: 'sub-2', seek: 42 },
    ]);
  });

  it('keeps a refused subscribe’s error for the inline message', async () => {
    const fake = fakeBridge([], () => err('bad-request', 'syscalls:subscribe: path must not start with "-"'));
    controller = startSyscallsController(fake.bridge);
    await flush();
    controller.select({ kind: 'sysdig-capture', path: '-rf', speed: 'max' });
    await flush();
    expect(useSyscallsStore.getState().subscribeError?.message).toContain('must not start with "-"');
    expect(useSyscallsStore.getState().subscription).toBeNull();
  });

  it('subscribes again when the WebSocket reopens, and stops listening on dispose', async () => {
    useTransportStore.setState({ view: { kind: 'websocket', state: 'open', everOpen: true } });
    const fake = fakeBridge([info('bpf', true)]);
    controller = startSyscallsController(fake.bridge);
    await flush();
    useTransportStore.setState({ view: { kind: 'websocket', state: 'closed', everOpen: true } });
    useTransportStore.setState({ view: { kind: 'websocket', state: 'open', everOpen: true } });
    await flush();
    expect(fake.of('syscalls:subscribe')).toEqual([{ source: { kind: 'bpf' } }, { source: { kind: 'bpf' } }]);
    expect(useSyscallsStore.getState().subscription?.subId).toBe('sub-2');
    controller.dispose();
    controller = undefined;
    expect(fake.listenerCount()).toBe(0);
    expect(fake.of('syscalls:unsubscribe')).toContainEqual({ subId: 'sub-2' });
  });
});
