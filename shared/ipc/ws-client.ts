import type { BulkheadBridge } from './bridge.js';
import { isPushChannel } from './contract.js';
import type { PushChannel, PushOf, RequestChannel, RequestOf, ResponseOf } from './contract.js';
import { ERROR_CODES, err } from './result.js';
import type { ErrorCode, Result } from './result.js';
import type { ClientFrame } from './ws-protocol.js';

/**
 * A handler slot typed so that both the DOM `WebSocket` and the `ws` package fit.
 *
 * Method-derived function types are compared bivariantly, so a socket whose `onmessage` takes its own
 * richer event type (`MessageEvent`, `WebSocket.MessageEvent`) is still assignable to this minimal shape.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/**
 * The part of a WebSocket this client uses.
 *
 * Declared structurally because shared/ has neither the DOM lib nor Node types: the renderer passes the
 * browser's `WebSocket`, Node code and tests pass the `ws` package's class.
 */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
}

/** A WebSocket constructor (`window.WebSocket` or `ws`). */
export type SocketConstructor = new (url: string) => SocketLike;

/** Where the connection to the engine stands. `closed` while waiting to reconnect, and after `close()`. */
export type TransportState = 'connecting' | 'open' | 'closed';

/** Timers, injectable for tests; defaults to the global ones both browsers and Node provide. */
export interface BridgeTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link createWebSocketBridge}. */
export interface WebSocketBridgeOptions {
  readonly WebSocket: SocketConstructor;
  /** Called on every change of the transport state (never twice in a row with the same state). */
  readonly onTransportState?: (state: TransportState) => void;
  /** How long a request may wait for its answer, including time spent waiting for a connection. */
  readonly requestTimeoutMs?: number;
  /** First reconnect delay; doubled after each failed attempt up to `maxReconnectDelayMs`. */
  readonly initialReconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** Diagnostics (bad frames, listener errors). Silent by default. */
  readonly log?: (line: string) => void;
  readonly timers?: BridgeTimers;
}

/** A bridge over a WebSocket, with a way to shut it down for good. */
export type WebSocketBridge = BulkheadBridge & {
  /** Close the socket, stop reconnecting, and answer every waiting request with `transport-closed`. */
  close(): void;
};

const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_INITIAL_RECONNECT_MS = 250;
const DEFAULT_MAX_RECONNECT_MS = 5_000;

// Both runtimes define setTimeout/clearTimeout on the global object; shared/ just cannot see their types.
const globalTimers = globalThis as unknown as BridgeTimers;
const defaultTimers: BridgeTimers = {
  setTimeout: (fn, ms) => globalTimers.setTimeout(fn, ms),
  clearTimeout: (handle) => globalTimers.clearTimeout(handle),
};

interface PendingRequest {
  readonly frame: string;
  readonly resolve: (result: Result<unknown>) => void;
  readonly timer: unknown;
  /** Whether the frame went out on the current socket (and so is lost if that socket closes). */
  sent: boolean;
}

/**
 * The browser-mode implementation of {@link BulkheadBridge}.
 *
 * Requests carry increasing ids and wait in a pending map for their `res` frame. A request made while the
 * socket is not open waits for the next connection (within its timeout); a request already sent is answered
 * with `transport-closed` when its socket closes, because the server may or may not have seen it. The socket
 * reconnects by itself with exponential backoff; push listeners stay registered across reconnects. Nothing
 * here throws to callers: every failure is a `{ ok: false }` Result.
 */
