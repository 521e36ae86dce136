import type { EpochMillis } from './ids.js';

/**
 * How Bulkhead reaches a Docker engine, as resolved from DOCKER_HOST, DOCKER_CONTEXT or the current
 * docker context.
 */
export interface EndpointDescription {
  /** What the user would recognise, e.g. `unix:///var/run/docker.sock` or `tcp://10.0.0.5:2376`. */
  readonly url: string;
  readonly transport: 'unix' | 'npipe' | 'tcp' | 'ssh';
  /** Whether TLS is used on a tcp endpoint. */
  readonly tls: boolean;
  /** Where the endpoint came from, e.g. `DOCKER_HOST`, `context "colima"`, `default`. */
  readonly source: string;
  /** True when the engine runs on this machine, so /proc and /sys evidence can be read. */
  readonly local: boolean;
}

/** Facts about a reachable engine, from its version and info endpoints. */
export interface EngineInfo {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly os: string;
  readonly arch: string;
  readonly kernelVersion: string;
  readonly operatingSystem: string;
}

/** Error codes that cross every boundary as data (see shared/ipc/result.ts). */
export type ConnectionErrorCode = 'docker-unreachable' | 'docker-permission-denied' | 'docker-error';

/**
 * The connection state machine as the UI sees it.
 *
 * `connecting` only before the first answer; after a loss the phase is `disconnected` while the monitor
 * retries with backoff (`retryAt` says when the next attempt is due).
 */
export type ConnectionState =
  | {
      readonly phase: 'connecting';
      readonly endpoint: EndpointDescription;
      readonly since: EpochMillis;
    }
  | {
      readonly phase: 'connected';
      readonly endpoint: EndpointDescription;
      readonly since: EpochMillis;
      readonly engine: EngineInfo;
    }
  | {
      readonly phase: 'disconnected';
      readonly endpoint: EndpointDescription;
      readonly since: EpochMillis;
      readonly error: { readonly code: ConnectionErrorCode; readonly message: string };
      readonly retryAt: EpochMillis | null;
    };
