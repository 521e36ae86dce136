import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';

import { Channels, Pushes } from '../../../shared/ipc/contract.js';
import type { ContainerId } from '../../../shared/domain/ids.js';
import { createWebSocketBridge } from '../../../shared/ipc/ws-client.js';
import type { BridgeTimers, TransportState, WebSocketBridge } from '../../../shared/ipc/ws-client.js';

// A real `ws` server on loopback; each test decides how it answers.
type Answer = (
  frame: { t: string; id: number; channel: string; payload: unknown },
  socket: WebSocket,
) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function startServer(
  answer: Answer,
  port = 0,
): Promise<{ wss: WebSocketServer; url: string; port: number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      answer(JSON.parse(data.toString('utf8')) as Parameters<Answer>[0], socket);
    });
  });
  const actual = (wss.address() as AddressInfo).port;
  cleanups.push(() => stopServer(wss));
  return { wss, url: `ws://127.0.0.1:${actual}/api`, port: actual };
}

async function stopServer(wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function bridge(url: string, extra: Partial<Parameters<typeof createWebSocketBridge>[1]> = {}) {
  const states: TransportState[] = [];
  const b: WebSocketBridge = createWebSocketBridge(url, {
    WebSocket,
    onTransportState: (s) => states.push(s),
    initialReconnectDelayMs: 20,
    maxReconnectDelayMs: 100,
    ...extra,
  });
  cleanups.push(() => b.close());
  return { b, states };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const echoOk: Answer = (frame, socket) => {
  socket.send(
    JSON.stringify({ t: 'res', id: frame.id, result: { ok: true, value: { echo: frame.channel } } }),
  );
};

describe('createWebSocketBridge', () => {
  it('round-trips a request and reports connecting → open', async () => {
    const seen: unknown[] = [];
    const { url } = await startServer((frame, socket) => {
      seen.push(frame);
      echoOk(frame, socket);
    });
    const { b, states } = bridge(url);
    const result = await b.invoke(Channels.appDescribe, {});
    expect(result).toEqual({ ok: true, value: { echo: 'app:describe' } });
    expect(seen).toEqual([{ t: 'req', id: 1, channel: 'app:describe', payload: {} }]);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('matches answers to requests by id, whatever the order', async () => {
    const held: { id: number; channel: string; socket: WebSocket }[] = [];
    const { url } = await startServer((frame, socket) => {
      held.push({ id: frame.id, channel: frame.channel, socket });
      if (held.length === 2) {
        for (const h of [...held].reverse()) {
          h.socket.send(JSON.stringify({ t: 'res', id: h.id, result: { ok: true, value: h.channel } }));
        }
      }
    });
    const { b } = bridge(url);
    const [a, c] = await Promise.all([
      b.invoke(Channels.appDescribe, {}),
      b.invoke(Channels.engineDescribe, {}),
    ]);
    expect(a).toEqual({ ok: true, value: 'app:describe' });
    expect(c).toEqual({ ok: true, value: 'engine:describe' });
  });

  it('passes failed Results through and turns a malformed result into an internal error', async () => {
    const { url } = await startServer((frame, socket) => {
      const result =
        frame.channel === 'engine:describe'
          ? { ok: false, error: { code: 'docker-unreachable', message: 'no engine' } }
          : { ok: 'maybe' };
      socket.send(JSON.stringify({ t: 'res', id: frame.id, result }));
    });
    const { b } = bridge(url);
    expect(await b.invoke(Channels.engineDescribe, {})).toEqual({
      ok: false,
      error: { code: 'docker-unreachable', message: 'no engine' },
    });
    expect(await b.invoke(Channels.appDescribe, {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'the engine sent a malformed answer' },
    });
  });

  it('delivers pushes to listeners of that channel only, until unsubscribed, and survives bad frames', async () => {
    const { wss, url } = await startServer(echoOk);
    const logs: string[] = [];
    const { b } = bridge(url, { log: (l) => logs.push(l) });
    const changed: unknown[] = [];
    const states: unknown[] = [];
    const off = b.on(Pushes.containersChanged, (p) => changed.push(p));
    b.on(Pushes.engineState, (p) => states.push(p));
    b.on(Pushes.containersChanged, () => {
      throw new Error('listener bug');
    });
    await b.invoke(Channels.appDescribe, {});
    const [client] = [...wss.clients];
    if (client === undefined) throw new Error('no client connected');
    client.send('not json');
    client.send(JSON.stringify([1, 2]));
    client.send(JSON.stringify({ t: 'push', channel: 'no:such', payload: 1 }));
    client.send(JSON.stringify({ t: 'res', id: 999, result: { ok: true, value: 1 } }));
    client.send(JSON.stringify({ t: 'push', channel: 'containers:changed', payload: { ids: 'all' } }));
    await waitFor(() => changed.length === 1, 'first push');
    off();
    client.send(JSON.stringify({ t: 'push', channel: 'containers:changed', payload: { ids: [] } }));
    client.send(JSON.stringify({ t: 'push', channel: 'engine:state', payload: { phase: 'x' } }));
    await waitFor(() => states.length === 1, 'engine push');
    expect(changed).toEqual([{ ids: 'all' }]);
    expect(logs.some((l) => l.includes('not JSON'))).toBe(true);
    expect(logs.some((l) => l.includes('listener bug'))).toBe(true);
    // The bridge still works after all of that.
    expect(await b.invoke(Channels.appDescribe, {})).toEqual({ ok: true, value: { echo: 'app:describe' } });
  });

  it('answers transport-closed when no answer comes within the timeout', async () => {
    const { url } = await startServer(() => undefined);
    const { b } = bridge(url, { requestTimeoutMs: 80 });
    const started = Date.now();
    const result = await b.invoke(Channels.appDescribe, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('transport-closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('fails in-flight requests when the socket drops, reconnects, and keeps push listeners', async () => {
    const port = await freePort();
    let server = await startServer(() => undefined, port);
    const { b, states } = bridge(server.url);
    const pushes: unknown[] = [];
    b.on(Pushes.containersChanged, (p) => pushes.push(p));
    const inFlight = b.invoke(Channels.appDescribe, {});
    await waitFor(() => server.wss.clients.size === 1, 'first connection');
    await new Promise((r) => setTimeout(r, 20));
    await stopServer(server.wss);
    const dropped = await inFlight;
    expect(dropped).toEqual({
      ok: false,
      error: { code: 'transport-closed', message: 'the connection to the Bulkhead engine was lost' },
    });
    expect(states.at(-1)).not.toBe('open');

    server = await startServer(echoOk, port);
    await waitFor(() => states.at(-1) === 'open', 'reconnect');
    expect(states.slice(0, 3)).toEqual(['connecting', 'open', 'closed']);
    const [client] = [...server.wss.clients];
    client?.send(
      JSON.stringify({ t: 'push', channel: 'containers:changed', payload: { ids: ['a'.repeat(64)] } }),
    );
    await waitFor(() => pushes.length === 1, 'push after reconnect');
    expect(pushes).toEqual([{ ids: ['a'.repeat(64) as ContainerId] }]);
    expect(await b.invoke(Channels.appDescribe, {})).toEqual({ ok: true, value: { echo: 'app:describe' } });
  });

  it('holds a request made while disconnected and sends it once connected', async () => {
    const port = await freePort();
    const { b, states } = bridge(`ws://127.0.0.1:${port}/api`);
    const answer = b.invoke(Channels.engineDescribe, {});
    await waitFor(() => states.includes('closed'), 'a failed attempt');
    await startServer(echoOk, port);
    expect(await answer).toEqual({ ok: true, value: { echo: 'engine:describe' } });
  });

  it('backs off exponentially up to the maximum and resets after a successful connection', async () => {
    const port = await freePort();
    const delays: number[] = [];
    const timers: BridgeTimers = {
      setTimeout: (fn, ms) => {
        if (ms < 1000) delays.push(ms);
        return setTimeout(fn, ms);
      },
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const { states } = bridge(`ws://127.0.0.1:${port}/api`, {
      timers,
      initialReconnectDelayMs: 10,
      maxReconnectDelayMs: 80,
    });
    await waitFor(() => delays.length >= 6, 'six reconnect attempts');
    expect(delays.slice(0, 6)).toEqual([10, 20, 40, 80, 80, 80]);
    expect(states.every((s) => s !== 'open')).toBe(true);

    const server = await startServer(echoOk, port);
    await waitFor(() => states.at(-1) === 'open', 'connection');
    delays.length = 0;
    for (const client of server.wss.clients) client.terminate();
    await waitFor(() => delays.length >= 1, 'reconnect after drop');
    expect(delays[0]).toBe(10);
  });

  it('close() answers waiting requests, stops reconnecting, and refuses new requests', async () => {
    const { wss, url } = await startServer(() => undefined);
    const { b, states } = bridge(url);
    const waiting = b.invoke(Channels.appDescribe, {});
    await waitFor(() => wss.clients.size === 1, 'connection');
    b.close();
    expect((await waiting).ok).toBe(false);
    const after = await b.invoke(Channels.appDescribe, {});
    expect(after).toEqual({
      ok: false,
      error: { code: 'transport-closed', message: 'the bridge is closed' },
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(states.at(-1)).toBe('closed');
    expect(states.filter((s) => s === 'connecting')).toHaveLength(1);
  });

  it('does not throw when the URL is unusable; it reports closed and retries', async () => {
    const logs: string[] = [];
    const { b, states } = bridge('not a url?token=secret', { log: (l) => logs.push(l) });
    await waitFor(() => states.filter((s) => s === 'connecting').length >= 2, 'a retry');
    expect(states.slice(0, 2)).toEqual(['connecting', 'closed']);
    expect(logs.join('\n')).not.toContain('secret');
    const r = await Promise.race([
      b.invoke(Channels.appDescribe, {}),
      new Promise((resolve) => setTimeout(() => resolve('pending'), 50)),
    ]);
    expect(r).toBe('pending');
  });
});
