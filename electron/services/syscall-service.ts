import type {
  EpochSeconds,
  Gap,
  ReplayPosition,
  SourceState,
  SubjectTotals,
  SyscallFrame,
  SyscallWindowCounts,
} from '../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../shared/domain/syscalls/model.js';
import type {
  RequestOf,
  ResponseOf,
  SyscallSourceInfo,
  SyscallSourceRequest,
} from '../../shared/ipc/contract.js';
import { Pushes } from '../../shared/ipc/contract.js';
import type { ClientRef } from '../../shared/ipc/dispatch.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import { assertNever } from '../../shared/util/assert-never.js';
import type { PushEnvelope } from './app-core.js';
import type { Clock, Disposable } from './ports.js';
import type {
  SyscallSource,
  SyscallSourceKind,
  SyscallSourceListener,
  SyscallSourcePort,
  SyscallSourceSpec,
  SyscallToolFacts,
  SyscallToolProbePort,
} from './syscall-ports.js';
import { MIN_FRAME_INTERVAL_MS } from './syscall-ports.js';
import type { PushOutbox } from './push-outbox.js';
import { createPushOutbox } from './push-outbox.js';

/**
 * The syscall service (STYLE §4): subscriptions to syscall sources, frames pushed to the client that asked.
 *
 * A registry maps each subId to its running source and its owner client. `subscribe` starts a source for
 * that client; `unsubscribe`, or the client going away (`clientClosed`), disposes it. Frames and states go
 * out as `syscalls:frame` / `syscalls:state` pushes addressed to the owner and tagged with the subId.
 * Frames are bounded here too, whatever the adapter does: at most one per 250 ms per subscription, a
 * newer frame replacing one still waiting (frames are summaries, so a replaced frame loses no counts).
 *
 * Live sources (bpf, sysdig-live) that fail or stop after they have streamed are restarted with backoff
 * (250 ms doubling to 5 s; back to 250 ms after a run of 5 s or more). The outage — from the second the
 * failure was heard to the second the new tracer streams — is marked in every later frame as a
 * `tracer-restart` gap while it is in the window. A restarted tracer counts afresh: its frames' windows and
 * totals start at the restart (the seconds before the outage show as `no-data`); `totals()` adds up every
 * run. Captures and recordings are never restarted; a source that fails before it ever streamed (no
 * driver, no tool) is not restarted either — its `failed` state says why.
 */

/** The ports the service starts sources through, one per kind; a kind without a port is unavailable. */
export type SyscallPorts = { readonly [K in SyscallSourceKind]?: SyscallSourcePort<K> };

/** What the service needs. */
export interface SyscallServiceDeps {
  readonly ports: SyscallPorts;
  readonly probe: SyscallToolProbePort;
  readonly clock: Clock;
  readonly publish: (push: PushEnvelope) => void;
  /** Diagnostics (restarts, dropped late calls); default console.warn. */
  readonly log?: (line: string) => void;
  /** Why the bpf kind is unavailable when no port is wired for it. */
  readonly bpfUnwiredReason?: string;
  /** Restart backoff; default 250 ms doubling to 5000 ms. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Subscriptions one client may hold at once; default 16. */
  readonly maxPerClient?: number;
  /**
   * The recorded lab session shipped with Bulkhead (`lab-session`, replayed in a loop by the recording
   * port); absent: that source is unavailable.
   */
  readonly labSession?: LabSessionFile;
}

/** Where the recorded lab session is, and whether it is there. */
export interface LabSessionFile {
  readonly path: string;
  present(): Promise<boolean>;
}

/** The syscall service behind the four `syscalls:*` channels. */
export interface SyscallService {
  sources(): Promise<SyscallSourceInfo[]>;
  subscribe(client: ClientRef, request: RequestOf<'syscalls:subscribe'>): ResponseOf<'syscalls:subscribe'>;
  unsubscribe(
    client: ClientRef,
    request: RequestOf<'syscalls:unsubscribe'>,
  ): ResponseOf<'syscalls:unsubscribe'>;
  control(client: ClientRef, request: RequestOf<'syscalls:control'>): ResponseOf<'syscalls:control'>;
  /** Every subject's totals since the subscription started, across restarts. */
  totals(client: ClientRef, subId: string): SubjectTotals[];
  /**
   * What a subscription's source is and, per subject and syscall, the counts of the last `lastSeconds`
   * seconds its window holds (all of it when null) — for reports.
   */
  window(client: ClientRef, subId: string, lastSeconds: number | null): SubscriptionWindow;
  /** Dispose every subscription of this client. */
  clientClosed(clientId: string): void;
  /** Subscriptions running, for diagnostics and tests. */
  count(): number;
  /** Dispose every subscription. */
  dispose(): void;
}

