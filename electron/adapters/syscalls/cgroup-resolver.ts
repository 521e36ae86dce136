import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Subject, SysdigContainerId } from '../../../shared/domain/syscalls/model.js';

/**
 * Maps the cgroup-v2 ids bpftrace reports (its `cgroup` builtin) to containers.
 *
 * A cgroup's id is the inode number of its directory in the cgroup-v2 hierarchy. Docker puts each
 * container in `/sys/fs/cgroup/unified/docker/<ID>` on a hybrid cgroup-v1 host and in
 * `/sys/fs/cgroup/system.slice/docker-<ID>.scope` on a pure cgroup-v2 host (systemd driver); the
 * resolver stats those directories. Id 1 (the root cgroup: host processes on a hybrid host) is the host;
 * an id that matches no container directory, even after a refresh, is unattributed.
 *
 * Reads are synchronous and small (one readdir per layout and one stat per container), so a refresh on
 * demand can happen between two snapshots without reordering them.
 */

/** Where container cgroup directories are looked for. */
export interface CgroupLayout {
  /** A directory to list. */
  readonly dir: string;
  /** The container's 64-hex id from an entry's name, or null when the entry is not a container. */
  readonly match: (name: string) => string | null;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SCOPE = /^docker-([0-9a-f]{64})\.scope$/;

/** The layouts under a cgroup mount point (default `/sys/fs/cgroup`). */
export function dockerCgroupLayouts(root = '/sys/fs/cgroup'): CgroupLayout[] {
  return [
    { dir: join(root, 'unified', 'docker'), match: (n) => (HEX64.test(n) ? n : null) },
    { dir: join(root, 'docker'), match: (n) => (HEX64.test(n) ? n : null) },
    { dir: join(root, 'system.slice'), match: (n) => SCOPE.exec(n)?.[1] ?? null },
  ];
}

/** The cgroup id of the host's root cgroup. */
export const HOST_CGROUP_ID = '1';

/** The resolver. */
export interface CgroupResolver {
  /** The subject of a cgroup id (decimal text); never refreshes. */
  resolve(cgroup: string): Subject;
  /** Whether the id is known (a container or the host). */
  known(cgroup: string): boolean;
  /** Read the layouts again; returns how many containers are known afterwards. */
  refresh(): number;
}

/** Options of createCgroupResolver. */
export interface CgroupResolverOptions {
  readonly layouts?: readonly CgroupLayout[];
  /** The name of a container (full id), when the caller knows it; default: none (null). */
  readonly nameOf?: (containerId: string) => string | null;
  /** Most ids remembered (containers that are gone stay known until this many); default 65536. */
  readonly maxIds?: number;
}

/** Create a resolver and read the layouts once. */
export function createCgroupResolver(options: CgroupResolverOptions = {}): CgroupResolver {
  const layouts = options.layouts ?? dockerCgroupLayouts();
  const maxIds = options.maxIds ?? 65536;
  const byId = new Map<string, Subject>();

  const refresh = (): number => {
    for (const layout of layouts) {
      let names: string[];
      try {
        names = readdirSync(layout.dir);
      } catch {
        continue; // this layout does not exist on this host
      }
      for (const name of names) {
        const full = layout.match(name);
        if (full === null) continue;
        let ino: bigint;
        try {
          ino = statSync(join(layout.dir, name), { bigint: true }).ino;
        } catch {
          continue; // removed between readdir and stat
        }
        const key = ino.toString();
        const known = byId.get(key);
        const label = options.nameOf?.(full) ?? null;
        if (known !== undefined && (known.kind !== 'container' || known.name !== null || label === null)) {
          continue;
        }
        if (known === undefined && byId.size >= maxIds) {
          // Forget the oldest (Map keeps insertion order): a container long gone.
          const oldest = byId.keys().next().value;
          if (oldest !== undefined) byId.delete(oldest);
        }
        byId.set(key, { kind: 'container', id: full.slice(0, 12) as SysdigContainerId, name: label });
      }
    }
    let n = 0;
    for (const s of byId.values()) if (s.kind === 'container') n++;
    return n;
  };

  refresh();
  return {
    resolve(cgroup) {
      if (cgroup === HOST_CGROUP_ID) return { kind: 'host' };
      return byId.get(cgroup) ?? { kind: 'unattributed' };
    },
    known(cgroup) {
      return cgroup === HOST_CGROUP_ID || byId.has(cgroup);
    },
    refresh,
  };
}
