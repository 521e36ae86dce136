import * as fsp from 'node:fs/promises';

import type {
  IdMapRange,
  KernelEvidence,
  KernelFile,
  KernelReadErrorCode,
  LsmLabel,
  ProcessInfo,
  ProcessList,
  ProcStatus,
} from '../../../shared/domain/posture/model.js';
import {
  isParseFailure,
  parseAttrCurrent,
  parseIdMap,
  parseLsmList,
  parseProcStatus,
} from '../../../shared/domain/posture/proc-status.js';
import type { ParseFailure } from '../../../shared/domain/posture/proc-status.js';

/**
 * Reads kernel evidence for a local engine's containers from /proc and /sys.
 *
 * Only reads files; the meaning is decided by the pure parsers in shared/domain/posture/proc-status.ts.
 * Every file gives a value or a typed error (`permission-denied` with the path, `process-gone`, …) — nothing
 * here throws for a missing or forbidden file, so one container's unreadable /proc never stops the others.
 */

/** The file-system calls used, injectable so tests can simulate EACCES as root. */
export interface ProcFs {
  readFile(path: string): Promise<string>;
  readlink(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
}

/** node:fs/promises. */
export const nodeProcFs: ProcFs = {
  readFile: (path) => fsp.readFile(path, 'utf8'),
  readlink: (path) => fsp.readlink(path),
  readdir: (path) => fsp.readdir(path),
};

/** Where to read and how much; every field has a default. */
export interface ProcEvidenceOptions {
  /** Where procfs is mounted; default `/proc`. */
  readonly procRoot?: string;
  /** Where sysfs is mounted; default `/sys`. */
  readonly sysRoot?: string;
  readonly fs?: ProcFs;
  /** At most this many /proc entries are examined when listing a container's processes (default 32768). */
  readonly maxScan?: number;
  /** At most this many processes are returned (default 256); the list is then marked truncated. */
  readonly maxProcesses?: number;
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : 'UNKNOWN';
}

/** Map a Node errno to the reason shown to the user. `hostFile`: ENOENT means "no such interface", not "exited". */
export function kernelErrorCode(errno: string, hostFile = false): KernelReadErrorCode {
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return 'permission-denied';
    case 'ENOENT':
    case 'ESRCH':
      return hostFile ? 'not-supported' : 'process-gone';
    case 'EINVAL':
    case 'EOPNOTSUPP':
    case 'ENOTSUP':
      return 'not-supported';
    default:
      return 'unreadable';
  }
}

const MESSAGES: Record<KernelReadErrorCode, string> = {
  'permission-denied': 'permission denied',
  'process-gone': 'the process has exited',
  'not-supported': 'not provided by this kernel',
  unparseable: 'not in the expected format',
  unreadable: 'could not be read',
};

function failure<T>(path: string, code: KernelReadErrorCode, detail: string): KernelFile<T> {
  return { ok: false, path, error: { code, message: `${MESSAGES[code]}: ${detail}` } };
}

async function readParsed<T>(
  fs: ProcFs,
  path: string,
  parse: (text: string) => T | ParseFailure,
  opts: { hostFile?: boolean; link?: boolean } = {},
): Promise<KernelFile<T>> {
  let text: string;
  try {
    text = opts.link === true ? await fs.readlink(path) : await fs.readFile(path);
  } catch (e) {
    const errno = errnoOf(e);
    return failure(path, kernelErrorCode(errno, opts.hostFile), `${errno} on ${path}`);
  }
  const parsed = parse(text);
  if (isParseFailure(parsed)) return failure(path, 'unparseable', parsed.error);
  return { ok: true, path, value: parsed };
}

const asIs = (text: string): string => text.trim();

/**
 * Read the kernel evidence for one process (a container's State.Pid): status, uid_map, attr/current and the
 * PID namespace link. A PID that is not a positive integer gives `process-gone` for every file.
 */
export async function readKernelEvidence(
  pid: number,
  options: ProcEvidenceOptions = {},
): Promise<KernelEvidence> {
  const fs = options.fs ?? nodeProcFs;
  const root = options.procRoot ?? '/proc';
  const base = `${root}/${pid}`;
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    const none = <T>(file: string): KernelFile<T> =>
      failure(`${base}/${file}`, 'process-gone', `no process (PID ${pid})`);
    return {
      pid,
      status: none<ProcStatus>('status'),
      uidMap: none<readonly IdMapRange[]>('uid_map'),
      attrCurrent: none<LsmLabel>('attr/current'),
      pidNamespace: none<string>('ns/pid'),
    };
  }
  const [status, uidMap, attrCurrent, pidNamespace] = await Promise.all([
    readParsed(fs, `${base}/status`, parseProcStatus),
    readParsed<readonly IdMapRange[]>(fs, `${base}/uid_map`, parseIdMap),
    readParsed(fs, `${base}/attr/current`, parseAttrCurrent),
    readParsed(fs, `${base}/ns/pid`, asIs, { link: true }),
  ]);
  return { pid, status, uidMap, attrCurrent, pidNamespace };
}

