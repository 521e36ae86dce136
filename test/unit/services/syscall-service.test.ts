import { beforeEach, describe, expect, it } from 'vitest';

import type {
  EpochSeconds,
  Gap,
  ReplaySpeed,
  SourceState,
  SubjectTotals,
  SyscallFrame,
  SysdigContainerId,
} from '../../../shared/domain/syscalls/model.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { PushEnvelope } from '../../../electron/services/app-core.js';
import { createAppCore } from '../../../electron/services/app-core-impl.js';
import type {
  SyscallSource,
  SyscallSourceKind,
  SyscallSourceListener,
  SyscallSourcePort,
  SyscallSourceSpec,
  SyscallToolFacts,
} from '../../../electron/services/syscall-ports.js';
import type { SyscallService } from '../../../electron/services/syscall-service.js';
import { createSyscallService, markOutages, sumTotals } from '../../../electron/services/syscall-service.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { createFakeClock } from '../../support/fake-clock.js';
import { createFakeEngine } from '../../support/fake-engine.js';

const A = { id: 'wc-1' };
const B = { id: 'ws-2' };
const CID = 'abcdef012345' as SysdigContainerId;

/** One started source, driven by the test through its listener. */
interface FakeRun {
  readonly spec: SyscallSourceSpec;
  readonly listener: SyscallSourceListener;
  disposed: boolean;
  state: SourceState;
  totals: SubjectTotals[];
  readonly controls: string[];
}

/** A port that starts FakeRuns; `throwOnStart` makes the next start throw. */
function fakePort<K extends SyscallSourceKind>(kind: K, clock: FakeClock, runs: FakeRun[], replay: boolean) {
  const port: SyscallSourcePort<K> & { throwOnStart: Error | null } = {
    kind,
    throwOnStart: null,
    start(spec, listener): SyscallSource {
      if (port.throwOnStart !== null) throw port.throwOnStart;
      const run: FakeRun = {
        spec,
        listener,
        disposed: false,
        state: { phase: 'starting', since: clock.now() },
        totals: [],
        controls: [],
      };
      runs.push(run);
      listener.onState(run.state);
      return {
        get state() {
          return run.state;
        },
        replay: replay
          ? {
              seek: (s: EpochSeconds) => void run.controls.push(`seek ${s}`),
              setSpeed: (s: ReplaySpeed) => void run.controls.push(`speed ${s}`),
              setPlaying: (p: boolean) => void run.controls.push(`playing ${p}`),
            }
          : null,
        totals: () => run.totals,
        dispose() {
          run.disposed = true;
        },
      };
    },
  };
  return port;
}

function frame(now: number, extra: Partial<SyscallFrame> = {}): SyscallFrame {
  return {
    seq: 0,
    now: now as EpochSeconds,
    windowSeconds: 60,
    subjects: [],
    totalEvents: 0,
    dropped: { overflow: 0, late: 0, malformed: 0 },
    gaps: [],
    keys: { used: 0, max: 4096 },
    ...extra,
  };
}

const FACTS: SyscallToolFacts = {
  isRoot: true,
  bpftraceOnPath: true,
  sysdigOnPath: true,
  sysdigDriverPresent: false,
};

let clock: FakeClock;
let pushes: PushEnvelope[];
let runs: FakeRun[];
let logs: string[];
let ports: {
  'sysdig-live': ReturnType<typeof fakePort<'sysdig-live'>>;
  'sysdig-capture': ReturnType<typeof fakePort<'sysdig-capture'>>;
};
let service: SyscallService;

const T0 = 1_700_000_000_000;
const sec = (ms: number): number => Math.floor(ms / 1000);

beforeEach(() => {
  clock = createFakeClock(T0);
  pushes = [];
  runs = [];
  logs = [];
  ports = {
    'sysdig-live': fakePort('sysdig-live', clock, runs, false),
    'sysdig-capture': fakePort('sysdig-capture', clock, runs, true),
  };
  service = createSyscallService({
    ports,
    probe: { probe: () => Promise.resolve(FACTS) },
    clock,
    publish: (p) => pushes.push(p),
    log: (l) => logs.push(l),
  });
});

const framePushes = (subId?: string) =>
  pushes
    .filter((p) => p.channel === 'syscalls:frame')
    .map((p) => p as PushEnvelope<'syscalls:frame'>)
    .filter((p) => subId === undefined || p.payload.subId === subId);
