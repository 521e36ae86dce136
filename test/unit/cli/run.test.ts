import { describe, expect, it } from 'vitest';

import { runCli } from '../../../electron/cli/run.js';
import type { CliDeps } from '../../../electron/cli/run.js';
import { sanitizeForTerminal } from '../../../electron/cli/format.js';
import type { AppCore } from '../../../electron/services/app-core.js';
import type { ContainerList, ContainerSummary } from '../../../shared/domain/container.js';
import type { ConnectionState, EndpointDescription } from '../../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { createDispatcher } from '../../../shared/ipc/dispatch.js';
import type { Handlers } from '../../../shared/ipc/dispatch.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { PostureReport } from '../../../shared/ipc/contract.js';
import { REQUEST_CHANNELS } from '../../../shared/ipc/contract.js';
import { assessContainer, assessEngine } from '../../../shared/domain/posture/evaluate.js';
import type { FixtureName } from '../posture/fixtures.js';
import { FIXTURE_DIR, loadInspect, loadKernel, loadLocalHost } from '../posture/fixtures.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { ImageCliDeps } from '../../../electron/cli/images.js';
import { writeTextAtomic } from '../../../electron/cli/image-deps.js';
import type { AdvisoryDbSummary, ImageScanReport } from '../../../shared/domain/images/report.js';
import { alpineReport } from '../images/report-fixture.js';
import { cycloneDxValidator, errorsOf, sarifValidator } from '../images/schema-validators.js';
import { join } from 'node:path';
import type { SyscallSummary } from '../../../electron/cli/format.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { PushEnvelope } from '../../../electron/services/app-core.js';
import type { SyscallSourcePort } from '../../../electron/services/syscall-ports.js';
import { LOCAL_CLIENT, createSyscallService } from '../../../electron/services/syscall-service.js';
import type {
  EpochSeconds,
  SourceState,
  SyscallFrame,
  SysdigContainerId,
} from '../../../shared/domain/syscalls/model.js';

// A fake core built on the real dispatcher: the CLI is tested for what it prints and returns, the engine
// behind it is scripted (the real engine is covered by the integration suite).
const endpoint: EndpointDescription = {
  url: 'unix:///var/run/docker.sock',
  transport: 'unix',
  tls: false,
  source: 'default',
  local: true,
};
const NOW = 1_700_000_000_000;
const summary = (over: Partial<ContainerSummary>): ContainerSummary => ({
  id: 'a'.repeat(64) as ContainerId,
  name: 'web',
  image: 'busybox',
  imageId: 'sha256:' + 'b'.repeat(64),
  state: 'running',
  status: 'Up 5 minutes',
  createdAt: (NOW - 600_000) as EpochMillis,
  startedAt: (NOW - 300_000) as EpochMillis,
  finishedAt: null,
  exitCode: null,
  pid: 4242,
  labels: {},
  ...over,
});

/** A handler for every channel that fails with `not scripted`; tests override the ones they script. */
function notScripted(): Handlers {
  return Object.fromEntries(
    REQUEST_CHANNELS.map((c) => [c, () => Promise.reject(new Error('not scripted'))]),
  ) as unknown as Handlers;
}

