import type { ContainerSummary } from '../../shared/domain/container.js';
import type { EndpointDescription, EngineInfo } from '../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../shared/domain/ids.js';
import type { ContainerDetails } from '../../shared/ipc/contract.js';

/**
 * Ports: what services need from the outside world, implemented by adapters in electron/adapters/.
 *
 * Services import these interfaces only; a composition root per entry point (desktop, web, CLI) wires
 * concrete adapters in. Errors are thrown as BulkheadError with a code (`docker-unreachable`,
 * `docker-permission-denied`, `not-found`, …).
 */

/** Something that holds a resource until disposed. Disposing twice is harmless. */
export interface Disposable {
  dispose(): void;
}

/** One event from the engine's event stream, reduced to what invalidation needs. */
export interface EngineEvent {
  /** `container`, `image`, `network`, `volume`, `daemon`, … */
  readonly type: string;
  /** `create`, `start`, `die`, `destroy`, `rename`, … */
  readonly action: string;
  /** The actor id (a full container id for container events). */
  readonly id: string;
  readonly time: EpochMillis;
}

/** A container list with the entries that could not be inspected. */
export interface ContainerListing {
  readonly containers: readonly ContainerSummary[];
  readonly problems: readonly { readonly id: ContainerId; readonly name: string; readonly message: string }[];
}

/** The Docker engine, as the services see it. */
export interface EnginePort {
  readonly endpoint: EndpointDescription;
  /** Resolves when the engine answers `/_ping` within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  describe(): Promise<EngineInfo>;
  /** All containers, running and stopped, each inspected (concurrently). */
  listContainers(): Promise<ContainerListing>;
  /** Throws BulkheadError `not-found` when the container is gone. */
  inspectContainer(id: ContainerId): Promise<ContainerDetails>;
  /**
   * Follow the engine's event stream from now on.
   *
   * `onEnd` is called exactly once: with null when disposed, with an error when the stream breaks (engine
   * stopped, socket closed).
   */
  watchEvents(onEvent: (event: EngineEvent) => void, onEnd: (error: Error | null) => void): Disposable;
}

/** A recorded demo scenario, as stored in assets/demo/. */
export interface DemoScenario {
  readonly format: 'bulkhead-demo/1';
  readonly recordedAt: EpochMillis;
  /** How it was recorded, e.g. `bulkhead demo record` and the options of each container. */
  readonly recordedWith: string;
  readonly engine: EngineInfo;
  readonly containers: readonly ContainerDetails[];
}

/** Loads the embedded demo scenario; null when there is none. Throws on a corrupt file. */
export interface DemoScenarioPort {
  load(): Promise<DemoScenario | null>;
}

/** Time, injectable so state machines are testable with fake timers. */
export interface Clock {
  now(): EpochMillis;
  setTimeout(fn: () => void, ms: number): Disposable;
  setInterval(fn: () => void, ms: number): Disposable;
}