/** /sys/kernel/security/lsm: the active Linux security modules (ENOENT → `not-supported`: securityfs absent). */
export async function readHostLsms(
  options: ProcEvidenceOptions = {},
): Promise<KernelFile<readonly string[]>> {
  const fs = options.fs ?? nodeProcFs;
  return readParsed<readonly string[]>(fs, `${options.sysRoot ?? '/sys'}/kernel/security/lsm`, parseLsmList, {
    hostFile: true,
  });
}

/** The reader's own PID namespace (readlink /proc/self/ns/pid), or null when it cannot be read. */
export async function readOwnPidNamespace(options: ProcEvidenceOptions = {}): Promise<string | null> {
  const fs = options.fs ?? nodeProcFs;
  try {
    return (await fs.readlink(`${options.procRoot ?? '/proc'}/self/ns/pid`)).trim();
  } catch {
    return null;
  }
}

async function processInfo(fs: ProcFs, root: string, pid: number): Promise<ProcessInfo | null> {
  try {
    const [comm, cmdline] = await Promise.all([
      fs.readFile(`${root}/${pid}/comm`),
      fs.readFile(`${root}/${pid}/cmdline`),
    ]);
    const args = cmdline.split('\u0000');
    while (args.length > 0 && args[args.length - 1] === '') args.pop();
    return { pid, comm: comm.trim(), args };
  } catch {
    return null; // exited while we looked
  }
}

/**
 * The processes of the container whose init is `initPid`.
 *
 * With its own PID namespace: every process whose /proc/<n>/ns/pid link equals the init's. When the init is
 * in `hostPidNamespace` (a `--pid host` container), selecting by namespace would return the host's processes,
 * so the init's /proc/<pid>/cgroup is matched instead. The scan is bounded by `maxScan` entries and
 * `maxProcesses` results. Returns a typed error when the init itself cannot be read.
 */
export async function listContainerProcesses(
  initPid: number,
  hostPidNamespace: string | null,
  options: ProcEvidenceOptions = {},
): Promise<KernelFile<ProcessList>> {
  const fs = options.fs ?? nodeProcFs;
  const root = options.procRoot ?? '/proc';
  const maxScan = options.maxScan ?? 32_768;
  const maxProcesses = options.maxProcesses ?? 256;
  const ns = await readParsed(fs, `${root}/${initPid}/ns/pid`, asIs, { link: true });
  if (!ns.ok) return { ok: false, path: ns.path, error: ns.error };
  const byCgroup = hostPidNamespace !== null && ns.value === hostPidNamespace;
  let key = ns.value;
  if (byCgroup) {
    const cg = await readParsed(fs, `${root}/${initPid}/cgroup`, asIs);
    if (!cg.ok) return { ok: false, path: cg.path, error: cg.error };
    key = cg.value;
  }
  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch (e) {
    const errno = errnoOf(e);
    return failure(root, kernelErrorCode(errno, true), `${errno} listing ${root}`);
  }
  const pids = entries
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  const scanned = pids.slice(0, maxScan);
  let truncated = pids.length > scanned.length;
  const matches: number[] = [];
  const BATCH = 64;
  let next = 0;
  while (next < scanned.length && matches.length < maxProcesses) {
    const batch = scanned.slice(next, next + BATCH);
    next += batch.length;
    const results = await Promise.all(
      batch.map(async (pid) => {
        try {
          const value = byCgroup
            ? (await fs.readFile(`${root}/${pid}/cgroup`)).trim()
            : (await fs.readlink(`${root}/${pid}/ns/pid`)).trim();
          return value === key ? pid : null;
        } catch {
          return null; // exited, or a process we may not look at
        }
      }),
    );
    for (const pid of results) if (pid !== null) matches.push(pid);
  }
  // Stopping at maxProcesses before the end of the scan, or cutting a batch, leaves the list a prefix.
  if (next < scanned.length || matches.length > maxProcesses) truncated = true;
  const infos = await Promise.all(matches.slice(0, maxProcesses).map((pid) => processInfo(fs, root, pid)));
  return {
    ok: true,
    path: root,
    value: {
      source: 'proc',
      scope: byCgroup ? 'cgroup' : 'pid-namespace',
      items: infos.filter((p): p is ProcessInfo => p !== null),
      truncated,
    },
  };
}