function deps(
  list: () => Promise<ContainerList>,
  state?: ConnectionState,
  posture: () => Promise<PostureReport> = () => Promise.reject(new Error('not scripted')),
): CliDeps & { demoRequests: boolean[]; postureRequests: unknown[] } {
  const postureRequests: unknown[] = [];
  const demoRequests: boolean[] = [];
  const handlers: Handlers = {
    ...notScripted(),
    'engine:describe': () =>
      Promise.resolve(state ?? { phase: 'connecting', endpoint, since: NOW as EpochMillis }),
    'containers:list': list,
    'containers:inspect': () => Promise.reject(new BulkheadError('not-found', 'gone')),
    'demo:configure': (r) => {
      demoRequests.push(r.showDemoWhenDisconnected);
      return Promise.resolve({
        version: '0',
        mode: 'cli',
        demoAvailable: true,
        showDemoWhenDisconnected: r.showDemoWhenDisconnected,
      });
    },
    'app:describe': () =>
      Promise.resolve({ version: '0', mode: 'cli', demoAvailable: true, showDemoWhenDisconnected: false }),
    'posture:assess': (r) => {
      postureRequests.push(r);
      return posture();
    },
    'syscalls:sources': () => Promise.reject(new Error('not scripted')),
    'syscalls:subscribe': () => Promise.reject(new Error('not scripted')),
    'syscalls:unsubscribe': () => Promise.reject(new Error('not scripted')),
    'syscalls:control': () => Promise.reject(new Error('not scripted')),
  };
  const core: AppCore = {
    dispatch: createDispatcher(handlers),
    pushes: { subscribe: () => () => undefined },
    start: () => undefined,
    clientClosed: () => undefined,
    dispose: () => Promise.resolve(),
  };
  return {
    demoRequests,
    postureRequests,
    version: '9.9.9',
    createCore: () => core,
    recordDemo: () => Promise.resolve(),
    runWeb: () => Promise.resolve(0),
    now: () => NOW,
  };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('bulkhead CLI', () => {
  it('prints containers as JSON and does not ask for demo data by default', async () => {
    const d = deps(() =>
      Promise.resolve({
        source: { kind: 'live' },
        engineName: 'host',
        containers: [summary({})],
        problems: [],
      }),
    );
    const o = io();
    expect(await runCli(['containers', '--json'], o.io, d)).toBe(0);
    const parsed = JSON.parse(o.out.join('')) as ContainerList;
    expect(parsed.containers[0]?.name).toBe('web');
    expect(d.demoRequests).toEqual([false]);
  });

  it('prints a table with uptime and exit codes', async () => {
    const d = deps(() =>
      Promise.resolve({
        source: { kind: 'live' },
        engineName: 'host',
        containers: [
          summary({}),
          summary({
            id: 'c'.repeat(64) as ContainerId,
            name: 'job',
            state: 'exited',
            exitCode: 3,
            startedAt: null,
          }),
        ],
        problems: [],
      }),
    );
    const o = io();
    expect(await runCli(['containers'], o.io, d)).toBe(0);
    const text = o.out.join('\n');
    expect(text).toContain('aaaaaaaaaaaa');
    expect(text).toContain('running 5m 0s');
    expect(text).toContain('exited (3)');
  });

  it('exits 1 with the engine message when the engine is unreachable', async () => {
    const d = deps(() =>
      Promise.reject(
        new BulkheadError('docker-unreachable', 'Docker engine not reachable at unix:///nope (ENOENT)'),
      ),
    );
    const o = io();
    expect(await runCli(['containers'], o.io, d)).toBe(1);
    expect(o.err.join('')).toContain(
      'Docker engine not reachable at unix:///nope (ENOENT) [docker-unreachable]',
    );
  });

  it('labels demo data when --demo is given', async () => {
    const d = deps(() =>
      Promise.resolve({
        source: {
          kind: 'demo',
          recordedAt: NOW as EpochMillis,
          recordedOn: 'Docker 20.10',
          reason: 'unreachable',
        },
        engineName: 'recorder',
        containers: [summary({})],
        problems: [],
      }),
    );
    const o = io();
    expect(await runCli(['containers', '--demo'], o.io, d)).toBe(0);
    expect(o.out.join('\n')).toMatch(/^DEMO DATA — recorded/);
    expect(d.demoRequests).toEqual([true]);
  });

  it('exits 2 on unknown commands and options', async () => {
    const d = deps(() => Promise.reject(new Error('not called')));
    const o = io();
    expect(await runCli(['frobnicate'], o.io, d)).toBe(2);
    expect(await runCli(['containers', '--jsn'], o.io, d)).toBe(2);
    expect(o.err.join('\n')).toContain('Usage: bulkhead');
  });

  it('neutralises terminal control sequences in hostile names', async () => {
    const hostile = 'evil\u001b[2J\u001b]0;pwned\u0007\nfake line';
    const d = deps(() =>
      Promise.resolve({
        source: { kind: 'live' },
        engineName: 'host',
        containers: [summary({ name: hostile })],
        problems: [],
      }),
    );
    const o = io();
    await runCli(['containers'], o.io, d);
    const text = o.out.join('\n');
    expect(text).not.toContain('\u001b');
    expect(text.split('\n')).toHaveLength(3);
    expect(sanitizeForTerminal('a\u0000b\u2028c')).toBe('a\uFFFDb\uFFFDc');
    expect(sanitizeForTerminal('\u001b]0;x\u0007ab\u202Ecd\u200Be')).toBe(
      '\uFFFD]0;x\uFFFDab⟨U+202E⟩cd⟨U+200B⟩e',
    );
  });
});

/** A posture report assessed by the real core from containers and an engine recorded on a real dockerd. */
async function report(names: readonly FixtureName[]): Promise<PostureReport> {
  const host = await loadLocalHost();
  const doc = (f: string): unknown =>
    JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', f), 'utf8')) as unknown;
  return {
    source: { kind: 'live' },
    assessedAt: NOW as EpochMillis,
    evidenceKind: 'kernel',
    engine: assessEngine(doc('docker-info.json'), doc('docker-version.json'), { icc: true }),
    containers: await Promise.all(
      names.map(async (n) => {
        const inspect = loadInspect(n);
        return {
          id: inspect.Id as ContainerId,
          name: String(inspect.Name).slice(1),
          result: assessContainer({ inspect, kernel: await loadKernel(n) }, host),
        };
      }),
    ),
  };
}

const postureDeps = (r: () => Promise<PostureReport>) =>
  deps(() => Promise.reject(new Error('not called')), undefined, r);

describe('bulkhead posture', () => {
  it('exit 0 when nothing fails at or above high; the table has host and container scores with CIS ids', async () => {
    const d = postureDeps(() => report(['hardened', 'default']));
    const o = io();
    expect(await runCli(['posture'], o.io, d)).toBe(0);
    const text = o.out.join('\n');
    expect(text).toMatch(/^Host \(engine 20\.10\.24\+dfsg1\) {2}\d+\/100 [A-F] /m);
    expect(text).toMatch(
      /^bulkhead-posture-hardened \([0-9a-f]{12}\) {2}96\/100 A .*running, kernel evidence$/m,
    );
    expect(text).toMatch(/^ {2}WARN medium {3}CIS 5\.26 No new privileges: .*\[kernel\]$/m);
    expect(d.postureRequests).toEqual([{}]);
    expect(d.demoRequests).toEqual([false]);
  });

  it('exit 3 on a failed finding at or above --fail-on (default high); critical only counts critical', async () => {
    const d = postureDeps(() => report(['sys-admin-unconfined', 'default']));
    expect(await runCli(['posture'], io().io, d)).toBe(3);
    expect(await runCli(['posture', '--fail-on', 'critical'], io().io, d)).toBe(0);
    const priv = postureDeps(() => report(['privileged']));
    expect(await runCli(['posture', '--fail-on', 'critical'], io().io, priv)).toBe(3);
  });

  it('names, short and full ids select containers; JSON has only those', async () => {
    const d = postureDeps(() => report(['hardened', 'default', 'etc-ro']));
    const ids = (await report(['default', 'etc-ro'])).containers.map((c) => c.id);
    const o = io();
    expect(
      await runCli(
        ['posture', '--json', 'bulkhead-posture-hardened', (ids[0] ?? '').slice(0, 7), ids[1] ?? ''],
        o.io,
        d,
      ),
    ).toBe(0);
    const parsed = JSON.parse(o.out.join('')) as PostureReport;
    expect(parsed.containers.map((c) => c.name)).toEqual([
      'bulkhead-posture-hardened',
      'bulkhead-posture-default',
      'bulkhead-posture-etc-ro',
    ]);
    expect(parsed.engine.state).toBe('assessed');
  });

  it('an unknown or ambiguous container: exit 1 with a clear message; a bad --fail-on: exit 2', async () => {
    const d = postureDeps(() => report(['hardened']));
    const o = io();
    expect(await runCli(['posture', 'nope'], o.io, d)).toBe(1);
    expect(o.err.join('')).toBe('bulkhead: no such container: "nope" [not-found]');
    const two = postureDeps(async () => {
      const r = await report(['hardened', 'default']);
      const ids = ['ab' + 'c'.repeat(62), 'ab' + 'd'.repeat(62)] as ContainerId[];
      return { ...r, containers: r.containers.map((c, i) => ({ ...c, id: ids[i] ?? c.id })) };
    });
    const o2 = io();
    expect(await runCli(['posture', 'ab'], o2.io, two)).toBe(1);
    expect(o2.err.join('')).toContain('"ab" matches 2 containers');
    const o3 = io();
    expect(await runCli(['posture', '--fail-on', 'info'], o3.io, d)).toBe(2);
    expect(o3.err.join('')).toContain('--fail-on must be one of critical, high, medium, low');
  });

  it('a container that could not be assessed is shown and makes the run exit 1; the engine down exits 1', async () => {
    const d = postureDeps(async () => {
      const r = await report(['hardened']);
      return {
        ...r,
        containers: [
          ...r.containers,
          {
            id: 'e'.repeat(64) as ContainerId,
            name: 'weird',
            result: {
              state: 'error',
              id: null,
              name: 'weird',
              error: { code: 'bad-inspect', message: 'Id: missing' },
            },
          },
        ],
      };
    });
    const o = io();
    expect(await runCli(['posture'], o.io, d)).toBe(1);
    expect(o.out.join('\n')).toContain('weird (eeeeeeeeeeee)  not assessed: Id: missing [bad-inspect]');
    expect(o.err.join('')).toContain('could not assess weird');
    const down = postureDeps(() =>
      Promise.reject(new BulkheadError('docker-unreachable', 'Docker engine not reachable at unix:///nope')),
    );
    const o2 = io();
    expect(await runCli(['posture'], o2.io, down)).toBe(1);
    expect(o2.err.join('')).toContain('not reachable at unix:///nope [docker-unreachable]');
  });

  it('a container removed while the run went over all of them is shown but does not fail the run', async () => {
    const d = postureDeps(async () => {
      const r = await report(['hardened']);
      return {
        ...r,
        containers: [
          ...r.containers,
          {
            id: 'e'.repeat(64) as ContainerId,
            name: 'gone',
            result: {
              state: 'unavailable',
              error: { code: 'not-found', message: 'removed between list and inspect' },
            },
          },
        ],
      };
    });
    const o = io();
    expect(await runCli(['posture'], o.io, d)).toBe(0);
    expect(o.out.join('\n')).toContain(
      'gone (eeeeeeeeeeee)  not assessed: removed between list and inspect [not-found]',
    );
  });
});

// `bulkhead syscalls`: the real syscall service and dispatcher behind a scripted source port (the real
// sysdig path is covered by test/integration/syscalls/cli-syscalls.test.ts).
type ScriptStep = { at: number; state?: SourceState; frame?: SyscallFrame };

function syscallFrame(subjects: SyscallFrame['subjects'], totalEvents: number): SyscallFrame {
  return {
    seq: 0,
    now: 1_700_000_000 as EpochSeconds,
    windowSeconds: 600,
    subjects,
    totalEvents,
    dropped: { overflow: 0, late: 2, malformed: 1 },
    gaps: [],
    keys: { used: 3, max: 4096 },
  };
}

const WEB = { kind: 'container' as const, id: 'abcdef012345' as SysdigContainerId, name: 'web' };
const FRAME = syscallFrame(
  [
    {
      subject: WEB,
      window: 60,
      total: 60,
      top: [
        { syscall: 'read', window: 30, total: 30 },
        { syscall: 'write', window: 20, total: 20 },
        { syscall: 'openat', window: 10, total: 10 },
      ],
      rest: { syscalls: 0, window: 0, total: 0 },
      perSecond: [],
    },
    {
      subject: { kind: 'unattributed' },
      window: 4,
      total: 4,
      top: [{ syscall: 'futex', window: 4, total: 4 }],
      rest: { syscalls: 0, window: 0, total: 0 },
      perSecond: [],
    },
  ],
  64,
);

/** A core whose syscall sources play `script` (steps at ms offsets, real timers) and note disposal. */
function syscallDeps(script: Partial<Record<'sysdig-live' | 'sysdig-capture', ScriptStep[]>>) {
  const started: string[] = [];
  const disposed: string[] = [];
  const foldOptions: unknown[] = [];
  const scripted = <K extends 'sysdig-live' | 'sysdig-capture'>(kind: K): SyscallSourcePort<K> => ({
    kind,
    start(spec, listener) {
      started.push(JSON.stringify(spec));
      let state: SourceState = { phase: 'starting', since: NOW as EpochMillis };
      listener.onState(state);
      const timers = (script[kind] ?? []).map((step) =>
        setTimeout(() => {
          if (step.frame) listener.onFrame(step.frame);
          if (step.state) listener.onState((state = step.state));
        }, step.at),
      );
      return {
        get state() {
          return state;
        },
        replay: null,
        totals: () => [],
        dispose() {
          timers.forEach(clearTimeout);
          disposed.push(kind);
        },
      };
    },
  });
  const base = deps(() => Promise.reject(new Error('not scripted')));
  return {
    ...base,
    started,
    disposed,
    foldOptions,
    createCore: (options?: { syscallFold?: unknown }) => {
      foldOptions.push(options?.syscallFold);
      const hub = new Set<(p: PushEnvelope) => void>();
      const service = createSyscallService({
        ports: { 'sysdig-live': scripted('sysdig-live'), 'sysdig-capture': scripted('sysdig-capture') },
        probe: {
          probe: () =>
            Promise.resolve({
              isRoot: true,
              bpftraceOnPath: false,
              sysdigOnPath: true,
              sysdigDriverPresent: false,
            }),
        },
        clock: systemClock,
        publish: (p) => hub.forEach((l) => l(p)),
        log: () => undefined,
      });
      const handlers: Handlers = {
        ...notScripted(),
        'syscalls:sources': () => service.sources(),
        'syscalls:subscribe': (r, c) => Promise.resolve(service.subscribe(c ?? LOCAL_CLIENT, r)),
        'syscalls:unsubscribe': (r, c) => Promise.resolve(service.unsubscribe(c ?? LOCAL_CLIENT, r)),
        'syscalls:control': (r, c) => Promise.resolve(service.control(c ?? LOCAL_CLIENT, r)),
      };
      const core: AppCore = {
        dispatch: createDispatcher(handlers),
        pushes: {
          subscribe: (l) => {
            hub.add(l);
            return () => hub.delete(l);
          },
        },
        start: () => undefined,
        clientClosed: (id) => service.clientClosed(id),
        dispose: () => {
          service.dispose();
          return Promise.resolve();
        },
      };
      return core;
    },
  };
}

const ENDED: SourceState = { phase: 'exited', since: NOW as EpochMillis, reason: 'end-of-input' };
const STREAMING: SourceState = { phase: 'streaming', since: NOW as EpochMillis };

describe('bulkhead syscalls', () => {
  it('reads a capture to its end and prints each subject with its top syscalls by count', async () => {
    const d = syscallDeps({ 'sysdig-capture': [{ at: 5, frame: FRAME, state: ENDED }] });
    const o = io();
    expect(await runCli(['syscalls', '--source', 'capture:some/file.scap', '--top', '2'], o.io, d)).toBe(0);
    expect(JSON.parse(d.started[0]!)).toEqual({
      kind: 'sysdig-capture',
      path: join(process.cwd(), 'some/file.scap'),
      speed: 'max',
    });
    // The CLI asks the core for every syscall per subject and cuts to --top itself.
    expect(d.foldOptions).toEqual([{ topN: 4096 }]);
    const text = o.out.join('\n');
    expect(text).toContain('capture:some/file.scap — 64 events, 2 subject(s)');
    expect(text).toContain('Dropped: 0 over the key bound, 2 late, 1 malformed lines');
    expect(text).toMatch(
      /web \(abcdef012345\) {2}60 syscalls\n {2}read +30\n {2}write +20\n {2}\(1 more\) +10/,
    );
    expect(text).toMatch(/unattributed .*4 syscalls\n {2}futex +4/);
    expect(d.disposed).toEqual(['sysdig-capture']);
  });

  it('prints JSON with --json', async () => {
    const d = syscallDeps({ 'sysdig-capture': [{ at: 5, frame: FRAME, state: ENDED }] });
    const o = io();
    expect(await runCli(['syscalls', '--source', 'capture:/x.scap', '--json'], o.io, d)).toBe(0);
    const parsed = JSON.parse(o.out.join('')) as SyscallSummary;
    expect(parsed.totalEvents).toBe(64);
    expect(parsed.state).toEqual(ENDED);
    expect(
      parsed.subjects.map((s) => [s.subject.kind, s.total, s.top.map((c) => `${c.syscall}=${c.count}`)]),
    ).toEqual([
      ['container', 60, ['read=30', 'write=20', 'openat=10']],
      ['unattributed', 4, ['futex=4']],
    ]);
  });

  it('runs a live source for --duration, then prints what it counted and stops it', async () => {
    const d = syscallDeps({
      'sysdig-live': [
        { at: 5, state: STREAMING },
        { at: 20, frame: FRAME },
      ],
    });
    const o = io();
    const t = Date.now();
    expect(await runCli(['syscalls', '--source', 'sysdig', '--duration', '300ms', '--json'], o.io, d)).toBe(
      0,
    );
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    expect((JSON.parse(o.out.join('')) as SyscallSummary).totalEvents).toBe(64);
    expect(d.disposed).toEqual(['sysdig-live']);
  });

  it('fails with the source’s own error, exit 1, when it cannot start', async () => {
    const d = syscallDeps({
      'sysdig-live': [
        {
          at: 5,
          state: {
            phase: 'failed',
            since: NOW as EpochMillis,
            error: { code: 'sysdig-driver-missing', message: "sysdig's kernel driver is not loaded" },
            diagnostics: '',
          },
        },
      ],
    });
    const o = io();
    const t = Date.now();
    expect(await runCli(['syscalls', '--source', 'sysdig', '--duration', '10s'], o.io, d)).toBe(1);
    // It did not wait for the duration.
    expect(Date.now() - t).toBeLessThan(5000);
    expect(o.err.join('')).toContain("sysdig's kernel driver is not loaded [sysdig-driver-missing]");
    const b = io();
    expect(await runCli(['syscalls', '--source', 'bpf'], b.io, d)).toBe(1);
    expect(b.err.join('')).toContain('[bpftrace-missing]');
  });

  it('refuses bad arguments with usage, exit 2', async () => {
    const d = syscallDeps({});
    for (const args of [
      [],
      ['--source', 'strace'],
      ['--source', 'capture:'],
      ['--source', 'sysdig', '--duration', 'soon'],
      ['--source', 'sysdig', '--duration', '2h'],
      ['--source', 'sysdig', '--top', '0'],
      ['--source', 'sysdig', '--top', '1.5'],
      ['--source', 'sysdig', '--verbose'],
    ]) {
      const o = io();
      expect(await runCli(['syscalls', ...args], o.io, d)).toBe(2);
      expect(o.err.join('')).toMatch(/^bulkhead: /);
    }
    expect(d.started).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Image findings: `image scan`, `image import-scan`, `db …`. The core is scripted with a report built from
// real data (test/unit/images/report-fixture.ts); file writes go through the real atomic writer.

function imageDeps(options: {
  scan?: (r: { image: string; force?: boolean }) => Promise<ImageScanReport>;
  db?: AdvisoryDbSummary | null;
  importDb?: ImageCliDeps['importDb'];
  updateDb?: ImageCliDeps['updateDb'];
  available?: readonly ('trivy' | 'grype')[];
}): CliDeps & { scans: { image: string; force?: boolean }[]; imports: unknown[] } {
  const scans: { image: string; force?: boolean }[] = [];
  const imports: unknown[] = [];
  const handlers: Handlers = {
    ...notScripted(),
    'images:scan': (r) => {
      scans.push(r);
      return options.scan !== undefined ? options.scan(r) : Promise.resolve(alpineReport());
    },
    'db:status': () => Promise.resolve(options.db ?? null),
  };
  const core: AppCore = {
    dispatch: createDispatcher(handlers),
    pushes: { subscribe: () => () => undefined },
    start: () => undefined,
    clientClosed: () => undefined,
    dispose: () => Promise.resolve(),
  };
  return {
    scans,
    imports,
    version: '9.9.9',
    createCore: () => core,
    recordDemo: () => Promise.resolve(),
    runWeb: () => Promise.resolve(0),
    now: () => NOW,
    images: {
      importDb:
        options.importDb ??
        ((path, o) => {
          imports.push({ path, ...o });
          return Promise.resolve({
            source: path,
            imported: [{ base: 'Debian', records: 3 }],
            filesRead: 3,
            invalid: 0,
            withdrawn: 0,
            problems: [],
          });
        }),
      updateDb: options.updateDb ?? (() => Promise.reject(new Error('not scripted'))),
      readText: (p) => readFile(p, 'utf8'),
      writeTextAtomic,
      scanners: {
        available: () => Promise.resolve(options.available ?? []),
        run: () => Promise.reject(new Error('not scripted')),
      },
      tool: { name: 'Bulkhead', version: '9.9.9' },
    },
  };
}

describe('bulkhead image scan', () => {
  it('prints the table with the age, the DB source and each finding, exit 0', async () => {
    const o = io();
    const d = imageDeps({});
    expect(await runCli(['image', 'scan', 'example/alpine-app:3.18'], o.io, d)).toBe(0);
    const text = o.out.join('\n');
    const report = alpineReport();
    expect(text).toMatch(/^AGE: 0 days \(built /m);
    expect(text).toContain('Advisory DB: /data/alpine/all.zip');
    for (const v of report.vulnerabilities) expect(text).toContain(v.advisoryId);
    expect(text).toContain('FAIL  critical CIS 4.10 (CIS-DI-0010) No secrets in ENV');
    expect(d.scans).toEqual([{ image: 'example/alpine-app:3.18' }]);
  });

  it('flags a stale DB next to findings and names a missing one', async () => {
    const stale = alpineReport();
    const o = io();
    const d = imageDeps({
      scan: () =>
        Promise.resolve({
          ...stale,
          db: stale.db === null ? null : { ...stale.db, stale: true, ageMs: 9 * 86_400_000 },
          vulnerabilities: stale.vulnerabilities.map((v) => ({
            ...v,
            db: { ...v.db, stale: true, ageMs: 9 * 86_400_000 },
          })),
        }),
    });
    expect(await runCli(['image', 'scan', 'x:1'], o.io, d)).toBe(0);
    expect(o.out.join('\n')).toContain('STALE: older than 7 days');
    expect(o.out.join('\n')).toMatch(/9 days old STALE/);
    const none = io();
    await runCli(
      ['image', 'scan', 'x:1'],
      none.io,
      imageDeps({ scan: () => Promise.resolve({ ...stale, db: null }) }),
    );
    expect(none.out.join('\n')).toContain('Advisory DB: none imported — run `bulkhead db import all.zip`');
  });

  it('prints SARIF that validates, and writes --out atomically', async () => {
    const o = io();
    expect(await runCli(['image', 'scan', 'x:1', '--format', 'sarif'], o.io, imageDeps({}))).toBe(0);
    const validate = sarifValidator();
    expect(validate(JSON.parse(o.out.join('\n'))), errorsOf(validate)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-cli-out-'));
    try {
      const out = join(dir, 'bom.json');
      writeFileSync(out, 'old content');
      const w = io();
      expect(
        await runCli(['image', 'scan', 'x:1', '--format', 'cyclonedx', '--out', out], w.io, imageDeps({})),
      ).toBe(0);
      expect(w.out).toEqual([]);
      expect(w.err).toEqual([`wrote cyclonedx to ${out}`]);
      const validateBom = cycloneDxValidator();
      expect(validateBom(JSON.parse(readFileSync(out, 'utf8'))), errorsOf(validateBom)).toBe(true);
      expect(readdirSync(dir)).toEqual(['bom.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--fail-on: exit 3 when a finding is at or above it, 0 below', async () => {
    const report = alpineReport({ lint: [] });
    const levels = report.vulnerabilities.map((v) => v.severity.level);
    const rank = ['low', 'medium', 'high', 'critical'];
    const worst = Math.max(...levels.map((l) => rank.indexOf(l)));
    const d = imageDeps({ scan: () => Promise.resolve(report) });
    for (const [i, t] of rank.entries())
      expect(await runCli(['image', 'scan', 'x:1', '--fail-on', t], io().io, d), t).toBe(i <= worst ? 3 : 0);
  });

  it('refuses bad usage with exit 2 and reports scan errors with exit 1 and the code', async () => {
    for (const args of [
      [],
      ['a', 'b'],
      ['x:1', '--format', 'xml'],
      ['x:1', '--fail-on', 'severe'],
      ['x:1', '--compare', 'clair'],
      ['x:1', '--bogus'],
    ]) {
      const o = io();
      expect(await runCli(['image', 'scan', ...args], o.io, imageDeps({})), args.join(' ')).toBe(2);
    }
    const o = io();
    const d = imageDeps({ scan: () => Promise.reject(new BulkheadError('not-found', 'no such image: x:1')) });
    expect(await runCli(['image', 'scan', 'x:1'], o.io, d)).toBe(1);
    expect(o.err).toEqual(['bulkhead: no such image: x:1 [not-found]']);
  });

  it('keeps hostile tags inert in the table', async () => {
    const o = io();
    const d = imageDeps({
      scan: () => Promise.resolve(alpineReport({ refs: ['evil\u001b]0;pwned\u0007:1'] })),
    });
    await runCli(['image', 'scan', 'x:1'], o.io, d);
    // eslint-disable-next-line no-control-regex
    expect(o.out.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('suggests --compare when trivy is on PATH, and says when it is not', async () => {
    const o = io();
    await runCli(['image', 'scan', 'x:1'], o.io, imageDeps({ available: ['trivy'] }));
    expect(o.err).toContain("trivy is on PATH: add --compare trivy to see its findings beside Bulkhead's.");
    const n = io();
    expect(await runCli(['image', 'scan', 'x:1', '--compare', 'grype'], n.io, imageDeps({}))).toBe(1);
    expect(n.err.join('')).toContain('grype is not on PATH');
  });
});

describe('bulkhead image import-scan and db', () => {
  const TRIVY = join(
    import.meta.dirname,
    '../../../../shared/data/vuln/scanner-output/trivy_alpine-310.json.golden',
  );

  it('shows a Trivy report beside our scan', async () => {
    const o = io();
    expect(await runCli(['image', 'import-scan', TRIVY, '--image', 'x:1'], o.io, imageDeps({}))).toBe(0);
    const text = o.out.join('\n');
    expect(text).toContain('trivy');
    expect(text).toContain("Beside Bulkhead's findings for example/alpine-app:3.18");
    expect(text).toMatch(/\d+ rows: \d+ reported by both/);
  });

  it('shows the report alone when our scan is not possible, and refuses non-reports', async () => {
    const o = io();
    const d = imageDeps({ scan: () => Promise.reject(new BulkheadError('not-found', 'no such image')) });
    expect(await runCli(['image', 'import-scan', TRIVY], o.io, d)).toBe(0);
    expect(o.out.join('\n')).toMatch(/^trivy/);
    expect(o.err.join('')).toContain("Bulkhead's own scan is not shown beside it");
    const bad = io();
    expect(
      await runCli(
        ['image', 'import-scan', join(FIXTURE_DIR, '..', 'schemas', 'README.md')],
        bad.io,
        imageDeps({}),
      ),
    ).toBe(1);
    expect(bad.err.join('')).toMatch(/is not a Trivy or Grype JSON report: not valid JSON/);
  });

  it('db import passes --skip-invalid and prints the outcome; failures exit 1 with the message', async () => {
    const d = imageDeps({});
    const o = io();
    expect(await runCli(['db', 'import', '/dumps/all.zip', '--skip-invalid'], o.io, d)).toBe(0);
    expect(d.imports).toEqual([{ path: '/dumps/all.zip', skipInvalid: true }]);
    expect(o.out[0]).toBe('Imported Debian (3 records) from /dumps/all.zip: 3 files read.');
    const f = io();
    const failing = imageDeps({
      importDb: () =>
        Promise.reject(
          new BulkheadError(
            'bad-request',
            'cannot import /x.zip: not a readable zip file — nothing was changed',
          ),
        ),
    });
    expect(await runCli(['db', 'import', '/x.zip'], f.io, failing)).toBe(1);
    expect(f.err).toEqual(['bulkhead: cannot import /x.zip: not a readable zip file — nothing was changed']);
    expect(await runCli(['db', 'import'], io().io, d)).toBe(2);
  });

  it('db update validates ecosystem names and reports a failed download', async () => {
    const seen: (readonly string[])[] = [];
    const d = imageDeps({
      updateDb: (e) => {
        seen.push(e);
        return Promise.reject(
          new Error('cannot download https://…/Debian/all.zip: no answer in time. To import offline, …'),
        );
      },
    });
    const o = io();
    expect(await runCli(['db', 'update', '--ecosystem', 'Debian', '--ecosystem', 'Alpine'], o.io, d)).toBe(1);
    expect(seen).toEqual([['Debian', 'Alpine']]);
    expect(o.err.join('')).toContain('To import offline');
    expect(await runCli(['db', 'update', '--ecosystem', '../../etc'], io().io, d)).toBe(2);
  });

  it('db status prints the DB line or none', async () => {
    const o = io();
    await runCli(['db', 'status'], o.io, imageDeps({}));
    expect(o.out[0]).toMatch(/^Advisory DB: none imported/);
    const s = io();
    const db = alpineReport().db;
    await runCli(['db', 'status', '--json'], s.io, imageDeps({ db }));
    expect(JSON.parse(s.out.join(''))).toEqual(db);
  });
});
