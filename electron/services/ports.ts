import type { ContainerSummary } from '../../shared/domain/container.js';
import type { EndpointDescription, EngineInfo } from '../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../shared/domain/ids.js';
import type { DecidedEngineFacts } from '../../shared/domain/posture/engine-facts.js';
import type { Evidence, KernelEvidence, KernelFile, ProcessList } from '../../shared/domain/posture/model.js';
import type { ContainerDetails } from '../../shared/ipc/contract.js';
import type { ErrorData } from '../../shared/ipc/result.js';

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

/**
 * One listed container with the engine's inspect document, untouched — or why it could not be inspected
 * (`not-found`: removed between list and inspect).
 */
export type InspectedContainer =
  | { readonly ok: true; readonly id: ContainerId; readonly name: string; readonly inspect: unknown }
  | { readonly ok: false; readonly id: ContainerId; readonly name: string; readonly error: ErrorData };

/** The engine's GET /info and GET /version documents, untouched (what `docker info` / `docker version` print). */
export interface EngineDocuments {
  readonly info: unknown;
  readonly version: unknown;
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
   * Every container (or those of `ids`), from ONE list call and ONE inspect per container (concurrent), with
   * the raw inspect documents. A per-container failure is an entry, not a throw; an id that is not listed is
   * a `not-found` entry. Throws only when the engine itself fails (unreachable, permission denied).
   */
  inspectContainers(ids?: readonly ContainerId[]): Promise<readonly InspectedContainer[]>;
  /** GET /info and GET /version, concurrently. */
  engineDocuments(): Promise<EngineDocuments>;
  /**
   * Follow the engine's event stream from now on.
   *
   * `onEnd` is called exactly once: with null when disposed, with an error when the stream breaks (engine
   * stopped, socket closed).
   */
  watchEvents(onEvent: (event: EngineEvent) => void, onEnd: (error: Error | null) => void): Disposable;
}

/**
 * Facts about the engine the API does not expose, decided by reading the host (dockerd's command line,
 * daemon.json, its sockets), each with the evidence it rests on. Undecided facts are null (or absent).
 */
export interface DecidedEngineFactsReport {
  readonly facts: DecidedEngineFacts;
  /** Per fact: what was read (source `host`), also for a fact left undecided. */
  readonly evidence: Readonly<Partial<Record<keyof DecidedEngineFacts, readonly Evidence[]>>>;
  /** Why facts are undecided (dockerd not found, daemon.json unreadable, …). */
  readonly notes: readonly string[];
}

/** The host-wide facts the container rules need on a local engine. */
export interface LocalHostFacts {
  /** /sys/kernel/security/lsm. */
  readonly lsms: KernelFile<readonly string[]>;
  /** The reader's own PID namespace, or null when unreadable. */
  readonly pidNamespace: string | null;
}

/**
 * What the kernel of the engine's host says: /proc and /sys for a local engine.
 *
 * `local: false` is the implementation for a remote engine: it reads nothing, and the posture service then
 * marks every verdict "configuration only". No method throws; unreadable files are typed errors.
 */
export interface HostEvidencePort {
  readonly local: boolean;
  hostFacts(): Promise<LocalHostFacts>;
  /**
   * /proc/<pid>/status, uid_map, attr/current and ns/pid for one container's init — once /proc/<pid>/cgroup
   * shows the process belongs to `containerId`. A PID that does not (reused after a restart, or an engine
   * whose socket is here but whose containers run in a VM) gives `process-gone` for every file.
   */
  kernelEvidence(pid: number, containerId: ContainerId): Promise<KernelEvidence>;
  /**
   * The processes of several containers at once (keyed by init PID), from ONE scan of /proc: by PID
   * namespace, or by cgroup for an init in `hostPidNamespace` (a `--pid host` container).
   */
  containerProcesses(
    initPids: readonly number[],
    hostPidNamespace: string | null,
  ): Promise<ReadonlyMap<number, KernelFile<ProcessList>>>;
  /** The engine facts the API does not give, from the daemon's command line and daemon.json. */
  decideEngineFacts(): Promise<DecidedEngineFactsReport>;
}

/** What a demo recording holds for one running container's posture: what /proc said when it was recorded. */
export interface DemoKernelRecording {
  readonly id: ContainerId;
  readonly kernel: KernelEvidence;
  readonly processes: ProcessList | null;
}

/** The engine and host evidence recorded with a demo scenario, so the demo shows kernel-backed posture. */
export interface DemoPostureRecording {
  readonly engine: EngineDocuments;
  readonly decided: DecidedEngineFactsReport;
  /** Null when the recording engine was remote (then the demo posture is configuration only). */
  readonly host: LocalHostFacts | null;
  readonly containers: readonly DemoKernelRecording[];
}

/**
 * The lab session recorded into a demo scenario (`bulkhead lab record`): its containers (labelled
 * `bulkhead.lab=1`) are among the scenario's containers, with their kernel evidence, and their syscalls
 * are in the recording it names (assets/demo/lab-session.jsonl).
 */
export interface DemoLabRecording {
  readonly recordedAt: EpochMillis;
  /** How it was recorded: the command, the source, the steps, and each lab container's options. */
  readonly recordedWith: string;
  /** The recording's file name, beside the scenario. */
  readonly recording: string;
}

/** A recorded demo scenario, as stored in assets/demo/. */
export interface DemoScenario {
  readonly format: 'bulkhead-demo/1';
  readonly recordedAt: EpochMillis;
  /** How it was recorded, e.g. `bulkhead demo record` and the options of each container. */
  readonly recordedWith: string;
  readonly engine: EngineInfo;
  readonly containers: readonly ContainerDetails[];
  /** Absent in scenarios recorded before posture existed: their posture is then configuration only. */
  readonly posture?: DemoPostureRecording;
  /** Present once a lab session was recorded into it; absent in older scenarios. */
  readonly lab?: DemoLabRecording;
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
