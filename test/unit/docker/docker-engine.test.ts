import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createDockerEngine } from '../../../electron/adapters/docker/docker-engine.js';
import type { EventWatch } from '../../../electron/adapters/docker/docker-engine.js';
import { resolveEndpoint } from '../../../electron/adapters/docker/endpoint.js';
import { classifyDockerError } from '../../../electron/adapters/docker/errors.js';
import type { EndpointDescription } from '../../../shared/domain/engine.js';
import type { ContainerId } from '../../../shared/domain/ids.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { EngineEvent } from '../../../electron/services/ports.js';

const UNIX: EndpointDescription = {
  url: 'unix:///var/run/docker.sock',
  transport: 'unix',
  tls: false,
  source: 'default',
  local: true,
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function engineAt(host: string) {
  return createDockerEngine(
    resolveEndpoint({ env: { DOCKER_HOST: host }, homeDir: '/nonexistent', readFile: readFileSync }),
  );
}

async function rejection(p: Promise<unknown>): Promise<BulkheadError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BulkheadError);
    return e as BulkheadError;
  }
  throw new Error('expected a rejection');
}

function errno(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyDockerError', () => {
  it.each(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'])(
    '%s → docker-unreachable',
    (code) => {
      const e = classifyDockerError(errno(code), UNIX);
      expect(e.code).toBe('docker-unreachable');
      expect(e.message).toBe(`Docker engine not reachable at unix:///var/run/docker.sock (${code})`);
    },
  );

  it('socket hang up → docker-unreachable', () => {
    expect(classifyDockerError(new Error('socket hang up'), UNIX).code).toBe('docker-unreachable');
  });

  it.each(['EACCES', 'EPERM'])('%s → docker-permission-denied with the fix', (code) => {
    const e = classifyDockerError(errno(code), UNIX);
    expect(e.code).toBe('docker-permission-denied');
    expect(e.message).toBe(
      'permission denied on /var/run/docker.sock — add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or start Bulkhead with access to the socket',
    );
  });

  it('HTTP 404 → not-found with the engine message', () => {
    const e = classifyDockerError(
      Object.assign(new Error('(HTTP code 404) no such container - No such container: abc '), {
        statusCode: 404,
        json: { message: 'No such container: abc' },
      }),
      UNIX,
    );
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('No such container: abc');
  });

  it('HTTP 500 → docker-error with the engine message', () => {
    const e = classifyDockerError(
      Object.assign(new Error('x'), { statusCode: 500, json: { message: 'boom' } }),
      UNIX,
    );
    expect(e.code).toBe('docker-error');
    expect(e.message).toContain('boom');
  });

  it('anything else → docker-error; a BulkheadError passes through', () => {
    expect(classifyDockerError(new Error('weird'), UNIX).code).toBe('docker-error');
    expect(classifyDockerError('a string', UNIX).message).toContain('a string');
    const own = new BulkheadError('not-found', 'mine');
    expect(classifyDockerError(own, UNIX)).toBe(own);
  });
});

describe('createDockerEngine against endpoints that are not there', () => {
  it('a missing unix socket → docker-unreachable (ENOENT)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bh-nosock-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const e = await rejection(engineAt(`unix://${dir}/docker.sock`).ping(1000));
    expect(e.code).toBe('docker-unreachable');
    expect(e.message).toBe(`Docker engine not reachable at unix://${dir}/docker.sock (ENOENT)`);
  });

  it('a closed tcp port → docker-unreachable (ECONNREFUSED)', async () => {
    const server = createNetServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const e = await rejection(engineAt(`tcp://127.0.0.1:${port}`).describe());
    expect(e.code).toBe('docker-unreachable');
    expect(e.message).toContain('(ECONNREFUSED)');
  });

  it('ping on a hung tcp endpoint times out on time', async () => {
    // Accepts connections and never answers: what a wedged engine or a black-holing proxy looks like.
    const sockets = new Set<Socket>();
    const server = createNetServer((s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const started = performance.now();
    const e = await rejection(engineAt(`tcp://127.0.0.1:${port}`).ping(300));
    const took = performance.now() - started;
    console.log(`ping on a hung endpoint gave up after ${took.toFixed(0)} ms (timeout 300 ms)`);
    expect(e.code).toBe('docker-unreachable');
    expect(e.message).toBe(`Docker engine not reachable at tcp://127.0.0.1:${port} (ETIMEDOUT)`);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1000);
    expect(sockets.size).toBe(1);
  });
});

/**
 * A scripted HTTP server on a unix socket that answers the few Docker API paths the adapter calls, for the
 * failure shapes a healthy dockerd does not produce on demand (malformed event lines, a 500 on one inspect).
 */
async function scriptedEngine(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ host: string; server: Server }> {
  const dir = mkdtempSync(join(tmpdir(), 'bh-scripted-'));
  const socketPath = join(dir, 'docker.sock');
  const server = createHttpServer(handler);
  await new Promise<void>((r) => server.listen(socketPath, r));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
  return { host: `unix://${socketPath}`, server };
}

const ID_A = 'a'.repeat(64) as ContainerId;
const ID_B = 'b'.repeat(64) as ContainerId;
const ID_C = 'c'.repeat(64) as ContainerId;

