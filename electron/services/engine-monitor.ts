import type {
  ConnectionErrorCode,
  ConnectionState,
  EndpointDescription,
  EngineInfo,
} from '../../shared/domain/engine.js';
import type { EpochMillis } from '../../shared/domain/ids.js';
import { isContainerId } from '../../shared/domain/ids.js';
import { Pushes } from '../../shared/ipc/contract.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type { PushEnvelope } from './app-core.js';
import type { Clock, Disposable, EngineEvent, EnginePort } from './ports.js';

/** Timings of the connection state machine (all in ms). */
export interface MonitorTimings {
  /** First retry delay after a failure; doubles per failure up to `backoffMaxMs`, reset on success. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** How often a connected engine is pinged, so a silently hung engine is noticed. */
  readonly pingIntervalMs: number;
  /** How long a ping may take; interval + timeout bound the time to notice a hung engine (< 2 s locally). */
  readonly pingTimeoutMs: number;
  /** How long `describe()` may take while connecting. */
  readonly describeTimeoutMs: number;
}

/**
 * The defaults: 250 ms doubling to 5 s; ping every 500 ms with an 800 ms timeout.
 *
 * An engine that hangs right after answering a ping is noticed at the next ping's timeout, at worst
 * 500 + 800 ms later: inside the 2 s the UI is promised, with room for a busy event loop or a loaded CI
 * machine. A ping on a local socket costs well under a millisecond of engine time.
 */
export const DEFAULT_TIMINGS: MonitorTimings = {
  backoffInitialMs: 250,
  backoffMaxMs: 5000,
  pingIntervalMs: 500,
  pingTimeoutMs: 800,
  describeTimeoutMs: 5000,
};

/**
 * Timings for an endpoint: over ssh every request opens a new SSH session (docker-modem's ssh agent), so a
 * ping needs far longer than on a socket, and a hung engine is noticed later.
 */
export function defaultTimings(endpoint: EndpointDescription): MonitorTimings {
  return endpoint.transport === 'ssh'
    ? { ...DEFAULT_TIMINGS, pingIntervalMs: 1000, pingTimeoutMs: 4000, describeTimeoutMs: 15_000 }
    : DEFAULT_TIMINGS;
}

/** Watches one engine: connects, follows its events, notices a loss and reconnects with backoff. */
export interface EngineMonitor {
  readonly endpoint: EndpointDescription;
  /** The current state (what `engine:state` last announced). */
  state(): ConnectionState;
  /** Start connecting. Idempotent; ignored after dispose. */
  start(): void;
  /**
   * The state once the first verdict is in.
   *
   * Resolves immediately unless the monitor is still `connecting`; otherwise on the first transition, or
   * after `timeoutMs` with the state at that time (still `connecting`).
   */
  settled(timeoutMs: number): Promise<ConnectionState>;
  /** Stop everything (timers, event stream, pending attempts). Idempotent. */
  dispose(): void;
}

/** What the monitor needs. `publish` receives `engine:state` and `containers:changed` pushes. */
export interface EngineMonitorDeps {
  readonly engine: EnginePort;
  readonly clock: Clock;
  readonly publish: (push: PushEnvelope) => void;
  readonly timings?: Partial<MonitorTimings>;
}

const CONNECTION_CODES: readonly string[] = [
  'docker-unreachable',
  'docker-permission-denied',
  'docker-error',
];

/** The connection error shown to the user for anything an attempt, a ping or the event stream failed with. */
export function toConnectionError(e: unknown): { code: ConnectionErrorCode; message: string } {
  if (e instanceof BulkheadError && CONNECTION_CODES.includes(e.code)) {
    return { code: e.code as ConnectionErrorCode, message: e.message };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'docker-error', message };
}

/**
 * Create the connection state machine.
 *
 * `connecting` → `connected` (describe() answered; the event stream is followed and the engine pinged every
 * second) → `disconnected` (an attempt, a ping or the event stream failed; a retry is scheduled with backoff)
 * → `connected` … Each transition is published as `engine:state`. Container events become
 * `containers:changed {ids:[id]}`; every change of phase becomes `containers:changed {ids:'all'}`, because
 * what a list shows (live, demo or an error) changes with it. Every async result carries the session it
 * belongs to, so a late answer from an abandoned attempt cannot move the machine.
 */
