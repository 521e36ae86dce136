import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDemoFile } from '../../electron/adapters/demo/demo-file.js';
import { createDockerEngine } from '../../electron/adapters/docker/docker-engine.js';
import { resolveEndpoint } from '../../electron/adapters/docker/endpoint.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import type { PushEnvelope } from '../../electron/services/app-core.js';
import { createContainerService } from '../../electron/services/container-service.js';
import type { ContainerService } from '../../electron/services/container-service.js';
import { createEngineMonitor } from '../../electron/services/engine-monitor.js';
import type { EngineMonitor } from '../../electron/services/engine-monitor.js';
import type { ConnectionState } from '../../shared/domain/engine.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import { createPrivateDockerd, pingSocket } from '../support/private-dockerd.js';
import type { PrivateDockerd } from '../support/private-dockerd.js';

// A second, private dockerd that this file stops and starts; the main engine at /var/run/docker.sock is
// never touched.
const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

let dockerd: PrivateDockerd;
let monitor: EngineMonitor;
let service: ContainerService;
const pushes: { at: number; push: PushEnvelope }[] = [];
let containerId = '';

beforeAll(async () => {
  dockerd = await createPrivateDockerd();
  await dockerd.start();
  await run(join(ROOT, 'test/support/build-images.sh'), ['-H', dockerd.host]);
  containerId = (
    await run('docker', [
      '-H',
      dockerd.host,
      'run',
      '-d',
      '--label',
      'bulkhead.test=1',
      '--stop-timeout',
      '1',
      '--name',
      'bh-reconnect',
      'bulkhead-test/busybox:1',
    ])
  ).stdout.trim();
  const engine = createDockerEngine(
    resolveEndpoint({ env: { DOCKER_HOST: dockerd.host }, homeDir: '/nonexistent', readFile: readFileSync }),
  );
  monitor = createEngineMonitor({
    engine,
    clock: systemClock,
    publish: (push) => pushes.push({ at: performance.now(), push }),
  });
  // No demo scenario at that path: while the engine is down, the list must fail with the connection error.
  service = createContainerService({
    engine,
    monitor,
    demo: createDemoFile(join(dockerd.dir, 'no-demo.json')),
  });
});

afterAll(async () => {
  monitor?.dispose();
  await dockerd?.cleanup();
});

/** Resolves with the performance.now() of the first engine:state push after `since` in `phase`. */
async function phaseAfter(
  since: number,
  phase: ConnectionState['phase'],
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const hit = pushes.find(
      (p) =>
        p.at >= since &&
        p.push.channel === 'engine:state' &&
        (p.push.payload as ConnectionState).phase === phase,
    );
    if (hit !== undefined) return hit.at;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(
    `no ${phase} within ${timeoutMs} ms; last state ${JSON.stringify(monitor.state())}\n${dockerd.tail()}`,
  );
}

/**
 * When a /_ping on the socket first goes unanswered: refused, or no answer within 800 ms, the monitor's own
 * definition of a lost engine (a dockerd busy stopping its containers answers slowly, but answers).
 */
async function firstUnanswered(socketPath: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const at = performance.now();
    if (!(await pingSocket(socketPath, 800))) return at;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the private dockerd still answered after ${timeoutMs} ms`);
}

const allInvalidations = (since: number): number =>
  pushes.filter(
    (p) =>
      p.at >= since &&
      p.push.channel === 'containers:changed' &&
      (p.push.payload as { ids: unknown }).ids === 'all',
  ).length;

describe('engine monitor against a private dockerd that stops and starts', () => {
  it('connects and lists live', async () => {
    monitor.start();
    await phaseAfter(0, 'connected', 10_000);
    const list = await service.list();
    expect(list.source).toEqual({ kind: 'live' });
    expect(list.containers.find((c) => c.id === containerId)).toMatchObject({
      name: 'bh-reconnect',
      state: 'running',
    });
  });

  it('a stopped dockerd is noticed within 2 s; it coming back on the same paths reconnects the same monitor', async () => {
    const stopAt = performance.now();
    const stopping = dockerd.stop();
    // dockerd keeps answering while it stops its containers; the engine is lost when it stops answering.
    const unansweredAt = await firstUnanswered(dockerd.socketPath, 10_000);
    const lostAt = await phaseAfter(stopAt, 'disconnected', 10_000);
    await stopping;
    // The event stream closing can beat the probe's failing ping: that counts as 0.
    const lostAfter = Math.max(0, lostAt - unansweredAt);
    console.log(
      `private dockerd: SIGTERM, it stopped answering ${(unansweredAt - stopAt).toFixed(0)} ms later; ` +
        `the monitor said disconnected ${lostAfter.toFixed(0)} ms after that`,
    );
    expect(lostAfter).toBeLessThan(2000);
    expect(allInvalidations(stopAt)).toBeGreaterThanOrEqual(1);

    const e = await service.list().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BulkheadError);
    expect((e as BulkheadError).code).toBe('docker-unreachable');
    expect((e as BulkheadError).message).toContain(`Docker engine not reachable at ${dockerd.host}`);
    const s = monitor.state();
    expect(s.phase).toBe('disconnected');
    expect(s.phase === 'disconnected' && s.retryAt).not.toBeNull();

    const startAt = performance.now();
    await dockerd.start();
    const upAt = performance.now();
    const backAt = await phaseAfter(startAt, 'connected', 10_000);
    console.log(
      `private dockerd answering again → connected after ${Math.max(0, backAt - upAt).toFixed(0)} ms (backoff ≤ 5 s)`,
    );
    expect(backAt - upAt).toBeLessThan(5500);
    expect(allInvalidations(startAt)).toBeGreaterThanOrEqual(1);
    const list = await service.list();
    expect(list.source).toEqual({ kind: 'live' });
    // The engine stopped its containers on shutdown; the container is still there, exited.
    expect(list.containers.find((c) => c.id === containerId)).toMatchObject({
      name: 'bh-reconnect',
      state: 'exited',
    });
  });

  it('a hung dockerd (SIGSTOP: the socket accepts, nothing answers) is noticed within 2 s by the pings', async () => {
    const pid = dockerd.pid();
    if (pid === null) throw new Error('private dockerd not running');
    const hungAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    try {
      const lostAt = await phaseAfter(hungAt, 'disconnected', 5000);
      console.log(`private dockerd SIGSTOP → disconnected after ${(lostAt - hungAt).toFixed(0)} ms`);
      expect(lostAt - hungAt).toBeLessThan(2000);
      const s = monitor.state();
      expect(s.phase === 'disconnected' && s.error.message).toMatch(/ETIMEDOUT|timed out/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const contAt = performance.now();
    const backAt = await phaseAfter(contAt, 'connected', 10_000);
    console.log(`private dockerd SIGCONT → connected after ${(backAt - contAt).toFixed(0)} ms`);
    const changed: string[] = [];
    const since = performance.now();
    await run('docker', ['-H', dockerd.host, 'start', containerId]);
    const deadline = performance.now() + 2000;
    while (performance.now() < deadline && changed.length === 0) {
      for (const p of pushes) {
        const ids =
          p.at >= since && p.push.channel === 'containers:changed'
            ? (p.push.payload as { ids: unknown }).ids
            : null;
        if (Array.isArray(ids) && ids.includes(containerId)) changed.push(containerId);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(changed).toEqual([containerId]); // events flow again on the reconnected stream
  });
});
