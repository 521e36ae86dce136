import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

import type { SyscallToolFacts, SyscallToolProbePort } from '../../services/syscall-ports.js';
import { SCAP_DEVICE } from './sysdig-process.js';

/** What the probe reads; injectable for tests. */
export interface ToolProbeOptions {
  /** PATH to search; default process.env.PATH. */
  readonly path?: string;
  /** Effective uid; default process.geteuid(). */
  readonly euid?: number;
  /** sysdig's device node; default /dev/scap0. */
  readonly scapDevice?: string;
}

/** Whether `name` is an executable regular file in one of the PATH directories. */
export async function onPath(name: string, pathVar: string): Promise<boolean> {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!(await stat(candidate)).isFile()) continue;
      await access(candidate, constants.X_OK);
      return true;
    } catch {
      // Not here; try the next directory.
    }
  }
  return false;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The probe behind the source picker: a PATH lookup for bpftrace and sysdig, the effective uid, and whether
 * sysdig's device node exists. It runs no process, so it is cheap enough to call on every `syscalls:sources`.
 */
export function createToolProbe(options: ToolProbeOptions = {}): SyscallToolProbePort {
  return {
    async probe(): Promise<SyscallToolFacts> {
      const pathVar = options.path ?? process.env.PATH ?? '';
      const euid = options.euid ?? (typeof process.geteuid === 'function' ? process.geteuid() : -1);
      const [bpftraceOnPath, sysdigOnPath, sysdigDriverPresent] = await Promise.all([
        onPath('bpftrace', pathVar),
        onPath('sysdig', pathVar),
        exists(options.scapDevice ?? SCAP_DEVICE),
      ]);
      return { isRoot: euid === 0, bpftraceOnPath, sysdigOnPath, sysdigDriverPresent };
    },
  };
}
