import { createHash } from 'node:crypto';
import type { Agent as HttpsAgent } from 'node:https';
import { Agent } from 'node:https';
import { join } from 'node:path';

import type Dockerode from 'dockerode';

import type { EndpointDescription } from '../../../shared/domain/engine.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

/** What endpoint resolution reads: the environment, the home directory and files (injectable for tests). */
export interface EndpointInputs {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Read a whole file; throws an error with `code: 'ENOENT'` when it does not exist. */
  readonly readFile: (path: string) => Buffer;
  /** Decides the default socket (npipe on Windows); defaults to `linux`. */
  readonly platform?: string;
}

/** Options for `new Dockerode(…)`; `agent` is passed through to the modem (used for skip-TLS-verify). */
export type DockerodeOptions = Dockerode.DockerOptions & { agent?: HttpsAgent };

/** A resolved endpoint: what the UI shows, and how dockerode connects. */
export interface ResolvedEndpoint {
  readonly description: EndpointDescription;
  readonly dockerodeOptions: DockerodeOptions;
}

const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
const DEFAULT_NPIPE = '//./pipe/docker_engine';

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Resolve the Docker endpoint the way the docker CLI does.
 *
 * Precedence (docker/cli `resolveContextName`): `DOCKER_HOST` selects the default context with that host;
 * otherwise `DOCKER_CONTEXT`; otherwise `currentContext` in `$DOCKER_CONFIG/config.json` (DOCKER_CONFIG
 * defaults to `~/.docker`); otherwise the default socket. A named context is read from
 * `$DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json` and its TLS files from
 * `$DOCKER_CONFIG/contexts/tls/<sha256(name)>/docker/`. Throws BulkheadError `docker-error` naming the
 * problem for an unknown scheme, a missing context or an unreadable config file.
 */
