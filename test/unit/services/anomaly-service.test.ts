import { beforeEach, describe, expect, it } from 'vitest';

import type { AlertTable } from '../../../shared/domain/anomaly/alerts.js';
import { addAlert } from '../../../shared/domain/anomaly/alerts.js';
import { DEFAULT_BOSC_SETTINGS, findStream } from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalyMonitor } from '../../../shared/domain/anomaly/monitor.js';
import {
  createAnomalyMonitor,
  monitorContainer,
  monitorSnapshot,
  observe,
  syscallIndex,
} from '../../../shared/domain/anomaly/monitor.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type { AnomalyImportSummary } from '../../../shared/ipc/contract.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type {
  AnomalySourceKind,
  AnomalySourceListener,
  AnomalySourcePort,
  AnomalySourceSpec,
  AnomalyStartOptions,
  FalcoImportPort,
} from '../../../electron/services/anomaly-ports.js';
import type { AnomalyService } from '../../../electron/services/anomaly-service.js';
import { createAnomalyService } from '../../../electron/services/anomaly-service.js';
import type { PushEnvelope } from '../../../electron/services/app-core.js';
import { createAppCore } from '../../../electron/services/app-core-impl.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { createFakeClock } from '../../support/fake-clock.js';
import { createFakeEngine } from '../../support/fake-engine.js';

// The anomaly service with fake ports that drive real monitors (shared/domain/anomaly/monitor.ts), so the
// snapshots it pushes are the real thing; the fakes only decide when states and snapshots happen.

const A = { id: 'wc-1' };
const B = { id: 'ws-2' };
const CID = 'abcdef012345';

/** One started source, driven by the test through its listener. */
interface FakeRun {
  readonly spec: AnomalySourceSpec;
  readonly listener: AnomalySourceListener;
  readonly options: AnomalyStartOptions;
  readonly monitor: AnomalyMonitor;
  disposed: boolean;
  state: SourceState;
}

function fakePort<K extends AnomalySourceKind>(kind: K, clock: FakeClock, runs: FakeRun[]) {
  const port: AnomalySourcePort<K> & { throwOnStart: Error | null } = {
    kind,
    throwOnStart: null,
    start(spec, listener, options) {
      if (port.throwOnStart !== null) throw port.throwOnStart;
      const monitor = options.monitor ?? createAnomalyMonitor({ bosc: options.bosc });
      const run: FakeRun = {
        spec,
        listener,
        options,
        monitor,
        disposed: false,
        state: { phase: 'starting', since: clock.now() },
      };
      runs.push(run);
      listener.onState(run.state);
      return {
        get state() {
          return run.state;
        },
        monitor,
        snapshot: () => monitorSnapshot(monitor, clock.now()),
        dispose() {
          run.disposed = true;
        },
      };
    },
  };
  return port;
}

let clock: FakeClock;
let pushes: PushEnvelope[];
let runs: FakeRun[];
let logs: string[];
let imported: string[];
let service: AnomalyService;

const T0 = 1_700_000_000_000;

const falco: FalcoImportPort = {
  importFile(path: string, table: AlertTable): Promise<AnomalyImportSummary> {
    imported.push(path);
    if (path.endsWith('missing.json'))
      return Promise.reject(new BulkheadError('not-found', `There is no Falco alert file at ${path}.`));
    addAlert(table, {
      source: 'falco',
      ruleId: 'Write below binary dir',
      title: 'Write below binary dir',
      severity: 'high',
      rationale: null,
      container: { id: CID, name: 'web' },
      time: (T0 - 5000) as EpochMillis,
      syscall: null,
      process: 'touch',
      detail: 'File below a known binary directory opened for writing',
      tags: [],
      hostname: 'localhost',
    });
    return Promise.resolve({ path, lines: 2, alerts: 1, dropped: 0, malformed: 1, errors: [] });
  },
};

beforeEach(() => {
  clock = createFakeClock(T0);
  pushes = [];
  runs = [];
  logs = [];
  imported = [];
  service = createAnomalyService({
    ports: { bpf: fakePort('bpf', clock, runs), 'sysdig-capture': fakePort('sysdig-capture', clock, runs) },
    falco,
    clock,
    publish: (p) => pushes.push(p),
    log: (l) => logs.push(l),
  });
});

