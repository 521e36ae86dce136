import type { PushChannel, PushOf, RequestChannel } from '../../shared/ipc/contract.js';
import { REQUEST_CHANNELS } from '../../shared/ipc/contract.js';
import { createDispatcher } from '../../shared/ipc/dispatch.js';
import type { ClientRef, Handlers } from '../../shared/ipc/dispatch.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type { AppCore, PushEnvelope } from '../../electron/services/app-core.js';

/** An AppCore for transport tests: the real dispatcher over handlers the test supplies. */
export interface FakeCore extends AppCore {
  /** Every request that reached a handler (so after validation), in order, with the client that sent it. */
  readonly handled: {
    readonly channel: RequestChannel;
    readonly request: unknown;
    readonly client?: ClientRef | undefined;
  }[];
  /** Send a push to every subscriber, as the engine would; `to` addresses it to one client. */
  emit<P extends PushChannel>(channel: P, payload: PushOf<P>, to?: string): void;
  /** Client ids reported closed through `clientClosed`, in order. */
  readonly closedClients: string[];
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
  const handled: { channel: RequestChannel; request: unknown; client?: ClientRef | undefined }[] = [];
  const closedClients: string[] = [];
  const listeners = new Set<(push: PushEnvelope) => void>();
  const lifecycle = { started: 0, disposed: 0 };

  const all = Object.fromEntries(
    REQUEST_CHANNELS.map((channel) => [
      channel,
      async (request: unknown, client?: ClientRef) => {
        handled.push({ channel, request, client });
        const handler = handlers[channel] as ((r: unknown, c?: ClientRef) => Promise<unknown>) | undefined;
        if (handler === undefined) throw new BulkheadError('internal', `${channel} is not faked`);
        return handler(request, client);
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
    clientClosed(clientId) {
      closedClients.push(clientId);
    },
    handled,
    closedClients,
    emit(channel, payload, to) {
      for (const listener of [...listeners])
        listener(to === undefined ? { channel, payload } : { channel, payload, to });
    },
    subscriberCount: () => listeners.size,
    lifecycle,
  };
}
