import type { ConnectionState, EngineInfo } from '../../shared/domain/engine.js';
import { BulkheadError } from '../../shared/ipc/result.js';

/**
 * Whether a request can go to the live engine, decided from the connection state — shared by every
 * service that falls back to the demo scenario (containers, posture, …).
 */
export type EngineVerdict =
  | { readonly kind: 'live'; readonly engine: EngineInfo }
  | {
      readonly kind: 'offline';
      readonly error: { readonly code: BulkheadError['code']; readonly message: string };
    };

/** The verdict for a connection state; still `connecting` counts as offline, with a message that says so. */
export function engineVerdict(state: ConnectionState): EngineVerdict {
  switch (state.phase) {
    case 'connected':
      return { kind: 'live', engine: state.engine };
    case 'disconnected':
      return { kind: 'offline', error: state.error };
    case 'connecting':
      return {
        kind: 'offline',
        error: {
          code: 'docker-unreachable',
          message: `Docker engine not reachable at ${state.endpoint.url} (no answer yet)`,
        },
      };
  }
}

const OFFLINE_CODES: readonly string[] = ['docker-unreachable', 'docker-permission-denied'];

/**
 * Whether an error means the engine went away mid-request (so the caller falls back like a disconnected
 * engine) rather than the request itself failing.
 */
export function engineWentAway(e: unknown): e is BulkheadError {
  return e instanceof BulkheadError && OFFLINE_CODES.includes(e.code);
}
