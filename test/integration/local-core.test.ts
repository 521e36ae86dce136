import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { mapInspect } from '../../electron/adapters/docker/map-inspect.js';
import { createLocalCore } from '../../electron/composition.js';
import type { AppCore } from '../../electron/services/app-core.js';
import type { ContainerList } from '../../shared/domain/container.js';
import type { ConnectionState } from '../../shared/domain/engine.js';

// The composition root the three faces call, wired to the real adapters.
const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const cores: AppCore[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.dispose();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function core(env: Record<string, string>, demoPath: string): AppCore {
  const c = createLocalCore({ mode: 'cli', env, demoPath });
  cores.push(c);
  return c;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bh-core-'));
  dirs.push(d);
  return d;
}

describe('createLocalCore', () => {
  it('on the real engine: app and engine described, live list with a test container', async () => {
    const id = (
      await run('docker', [
        'create',
        '--label',
        'bulkhead.test=1',
        '--name',
        `bh-core-${process.pid}`,
        'bulkhead-test/busybox:1',
      ])
    ).stdout.trim();
    try {
      const c = core({ DOCKER_HOST: 'unix:///var/run/docker.sock' }, join(tempDir(), 'none.json'));
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(await c.dispatch('app:describe', {})).toEqual({
        ok: true,
        value: { version: pkg.version, mode: 'cli', demoAvailable: false, showDemoWhenDisconnected: true },
      });
      const state = await c.dispatch('engine:describe', {});
      expect(state.ok && (state.value as ConnectionState).phase).toBe('connected');
      const list = await c.dispatch('containers:list', {});
      if (!list.ok) throw new Error(list.error.message);
      const value = list.value as ContainerList;
      expect(value.source).toEqual({ kind: 'live' });
      expect(value.engineName).toMatch(/^Docker \S+ on linux\//);
      expect(value.containers.find((x) => x.id === id)?.name).toBe(`bh-core-${process.pid}`);
    } finally {
      await run('docker', ['rm', '-f', id]);
    }
  });

  it('a DOCKER_HOST with an unknown scheme: a clear error as data, the core keeps running', async () => {
    const c = core({ DOCKER_HOST: 'gopher://docker.example' }, join(tempDir(), 'none.json'));
    const list = await c.dispatch('containers:list', {});
    expect(list).toMatchObject({ ok: false, error: { code: 'docker-error' } });
    expect(!list.ok && list.error.message).toContain('scheme "gopher"');
    const state = await c.dispatch('engine:describe', {});
    expect(state.ok && (state.value as ConnectionState).phase).toBe('disconnected');
    expect((await c.dispatch('app:describe', {})).ok).toBe(true);
  });

  it('no engine at the socket and a demo scenario: demo data with the reason', async () => {
    const dir = tempDir();
    const fixtures = join(ROOT, 'test', 'fixtures', 'inspect');
    const containers = readdirSync(fixtures).map((f) => {
      const inspect = JSON.parse(readFileSync(join(fixtures, f), 'utf8')) as unknown;
      const m = mapInspect(inspect);
      if (!m.ok) throw new Error(m.message);
      return { summary: m.summary, inspect };
    });
    const demoPath = join(dir, 'scenario.json');
    writeFileSync(
      demoPath,
      JSON.stringify({
        format: 'bulkhead-demo/1',
        recordedAt: 1_764_000_000_000,
        recordedWith: 'test/support/record-inspect.sh',
        engine: {
          id: 'X',
          name: 'h',
          version: '20.10.24+dfsg1',
          apiVersion: '1.41',
          os: 'linux',
          arch: 'amd64',
          kernelVersion: 'k',
          operatingSystem: 'Debian',
        },
        containers,
      }),
    );
    const c = core({ DOCKER_HOST: `unix://${dir}/docker.sock` }, demoPath);
    const list = await c.dispatch('containers:list', {});
    if (!list.ok) throw new Error(list.error.message);
    const value = list.value as ContainerList;
    expect(value.source).toEqual({
      kind: 'demo',
      recordedAt: 1_764_000_000_000,
      recordedOn: 'Docker 20.10.24+dfsg1 on linux/amd64',
      reason: `Docker engine not reachable at unix://${dir}/docker.sock (ENOENT)`,
    });
    expect(value.containers).toHaveLength(containers.length);
  });
});
