import type { BoscSettings } from '../../shared/domain/anomaly/bosc.js';
import { checkBoscSettings, resetAllWindows } from '../../shared/domain/anomaly/bosc.js';
import type { AnomalyMonitor, AnomalySnapshot } from '../../shared/domain/anomaly/monitor.js';
import { monitorSnapshot } from '../../shared/domain/anomaly/monitor.js';
import type { EpochSeconds, SourceState } from '../../shared/domain/syscalls/model.js';
import type {
  AnomalyOutage,
  AnomalySourceRequest,
  RequestOf,
  ResponseOf,
} from '../../shared/ipc/contract.js';
import { Pushes } from '../../shared/ipc/contract.js';
import type { ClientRef } from '../../shared/ipc/dispatch.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import { assertNever } from '../../shared/util/assert-never.js';
import type {
  AnomalyPorts,
  AnomalySourceHandle,
  AnomalySourceKind,
  AnomalySourceListener,
  AnomalySourcePort,
  AnomalySourceSpec,
  FalcoImportPort,
} from './anomaly-ports.js';
import type { PushEnvelope } from './app-core.js';
import type { Clock, Disposable } from './ports.js';
import { MIN_FRAME_INTERVAL_MS } from './syscall-ports.js';
import type { Backoff, Outage } from './syscall-service.js';
import type { PushOutbox } from './push-outbox.js';
import { createPushOutbox } from './push-outbox.js';
import { DEFAULT_BACKOFF, closeOutage, nextRestartDelay, openOutage } from './syscall-service.js';

/**
 * The anomaly service: subscriptions to sequence sources that run BoSC per container and the built-in
 * syscall alerts, snapshots pushed to the client that asked (STYLE §4), Falco alerts imported into a
 * subscription's timeline.
 *
 * Like the syscall service (./syscall-service.ts): a registry maps each subId to its source and its owner
 * client; `unsubscribe`, or the client going away (`clientClosed`), disposes it; a client holds at most
 * `maxPerClient` subscriptions. Snapshots and states go out as `anomaly:snapshot` / `anomaly:state` pushes
 * addressed to the owner; at most one snapshot per 250 ms per subscription, a newer one replacing one
 * still waiting (a snapshot is the whole state, so nothing is lost).
 *
 * A source that cannot run says so as a `failed` state with the adapter's error (no sysdig, no bpftrace,
 * an unreadable capture). The live eBPF tracer, once it has streamed, is restarted with the syscall
 * service's backoff (250 ms doubling to 5 s) when it fails; the restarted tracer feeds the *same* monitor,
 * so training and alerts carry over, and every container's window restarts across the gap (counted in its
 * `gaps`); the outage is in every later snapshot push. Captures are never restarted.
 */

/** What the service needs. */
export interface AnomalyServiceDeps {
  readonly ports: AnomalyPorts;
  /** Falco file import; absent: `anomaly:import-falco` says it is not part of this build. */
  readonly falco?: FalcoImportPort;
  readonly clock: Clock;
  readonly publish: (push: PushEnvelope) => void;
  /** Diagnostics (restarts); default console.warn. */
  readonly log?: (line: string) => void;
  /** Why subscribing fails when no port is wired for the kind asked for. */
  readonly unwiredReason?: string;
  /** Restart backoff; default 250 ms doubling to 5000 ms. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Subscriptions one client may hold at once; default 4 (each is a tracer or a sysdig process). */
  readonly maxPerClient?: number;
}

/** The service behind the `anomaly:*` channels. */
export interface AnomalyService {
  subscribe(client: ClientRef, request: RequestOf<'anomaly:subscribe'>): ResponseOf<'anomaly:subscribe'>;
  unsubscribe(
    client: ClientRef,
    request: RequestOf<'anomaly:unsubscribe'>,
  ): ResponseOf<'anomaly:unsubscribe'>;
  importFalco(
    client: ClientRef,
    request: RequestOf<'anomaly:import-falco'>,
  ): Promise<ResponseOf<'anomaly:import-falco'>>;
  /**
   * A subscription's monitor as plain data now (BoSC per container, the alert timeline), its source kind,
   * settings and outages — for reports; the snapshot is null before the source has started.
   */
  snapshot(client: ClientRef, subId: string): AnomalySubscriptionSnapshot;
  /** Dispose every subscription of this client. */
  clientClosed(clientId: string): void;
  /** Subscriptions running, for diagnostics and tests. */
  count(): number;
  /** Dispose every subscription. */
  dispose(): void;
}

/** What AnomalyService.snapshot answers. */
export interface AnomalySubscriptionSnapshot {
  readonly kind: AnomalySourceKind;
  /** E.g. `the eBPF sequence source` or `sysdig capture /data/x.scap`. */
  readonly label: string;
  readonly settings: BoscSettings;
  readonly state: SourceState | null;
  readonly snapshot: AnomalySnapshot | null;
  readonly outages: readonly AnomalyOutage[];
}

