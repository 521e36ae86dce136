import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { resolve } from 'node:path';

import type { AlertTable } from '../../../shared/domain/anomaly/alerts.js';
import { addAlert } from '../../../shared/domain/anomaly/alerts.js';
import type { FalcoAlert, FalcoLineError, FalcoSink } from '../../../shared/domain/anomaly/falco.js';
import {
  createFalcoLineSplitter,
  falcoHit,
  isFalcoError,
  MAX_KEPT_ERRORS,
  parseFalcoAlert,
  parseFalcoJsonLines,
} from '../../../shared/domain/anomaly/falco.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

/**
 * Falco alerts into Bulkhead: from a file of Falco's JSON output (read as a stream of lines, so a file of
 * any size costs one 64 KiB buffer and one unfinished line), and from an HTTP receiver on 127.0.0.1 that
 * Falco's `http_output` or falcosidekick's webhook output can post to. Parsing is shared/domain/anomaly/
 * falco.ts; this file only reads bytes.
 */

/** What an import read. */
export interface FalcoImportSummary {
  readonly path: string;
  readonly lines: number;
  /** Alerts parsed. */
  readonly alerts: number;
  /** Of those, hits dropped because the alert table was full. */
  readonly dropped: number;
  /** Lines refused, and the first MAX_KEPT_ERRORS of them with their reasons. */
  readonly malformed: number;
  readonly errors: readonly FalcoLineError[];
}

const MAX_PATH = 4096;

async function checkFile(path: string): Promise<string> {
  if (typeof path !== 'string' || path === '' || path.includes('\0') || path.length > MAX_PATH) {
    throw new BulkheadError('bad-request', 'A Falco alert file must be a non-empty file path.');
  }
  const abs = resolve(path);
  let info;
  try {
    info = await stat(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new BulkheadError('permission-denied', `Bulkhead may not read ${abs}.`, { cause: e });
    }
    throw new BulkheadError('not-found', `There is no Falco alert file at ${abs}.`, { cause: e });
  }
  if (!info.isFile()) throw new BulkheadError('bad-request', `${abs} is not a regular file.`);
  return abs;
}

/**
 * Stream the lines of a Falco JSON file into `sink`; resolves with the number of lines.
 *
 * Throws BulkheadError `bad-request` / `not-found` / `permission-denied` for a path that cannot be read.
 */
export async function readFalcoFile(path: string, sink: FalcoSink): Promise<number> {
  const abs = await checkFile(path);
  const splitter = createFalcoLineSplitter(sink);
  const stream = createReadStream(abs, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream) splitter.push(chunk as string);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new BulkheadError('permission-denied', `Bulkhead may not read ${abs}.`, { cause: e });
    }
    throw new BulkheadError('internal', `Reading ${abs} failed: ${(e as Error).message}`, { cause: e });
  }
  splitter.end();
  return splitter.lines;
}

/** Import a Falco JSON file into an alert table (deduplicated per rule and container). */
export async function importFalcoFile(path: string, table: AlertTable): Promise<FalcoImportSummary> {
  let alerts = 0;
  let dropped = 0;
  let malformed = 0;
  const errors: FalcoLineError[] = [];
  const lines = await readFalcoFile(path, {
    alert(alert) {
      alerts++;
      if (!addAlert(table, falcoHit(alert))) dropped++;
    },
    error(e) {
      malformed++;
      if (errors.length < MAX_KEPT_ERRORS) errors.push(e);
    },
  });
  return { path: resolve(path), lines, alerts, dropped, malformed, errors };
}

/** Options of the HTTP receiver. */
export interface FalcoReceiverOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Largest request body accepted; default 256 KiB (an alert is a few KB). */
  readonly maxBodyBytes?: number;
  readonly onAlert: (alert: FalcoAlert) => void;
  /** A refused alert or body (bad JSON, missing fields). */
  readonly onError?: (error: FalcoLineError) => void;
}

