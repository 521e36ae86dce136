import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { mapInspect as mapSummary } from '../../../electron/adapters/docker/map-inspect.js';
import { createReportFiles } from '../../../electron/adapters/files/report-files.js';
import type { AppCore, PushEnvelope } from '../../../electron/services/app-core.js';
import { createAppCore } from '../../../electron/services/app-core-impl.js';
import type { ReportRendererPort } from '../../../electron/services/report-ports.js';
import type { SyscallSourcePort } from '../../../electron/services/syscall-ports.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import { reportJson } from '../../../shared/domain/report/json.js';
import type { Report } from '../../../shared/domain/report/model.js';
import {
  addCount,
  advanceTo,
  createAggregate,
  createKeyTable,
  internKey,
  readWindow,
  subjectTotals,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { SysdigContainerId } from '../../../shared/domain/syscalls/model.js';
import type { PushMap } from '../../../shared/ipc/contract.js';
import type { Result } from '../../../shared/ipc/result.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { createFakeEngine } from '../../support/fake-engine.js';
import type { FakeEngine } from '../../support/fake-engine.js';
import { FIXTURE_DIR, loadInspect } from '../posture/fixtures.js';
import { reportValidator, schemaErrors } from '../../support/report-schema.js';

// The report service through the real app core and dispatcher, over the fake engine (a test double: two
// recorded inspect documents and the recorded docker info/version) and a fake syscall port whose window
// is a real fold of a fixed workload. Files are written by the real atomic writer into a temp directory.

const CLIENT = { id: 'wc-7' };
const DEFAULT_PROFILE = join(
  import.meta.dirname,
  '../../../../shared/data/seccomp/moby-profiles_seccomp_default.json',
);

let clock: FakeClock;
let engine: FakeEngine;
let core: AppCore;
let pushes: PushEnvelope[];
let dir: string;
let renderer: ReportRendererPort | undefined;
let revealed: string[];
let summaries: ContainerSummary[];

function summary(name: 'privileged' | 'hardened'): { summary: ContainerSummary; inspect: unknown } {
  const inspect = loadInspect(name);
  const mapped = mapSummary(inspect);
  if (!mapped.ok) throw new Error(mapped.message);
  return { summary: mapped.summary, inspect };
}

/** A bpf port whose source streams at once and whose window is a real fold: reads, and one ptrace. */
function fakeBpf(ids: readonly string[]): SyscallSourcePort<'bpf'> {
  return {
    kind: 'bpf',
    start(_spec, listener) {
      const agg = createAggregate(createKeyTable(), 600);
      const t0 = Math.floor(clock.now() / 1000);
      for (const [i, id] of ids.entries()) {
        const subject = { kind: 'container' as const, id: id.slice(0, 12) as SysdigContainerId, name: null };
        for (let s = 0; s < 10; s++) addCount(agg, t0 + s, internKey(agg.keys, subject, 'read'), 5);
        if (i === 0) addCount(agg, t0 + 3, internKey(agg.keys, subject, 'ptrace'), 1);
      }
      advanceTo(agg, t0 + 9);
      const state = { phase: 'streaming' as const, since: clock.now() };
      listener.onState({ phase: 'starting', since: clock.now() });
      listener.onState(state);
      return {
        state,
        replay: null,
        totals: () => subjectTotals(agg),
        window: (last) => readWindow(agg, last),
        dispose: () => undefined,
      };
    },
  };
}

async function call<T>(channel: string, payload: unknown): Promise<Result<T>> {
  const p = core.dispatch(channel, payload, CLIENT) as Promise<Result<T>>;
  let settled = false;
  void p.then(() => (settled = true));
  for (let i = 0; i < 50 && !settled; i++) await clock.advance(200);
  return p;
}

async function ok<T>(channel: string, payload: unknown): Promise<T> {
  const r = await call<T>(channel, payload);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function makeCore(): AppCore {
  return createAppCore({
    engine,
    demo: { load: () => Promise.resolve(null) },
    clock,
    mode: 'browser',
    version: '9.9.9',
    onError: () => undefined,
    syscalls: {
      ports: { bpf: fakeBpf(summaries.map((s) => s.id)) },
      probe: {
        probe: () =>
          Promise.resolve({
            isRoot: true,
            bpftraceOnPath: true,
            sysdigOnPath: false,
            sysdigDriverPresent: false,
          }),
      },
    },
    seccomp: {
      arch: 'x86_64',
      defaultProfile: {
        read: () => Promise.resolve({ path: DEFAULT_PROFILE, text: readFileSync(DEFAULT_PROFILE, 'utf8') }),
      },
    },
    report: {
      ...(renderer !== undefined ? { renderer } : {}),
      // The real writer, with the temp directory standing in for the home directory of `~/…` paths.
      files: createReportFiles(() => dir),
      reveal: {
        reveal: (path) => {
          revealed.push(path);
          return Promise.resolve(true);
        },
      },
    },
  });
}

beforeEach(() => {
  clock = createFakeClock(Date.parse('2026-12-03T20:00:00Z'));
  engine = createFakeEngine();
  const a = summary('privileged');
  const b = summary('hardened');
  summaries = [a.summary, b.summary];
  engine.containers = summaries;
  engine.documents.set(a.summary.id, a.inspect);
  engine.documents.set(b.summary.id, b.inspect);
  engine.engineDocs = {
    info: JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-info.json'), 'utf8')) as unknown,
    version: JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-version.json'), 'utf8')) as unknown,
  };
  renderer = undefined;
  revealed = [];
  core = makeCore();
  pushes = [];
  core.pushes.subscribe((p) => pushes.push(p));
  dir = mkdtempSync(join(tmpdir(), 'bh-report-'));
});

afterEach(async () => {
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const progressOf = (exportId: string): PushMap['report:progress'][] =>
  pushes
    .filter((p) => p.channel === 'report:progress')
    .map((p) => p.payload as PushMap['report:progress'])
    .filter((p) => p.exportId === exportId);

describe('report:build', () => {
  it('every container and section by default; without subscriptions the runtime is "not observed"', async () => {
    const r = await ok<Report>('report:build', {});
    expect(r.containers.map((c) => c.name)).toEqual([
      'bulkhead-posture-hardened',
      'bulkhead-posture-privileged',
    ]);
    expect(r.generator.version).toBe('9.9.9');
    expect(r.host.engine?.version).toBe('99.0.0');
    expect(r.host.posture.state).toBe('assessed');
    const priv = r.containers[1];
    expect(priv?.posture?.state).toBe('assessed');
    // No image reader is wired in this core: said, not hidden.
    expect(priv?.imageFindings).toEqual({
      state: 'unavailable',
      reason: 'the image could not be scanned: image scanning is not wired in this core',
    });
    expect(priv?.syscalls).toEqual({
      state: 'unavailable',
      reason: 'not observed: no syscall source was running',
    });
    expect(r.window).toEqual({ from: r.generatedAt, to: r.generatedAt });
    const validate = reportValidator();
    expect(validate(JSON.parse(reportJson(r))), schemaErrors(validate)).toBe(true);
  });

  it('only the containers and sections asked for; an unknown id is not-found, a short one bad-request', async () => {
    const hardened = summaries[1]!.id;
    const r = await ok<Report>('report:build', { containers: [hardened], sections: ['posture'] });
    expect(r.containers.map((c) => c.id)).toEqual([hardened]);
    expect(Object.keys(r.containers[0] ?? {})).not.toContain('imageFindings');
    const missing = await call('report:build', { containers: ['f'.repeat(64)] });
    expect(missing).toEqual({
      ok: false,
      error: { code: 'not-found', message: `no such container: ${'f'.repeat(12)}` },
    });
    const short = await call('report:build', { containers: ['abc'] });
    expect(short.ok ? null : short.error.code).toBe('bad-request');
    const badSection = await call('report:build', { sections: ['kernel'] });
    expect(badSection.ok ? null : badSection.error.code).toBe('bad-request');
  });

  it("the runtime sections from this client's syscall subscription, over the window asked for", async () => {
    const { subId } = await ok<{ subId: string }>('syscalls:subscribe', { source: { kind: 'bpf' } });
    const r = await ok<Report>('report:build', { syscallsSubId: subId, windowSeconds: 5 });
    expect(r.runtimeSource).toBe('eBPF (bpftrace), live');
    const priv = r.containers.find((c) => c.id === summaries[0]!.id);
    if (priv?.syscalls?.state !== 'observed') throw new Error(JSON.stringify(priv?.syscalls));
    // The last 5 of the 10 seconds: 5 × 5 reads; the ptrace was at second 3, before the window.
    expect(priv.syscalls.top).toEqual([{ syscall: 'read', count: 25 }]);
    expect(priv.syscalls.alerts).toEqual([]);
    expect(r.window.to - r.window.from).toBe(5000);
    const all = await ok<Report>('report:build', { syscallsSubId: subId });
    const privAll = all.containers.find((c) => c.id === summaries[0]!.id);
    expect(
      privAll?.syscalls?.state === 'observed' ? privAll.syscalls.alerts.map((a) => a.syscall) : [],
    ).toEqual(['ptrace']);
    expect(privAll?.seccomp?.state).toBe('generated');
    // Another client's subscription is not this one's.
    const other = (await core.dispatch(
      'report:build',
      { syscallsSubId: subId },
      { id: 'wc-8' },
    )) as Result<Report>;
    expect(other.ok ? null : other.error.code).toBe('not-found');
  });
});

describe('report:export', () => {
  it('JSON: written atomically, the same text as reportJson, progress pushed to the client only', async () => {
    const path = join(dir, 'report.json');
    const res = await ok<{ path: string; bytes: number; pages: number | null; format: string }>(
      'report:export',
      {
        format: 'json',
        path,
        exportId: 'x1',
      },
    );
    const text = readFileSync(path, 'utf8');
    expect(res).toMatchObject({ path, format: 'json', bytes: Buffer.byteLength(text), pages: null });
    // The file is the canonical JSON export of the report it holds, and that report is the one report:build
    // gives (apart from when it was made: the fake clock moved between the two calls).
    const written = JSON.parse(text) as Report;
    expect(text).toBe(reportJson(written));
    const built = await ok<Report>('report:build', {});
    const timeless = (r: Report): unknown => ({ ...r, generatedAt: 0, window: null, methodology: null });
    expect(timeless(written)).toEqual(JSON.parse(JSON.stringify(timeless(built))));
    expect(built.generatedAt).toBeGreaterThan(written.generatedAt);
    const phases = progressOf('x1').map((p) => p.phase);
    expect(phases[0]).toBe('gathering');
    expect(phases.slice(-2)).toEqual(['writing', 'done']);
    expect(phases).toContain('scanning-images');
    expect(pushes.filter((p) => p.channel === 'report:progress').every((p) => p.to === CLIENT.id)).toBe(true);
  });

  it('SARIF is written too; HTML without a renderer fails with report-renderer-unavailable and writes nothing', async () => {
    await ok('report:export', { format: 'sarif', path: join(dir, 'r.sarif'), exportId: 's' });
    expect((JSON.parse(readFileSync(join(dir, 'r.sarif'), 'utf8')) as { version: string }).version).toBe(
      '2.1.0',
    );
    const html = await call('report:export', { format: 'html', path: join(dir, 'r.html'), exportId: 'h' });
    expect(html.ok ? null : html.error.code).toBe('report-renderer-unavailable');
    expect(progressOf('h').map((p) => p.phase)).toEqual(['failed']);
    expect(() => readFileSync(join(dir, 'r.html'))).toThrow();
  });

  it('PDF through the renderer port: its bytes, its page count, its progress messages', async () => {
    await core.dispose();
    const seen: string[] = [];
    renderer = {
      render(report, format, onProgress) {
        seen.push(`${format}:${report.containers.length}`);
        onProgress?.('printing 3 pages');
        return Promise.resolve({ bytes: new TextEncoder().encode('%PDF-1.7 fake'), pages: 3 });
      },
    };
    core = makeCore();
    core.pushes.subscribe((p) => pushes.push(p));
    const path = join(dir, 'r.pdf');
    const res = await ok<{ pages: number | null; bytes: number }>('report:export', {
      format: 'pdf',
      path,
      exportId: 'p',
    });
    expect(res).toMatchObject({ pages: 3, bytes: 13 });
    expect(readFileSync(path, 'utf8')).toBe('%PDF-1.7 fake');
    expect(seen).toEqual(['pdf:2']);
    expect(
      progressOf('p')
        .filter((p) => p.phase === 'rendering')
        .map((p) => p.message),
    ).toContain('printing 3 pages');
  });

  it('bad paths: relative or NUL refused before anything runs, a directory refused, a missing directory named', async () => {
    for (const path of ['report.json', '../x.json', `${dir}/a\0b.json`]) {
      const r = await call('report:export', { format: 'json', path, exportId: 'b' });
      expect(r.ok ? null : r.error.code).toBe('bad-request');
    }
    const dirAsTarget = await call('report:export', { format: 'json', path: dir, exportId: 'd' });
    expect(dirAsTarget.ok ? null : dirAsTarget.error.code).toBe('bad-request');
    const missingDir = await call('report:export', {
      format: 'json',
      path: join(dir, 'no', 'x.json'),
      exportId: 'm',
    });
    expect(missingDir.ok ? null : missingDir.error.code).toBe('write-failed');
    expect(missingDir.ok ? '' : missingDir.error.message).toMatch(/ENOENT/);
  });

  it('a path in the home directory (~/…) is written there, and answered absolute', async () => {
    const res = await ok<{ path: string }>('report:export', {
      format: 'json',
      path: '~/r.json',
      exportId: 'home',
    });
    expect(res.path).toBe(join(dir, 'r.json'));
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toMatchObject({
      format: 'bulkhead-report',
    });
    const bare = await call('report:export', { format: 'json', path: '~', exportId: 'b' });
    expect(bare.ok ? null : bare.error.code).toBe('bad-request');
  });
});

describe('report:reveal', () => {
  it('reveals only a file this engine exported', async () => {
    const path = join(dir, 'r.json');
    const unknown = await call('report:reveal', { path });
    expect(unknown.ok ? null : unknown.error.code).toBe('not-found');
    await ok('report:export', { format: 'json', path, exportId: 'r' });
    expect(await ok('report:reveal', { path })).toEqual({ revealed: true });
    expect(revealed).toEqual([path]);
  });
});