const snapshotPushes = (subId?: string) =>
  pushes
    .filter((p) => p.channel === 'anomaly:snapshot')
    .map((p) => p as PushEnvelope<'anomaly:snapshot'>)
    .filter((p) => subId === undefined || p.payload.subId === subId);
const statePushes = (subId?: string) =>
  pushes
    .filter((p) => p.channel === 'anomaly:state')
    .map((p) => p as PushEnvelope<'anomaly:state'>)
    .filter((p) => subId === undefined || p.payload.subId === subId);

const setState = (run: FakeRun, state: SourceState): void => {
  run.state = state;
  run.listener.onState(state);
};
const streaming = (run: FakeRun): void => setState(run, { phase: 'streaming', since: clock.now() });
const failed = (run: FakeRun): void =>
  setState(run, {
    phase: 'failed',
    since: clock.now(),
    error: { code: 'bpftrace-failed', message: 'bpftrace was killed' },
    diagnostics: 'Killed',
  });

/** Feed `n` syscalls of one container into a run's monitor, then hand the run's listener a snapshot. */
function feed(run: FakeRun, n: number, syscall = 'read'): void {
  const c = monitorContainer(run.monitor, CID, null)!;
  const index = syscallIndex(run.monitor, syscall);
  for (let i = 0; i < n; i++) observe(run.monitor, c, index, Math.floor(clock.now() / 1000), null);
  run.listener.onSnapshot(monitorSnapshot(run.monitor, clock.now()));
}

const CAPTURE = { kind: 'sysdig-capture', path: '/tmp/k8s.scap' } as const;

describe('anomaly service: subscriptions', () => {
  it('starts a source per subscribe with the checked settings, addresses pushes to the owner, and unsubscribe disposes it', () => {
    const a = service.subscribe(A, { source: CAPTURE, settings: { epochSize: 200, trainingEpochs: 10 } });
    const b = service.subscribe(B, { source: { kind: 'bpf' } });
    expect(a.subId).not.toBe(b.subId);
    expect(a.state.phase).toBe('starting');
    expect(a.settings).toEqual({ ...DEFAULT_BOSC_SETTINGS, epochSize: 200, trainingEpochs: 10 });
    expect(b.settings).toEqual(DEFAULT_BOSC_SETTINGS);
    expect(runs.map((r) => r.spec)).toEqual([CAPTURE, { kind: 'bpf' }]);
    expect(runs[0]!.options.bosc).toEqual(a.settings);
    expect(runs[0]!.options.monitor).toBeUndefined();
    expect(statePushes().map((p) => [p.payload.subId, p.to, p.payload.state.phase])).toEqual([
      [a.subId, A.id, 'starting'],
      [b.subId, B.id, 'starting'],
    ]);

    feed(runs[0]!, 50);
    expect(snapshotPushes(a.subId).map((p) => p.to)).toEqual([A.id]);
    expect(snapshotPushes(a.subId)[0]!.payload.snapshot.containers.map((c) => c.key)).toEqual([CID]);
    expect(snapshotPushes(a.subId)[0]!.payload.outages).toEqual([]);

    expect(() => service.unsubscribe(B, { subId: a.subId })).toThrow(/no anomaly subscription/);
    expect(runs[0]!.disposed).toBe(false);
    expect(service.unsubscribe(A, { subId: a.subId })).toEqual({ subId: a.subId });
    expect(runs[0]!.disposed).toBe(true);
    expect(service.count()).toBe(1);
    const before = pushes.length;
    feed(runs[0]!, 10);
    runs[0]!.listener.onState({ phase: 'exited', since: clock.now(), reason: 'disposed' });
    expect(pushes.length).toBe(before);
  });

  it("a closed client's subscriptions are all disposed, and nobody else's", () => {
    service.subscribe(A, { source: { kind: 'bpf' } });
    service.subscribe(A, { source: CAPTURE });
    service.subscribe(B, { source: CAPTURE });
    service.clientClosed(A.id);
    expect(runs.map((r) => r.disposed)).toEqual([true, true, false]);
    expect(service.count()).toBe(1);
    service.clientClosed('nobody');
    expect(service.count()).toBe(1);
    service.dispose();
    expect(runs[2]!.disposed).toBe(true);
    expect(() => service.subscribe(A, { source: CAPTURE })).toThrow(/shut down/);
  });

  it('bounds the subscriptions a client may hold', () => {
    for (let i = 0; i < 4; i++) service.subscribe(A, { source: CAPTURE });
    expect(() => service.subscribe(A, { source: CAPTURE })).toThrow(/at most 4 anomaly subscriptions/);
    // Another client is not affected, and one freed slot can be used again.
    expect(() => service.subscribe(B, { source: CAPTURE })).not.toThrow();
    service.clientClosed(A.id);
    expect(() => service.subscribe(A, { source: CAPTURE })).not.toThrow();
  });

  it('refuses settings the detector refuses, before any source starts', () => {
    const bad = () =>
      service.subscribe(A, {
        source: CAPTURE,
        settings: { epochSize: 100, threshold: { kind: 'count', value: 100 } },
      });
    expect(bad).toThrow(BulkheadError);
    expect(bad).toThrow(/BoSC settings: threshold count must be an integer from 0 to 99/);
    expect(runs).toEqual([]);
    expect(service.count()).toBe(0);
  });

  it('a kind without a port fails with a clear message', () => {
    const bare = createAnomalyService({ ports: {}, clock, publish: () => undefined });
    expect(() => bare.subscribe(A, { source: { kind: 'bpf' } })).toThrow(
      'The eBPF sequence source is not part of this build.',
    );
  });

  it('a start that throws is the caller’s error and leaves nothing registered', () => {
    const port = fakePort('bpf', clock, runs);
    port.throwOnStart = new BulkheadError('bpftrace-missing', 'no bpftrace');
    const s = createAnomalyService({ ports: { bpf: port }, clock, publish: () => undefined });
    expect(() => s.subscribe(A, { source: { kind: 'bpf' } })).toThrow('no bpftrace');
    expect(s.count()).toBe(0);
  });
});

