import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { SyscallArch } from '../../../shared/domain/syscalls/names.js';
import { SYSCALLS_AARCH64 } from '../../../shared/domain/syscalls/table-aarch64.js';
import { SYSCALLS_X86_64 } from '../../../shared/domain/syscalls/table-x86_64.js';

/**
 * The real seccomp profiles, read in place from the shared data folder beside the repository (see
 * ../shared/data/README.md): never copied into the repo.
 */
export const SECCOMP_DATA = fileURLToPath(new URL('../../../../shared/data/seccomp/', import.meta.url));

/** The four profiles. */
export const PROFILES = {
  /** Docker's current default (moby/profiles). */
  current: 'moby-profiles_seccomp_default.json',
  /** The last in-tree copy in moby/moby. */
  mobyInTree: 'moby-moby_profiles_seccomp_default.json',
  /** The legacy one-rule-per-syscall format (an older default). */
  legacy: 'moby-profiles_seccomp_default-old-format.json',
  /** Podman / CRI-O default. */
  containersCommon: 'containers-common_pkg_seccomp_seccomp.json',
} as const;

/** A profile's text. */
export const profileText = (file: string): string => readFileSync(`${SECCOMP_DATA}${file}`, 'utf8');

/** A profile as plain JSON, for the tests' own independent counting. */
export const profileJson = (file: string): RawProfile => JSON.parse(profileText(file)) as RawProfile;

/** The shape of the files, as far as the tests read them by hand. */
export interface RawRule {
  readonly names?: readonly string[];
  readonly name?: string;
  readonly action: string;
  readonly args?: readonly unknown[] | null;
  readonly includes?: { readonly caps?: readonly string[]; readonly arches?: readonly string[] };
  readonly excludes?: { readonly caps?: readonly string[]; readonly arches?: readonly string[] };
}

/** A profile file, read by hand. */
export interface RawProfile {
  readonly defaultAction: string;
  readonly architectures?: readonly string[];
  readonly archMap?: readonly {
    readonly architecture: string;
    readonly subArchitectures: readonly string[] | null;
  }[];
  readonly syscalls: readonly RawRule[];
}

const GO_ARCH: Record<SyscallArch, string> = { x86_64: 'amd64', aarch64: 'arm64' };
const TABLE: Record<SyscallArch, Readonly<Record<number, string>>> = {
  x86_64: SYSCALLS_X86_64,
  aarch64: SYSCALLS_AARCH64,
};

/**
 * The test's own reading of a profile, straight from the JSON with plain loops (not the module under test):
 * Docker's rule selection, then ALLOW names without args, ALLOW names with args, and names an applicable
 * non-ALLOW rule without args denies. Only for default-deny profiles, which all four files are.
 */
export function expectedAllowed(
  raw: RawProfile,
  arch: SyscallArch,
  caps: readonly string[],
): { plain: string[]; conditional: string[] } {
  const table = new Set(Object.values(TABLE[arch]));
  const plain = new Set<string>();
  const withArgs = new Set<string>();
  const denied = new Set<string>();
  for (const rule of raw.syscalls) {
    const exc = rule.excludes ?? {};
    const inc = rule.includes ?? {};
    if ((exc.arches ?? []).includes(GO_ARCH[arch])) continue;
    if ((exc.caps ?? []).some((c) => caps.includes(c))) continue;
    if ((inc.arches ?? []).length > 0 && !(inc.arches ?? []).includes(GO_ARCH[arch])) continue;
    if (!(inc.caps ?? []).every((c) => caps.includes(c))) continue;
    const names = rule.names ?? (rule.name !== undefined ? [rule.name] : []);
    const hasArgs = (rule.args ?? []).length > 0;
    for (const n of names) {
      if (!table.has(n)) continue;
      if (rule.action === 'SCMP_ACT_ALLOW') (hasArgs ? withArgs : plain).add(n);
      else if (!hasArgs) denied.add(n);
    }
  }
  const p = [...plain].filter((n) => !denied.has(n)).sort();
  const c = [...withArgs].filter((n) => !plain.has(n) && !denied.has(n)).sort();
  return { plain: p, conditional: c };
}
