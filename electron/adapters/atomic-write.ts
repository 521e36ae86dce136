import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { BulkheadError } from '../../shared/ipc/result.js';

/**
 * Atomic file replacement, the one way Bulkhead writes a file a user or a later run depends on (advisory
 * database, image cache, reports, profiles).
 *
 * The bytes go to a temporary file in the target's directory (same filesystem, so the rename is atomic),
 * are flushed to disk (fsync), and only then renamed over the target; the directory is fsynced after the
 * rename. A failure at any step — disk full, quota, permission — removes the temporary file and leaves the
 * previous file byte-identical. Temporary names are `.<name>.<random>.tmp`.
 */

const FLUSH_BYTES = 64 * 1024;

/** The temporary sibling of `target` a write goes through. */
function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * The error to report for a failed write of `target`: ENOSPC/EDQUOT become `disk-full` naming the file and
 * saying nothing was replaced; anything else is returned as it was.
 */
export function diskWriteError(e: unknown, target: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const what = code === 'ENOSPC' ? 'no space left on device' : 'disk quota exceeded';
    return new BulkheadError(
      'disk-full',
      `cannot write ${target}: the disk is full (${code}, ${what}); the previous file is unchanged`,
      { cause: e },
    );
  }
  return e;
}

async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  // A write to a nearly full filesystem may be short; the next one reports ENOSPC.
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Best effort: some filesystems refuse fsync on a directory.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is already on disk under its final name as far as this filesystem allows.
  }
}

/** A file being written under a temporary name; nothing is visible at `path` until {@link commit}. */
export interface AtomicFile {
  /** The target, made absolute. */
  readonly path: string;
  /** Append text (buffered; flushed in 64 KiB pieces). */
  write(text: string): Promise<void>;
  /** Flush, fsync, close and rename over the target. */
  commit(): Promise<void>;
  /** Close and remove the temporary file; the target is untouched. Safe to call more than once. */
  abort(): Promise<void>;
}

/**
 * Open `path` for an atomic replacement.
 *
 * Errors of every step are reported through {@link diskWriteError}; after a failed `write` or `commit`
 * the temporary file is already removed.
 */
export async function openAtomicFile(path: string): Promise<AtomicFile> {
  const target = resolve(path);
  const tmp = tempPathFor(target);
  let handle: FileHandle | null;
  try {
    handle = await open(tmp, 'wx');
  } catch (e) {
    throw diskWriteError(e, target);
  }
  let pending: string[] = [];
  let pendingBytes = 0;
  let done = false;

  const flush = async (): Promise<void> => {
    if (pending.length === 0 || handle === null) return;
    const data = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingBytes = 0;
    await writeAll(handle, data);
  };
  const abort = async (): Promise<void> => {
    done = true;
    pending = [];
    const h = handle;
    handle = null;
    await h?.close().catch(() => undefined);
    await rm(tmp, { force: true });
  };
  const failed = async (e: unknown): Promise<never> => {
    await abort();
    throw diskWriteError(e, target);
  };

  return {
    path: target,
    async write(text) {
      if (done) throw new Error(`${target}: write after commit or abort`);
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= FLUSH_BYTES) await flush().catch(failed);
    },
    async commit() {
      if (done) throw new Error(`${target}: commit after commit or abort`);
      try {
        await flush();
        await handle?.sync();
        const h = handle;
        handle = null;
        await h?.close();
        await rename(tmp, target);
      } catch (e) {
        return failed(e);
      }
      done = true;
      await syncDirectory(dirname(target));
    },
    abort,
  };
}

/** Replace `path` with `data` atomically (see the module comment); the previous file survives any failure. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  const tmp = tempPathFor(target);
  let handle: FileHandle | null = null;
  try {
    handle = await open(tmp, 'wx');
    await writeAll(handle, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await handle.sync();
    const h = handle;
    handle = null;
    await h.close();
    await rename(tmp, target);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw diskWriteError(e, target);
  }
  await syncDirectory(dirname(target));
}

/** Replace `path` with `text` (UTF-8) atomically. */
export function writeTextAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, text);
}
