import type { EndpointDescription } from '../../../shared/domain/engine.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

/** Socket-level failures that mean "nothing answers there": the engine is down, hung or unreachable. */
const UNREACHABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

const PERMISSION_CODES = new Set(['EACCES', 'EPERM']);

function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The socket path (or URL for remote endpoints) to name in a permission message. */
function socketOf(endpoint: EndpointDescription): string {
  if (endpoint.transport === 'unix') return endpoint.url.slice('unix://'.length);
  if (endpoint.transport === 'npipe') return endpoint.url.slice('npipe://'.length);
  return endpoint.url;
}

/** The engine's own message from a dockerode HTTP error, without dockerode's `(HTTP code …)` wrapping. */
function engineMessage(e: unknown): string {
  const json = prop(e, 'json');
  const fromJson = prop(json, 'message');
  if (typeof fromJson === 'string' && fromJson !== '') return fromJson;
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  const message = e instanceof Error ? e.message : String(e);
  return message.trim();
}

/**
 * Classify anything dockerode, docker-modem, ssh2 or Node threw into a BulkheadError.
 *
 * The one place where error codes for the Docker side are decided: socket failures become
 * `docker-unreachable`, EACCES/EPERM `docker-permission-denied` with the fix, HTTP 404 `not-found`, the rest
 * `docker-error` with the engine's message. A BulkheadError passes through unchanged.
 */
export function classifyDockerError(e: unknown, endpoint: EndpointDescription): BulkheadError {
  if (e instanceof BulkheadError) return e;
  const code = prop(e, 'code');
  const statusCode = prop(e, 'statusCode');
  const message = e instanceof Error ? e.message : String(e);
  if (typeof statusCode === 'number') {
    if (statusCode === 404) return new BulkheadError('not-found', engineMessage(e), { cause: e });
    return new BulkheadError(
      'docker-error',
      `Docker engine error (HTTP ${statusCode}): ${engineMessage(e)}`,
      {
        cause: e,
      },
    );
  }
  if (typeof code === 'string' && PERMISSION_CODES.has(code)) {
    return new BulkheadError(
      'docker-permission-denied',
      `permission denied on ${socketOf(endpoint)} — add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or start Bulkhead with access to the socket`,
      { cause: e },
    );
  }
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
    return new BulkheadError(
      'docker-unreachable',
      `Docker engine not reachable at ${endpoint.url} (${code})`,
      {
        cause: e,
      },
    );
  }
  if (/socket hang up/i.test(message)) {
    return new BulkheadError(
      'docker-unreachable',
      `Docker engine not reachable at ${endpoint.url} (ECONNRESET)`,
      {
        cause: e,
      },
    );
  }
  const detail = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  return new BulkheadError('docker-error', `Docker engine error at ${endpoint.url}: ${detail}`, { cause: e });
}

/** An Error carrying a Node-style `code`, for failures this adapter detects itself (e.g. a ping timeout). */
export function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
