import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect as netConnect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';

import type { AppDescription } from '../../../shared/ipc/contract.js';
import { startWebServer } from '../../../electron/web/server.js';
import type { WebServer } from '../../../electron/web/server.js';
import { createFakeCore } from '../../support/fake-core.js';
import type { FakeCore } from '../../support/fake-core.js';

const TOKEN = 'test-token-0123456789abcdef';
const SECRET = 'top secret outside the static root';
const APP: AppDescription = {
  version: '0.0.0-test',
  mode: 'browser',
  demoAvailable: false,
  showDemoWhenDisconnected: true,
};

let dir: string;
let staticDir: string;
let core: FakeCore;
let server: WebServer;
const logs: string[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulkhead-web-'));
  staticDir = join(dir, 'renderer');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Bulkhead</title>');
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  await writeFile(join(staticDir, 'assets', 'app.css'), 'body{}');
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await symlink(join(dir, 'secret.txt'), join(staticDir, 'link.txt'));
  core = createFakeCore({ 'app:describe': () => Promise.resolve(APP) });
  server = await startWebServer({ core, staticDir, token: TOKEN, log: (l) => logs.push(l) });
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.terminate();
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: the path goes out exactly as written (no URL normalisation) with the given headers. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method,
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function origin(): string {
  return `http://127.0.0.1:${server.port}`;
}

/** Open a WebSocket; resolves with the socket once open, or with the HTTP status the upgrade was refused with. */
function openWs(query: string, options: ClientOptions = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { origin: origin(), ...options });
    sockets.push(ws);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

async function connect(): Promise<WebSocket> {
  const ws = await openWs(`?token=${TOKEN}`);
  if (typeof ws === 'number') throw new Error(`upgrade refused with ${ws}`);
  return ws;
}

/** Collect frames the server sends. */
function frames(ws: WebSocket): unknown[] {
  const seen: unknown[] = [];
  ws.on('message', (data: Buffer) => seen.push(JSON.parse(data.toString('utf8'))));
  return seen;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('browser-mode HTTP', () => {
  it('listens on loopback and prints a URL that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    expect(server.token).toBe(TOKEN);
  });

  it('serves the app with the token in the query, sets a strict cookie, and sends the security headers', async () => {
    const res = await get(`/?token=${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Bulkhead</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`bulkhead-token-${server.port}=${TOKEN}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
  });

  it('accepts the cookie for sub-resources and sets the right content types', async () => {
    const cookie = `bulkhead-token-${server.port}=${TOKEN}`;
    const js = await get('/assets/app.js', { cookie });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1);');
    expect(js.headers['set-cookie']).toBeUndefined();
    const css = await get('/assets/app.css', { cookie: `other=1; ${cookie}` });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get('/assets/app.js', { cookie }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses requests without the token, with a wrong token, or with a cookie for another port', async () => {
    for (const res of [
      await get('/'),
      await get('/assets/app.js'),
      await get('/?token=wrong-token-0123456789abcdef'),
      await get(`/?token=${TOKEN.slice(0, -1)}`),
      // Same length, last character changed; the token plus one character.
      await get(`/?token=${TOKEN.slice(0, -1)}${TOKEN.endsWith('f') ? 'e' : 'f'}`),
      await get(`/?token=${TOKEN}x`),
      await get('/', { cookie: `bulkhead-token-${server.port}=nope` }),
      await get('/', { cookie: `bulkhead-token-1=${TOKEN}` }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toContain('access token');
      expect(res.body).not.toContain(TOKEN);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('compares tokens in constant time: SHA-256 digests through timingSafeEqual, never the strings', async () => {
    // Timing cannot be measured honestly in a unit test; what makes it constant-time is checked instead.
    const source = await readFile(
      join(import.meta.dirname, '..', '..', '..', 'electron', 'web', 'server.ts'),
      'utf8',
    );
    expect(source).toMatch(/timingSafeEqual\(sha256\(candidate\), tokenDigest\)/);
    expect(source).not.toMatch(/[=!]==?\s*token\b|\btoken\s*[=!]==?(?!\s*undefined)/);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the right token', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      '127.0.0.1',
    ]) {
      const res = await get(`/?token=${TOKEN}`, { host });
      expect(res.status).toBe(421);
      expect(res.body).not.toContain('Bulkhead</title>');
    }
    expect((await get(`/?token=${TOKEN}`, { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses path traversal, encoded or not, and symlinks leading out of the static root', async () => {
    const attempts = [
      `/../secret.txt?token=${TOKEN}`,
      `/assets/../../secret.txt?token=${TOKEN}`,
      `/..%2fsecret.txt?token=${TOKEN}`,
      `/%2e%2e%2fsecret.txt?token=${TOKEN}`,
      `/assets%2f..%2f..%2fsecret.txt?token=${TOKEN}`,
      `/..%5csecret.txt?token=${TOKEN}`,
      `/link.txt?token=${TOKEN}`,
      `/%00index.html?token=${TOKEN}`,
      `/%E0%A4%A?token=${TOKEN}`,
    ];
    for (const path of attempts) {
      const res = await get(path);
      expect(res.body, path).not.toContain(SECRET);
      expect([403, 404], path).toContain(res.status);
    }
    expect((await get(`/..%2fsecret.txt?token=${TOKEN}`)).status).toBe(403);
    expect((await get(`/link.txt?token=${TOKEN}`)).status).toBe(403);
    expect((await get(`/no-such-file.js?token=${TOKEN}`)).status).toBe(404);
  });

  it('answers a request target that is not a path with 400, and keeps serving', async () => {
    expect((await get(`http://evil.example/?token=${TOKEN}`)).status).toBe(400);
    expect((await get(`//evil.example/?token=${TOKEN}`)).status).toBe(404);
    expect((await get(`/?token=${TOKEN}`)).status).toBe(200);
  });

  it('answers only GET and HEAD', async () => {
    const res = await get(`/?token=${TOKEN}`, {}, 'POST');
    expect(res.status).toBe(405);
  });

  it('is not reachable on a non-loopback address', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    if (external === undefined) {
      // A machine with loopback only: binding to 0.0.0.0 would be indistinguishable here, so check the URL.
      expect(server.url.startsWith('http://127.0.0.1:')).toBe(true);
      return;
    }
    const failure = await new Promise<string>((resolve) => {
      const req = request(
        { host: external.address, port: server.port, path: `/?token=${TOKEN}`, timeout: 2000 },
        () => resolve('answered'),
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      req.on('timeout', () => {
        req.destroy();
        resolve('timeout');
      });
      req.end();
    });
    expect(failure).not.toBe('answered');
  });
});

describe('browser-mode WebSocket', () => {
  it('round-trips a valid request through core.dispatch', async () => {
    const ws = await connect();
    const seen = frames(ws);
    ws.send(JSON.stringify({ t: 'req', id: 7, channel: 'app:describe', payload: {} }));
    await waitFor(() => seen.length === 1, 'answer');
    expect(seen[0]).toEqual({ t: 'res', id: 7, result: { ok: true, value: APP } });
  });

  it('accepts the token from the cookie instead of the query', async () => {
    const ws = await openWs('', { headers: { cookie: `bulkhead-token-${server.port}=${TOKEN}` } });
    expect(ws).toBeInstanceOf(WebSocket);
  });

  it('refuses an upgrade without the token or with a wrong one', async () => {
    expect(await openWs('')).toBe(403);
    expect(await openWs('?token=wrong-token-0123456789abcdef')).toBe(403);
  });

  it('refuses a foreign or missing Origin, even with the token', async () => {
    expect(await openWs(`?token=${TOKEN}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await openWs(`?token=${TOKEN}`, { origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await openWs(`?token=${TOKEN}`, { origin: `https://127.0.0.1:${server.port}` })).toBe(403);
    const noOrigin = await new Promise<number | 'open'>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${TOKEN}`);
      sockets.push(ws);
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', reject);
    });
    expect(noOrigin).toBe(403);
    expect(await openWs(`?token=${TOKEN}`, { origin: `http://localhost:${server.port}` })).toBeInstanceOf(
      WebSocket,
    );
  });

  it('refuses a foreign Host header and other paths', async () => {
    expect(await openWs(`?token=${TOKEN}`, { headers: { host: `evil.example:${server.port}` } })).toBe(421);
    const other = await new Promise<number | 'open'>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/other?token=${TOKEN}`, { origin: origin() });
      sockets.push(ws);
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', reject);
    });
    expect(other).toBe(404);
  });

  it('refuses upgrades whose target is not the API path, without crashing', async () => {
    const raw = (target: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = netConnect(server.port, '127.0.0.1', () => {
          socket.write(
            `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${origin()}\r\n` +
              'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
              'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
          );
        });
        let reply = '';
        socket.setEncoding('utf8').on('data', (c: string) => {
          reply += c;
          const end = reply.indexOf('\r\n');
          if (end !== -1) {
            socket.destroy();
            resolve(reply.slice(0, end));
          }
        });
        socket.on('error', reject);
      });
    expect(await raw(`http://evil.example/api?token=${TOKEN}`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(`//evil.example/api?token=${TOKEN}`)).toBe('HTTP/1.1 404 Not Found');
    expect(await raw(`/api?token=${TOKEN}`)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await connect()).toBeInstanceOf(WebSocket);
  });

  it('answers malformed frames with bad-request when they have an id, drops the rest, and keeps serving', async () => {
    const ws = await connect();
    const seen = frames(ws);
    const before = core.handled.length;
    ws.send('not json');
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ t: 'req' }));
    ws.send(JSON.stringify([1]));
    ws.send(JSON.stringify({ t: 'req', id: 1, channel: 'app:describe', payload: {}, extra: true }));
    ws.send(JSON.stringify({ t: 'req', id: 2, channel: 'no:such', payload: {} }));
    ws.send(JSON.stringify({ t: 'req', id: 3, channel: 'containers:inspect', payload: { id: '../../etc' } }));
    ws.send(JSON.stringify({ t: 'req', id: 4, channel: 'app:describe', payload: { sneaky: 1 } }));
    ws.send(JSON.stringify({ t: 'req', id: 5, channel: 'app:describe', payload: {} }));
    await waitFor(() => seen.length === 5, 'five answers');
    const byId = new Map(
      (seen as { id: number; result: { ok: boolean; error?: { code: string } } }[]).map((f) => [
        f.id,
        f.result,
      ]),
    );
    expect(byId.get(1)?.error?.code).toBe('bad-request');
    expect(byId.get(2)?.error?.code).toBe('unknown-channel');
    expect(byId.get(3)?.error?.code).toBe('bad-request');
    expect(byId.get(4)?.error?.code).toBe('bad-request');
    expect(byId.get(5)).toEqual({ ok: true, value: APP });
    // Only the valid request reached a handler.
    expect(core.handled.slice(before)).toEqual([
      { channel: 'app:describe', request: {}, client: { id: expect.stringMatching(/^ws-\d+$/) as unknown } },
    ]);
    expect(logs.some((l) => l.includes('not JSON'))).toBe(true);
    expect(logs.some((l) => l.includes('binary'))).toBe(true);
  });

  it('closes a connection that sends an oversized frame and keeps serving others', async () => {
    const ws = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.send(
      JSON.stringify({ t: 'req', id: 1, channel: 'app:describe', payload: { pad: 'x'.repeat(70 * 1024) } }),
    );
    expect(await closed).toBe(1009);
    const other = await connect();
    const seen = frames(other);
    other.send(JSON.stringify({ t: 'req', id: 9, channel: 'app:describe', payload: {} }));
    await waitFor(() => seen.length === 1, 'answer after oversized frame');
  });

  it('broadcasts pushes from the core to every connected client', async () => {
    const a = await connect();
    const b = await connect();
    const seenA = frames(a);
    const seenB = frames(b);
    core.emit('containers:changed', { ids: 'all' });
    await waitFor(() => seenA.length === 1 && seenB.length === 1, 'push on both');
    expect(seenA[0]).toEqual({ t: 'push', channel: 'containers:changed', payload: { ids: 'all' } });
    expect(seenB[0]).toEqual(seenA[0]);
  });

  it('names each connection as a client: its requests carry the id, pushes addressed to it reach only it', async () => {
    const a = await connect();
    const b = await connect();
    const seenA = frames(a);
    const seenB = frames(b);
    const before = core.handled.length;
    a.send(JSON.stringify({ t: 'req', id: 1, channel: 'app:describe', payload: {} }));
    await waitFor(() => seenA.length === 1, 'answer to a');
    b.send(JSON.stringify({ t: 'req', id: 1, channel: 'app:describe', payload: {} }));
    await waitFor(() => seenB.length === 1, 'answer to b');
    const [fromA, fromB] = core.handled.slice(before).map((h) => h.client?.id);
    expect(fromA).toMatch(/^ws-\d+$/);
    expect(fromB).toMatch(/^ws-\d+$/);
    expect(fromA).not.toBe(fromB);

    core.emit('containers:changed', { ids: 'all' }, fromB);
    core.emit('containers:changed', { ids: 'all' });
    await waitFor(() => seenA.length === 2 && seenB.length === 3, 'addressed and broadcast pushes');
    // a got only the broadcast; b got the addressed push, then the broadcast.
    expect(seenA.slice(1)).toEqual([{ t: 'push', channel: 'containers:changed', payload: { ids: 'all' } }]);
    expect(seenB.slice(1)).toEqual([
      { t: 'push', channel: 'containers:changed', payload: { ids: 'all' } },
      { t: 'push', channel: 'containers:changed', payload: { ids: 'all' } },
    ]);
  });

  it('reports a closed connection to core.clientClosed with its client id', async () => {
    const ws = await connect();
    const seen = frames(ws);
    const before = core.handled.length;
    ws.send(JSON.stringify({ t: 'req', id: 1, channel: 'app:describe', payload: {} }));
    await waitFor(() => seen.length === 1, 'answer');
    const id = core.handled[before]?.client?.id;
    expect(id).toMatch(/^ws-\d+$/);
    expect(core.closedClients).not.toContain(id);
    ws.close();
    await waitFor(() => core.closedClients.includes(id ?? ''), 'clientClosed');
    expect(core.closedClients.filter((c) => c === id)).toHaveLength(1);
  });
});

describe('startWebServer lifecycle', () => {
  it('generates a random base64url token when none is given, and close() disconnects everything', async () => {
    const ownCore = createFakeCore({ 'app:describe': () => Promise.resolve(APP) });
    const own = await startWebServer({ core: ownCore, staticDir, log: () => undefined });
    const other = await startWebServer({ core: ownCore, staticDir, log: () => undefined });
    expect(own.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(other.token).not.toBe(own.token);
    await other.close();
    expect(ownCore.subscriberCount()).toBe(1);
    const ws = new WebSocket(`ws://127.0.0.1:${own.port}/api?token=${own.token}`, {
      origin: `http://127.0.0.1:${own.port}`,
    });
    sockets.push(ws);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise((resolve) => ws.once('close', resolve));
    await own.close();
    await closed;
    expect(ownCore.subscriberCount()).toBe(0);
    const refused = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: own.port, path: '/' }, () => resolve('answered'));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      req.end();
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('refuses a short token', async () => {
    await expect(startWebServer({ core, staticDir, token: 'short' })).rejects.toThrow(/at least 16/);
  });
});