const DEFAULT_MAX_PER_CLIENT = 4;

const LIVE_KINDS: ReadonlySet<AnomalySourceKind> = new Set(['bpf']);

const LABELS: Readonly<Record<AnomalySourceKind, string>> = {
  bpf: 'The eBPF sequence source',
  'sysdig-capture': 'Anomaly detection on a capture',
};

interface Subscription extends Backoff {
  readonly id: string;
  readonly clientId: string;
  readonly spec: AnomalySourceSpec;
  readonly settings: BoscSettings;
  readonly live: boolean;
  source: AnomalySourceHandle | null;
  /** The monitor of the first run, fed by every restart; set once the first start returned. */
  monitor: AnomalyMonitor | null;
  /** Bumped per start, so calls from a dead source are ignored. */
  run: number;
  streamedOnce: boolean;
  streamingSince: number | null;
  restartTimer: Disposable | null;
  readonly outages: Outage[];
  /** Its pushes: states in order, snapshots at most every MIN_FRAME_INTERVAL_MS. */
  readonly outbox: PushOutbox<AnomalySnapshot>;
  importing: boolean;
  closed: boolean;
}

function toSpec(request: AnomalySourceRequest): AnomalySourceSpec {
  switch (request.kind) {
    case 'bpf':
      return { kind: 'bpf' };
    case 'sysdig-capture':
      return { kind: 'sysdig-capture', path: request.path };
    default:
      return assertNever(request, 'anomaly source request');
  }
}