const statePushes = (subId?: string) =>
  pushes
    .filter((p) => p.channel === 'syscalls:state')
    .map((p) => p as PushEnvelope<'syscalls:state'>)
    .filter((p) => subId === undefined || p.payload.subId === subId);

const streaming = (run: FakeRun): void => {
  run.state = { phase: 'streaming', since: clock.now() };
  run.listener.onState(run.state);
};
const failed = (run: FakeRun): void => {
  run.state = {
    phase: 'failed',
    since: clock.now(),
    error: { code: 'sysdig-failed', message: 'sysdig was killed' },
    diagnostics: '',
  };
  run.listener.onState(run.state);
};

describe('syscall service: subscriptions', () => {
  it('starts a source per subscribe, addresses its pushes to the owner, and unsubscribe disposes it', () => {
    const a = service.subscribe(A, { source: { kind: 'sysdig-capture', path: '/x.scap', speed: 'max' } });
    const b = service.subscribe(B, { source: { kind: 'sysdig-live' } });
    expect(a.subId).not.toBe(b.subId);
    expect(a.state.phase).toBe('starting');
    expect(runs.map((r) => r.spec)).toEqual([
      { kind: 'sysdig-capture', path: '/x.scap', speed: 'max' },
      { kind: 'sysdig-live' },
    ]);
    expect(service.count()).toBe(2);
    // `starting` went out to each owner only.
    expect(statePushes().map((p) => [p.payload.subId, p.to, p.payload.state.phase])).toEqual([
      [a.subId, A.id, 'starting'],
      [b.subId, B.id, 'starting'],
    ]);

    runs[0]!.listener.onFrame(frame(100));
    expect(framePushes(a.subId).map((p) => p.to)).toEqual([A.id]);

    // Another client cannot unsubscribe or control it.
    expect(() => service.unsubscribe(B, { subId: a.subId })).toThrow(/no syscall subscription/);
    expect(runs[0]!.disposed).toBe(false);
    expect(service.unsubscribe(A, { subId: a.subId })).toEqual({ subId: a.subId });
    expect(runs[0]!.disposed).toBe(true);
    expect(service.count()).toBe(1);
    // Late calls from the disposed source go nowhere.
    const before = pushes.length;
    runs[0]!.listener.onFrame(frame(101));
    runs[0]!.listener.onState({ phase: 'exited', since: clock.now(), reason: 'disposed' });
    expect(pushes.length).toBe(before);
    expect(() => service.unsubscribe(A, { subId: a.subId })).toThrow(BulkheadError);
  });

  it("a closed client's subscriptions are all disposed, and nobody else's", () => {
    service.subscribe(A, { source: { kind: 'sysdig-live' } });
    service.subscribe(A, { source: { kind: 'sysdig-capture', path: '/x.scap', speed: 1 } });
    service.subscribe(B, { source: { kind: 'sysdig-live' } });
    service.clientClosed(A.id);
    expect(runs.map((r) => r.disposed)).toEqual([true, true, false]);
    expect(service.count()).toBe(1);
    service.clientClosed('nobody');
    expect(service.count()).toBe(1);
    service.dispose();
    expect(runs.map((r) => r.disposed)).toEqual([true, true, true]);
    expect(() => service.subscribe(A, { source: { kind: 'sysdig-live' } })).toThrow(/shut down/);
  });

  it('refuses kinds without a port with a clear code, and bounds subscriptions per client', () => {
    expect(() => service.subscribe(A, { source: { kind: 'bpf' } })).toThrow(
      expect.objectContaining({ code: 'bpftrace-missing' }) as unknown,
    );
    expect(() => service.subscribe(A, { source: { kind: 'recording', path: '/r', speed: 1 } })).toThrow(
      expect.objectContaining({ code: 'bad-request' }) as unknown,
    );
    for (let i = 0; i < 16; i++) service.subscribe(A, { source: { kind: 'sysdig-live' } });
    expect(() => service.subscribe(A, { source: { kind: 'sysdig-live' } })).toThrow(/at most 16/);
    expect(() => service.subscribe(B, { source: { kind: 'sysdig-live' } })).not.toThrow();
    expect(service.count()).toBe(17);
  });

  it('a port that throws on start fails the subscribe and leaves nothing registered', () => {
    ports['sysdig-live'].throwOnStart = new BulkheadError('sysdig-missing', 'no sysdig');
    expect(() => service.subscribe(A, { source: { kind: 'sysdig-live' } })).toThrow(/no sysdig/);
    expect(service.count()).toBe(0);
  });
});

