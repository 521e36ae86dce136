import type { ContainerId } from '../../../shared/domain/ids.js';
import type { KernelEvidence } from '../../../shared/domain/posture/model.js';
import type { HostEvidencePort } from '../../services/ports.js';
import { readDaemonFacts } from './daemon-config.js';
import type { DaemonConfigOptions } from './daemon-config.js';
import { nodeProcFs, readHostLsms, readKernelEvidence, readOwnPidNamespace } from './proc-evidence.js';
import type { ProcEvidenceOptions } from './proc-evidence.js';
import { scanContainerProcesses } from './process-scan.js';

/**
 * Kernel evidence only counts when it is about the container's own process: /proc/<pid>/cgroup names the
 * container's id in every cgroup driver's layout (`/docker/<id>`, `docker-<id>.scope`). When the file is read
 * and does not, the PID is someone else's — the container restarted and the PID was reused, or the engine's
 * socket is forwarded from a VM whose PIDs mean nothing here — and every file is refused as `process-gone`.
 * An unreadable cgroup file proves nothing either way; the evidence files then speak for themselves.
 */
export async function notThisContainer(
  pid: number,
  containerId: ContainerId,
  options: ProcEvidenceOptions = {},
): Promise<KernelEvidence | null> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const fs = options.fs ?? nodeProcFs;
  const base = `${options.procRoot ?? '/proc'}/${pid}`;
  let cgroup: string;
  try {
    cgroup = await fs.readFile(`${base}/cgroup`);
  } catch {
    return null;
  }
  if (cgroup.includes(containerId)) return null;
  const error = {
    code: 'process-gone' as const,
    message: `PID ${pid} on this host is not container ${containerId.slice(0, 12)} (${base}/cgroup does not name it): it restarted, or the engine runs in a VM`,
  };
  return {
    pid,
    status: { ok: false, path: `${base}/status`, error },
    uidMap: { ok: false, path: `${base}/uid_map`, error },
    attrCurrent: { ok: false, path: `${base}/attr/current`, error },
    pidNamespace: { ok: false, path: `${base}/ns/pid`, error },
  };
}

/** Options of the /proc-backed host evidence. */
export interface ProcHostEvidenceOptions {
  /** The engine's unix socket on this host, to find the dockerd serving it. */
  readonly socketPath: string;
  readonly proc?: ProcEvidenceOptions;
  readonly daemon?: DaemonConfigOptions;
}

/**
 * Host evidence for a local engine, read from /proc and /sys (proc-evidence.ts, process-scan.ts) and from
 * the dockerd serving the engine's socket (daemon-config.ts).
 */
export function createProcHostEvidence(options: ProcHostEvidenceOptions): HostEvidencePort {
  const proc = options.proc ?? {};
  return {
    local: true,
    async hostFacts() {
      const [lsms, pidNamespace] = await Promise.all([readHostLsms(proc), readOwnPidNamespace(proc)]);
      return { lsms, pidNamespace };
    },
    async kernelEvidence(pid, containerId) {
      const foreign = await notThisContainer(pid, containerId, proc);
      return foreign ?? readKernelEvidence(pid, proc);
    },
    containerProcesses: (initPids, hostPidNamespace) =>
      scanContainerProcesses(initPids, hostPidNamespace, proc),
    decideEngineFacts: () => readDaemonFacts(options.socketPath, options.daemon),
  };
}