export function createWebSocketBridge(url: string, options: WebSocketBridgeOptions): WebSocketBridge {
  const timers = options.timers ?? defaultTimers;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const initialDelay = options.initialReconnectDelayMs ?? DEFAULT_INITIAL_RECONNECT_MS;
  const maxDelay = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_MS;
  const log = options.log ?? (() => undefined);

  const pending = new Map<number, PendingRequest>();
  const listeners = new Map<PushChannel, Set<(payload: never) => void>>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let state: TransportState | null = null;
  let disposed = false;
  let reconnectDelay = initialDelay;
  let reconnectTimer: unknown = null;

  const setState = (next: TransportState): void => {
    if (state === next) return;
    state = next;
    try {
      options.onTransportState?.(next);
    } catch (e) {
      log(`transport state listener failed: ${describe(e)}`);
    }
  };

  const settle = (id: number, result: Result<unknown>): void => {
    const request = pending.get(id);
    if (request === undefined) return;
    pending.delete(id);
    timers.clearTimeout(request.timer);
    request.resolve(result);
  };

  const trySend = (id: number, request: PendingRequest): void => {
    if (socket === null || state !== 'open') return;
    try {
      socket.send(request.frame);
      request.sent = true;
    } catch (e) {
      settle(id, err('transport-closed', `could not send the request: ${describe(e)}`));
    }
  };

  const handleMessage = (data: unknown): void => {
    if (typeof data !== 'string') {
      log('ignored a binary frame from the server');
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      log(`ignored a frame that is not JSON: ${data.slice(0, 80)}`);
      return;
    }
    if (!isRecord(frame)) {
      log('ignored a frame that is not an object');
      return;
    }
    if (frame.t === 'res' && typeof frame.id === 'number') {
      settle(frame.id, toResult(frame.result));
      return;
    }
    if (frame.t === 'push' && isPushChannel(frame.channel)) {
      const set = listeners.get(frame.channel);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          listener(frame.payload as never);
        } catch (e) {
          log(`push listener for ${frame.channel} failed: ${describe(e)}`);
        }
      }
      return;
    }
    log(`ignored an unexpected frame: ${data.slice(0, 80)}`);
  };

  const scheduleReconnect = (): void => {
    if (disposed || reconnectTimer !== null) return;
    const delay = reconnectDelay;
    reconnectDelay = Math.min(maxDelay, reconnectDelay * 2);
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  };

  const connect = (): void => {
    if (disposed) return;
    setState('connecting');
    let ws: SocketLike;
    try {
      ws = new options.WebSocket(url);
    } catch (e) {
      log(`could not open ${redact(url, url)}: ${redact(url, describe(e))}`);
      setState('closed');
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      reconnectDelay = initialDelay;
      setState('open');
      for (const [id, request] of [...pending]) if (!request.sent) trySend(id, request);
    };
    ws.onmessage = (event) => {
      if (socket === ws) handleMessage(event.data);
    };
    // Errors are always followed by a close event; the close handler does the work.
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      for (const [id, request] of [...pending]) {
        if (request.sent)
          settle(id, err('transport-closed', 'the connection to the Bulkhead engine was lost'));
      }
      setState('closed');
      scheduleReconnect();
    };
  };

  const invoke = <C extends RequestChannel>(
    channel: C,
    request: RequestOf<C>,
  ): Promise<Result<ResponseOf<C>>> => {
    if (disposed) return Promise.resolve(err('transport-closed', 'the bridge is closed'));
    const id = nextId++;
    const frame: ClientFrame = { t: 'req', id, channel, payload: request };
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (e) {
      return Promise.resolve(err('bad-request', `the request cannot be serialised: ${describe(e)}`));
    }
    return new Promise<Result<ResponseOf<C>>>((resolve) => {
      const timer = timers.setTimeout(() => {
        settle(id, err('transport-closed', `no answer to ${channel} within ${requestTimeoutMs} ms`));
      }, requestTimeoutMs);
      const entry: PendingRequest = {
        frame: text,
        // The server answers with the response type of the channel; the contract is the only source of it.
        resolve: resolve as (result: Result<unknown>) => void,
        timer,
        sent: false,
      };
      pending.set(id, entry);
      trySend(id, entry);
    });
  };

  const on = <P extends PushChannel>(channel: P, listener: (payload: PushOf<P>) => void): (() => void) => {
    let set = listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      listeners.set(channel, set);
    }
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return () => {
      listeners.get(channel)?.delete(entry);
    };
  };

  const close = (): void => {
    if (disposed) return;
    disposed = true;
    if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const ws = socket;
    socket = null;
    if (ws !== null) {
      try {
        ws.close(1000, 'bridge closed');
      } catch (e) {
        log(`closing the socket failed: ${describe(e)}`);
      }
    }
    for (const id of [...pending.keys()]) settle(id, err('transport-closed', 'the bridge is closed'));
    listeners.clear();
    setState('closed');
  };

  connect();
  return { invoke, on, close };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Result from an untrusted `result` field; anything malformed becomes an `internal` failure. */
function toResult(value: unknown): Result<unknown> {
  if (isRecord(value)) {
    if (value.ok === true && 'value' in value) return { ok: true, value: value.value };
    if (value.ok === false && isRecord(value.error)) {
      const { code, message } = value.error;
      if (isErrorCode(code) && typeof message === 'string') return err(code, message);
    }
  }
  return err('internal', 'the engine sent a malformed answer');
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `text` with the query of `url` (which carries the token) cut out, so the token never lands in a log line. */
function redact(url: string, text: string): string {
  const q = url.indexOf('?');
  return q === -1 ? text : text.split(url.slice(q)).join('?…');
}
