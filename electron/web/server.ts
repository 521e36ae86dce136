import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, resolve, sep } from 'node:path';

import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';

import { err } from '../../shared/ipc/result.js';
import type { Result } from '../../shared/ipc/result.js';
import {
  MAX_CLIENT_FRAME_BYTES,
  TOKEN_PARAM,
  WS_PATH,
  clientFrameSchema,
} from '../../shared/ipc/ws-protocol.js';
import type { ServerFrame } from '../../shared/ipc/ws-protocol.js';
import { describeIssues } from '../../shared/ipc/schemas.js';
import { assertNever } from '../../shared/util/assert-never.js';
import type { AppCore, PushEnvelope } from '../services/app-core.js';

/** Options of {@link startWebServer}. */
export interface WebServerOptions {
  readonly core: AppCore;
  /** The built renderer (dist/renderer); only files below it are served. */
  readonly staticDir: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** The access token; a random 32-byte token when omitted. At least 16 characters. */
  readonly token?: string;
  /** Diagnostics; never receives the token. Defaults to stderr. */
  readonly log?: (line: string) => void;
}

/** A running browser-mode server. */
export interface WebServer {
  /** The URL to open, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Disconnect every client and stop listening. */
  close(): Promise<void>;
}

/** The only address the server binds to: browser mode is never reachable from another machine. */
const LOOPBACK = '127.0.0.1';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const FORBIDDEN_TEXT =
  'Forbidden: this Bulkhead browser-mode server only answers requests that carry its access token.\n' +
  'Open the exact URL printed by `npm run web` (it ends in ?token=...).\n';