describe('syscall service: frame rate', () => {
  it('forwards at most one frame per 250 ms, the newest one, renumbered, states kept in order', async () => {
    const { subId } = service.subscribe(A, { source: { kind: 'sysdig-capture', path: '/x', speed: 'max' } });
    const run = runs[0]!;
    streaming(run);
    // A misbehaving adapter: 10 frames in 100 ms.
    for (let i = 0; i < 10; i++) {
      run.listener.onFrame(frame(200 + i, { seq: 1000 + i }));
      await clock.advance(10);
    }
    expect(framePushes(subId).map((p) => p.payload.frame.now)).toEqual([200]);
    await clock.advance(150);
    // At 250 ms the newest waiting frame went out; the ones in between were replaced (summaries, no loss).
    expect(framePushes(subId).map((p) => p.payload.frame.now)).toEqual([200, 209]);
    expect(framePushes(subId).map((p) => p.payload.frame.seq)).toEqual([0, 1]);

    // A frame, then the end of input, within the bound: the state waits behind the frame.
    run.listener.onFrame(frame(210));
    run.state = { phase: 'exited', since: clock.now(), reason: 'end-of-input' };
    run.listener.onState(run.state);
    const tail = () =>
      pushes
        .filter((p) => p.channel === 'syscalls:frame' || p.channel === 'syscalls:state')
        .slice(-2)
        .map((p) => p.channel);
    expect(framePushes(subId)).toHaveLength(2);
    await clock.advance(250);
    expect(tail()).toEqual(['syscalls:frame', 'syscalls:state']);
    expect(framePushes(subId).at(-1)?.payload.frame.now).toBe(210);

    // Every forwarded frame is at least 250 ms after the previous one.
    const times: number[] = [];
    const timed = createSyscallService({
      ports,
      probe: { probe: () => Promise.resolve(FACTS) },
      clock,
      publish: (p) => {
        if (p.channel === 'syscalls:frame') times.push(clock.now());
      },
    });
    timed.subscribe(A, { source: { kind: 'sysdig-live' } });
    const live = runs.at(-1)!;
    streaming(live);
    for (let i = 0; i < 200; i++) {
      live.listener.onFrame(frame(300 + i));
      await clock.advance(7);
    }
    await clock.advance(300);
    expect(times.length).toBeGreaterThan(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(250);
    // 1.4 s of frames → at most 1 + 1400/250 forwarded.
    expect(times.length).toBeLessThanOrEqual(1 + Math.ceil(1700 / 250));
  });
});

describe('syscall service: restarts', () => {
  it('restarts a live source that fails after streaming, with backoff 250 ms doubling to 5 s, and marks the gap', async () => {
    const { subId } = service.subscribe(A, { source: { kind: 'sysdig-live' } });
    streaming(runs[0]!);
    runs[0]!.totals = [{ subject: { kind: 'host' }, total: 5, bySyscall: { read: 5 } }];
    await clock.advance(10_000);
    const failedAt = clock.now();
    failed(runs[0]!);
    expect(statePushes(subId).at(-1)?.payload.state.phase).toBe('failed');
    // Noticed at once; restarted 250 ms later.
    await clock.advance(249);
    expect(runs).toHaveLength(1);
    await clock.advance(1);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.spec).toEqual({ kind: 'sysdig-live' });
    expect(logs.some((l) => l.includes('restarting in 250 ms'))).toBe(true);

    // Fails again at once (before streaming): 500, then 1000, 2000, 4000, 5000, 5000 ms.
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      failed(runs.at(-1)!);
      const startedBefore = runs.length;
      const t = clock.now();
      while (runs.length === startedBefore) await clock.advance(50);
      delays.push(clock.now() - t);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000]);

    // The tracer comes back: the outage is marked in its frames as tracer-restart.
    const back = runs.at(-1)!;
    back.totals = [{ subject: { kind: 'host' }, total: 2, bySyscall: { read: 1, write: 1 } }];
    streaming(back);
    const restartedAt = clock.now();
    await clock.advance(1000);
    const now = sec(clock.now());
    back.listener.onFrame(
      frame(now, {
        gaps: [
          { from: (now - 59) as EpochSeconds, to: (sec(restartedAt) - 1) as EpochSeconds, reason: 'no-data' },
        ],
      }),
    );
    const gaps = framePushes(subId).at(-1)?.payload.frame.gaps;
    expect(gaps).toContainEqual({ from: sec(failedAt), to: sec(restartedAt), reason: 'tracer-restart' });
    expect(gaps?.find((g) => g.reason === 'no-data')?.to).toBe(sec(failedAt) - 1);
    // Totals add up every run.
    expect(service.totals(A, subId)).toEqual([
      { subject: { kind: 'host' }, total: 7, bySyscall: { read: 6, write: 1 } },
    ]);

    // After a long healthy run the backoff is back at 250 ms.
    await clock.advance(6_000);
    failed(back);
    const n = runs.length;
    await clock.advance(250);
    expect(runs.length).toBe(n + 1);

    // Unsubscribing during a pending restart cancels it.
    failed(runs.at(-1)!);
    service.unsubscribe(A, { subId });
    await clock.advance(10_000);
    expect(runs.length).toBe(n + 1);
  });

  it('does not restart captures, nor a live source that failed before it ever streamed', async () => {
    service.subscribe(A, { source: { kind: 'sysdig-capture', path: '/x', speed: 'max' } });
    streaming(runs[0]!);
    failed(runs[0]!);
    service.subscribe(A, { source: { kind: 'sysdig-live' } });
    runs[1]!.state = {
      phase: 'failed',
      since: clock.now(),
      error: { code: 'sysdig-driver-missing', message: 'no /dev/scap0' },
      diagnostics: '',
    };
    runs[1]!.listener.onState(runs[1]!.state);
    await clock.advance(30_000);
    expect(runs).toHaveLength(2);
    expect(statePushes().map((p) => p.payload.state.phase)).toEqual([
      'starting',
      'streaming',
      'failed',
      'starting',
      'failed',
    ]);
  });

  it('a live source that ends its input after streaming (the tracer exited) is restarted too', async () => {
    service.subscribe(A, { source: { kind: 'sysdig-live' } });
    streaming(runs[0]!);
    runs[0]!.state = { phase: 'exited', since: clock.now(), reason: 'end-of-input' };
    runs[0]!.listener.onState(runs[0]!.state);
    await clock.advance(250);
    expect(runs).toHaveLength(2);
  });
});