describe('anomaly service: snapshots are bounded', () => {
  it('sends at most one snapshot per 250 ms, the newest replacing one still waiting, and keeps states in order', async () => {
    const { subId } = service.subscribe(A, { source: CAPTURE });
    const run = runs[0]!;
    streaming(run);
    for (let i = 0; i < 10; i++) feed(run, 10);
    // The first goes out at once; the other nine collapse into one that waits for the interval.
    expect(snapshotPushes(subId)).toHaveLength(1);
    expect(snapshotPushes(subId)[0]!.payload.snapshot.containers[0]!.bosc!.syscalls).toBe(10);
    await clock.advance(249);
    expect(snapshotPushes(subId)).toHaveLength(1);
    await clock.advance(1);
    expect(snapshotPushes(subId)).toHaveLength(2);
    expect(snapshotPushes(subId)[1]!.payload.snapshot.containers[0]!.bosc!.syscalls).toBe(100);

    // A snapshot, then the end of the capture: the state waits behind the snapshot, never overtakes it.
    feed(run, 5);
    setState(run, { phase: 'exited', since: clock.now(), reason: 'end-of-input' });
    const tail = () =>
      pushes
        .filter((p) => p.channel === 'anomaly:snapshot' || p.channel === 'anomaly:state')
        .slice(-2)
        .map((p) => p.channel);
    expect(statePushes(subId).map((p) => p.payload.state.phase)).toEqual(['starting', 'streaming']);
    await clock.advance(250);
    expect(tail()).toEqual(['anomaly:snapshot', 'anomaly:state']);
    expect(snapshotPushes(subId).at(-1)!.payload.snapshot.containers[0]!.bosc!.syscalls).toBe(105);
    // A capture read to its end is not restarted.
    await clock.advance(10_000);
    expect(runs).toHaveLength(1);
  });

  it('over a long run, never more than 4 snapshots a second however fast the source sends', async () => {
    const { subId } = service.subscribe(A, { source: CAPTURE });
    const run = runs[0]!;
    streaming(run);
    for (let ms = 0; ms < 5000; ms += 10) {
      feed(run, 1);
      await clock.advance(10);
    }
    const times = snapshotPushes(subId).map((_, i) => i);
    expect(times.length).toBeGreaterThanOrEqual(19);
    expect(times.length).toBeLessThanOrEqual(21);
  });
});

