import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { BulkheadBridge } from '../../../shared/ipc/bridge.js';
import type { PushChannel, PushOf, RequestChannel } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import type { Result } from '../../../shared/ipc/result.js';
import type { Disposable } from '../../../electron/services/ports.js';
import {
  IMAGES_REFETCH_DEBOUNCE_MS,
  startImagesController,
} from '../../../renderer/src/images-controller.js';
import type { ImagesController } from '../../../renderer/src/images-controller.js';
import type { DebounceTimers } from '../../../renderer/src/state/debounce.js';
import { initialContainersState } from '../../../renderer/src/state/containers.js';
import { initialImagesState } from '../../../renderer/src/state/images.js';
import { useContainersStore } from '../../../renderer/src/stores/containers-store.js';
import {
  requestRescan,
  useImagesStore,
  useImagesUiStore,
} from '../../../renderer/src/stores/images-store.js';
import { useTransportStore } from '../../../renderer/src/stores/transport-store.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { alpineSampleReport } from '../../support/image-report.js';
import { container, id, liveList } from './fixtures.js';

const NOW = 1_764_000_000_000;
const IMG = `sha256:${'1'.repeat(64)}`;

/** A bridge whose answers are released by the test, per channel, in any order. */
function fakeBridge() {
  const pending: { channel: RequestChannel; request: unknown; resolve: (r: Result<unknown>) => void }[] = [];
  const listeners = new Map<PushChannel, Set<(p: unknown) => void>>();
  const bridge: BulkheadBridge = {
    invoke(channel, request) {
      return new Promise((resolve) => pending.push({ channel, request, resolve })) as never;
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
  const waiting = (channel: RequestChannel) => pending.filter((p) => p.channel === channel);
  return {
    bridge,
    pending,
    waiting,
    push,
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

let clock: FakeClock;
let timers: DebounceTimers;
let controller: ImagesController | undefined;

beforeEach(() => {
  useImagesStore.setState(initialImagesState, true);
  useImagesUiStore.setState({ rescanning: [] });
  useContainersStore.setState(initialContainersState, true);
  useTransportStore.setState({ view: { kind: 'ipc' } }, true);
  clock = createFakeClock();
  timers = {
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (handle) => (handle as Disposable).dispose(),
  };
});

afterEach(() => controller?.dispose());

describe('images controller', () => {
  it('asks images:status and db:status on start and applies both', async () => {
    const fake = fakeBridge();
    controller = startImagesController(fake.bridge, timers);
    expect(fake.waiting('images:status')).toHaveLength(1);
    expect(fake.waiting('db:status')).toHaveLength(1);
    const report = alpineSampleReport({ now: NOW, dbAgeDays: 1 });
    fake
      .waiting('images:status')[0]
      ?.resolve(ok([{ imageId: IMG, refs: [], containers: [id('a'), id('b')], state: { phase: 'queued' } }]));
    fake.waiting('db:status')[0]?.resolve(ok(report.db));
    await flush();
    expect(useImagesStore.getState().entries).toHaveLength(1);
    expect(useImagesStore.getState().db).toEqual(report.db);
  });

  it('applies images:progress pushes as they come', async () => {
    const fake = fakeBridge();
    controller = startImagesController(fake.bridge, timers);
    fake
      .waiting('images:status')[0]
      ?.resolve(ok([{ imageId: IMG, refs: [], containers: [id('a')], state: { phase: 'queued' } }]));
    fake.waiting('db:status')[0]?.resolve(ok(null));
    await flush();
    fake.push('images:progress', { imageId: IMG, state: { phase: 'reading', bytes: 1, totalBytes: 2 } });
    expect(useImagesStore.getState().entries?.[0]?.state).toEqual({
      phase: 'reading',
      bytes: 1,
      totalBytes: 2,
    });
  });

  it('re-fetches once per burst of containers:changed, after the debounce', async () => {
    const fake = fakeBridge();
    controller = startImagesController(fake.bridge, timers);
    fake.push('containers:changed', { ids: [] });
    fake.push('containers:changed', { ids: 'all' });
    await clock.advance(IMAGES_REFETCH_DEBOUNCE_MS - 1);
    expect(fake.waiting('images:status')).toHaveLength(1);
    await clock.advance(1);
    expect(fake.waiting('images:status')).toHaveLength(2);
  });

  it('re-fetches when a container changes image, not when the list is only re-fetched', async () => {
    const fake = fakeBridge();
    controller = startImagesController(fake.bridge, timers);
    const a = container({ name: 'a' });
    useContainersStore.setState({ list: liveList([a]) });
    await clock.advance(IMAGES_REFETCH_DEBOUNCE_MS);
    expect(fake.waiting('images:status')).toHaveLength(2);
    useContainersStore.setState({ list: liveList([{ ...a, status: 'Up 3 seconds' }]) });
    await clock.advance(IMAGES_REFETCH_DEBOUNCE_MS);
    expect(fake.waiting('images:status')).toHaveLength(2);
    useContainersStore.setState({ list: liveList([{ ...a, imageId: IMG }]) });
    await clock.advance(IMAGES_REFETCH_DEBOUNCE_MS);
    expect(fake.waiting('images:status')).toHaveLength(3);
  });

  it('rescans with force through the registered handler and applies the report', async () => {
    const fake = fakeBridge();
    controller = startImagesController(fake.bridge, timers);
    const report = alpineSampleReport({ now: NOW, dbAgeDays: 1 });
    fake.waiting('images:status')[0]?.resolve(
      ok([
        {
          imageId: IMG,
          refs: [],
          containers: [id('a')],
          state: { phase: 'failed', error: { code: 'internal', message: 'x' } },
        },
      ]),
    );
    fake.waiting('db:status')[0]?.resolve(ok(null));
    await flush();
    requestRescan(IMG);
    const scan = fake.waiting('images:scan');
    expect(scan.map((s) => s.request)).toEqual([{ image: IMG, force: true }]);
    expect(useImagesStore.getState().entries?.[0]?.state).toEqual({ phase: 'queued' });
    expect(useImagesUiStore.getState().rescanning).toEqual([IMG]);
    scan[0]?.resolve(ok(report));
    await flush();
    expect(useImagesStore.getState().entries?.[0]?.state).toEqual({ phase: 'done', report });
    expect(useImagesUiStore.getState().rescanning).toEqual([]);
    // The database is asked again after a rescan (it may have been imported meanwhile).
    expect(fake.waiting('db:status')).toHaveLength(2);
  });

  it('a failed images:status shows as unavailable, and dispose stops everything', async () => {
    const fake = fakeBridge();
    controller = startImagesController(fake.bridge, timers);
    fake.waiting('images:status')[0]?.resolve(err('docker-unreachable', 'down'));
    fake.waiting('db:status')[0]?.resolve(ok(null));
    await flush();
    expect(useImagesStore.getState().error?.code).toBe('docker-unreachable');
    controller.dispose();
    expect(fake.listenerCount()).toBe(0);
    requestRescan(IMG);
    expect(fake.waiting('images:scan')).toHaveLength(0);
  });
});