describe('syscall service: control and sources', () => {
  it('routes replay controls to the owner’s replay, refuses live sources and other clients', () => {
    const { subId } = service.subscribe(A, { source: { kind: 'sysdig-capture', path: '/x', speed: 1 } });
    expect(service.control(A, { subId, speed: 10, seek: 150, playing: false })).toEqual({ replay: null });
    expect(runs[0]!.controls).toEqual(['speed 10', 'seek 150', 'playing false']);
    runs[0]!.listener.onFrame(
      frame(120, {
        replay: {
          start: 100 as EpochSeconds,
          end: 200 as EpochSeconds,
          position: 120 as EpochSeconds,
          speed: 10,
          playing: false,
          complete: true,
        },
      }),
    );
    expect(service.control(A, { subId, seek: 500.7 }).replay).toMatchObject({ position: 200, speed: 10 });
    expect(() => service.control(B, { subId, playing: true })).toThrow(/no syscall subscription/);
    const live = service.subscribe(A, { source: { kind: 'sysdig-live' } });
    expect(() => service.control(A, { subId: live.subId, playing: true })).toThrow(/live source/);
  });

  it('says which kinds can start here and why not, with sequence and a note each', async () => {
    const infos = await service.sources();
    expect(infos.map((i) => [i.kind, i.available, i.sequence])).toEqual([
      ['bpf', false, false],
      ['sysdig-live', false, true],
      ['sysdig-capture', true, true],
      ['recording', false, false],
      ['lab-session', false, false],
    ]);
    expect(infos[0]!.reason).toMatch(/not part of this build/);
    expect(infos[4]!.reason).toMatch(/Recording replay is not part of this build/);
    expect(infos[1]!.reason).toMatch(/\/dev\/scap0/);
    expect(infos[3]!.reason).toMatch(/not part of this build/);
    for (const i of infos) expect(i.note.length).toBeGreaterThan(10);

    const probed = (facts: SyscallToolFacts) =>
      createSyscallService({
        ports: { ...ports, bpf: fakePort('bpf', clock, runs, false) },
        probe: { probe: () => Promise.resolve(facts) },
        clock,
        publish: () => undefined,
      }).sources();
    const none = await probed({
      isRoot: false,
      bpftraceOnPath: false,
      sysdigOnPath: false,
      sysdigDriverPresent: false,
    });
    expect(none.map((i) => i.reason)).toEqual([
      expect.stringMatching(/bpftrace is not installed/),
      expect.stringMatching(/sysdig is not installed/),
      expect.stringMatching(/needs sysdig/),
      expect.stringMatching(/not part of this build/),
      expect.stringMatching(/not part of this build/),
    ]);
    const notRoot = await probed({ ...FACTS, isRoot: false, sysdigDriverPresent: true });
    expect(notRoot.map((i) => i.available)).toEqual([false, false, true, false, false]);
    expect(notRoot[0]!.reason).toMatch(/root/);
    const all = await probed({ ...FACTS, sysdigDriverPresent: true });
    expect(all.slice(0, 3).map((i) => [i.available, i.reason])).toEqual([
      [true, null],
      [true, null],
      [true, null],
    ]);
  });
});