export function createEngineMonitor(deps: EngineMonitorDeps): EngineMonitor {
  const { engine, clock, publish } = deps;
  const endpoint = engine.endpoint;
  const t: MonitorTimings = { ...defaultTimings(endpoint), ...deps.timings };

  let current: ConnectionState = { phase: 'connecting', endpoint, since: clock.now() };
  let started = false;
  let disposed = false;
  // Incremented on every transition and on dispose: async results of an older session are ignored.
  let session = 0;
  let backoff = t.backoffInitialMs;
  let retryTimer: Disposable | undefined;
  let pingTimer: Disposable | undefined;
  let watch: Disposable | undefined;
  let pingInFlight = false;
  const waiters = new Set<(state: ConnectionState) => void>();

  const emit = (push: PushEnvelope): void => {
    try {
      publish(push);
    } catch (e) {
      console.error('engine-monitor: a push listener threw', e);
    }
  };

  const setState = (next: ConnectionState): void => {
    const phaseChanged = next.phase !== current.phase;
    current = next;
    emit({ channel: Pushes.engineState, payload: next });
    if (phaseChanged) emit({ channel: Pushes.containersChanged, payload: { ids: 'all' } });
    if (next.phase !== 'connecting') {
      for (const resolve of [...waiters]) resolve(next);
      waiters.clear();
    }
  };

  /** Race a promise against the clock, failing as an unreachable engine when it takes too long. */
  const deadline = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(
        () =>
          reject(
            new BulkheadError(
              'docker-unreachable',
              `Docker engine not reachable at ${endpoint.url} (${what} timed out after ${ms} ms)`,
            ),
          ),
        ms,
      );
      promise.then(
        (v) => {
          timer.dispose();
          resolve(v);
        },
        (e: unknown) => {
          timer.dispose();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });

  const stopSession = (): void => {
    session += 1;
    retryTimer?.dispose();
    retryTimer = undefined;
    pingTimer?.dispose();
    pingTimer = undefined;
    const w = watch;
    watch = undefined;
    w?.dispose();
    pingInFlight = false;
  };

  const fail = (e: unknown): void => {
    stopSession();
    const now = clock.now();
    const delay = backoff;
    backoff = Math.min(backoff * 2, t.backoffMaxMs);
    const since = current.phase === 'disconnected' ? current.since : now;
    const mine = session;
    retryTimer = clock.setTimeout(() => {
      if (mine === session && !disposed) attempt();
    }, delay);
    setState({
      phase: 'disconnected',
      endpoint,
      since,
      error: toConnectionError(e),
      retryAt: (now + delay) as EpochMillis,
    });
  };

  const onEvent = (mine: number, event: EngineEvent): void => {
    if (mine !== session || disposed) return;
    if (event.type === 'container' && isContainerId(event.id)) {
      emit({ channel: Pushes.containersChanged, payload: { ids: [event.id] } });
    }
  };

  const pingTick = (mine: number): void => {
    if (pingInFlight || mine !== session) return;
    pingInFlight = true;
    deadline(engine.ping(t.pingTimeoutMs), t.pingTimeoutMs + 50, 'ping').then(
      () => {
        if (mine === session) pingInFlight = false;
      },
      (e: unknown) => {
        if (mine === session && !disposed && current.phase === 'connected') fail(e);
      },
    );
  };

  const connected = (info: EngineInfo): void => {
    stopSession();
    backoff = t.backoffInitialMs;
    const mine = session;
    const w = engine.watchEvents(
      (event) => onEvent(mine, event),
      (error) => {
        if (mine !== session || disposed) return;
        fail(
          error ??
            new BulkheadError(
              'docker-unreachable',
              `Docker engine not reachable at ${endpoint.url} (event stream ended)`,
            ),
        );
      },
    );
    // The stream may have failed synchronously inside watchEvents; then fail() already moved on.
    if (mine !== session) {
      w.dispose();
      return;
    }
    watch = w;
    pingTimer = clock.setInterval(() => pingTick(mine), t.pingIntervalMs);
    setState({ phase: 'connected', endpoint, since: clock.now(), engine: info });
  };

  function attempt(): void {
    // A fresh session per attempt: a slow answer from an earlier attempt is ignored.
    stopSession();
    const mine = session;
    const run = async (): Promise<EngineInfo> => {
      await deadline(engine.ping(t.pingTimeoutMs), t.pingTimeoutMs + 50, 'ping');
      return deadline(engine.describe(), t.describeTimeoutMs, 'describe');
    };
    run().then(
      (info) => {
        if (mine === session && !disposed) connected(info);
      },
      (e: unknown) => {
        if (mine === session && !disposed) fail(e);
      },
    );
  }

  return {
    endpoint,
    state: () => current,
    start() {
      if (started || disposed) return;
      started = true;
      attempt();
    },
    settled(timeoutMs) {
      if (current.phase !== 'connecting' || disposed) return Promise.resolve(current);
      return new Promise((resolve) => {
        const timer = clock.setTimeout(() => {
          waiters.delete(done);
          resolve(current);
        }, timeoutMs);
        const done = (state: ConnectionState): void => {
          timer.dispose();
          resolve(state);
        };
        waiters.add(done);
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      stopSession();
      for (const resolve of [...waiters]) resolve(current);
      waiters.clear();
    },
  };
}
