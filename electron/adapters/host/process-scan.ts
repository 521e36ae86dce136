import type { KernelFile, ProcessInfo, ProcessList } from '../../../shared/domain/posture/model.js';
import { kernelErrorCode, nodeProcFs } from './proc-evidence.js';
import type { ProcEvidenceOptions, ProcFs } from './proc-evidence.js';

/**
 * The processes of many containers from ONE pass over /proc.
 *
 * Same answer as listContainerProcesses (proc-evidence.ts) for each init PID — by PID namespace, or by
 * cgroup when the init is in `hostPidNamespace` (a `--pid host` container) — but /proc is listed once and
 * each process's ns/pid link (and, only when some init needs it, its cgroup) is read once, then grouped.
 * Scanning per container costs (containers × processes) reads; this costs (processes) reads.
 */

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : 'UNKNOWN';
}

/** How many /proc reads are in flight at once. */
const BATCH = 128;

async function mapBatched<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) {
    out.push(...(await Promise.all(items.slice(i, i + BATCH).map(fn))));
  }
  return out;
}

async function tryRead(read: () => Promise<string>): Promise<string | null> {
  try {
    return (await read()).trim();
  } catch {
    return null; // exited while we looked, or a process we may not look at
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
    return null;
  }
}

type InitKey =
  | { readonly ok: true; readonly byCgroup: boolean; readonly key: string }
  | { readonly ok: false; readonly file: KernelFile<ProcessList> };

function failed(path: string, e: unknown, hostFile = false): KernelFile<ProcessList> {
  const errno = errnoOf(e);
  const code = kernelErrorCode(errno, hostFile);
  const text =
    code === 'permission-denied'
      ? 'permission denied'
      : code === 'process-gone'
        ? 'the process has exited'
        : code === 'not-supported'
          ? 'not provided by this kernel'
          : 'could not be read';
  return { ok: false, path, error: { code, message: `${text}: ${errno} on ${path}` } };
}

/**
 * The processes of each container whose init PID is given, keyed by that PID.
 *
 * An init whose own ns/pid (or, for `--pid host`, cgroup) cannot be read gets a typed error; the others are
 * unaffected. `maxScan` and `maxProcesses` bound the work as in listContainerProcesses.
 */
export async function scanContainerProcesses(
  initPids: readonly number[],
  hostPidNamespace: string | null,
  options: ProcEvidenceOptions = {},
): Promise<Map<number, KernelFile<ProcessList>>> {
  const fs = options.fs ?? nodeProcFs;
  const root = options.procRoot ?? '/proc';
  const maxScan = options.maxScan ?? 32_768;
  const maxProcesses = options.maxProcesses ?? 256;
  const result = new Map<number, KernelFile<ProcessList>>();
  const inits = [...new Set(initPids)];
  if (inits.length === 0) return result;

  const keys = new Map<number, InitKey>();
  await Promise.all(
    inits.map(async (pid) => {
      const nsPath = `${root}/${pid}/ns/pid`;
      let ns: string;
      try {
        ns = (await fs.readlink(nsPath)).trim();
      } catch (e) {
        keys.set(pid, { ok: false, file: failed(nsPath, e) });
        return;
      }
      if (hostPidNamespace === null || ns !== hostPidNamespace) {
        keys.set(pid, { ok: true, byCgroup: false, key: ns });
        return;
      }
      const cgPath = `${root}/${pid}/cgroup`;
      try {
        keys.set(pid, { ok: true, byCgroup: true, key: (await fs.readFile(cgPath)).trim() });
      } catch (e) {
        keys.set(pid, { ok: false, file: failed(cgPath, e) });
      }
    }),
  );

  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch (e) {
    const file = failed(root, e, true);
    for (const pid of inits) {
      const k = keys.get(pid);
      result.set(pid, k !== undefined && !k.ok ? k.file : file);
    }
    return result;
  }
  const pids = entries
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  const scanned = pids.slice(0, maxScan);
  const cut = pids.length > scanned.length;
  const wanted = [...keys.values()];
  const needNs = wanted.some((k) => k.ok && !k.byCgroup);
  const needCgroup = wanted.some((k) => k.ok && k.byCgroup);

  const [nsOf, cgroupOf] = await Promise.all([
    needNs
      ? mapBatched(scanned, (pid) => tryRead(() => fs.readlink(`${root}/${pid}/ns/pid`)))
      : Promise.resolve(null),
    needCgroup
      ? mapBatched(scanned, (pid) => tryRead(() => fs.readFile(`${root}/${pid}/cgroup`)))
      : Promise.resolve(null),
  ]);

  const groups = new Map<string, number[]>();
  const group = (kind: 'ns' | 'cg', key: string): number[] => {
    const k = `${kind}\u0000${key}`;
    let list = groups.get(k);
    if (list === undefined) {
      list = [];
      groups.set(k, list);
    }
    return list;
  };
  const nsKeys = new Set(wanted.filter((k) => k.ok && !k.byCgroup).map((k) => (k.ok ? k.key : '')));
  const cgKeys = new Set(wanted.filter((k) => k.ok && k.byCgroup).map((k) => (k.ok ? k.key : '')));
  scanned.forEach((pid, i) => {
    const ns = nsOf?.[i] ?? null;
    if (ns !== null && nsKeys.has(ns)) group('ns', ns).push(pid);
    const cg = cgroupOf?.[i] ?? null;
    if (cg !== null && cgKeys.has(cg)) group('cg', cg).push(pid);
  });

  // Read comm and cmdline once per matched process, even if two inits share a group.
  const selected = new Map<number, number[]>();
  const toRead = new Set<number>();
  for (const pid of inits) {
    const k = keys.get(pid);
    if (k === undefined || !k.ok) continue;
    const members = groups.get(`${k.byCgroup ? 'cg' : 'ns'}\u0000${k.key}`) ?? [];
    const kept = members.slice(0, maxProcesses);
    selected.set(pid, kept);
    for (const p of kept) toRead.add(p);
  }
  const infoList = await mapBatched([...toRead], (p) => processInfo(fs, root, p));
  const infos = new Map<number, ProcessInfo>();
  for (const info of infoList) if (info !== null) infos.set(info.pid, info);

  for (const pid of inits) {
    const k = keys.get(pid);
    if (k === undefined) continue;
    if (!k.ok) {
      result.set(pid, k.file);
      continue;
    }
    const members = groups.get(`${k.byCgroup ? 'cg' : 'ns'}\u0000${k.key}`) ?? [];
    const kept = selected.get(pid) ?? [];
    result.set(pid, {
      ok: true,
      path: root,
      value: {
        source: 'proc',
        scope: k.byCgroup ? 'cgroup' : 'pid-namespace',
        items: kept.map((p) => infos.get(p)).filter((p): p is ProcessInfo => p !== undefined),
        truncated: cut || members.length > maxProcesses,
      },
    });
  }
  return result;
}
