import type { AppDescription, AppMode } from '../../shared/ipc/contract.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import { createDispatcher } from '../../shared/ipc/dispatch.js';
import type { Handlers } from '../../shared/ipc/dispatch.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type { AppCore, PushEnvelope } from './app-core.js';
import { FIRST_VERDICT_WAIT_MS, createContainerService } from './container-service.js';
import { createEngineMonitor } from './engine-monitor.js';
import type { MonitorTimings } from './engine-monitor.js';
import type { Clock, DemoScenario, DemoScenarioPort, EnginePort, HostEvidencePort } from './ports.js';
import { configurationOnlyHost, createPostureService } from './posture-service.js';

/** What the core is built from: ports and facts, wired by a composition root. */
export interface AppCoreDeps {
  readonly engine: EnginePort;
  readonly demo: DemoScenarioPort;
  /** /proc and /sys of the engine's host for posture evidence; default: none (configuration only). */
  readonly host?: HostEvidencePort;
  readonly clock: Clock;
  readonly mode: AppMode;
  readonly version: string;
  /** Default true. */
  readonly showDemoWhenDisconnected?: boolean;
  readonly timings?: Partial<MonitorTimings>;
  /** Where handler failures that are not BulkheadErrors are reported; default console.error. */
  readonly onError?: (channel: string, e: unknown) => void;
}

/** A fan-out of pushes in which a throwing listener cannot stop the others. */
export interface PushHub {
  subscribe(listener: (push: PushEnvelope) => void): () => void;
  publish(push: PushEnvelope): void;
  clear(): void;
}

/** Create a PushHub. */
export function createPushHub(): PushHub {
  const listeners = new Set<(push: PushEnvelope) => void>();
  return {
    subscribe(listener) {
      // A wrapper per subscription, so subscribing the same function twice gives two independent entries.
      const entry = (push: PushEnvelope): void => listener(push);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    publish(push) {
      for (const listener of [...listeners]) {
        try {
          listener(push);
        } catch (e) {
          console.error(`push ${push.channel}: a listener threw; the others still got it`, e);
        }
      }
    },
    clear: () => listeners.clear(),
  };
}

/**
 * The engine behind every face: the connection monitor, the container service and one dispatcher.
 *
 * `start()` begins watching the engine; a request that arrives first starts it too (a CLI asks once and
 * disposes). After `dispose()` nothing runs any more and requests that need the engine fail.
 */
export function createAppCore(deps: AppCoreDeps): AppCore {
  const hub = createPushHub();
  const monitor = createEngineMonitor({
    engine: deps.engine,
    clock: deps.clock,
    publish: (push) => hub.publish(push),
    timings: deps.timings,
  });
  // One load of the demo file, shared by the services that fall back to it.
  let demoLoad: Promise<DemoScenario | null> | undefined;
  const demo: DemoScenarioPort = { load: () => (demoLoad ??= deps.demo.load()) };
  const containers = createContainerService({
    engine: deps.engine,
    monitor,
    demo,
    showDemoWhenDisconnected: deps.showDemoWhenDisconnected,
  });
  const posture = createPostureService({
    engine: deps.engine,
    host: deps.host ?? configurationOnlyHost('host evidence is not wired in this core'),
    monitor,
    demo,
    clock: deps.clock,
    showDemoWhenDisconnected: () => containers.showDemoWhenDisconnected(),
  });
  let disposed = false;

  const start = (): void => {
    if (!disposed) monitor.start();
  };

  const describeApp = async (): Promise<AppDescription> => ({
    version: deps.version,
    mode: deps.mode,
    demoAvailable: await containers.demoAvailable(),
    showDemoWhenDisconnected: containers.showDemoWhenDisconnected(),
  });

  const handlers: Handlers = {
    [Channels.engineDescribe]: () => {
      start();
      return monitor.settled(FIRST_VERDICT_WAIT_MS);
    },
    [Channels.containersList]: () => {
      start();
      return containers.list();
    },
    [Channels.containersInspect]: ({ id }) => {
      start();
      return containers.inspect(id);
    },
    [Channels.demoConfigure]: ({ showDemoWhenDisconnected }) => {
      if (containers.setShowDemoWhenDisconnected(showDemoWhenDisconnected)) {
        hub.publish({ channel: Pushes.containersChanged, payload: { ids: 'all' } });
      }
      return describeApp();
    },
    [Channels.appDescribe]: describeApp,
    [Channels.postureAssess]: ({ ids }) => {
      start();
      return posture.assess(ids);
    },
  };

  const onError =
    deps.onError ??
    ((channel: string, e: unknown) => {
      // Expected failures (engine down, unknown id) are BulkheadErrors and cross as data; log only the rest.
      if (!(e instanceof BulkheadError)) console.error(`${channel} failed:`, e);
    });

  return {
    dispatch: createDispatcher(handlers, onError),
    pushes: { subscribe: (listener) => hub.subscribe(listener) },
    start,
    dispose() {
      if (!disposed) {
        disposed = true;
        monitor.dispose();
        hub.clear();
      }
      return Promise.resolve();
    },
  };
}
