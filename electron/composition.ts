import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import Docker from 'dockerode';

import type { EndpointDescription } from '../shared/domain/engine.js';
import type { AppMode } from '../shared/ipc/contract.js';
import { BulkheadError } from '../shared/ipc/result.js';
import {
  appVersion,
  demoScenarioPath,
  findAppRoot,
  labSessionPath,
  rendererDir,
} from './adapters/app-paths.js';
import { createDemoFile } from './adapters/demo/demo-file.js';
import { createDockerEngine } from './adapters/docker/docker-engine.js';
import { openLabEngine } from './adapters/docker/lab.js';
import { createLabPort } from './adapters/docker/lab-port.js';
import { resolveEndpoint } from './adapters/docker/endpoint.js';
import { createUnavailableEngine } from './adapters/docker/unavailable-engine.js';
import { createProcHostEvidence } from './adapters/host/host-evidence.js';
import { OsvStore, defaultDataDir } from './adapters/advisories/osv-store.js';
import { createEngineImages } from './adapters/images/engine-images.js';
import type { AdvisoryPort, ImageReadPort } from './services/image-ports.js';
import { unwiredImages } from './services/image-service.js';
import { createDefaultProfileFile } from './adapters/seccomp/default-profile.js';
import type { AnomalySourceListener as AdapterListener } from './adapters/anomaly/anomaly-source.js';
import { startBpftraceSequence } from './adapters/anomaly/bpftrace-sequence.js';
import { importFalcoFile } from './adapters/anomaly/falco-input.js';
import { startSysdigSequence } from './adapters/anomaly/sysdig-sequence.js';
import { createBpftracePort, hostArch } from './adapters/syscalls/bpftrace-source.js';
import { createCaptureReplayPort } from './adapters/syscalls/capture-replay.js';
import { createRecordingReplayPort } from './adapters/syscalls/recording-replay.js';
import { createSysdigLivePort } from './adapters/syscalls/sysdig-live.js';
import { createToolProbe } from './adapters/syscalls/tool-probe.js';
import { systemClock } from './adapters/system-clock.js';
import type { AnomalyPorts, AnomalySourceListener, FalcoImportPort } from './services/anomaly-ports.js';
import type { AppCore } from './services/app-core.js';
import { createAppCore } from './services/app-core-impl.js';
import type { EnginePort, HostEvidencePort } from './services/ports.js';
import { configurationOnlyHost } from './services/posture-service.js';
import type { FoldOptions } from './services/syscall-ports.js';
import type { LabSessionFile, SyscallPorts } from './services/syscall-service.js';
import type { ReportFilePort, ReportRendererPort, RevealPort } from './services/report-ports.js';
import { createReportFiles } from './adapters/files/report-files.js';
import { createChromiumReportRenderer } from './adapters/report/chromium-renderer.js';

/** Options of the local composition root. */
export interface LocalCoreOptions {
  readonly mode: AppMode;
  /** The environment endpoint resolution reads (DOCKER_HOST, DOCKER_CONTEXT, …); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The demo scenario file; default `<root>/assets/demo/scenario.json`. */
  readonly demoPath?: string;
  /** Default true. */
  readonly showDemoWhenDisconnected?: boolean;
  /** How syscall sources fold and summarise (the CLI asks for every syscall per subject); adapter defaults. */
  readonly syscallFold?: FoldOptions;
  /**
   * Reports: the HTML/PDF renderer and the file manager. Absent renderer: the headless Chromium one (browser
   * mode, CLI); the desktop shell passes its printToPDF renderer and showItemInFolder.
   */
  readonly report?: { readonly renderer?: ReportRendererPort; readonly reveal?: RevealPort };
  /** The recorded lab session; default `<root>/assets/demo/lab-session.jsonl`. */
  readonly labSessionPath?: string;
}

/** Exported reports are written atomically (temporary file + rename in the same directory). */
export const reportFiles: ReportFilePort = createReportFiles();

/**
 * The headless report renderer for browser mode and the CLI: Chromium (playwright-core) printing the built
 * report page, dist/renderer/report.html ($BULKHEAD_CHROMIUM names another binary than /usr/bin/chromium).
 */
export function createHeadlessReportRenderer(root: string): ReportRendererPort {
  return createChromiumReportRenderer({ reportPagePath: join(rendererDir(root), 'report.html') });
}

/** The recorded lab session at `path`: present when it is a regular file. */
export function labSessionFile(path: string): LabSessionFile {
  return {
    path,
    present: () =>
      stat(path).then(
        (s) => s.isFile(),
        () => false,
      ),
  };
}

/** The real syscall sources: bpftrace, sysdig live, sysdig capture replay, Bulkhead recording replay. */
export function createSyscallPorts(fold: FoldOptions = {}): SyscallPorts {
  return {
    bpf: createBpftracePort({ ...fold, clock: systemClock }),
    'sysdig-live': createSysdigLivePort({ ...fold, clock: systemClock }),
    'sysdig-capture': createCaptureReplayPort({ ...fold, clock: systemClock }),
    recording: createRecordingReplayPort({
      clock: systemClock,
      ...(fold.frameIntervalMs !== undefined ? { frameIntervalMs: fold.frameIntervalMs } : {}),
    }),
  };
}

function adapterListener(listener: AnomalySourceListener): AdapterListener {
  return { onState: (s) => listener.onState(s), onSnapshot: (snap) => listener.onSnapshot(snap) };
}

/**
 * The real anomaly sources — the eBPF sequence program (bpftrace) and a sysdig capture read to its end —
 * and the Falco JSON file reader.
 */