/** Create the anomaly service. */
export function createAnomalyService(deps: AnomalyServiceDeps): AnomalyService {
  const { clock } = deps;
  const log = deps.log ?? ((line: string) => console.warn(line));
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const maxPerClient = deps.maxPerClient ?? DEFAULT_MAX_PER_CLIENT;
  const registry = new Map<string, Subscription>();
  let nextId = 1;
  let disposed = false;

  const second = (ms: number): number => Math.floor(ms / 1000);

  const portFor = (kind: AnomalySourceKind): AnomalySourcePort | undefined =>
    deps.ports[kind] as AnomalySourcePort | undefined;

  // ----- outgoing pushes: states in order, snapshots at most every MIN_FRAME_INTERVAL_MS -----

  const outagesOf = (sub: Subscription): AnomalyOutage[] =>
    sub.outages.map((o) => ({ from: o.from as EpochSeconds, to: o.to as EpochSeconds | null }));

  const queueSnapshot = (sub: Subscription, snapshot: AnomalySnapshot): void =>
    sub.outbox.queueSummary(snapshot);
  const queueState = (sub: Subscription, state: SourceState): void => sub.outbox.queueState(state);

  // ----- starting, restarting -----

  const scheduleRestart = (sub: Subscription, ranFor: number | null): void => {
    const delay = nextRestartDelay(sub, ranFor, backoff);
    openOutage(sub.outages, second(clock.now()));
    log(`anomaly: ${sub.spec.kind} source of ${sub.id} stopped; restarting in ${delay} ms`);
    sub.restartTimer = clock.setTimeout(() => {
      sub.restartTimer = null;
      if (!sub.closed) startRun(sub);
    }, delay);
  };

  const listenerFor = (sub: Subscription, run: number): AnomalySourceListener => ({
    onState(state) {
      if (sub.closed || sub.run !== run) return;
      if (state.phase === 'streaming') {
        sub.streamedOnce = true;
        sub.streamingSince = clock.now();
        closeOutage(sub.outages, second(clock.now()));
      }
      queueState(sub, state);
      const stopped =
        state.phase === 'failed' || (state.phase === 'exited' && state.reason === 'end-of-input');
      if (stopped && sub.live && sub.streamedOnce) {
        const ranFor = sub.streamingSince === null ? null : clock.now() - sub.streamingSince;
        sub.streamingSince = null;
        sub.source = null;
        sub.run++;
        // No window may join syscalls from both sides of the outage.
        if (sub.monitor !== null) resetAllWindows(sub.monitor.detector);
        scheduleRestart(sub, ranFor);
      }
    },
    onSnapshot(snapshot) {
      if (sub.closed || sub.run !== run) return;
      queueSnapshot(sub, snapshot);
    },
  });

  /** Start a run; a throw from the port is the caller's on the first run. */
  const startRun = (sub: Subscription): void => {
    const port = portFor(sub.spec.kind);
    if (port === undefined) throw new BulkheadError('internal', `no port for ${sub.spec.kind}`);
    sub.run++;
    const run = sub.run;
    try {
      const source = port.start(sub.spec, listenerFor(sub, run), {
        bosc: sub.settings,
        ...(sub.monitor !== null ? { monitor: sub.monitor } : {}),
      });
      sub.monitor ??= source.monitor;
      if (sub.run === run && !sub.closed) sub.source = source;
      else if (sub.closed) source.dispose();
    } catch (e) {
      if (!sub.streamedOnce) throw e;
      const message = e instanceof Error ? e.message : String(e);
      queueState(sub, {
        phase: 'failed',
        since: clock.now(),
        error: { code: 'bpftrace-failed', message },
        diagnostics: '',
      });
      sub.run++;
      scheduleRestart(sub, null);
    }
  };

  const owned = (client: ClientRef, subId: string): Subscription => {
    const sub = registry.get(subId);
    if (sub === undefined || sub.clientId !== client.id) {
      throw new BulkheadError('not-found', `no anomaly subscription ${subId} for this client`);
    }
    return sub;
  };

  const close = (sub: Subscription): void => {
    if (sub.closed) return;
    sub.closed = true;
    registry.delete(sub.id);
    sub.restartTimer?.dispose();
    sub.outbox.dispose();
    const source = sub.source;
    sub.source = null;
    try {
      source?.dispose();
    } catch (e) {
      log(`anomaly: disposing ${sub.id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const unwired = (kind: AnomalySourceKind): string =>
    deps.unwiredReason ?? `${LABELS[kind]} is not part of this build.`;

  return {
    subscribe(client, { source, settings }) {
      if (disposed) throw new BulkheadError('internal', 'the anomaly service has been shut down');
      const spec = toSpec(source);
      if (portFor(spec.kind) === undefined) throw new BulkheadError('bad-request', unwired(spec.kind));
      let checked: BoscSettings;
      try {
        checked = checkBoscSettings(settings ?? {});
      } catch (e) {
        throw new BulkheadError(
          'bad-request',
          `BoSC settings: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      let held = 0;
      for (const s of registry.values()) if (s.clientId === client.id) held++;
      if (held >= maxPerClient) {
        throw new BulkheadError(
          'bad-request',
          `a client may hold at most ${maxPerClient} anomaly subscriptions; stop one first`,
        );
      }
      const id = `anomaly-${nextId++}`;
      const sub: Subscription = {
        id,
        clientId: client.id,
        spec,
        settings: checked,
        live: LIVE_KINDS.has(spec.kind),
        source: null,
        monitor: null,
        run: 0,
        streamedOnce: false,
        streamingSince: null,
        nextBackoffMs: backoff.initialMs,
        restartTimer: null,
        outages: [],
        outbox: createPushOutbox<AnomalySnapshot>({
          clock,
          minIntervalMs: MIN_FRAME_INTERVAL_MS,
          sendSummary: (snapshot) =>
            deps.publish({
              channel: Pushes.anomalySnapshot,
              payload: { subId: id, snapshot, outages: outagesOf(sub) },
              to: client.id,
            }),
          sendState: (state) =>
            deps.publish({ channel: Pushes.anomalyState, payload: { subId: id, state }, to: client.id }),
        }),
        importing: false,
        closed: false,
      };
      registry.set(sub.id, sub);
      try {
        startRun(sub);
      } catch (e) {
        close(sub);
        throw e;
      }
      const state: SourceState = sub.source?.state ?? { phase: 'starting', since: clock.now() };
      return { subId: sub.id, state, settings: checked };
    },

    unsubscribe(client, { subId }) {
      close(owned(client, subId));
      return { subId };
    },

    async importFalco(client, { subId, path }) {
      const sub = owned(client, subId);
      if (deps.falco === undefined) {
        throw new BulkheadError('bad-request', 'Importing Falco alerts is not part of this build.');
      }
      const monitor = sub.monitor;
      if (monitor === null) throw new BulkheadError('bad-request', `${subId} has not started`);
      if (sub.importing) {
        throw new BulkheadError('bad-request', `an import into ${subId} is still running; wait for it`);
      }
      sub.importing = true;
      try {
        const summary = await deps.falco.importFile(path, monitor.alerts);
        // The source may have ended (a capture read to its end): the timeline is pushed here, not by it.
        if (!sub.closed) queueSnapshot(sub, monitorSnapshot(monitor, clock.now()));
        return summary;
      } finally {
        sub.importing = false;
      }
    },

    snapshot(client, subId) {
      const sub = owned(client, subId);
      return {
        kind: sub.spec.kind,
        label:
          sub.spec.kind === 'sysdig-capture' ? `sysdig capture ${sub.spec.path}` : 'the eBPF sequence source',
        settings: sub.settings,
        state: sub.source?.state ?? null,
        snapshot: sub.monitor === null ? null : monitorSnapshot(sub.monitor, clock.now()),
        outages: outagesOf(sub),
      };
    },

    clientClosed(clientId) {
      for (const sub of [...registry.values()]) if (sub.clientId === clientId) close(sub);
    },

    count: () => registry.size,

    dispose() {
      disposed = true;
      for (const sub of [...registry.values()]) close(sub);
    },
  };
}
