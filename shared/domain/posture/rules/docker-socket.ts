import type { MountInfo } from '../model.js';
import type { ContainerRule } from '../rule.js';
import { RUNTIME_SOCKETS } from './sensitive-mounts.js';
import { configOutcome, fromInspect, listText, notReported } from './support.js';

/** Host directories that contain an engine socket, so binding them binds the socket. */
const SOCKET_DIRECTORIES = [
  '/',
  '/var',
  '/run',
  '/var/run',
  '/run/docker',
  '/var/run/docker',
  '/run/containerd',
  '/var/run/containerd',
  '/run/podman',
  '/var/run/podman',
  '/run/crio',
  '/var/run/crio',
];

function normalize(p: string): string {
  const c = p.replace(/\/+/g, '/');
  return c.length > 1 ? c.replace(/\/$/, '') : c;
}

/** The mounts that hand the container an engine socket, with why. */
export function socketMounts(mounts: readonly MountInfo[]): { mount: MountInfo; why: string }[] {
  const out: { mount: MountInfo; why: string }[] = [];
  for (const m of mounts) {
    if (m.type !== 'bind') continue;
    const src = normalize(m.source);
    const base = src.slice(src.lastIndexOf('/') + 1);
    if ((RUNTIME_SOCKETS as readonly string[]).includes(base)) out.push({ mount: m, why: base });
    else if (SOCKET_DIRECTORIES.includes(src))
      out.push({ mount: m, why: `${src} contains the engine socket` });
  }
  return out;
}

/**
 * CIS 5.32 (v1.6.0; 5.31 in v1.2–v1.5): the Docker socket is not mounted. Also containerd, Podman and CRI-O
 * sockets, and binds of directories that hold them (/var/run, /run/docker, …). Read-only does not help:
 * connecting to a Unix socket is not a write.
 */
export const dockerSocket: ContainerRule = {
  id: 'docker-socket',
  cisId: '5.32',
  title: 'No engine socket mounted',
  severity: 'critical',
  rationale:
    'Whoever can talk to the engine socket can start a privileged container with the host filesystem mounted: the socket is root on the host.',
  remediation: {
    flag: 'remove -v /var/run/docker.sock:…; use a narrowly scoped API proxy if the workload needs the engine',
    compose: 'remove the docker.sock entry from volumes',
  },
  evaluate(s) {
    if (s.mounts === null) return notReported('Mounts');
    const found = socketMounts(s.mounts);
    const evidence = found.map(({ mount }) =>
      fromInspect(
        `Mounts[${mount.destination}]`,
        `${mount.source} → ${mount.destination} (${mount.rw ? 'rw' : 'ro'})`,
      ),
    );
    if (found.length === 0) {
      const binds = s.mounts.filter((m) => m.type === 'bind').map((m) => `${m.source} → ${m.destination}`);
      return configOutcome('pass', 'No engine socket is mounted.', [fromInspect('Mounts (bind)', binds)]);
    }
    return configOutcome(
      'fail',
      `Engine socket mounted: ${listText(found.map((f) => `${f.mount.source} (${f.why})`))}.`,
      evidence,
    );
  },
};