/**
 * Start the browser-mode server: the built renderer over HTTP and the engine API over a WebSocket.
 *
 * Listens on 127.0.0.1 only. Every HTTP request and every WebSocket upgrade must carry the token (query
 * `?token=`, or the HttpOnly SameSite=Strict cookie set when a page is opened with a valid query token) and
 * a Host header naming this loopback port (a DNS-rebinding guard); upgrades must also come from this
 * server's own Origin. Client frames are validated before they reach `core.dispatch`, which hears each
 * connection's client id (`ws-<n>`); pushes from the core go to every connected client, or to the one they
 * are addressed to. A closed connection is reported to `core.clientClosed`, which releases what it held.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { core } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (token.length < 16) throw new Error('the browser-mode token must be at least 16 characters long');
  const tokenDigest = sha256(token);
  const staticRoot = await realpath(options.staticDir);

  // Filled in once listening; the checks below are only reached after that.
  let port = 0;
  const cookieName = (): string => `bulkhead-${TOKEN_PARAM}-${port}`;

  const tokenMatches = (candidate: string | null | undefined): boolean =>
    typeof candidate === 'string' && candidate.length > 0 && timingSafeEqual(sha256(candidate), tokenDigest);

  const hostAllowed = (host: string | undefined): boolean =>
    host === `${LOOPBACK}:${port}` || host === `localhost:${port}`;

  /** Whether the request carries the token, and whether it came in the query (so the cookie should be set). */
  const authenticate = (req: IncomingMessage, url: URL): { ok: boolean; viaQuery: boolean } => {
    if (tokenMatches(url.searchParams.get(TOKEN_PARAM))) return { ok: true, viaQuery: true };
    const cookies = parseCookies(req.headers.cookie);
    return {
      ok: cookies.some(([name, value]) => name === cookieName() && tokenMatches(value)),
      viaQuery: false,
    };
  };

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host)) {
      sendText(
        res,
        421,
        `Misdirected request: this server only answers to ${LOOPBACK}:${port} and localhost:${port}.\n`,
      );
      return;
    }
    const url = parseRequestUrl(req.url, port);
    if (url === null) {
      sendText(res, 400, 'Bad request: unparsable URL.\n');
      return;
    }
    const auth = authenticate(req, url);
    if (!auth.ok) {
      sendText(res, 403, FORBIDDEN_TEXT);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'Method not allowed.\n');
      return;
    }
    if (auth.viaQuery) {
      res.setHeader(
        'Set-Cookie',
        `${cookieName()}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    if (url.pathname === WS_PATH) {
      sendText(res, 426, 'This endpoint speaks WebSocket only.\n');
      return;
    }
    const file = await resolveStatic(staticRoot, req.url ?? '/');
    switch (file.kind) {
      case 'outside':
        sendText(res, 403, 'Forbidden: that path is outside the app.\n');
        return;
      case 'missing':
        sendText(res, 404, 'Not found.\n');
        return;
      case 'file': {
        const body = await readFile(file.path);
        setSecurityHeaders(res);
        res.statusCode = 200;
        res.setHeader(
          'Content-Type',
          CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
        );
        res.setHeader('Content-Length', body.length);
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      default:
        return assertNever(file, 'static file result');
    }
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((e: unknown) => {
      log(`browser mode: request failed: ${describe(e)}`);
      if (!res.headersSent) sendText(res, 500, 'Internal error.\n');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  wss.on('error', (e) => log(`browser mode: websocket server error: ${describe(e)}`));

  const STATUS_TEXT: Readonly<Record<number, string>> = {
    400: 'Bad Request',
    403: 'Forbidden',
    404: 'Not Found',
    421: 'Misdirected Request',
  };

  /** Every check happens here, before the upgrade completes; a refused socket never reaches `ws`. */
  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: string): void => {
      log(`browser mode: refused a WebSocket upgrade: ${reason}`);
      const body = `${reason}\n`;
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Forbidden'}\r\n` +
          'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    if (!hostAllowed(req.headers.host)) return refuse(421, 'wrong Host header');
    const url = parseRequestUrl(req.url, port);
    if (url === null) return refuse(400, 'unparsable URL');
    if (url.pathname !== WS_PATH) return refuse(404, 'no WebSocket endpoint at that path');
    const origin = req.headers.origin;
    if (origin !== `http://${LOOPBACK}:${port}` && origin !== `http://localhost:${port}`) {
      return refuse(403, 'foreign or missing Origin');
    }
    if (!authenticate(req, url).ok) return refuse(403, 'missing or wrong token');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      handleUpgrade(req, socket, head);
    } catch (e) {
      log(`browser mode: upgrade failed: ${describe(e)}`);
      socket.destroy();
    }
  });

  /** Each connection's client id: what the core keys its per-client resources (subscriptions) by. */
  const clientIds = new WeakMap<WebSocket, string>();
  let nextClient = 1;

  wss.on('connection', (ws: WebSocket) => {
    const clientId = `ws-${nextClient++}`;
    clientIds.set(ws, clientId);
    ws.on('error', (e) => log(`browser mode: client socket error: ${describe(e)}`));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      handleFrame(ws, clientId, data, isBinary).catch((e: unknown) =>
        log(`browser mode: frame handling failed: ${describe(e)}`),
      );
    });
    ws.on('close', () => {
      try {
        core.clientClosed(clientId);
      } catch (e) {
        log(`browser mode: releasing ${clientId} failed: ${describe(e)}`);
      }
    });
  });

  const send = (ws: WebSocket, frame: ServerFrame): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify(frame), (e) => {
      if (e) log(`browser mode: send failed: ${describe(e)}`);
    });
  };

  const handleFrame = async (
    ws: WebSocket,
    clientId: string,
    data: RawData,
    isBinary: boolean,
  ): Promise<void> => {
    if (isBinary) {
      log('browser mode: dropped a binary frame');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawToString(data));
    } catch {
      log('browser mode: dropped a frame that is not JSON');
      return;
    }
    const frame = clientFrameSchema.safeParse(parsed);
    if (!frame.success) {
      const id = isRecord(parsed) ? parsed.id : undefined;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        send(ws, {
          t: 'res',
          id,
          result: err('bad-request', `malformed frame: ${describeIssues(frame.error)}`),
        });
      } else {
        log('browser mode: dropped a malformed frame without a usable id');
      }
      return;
    }
    let result: Result<unknown>;
    try {
      result = await core.dispatch(frame.data.channel, frame.data.payload, { id: clientId });
    } catch (e) {
      // The dispatcher answers every failure as data; this only guards against a broken core.
      log(`browser mode: dispatch threw: ${describe(e)}`);
      result = err('internal', 'the engine failed to answer');
    }
    send(ws, { t: 'res', id: frame.data.id, result });
  };

  const unsubscribe = core.pushes.subscribe((push: PushEnvelope) => {
    let text: string;
    try {
      text = JSON.stringify({
        t: 'push',
        channel: push.channel,
        payload: push.payload,
      } satisfies ServerFrame);
    } catch (e) {
      log(`browser mode: could not serialise a ${push.channel} push: ${describe(e)}`);
      return;
    }
    for (const client of wss.clients) {
      // A push addressed to one client (a subscription's frames) goes to that connection only.
      if (push.to !== undefined && clientIds.get(client) !== push.to) continue;
      if (client.readyState === client.OPEN) client.send(text);
    }
  });

  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, LOOPBACK, () => {
        server.off('error', reject);
        resolvePromise();
      });
    });
  } catch (e) {
    unsubscribe();
    throw e;
  }
  server.on('error', (e) => log(`browser mode: server error: ${describe(e)}`));
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolvePromise) => {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => resolvePromise());
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url: `http://${LOOPBACK}:${port}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    port,
    token,
    close,
  };
}

/**
 * The request target as a URL, or null when it is not an origin-form path (`/…`) or cannot be parsed.
 *
 * The path is appended to this server's origin rather than resolved against it, so `//other/api` stays a
 * path and never becomes a host.
 */
function parseRequestUrl(raw: string | undefined, port: number): URL | null {
  const target = raw ?? '/';
  if (!target.startsWith('/')) return null;
  try {
    return new URL(`http://${LOOPBACK}:${port}${target}`);
  } catch {
    return null;
  }
}

type StaticFile = { kind: 'file'; path: string } | { kind: 'missing' } | { kind: 'outside' };

/**
 * Map a request path to a file below `root`.
 *
 * The path is decoded once and resolved against the root; anything that resolves outside it (`..`, encoded
 * slashes, NUL bytes, symlinks pointing elsewhere) is `outside`. A directory serves its index.html.
 */
async function resolveStatic(root: string, rawUrl: string): Promise<StaticFile> {
  const rawPath = rawUrl.split('?')[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'outside' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'outside' };
  let candidate = resolve(root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (!isInside(root, candidate)) return { kind: 'outside' };
  try {
    if ((await stat(candidate)).isDirectory()) candidate = resolve(candidate, 'index.html');
    const real = await realpath(candidate);
    if (!isInside(root, real)) return { kind: 'outside' };
    if (!(await stat(real)).isFile()) return { kind: 'missing' };
    return { kind: 'file', path: real };
  } catch {
    return { kind: 'missing' };
  }
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function parseCookies(header: string | undefined): [string, string][] {
  if (header === undefined) return [];
  const pairs: [string, string][] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    pairs.push([name, value]);
  }
  return pairs;
}

function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  setSecurityHeaders(res);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