describe('anomaly service: failures and restarts', () => {
  it('a source that fails before it streamed reports the adapter’s error and is not restarted', async () => {
    const { subId } = service.subscribe(A, { source: { kind: 'bpf' } });
    setState(runs[0]!, {
      phase: 'failed',
      since: clock.now(),
      error: { code: 'bpftrace-missing', message: 'bpftrace is not installed (no bpftrace on PATH).' },
      diagnostics: '',
    });
    await clock.advance(30_000);
    expect(runs).toHaveLength(1);
    const last = statePushes(subId).at(-1)!.payload.state;
    expect(last).toMatchObject({ phase: 'failed', error: { code: 'bpftrace-missing' } });
    expect(service.count()).toBe(1);
  });

  it('a capture that fails says so and is not restarted', async () => {
    const { subId } = service.subscribe(A, { source: CAPTURE });
    streaming(runs[0]!);
    setState(runs[0]!, {
      phase: 'failed',
      since: clock.now(),
      error: { code: 'capture-unreadable', message: '/tmp/k8s.scap is truncated' },
      diagnostics: '',
    });
    await clock.advance(30_000);
    expect(runs).toHaveLength(1);
    expect(statePushes(subId).at(-1)!.payload.state.phase).toBe('failed');
  });

  it('restarts the live tracer with backoff into the same monitor, restarting every window across the gap, and marks the outage', async () => {
    const { subId } = service.subscribe(A, { source: { kind: 'bpf' } });
    const first = runs[0]!;
    streaming(first);
    feed(first, 25);
    const stream = findStream(first.monitor.detector, CID)!;
    expect(stream.s.gaps).toBe(0);

    await clock.advance(1000);
    failed(first);
    expect(statePushes(subId).at(-1)!.payload.state.phase).toBe('failed');
    expect(stream.s.gaps).toBe(1);
    expect(logs.some((l) => l.includes('restarting in 250 ms'))).toBe(true);

    await clock.advance(249);
    expect(runs).toHaveLength(1);
    await clock.advance(1);
    expect(runs).toHaveLength(2);
    const second = runs[1]!;
    // What was learnt carries over: the restarted tracer feeds the first monitor.
    expect(second.options.monitor).toBe(first.monitor);
    expect(second.options.bosc).toEqual(first.options.bosc);
    // A late call from the dead run changes nothing.
    const count = pushes.length;
    first.listener.onSnapshot(monitorSnapshot(first.monitor, clock.now()));
    first.listener.onState({ phase: 'exited', since: clock.now(), reason: 'disposed' });
    expect(pushes.length).toBe(count);

    await clock.advance(2000);
    streaming(second);
    feed(second, 5);
    await clock.advance(250);
    const last = snapshotPushes(subId).at(-1)!.payload;
    expect(last.snapshot.containers[0]!.bosc!.syscalls).toBe(30);
    expect(last.snapshot.containers[0]!.bosc!.gaps).toBe(1);
    const failedAt = Math.floor((T0 + 1000) / 1000);
    expect(last.outages).toEqual([{ from: failedAt, to: Math.floor((T0 + 3250) / 1000) }]);

    // A second failure soon after waits longer (500 ms); a run of 5 s or more starts over at 250 ms.
    failed(second);
    await clock.advance(499);
    expect(runs).toHaveLength(2);
    await clock.advance(1);
    expect(runs).toHaveLength(3);
    streaming(runs[2]!);
    await clock.advance(6000);
    failed(runs[2]!);
    await clock.advance(250);
    expect(runs).toHaveLength(4);

    // Unsubscribing while a restart waits cancels it.
    failed(runs[3]!);
    service.unsubscribe(A, { subId });
    await clock.advance(10_000);
    expect(runs).toHaveLength(4);
  });

  it('a restart that throws is reported as failed and tried again later', async () => {
    const port = fakePort('bpf', clock, runs);
    const s = createAnomalyService({
      ports: { bpf: port },
      clock,
      publish: (p) => pushes.push(p),
      log: () => undefined,
    });
    const { subId } = s.subscribe(A, { source: { kind: 'bpf' } });
    streaming(runs[0]!);
    failed(runs[0]!);
    port.throwOnStart = new Error('spawn EAGAIN');
    await clock.advance(250);
    expect(statePushes(subId).at(-1)!.payload.state).toMatchObject({
      phase: 'failed',
      error: { code: 'bpftrace-failed', message: 'spawn EAGAIN' },
    });
    port.throwOnStart = null;
    await clock.advance(500);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.options.monitor).toBe(runs[0]!.monitor);
  });
});

