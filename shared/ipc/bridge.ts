import type { PushChannel, PushOf, RequestChannel, RequestOf, ResponseOf } from './contract.js';
import type { Result } from './result.js';

/**
 * What the renderer sees as `window.bulkhead`.
 *
 * Implemented by the Electron preload (over IPC), by the WebSocket client (browser mode) and by in-memory
 * fakes in tests. Calls never throw: failures come back as `{ ok: false, error }`.
 */
export interface BulkheadBridge {
  invoke<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  /** Listen to a push; returns the function that stops listening. */
  on<P extends PushChannel>(channel: P, listener: (payload: PushOf<P>) => void): () => void;
}

/** The name under which the bridge is exposed on `window`. */
export const BRIDGE_GLOBAL = 'bulkhead';
