import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  SYSCALL_ARCHES,
  syscallLabel,
  syscallName,
  syscallNumber,
  toSyscallArch,
} from '../../../shared/domain/syscalls/names.js';
import { SYSCALLS_AARCH64 } from '../../../shared/domain/syscalls/table-aarch64.js';
import { SYSCALLS_X86_64 } from '../../../shared/domain/syscalls/table-x86_64.js';
import { generate as generateTables } from '../../support/gen-syscall-tables.mjs';

const committed = join(import.meta.dirname, '..', '..', '..', 'shared', 'domain', 'syscalls');

describe('generated syscall tables', () => {
  const out = mkdtempSync(join(tmpdir(), 'bulkhead-tables-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('are exactly what the generator writes from the installed kernel headers (no drift, no hand edits)', () => {
    const written = generateTables(out);
    expect(written.map((p) => p.slice(out.length + 1)).sort()).toEqual([
      'table-aarch64.ts',
      'table-x86_64.ts',
    ]);
    // The Debian package versions in the header comment move with every security update of the headers
    // package, while syscall numbers never change once shipped: compare everything but those versions.
    const withoutPackageVersions = (text: string): string =>
      text
        .replace(/\((linux-libc-dev[\w-]*) [^)]*\)/g, '($1)')
        .replace(/(linux-libc-dev-arm64-cross) \S+/g, '$1');
    for (const file of ['table-x86_64.ts', 'table-aarch64.ts']) {
      expect(withoutPackageVersions(readFileSync(join(committed, file), 'utf8')), file).toBe(
        withoutPackageVersions(readFileSync(join(out, file), 'utf8')),
      );
    }
  });

  it('name their source headers and versions', () => {
    const x86 = readFileSync(join(committed, 'table-x86_64.ts'), 'utf8');
    expect(x86).toMatch(/\/usr\/include\/x86_64-linux-gnu\/asm\/unistd_64\.h \(linux-libc-dev \d[^)]*\)/);
    const arm = readFileSync(join(committed, 'table-aarch64.ts'), 'utf8');
    expect(arm).toContain('/usr/include/asm-generic/unistd.h (linux-libc-dev ');
    expect(arm).toContain('linux-libc-dev-arm64-cross ');
  });
});

// Numbers fixed by each architecture's syscall ABI (they never change once a kernel has shipped them),
// used to cross-check what the generator derived from the headers.
describe('syscall names', () => {
  it.each([
    ['x86_64', 0, 'read'],
    ['x86_64', 1, 'write'],
    ['x86_64', 2, 'open'],
    ['x86_64', 59, 'execve'],
    ['x86_64', 202, 'futex'],
    ['x86_64', 231, 'exit_group'],
    ['x86_64', 257, 'openat'],
    ['x86_64', 435, 'clone3'],
    ['aarch64', 25, 'fcntl'],
    ['aarch64', 56, 'openat'],
    ['aarch64', 63, 'read'],
    ['aarch64', 64, 'write'],
    ['aarch64', 79, 'newfstatat'],
    ['aarch64', 80, 'fstat'],
    ['aarch64', 93, 'exit'],
    ['aarch64', 98, 'futex'],
    ['aarch64', 221, 'execve'],
    ['aarch64', 222, 'mmap'],
    ['aarch64', 435, 'clone3'],
  ] as const)('%s %i is %s', (arch, nr, name) => {
    expect(syscallName(arch, nr)).toBe(name);
    expect(syscallNumber(arch, name)).toBe(nr);
  });

  it('aarch64 has no legacy calls that only older ABIs carry', () => {
    for (const legacy of ['open', 'stat', 'fork', 'select', 'poll', 'fcntl64', 'mmap2']) {
      expect(syscallNumber('aarch64', legacy), legacy).toBeNull();
    }
    expect(syscallNumber('x86_64', 'open')).toBe(2);
  });

  it('unknown numbers give null, and a stable label', () => {
    expect(syscallName('x86_64', 100_000)).toBeNull();
    expect(syscallName('x86_64', -1)).toBeNull();
    expect(syscallName('x86_64', 1.5)).toBeNull();
    expect(syscallLabel('aarch64', 9999)).toBe('syscall_9999');
    expect(syscallLabel('aarch64', 63)).toBe('read');
    expect(syscallNumber('x86_64', 'not_a_syscall')).toBeNull();
  });

  it('tables are one name per number and one number per name', () => {
    for (const table of [SYSCALLS_X86_64, SYSCALLS_AARCH64]) {
      const names = Object.values(table);
      expect(new Set(names).size).toBe(names.length);
      expect(names.length).toBeGreaterThan(250);
      for (const n of names) expect(n).toMatch(/^[a-z0-9_]+$/);
    }
  });

  it('maps machine names to tables', () => {
    expect(SYSCALL_ARCHES).toEqual(['x86_64', 'aarch64']);
    expect(toSyscallArch('x64')).toBe('x86_64');
    expect(toSyscallArch('x86_64')).toBe('x86_64');
    expect(toSyscallArch('arm64')).toBe('aarch64');
    expect(toSyscallArch('aarch64')).toBe('aarch64');
    expect(toSyscallArch('riscv64')).toBeNull();
  });
});