describe('anomaly service: Falco import', () => {
  it('folds the file into the subscription’s timeline and pushes it, also after a capture ended', async () => {
    const { subId } = service.subscribe(A, { source: CAPTURE });
    streaming(runs[0]!);
    feed(runs[0]!, 10);
    setState(runs[0]!, { phase: 'exited', since: clock.now(), reason: 'end-of-input' });
    await clock.advance(1000);
    const summary = await service.importFalco(A, { subId, path: '/tmp/events.json' });
    expect(summary).toEqual({
      path: '/tmp/events.json',
      lines: 2,
      alerts: 1,
      dropped: 0,
      malformed: 1,
      errors: [],
    });
    const last = snapshotPushes(subId).at(-1)!;
    expect(last.to).toBe(A.id);
    expect(last.payload.snapshot.alerts.map((a) => [a.source, a.ruleId, a.container?.id])).toEqual([
      ['falco', 'Write below binary dir', CID],
    ]);
    // The alerts are in the source's own monitor: a later snapshot of the source keeps them.
    expect(runs[0]!.monitor.alerts.hits).toBe(1);
  });

  it('only the owner may import, a missing file is its error, and a build without the reader says so', async () => {
    const { subId } = service.subscribe(A, { source: CAPTURE });
    await expect(service.importFalco(B, { subId, path: '/tmp/events.json' })).rejects.toThrow(
      /no anomaly subscription/,
    );
    await expect(service.importFalco(A, { subId, path: '/tmp/missing.json' })).rejects.toMatchObject({
      code: 'not-found',
    });
    // A failed import does not block the next.
    await expect(service.importFalco(A, { subId, path: '/tmp/events.json' })).resolves.toMatchObject({
      alerts: 1,
    });
    const bare = createAnomalyService({
      ports: { 'sysdig-capture': fakePort('sysdig-capture', clock, runs) },
      clock,
      publish: () => undefined,
    });
    const other = bare.subscribe(A, { source: CAPTURE });
    await expect(bare.importFalco(A, { subId: other.subId, path: '/tmp/events.json' })).rejects.toThrow(
      'Importing Falco alerts is not part of this build.',
    );
  });
});

describe('anomaly service in the app core', () => {
  it('without anomaly ports, subscribe fails as data with a clear message; with them, closing a client disposes its subscriptions', async () => {
    const engine = createFakeEngine();
    const demo = { load: () => Promise.resolve(null) };
    const bare = createAppCore({ engine, demo, clock, mode: 'browser', version: 't' });
    expect(await bare.dispatch('anomaly:subscribe', { source: { kind: 'bpf' } }, A)).toEqual({
      ok: false,
      error: {
        code: 'bad-request',
        message:
          'Anomaly detection is not part of this build: no syscall sequence source is wired into this engine.',
      },
    });
    // The schema runs first: a count-only source never reaches the service.
    const refused = await bare.dispatch(
      'anomaly:subscribe',
      { source: { kind: 'recording', path: '/tmp/r' } },
      A,
    );
    expect(refused.ok).toBe(false);
    await bare.dispose();

    const core = createAppCore({
      engine,
      demo,
      clock,
      mode: 'browser',
      version: 't',
      anomaly: { ports: { 'sysdig-capture': fakePort('sysdig-capture', clock, runs) }, falco },
    });
    const seen: PushEnvelope[] = [];
    core.pushes.subscribe((p) => seen.push(p));
    const r = await core.dispatch('anomaly:subscribe', { source: CAPTURE }, A);
    expect(r.ok).toBe(true);
    expect(seen.map((p) => [p.channel, p.to])).toEqual([['anomaly:state', A.id]]);
    core.clientClosed(A.id);
    expect(runs.at(-1)!.disposed).toBe(true);
    await core.dispose();
  });
});
