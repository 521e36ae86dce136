import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDockerEngine } from '../../electron/adapters/docker/docker-engine.js';
import { resolveEndpoint } from '../../electron/adapters/docker/endpoint.js';
import type { ContainerListing, Disposable, EnginePort } from '../../electron/services/ports.js';
import type { ContainerSummary } from '../../shared/domain/container.js';
import type { ContainerId } from '../../shared/domain/ids.js';
import { toContainerId } from '../../shared/domain/ids.js';
import { BulkheadError } from '../../shared/ipc/result.js';

// Against the real dockerd at /var/run/docker.sock. Containers made here carry bulkhead.test=1 and are removed.
const run = promisify(execFile);
const MAIN_SOCKET = '/var/run/docker.sock';
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = 'bulkhead.test=1';

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args)).stdout.trim();
}

function engineAt(socketPath: string): EnginePort {
  return createDockerEngine(
    resolveEndpoint({
      env: { DOCKER_HOST: `unix://${socketPath}` },
      homeDir: '/nonexistent',
      readFile: readFileSync,
    }),
  );
}

const made: string[] = [];
async function create(...args: string[]): Promise<ContainerId> {
  const id = toContainerId(await docker('create', '--label', LABEL, '--stop-timeout', '1', ...args, IMAGE));
  made.push(id);
  return id;
}

afterAll(async () => {
  if (made.length > 0) await docker('rm', '-f', ...made).catch(() => undefined);
});

/**
 * What a renderer does: re-list on every container event, one list at a time. `until` resolves with the time
 * at which a list that satisfies the predicate came back.
 */
