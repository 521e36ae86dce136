import { randomBytes } from 'node:crypto';
import { lstat, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { BulkheadError } from '../../../shared/ipc/result.js';

/**
 * Atomic file writes: the data goes to a temporary file in the target's directory, then a rename puts it
 * in place. A write that fails part-way (disk full, quota, permissions) removes the temporary file and
 * leaves whatever was at the target as it was.
 */

const WHY: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'the directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'the path is a directory',
  ENAMETOOLONG: 'the file name is too long',
  EIO: 'input/output error',
};

/** The BulkheadError (`write-failed`) for an error writing `target`, naming its errno. */
export function writeError(target: string, e: unknown): BulkheadError {
  if (e instanceof BulkheadError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const why = code !== undefined ? `${WHY[code] ?? 'the write failed'} (${code})` : String(e);
  return new BulkheadError(
    'write-failed',
    `Could not write ${target}: ${why}; an existing file there is unchanged.`,
    { cause: e },
  );
}

/**
 * Write `data` to `path` (made absolute against the working directory) through a temporary file in the
 * same directory and a rename; returns the absolute path. Only a regular file (or nothing) is replaced: a
 * device, directory or symbolic link at the target is refused (`bad-request`), so `/dev/full` or a link is
 * never swapped for a file. Failures are `write-failed` errors naming the errno (ENOSPC …).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<string> {
  const target = resolve(path);
  let existing: Awaited<ReturnType<typeof lstat>> | null = null;
  try {
    existing = await lstat(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(target, e);
  }
  if (existing !== null && !existing.isFile())
    throw new BulkheadError(
      'bad-request',
      `${target} exists and is not a regular file (a directory, device or link): Bulkhead only replaces regular files.`,
    );
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(target, e);
  }
  return target;
}

/** Write `text` to `path` atomically (see writeFileAtomic). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text);
}
