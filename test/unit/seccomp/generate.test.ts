import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  generateProfile,
  normalizeObserved,
  NON_SYSCALL_EVENTS,
  RUNTIME_SETUP_SYSCALL_NAMES,
  RUNTIME_SYSCALL_NAMES,
  RUNTIME_SYSCALLS,
} from '../../../shared/domain/seccomp/generate.js';
import {
  allowedSyscalls,
  DOCKER_DEFAULT_CAPS,
  parseSeccompProfile,
  syscallUniverse,
} from '../../../shared/domain/seccomp/profile.js';
import type { SyscallArch } from '../../../shared/domain/syscalls/names.js';
import { PROFILES, profileText } from './data.js';

const ARCHES: readonly SyscallArch[] = ['x86_64', 'aarch64'];

describe('generateProfile', () => {
  it('writes Docker’s current format: default EPERM, the host archMap, one sorted ALLOW rule', () => {
    const g = generateProfile(['write', 'read', 'read', 'exit_group'], { arch: 'x86_64' });
    expect(Object.keys(g.document)).toEqual(['defaultAction', 'defaultErrnoRet', 'archMap', 'syscalls']);
    expect(g.document.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(g.document.defaultErrnoRet).toBe(1);
    expect(g.document.archMap).toEqual([
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    ]);
    expect(g.document.syscalls).toHaveLength(1);
    const names = g.document.syscalls[0]!.names;
    expect(names).toEqual([...new Set(['write', 'read', 'exit_group', ...RUNTIME_SYSCALL_NAMES])].sort());
    expect(g.metadata.runtimeAdded).toEqual(
      RUNTIME_SYSCALL_NAMES.filter((n) => n !== 'read' && n !== 'write'),
    );
    expect(g.json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(g.json)).toEqual(g.document);
  });

  it.each([
    ['aarch64', 'SCMP_ARCH_AARCH64', ['SCMP_ARCH_ARM']],
    ['x86_64', 'SCMP_ARCH_X86_64', ['SCMP_ARCH_X86', 'SCMP_ARCH_X32']],
  ] as const)('on %s the archMap is %s + %j', (arch, scmp, subs) => {
    expect(generateProfile([], { arch }).document.archMap).toEqual([
      { architecture: scmp, subArchitectures: subs },
    ]);
  });

  it('is deterministic: the same names in any order and multiplicity give the same bytes', () => {
    const names = [...syscallUniverse('x86_64')].slice(0, 80);
    fc.assert(
      fc.property(fc.shuffledSubarray(names), (picked) => {
        const a = generateProfile([...picked, ...picked], { arch: 'x86_64' }).json;
        const b = generateProfile([...picked].reverse(), { arch: 'x86_64' }).json;
        expect(a).toBe(b);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    // sysdig's non-syscall events are dropped, not reported as unknown.
    [
      'switch and procexit',
      'x86_64',
      ['switch', 'procexit', 'signaldeliver', '<unknown>', 'read'],
      ['read'],
      [],
      ['<unknown>', 'procexit', 'signaldeliver', 'switch'],
    ],
    // Names the arch's table does not know are dropped and reported.
    ['another arch’s name', 'x86_64', ['socketcall', 'read'], ['read'], ['socketcall'], []],
    [
      'an unnamed number from the eBPF source',
      'x86_64',
      ['syscall_451', 'read'],
      ['read'],
      ['syscall_451'],
      [],
    ],
    ['open, which aarch64 does not have', 'aarch64', ['open', 'openat'], ['openat'], ['open'], []],
  ] as const)('%s (%s)', (_what, arch, observed, kept, unknown, ignored) => {
    const g = generateProfile(observed, { arch });
    expect(g.metadata.observed).toEqual(kept);
    expect(g.metadata.unknown).toEqual(unknown);
    expect(g.metadata.ignored).toEqual(ignored);
    for (const n of [...unknown, ...ignored]) expect(g.document.syscalls[0]!.names).not.toContain(n);
  });

  it('maps sysdig spellings onto kernel names (sigreturn → rt_sigreturn, pread → pread64)', () => {
    const n = normalizeObserved(['sigreturn', 'pread', 'select', 'getrlimit'], 'x86_64');
    expect(n.syscalls).toEqual(['getrlimit', 'pread64', 'rt_sigreturn', 'select']);
    expect(n.aliased).toEqual([
      { from: 'pread', to: 'pread64' },
      { from: 'sigreturn', to: 'rt_sigreturn' },
    ]);
  });

  it('keeps the event types of a real sysdig capture apart: 80 types of the k8s capture', () => {
    // `sysdig -r bencer_k8s_capture.scap -p '*%evt.type' 'evt.dir=>' | sort -u` (sysdig 0.29.3).
    const types =
      'switch select futex mmap read close write mprotect stat open fstat access epoll_wait munmap lstat getsockopt socket brk dup fcntl pipe openat sched_yield wait4 procexit execve clone arch_prctl exit_group sigreturn signaldeliver getpid setsockopt rt_sigaction poll ioctl bind alarm rt_sigprocmask statfs nanosleep fsync getdents64 epoll_ctl clock_gettime recvmsg lseek accept readlinkat getsockname sendmsg connect <unknown> recvfrom inotify_add_watch getpeername set_robust_list madvise sendmmsg getrlimit getdents uname set_tid_address unlink timerfd_settime setns readlink signalfd setpgid prctl kill epoll_create1 adjtimex writev utimensat sendto sendfile ppoll ftruncate exit'.split(
        ' ',
      );
    expect(types).toHaveLength(80);
    const n = normalizeObserved(types, 'x86_64');
    expect(n.ignored).toEqual(['<unknown>', 'procexit', 'signaldeliver', 'switch']);
    expect(n.unknown).toEqual([]);
    expect(n.syscalls).toHaveLength(76);
    for (const t of types)
      expect(NON_SYSCALL_EVENTS.has(t) || n.syscalls.includes(t) || t === 'sigreturn').toBe(true);
  });

  it('leaves out excluded names but never a runtime one', () => {
    const g = generateProfile(['mount', 'pivot_root', 'read', 'execve'], {
      arch: 'x86_64',
      exclude: [...RUNTIME_SETUP_SYSCALL_NAMES, 'execve'],
    });
    expect(g.metadata.excluded).toEqual(['mount', 'pivot_root']);
    expect(g.document.syscalls[0]!.names).toContain('execve');
    expect(g.document.syscalls[0]!.names).not.toContain('mount');
  });

  it('round-trips: generate → parse → allowedSyscalls is the observed set ∪ the runtime set', () => {
    for (const arch of ARCHES) {
      const universe = [...syscallUniverse(arch)];
      const noise = fc.constantFrom('switch', 'procexit', '<unknown>', 'socketcall', 'syscall_999', 'mmap2');
      fc.assert(
        fc.property(fc.subarray(universe), fc.array(noise, { maxLength: 5 }), (picked, extra) => {
          const g = generateProfile([...extra, ...picked], { arch });
          const r = parseSeccompProfile(g.json);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.warnings).toEqual([]);
          expect(r.profile.format).toBe('current');
          const a = allowedSyscalls(r.profile, { arch, caps: DOCKER_DEFAULT_CAPS });
          expect(a.all).toEqual([...new Set([...picked, ...RUNTIME_SYSCALL_NAMES])].sort());
          expect(a.conditional).toEqual([]);
          expect(a.unknown).toEqual([]);
        }),
        { numRuns: 150 },
      );
    }
  });
});

describe('the runtime sets', () => {
  it('every runtime syscall exists on both architectures and says why it is there', () => {
    for (const arch of ARCHES) {
      for (const r of RUNTIME_SYSCALLS)
        expect([arch, r.name, syscallUniverse(arch).has(r.name)]).toEqual([arch, r.name, true]);
    }
    for (const r of RUNTIME_SYSCALLS) expect(r.why.length).toBeGreaterThan(10);
    expect(RUNTIME_SYSCALL_NAMES).toHaveLength(21);
    expect(new Set(RUNTIME_SYSCALL_NAMES).size).toBe(21);
  });

  it("Docker's default profile allows every runtime syscall, and denies every setup-only one without CAP_SYS_ADMIN", () => {
    const r = parseSeccompProfile(profileText(PROFILES.current));
    if (!r.ok) throw new Error(r.error.message);
    for (const arch of ARCHES) {
      const a = allowedSyscalls(r.profile, { arch, caps: DOCKER_DEFAULT_CAPS });
      for (const n of RUNTIME_SYSCALL_NAMES) expect([n, a.unconditional.includes(n)]).toEqual([n, true]);
      for (const n of RUNTIME_SETUP_SYSCALL_NAMES) expect([n, a.all.includes(n)]).toEqual([n, false]);
    }
  });
});
