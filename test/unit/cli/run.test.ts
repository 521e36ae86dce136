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
import { assessContainer, assessEngine } from '../../../shared/domain/posture/evaluate.js';
import type { FixtureName } from '../posture/fixtures.js';
import { FIXTURE_DIR, loadInspect, loadKernel, loadLocalHost } from '../posture/fixtures.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

function deps(
  list: () => Promise<ContainerList>,
  state?: ConnectionState,
  posture: () => Promise<PostureReport> = () => Promise.reject(new Error('not scripted')),
): CliDeps & { demoRequests: boolean[]; postureRequests: unknown[] } {
  const postureRequests: unknown[] = [];
  const demoRequests: boolean[] = [];
  const handlers: Handlers = {
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
  };
  const core: AppCore = {
    dispatch: createDispatcher(handlers),
    pushes: { subscribe: () => () => undefined },
    start: () => undefined,
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
