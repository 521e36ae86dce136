import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import { createDebouncer } from './state/debounce.js';
import type { DebounceTimers } from './state/debounce.js';
import {
  applyDbResult,
  applyImagesResult,
  applyProgress,
  applyScanResult,
  beginImagesRequest,
  imageSignature,
} from './state/images.js';
import { isTransportUp } from './state/transport.js';
import { useContainersStore } from './stores/containers-store.js';
import { setRescanHandler, useImagesStore, useImagesUiStore } from './stores/images-store.js';
import { useTransportStore } from './stores/transport-store.js';

/** How long invalidations are coalesced before `images:status` is asked again. */
export const IMAGES_REFETCH_DEBOUNCE_MS = 300;

/** What the image UI can ask of the engine. */
export interface ImagesController {
  /** Ask for the image list again now (coalesced with pending requests). */
  refresh(): void;
  /** Scan an image again, ignoring the engine's cache (`images:scan` with `force`). */
  rescan(imageId: string): Promise<void>;
  /** Stop listening; answers still in flight are dropped. */
  dispose(): void;
}

/**
 * Wire `images:status`, `db:status`, `images:scan` and the `images:progress` push to the images store.
 *
 * Fetches when the transport comes (back) up, and again — debounced over
 * {@link IMAGES_REFETCH_DEBOUNCE_MS} — on `containers:changed` and `engine:state`, and when the container
 * list's (container, image) pairs change. Progress pushes move one image's scan state as they arrive; a
 * rescan's answer becomes the image's report.
 */
export function startImagesController(
  bridge: BulkheadBridge,
  timers: DebounceTimers = {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  },
): ImagesController {
  let disposed = false;

  const fetchStatus = async (): Promise<void> => {
    const { state, seq } = beginImagesRequest(useImagesStore.getState());
    useImagesStore.setState(state);
    const [status, db] = await Promise.all([
      bridge.invoke(Channels.imagesStatus, {}),
      bridge.invoke(Channels.dbStatus, {}),
    ]);
    if (disposed) return;
    useImagesStore.setState((s) => applyDbResult(applyImagesResult(s, seq, status), db));
  };

  const refetch = createDebouncer(() => void fetchStatus(), IMAGES_REFETCH_DEBOUNCE_MS, timers);

  const offState = bridge.on(Pushes.engineState, () => refetch.trigger());
  const offChanged = bridge.on(Pushes.containersChanged, () => refetch.trigger());
  const offProgress = bridge.on(Pushes.imagesProgress, (push) => {
    useImagesStore.setState((s) => applyProgress(s, push));
  });

  let signature = imageSignature(useContainersStore.getState().list?.containers ?? null);
  const offList = useContainersStore.subscribe(({ list }) => {
    const next = imageSignature(list?.containers ?? null);
    if (next === signature) return;
    signature = next;
    if (list !== null) refetch.trigger();
  });

  let wasUp = isTransportUp(useTransportStore.getState().view);
  if (wasUp) void fetchStatus();
  const offTransport = useTransportStore.subscribe(({ view }) => {
    const up = isTransportUp(view);
    if (up && !wasUp) void fetchStatus();
    wasUp = up;
  });

  const controller: ImagesController = {
    refresh: () => refetch.trigger(),
    async rescan(imageId) {
      useImagesUiStore.setState((s) => ({ rescanning: [...new Set([...s.rescanning, imageId])] }));
      useImagesStore.setState((s) => applyProgress(s, { imageId, state: { phase: 'queued' } }));
      const result = await bridge.invoke(Channels.imagesScan, { image: imageId, force: true });
      if (disposed) return;
      useImagesUiStore.setState((s) => ({ rescanning: s.rescanning.filter((id) => id !== imageId) }));
      useImagesStore.setState((s) => applyScanResult(s, imageId, result));
      const db = await bridge.invoke(Channels.dbStatus, {});
      if (!disposed) useImagesStore.setState((s) => applyDbResult(s, db));
    },
    dispose() {
      disposed = true;
      refetch.dispose();
      offState();
      offChanged();
      offProgress();
      offList();
      offTransport();
      setRescanHandler(null);
    },
  };
  setRescanHandler((imageId) => void controller.rescan(imageId));
  return controller;
}