function liveView(engine: EnginePort): {
  until(pred: (l: ContainerListing) => boolean, timeoutMs: number): Promise<number>;
  dispose(): void;
} {
  let latest: ContainerListing | null = null;
  let latestAt = 0;
  let running = false;
  let again = false;
  const waiters = new Set<() => void>();
  const refresh = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        latest = await engine.listContainers();
        latestAt = performance.now();
        for (const w of [...waiters]) w();
      } while (again);
    } finally {
      running = false;
    }
  };
  const watch: Disposable = engine.watchEvents(
    (e) => {
      if (e.type === 'container') void refresh();
    },
    () => undefined,
  );
  void refresh();
  return {
    until(pred, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (latest !== null && pred(latest)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(latestAt);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the list did not reach the expected state within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    dispose: () => watch.dispose(),
  };
}

const find = (l: ContainerListing, id: string): ContainerSummary | undefined =>
  l.containers.find((c) => c.id === id);

describe('docker engine adapter on the real dockerd', () => {
  let engine: EnginePort;
  beforeAll(() => {
    engine = engineAt(MAIN_SOCKET);
  });

  it('pings and describes the engine like the docker CLI sees it', async () => {
    await engine.ping(2000);
    const info = await engine.describe();
    expect(info.version).toBe(await docker('version', '--format', '{{.Server.Version}}'));
    expect(info.apiVersion).toBe(await docker('version', '--format', '{{.Server.APIVersion}}'));
    expect(info.id).toBe(await docker('info', '--format', '{{.ID}}'));
    expect(info.os).toBe('linux');
    expect(engine.endpoint).toEqual({
      url: `unix://${MAIN_SOCKET}`,
      transport: 'unix',
      tls: false,
      source: 'DOCKER_HOST',
      local: true,
    });
  });

  it('a container created, started, stopped and removed shows in the list within 1 s of each command', async () => {
    const view = liveView(engine);
    // Per command: ms from running the CLI command, and from its return, until the adapter's list showed it.
    const latencies: Record<string, { fromStart: number; afterReturn: number }> = {};
    try {
      const step = async (
        name: string,
        command: () => Promise<unknown>,
        pred: (l: ContainerListing) => boolean,
      ): Promise<void> => {
        const begun = performance.now();
        await command();
        const done = performance.now();
        const seen = await view.until(pred, 3000);
        // The list may have caught up before the CLI process even exited: that counts as 0.
        latencies[name] = { fromStart: seen - begun, afterReturn: Math.max(0, seen - done) };
      };
      let id = '' as ContainerId;
      await step(
        'create',
        async () => (id = await create('--name', `bh-it-events-${process.pid}`)),
        (l) => find(l, id)?.state === 'created',
      );
      const created = await engine.inspectContainer(id);
      expect(created.summary).toMatchObject({
        id,
        name: `bh-it-events-${process.pid}`,
        image: IMAGE,
        state: 'created',
        startedAt: null,
        exitCode: null,
        labels: { 'bulkhead.test': '1' },
      });
      await step(
        'start',
        () => docker('start', id),
        (l) => find(l, id)?.state === 'running',
      );
      const pid = Number(await docker('inspect', '--format', '{{.State.Pid}}', id));
      const running = await engine.inspectContainer(id);
      expect(running.summary.pid).toBe(pid);
      expect(running.summary.status).toMatch(/^Up /);
      expect((running.inspect as { Id: string }).Id).toBe(id);
      await step(
        'stop',
        () => docker('stop', '-t', '1', id),
        (l) => find(l, id)?.state === 'exited',
      );
      const stopped = await engine.inspectContainer(id);
      expect(stopped.summary.exitCode).toBe(
        Number(await docker('inspect', '--format', '{{.State.ExitCode}}', id)),
      );
      expect(stopped.summary.finishedAt).not.toBeNull();
      await step(
        'remove',
        () => docker('rm', id),
        (l) => find(l, id) === undefined,
      );
      console.log(
        `event-driven list caught up (ms since command start / after it returned): ${Object.entries(latencies)
          .map(([k, v]) => `${k} ${v.fromStart.toFixed(0)}/${v.afterReturn.toFixed(0)}`)
          .join(', ')}`,
      );
      for (const v of Object.values(latencies)) expect(v.afterReturn).toBeLessThan(1000);
      // Removed by the test itself: the engine now says not-found.
      const gone = await engine.inspectContainer(id).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(BulkheadError);
      expect((gone as BulkheadError).code).toBe('not-found');
    } finally {
      view.dispose();
    }
  });

  it('a container that vanishes between the list and its inspect is left out; the rest still lists', async () => {
    const victim = await create('--name', `bh-it-victim-${process.pid}`);
    const survivor = await create('--name', `bh-it-survivor-${process.pid}`);
    // A pass-through proxy to the real dockerd that removes the victim (for real, with the docker CLI) after
    // the engine has answered the list and before the adapter gets to inspect it.
    const dir = mkdtempSync(join(tmpdir(), 'bh-proxy-'));
    const proxySocket = join(dir, 'docker.sock');
    let listedVictim = false;
    let intercepted = 0;
    const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
      const upstream = request(
        { socketPath: MAIN_SOCKET, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          const isList =
            (req.url ?? '').startsWith('/containers/json') && !(req.url ?? '').includes('filters');
          if (!isList || intercepted > 0) {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            return;
          }
          intercepted += 1;
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            listedVictim = body.toString('utf8').includes(victim);
            void docker('rm', '-f', victim).finally(() => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(body);
            });
          });
        },
      );
      upstream.on('error', (e) => res.destroy(e));
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(proxySocket, r));
    try {
      const listing = await engineAt(proxySocket).listContainers();
      expect(intercepted).toBe(1);
      expect(listedVictim).toBe(true); // the engine did list it…
      expect(find(listing, victim)).toBeUndefined(); // …but it was gone by the inspect: left out
      expect(listing.problems.filter((p) => p.id === victim)).toEqual([]);
      expect(find(listing, survivor)?.name).toBe(`bh-it-survivor-${process.pid}`);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inspect of an id the engine does not know → not-found', async () => {
    const e = await engine.inspectContainer('f'.repeat(64) as ContainerId).catch((x: unknown) => x);
    expect((e as BulkheadError).code).toBe('not-found');
  });
});
