import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BulkheadError } from '../../../shared/ipc/result.js';

/**
 * Downloading osv.dev's per-ecosystem dumps (`<base>/<Ecosystem>/all.zip`) — one attempt per ecosystem,
 * a short deadline for the answer, an idle deadline while the body flows. Never retried: a closed network
 * fails fast with a sentence that says how to import offline.
 */

/** osv.dev's public bucket of per-ecosystem dumps. */
export const OSV_DUMP_BASE = 'https://osv-vulnerabilities.storage.googleapis.com';

/** Options for {@link downloadOsvDump}. */
export interface DownloadOptions {
  readonly baseUrl?: string;
  /** Deadline for the response headers (default 8 s). */
  readonly connectTimeoutMs?: number;
  /** Deadline between two body chunks (default 30 s). */
  readonly idleTimeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

/** How to get the dump without this machine's network. */
export function offlineHint(ecosystem: string, baseUrl = OSV_DUMP_BASE): string {
  return `To import offline, download ${baseUrl}/${encodeURIComponent(ecosystem)}/all.zip on a connected machine, copy it here and run \`bulkhead db import all.zip\`.`;
}

function reasonOf(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
    return typeof code === 'string' ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}

/**
 * Download one ecosystem's `all.zip` into a fresh temporary directory; returns the file path and a cleanup.
 * Throws BulkheadError `internal` whose message says what failed and how to import offline.
 */
export async function downloadOsvDump(
  ecosystem: string,
  options: DownloadOptions = {},
): Promise<{ path: string; bytes: number; cleanup: () => Promise<void> }> {
  const base = options.baseUrl ?? OSV_DUMP_BASE;
  const url = `${base}/${encodeURIComponent(ecosystem)}/all.zip`;
  const doFetch = options.fetchImpl ?? fetch;
  const controller = new AbortController();
  const connect = setTimeout(
    () => controller.abort(new DOMException('timeout', 'TimeoutError')),
    options.connectTimeoutMs ?? 8000,
  );
  const failed = (what: string): BulkheadError =>
    new BulkheadError('internal', `cannot download ${url}: ${what}. ${offlineHint(ecosystem, base)}`);
  let response: Response;
  try {
    response = await doFetch(url, { signal: controller.signal, redirect: 'follow' });
  } catch (e) {
    throw failed(reasonOf(e));
  } finally {
    clearTimeout(connect);
  }
  if (!response.ok || response.body === null) {
    controller.abort();
    throw failed(
      response.status === 404
        ? `osv.dev has no dump for ecosystem ${JSON.stringify(ecosystem)} (404)`
        : `HTTP ${response.status}`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'bulkhead-osv-'));
  const path = join(dir, 'all.zip');
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const out = createWriteStream(path);
  let bytes = 0;
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let idle: NodeJS.Timeout | undefined = setTimeout(
    () => controller.abort(new DOMException('timeout', 'TimeoutError')),
    idleMs,
  );
  try {
    // A web ReadableStream is async-iterable in Node.
    for await (const value of response.body as unknown as AsyncIterable<Uint8Array>) {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), idleMs);
      bytes += value.length;
      if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
  } catch (e) {
    out.destroy();
    await cleanup();
    throw failed(`the download broke off after ${bytes} bytes (${reasonOf(e)})`);
  } finally {
    clearTimeout(idle);
  }
  return { path, bytes, cleanup };
}