/** A subscription's source and its window counts (see SyscallService.window). */
export interface SubscriptionWindow {
  readonly kind: SyscallSourceKind;
  /** E.g. `eBPF (bpftrace), live` or `sysdig capture file (.scap) /data/x.scap`. */
  readonly label: string;
  /** The source's limits, as the source picker states them. */
  readonly note: string;
  /** Whether the source carries the syscall order (it only matters for anomaly detection). */
  readonly sequence: boolean;
  readonly live: boolean;
  /** The current run's state; null while a restart of a live tracer is under way. */
  readonly state: SourceState | null;
  /**
   * Null when the source has counted nothing yet, cannot say, or is being restarted. After a restart the
   * window starts at the restart: the run before it is gone (its totals are kept, its seconds are not).
   */
  readonly counts: SyscallWindowCounts | null;
  /** Outages of a restarted live tracer in whole seconds; `to` null while one is under way. */
  readonly outages: readonly { readonly from: number; readonly to: number | null }[];
}

/** The client id of in-process callers (the CLI), which dispatch without a transport. */
export const LOCAL_CLIENT: ClientRef = { id: 'local' };

/** Restart backoff of live tracers: 250 ms doubling to 5 s. */
export const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 5_000 } as const;
const DEFAULT_MAX_PER_CLIENT = 16;
/** Outages remembered per subscription (older ones are long out of any window). */
export const MAX_OUTAGES = 64;

const LIVE_KINDS: ReadonlySet<SyscallSourceKind> = new Set(['bpf', 'sysdig-live']);

/** An outage of a live tracer, in whole seconds; `to` is null while the restart is still under way. */
export interface Outage {
  readonly from: number;
  to: number | null;
}

/** A restart backoff: the delay the next restart waits. */
export interface Backoff {
  nextBackoffMs: number;
}

/**
 * The delay before the next restart, advancing `state` (doubling up to `maxMs`); a run that streamed for
 * `maxMs` or more starts the doubling over.
 */
export function nextRestartDelay(
  state: Backoff,
  ranFor: number | null,
  backoff: { readonly initialMs: number; readonly maxMs: number },
): number {
  if (ranFor !== null && ranFor >= backoff.maxMs) state.nextBackoffMs = backoff.initialMs;
  const delay = state.nextBackoffMs;
  state.nextBackoffMs = Math.min(backoff.maxMs, state.nextBackoffMs * 2);
  return delay;
}

/** Open an outage at `second` unless one is open; at most MAX_OUTAGES are kept (the oldest go). */
export function openOutage(outages: Outage[], second: number): void {
  const open = outages[outages.length - 1];
  if (open === undefined || open.to !== null) {
    outages.push({ from: second, to: null });
    if (outages.length > MAX_OUTAGES) outages.shift();
  }
}

/** Close the open outage, if any, at `second` (the restarted tracer streams again). */
export function closeOutage(outages: Outage[], second: number): void {
  const open = outages[outages.length - 1];
  if (open !== undefined && open.to === null) open.to = second;
}

interface Subscription {
  readonly id: string;
  readonly clientId: string;
  readonly spec: SyscallSourceSpec;
  readonly live: boolean;
  source: SyscallSource | null;
  /** Bumped per start, so calls from a dead source are ignored. */
  run: number;
  streamedOnce: boolean;
  streamingSince: number | null;
  nextBackoffMs: number;
  restartTimer: Disposable | null;
  readonly outages: Outage[];
  /** Totals of the runs before a restart. */
  readonly carried: (readonly SubjectTotals[])[];
  lastReplay: ReplayPosition | null;
  /** Its pushes: states in order, frames at most every MIN_FRAME_INTERVAL_MS. */
  readonly outbox: PushOutbox<SyscallFrame>;
  seq: number;
  closed: boolean;
}

