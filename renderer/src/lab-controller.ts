import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import type { LabRole } from '../../shared/domain/lab.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import type { LabOp } from '../../shared/ipc/contract.js';
import { createDebouncer } from './state/debounce.js';
import type { DebounceTimers } from './state/debounce.js';
import { applyLabProgress, applyLabStartResult, applyLabStatus, beginLabStart } from './state/lab.js';
import { isTransportUp } from './state/transport.js';
import { useLabStore } from './stores/lab-store.js';
import { useTransportStore } from './stores/transport-store.js';

/** How long invalidations are coalesced before `lab:status` is asked again. */
export const LAB_REFETCH_DEBOUNCE_MS = 300;

/** What the Lab panel can ask of the engine. */
export interface LabController {
  /** Start `lab up`, an attack on a role, or `lab down`; its lines arrive as pushes. */
  start(op: LabOp, target: LabRole | null): void;
  dispose(): void;
}

/**
 * Wire the `lab:*` channels to the lab store: `lab:status` when the Lab panel opens, and while it is open
 * again — debounced — on `containers:changed`, `engine:state` and a transport that comes back; and when an
 * operation ends. `lab:progress` pushes add each operation's lines as they come, open or not. A closed
 * panel costs the engine nothing.
 */
export function startLabController(
  bridge: BulkheadBridge,
  timers: DebounceTimers = {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  },
  now: () => number = Date.now,
): LabController {
  let disposed = false;

  const fetchStatus = async (): Promise<void> => {
    const result = await bridge.invoke(Channels.labStatus, {});
    if (!disposed) useLabStore.setState((s) => applyLabStatus(s, result));
  };
  const refetch = createDebouncer(() => void fetchStatus(), LAB_REFETCH_DEBOUNCE_MS, timers);

  const offProgress = bridge.on(Pushes.labProgress, (push) => {
    useLabStore.setState((s) => applyLabProgress(s, push, now()));
    if (push.done !== null) refetch.trigger();
  });
  const whileOpen = (): void => {
    if (useLabStore.getState().open) refetch.trigger();
  };
  const offChanged = bridge.on(Pushes.containersChanged, whileOpen);
  const offEngine = bridge.on(Pushes.engineState, whileOpen);
  const offOpen = useLabStore.subscribe((s, before) => {
    if (s.open && !before.open) void fetchStatus();
  });

  let wasUp = isTransportUp(useTransportStore.getState().view);
  if (wasUp && useLabStore.getState().open) void fetchStatus();
  const offTransport = useTransportStore.subscribe(({ view }) => {
    const up = isTransportUp(view);
    if (up && !wasUp && useLabStore.getState().open) void fetchStatus();
    wasUp = up;
  });

  return {
    start(op, target) {
      if (op === 'attack' && target === null) return;
      useLabStore.setState((s) => beginLabStart(s, op));
      const sent =
        op === 'attack' && target !== null
          ? bridge.invoke(Channels.labAttack, { target })
          : bridge.invoke(op === 'up' ? Channels.labUp : Channels.labDown, {});
      void sent.then((result) => {
        if (!disposed) useLabStore.setState((s) => applyLabStartResult(s, result));
      });
    },
    dispose() {
      disposed = true;
      refetch.dispose();
      offProgress();
      offChanged();
      offEngine();
      offOpen();
      offTransport();
    },
  };
}
