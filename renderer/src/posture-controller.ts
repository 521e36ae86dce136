import type { ContainerList } from '../../shared/domain/container.js';
import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import { createDebouncer } from './state/debounce.js';
import type { DebounceTimers } from './state/debounce.js';
import { applyPostureResult, beginPostureRequest } from './state/posture.js';
import { isTransportUp } from './state/transport.js';
import { useContainersStore } from './stores/containers-store.js';
import { usePostureStore } from './stores/posture-store.js';
import { useTransportStore } from './stores/transport-store.js';

/** How long invalidations are coalesced before `posture:assess` is asked again. */
export const POSTURE_REFETCH_DEBOUNCE_MS = 300;

/** A stopper for the posture wiring. */
export interface PostureController {
  /** Ask for a fresh assessment now (coalesced with pending ones). */
  refresh(): void;
  /** Stop listening; answers still in flight are dropped. */
  dispose(): void;
}

/**
 * What, in a container list, changes a posture verdict: where the data comes from, which containers exist,
 * and which process each runs (a restart means new kernel evidence).
 */
export function listSignature(list: ContainerList | null): string {
  if (list === null) return '';
  const containers = list.containers.map((c) => `${c.id}:${c.state}:${c.pid}`).sort();
  return `${list.source.kind}|${containers.join(',')}`;
}

/**
 * Wire `posture:assess` to the posture store.
 *
 * Assesses when the transport comes (back) up, and again — debounced over
 * {@link POSTURE_REFETCH_DEBOUNCE_MS} — on `containers:changed` and `engine:state`, and when the container
 * list changes in a way that matters for posture (demo data shown or hidden, a container created, started,
 * restarted or removed). The last good report stays on screen while a refresh is in flight; an answer
 * overtaken by a newer request is ignored.
 */
export function startPostureController(
  bridge: BulkheadBridge,
  timers: DebounceTimers = {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  },
): PostureController {
  let disposed = false;

  const assess = async (): Promise<void> => {
    const { state, seq } = beginPostureRequest(usePostureStore.getState());
    usePostureStore.setState(state);
    const result = await bridge.invoke(Channels.postureAssess, {});
    if (!disposed) usePostureStore.setState((s) => applyPostureResult(s, seq, result));
  };

  const refetch = createDebouncer(() => void assess(), POSTURE_REFETCH_DEBOUNCE_MS, timers);

  const offState = bridge.on(Pushes.engineState, () => refetch.trigger());
  const offChanged = bridge.on(Pushes.containersChanged, () => refetch.trigger());

  let signature = listSignature(useContainersStore.getState().list);
  const offList = useContainersStore.subscribe(({ list }) => {
    const next = listSignature(list);
    if (next === signature) return;
    signature = next;
    if (list !== null) refetch.trigger();
  });

  let wasUp = isTransportUp(useTransportStore.getState().view);
  if (wasUp) void assess();
  const offTransport = useTransportStore.subscribe(({ view }) => {
    const up = isTransportUp(view);
    if (up && !wasUp) void assess();
    wasUp = up;
  });

  return {
    refresh: () => refetch.trigger(),
    dispose() {
      disposed = true;
      refetch.dispose();
      offState();
      offChanged();
      offList();
      offTransport();
    },
  };
}