/**
 * Mark outages as `tracer-restart` in a frame's gaps, over the window `[lo, hi]` (inclusive seconds).
 *
 * An outage overrides whatever the frame said about those seconds (a restarted tracer reports them as
 * `no-data`, since it was not running); the result is sorted, with adjacent seconds of one reason merged.
 */
export function markOutages(
  gaps: readonly Gap[],
  outages: readonly { readonly from: number; readonly to: number }[],
  lo: number,
  hi: number,
): Gap[] {
  const inWindow = outages.filter((o) => o.to >= lo && o.from <= hi);
  if (inWindow.length === 0 || hi < lo) return [...gaps];
  const n = hi - lo + 1;
  const reasons = new Array<Gap['reason'] | null>(n).fill(null);
  for (const g of gaps) {
    for (let s = Math.max(g.from, lo); s <= Math.min(g.to, hi); s++) reasons[s - lo] = g.reason;
  }
  for (const o of inWindow) {
    for (let s = Math.max(o.from, lo); s <= Math.min(o.to, hi); s++) reasons[s - lo] = 'tracer-restart';
  }
  const out: Gap[] = [];
  // Gaps outside [lo, hi] are kept as they were.
  for (const g of gaps) if (g.to < lo) out.push(g);
  let open: { from: number; to: number; reason: Gap['reason'] } | null = null;
  for (let i = 0; i < n; i++) {
    const r = reasons[i] ?? null;
    if (open !== null && open.reason !== r) {
      out.push({ from: open.from as EpochSeconds, to: open.to as EpochSeconds, reason: open.reason });
      open = null;
    }
    if (r !== null) {
      if (open === null) open = { from: lo + i, to: lo + i, reason: r };
      else open.to = lo + i;
    }
  }
  if (open !== null)
    out.push({ from: open.from as EpochSeconds, to: open.to as EpochSeconds, reason: open.reason });
  for (const g of gaps) if (g.from > hi) out.push(g);
  return out;
}

/** Sum totals of several runs, per subject and syscall, in the order subjects first appear; first seen is the earliest. */
export function sumTotals(runs: readonly (readonly SubjectTotals[])[]): SubjectTotals[] {
  interface Acc {
    subject: SubjectTotals['subject'];
    total: number;
    bySyscall: Record<string, number>;
    firstSeen: Record<string, EpochSeconds> | undefined;
    lastSeen: Record<string, EpochSeconds> | undefined;
  }
  const bySubject = new Map<string, Acc>();
  for (const run of runs) {
    for (const t of run) {
      const token = subjectToken(t.subject);
      let acc = bySubject.get(token);
      if (acc === undefined) {
        const spans = t.firstSeen !== undefined && t.lastSeen !== undefined;
        acc = {
          subject: t.subject,
          total: 0,
          bySyscall: {},
          firstSeen: spans ? {} : undefined,
          lastSeen: spans ? {} : undefined,
        };
        bySubject.set(token, acc);
      } else if (acc.subject.kind === 'container' && acc.subject.name === null) {
        acc.subject = t.subject;
      }
      acc.total += t.total;
      for (const [name, n] of Object.entries(t.bySyscall))
        acc.bySyscall[name] = (acc.bySyscall[name] ?? 0) + n;
      // First/last-seen seconds stay only while every run has them.
      if (t.firstSeen === undefined || t.lastSeen === undefined) {
        acc.firstSeen = undefined;
        acc.lastSeen = undefined;
      } else if (acc.firstSeen !== undefined && acc.lastSeen !== undefined) {
        for (const [name, second] of Object.entries(t.firstSeen)) {
          const known = acc.firstSeen[name];
          if (known === undefined || second < known) acc.firstSeen[name] = second;
        }
        for (const [name, second] of Object.entries(t.lastSeen)) {
          const known = acc.lastSeen[name];
          if (known === undefined || second > known) acc.lastSeen[name] = second;
        }
      }
    }
  }
  return [...bySubject.values()].map(({ firstSeen, lastSeen, ...rest }) =>
    firstSeen === undefined || lastSeen === undefined ? rest : { ...rest, firstSeen, lastSeen },
  );
}

