import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import type { AnomalySettingsRequest, AnomalySourceRequest } from '../../shared/ipc/contract.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import {
  applyAnomalySnapshot,
  applyAnomalyStatePush,
  applyAnomalySubscribeResult,
  applyImportResult,
  beginAnomalySubscribe,
  beginImport,
  clearAnomalySubscription,
} from './state/anomaly.js';
import { isTransportUp } from './state/transport.js';
import type { AnomalyActions } from './stores/anomaly-store.js';
import { setAnomalyActions, useAnomalyStore } from './stores/anomaly-store.js';
import { useTransportStore } from './stores/transport-store.js';

/** What the anomaly UI can ask of the engine. */
export interface AnomalyController extends AnomalyActions {
  /** Unsubscribe and stop listening. */
  dispose(): void;
}

/**
 * Wire the `anomaly:*` channels to the anomaly store.
 *
 * Nothing starts by itself: the eBPF sequence source costs more per syscall than the counting one, so
 * detection runs when the user starts it. When the transport comes back up, the chosen source is
 * subscribed again (the engine disposed the old subscription with the closed connection; training starts
 * over). `anomaly:snapshot` and `anomaly:state` pushes go through the pure functions in ./state/anomaly.ts,
 * which ignore other subscriptions' pushes.
 */
export function startAnomalyController(bridge: BulkheadBridge): AnomalyController {
  let disposed = false;

  const unsubscribe = (subId: string | null): void => {
    if (subId !== null) void bridge.invoke(Channels.anomalyUnsubscribe, { subId });
  };

  const subscribe = async (
    request: AnomalySourceRequest,
    settings: AnomalySettingsRequest,
  ): Promise<void> => {
    unsubscribe(useAnomalyStore.getState().subscription?.subId ?? null);
    const { state, seq } = beginAnomalySubscribe(useAnomalyStore.getState(), request, settings);
    useAnomalyStore.setState(state);
    const result = await bridge.invoke(Channels.anomalySubscribe, { source: request, settings });
    if (disposed || useAnomalyStore.getState().subscription?.seq !== seq) {
      // Overtaken by a newer choice, or nobody is listening any more.
      if (result.ok) unsubscribe(result.value.subId);
      return;
    }
    useAnomalyStore.setState((s) => applyAnomalySubscribeResult(s, seq, result));
  };

  const importFalco = async (path: string): Promise<void> => {
    const subId = useAnomalyStore.getState().subscription?.subId ?? null;
    const { state, seq } = beginImport(useAnomalyStore.getState(), path);
    useAnomalyStore.setState(state);
    if (subId === null) {
      useAnomalyStore.setState((s) =>
        applyImportResult(s, seq, {
          ok: false,
          error: { code: 'bad-request', message: 'Start anomaly detection first: alerts join its timeline.' },
        }),
      );
      return;
    }
    const result = await bridge.invoke(Channels.anomalyImportFalco, { subId, path });
    if (!disposed) useAnomalyStore.setState((s) => applyImportResult(s, seq, result));
  };

  const offSnapshot = bridge.on(Pushes.anomalySnapshot, ({ subId, snapshot, outages }) =>
    useAnomalyStore.setState((s) => applyAnomalySnapshot(s, subId, snapshot, outages)),
  );
  const offState = bridge.on(Pushes.anomalyState, ({ subId, state }) =>
    useAnomalyStore.setState((s) => applyAnomalyStatePush(s, subId, state)),
  );

  let wasUp = isTransportUp(useTransportStore.getState().view);
  const offTransport = useTransportStore.subscribe(({ view }) => {
    const up = isTransportUp(view);
    const current = useAnomalyStore.getState().subscription;
    if (up && !wasUp && current !== null) void subscribe(current.request, current.settings);
    wasUp = up;
  });

  const controller: AnomalyController = {
    start(request, settings) {
      void subscribe(request, settings);
    },
    stop() {
      unsubscribe(useAnomalyStore.getState().subscription?.subId ?? null);
      useAnomalyStore.setState((s) => clearAnomalySubscription(s));
    },
    importFalco(path) {
      void importFalco(path);
    },
    dispose() {
      disposed = true;
      unsubscribe(useAnomalyStore.getState().subscription?.subId ?? null);
      offSnapshot();
      offState();
      offTransport();
      setAnomalyActions(null);
    },
  };
  setAnomalyActions(controller);
  return controller;
}
