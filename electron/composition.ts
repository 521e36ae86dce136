import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

import type { EndpointDescription } from '../shared/domain/engine.js';
import type { AppMode } from '../shared/ipc/contract.js';
import { BulkheadError } from '../shared/ipc/result.js';
import { appVersion, demoScenarioPath, findAppRoot } from './adapters/app-paths.js';
import { createDemoFile } from './adapters/demo/demo-file.js';
import { createDockerEngine } from './adapters/docker/docker-engine.js';
import { resolveEndpoint } from './adapters/docker/endpoint.js';
import { createUnavailableEngine } from './adapters/docker/unavailable-engine.js';
import { createProcHostEvidence } from './adapters/host/host-evidence.js';
import { systemClock } from './adapters/system-clock.js';
import type { AppCore } from './services/app-core.js';
import { createAppCore } from './services/app-core-impl.js';
import type { EnginePort, HostEvidencePort } from './services/ports.js';
import { configurationOnlyHost } from './services/posture-service.js';

/** Options of the local composition root. */
export interface LocalCoreOptions {
  readonly mode: AppMode;
  /** The environment endpoint resolution reads (DOCKER_HOST, DOCKER_CONTEXT, …); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The demo scenario file; default `<root>/assets/demo/scenario.json`. */
  readonly demoPath?: string;
  /** Default true. */
  readonly showDemoWhenDisconnected?: boolean;
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
 * The composition root shared by the three faces (desktop main, browser-mode main, CLI).
 *
 * Wires the real adapters (endpoint resolution, dockerode engine, host evidence from /proc, demo file, system
 * clock) into the app core.
 */
export function createLocalCore(options: LocalCoreOptions): AppCore {
  const root = findAppRoot();
  const engine = createLocalEngine(options.env ?? process.env);
  return createAppCore({
    engine,
    host: createHostEvidence(engine),
    demo: createDemoFile(options.demoPath ?? demoScenarioPath(root)),
    clock: systemClock,
    mode: options.mode,
    version: appVersion(root),
    showDemoWhenDisconnected: options.showDemoWhenDisconnected,
  });
}
