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
): CliDeps & { demoRequests: boolean[] } {
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
  };
  const core: AppCore = {
    dispatch: createDispatcher(handlers),
    pushes: { subscribe: () => () => undefined },
    start: () => undefined,
    dispose: () => Promise.resolve(),
  };
  return {
    demoRequests,
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
