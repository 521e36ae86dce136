import { lstat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { BulkheadError } from '../../../shared/ipc/result.js';
import type { ReportFilePort } from '../../services/report-ports.js';
import { writeFileAtomic } from '../atomic-write.js';

/**
 * Where exported reports are written: the path made absolute (`~/…` in the home directory of the user the
 * engine runs as), then written atomically (a temporary file in
 * the same directory and a rename). Only a regular file (or nothing) is replaced — a directory, a device such
 * as /dev/full, or a symbolic link at the target is refused, so an export can never swap one for a file.
 */
export function createReportFiles(home: () => string = homedir): ReportFilePort {
  return {
    async write(path, bytes) {
      const target = path.startsWith('~/') ? join(home(), path.slice(2)) : resolve(path);
      const existing = await lstat(target).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (existing !== null && !existing.isFile())
        throw new BulkheadError(
          'bad-request',
          `${target} exists and is not a regular file (a directory, device or link): a report only replaces regular files.`,
        );
      await writeFileAtomic(target, bytes);
      return target;
    },
  };
}