export function createAnomalyPorts(): { ports: AnomalyPorts; falco: FalcoImportPort } {
  return {
    ports: {
      bpf: {
        kind: 'bpf',
        start: (_spec, listener, { bosc, monitor }) =>
          startBpftraceSequence(adapterListener(listener), {
            clock: systemClock,
            bosc,
            ...(monitor !== undefined ? { monitor } : {}),
          }),
      },
      'sysdig-capture': {
        kind: 'sysdig-capture',
        start: (spec, listener, { bosc }) =>
          startSysdigSequence(spec.path, adapterListener(listener), { clock: systemClock, bosc }),
      },
    },
    falco: { importFile: (path, table) => importFalcoFile(path, table) },
  };
}

/**
 * The Docker engine the environment points at, resolved like the docker CLI does.
 *
 * A resolution that fails (unknown scheme, missing context) gives an engine whose every call fails with that
 * clear error, so the app still starts and says what is wrong.
 */
export function createLocalEngine(
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnginePort {
  try {
    const resolved = resolveEndpoint({
      env,
      homeDir: homedir(),
      readFile: (p) => readFileSync(p),
      platform: process.platform,
    });
    return createDockerEngine(resolved);
  } catch (e) {
    const error = e instanceof BulkheadError ? e : new BulkheadError('docker-error', String(e));
    const url =
      env.DOCKER_HOST ?? (env.DOCKER_CONTEXT !== undefined ? `context "${env.DOCKER_CONTEXT}"` : 'unknown');
    // Best effort: the endpoint could not be resolved, so its transport is a guess from the URL's prefix.
    const transport = (['ssh', 'tcp', 'npipe'] as const).find((t) => url.startsWith(`${t}://`)) ?? 'unix';
    const endpoint: EndpointDescription = {
      url,
      transport,
      tls: false,
      source: env.DOCKER_HOST !== undefined ? 'DOCKER_HOST' : 'unresolved',
      local: false,
    };
    return createUnavailableEngine(endpoint, error);
  }
}

/**
 * Where posture evidence comes from for this engine: /proc and /sys of this machine when the engine is
 * reached over a unix socket here, nothing (configuration only) for a remote engine.
 */
export function createHostEvidence(engine: EnginePort): HostEvidencePort {
  const ep = engine.endpoint;
  if (ep.local && ep.transport === 'unix' && ep.url.startsWith('unix://'))
    return createProcHostEvidence({ socketPath: ep.url.slice('unix://'.length) });
  return configurationOnlyHost(
    ep.local
      ? `the engine at ${ep.url} is not reached over a unix socket on this machine`
      : `the engine at ${ep.url} is remote; this machine's /proc says nothing about it`,
  );
}

/**
 * Bulkhead's data directory: `$BULKHEAD_DATA_DIR` (tests), else `$XDG_DATA_HOME/bulkhead`, else
 * `~/.local/share/bulkhead`.
 */
export function dataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env.BULKHEAD_DATA_DIR;
  if (override !== undefined && override !== '') return override;
  return defaultDataDir(env);
}

/** The local advisory store (`<data dir>/advisories`). */
export function createAdvisoryStore(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OsvStore {
  return new OsvStore({ dir: join(dataDir(env), 'advisories') });
}

/**
 * The image reader over the engine the environment points at (same resolution as the engine port), with its
 * on-disk cache in `<data dir>/image-cache`; an unresolvable endpoint gives a reader that fails saying why.
 */
export function createImagePorts(env: Readonly<Record<string, string | undefined>> = process.env): {
  reader: ImageReadPort;
  advisories: AdvisoryPort;
} {
  const advisories = createAdvisoryStore(env);
  try {
    const resolved = resolveEndpoint({
      env,
      homeDir: homedir(),
      readFile: (p) => readFileSync(p),
      platform: process.platform,
    });
    const docker = new Docker(resolved.dockerodeOptions);
    return {
      reader: createEngineImages(docker, resolved.description, {
        cacheDir: join(dataDir(env), 'image-cache'),
      }),
      advisories,
    };
  } catch (e) {
    return { reader: unwiredImages(e instanceof Error ? e.message : String(e)), advisories };
  }
}

/**
 * The composition root shared by the three faces (desktop main, browser-mode main, CLI).
 *
 * Wires the real adapters (endpoint resolution, dockerode engine, host evidence from /proc, demo file, system
 * clock) into the app core.
 */
export function createLocalCore(options: LocalCoreOptions): AppCore {
  const root = findAppRoot();
  const env = options.env ?? process.env;
  const engine = createLocalEngine(env);
  return createAppCore({
    engine,
    host: createHostEvidence(engine),
    demo: createDemoFile(options.demoPath ?? demoScenarioPath(root)),
    clock: systemClock,
    mode: options.mode,
    version: appVersion(root),
    showDemoWhenDisconnected: options.showDemoWhenDisconnected,
    images: createImagePorts(env),
    syscalls: {
      ports: createSyscallPorts(options.syscallFold),
      probe: createToolProbe(),
      labSession: labSessionFile(options.labSessionPath ?? labSessionPath(root)),
    },
    anomaly: createAnomalyPorts(),
    seccomp: { arch: hostArch(), defaultProfile: createDefaultProfileFile(env) },
    lab: createLabPort(() => openLabEngine(env)),
    report: reportDeps(root, options.report),
  });
}

function reportDeps(
  root: string,
  given: LocalCoreOptions['report'],
): { renderer?: ReportRendererPort; files: ReportFilePort; reveal?: RevealPort } {
  const renderer = given?.renderer ?? createHeadlessReportRenderer(root);
  return {
    files: reportFiles,
    renderer,
    ...(given?.reveal !== undefined ? { reveal: given.reveal } : {}),
  };
}