export function resolveEndpoint(inputs: EndpointInputs): ResolvedEndpoint {
  const { env } = inputs;
  const configDir = nonEmpty(env.DOCKER_CONFIG) ?? join(inputs.homeDir, '.docker');
  const dockerHost = nonEmpty(env.DOCKER_HOST);
  if (dockerHost !== undefined) return resolveDefaultContext(inputs, configDir, dockerHost, 'DOCKER_HOST');

  let contextName = nonEmpty(env.DOCKER_CONTEXT);
  let chosenBy = 'DOCKER_CONTEXT';
  if (contextName === undefined) {
    contextName = readCurrentContext(inputs, configDir);
    chosenBy = `currentContext in ${join(configDir, 'config.json')}`;
  }
  if (contextName === undefined || contextName === 'default') {
    return resolveDefaultContext(inputs, configDir, undefined, 'default');
  }
  return resolveNamedContext(inputs, configDir, contextName, chosenBy);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readOptional(inputs: EndpointInputs, path: string): Buffer | undefined {
  try {
    return inputs.readFile(path);
  } catch (e) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return undefined;
    throw new BulkheadError('docker-error', `cannot read ${path}: ${errorMessage(e)}`, { cause: e });
  }
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function parseJsonFile(inputs: EndpointInputs, path: string): unknown {
  const raw = readOptional(inputs, path);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new BulkheadError('docker-error', `${path} is not valid JSON: ${errorMessage(e)}`, { cause: e });
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function readCurrentContext(inputs: EndpointInputs, configDir: string): string | undefined {
  const config = parseJsonFile(inputs, join(configDir, 'config.json'));
  const current = field(config, 'currentContext');
  return typeof current === 'string' ? nonEmpty(current) : undefined;
}

/** The directory name docker uses for a context: the hex sha256 of its name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function resolveDefaultContext(
  inputs: EndpointInputs,
  configDir: string,
  host: string | undefined,
  source: string,
): ResolvedEndpoint {
  const { env } = inputs;
  const tlsVerify = nonEmpty(env.DOCKER_TLS_VERIFY) !== undefined;
  const certDir = nonEmpty(env.DOCKER_CERT_PATH) ?? configDir;
  const tls = (): TlsMaterial => ({
    ca: readOptional(inputs, join(certDir, 'ca.pem')),
    cert: readOptional(inputs, join(certDir, 'cert.pem')),
    key: readOptional(inputs, join(certDir, 'key.pem')),
  });
  const fallback = inputs.platform === 'win32' ? `npipe://${DEFAULT_NPIPE}` : `unix://${DEFAULT_UNIX_SOCKET}`;
  return fromHost(host ?? fallback, source, {
    useTls: tlsVerify,
    skipVerify: false,
    material: tls,
    env,
  });
}

function resolveNamedContext(
  inputs: EndpointInputs,
  configDir: string,
  name: string,
  chosenBy: string,
): ResolvedEndpoint {
  const dir = contextDirName(name);
  const metaPath = join(configDir, 'contexts', 'meta', dir, 'meta.json');
  const meta = parseJsonFile(inputs, metaPath);
  if (meta === undefined) {
    throw new BulkheadError(
      'docker-error',
      `docker context "${name}" (from ${chosenBy}) does not exist: ${metaPath} not found`,
    );
  }
  const docker = field(field(meta, 'Endpoints'), 'docker');
  const host = field(docker, 'Host');
  if (typeof host !== 'string' || host.trim() === '') {
    throw new BulkheadError(
      'docker-error',
      `docker context "${name}" has no docker endpoint host in ${metaPath}`,
    );
  }
  const skipVerify = field(docker, 'SkipTLSVerify') === true;
  const tlsDir = join(configDir, 'contexts', 'tls', dir, 'docker');
  const material: TlsMaterial = {
    ca: readOptional(inputs, join(tlsDir, 'ca.pem')),
    cert: readOptional(inputs, join(tlsDir, 'cert.pem')),
    key: readOptional(inputs, join(tlsDir, 'key.pem')),
  };
  const hasTlsFiles = material.ca !== undefined || material.cert !== undefined || material.key !== undefined;
  return fromHost(host.trim(), `context "${name}"`, {
    useTls: hasTlsFiles || skipVerify,
    skipVerify,
    material: () => material,
    env: inputs.env,
  });
}

interface HostOptions {
  readonly useTls: boolean;
  readonly skipVerify: boolean;
  readonly material: () => TlsMaterial;
  readonly env: Readonly<Record<string, string | undefined>>;
}

// Keys docker-modem would otherwise take from process.env (DOCKER_HOST, DOCKER_CERT_PATH, …): every endpoint
// sets them explicitly so the resolved endpoint, not the ambient environment, decides where dockerode goes.
const NEUTRAL: DockerodeOptions = {
  socketPath: undefined,
  host: undefined,
  port: undefined,
  protocol: undefined,
  username: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
};

function fromHost(raw: string, source: string, options: HostOptions): ResolvedEndpoint {
  // Like docker's parseDaemonHost: a bare `host:port` means tcp.
  const host = raw.includes('://') ? raw : `tcp://${raw}`;
  const scheme = host.slice(0, host.indexOf('://')).toLowerCase();
  const rest = host.slice(host.indexOf('://') + 3);
  switch (scheme) {
    case 'unix': {
      const socketPath = rest === '' ? DEFAULT_UNIX_SOCKET : rest;
      return {
        description: { url: `unix://${socketPath}`, transport: 'unix', tls: false, source, local: true },
        dockerodeOptions: { ...NEUTRAL, socketPath },
      };
    }
    case 'npipe': {
      const socketPath = rest === '' ? DEFAULT_NPIPE : rest;
      return {
        description: { url: `npipe://${socketPath}`, transport: 'npipe', tls: false, source, local: true },
        dockerodeOptions: { ...NEUTRAL, socketPath },
      };
    }
    case 'tcp':
      return fromTcp(host, source, options);
    case 'ssh':
      return fromSsh(host, source, options);
    default:
      throw new BulkheadError(
        'docker-error',
        `unsupported Docker endpoint ${JSON.stringify(raw)} (from ${source}): scheme "${scheme}" is not one of unix, tcp, ssh, npipe`,
      );
  }
}

function parseUrl(host: string, source: string): URL {
  try {
    return new URL(host);
  } catch {
    throw new BulkheadError(
      'docker-error',
      `invalid Docker endpoint ${JSON.stringify(host)} (from ${source})`,
    );
  }
}

function fromTcp(host: string, source: string, options: HostOptions): ResolvedEndpoint {
  const url = parseUrl(host, source);
  if (url.hostname === '') {
    throw new BulkheadError(
      'docker-error',
      `invalid Docker endpoint ${JSON.stringify(host)} (from ${source}): no host`,
    );
  }
  const tls = options.useTls;
  const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
  // Keep IPv6 literals bracketed in the URL, unbracketed for the socket.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const dockerodeOptions: DockerodeOptions = {
    ...NEUTRAL,
    host: hostname,
    port,
    protocol: tls ? 'https' : 'http',
  };
  if (tls) {
    const material = options.material();
    if (material.ca !== undefined) dockerodeOptions.ca = material.ca;
    if (material.cert !== undefined) dockerodeOptions.cert = material.cert;
    if (material.key !== undefined) dockerodeOptions.key = material.key;
    if (options.skipVerify) {
      dockerodeOptions.agent = new Agent({ rejectUnauthorized: false, keepAlive: false });
    }
  }
  return {
    description: { url: `tcp://${url.hostname}:${port}`, transport: 'tcp', tls, source, local: false },
    dockerodeOptions,
  };
}

function fromSsh(host: string, source: string, options: HostOptions): ResolvedEndpoint {
  const url = parseUrl(host, source);
  if (url.hostname === '') {
    throw new BulkheadError(
      'docker-error',
      `invalid Docker endpoint ${JSON.stringify(host)} (from ${source}): no host`,
    );
  }
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new BulkheadError(
      'docker-error',
      `invalid Docker endpoint ${JSON.stringify(host)} (from ${source}): extra path after the host`,
    );
  }
  const port = url.port === '' ? 22 : Number(url.port);
  const username = decodeURIComponent(url.username);
  const agent = nonEmpty(options.env.SSH_AUTH_SOCK);
  const dockerodeOptions: DockerodeOptions = {
    ...NEUTRAL,
    protocol: 'ssh',
    host: url.hostname,
    port,
    sshOptions: agent === undefined ? {} : { agent },
  };
  if (username !== '') dockerodeOptions.username = username;
  const user = username === '' ? '' : `${username}@`;
  return {
    description: {
      url: `ssh://${user}${url.hostname}:${port}`,
      transport: 'ssh',
      tls: false,
      source,
      local: false,
    },
    dockerodeOptions,
  };
}
