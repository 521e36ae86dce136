#!/usr/bin/env node
// Generates shared/domain/syscalls/table-x86_64.ts and table-aarch64.ts from the kernel's unistd headers, so
// no syscall number is ever typed by hand.
//
//   node test/support/gen-syscall-tables.mjs [OUT_DIR]     (default: shared/domain/syscalls)
//
// The headers are run through the real C preprocessor (`cpp -dM`), because the aarch64 table is the generic
// one (asm-generic/unistd.h) shaped by #if blocks on __BITS_PER_LONG and the __ARCH_WANT_* flags that
// arm64's own asm/unistd.h sets; evaluating those by hand would be the error-prone part.
//   x86_64:  /usr/include/x86_64-linux-gnu/asm/unistd_64.h                (Debian package linux-libc-dev)
//   aarch64: /usr/aarch64-linux-gnu/include/asm/unistd.h (the __ARCH_WANT_* flags and __BITS_PER_LONG 64;
//            package linux-libc-dev-arm64-cross) around the generic table /usr/include/asm-generic/unistd.h
//            (linux-libc-dev)
// Needs: cpp, linux-libc-dev, linux-libc-dev-arm64-cross (apt-get install cpp linux-libc-dev
// linux-libc-dev-arm64-cross). test/unit/syscalls/syscall-tables.test.ts re-runs this into a temp dir and
// compares, so a header update shows up as a failing test rather than as silently stale names.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const X86_64_HEADER = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
const GENERIC_DIR = '/usr/include/asm-generic';
const GENERIC_HEADER = `${GENERIC_DIR}/unistd.h`;
const ARM64_ASM_DIR = '/usr/aarch64-linux-gnu/include/asm';
const ARM64_HEADER = `${ARM64_ASM_DIR}/unistd.h`;

/** Fail with a sentence that says what to install. */
function need(path, pkg) {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install it with \`apt-get install ${pkg}\``);
  }
}

/** The installed version of a Debian package, e.g. `6.1.192-3`. */
function debVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** `#define NAME VALUE` lines as cpp -dM prints them, for one C source given on stdin. */
function macros(source, includeDirs) {
  const args = ['-dM', '-nostdinc', '-undef', ...includeDirs.flatMap((d) => ['-I', d]), '-'];
  const out = execFileSync('cpp', args, { input: source, encoding: 'utf8' });
  const defs = new Map();
  for (const line of out.split('\n')) {
    const m = /^#define (\w+) (.+)$/.exec(line);
    if (m) defs.set(m[1], m[2].trim());
  }
  return defs;
}

/** Resolve every `__NR_name` to its number, following aliases such as `__NR_fcntl __NR3264_fcntl`. */
function syscallNumbers(defs, origin) {
  const resolveValue = (value, depth) => {
    if (/^\d+$/.test(value)) return Number(value);
    if (depth < 8 && defs.has(value)) return resolveValue(defs.get(value), depth + 1);
    throw new Error(`${origin}: cannot resolve syscall number ${JSON.stringify(value)}`);
  };
  const byNumber = new Map();
  for (const [name, value] of defs) {
    if (!name.startsWith('__NR_') || name === '__NR_syscalls') continue;
    const nr = resolveValue(value, 0);
    const syscall = name.slice('__NR_'.length);
    const previous = byNumber.get(nr);
    if (previous !== undefined) {
      throw new Error(`${origin}: number ${nr} is both ${previous} and ${syscall}`);
    }
    byNumber.set(nr, syscall);
  }
  if (byNumber.size < 250) throw new Error(`${origin}: only ${byNumber.size} syscalls found; wrong header?`);
  return [...byNumber.entries()].sort((a, b) => a[0] - b[0]);
}

/** The TypeScript module for one architecture, formatted as prettier would. */
function render({ constName, arch, sources, entries }) {
  const lines = [
    `/**`,
    ` * Syscall numbers → names for ${arch}. GENERATED — do not edit.`,
    ` *`,
    ` * Written by test/support/gen-syscall-tables.mjs from:`,
    ...sources.map((s) => ` *   ${s}`),
    ` * ${entries.length} syscalls, numbers ${entries[0][0]}–${entries[entries.length - 1][0]}.`,
    ` */`,
    `export const ${constName}: Readonly<Record<number, string>> = {`,
    ...entries.map(([nr, name]) => `  ${nr}: '${name}',`),
    `};`,
    ``,
  ];
  return lines.join('\n');
}

/** Generate both tables into `outDir`; returns the paths written. */
export function generate(outDir) {
  need(X86_64_HEADER, 'linux-libc-dev');
  need(GENERIC_HEADER, 'linux-libc-dev');
  need(ARM64_HEADER, 'linux-libc-dev-arm64-cross');
  const libcDev = debVersion('linux-libc-dev');
  const arm64Cross = debVersion('linux-libc-dev-arm64-cross');

  const x86 = syscallNumbers(macros(`#include "${X86_64_HEADER}"\n`, []), X86_64_HEADER);

  // One include root where <asm/…> is arm64's and <asm-generic/…> is the system's generic table.
  const root = mkdtempSync(join(tmpdir(), 'bulkhead-unistd-'));
  let arm;
  try {
    symlinkSync(ARM64_ASM_DIR, join(root, 'asm'));
    symlinkSync(GENERIC_DIR, join(root, 'asm-generic'));
    arm = syscallNumbers(macros('#include <asm/unistd.h>\n', [root]), GENERIC_HEADER);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  mkdirSync(outDir, { recursive: true });
  const written = [];
  const write = (file, text) => {
    const path = join(outDir, file);
    writeFileSync(path, text);
    written.push(path);
  };
  write(
    'table-x86_64.ts',
    render({
      constName: 'SYSCALLS_X86_64',
      arch: 'x86_64',
      sources: [`${X86_64_HEADER} (linux-libc-dev ${libcDev})`],
      entries: x86,
    }),
  );
  write(
    'table-aarch64.ts',
    render({
      constName: 'SYSCALLS_AARCH64',
      arch: 'aarch64',
      sources: [
        `${GENERIC_HEADER} (linux-libc-dev ${libcDev}),`,
        `with the __ARCH_WANT_* flags and __BITS_PER_LONG of ${ARM64_HEADER}`,
        `(linux-libc-dev-arm64-cross ${arm64Cross}), evaluated by cpp.`,
      ],
      entries: arm,
    }),
  );
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const outDir = resolve(process.argv[2] ?? join(here, '..', '..', 'shared', 'domain', 'syscalls'));
  for (const path of generate(outDir)) console.log(`wrote ${path}`);
}