describe('the recorded lab session', () => {
  const none: SyscallToolFacts = {
    isRoot: false,
    bpftraceOnPath: false,
    sysdigOnPath: false,
    sysdigDriverPresent: false,
  };
  const withSession = (present: boolean) => {
    const recording = fakePort('recording', clock, runs, true);
    return createSyscallService({
      ports: { recording },
      probe: { probe: () => Promise.resolve(none) },
      clock,
      publish: (p) => pushes.push(p),
      labSession: { path: '/app/assets/demo/lab-session.jsonl', present: () => Promise.resolve(present) },
    });
  };

  it('is available with no engine and no tracer, as long as the file is there', async () => {
    const infos = await withSession(true).sources();
    const lab = infos.find((i) => i.kind === 'lab-session');
    expect(lab).toMatchObject({ available: true, reason: null, sequence: false });
    expect(lab!.label).toBe('Recorded lab session (recording)');
    expect(lab!.note).toMatch(/^RECORDING, not live/);
    // Nothing live can start here.
    expect(infos.filter((i) => i.kind === 'bpf' || i.kind === 'sysdig-live').map((i) => i.available)).toEqual(
      [false, false],
    );
    const missing = (await withSession(false).sources()).find((i) => i.kind === 'lab-session');
    expect(missing).toMatchObject({ available: false });
    expect(missing!.reason).toMatch(/lab-session\.jsonl is missing/);
  });

  it('starts the recording port on the shipped file, looping, at the speed asked for', () => {
    const svc = withSession(true);
    const { subId } = svc.subscribe(A, { source: { kind: 'lab-session', speed: 10 } });
    expect(runs.at(-1)!.spec).toEqual({
      kind: 'recording',
      path: '/app/assets/demo/lab-session.jsonl',
      speed: 10,
      loop: true,
    });
    // A replay: the scrubber's controls reach it.
    svc.control(A, { subId, seek: 5 });
    expect(runs.at(-1)!.controls).toEqual(['seek 5']);
    // A plain recording loops only when asked.
    svc.subscribe(A, { source: { kind: 'recording', path: '/r.jsonl', speed: 1 } });
    expect(runs.at(-1)!.spec).toEqual({ kind: 'recording', path: '/r.jsonl', speed: 1 });
    svc.subscribe(A, { source: { kind: 'recording', path: '/r.jsonl', speed: 1, loop: true } });
    expect(runs.at(-1)!.spec).toMatchObject({ loop: true });
  });

  it('is refused, saying so, where no session ships', () => {
    const svc = createSyscallService({
      ports: { recording: fakePort('recording', clock, runs, true) },
      probe: { probe: () => Promise.resolve(none) },
      clock,
      publish: () => undefined,
    });
    expect(() => svc.subscribe(A, { source: { kind: 'lab-session', speed: 1 } })).toThrow(
      /No recorded lab session ships with this build/,
    );
  });
});