const LABELS: Readonly<Record<SyscallSourceKind, string>> = {
  bpf: 'eBPF (bpftrace), live',
  'sysdig-live': 'sysdig, live',
  'sysdig-capture': 'sysdig capture file (.scap)',
  recording: 'Bulkhead recording',
};

const NOTES: Readonly<Record<SyscallSourceKind, string>> = {
  bpf: 'Counts per container from an eBPF program, summed in the kernel: no syscall order, no arguments.',
  'sysdig-live':
    'Every syscall enter event in order, placed in its container by sysdig; costs CPU at high event rates.',
  'sysdig-capture':
    'A capture read by sysdig, replayed at its pace or at full speed; the scrubber seeks within it.',
  recording: 'Per-second counts saved by Bulkhead; no syscall order, no arguments.',
};

const SEQUENCE: Readonly<Record<SyscallSourceKind, boolean>> = {
  bpf: false,
  'sysdig-live': true,
  'sysdig-capture': true,
  recording: false,
};

const KINDS: readonly SyscallSourceKind[] = ['bpf', 'sysdig-live', 'sysdig-capture', 'recording'];

/** Why a kind cannot start here, or null when it can. */
function unavailableReason(
  kind: SyscallSourceKind,
  facts: SyscallToolFacts,
  wired: boolean,
  bpfUnwired: string,
): string | null {
  switch (kind) {
    case 'bpf':
      if (!wired) return bpfUnwired;
      if (!facts.bpftraceOnPath) return 'bpftrace is not installed (no bpftrace on PATH).';
      if (!facts.isRoot) return 'bpftrace needs root, and Bulkhead is not running as root.';
      return null;
    case 'sysdig-live':
      if (!wired) return 'Live sysdig is not part of this build.';
      if (!facts.sysdigOnPath) return 'sysdig is not installed (no sysdig on PATH).';
      if (!facts.sysdigDriverPresent) return "sysdig's kernel driver is not loaded (/dev/scap0 is missing).";
      if (!facts.isRoot) return 'Live sysdig needs root, and Bulkhead is not running as root.';
      return null;
    case 'sysdig-capture':
      if (!wired) return 'Capture replay is not part of this build.';
      // sysdig reads the capture; no driver or root is needed for that.
      if (!facts.sysdigOnPath)
        return 'Reading a capture needs sysdig, which is not installed (no sysdig on PATH).';
      return null;
    case 'recording':
      return wired ? null : 'Recording replay is not part of this build.';
    default:
      return assertNever(kind, 'source kind');
  }
}

/** The source picker's entry for the recorded lab session. */
export const LAB_SESSION_LABEL = 'Recorded lab session (recording)';
const LAB_SESSION_NOTE =
  'RECORDING, not live: a real lab session recorded with the eBPF source by `bulkhead lab record` (lab up, the attack on the weak container, then on the hardened one), replayed in a loop; per-second counts, no syscall order, no arguments. Needs no engine and no tracer.';

function toSpec(request: SyscallSourceRequest, labSession: LabSessionFile | undefined): SyscallSourceSpec {
  switch (request.kind) {
    case 'lab-session':
      if (labSession === undefined)
        throw new BulkheadError('bad-request', 'No recorded lab session ships with this build.');
      return { kind: 'recording', path: labSession.path, speed: request.speed, loop: true };
    case 'bpf':
      return { kind: 'bpf' };
    case 'sysdig-live':
      return { kind: 'sysdig-live' };
    case 'sysdig-capture':
      return { kind: 'sysdig-capture', path: request.path, speed: request.speed };
    case 'recording':
      return {
        kind: 'recording',
        path: request.path,
        speed: request.speed,
        ...(request.loop === true ? { loop: true } : {}),
      };
    default:
      return assertNever(request, 'source request');
  }
}