function inspectDoc(id: string, name: string) {
  return {
    Id: id,
    Name: `/${name}`,
    Created: '2024-05-01T10:00:00.5Z',
    Image: `sha256:${'e'.repeat(64)}`,
    State: {
      Status: 'running',
      Pid: 42,
      ExitCode: 0,
      StartedAt: '2024-05-01T10:00:01Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    Config: { Image: 'img:1', Labels: { k: 'v' } },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

describe('createDockerEngine: list and inspect', () => {
  it('a 404 between list and inspect leaves the container out; a 500 becomes a problem', async () => {
    const { host } = await scriptedEngine((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/containers/json')) {
        return json(res, 200, [
          { Id: ID_A, Names: ['/alpha'], Status: 'Up 1 minute' },
          { Id: ID_B, Names: ['/bravo'], Status: 'Up 2 minutes' },
          { Id: ID_C, Names: ['/charlie'], Status: 'Up 3 minutes' },
          { Id: 'short', Names: ['/junk'], Status: 'Up' },
        ]);
      }
      if (url.startsWith(`/containers/${ID_A}/json`)) return json(res, 200, inspectDoc(ID_A, 'alpha'));
      if (url.startsWith(`/containers/${ID_B}/json`))
        return json(res, 404, { message: `No such container: ${ID_B}` });
      if (url.startsWith(`/containers/${ID_C}/json`))
        return json(res, 500, { message: 'storage driver hiccup' });
      json(res, 404, { message: 'page not found' });
    });
    const listing = await engineAt(host).listContainers();
    expect(listing.containers.map((c) => [c.name, c.status, c.pid])).toEqual([['alpha', 'Up 1 minute', 42]]);
    expect(listing.problems).toEqual([
      { id: ID_C, name: 'charlie', message: expect.stringContaining('storage driver hiccup') as string },
    ]);
  });

  it('inspecting an unknown id → not-found', async () => {
    const { host } = await scriptedEngine((req, res) => {
      if ((req.url ?? '').startsWith('/containers/json')) return json(res, 200, []);
      json(res, 404, { message: 'No such container' });
    });
    const e = await rejection(engineAt(host).inspectContainer(ID_A));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain('aaaaaaaaaaaa');
  });

  it('inspect returns the raw document with the list status', async () => {
    const { host } = await scriptedEngine((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/containers/json')) {
        expect(decodeURIComponent(url)).toContain(`"id":["${ID_A}"]`);
        return json(res, 200, [{ Id: ID_A, Names: ['/alpha'], Status: 'Up 9 seconds' }]);
      }
      json(res, 200, inspectDoc(ID_A, 'alpha'));
    });
    const details = await engineAt(host).inspectContainer(ID_A);
    expect(details.summary.status).toBe('Up 9 seconds');
    expect(details.inspect).toEqual(inspectDoc(ID_A, 'alpha'));
  });
});

describe('createDockerEngine: watchEvents', () => {
  const event = (id: string, action: string) =>
    JSON.stringify({
      Type: 'container',
      Action: action,
      Actor: { ID: id },
      time: 1,
      timeNano: 1_000_000_123,
    });

  it('splits lines across chunks, skips malformed ones, ends exactly once when the stream closes', async () => {
    let finish: () => void = () => undefined;
    const { host } = await scriptedEngine((req, res) => {
      if (!(req.url ?? '').startsWith('/events')) return json(res, 404, {});
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const text = `${event(ID_A, 'start')}\n{this is not json}\n${event(ID_B, 'die')}\n{"Type":"container"}\n`;
      // Dribble it out in 7-byte chunks, so lines and objects are cut mid-way.
      const chunks = text.match(/[\s\S]{1,7}/g) ?? [];
      let i = 0;
      const tick = setInterval(() => {
        const c = chunks[i++];
        if (c !== undefined) res.write(c);
        else clearInterval(tick);
      }, 1);
      finish = () => {
        clearInterval(tick);
        res.end();
      };
    });
    const events: EngineEvent[] = [];
    const ends: (Error | null)[] = [];
    const watch = engineAt(host).watchEvents(
      (e) => events.push(e),
      (e) => ends.push(e),
    ) as EventWatch;
    await expect.poll(() => events.length, { timeout: 3000 }).toBe(2);
    expect(events).toEqual([
      { type: 'container', action: 'start', id: ID_A, time: 1000 },
      { type: 'container', action: 'die', id: ID_B, time: 1000 },
    ]);
    await expect.poll(() => watch.skipped, { timeout: 3000 }).toBe(2);
    finish();
    await expect.poll(() => ends.length, { timeout: 3000 }).toBe(1);
    expect(ends[0]).toBeInstanceOf(BulkheadError);
    expect((ends[0] as BulkheadError).code).toBe('docker-unreachable');
    watch.dispose();
    await new Promise((r) => setTimeout(r, 50));
    expect(ends).toHaveLength(1);
  });

  it('dispose ends with null exactly once and closes the connection', async () => {
    let closed = false;
    const { host } = await scriptedEngine((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('');
      req.on('close', () => (closed = true));
    });
    const ends: (Error | null)[] = [];
    const watch = engineAt(host).watchEvents(
      () => undefined,
      (e) => ends.push(e),
    );
    await new Promise((r) => setTimeout(r, 100));
    watch.dispose();
    watch.dispose();
    await expect.poll(() => closed, { timeout: 3000 }).toBe(true);
    expect(ends).toEqual([null]);
  });

  it('an unreachable engine ends the watch with the classified error', async () => {
    const ends: (Error | null)[] = [];
    engineAt('unix:///nonexistent/bulkhead/docker.sock').watchEvents(
      () => undefined,
      (e) => ends.push(e),
    );
    await expect.poll(() => ends.length, { timeout: 3000 }).toBe(1);
    expect((ends[0] as BulkheadError).code).toBe('docker-unreachable');
    expect((ends[0] as BulkheadError).message).toContain('(ENOENT)');
  });
});