/** A running receiver. */
export interface FalcoReceiver {
  /** The URL to give Falco (`http_output.url`) or falcosidekick (`webhook.address`). */
  readonly url: string;
  readonly port: number;
  /** Requests answered, alerts accepted, alerts or bodies refused. */
  readonly counts: { readonly requests: number; readonly accepted: number; readonly refused: number };
  close(): Promise<void>;
}

/** Default body bound. */
export const DEFAULT_MAX_BODY = 256 * 1024;

/** Parse a POST body: one alert object, an array of them, or JSON lines. */
export function parseFalcoBody(body: string): { alerts: FalcoAlert[]; errors: FalcoLineError[] } {
  let whole: unknown;
  try {
    whole = JSON.parse(body);
  } catch {
    const r = parseFalcoJsonLines(body);
    return { alerts: [...r.alerts], errors: [...r.errors] };
  }
  const items = Array.isArray(whole) ? (whole as unknown[]) : [whole];
  const alerts: FalcoAlert[] = [];
  const errors: FalcoLineError[] = [];
  items.forEach((item, i) => {
    const r = parseFalcoAlert(item);
    if (isFalcoError(r)) {
      if (errors.length < MAX_KEPT_ERRORS) errors.push({ ...r, line: i + 1, text: '' });
    } else alerts.push(r);
  });
  return { alerts, errors };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

const JSON_TYPES = /^application\/(json|x-ndjson)\s*(;.*)?$/i;

/**
 * Start the receiver on 127.0.0.1 (never another interface).
 *
 * Accepts `POST /` (and `/falco`) with `Content-Type: application/json` and a body of at most
 * `maxBodyBytes`. Requests carrying an `Origin` header are refused: they come from a browser, and the
 * JSON content type already forces a CORS preflight this server never grants, so a web page cannot post
 * alerts. Answers 200 `{accepted, refused, errors}`, 400 when nothing in the body was an alert, 405, 404,
 * 413 (too large), 415 (not JSON), 403 (browser).
 */
export function startFalcoReceiver(options: FalcoReceiverOptions): Promise<FalcoReceiver> {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isInteger(maxBody) || maxBody < 1 || maxBody > 64 * 1024 * 1024) {
    return Promise.reject(new RangeError('maxBodyBytes must be an integer from 1 to 64 MiB'));
  }
  const counts = { requests: 0, accepted: 0, refused: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    counts.requests++;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/' && path !== '/falco') return reply(res, 404, { error: 'not found' });
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return reply(res, 405, { error: 'only POST' });
    }
    if (req.headers.origin !== undefined) return reply(res, 403, { error: 'browser requests are refused' });
    if (!JSON_TYPES.test(req.headers['content-type'] ?? '')) {
      return reply(res, 415, { error: 'Content-Type must be application/json' });
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    const tooLarge = (): void => {
      // Answer, then drop the connection once the answer is out, rather than read the rest of the body.
      res.setHeader('connection', 'close');
      res.on('finish', () => req.destroy());
      reply(res, 413, { error: `body larger than ${maxBody} bytes` });
    };
    if (Number.isFinite(declared) && declared > maxBody) return tooLarge();
    const parts: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > maxBody) {
        aborted = true;
        tooLarge();
        return;
      }
      parts.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (aborted) return;
      const { alerts, errors } = parseFalcoBody(Buffer.concat(parts).toString('utf8'));
      for (const a of alerts) options.onAlert(a);
      for (const e of errors) options.onError?.(e);
      counts.accepted += alerts.length;
      counts.refused += errors.length;
      const refused = errors.length;
      reply(res, alerts.length === 0 ? 400 : 200, {
        accepted: alerts.length,
        refused,
        errors: errors.slice(0, 10).map((e) => `item ${e.line}: ${e.message}`),
      });
    });
  };

  const server: Server = createServer(handle);
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.maxHeadersCount = 50;
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolvePromise({
        url: `http://127.0.0.1:${port}/`,
        port,
        counts,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