describe('markOutages and sumTotals', () => {
  const g = (from: number, to: number, reason: Gap['reason']): Gap => ({
    from: from as EpochSeconds,
    to: to as EpochSeconds,
    reason,
  });

  it('overrides the seconds of an outage, splits what it covers, and keeps the rest', () => {
    expect(markOutages([g(0, 9, 'no-data'), g(12, 12, 'dropped')], [{ from: 5, to: 7 }], 0, 20)).toEqual([
      g(0, 4, 'no-data'),
      g(5, 7, 'tracer-restart'),
      g(8, 9, 'no-data'),
      g(12, 12, 'dropped'),
    ]);
    // Clipped to the window; outages outside it change nothing.
    expect(markOutages([], [{ from: -5, to: 2 }], 0, 9)).toEqual([g(0, 2, 'tracer-restart')]);
    expect(markOutages([g(3, 4, 'dropped')], [{ from: 30, to: 40 }], 0, 9)).toEqual([g(3, 4, 'dropped')]);
  });

  it('adds totals of several runs per subject and syscall, naming a container once a name is known', () => {
    const c = (name: string | null) => ({ kind: 'container' as const, id: CID, name });
    expect(
      sumTotals([
        [{ subject: c(null), total: 3, bySyscall: { read: 3 } }],
        [
          { subject: c('web'), total: 4, bySyscall: { read: 1, open: 3 } },
          { subject: { kind: 'unattributed' }, total: 1, bySyscall: { close: 1 } },
        ],
      ]),
    ).toEqual([
      { subject: c('web'), total: 7, bySyscall: { read: 4, open: 3 } },
      { subject: { kind: 'unattributed' }, total: 1, bySyscall: { close: 1 } },
    ]);
  });
});

describe('syscall channels in the app core', () => {
  it('dispatches the four channels with the client, closes a client’s subscriptions, and dispose stops every source', async () => {
    const core = createAppCore({
      engine: createFakeEngine(),
      demo: { load: () => Promise.resolve(null) },
      clock,
      mode: 'browser',
      version: '0',
      onError: () => undefined,
      syscalls: { ports, probe: { probe: () => Promise.resolve(FACTS) } },
    });
    const got: PushEnvelope[] = [];
    core.pushes.subscribe((p) => got.push(p));
    const sources = await core.dispatch('syscalls:sources', {});
    expect(sources.ok && (sources.value as unknown[]).length).toBe(5);
    const live = await core.dispatch('syscalls:subscribe', { source: { kind: 'sysdig-live' } }, A);
    const replay = await core.dispatch(
      'syscalls:subscribe',
      { source: { kind: 'sysdig-capture', path: '/x.scap', speed: 'max' } },
      B,
    );
    const local = await core.dispatch('syscalls:subscribe', { source: { kind: 'sysdig-live' } });
    expect([live.ok, replay.ok, local.ok]).toEqual([true, true, true]);
    const liveId = (live as { value: { subId: string } }).value.subId;
    const replayId = (replay as { value: { subId: string } }).value.subId;
    // Pushes are addressed to the subscriber; in-process callers are the `local` client.
    expect(got.filter((p) => p.channel === 'syscalls:state').map((p) => p.to)).toEqual([A.id, B.id, 'local']);
    // A bad source never reaches a port; a foreign subId is not found.
    const bad = await core.dispatch(
      'syscalls:subscribe',
      { source: { kind: 'sysdig-capture', path: '-rf', speed: 1 } },
      A,
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await core.dispatch('syscalls:control', { subId: replayId, playing: false }, A)).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await core.dispatch('syscalls:control', { subId: replayId, playing: false }, B)).toEqual({
      ok: true,
      value: { replay: null },
    });
    expect(runs[1]!.controls).toEqual(['playing false']);
    core.clientClosed(A.id);
    expect(runs.map((r) => r.disposed)).toEqual([true, false, false]);
    expect(await core.dispatch('syscalls:unsubscribe', { subId: liveId }, A)).toMatchObject({ ok: false });
    await core.dispose();
    expect(runs.map((r) => r.disposed)).toEqual([true, true, true]);
  });
});
