import type { PushChannel, PushOf } from '../../shared/ipc/contract.js';
import type { Dispatcher } from '../../shared/ipc/dispatch.js';

/** A push as it leaves the engine, before a transport (IPC or WebSocket) carries it. */
export interface PushEnvelope<P extends PushChannel = PushChannel> {
  readonly channel: P;
  readonly payload: PushOf<P>;
  /** When set, only the client with this id receives it (a subscription's frames); else every client. */
  readonly to?: string;
}

/** Fan-out of pushes to every connected renderer. */
export interface PushSource {
  /** Listen to every push; returns the function that stops listening. */
  subscribe(listener: (push: PushEnvelope) => void): () => void;
}

/**
 * The engine behind every face (desktop, browser, CLI): one dispatcher for requests, one push source.
 *
 * Transports only carry `dispatch` calls and pushes; they hold no logic of their own.
 */
export interface AppCore {
  readonly dispatch: Dispatcher;
  readonly pushes: PushSource;
  /** Start watching the engine (connect, follow events, reconnect with backoff). Idempotent. */
  start(): void;
  /**
   * A client (a window `wc-<webContents id>`, a WebSocket connection) is gone: release what it held (its
   * syscall and anomaly subscriptions). Unknown ids are ignored.
   */
  clientClosed(clientId: string): void;
  /** Stop watching and release every resource; the process can then exit on its own. */
  dispose(): Promise<void>;
}
