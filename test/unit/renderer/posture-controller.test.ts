import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { BulkheadBridge } from '../../../shared/ipc/bridge.js';
import type { PostureReport, PushChannel, PushOf } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import type { Result } from '../../../shared/ipc/result.js';
import {
  POSTURE_REFETCH_DEBOUNCE_MS,
  listSignature,
  startPostureController,
} from '../../../renderer/src/posture-controller.js';
import type { PostureController } from '../../../renderer/src/posture-controller.js';
import { initialContainersState } from '../../../renderer/src/state/containers.js';
import { initialPostureState } from '../../../renderer/src/state/posture.js';
import { useContainersStore } from '../../../renderer/src/stores/containers-store.js';
import { usePostureStore } from '../../../renderer/src/stores/posture-store.js';
import { useTransportStore } from '../../../renderer/src/stores/transport-store.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import type { DebounceTimers } from '../../../renderer/src/state/debounce.js';
import type { Disposable } from '../../../electron/services/ports.js';
import { buildScenario } from '../../support/posture-report.js';
import type { FakePostureScenario } from '../../support/posture-report.js';
import { connected, container, liveList } from './fixtures.js';

let local: FakePostureScenario;
let remote: FakePostureScenario;

beforeAll(async () => {
  local = await buildScenario('local');
  remote = await buildScenario('remote');
});

/** A bridge whose `posture:assess` answers are released by the test, in any order. */
function fakeBridge() {
  const pending: { resolve: (r: Result<PostureReport>) => void }[] = [];
  const listeners = new Map<PushChannel, Set<(p: unknown) => void>>();
  const bridge: BulkheadBridge = {
    invoke(channel) {
      if (channel !== 'posture:assess') return Promise.resolve(err('internal', `${channel} not faked`));
      return new Promise((resolve) =>
        pending.push({ resolve: resolve as (r: Result<PostureReport>) => void }),
      );
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
  return {
    bridge,
    pending,
    push,
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

let clock: FakeClock;
let timers: DebounceTimers;
let controller: PostureController | undefined;

beforeEach(() => {
  usePostureStore.setState(initialPostureState, true);
  useContainersStore.setState(initialContainersState, true);
  useTransportStore.setState({ view: { kind: 'ipc' } }, true);
  clock = createFakeClock();
  timers = {
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (handle) => (handle as Disposable).dispose(),
  };
});

afterEach(() => controller?.dispose());

describe('posture controller', () => {
  it('assesses on start and applies the answer', async () => {
    const fake = fakeBridge();
    controller = startPostureController(fake.bridge, timers);
    expect(fake.pending).toHaveLength(1);
    expect(usePostureStore.getState().requested).toBe(1);
    fake.pending[0]?.resolve(ok(local.report));
    await flush();
    expect(usePostureStore.getState().report).toBe(local.report);
  });

  it('re-assesses once per burst of containers:changed / engine:state, after the debounce', async () => {
    const fake = fakeBridge();
    controller = startPostureController(fake.bridge, timers);
    fake.pending[0]?.resolve(ok(local.report));
    await flush();
    fake.push('containers:changed', { ids: [] });
    fake.push('containers:changed', { ids: [] });
    await clock.advance(POSTURE_REFETCH_DEBOUNCE_MS - 1);
    expect(fake.pending).toHaveLength(1);
    fake.push('engine:state', connected);
    await clock.advance(1);
    expect(fake.pending).toHaveLength(2);
    // The last good report stays while the refresh is in flight.
    expect(usePostureStore.getState().report).toBe(local.report);
    fake.pending[1]?.resolve(ok(remote.report));
    await flush();
    expect(usePostureStore.getState().report).toBe(remote.report);
  });

  it('ignores an out-of-date answer', async () => {
    const fake = fakeBridge();
    controller = startPostureController(fake.bridge, timers);
    controller.refresh();
    await clock.advance(POSTURE_REFETCH_DEBOUNCE_MS);
    expect(fake.pending).toHaveLength(2);
    fake.pending[1]?.resolve(ok(remote.report));
    await flush();
    fake.pending[0]?.resolve(ok(local.report));
    await flush();
    expect(usePostureStore.getState().report).toBe(remote.report);
  });

  it('re-assesses when the list changes in a way that matters, not when it is only re-fetched', async () => {
    const fake = fakeBridge();
    controller = startPostureController(fake.bridge, timers);
    const a = container({ name: 'a' });
    useContainersStore.setState({ list: liveList([a]) });
    await clock.advance(POSTURE_REFETCH_DEBOUNCE_MS);
    expect(fake.pending).toHaveLength(2);
    useContainersStore.setState({ list: liveList([{ ...a, status: 'Up 2 seconds' }]) });
    await clock.advance(POSTURE_REFETCH_DEBOUNCE_MS);
    expect(fake.pending).toHaveLength(2);
    useContainersStore.setState({ list: liveList([{ ...a, state: 'exited', pid: 0 }]) });
    await clock.advance(POSTURE_REFETCH_DEBOUNCE_MS);
    expect(fake.pending).toHaveLength(3);
  });

  it('waits for the WebSocket to open, and assesses again when it reopens', () => {
    useTransportStore.setState({ view: { kind: 'websocket', state: 'connecting', everOpen: false } });
    const fake = fakeBridge();
    controller = startPostureController(fake.bridge, timers);
    expect(fake.pending).toHaveLength(0);
    useTransportStore.setState({ view: { kind: 'websocket', state: 'open', everOpen: true } });
    expect(fake.pending).toHaveLength(1);
    useTransportStore.setState({ view: { kind: 'websocket', state: 'closed', everOpen: true } });
    useTransportStore.setState({ view: { kind: 'websocket', state: 'open', everOpen: true } });
    expect(fake.pending).toHaveLength(2);
  });

  it('stops listening and drops answers after dispose', async () => {
    const fake = fakeBridge();
    controller = startPostureController(fake.bridge, timers);
    controller.dispose();
    expect(fake.listenerCount()).toBe(0);
    fake.pending[0]?.resolve(ok(local.report));
    await flush();
    expect(usePostureStore.getState().report).toBeNull();
    fake.push('containers:changed', { ids: [] });
    await clock.advance(POSTURE_REFETCH_DEBOUNCE_MS);
    expect(fake.pending).toHaveLength(1);
  });

  it('signs a list by source and by each container id, state and pid', () => {
    const a = container({ name: 'a' });
    expect(listSignature(null)).toBe('');
    expect(listSignature(liveList([a]))).toBe(listSignature(liveList([{ ...a, status: 'other' }])));
    expect(listSignature(liveList([a]))).not.toBe(listSignature(liveList([{ ...a, pid: 43 }])));
    expect(listSignature(liveList([]))).not.toBe(listSignature(liveList([a])));
  });
});
