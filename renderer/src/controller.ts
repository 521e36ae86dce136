import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import { applyListResult, beginListRequest } from './state/containers.js';
import { createDebouncer } from './state/debounce.js';
import { applyAppResult, applyConnectionPush, applyDescribeResult } from './state/engine.js';
import { isTransportUp } from './state/transport.js';
import { useContainersStore } from './stores/containers-store.js';
import { useEngineStore } from './stores/engine-store.js';
import { useTransportStore } from './stores/transport-store.js';

/** How long invalidations are coalesced before `containers:list` is asked again. */
export const REFETCH_DEBOUNCE_MS = 150;

/** What the UI can ask of the engine. */
export interface Controller {
  /** Show or hide the demo scenario while no engine is reachable (`demo:configure`). */
  setDemoVisible(show: boolean): void;
  /** Stop listening; pending work is dropped. */
  dispose(): void;
}

/**
 * Wire the bridge to the stores.
 *
 * Fetches engine state, app facts and the container list whenever the transport comes (back) up; applies
 * `engine:state` pushes as they come; treats `containers:changed` and `engine:state` as invalidations and
 * re-fetches the list, coalesced over {@link REFETCH_DEBOUNCE_MS}. All state transitions are the pure
 * functions in ./state.
 */
export function startController(bridge: BulkheadBridge): Controller {
  let disposed = false;

  const fetchList = async (): Promise<void> => {
    const { state, seq } = beginListRequest(useContainersStore.getState());
    useContainersStore.setState(state);
    const result = await bridge.invoke(Channels.containersList, {});
    if (!disposed) useContainersStore.setState((s) => applyListResult(s, seq, result));
  };

  const fetchEngine = async (): Promise<void> => {
    const sentAt = useEngineStore.getState().version;
    const result = await bridge.invoke(Channels.engineDescribe, {});
    if (!disposed) useEngineStore.setState((s) => applyDescribeResult(s, sentAt, result));
  };

  const fetchApp = async (): Promise<void> => {
    const result = await bridge.invoke(Channels.appDescribe, {});
    if (!disposed) useEngineStore.setState((s) => applyAppResult(s, result));
  };

  const fetchAll = (): void => {
    void fetchEngine();
    void fetchApp();
    void fetchList();
  };

  const refetchList = createDebouncer(() => void fetchList(), REFETCH_DEBOUNCE_MS, {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  });

  const offState = bridge.on(Pushes.engineState, (connection) => {
    useEngineStore.setState((s) => applyConnectionPush(s, connection));
    refetchList.trigger();
  });
  const offChanged = bridge.on(Pushes.containersChanged, () => refetchList.trigger());

  // Fetch now if the transport is up (IPC), and again each time the WebSocket (re)opens: pushes sent while
  // it was down are lost, so the view starts over from fresh answers.
  let wasUp = isTransportUp(useTransportStore.getState().view);
  if (wasUp) fetchAll();
  const offTransport = useTransportStore.subscribe(({ view }) => {
    const up = isTransportUp(view);
    if (up && !wasUp) fetchAll();
    wasUp = up;
  });

  return {
    setDemoVisible(show) {
      useEngineStore.setState({ demoBusy: true, demoError: null });
      void bridge.invoke(Channels.demoConfigure, { showDemoWhenDisconnected: show }).then((result) => {
        if (disposed) return;
        useEngineStore.setState((s) => applyAppResult(s, result));
        refetchList.trigger();
      });
    },
    dispose() {
      disposed = true;
      refetchList.dispose();
      offState();
      offChanged();
      offTransport();
    },
  };
}
