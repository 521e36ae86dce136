import type { MountInfo } from '../model.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, listText, notReported } from './support.js';

/** Host directories whose whole subtree is sensitive: a bind of the directory or anything below it counts. */
export const SENSITIVE_TREES = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/usr',
  '/lib',
  '/lib32',
  '/lib64',
  '/bin',
  '/sbin',
  '/root',
  '/var/run',
  '/run',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/kubelet',
  '/var/log',
] as const;

/** Host directories sensitive as a whole (or one level below, a user's home) but not everything under them. */
export const SENSITIVE_EXACT = ['/', '/home', '/var'] as const;

/** Socket file names of container engines; a bind of any of them hands over the engine. */
export const RUNTIME_SOCKETS = [
  'docker.sock',
  'containerd.sock',
  'podman.sock',
  'crio.sock',
  'dockershim.sock',
  'cri-dockerd.sock',
] as const;

function normalizePath(p: string): string {
  const collapsed = p.replace(/\/+/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

/** Why a host path is sensitive, or null when it is not. */
export function sensitiveReason(hostPath: string): string | null {
  const p = normalizePath(hostPath);
  const base = p.slice(p.lastIndexOf('/') + 1);
  if ((RUNTIME_SOCKETS as readonly string[]).includes(base)) return 'container engine socket';
  if ((SENSITIVE_EXACT as readonly string[]).includes(p))
    return p === '/' ? 'the host root filesystem' : `host ${p}`;
  if (/^\/home\/[^/]+$/.test(p)) return 'a user home directory';
  for (const tree of SENSITIVE_TREES) {
    if (p === tree || p.startsWith(`${tree}/`)) return `under host ${tree}`;
  }
  return null;
}

/** The bind mounts of sensitive host paths, each with why. */
export function sensitiveMounts(mounts: readonly MountInfo[]): { mount: MountInfo; reason: string }[] {
  const out: { mount: MountInfo; reason: string }[] = [];
  for (const m of mounts) {
    if (m.type !== 'bind') continue;
    const reason = sensitiveReason(m.source);
    if (reason !== null) out.push({ mount: m, reason });
  }
  return out;
}

/**
 * CIS 5.6 (v1.6.0; 5.5 in v1.2–v1.5): sensitive host directories are not mounted.
 *
 * Wider than docker-bench, which only sees read-write binds of eight exact paths: any bind of or below /etc,
 * /proc, /sys, /dev, /boot, /usr, /lib*, /bin, /sbin, /root, /var/run, /run, the engine's state directories
 * and /var/log, of / or /home or a user's home, and of engine sockets. Read-write binds fail; read-only ones
 * warn (a read-only /etc still leaks /etc/shadow), each shown with rw/ro.
 */
export const sensitiveMountsRule: ContainerRule = {
  id: 'sensitive-mounts',
  cisId: '5.6',
  title: 'No sensitive host paths mounted',
  severity: 'high',
  rationale:
    'A bind mount of a host system directory lets the container read secrets (/etc/shadow, SSH keys) or, read-write, change the host (cron jobs, binaries, kernel parameters) — a one-step escape.',
  remediation: {
    flag: 'remove -v <host path>:…, or mount only the specific file needed, read-only (-v /host/file:/path:ro)',
    compose: 'volumes: [<named volume or a narrow path>:<target>:ro]',
  },
  evaluate(s) {
    if (s.mounts === null) return notReported('Mounts');
    const found = sensitiveMounts(s.mounts);
    const evidence = found.map(({ mount, reason }) =>
      fromInspect(
        `Mounts[${mount.destination}]`,
        `${mount.source} → ${mount.destination} (${mount.rw ? 'rw' : 'ro'}; ${reason})`,
      ),
    );
    if (found.length === 0) {
      const binds = s.mounts.filter((m) => m.type === 'bind').length;
      return configOutcome(
        'pass',
        binds === 0
          ? 'No bind mounts.'
          : `${binds} bind mount${binds === 1 ? '' : 's'}, none of a sensitive host path.`,
        [
          fromInspect(
            'Mounts',
            s.mounts.map((m) => `${m.type}:${m.source}→${m.destination}`),
          ),
        ],
      );
    }
    const rw = found.filter((f) => f.mount.rw);
    const describe = (f: { mount: MountInfo }): string => `${f.mount.source} (${f.mount.rw ? 'rw' : 'ro'})`;
    if (rw.length > 0)
      return configOutcome(
        'fail',
        `Sensitive host path${found.length === 1 ? '' : 's'} mounted: ${listText(found.map(describe))}.`,
        evidence,
      );
    return configOutcome(
      'warn',
      `Sensitive host path${found.length === 1 ? '' : 's'} mounted read-only: ${listText(found.map(describe))}.`,
      evidence,
    );
  },
};
