import type { PushChannel, PushOf, RequestChannel } from '../../shared/ipc/contract.js';
import { REQUEST_CHANNELS } from '../../shared/ipc/contract.js';
import { createDispatcher } from '../../shared/ipc/dispatch.js';
import type { Handlers } from '../../shared/ipc/dispatch.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type { AppCore, PushEnvelope } from '../../electron/services/app-core.js';

/** An AppCore for transport tests: the real dispatcher over handlers the test supplies. */
export interface FakeCore extends AppCore {
  /** Every request that reached a handler (so after validation), in order. */
  readonly handled: { readonly channel: RequestChannel; readonly request: unknown }[];
  /** Send a push to every subscriber, as the engine would. */
  emit<P extends PushChannel>(channel: P, payload: PushOf<P>): void;
  subscriberCount(): number;
  readonly lifecycle: { started: number; disposed: number };
}

/**
 * Build a fake engine core typed by the real AppCore interface.
 *
 * Requests go through the real `createDispatcher` (so schema validation is the production one); channels
 * without a handler fail with `internal: not faked`. It never pretends to be a Docker engine.
 */
export function createFakeCore(handlers: Partial<Handlers> = {}): FakeCore {
  const handled: { channel: RequestChannel; request: unknown }[] = [];
  const listeners = new Set<(push: PushEnvelope) => void>();
  const lifecycle = { started: 0, disposed: 0 };

  const all = Object.fromEntries(
    REQUEST_CHANNELS.map((channel) => [
      channel,
      async (request: unknown) => {
        handled.push({ channel, request });
        const handler = handlers[channel] as ((r: unknown) => Promise<unknown>) | undefined;
        if (handler === undefined) throw new BulkheadError('internal', `${channel} is not faked`);
        return handler(request);
      },
    ]),
  ) as unknown as Handlers;

  return {
    dispatch: createDispatcher(all),
    pushes: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    start() {
      lifecycle.started += 1;
    },
    dispose() {
      lifecycle.disposed += 1;
      return Promise.resolve();
    },
    handled,
    emit(channel, payload) {
      for (const listener of [...listeners]) listener({ channel, payload });
    },
    subscriberCount: () => listeners.size,
    lifecycle,
  };
}
