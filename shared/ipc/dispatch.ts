import { isRequestChannel } from './contract.js';
import type { RequestChannel, RequestOf, ResponseOf } from './contract.js';
import { err, ok, toErrorData } from './result.js';
import type { Result } from './result.js';
import { REQUEST_SCHEMAS, describeIssues } from './schemas.js';

/**
 * Who sent a request: a window (`wc-<webContents id>`) or a WebSocket connection, named by its transport.
 * Absent for in-process callers (the CLI). Handlers that hold per-client resources (subscriptions) use it.
 */
export interface ClientRef {
  readonly id: string;
}

/** One handler per request channel; handlers receive validated payloads and may throw BulkheadError. */
export type Handlers = {
  readonly [C in RequestChannel]: (request: RequestOf<C>, client?: ClientRef) => Promise<ResponseOf<C>>;
};

/** Dispatches an untrusted (channel, payload) pair to a handler and always answers with a Result. */
export type Dispatcher = (channel: unknown, payload: unknown, client?: ClientRef) => Promise<Result<unknown>>;

/**
 * Build the dispatcher both transports share.
 *
 * Unknown channels and payloads that fail their schema never reach a handler; thrown errors become failed
 * Results, so a bad request cannot take the engine down.
 */
export function createDispatcher(
  handlers: Handlers,
  onError?: (channel: string, e: unknown) => void,
): Dispatcher {
  return async (channel, payload, client) => {
    if (!isRequestChannel(channel)) {
      return err('unknown-channel', `unknown channel ${JSON.stringify(String(channel).slice(0, 64))}`);
    }
    const parsed = REQUEST_SCHEMAS[channel].safeParse(payload ?? {});
    if (!parsed.success) return err('bad-request', `${channel}: ${describeIssues(parsed.error)}`);
    try {
      const handler = handlers[channel] as (request: unknown, client?: ClientRef) => Promise<unknown>;
      return ok(await handler(parsed.data, client));
    } catch (e) {
      onError?.(channel, e);
      return { ok: false, error: toErrorData(e) };
    }
  };
}
