import { SYSCALLS_AARCH64 } from './table-aarch64.js';
import { SYSCALLS_X86_64 } from './table-x86_64.js';

/** The architectures whose syscall tables Bulkhead carries (generated from the kernel's unistd headers). */
export const SYSCALL_ARCHES = ['x86_64', 'aarch64'] as const;
export type SyscallArch = (typeof SYSCALL_ARCHES)[number];

const TABLES: { readonly [A in SyscallArch]: Readonly<Record<number, string>> } = {
  x86_64: SYSCALLS_X86_64,
  aarch64: SYSCALLS_AARCH64,
};

const reverse = new Map<SyscallArch, ReadonlyMap<string, number>>();

/**
 * The name of syscall `nr` on `arch`, e.g. `syscallName('x86_64', 0)` → `read`.
 *
 * Null for a number the table does not know (a newer kernel, or not a syscall number at all).
 */
export function syscallName(arch: SyscallArch, nr: number): string | null {
  if (!Number.isInteger(nr) || nr < 0) return null;
  return TABLES[arch][nr] ?? null;
}

/** The number of syscall `name` on `arch`, e.g. `syscallNumber('aarch64', 'openat')` → 56; null if unknown. */
export function syscallNumber(arch: SyscallArch, name: string): number | null {
  let map = reverse.get(arch);
  if (map === undefined) {
    map = new Map(Object.entries(TABLES[arch]).map(([nr, n]) => [n, Number(nr)]));
    reverse.set(arch, map);
  }
  return map.get(name) ?? null;
}

/**
 * The name to show for syscall `nr`: the table's name, or `syscall_<nr>` for a number it does not know, so
 * an unknown syscall is still counted under a stable, recognisable label.
 */
export function syscallLabel(arch: SyscallArch, nr: number): string {
  return syscallName(arch, nr) ?? `syscall_${nr}`;
}

/** Map Node's `process.arch` / `uname -m` spellings onto a table; null for an architecture without one. */
export function toSyscallArch(machine: string): SyscallArch | null {
  switch (machine) {
    case 'x64':
    case 'x86_64':
    case 'amd64':
      return 'x86_64';
    case 'arm64':
    case 'aarch64':
      return 'aarch64';
    default:
      return null;
  }
}
