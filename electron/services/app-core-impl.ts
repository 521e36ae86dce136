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
import type { AdvisoryPort, ImageReadPort } from './image-ports.js';
import { createImageService, unwiredImages } from './image-service.js';
import type { SyscallToolProbePort } from './syscall-ports.js';
import type { LabSessionFile, SyscallPorts } from './syscall-service.js';
import { LOCAL_CLIENT, createSyscallService } from './syscall-service.js';
import type { DefaultProfilePort } from './seccomp-service.js';
import { createSeccompService } from './seccomp-service.js';
import { healthBoundary } from '../../shared/domain/seccomp/health.js';
import type { SyscallArch } from '../../shared/domain/syscalls/names.js';
import type { AnomalyPorts, FalcoImportPort } from './anomaly-ports.js';
import { createAnomalyService } from './anomaly-service.js';
import type { ReportFilePort, ReportRendererPort, RevealPort } from './report-ports.js';
import { createReportService } from './report-service.js';
import type { LabPort } from './lab-ports.js';
import { createLabService } from './lab-service.js';

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
  /** Image scanning: the engine-backed image reader and the advisory store; default none (scans fail, saying so). */
  readonly images?: { readonly reader: ImageReadPort; readonly advisories: AdvisoryPort };
  /** Syscall sources; default none (every kind reports itself unavailable). */
  readonly syscalls?: {
    readonly ports: SyscallPorts;
    readonly probe: SyscallToolProbePort;
    /** Why the bpf kind is unavailable when `ports.bpf` is absent. */
    readonly bpfUnwiredReason?: string;
    /** The recorded lab session (the `lab-session` source); absent: unavailable. */
    readonly labSession?: LabSessionFile;
  };
  /**
   * Anomaly detection: the sequence sources (eBPF sequence, sysdig capture) and the Falco file reader;
   * default none (`anomaly:subscribe` fails, saying anomaly detection is not part of this build).
   */
  readonly anomaly?: { readonly ports: AnomalyPorts; readonly falco?: FalcoImportPort };
  /** Seccomp generation: the machine's architecture and where Docker's default profile is read from. */
  readonly seccomp?: { readonly arch: SyscallArch | null; readonly defaultProfile: DefaultProfilePort };
  /**
   * Reports: the HTML/PDF renderer (absent: those formats fail with `report-renderer-unavailable`), the
   * file writer (absent: exports fail saying so) and the desktop's file manager (absent: not revealed).
   */
  readonly report?: {
    readonly renderer?: ReportRendererPort;
    readonly files?: ReportFilePort;
    readonly reveal?: RevealPort;
  };
  /** The demo lab (`lab:*`); default none (the lab says it is not part of this build). */
  readonly lab?: LabPort;
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
  const syscalls = createSyscallService({
    ports: deps.syscalls?.ports ?? {},
    probe: deps.syscalls?.probe ?? {
      probe: () =>
        Promise.resolve({
          isRoot: false,
          bpftraceOnPath: false,
          sysdigOnPath: false,
          sysdigDriverPresent: false,
        }),
    },
    ...(deps.syscalls?.bpfUnwiredReason !== undefined
      ? { bpfUnwiredReason: deps.syscalls.bpfUnwiredReason }
      : {}),
    ...(deps.syscalls?.labSession !== undefined ? { labSession: deps.syscalls.labSession } : {}),
    clock: deps.clock,
    publish: (push) => hub.publish(push),
  });
  const anomaly = createAnomalyService({
    ports: deps.anomaly?.ports ?? {},
    ...(deps.anomaly?.falco !== undefined ? { falco: deps.anomaly.falco } : {}),
    ...(deps.anomaly === undefined
      ? {
          unwiredReason:
            'Anomaly detection is not part of this build: no syscall sequence source is wired into this engine.',
        }
      : {}),
    clock: deps.clock,
    publish: (push) => hub.publish(push),
  });
  const seccomp = createSeccompService({
    totals: (client, subId) => syscalls.totals(client, subId),
    arch: deps.seccomp?.arch ?? null,
    defaultProfile: deps.seccomp?.defaultProfile ?? {
      read: () => Promise.resolve({ unavailable: 'No default seccomp profile is configured in this build.' }),
    },
    health: async (id) => {
      // One list and one inspect per container: a user's action, not a stream. Sources name containers by
      // a prefix of the id (sysdig: 12 digits).
      const all = await deps.engine.inspectContainers();
      const match = all.find((c) => c.id.startsWith(id) || id.startsWith(c.id));
      if (match === undefined) return { healthyAt: null, basis: 'the container is not on the engine' };
      if (!match.ok)
        return { healthyAt: null, basis: `the container could not be inspected (${match.error.message})` };
      return healthBoundary(match.inspect);
    },
  });
  const images = createImageService({
    images: deps.images?.reader ?? unwiredImages('image scanning is not wired in this core'),
    advisories: deps.images?.advisories ?? {
      meta: () => Promise.resolve(null),
      findings: () => Promise.resolve({ findings: [], missing: [] }),
    },
    engine: deps.engine,
    clock: deps.clock,
    publish: (payload) => hub.publish({ channel: Pushes.imagesProgress, payload }),
  });
  const report = createReportService({
    version: deps.version,
    clock: deps.clock,
    engineState: () => {
      start();
      return monitor.settled(FIRST_VERDICT_WAIT_MS);
    },
    demoEngine: async () => (await demo.load().catch(() => null))?.engine ?? null,
    containers: () => {
      start();
      return containers.list();
    },
    posture: (ids) => posture.assess(ids),
    scanImage: (imageId) => images.scan(imageId),
    dbStatus: () => images.dbStatus(),
    syscallWindow: (client, subId, lastSeconds) => syscalls.window(client, subId, lastSeconds),
    seccomp: (client, subId, subject) => seccomp.generate(client, { subId, subject }),
    anomaly: (client, subId) => anomaly.snapshot(client, subId),
    ...(deps.report?.renderer !== undefined ? { renderer: deps.report.renderer } : {}),
    files: deps.report?.files ?? {
      write: () =>
        Promise.reject(new BulkheadError('write-failed', 'Writing files is not wired into this engine.')),
    },
    ...(deps.report?.reveal !== undefined ? { reveal: deps.report.reveal } : {}),
    publish: (push) => hub.publish(push),
  });
  const lab = createLabService({
    lab: deps.lab ?? null,
    engineState: () => monitor.state(),
    clock: deps.clock,
    publish: (push) => hub.publish(push),
  });
  let disposed = false;

  function start(): void {
    if (!disposed) monitor.start();
  }

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
    [Channels.imagesScan]: ({ image, force }) => {
      start();
      return images.scan(image, force === true);
    },
    [Channels.imagesStatus]: () => {
      start();
      return images.status();
    },
    [Channels.dbStatus]: () => images.dbStatus(),
    [Channels.syscallsSources]: () => syscalls.sources(),
    [Channels.syscallsSubscribe]: (request, client) =>
      Promise.resolve(syscalls.subscribe(client ?? LOCAL_CLIENT, request)),
    [Channels.syscallsUnsubscribe]: (request, client) =>
      Promise.resolve(syscalls.unsubscribe(client ?? LOCAL_CLIENT, request)),
    [Channels.syscallsControl]: (request, client) =>
      Promise.resolve(syscalls.control(client ?? LOCAL_CLIENT, request)),
    [Channels.seccompGenerate]: (request, client) => seccomp.generate(client ?? LOCAL_CLIENT, request),
    [Channels.anomalySubscribe]: (request, client) =>
      Promise.resolve(anomaly.subscribe(client ?? LOCAL_CLIENT, request)),
    [Channels.anomalyUnsubscribe]: (request, client) =>
      Promise.resolve(anomaly.unsubscribe(client ?? LOCAL_CLIENT, request)),
    [Channels.anomalyImportFalco]: (request, client) => anomaly.importFalco(client ?? LOCAL_CLIENT, request),
    [Channels.reportBuild]: (request, client) => report.build(client ?? LOCAL_CLIENT, request),
    [Channels.reportExport]: (request, client) => report.export(client ?? LOCAL_CLIENT, request),
    [Channels.reportReveal]: ({ path }) => report.reveal(path),
    [Channels.labStatus]: async () => {
      start();
      await monitor.settled(FIRST_VERDICT_WAIT_MS);
      return lab.status();
    },
    [Channels.labUp]: async () => {
      start();
      await monitor.settled(FIRST_VERDICT_WAIT_MS);
      return lab.start('up', null);
    },
    [Channels.labAttack]: async ({ target }) => {
      start();
      await monitor.settled(FIRST_VERDICT_WAIT_MS);
      return lab.start('attack', target);
    },
    [Channels.labDown]: async () => {
      start();
      await monitor.settled(FIRST_VERDICT_WAIT_MS);
      return lab.start('down', null);
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
    clientClosed: (clientId) => {
      syscalls.clientClosed(clientId);
      anomaly.clientClosed(clientId);
    },
    async dispose() {
      if (!disposed) {
        disposed = true;
        syscalls.dispose();
        anomaly.dispose();
        lab.dispose();
        monitor.dispose();
        hub.clear();
        await report.dispose().catch((e: unknown) => console.error('report renderer: dispose failed', e));
      }
    },
  };
}
