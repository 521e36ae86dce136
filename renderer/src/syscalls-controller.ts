import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import type { SyscallSourceRequest } from '../../shared/ipc/contract.js';
import type { EpochSeconds, ReplaySpeed } from '../../shared/domain/syscalls/model.js';
import { startSeccompController } from './seccomp-controller.js';
import {
  applyFrame,
  applySourcesResult,
  applyStatePush,
  applySubscribeResult,
  beginSubscribe,
  clearSubscription,
  defaultSource,
  isReplay,
  setPaused,
} from './state/syscalls.js';
import { isTransportUp } from './state/transport.js';
import { useContainersStore } from './stores/containers-store.js';
import { useSyscallsStore } from './stores/syscalls-store.js';
import { useTransportStore } from './stores/transport-store.js';

/** What the Syscalls UI can ask of the engine. */
export interface SyscallsController {
  /** Start this source (the current one is unsubscribed); null stops. */
  select(request: SyscallSourceRequest | null): void;
  /** Pause or resume: live sources freeze the display, replays stop playback (`syscalls:control`). */
  setPaused(paused: boolean): void;
  /** Replay speed (replays only). */
  setSpeed(speed: ReplaySpeed): void;
  /** Move the replay to the window ending at `second`. */
  seek(second: EpochSeconds): void;
  /** Ask `syscalls:sources` again. */
  refreshSources(): void;
  /** Unsubscribe and stop listening. */
  dispose(): void;
}

/**
 * Wire the syscall channels to the syscall store.
 *
 * When the transport comes (back) up: fetch `syscalls:sources`; then re-subscribe the chosen source (the
 * engine disposed the old subscription with the closed connection), or — the first time — start the
 * default source: with demo data on the cards, the recorded lab session; else the first live source (eBPF,
 * else sysdig live), or nothing with the reasons shown. A live default picked before the first container
 * list arrived is reconsidered once, when it does. `syscalls:frame` and
 * `syscalls:state` pushes go through the pure functions in ./state/syscalls.ts, which ignore other
 * subscriptions' pushes. The seccomp profiles of a subscription's subjects (`seccomp:generate`) come with it.
 */
export function startSyscallsController(bridge: BulkheadBridge): SyscallsController {
  let disposed = false;
  /** The source was chosen by the user, or the default is settled (the container list was known). */
  let chosen = false;
  /** A default was started before the first container list came; it is reconsidered once it does. */
  let provisional = false;
  const seccomp = startSeccompController(bridge);

  const unsubscribe = (subId: string | null): void => {
    if (subId !== null) void bridge.invoke(Channels.syscallsUnsubscribe, { subId });
  };

  const subscribe = async (request: SyscallSourceRequest): Promise<void> => {
    unsubscribe(useSyscallsStore.getState().subscription?.subId ?? null);
    const { state, seq } = beginSubscribe(useSyscallsStore.getState(), request);
    useSyscallsStore.setState(state);
    const result = await bridge.invoke(Channels.syscallsSubscribe, { source: request });
    if (disposed) {
      if (result.ok) unsubscribe(result.value.subId);
      return;
    }
    // An answer overtaken by a newer choice is a subscription nobody wants.
    if (useSyscallsStore.getState().subscription?.seq !== seq) {
      if (result.ok) unsubscribe(result.value.subId);
      return;
    }
    useSyscallsStore.setState((s) => applySubscribeResult(s, seq, result));
  };

  /** Start the default source, once the sources (and, for the final word, the container list) are known. */
  const settleDefault = (): void => {
    if (chosen || disposed) return;
    const sources = useSyscallsStore.getState().sources;
    if (sources === null) return;
    const containers = useContainersStore.getState();
    const listKnown = containers.list !== null || containers.error !== null;
    const pick = defaultSource(sources, containers.list?.source.kind === 'demo');
    const current = useSyscallsStore.getState().subscription?.request ?? null;
    if (listKnown) {
      chosen = true;
      if (pick !== null && JSON.stringify(pick) !== JSON.stringify(current)) void subscribe(pick);
    } else if (pick !== null && !provisional) {
      provisional = true;
      void subscribe(pick);
    }
  };

  const fetchSources = async (resubscribe: boolean): Promise<void> => {
    const result = await bridge.invoke(Channels.syscallsSources, {});
    if (disposed) return;
    useSyscallsStore.setState((s) => applySourcesResult(s, result));
    const current = useSyscallsStore.getState().subscription;
    if (current !== null && resubscribe) {
      void subscribe(current.request);
    } else if (result.ok) {
      settleDefault();
    }
  };
  const offContainers = useContainersStore.subscribe((s, before) => {
    if (s.list !== before.list || s.error !== before.error) settleDefault();
  });

  const control = (change: { seek?: number; speed?: ReplaySpeed; playing?: boolean }): void => {
    const sub = useSyscallsStore.getState().subscription;
    if (sub?.subId == null || !isReplay(sub.request)) return;
    void bridge.invoke(Channels.syscallsControl, { subId: sub.subId, ...change });
  };

  const offFrame = bridge.on(Pushes.syscallsFrame, ({ subId, frame }) =>
    useSyscallsStore.setState((s) => applyFrame(s, subId, frame)),
  );
  const offState = bridge.on(Pushes.syscallsState, ({ subId, state }) =>
    useSyscallsStore.setState((s) => applyStatePush(s, subId, state)),
  );

  let wasUp = isTransportUp(useTransportStore.getState().view);
  if (wasUp) void fetchSources(false);
  const offTransport = useTransportStore.subscribe(({ view }) => {
    const up = isTransportUp(view);
    if (up && !wasUp) void fetchSources(true);
    wasUp = up;
  });

  return {
    select(request) {
      chosen = true;
      if (request === null) {
        unsubscribe(useSyscallsStore.getState().subscription?.subId ?? null);
        useSyscallsStore.setState((s) => clearSubscription(s));
        return;
      }
      void subscribe(request);
    },
    setPaused(paused) {
      const sub = useSyscallsStore.getState().subscription;
      useSyscallsStore.setState((s) => setPaused(s, paused));
      if (isReplay(sub?.request)) control({ playing: !paused });
    },
    setSpeed(speed) {
      control({ speed });
    },
    seek(second) {
      control({ seek: second });
    },
    refreshSources() {
      void fetchSources(false);
    },
    dispose() {
      disposed = true;
      unsubscribe(useSyscallsStore.getState().subscription?.subId ?? null);
      offFrame();
      offState();
      offTransport();
      offContainers();
      seccomp.dispose();
    },
  };
}