/** Create the syscall service. */
export function createSyscallService(deps: SyscallServiceDeps): SyscallService {
  const { clock } = deps;
  const log = deps.log ?? ((line: string) => console.warn(line));
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const maxPerClient = deps.maxPerClient ?? DEFAULT_MAX_PER_CLIENT;
  const bpfUnwired = deps.bpfUnwiredReason ?? 'The eBPF (bpftrace) source is not part of this build yet.';
  const registry = new Map<string, Subscription>();
  let nextId = 1;
  let disposed = false;

  const second = (ms: number): number => Math.floor(ms / 1000);

  const portFor = (kind: SyscallSourceKind): SyscallSourcePort | undefined =>
    deps.ports[kind] as SyscallSourcePort | undefined;

  // ----- outgoing pushes: states in order, frames at most every MIN_FRAME_INTERVAL_MS -----

  const decorate = (sub: Subscription, frame: SyscallFrame): SyscallFrame => {
    const nowSecond = second(clock.now());
    const outages = sub.outages.map((o) => ({ from: o.from, to: o.to ?? nowSecond }));
    const lo = frame.now - frame.windowSeconds + 1;
    return { ...frame, seq: sub.seq++, gaps: markOutages(frame.gaps, outages, lo, frame.now) };
  };

  const queueFrame = (sub: Subscription, frame: SyscallFrame): void => sub.outbox.queueSummary(frame);
  const queueState = (sub: Subscription, state: SourceState): void => sub.outbox.queueState(state);

  // ----- starting, restarting -----

  const scheduleRestart = (sub: Subscription, ranFor: number | null): void => {
    const delay = nextRestartDelay(sub, ranFor, backoff);
    openOutage(sub.outages, second(clock.now()));
    log(`syscalls: ${sub.spec.kind} source of ${sub.id} stopped; restarting in ${delay} ms`);
    sub.restartTimer = clock.setTimeout(() => {
      sub.restartTimer = null;
      if (!sub.closed) startRun(sub);
    }, delay);
  };

  const listenerFor = (sub: Subscription, run: number): SyscallSourceListener => ({
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
        const dead = sub.source;
        if (dead !== null) sub.carried.push(dead.totals());
        sub.source = null;
        sub.run++;
        scheduleRestart(sub, ranFor);
      }
    },
    onFrame(frame) {
      if (sub.closed || sub.run !== run) return;
      if (frame.replay !== undefined) sub.lastReplay = frame.replay;
      queueFrame(sub, frame);
    },
  });

  /** Start a run of the subscription's source; a throw from the port is the caller's for the first run. */
  const startRun = (sub: Subscription): void => {
    const port = portFor(sub.spec.kind);
    if (port === undefined) throw new BulkheadError('internal', `no port for ${sub.spec.kind}`);
    sub.run++;
    const run = sub.run;
    try {
      const source = port.start(sub.spec, listenerFor(sub, run));
      // A source that settled (or was closed) while starting is already replaced or unwanted.
      if (sub.run === run && !sub.closed) sub.source = source;
      else source.dispose();
    } catch (e) {
      if (!sub.streamedOnce) throw e;
      // A restart that cannot even start: report it and try again later.
      const message = e instanceof Error ? e.message : String(e);
      queueState(sub, {
        phase: 'failed',
        since: clock.now(),
        error: { code: sub.spec.kind === 'bpf' ? 'bpftrace-failed' : 'sysdig-failed', message },
        diagnostics: '',
      });
      sub.run++;
      scheduleRestart(sub, null);
    }
  };

  const owned = (client: ClientRef, subId: string): Subscription => {
    const sub = registry.get(subId);
    if (sub === undefined || sub.clientId !== client.id) {
      throw new BulkheadError('not-found', `no syscall subscription ${subId} for this client`);
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
      log(`syscalls: disposing ${sub.id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return {
    async sources() {
      const [facts, labPresent] = await Promise.all([
        deps.probe.probe(),
        deps.labSession?.present() ?? Promise.resolve(false),
      ]);
      const infos: SyscallSourceInfo[] = KINDS.map((kind) => {
        const reason = unavailableReason(kind, facts, portFor(kind) !== undefined, bpfUnwired);
        return {
          kind,
          label: LABELS[kind],
          available: reason === null,
          reason,
          sequence: SEQUENCE[kind],
          note: NOTES[kind],
        };
      });
      // A recording needs neither the engine nor a tracer: only the file and the recording port.
      const labReason =
        portFor('recording') === undefined
          ? 'Recording replay is not part of this build.'
          : deps.labSession === undefined || !labPresent
            ? 'No recorded lab session ships with this build (assets/demo/lab-session.jsonl is missing).'
            : null;
      infos.push({
        kind: 'lab-session',
        label: LAB_SESSION_LABEL,
        available: labReason === null,
        reason: labReason,
        sequence: false,
        note: LAB_SESSION_NOTE,
      });
      return infos;
    },

    subscribe(client, { source }) {
      if (disposed) throw new BulkheadError('internal', 'the syscall service has been shut down');
      const spec = toSpec(source, deps.labSession);
      if (portFor(spec.kind) === undefined) {
        if (spec.kind === 'bpf') throw new BulkheadError('bpftrace-missing', bpfUnwired);
        throw new BulkheadError('bad-request', `${LABELS[spec.kind]} is not part of this build`);
      }
      let held = 0;
      for (const s of registry.values()) if (s.clientId === client.id) held++;
      if (held >= maxPerClient) {
        throw new BulkheadError(
          'bad-request',
          `a client may hold at most ${maxPerClient} syscall subscriptions; unsubscribe one first`,
        );
      }
      const id = `sub-${nextId++}`;
      const sub: Subscription = {
        id,
        clientId: client.id,
        spec,
        live: LIVE_KINDS.has(spec.kind),
        source: null,
        run: 0,
        streamedOnce: false,
        streamingSince: null,
        nextBackoffMs: backoff.initialMs,
        restartTimer: null,
        outages: [],
        carried: [],
        lastReplay: null,
        outbox: createPushOutbox<SyscallFrame>({
          clock,
          minIntervalMs: MIN_FRAME_INTERVAL_MS,
          sendSummary: (frame) =>
            deps.publish({
              channel: Pushes.syscallsFrame,
              payload: { subId: id, frame: decorate(sub, frame) },
              to: client.id,
            }),
          sendState: (state) =>
            deps.publish({ channel: Pushes.syscallsState, payload: { subId: id, state }, to: client.id }),
        }),
        seq: 0,
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
      return { subId: sub.id, state };
    },

    unsubscribe(client, { subId }) {
      close(owned(client, subId));
      return { subId };
    },

    control(client, { subId, seek, speed, playing }) {
      const sub = owned(client, subId);
      const replay = sub.source?.replay ?? null;
      if (replay === null) {
        if (sub.live)
          throw new BulkheadError('bad-request', `${subId} is a live source; only replays can be controlled`);
        throw new BulkheadError('bad-request', `${subId} has stopped`);
      }
      if (speed !== undefined) replay.setSpeed(speed);
      if (seek !== undefined) replay.seek(seek as EpochSeconds);
      if (playing !== undefined) replay.setPlaying(playing);
      const last = sub.lastReplay;
      if (last === null) return { replay: null };
      // What was asked, as far as the service knows it; the next frame carries the replay's own position.
      let position = last.position;
      if (seek !== undefined && last.start !== null && last.end !== null) {
        position = Math.min(Math.max(Math.floor(seek), last.start), last.end) as EpochSeconds;
      }
      return {
        replay: { ...last, position, speed: speed ?? last.speed, playing: playing ?? last.playing },
      };
    },

    totals(client, subId) {
      const sub = owned(client, subId);
      return sumTotals([...sub.carried, sub.source?.totals() ?? []]);
    },

    window(client, subId, lastSeconds) {
      const sub = owned(client, subId);
      const { spec } = sub;
      const source = sub.source;
      return {
        kind: spec.kind,
        label: 'path' in spec ? `${LABELS[spec.kind]} ${spec.path}` : LABELS[spec.kind],
        note: NOTES[spec.kind],
        sequence: SEQUENCE[spec.kind],
        live: sub.live,
        state: source?.state ?? null,
        counts: source?.window?.(lastSeconds) ?? null,
        outages: sub.outages.map((o) => ({ from: o.from, to: o.to })),
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
