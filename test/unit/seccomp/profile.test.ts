import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { SeccompParseErrorCode, SeccompProfile } from '../../../shared/domain/seccomp/profile.js';
import {
  allowedSyscalls,
  DOCKER_DEFAULT_CAPS,
  parseSeccompProfile,
  syscallUniverse,
} from '../../../shared/domain/seccomp/profile.js';
import type { SyscallArch } from '../../../shared/domain/syscalls/names.js';
import { SYSCALLS_AARCH64 } from '../../../shared/domain/syscalls/table-aarch64.js';
import { SYSCALLS_X86_64 } from '../../../shared/domain/syscalls/table-x86_64.js';
import { expectedAllowed, PROFILES, profileJson, profileText } from './data.js';

const parse = (text: string): SeccompProfile => {
  const r = parseSeccompProfile(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.profile;
};

describe('parseSeccompProfile on the real profiles in ../shared/data/seccomp', () => {
  it.each([
    [PROFILES.current, 'current', 33, 0],
    [PROFILES.mobyInTree, 'current', 31, 0],
    [PROFILES.legacy, 'legacy', 311, 0],
    // containers/common adds `errno` (per rule) and `defaultErrno`, which Docker does not read.
    [PROFILES.containersCommon, 'current', 40, 14],
  ] as const)('%s: format %s, %i rules, %i ignored fields', (file, format, rules, warnings) => {
    const r = parseSeccompProfile(profileText(file));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.profile.format).toBe(format);
    expect(r.profile.syscalls).toHaveLength(rules);
    expect(r.warnings).toHaveLength(warnings);
    expect(r.profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(r.profile.syscalls.length).toBe(profileJson(file).syscalls.length);
  });

  it('reads the current format: archMap, defaultErrnoRet, names, args, includes and excludes', () => {
    const p = parse(profileText(PROFILES.current));
    expect(p.defaultErrnoRet).toBe(1);
    expect(p.architectures).toEqual([]);
    expect(p.archMap[0]).toEqual({
      architecture: 'SCMP_ARCH_X86_64',
      subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    });
    // `subArchitectures: null` (riscv64) is an empty list, as in Go.
    expect(p.archMap.find((a) => a.architecture === 'SCMP_ARCH_RISCV64')?.subArchitectures).toEqual([]);
    // 426 distinct names in the file, as its README says.
    expect(new Set(p.syscalls.flatMap((r) => r.names)).size).toBe(426);
    const clone = p.syscalls.find((r) => r.names.includes('clone') && r.args.length > 0)!;
    expect(clone.args).toEqual([{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
    expect(clone.excludes).toEqual({ caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'], minKernel: null });
    const ptrace = p.syscalls.find((r) => r.names.includes('ptrace') && r.includes.minKernel !== null)!;
    expect(ptrace.includes.minKernel).toBe('4.8');
    const clone3 = p.syscalls.find((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO')!;
    expect(clone3.errnoRet).toBe(38);
  });

  it('reads the legacy format: architectures and one `name` per rule', () => {
    const p = parse(profileText(PROFILES.legacy));
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(p.archMap).toEqual([]);
    expect(p.defaultErrnoRet).toBeNull();
    expect(p.syscalls.every((r) => r.names.length === 1)).toBe(true);
    expect(p.syscalls[0]).toMatchObject({ names: ['accept'], action: 'SCMP_ACT_ALLOW', args: [] });
  });
});

describe('parseSeccompProfile refuses malformed profiles with a typed error naming the field', () => {
  const ok = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
  const cases: readonly [string, unknown, SeccompParseErrorCode, string][] = [
    ['not JSON', '{"defaultAction": ', 'not-json', ''],
    ['an array', '[]', 'wrong-type', ''],
    ['a string', '"x"', 'wrong-type', ''],
    ['no default action (Docker: unconfined)', '{}', 'missing-field', 'defaultAction'],
    ['an unknown default action', { defaultAction: 'SCMP_ACT_PERMIT' }, 'bad-value', 'defaultAction'],
    ['a numeric default action', { defaultAction: 1 }, 'wrong-type', 'defaultAction'],
    ['syscalls not an array', { ...ok, syscalls: {} }, 'wrong-type', 'syscalls'],
    ['a rule that is a string', { ...ok, syscalls: ['read'] }, 'wrong-type', 'syscalls[0]'],
    [
      'a rule without action',
      { ...ok, syscalls: [{ names: ['read'] }] },
      'missing-field',
      'syscalls[0].action',
    ],
    [
      'name and names',
      { ...ok, syscalls: [{ name: 'read', names: ['write'], action: 'SCMP_ACT_ALLOW' }] },
      'conflict',
      'syscalls[0]',
    ],
    [
      'architectures and archMap',
      { ...ok, architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] },
      'conflict',
      '',
    ],
    [
      'a name that is a number',
      { ...ok, syscalls: [{ names: ['read', 7], action: 'SCMP_ACT_ALLOW' }] },
      'wrong-type',
      'syscalls[0].names[1]',
    ],
    [
      'an unknown operator',
      {
        ...ok,
        syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'EQ' }] }],
      },
      'bad-value',
      'syscalls[0].args[0].op',
    ],
    [
      'an argument index beyond 5',
      {
        ...ok,
        syscalls: [
          { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] },
        ],
      },
      'bad-value',
      'syscalls[0].args[0].index',
    ],
    [
      'a negative value',
      {
        ...ok,
        syscalls: [
          { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] },
        ],
      },
      'bad-value',
      'syscalls[0].args[0].value',
    ],
    ['a fractional errnoRet', { ...ok, defaultErrnoRet: 1.5 }, 'bad-value', 'defaultErrnoRet'],
    [
      'caps that are not a list',
      {
        ...ok,
        syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { caps: 'CAP_SYS_ADMIN' } }],
      },
      'wrong-type',
      'syscalls[0].includes.caps',
    ],
    [
      'a malformed minKernel',
      { ...ok, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: 'four' } }] },
      'bad-value',
      'syscalls[0].includes.minKernel',
    ],
    [
      'an archMap entry without architecture',
      { ...ok, archMap: [{}] },
      'missing-field',
      'archMap[0].architecture',
    ],
  ];

  it.each(cases)('%s', (_what, input, code, path) => {
    const r = parseSeccompProfile(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.error.path).toBe(path);
    if (path !== '') expect(r.error.message).toContain(path);
  });

  it('accepts a rule without names (it does nothing, as in Docker) with a warning', () => {
    const r = parseSeccompProfile({
      ...ok,
      syscalls: [{ action: 'SCMP_ACT_ALLOW' }, { names: ['', 'read'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(r.ok && r.warnings).toEqual([
      'syscalls[0]: names no syscall, does nothing',
      'syscalls[1].names: an empty name, ignored',
    ]);
    expect(r.ok && r.profile.syscalls.map((x) => x.names)).toEqual([[], ['read']]);
  });

  it('accepts unknown fields and lists them as warnings (Docker ignores them)', () => {
    const r = parseSeccompProfile({
      ...ok,
      generated: { by: 'x' },
      syscalls: [{ ...ok.syscalls[0], zzz: 1 }],
    });
    expect(r.ok && r.warnings).toEqual([
      'generated: not a Docker field, ignored',
      'syscalls[0].zzz: not a Docker field, ignored',
    ]);
  });

  it('never throws, whatever JSON it is given', () => {
    const ruleish = fc.record(
      {
        names: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
        name: fc.oneof(fc.string(), fc.jsonValue()),
        action: fc.oneof(fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_X'), fc.jsonValue()),
        args: fc.oneof(
          fc.array(
            fc.record(
              { index: fc.jsonValue(), value: fc.jsonValue(), op: fc.jsonValue() },
              { requiredKeys: [] },
            ),
          ),
          fc.jsonValue(),
        ),
        includes: fc.oneof(
          fc.record(
            { caps: fc.jsonValue(), arches: fc.jsonValue(), minKernel: fc.jsonValue() },
            { requiredKeys: [] },
          ),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    const profileish = fc.record(
      {
        defaultAction: fc.oneof(fc.constant('SCMP_ACT_ERRNO'), fc.jsonValue()),
        defaultErrnoRet: fc.jsonValue(),
        architectures: fc.jsonValue(),
        archMap: fc.oneof(
          fc.array(fc.record({ architecture: fc.jsonValue(), subArchitectures: fc.jsonValue() })),
          fc.jsonValue(),
        ),
        syscalls: fc.oneof(fc.array(ruleish), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), profileish, fc.string()), (value) => {
        const asText = parseSeccompProfile(JSON.stringify(value) ?? 'undefined');
        const asValue = parseSeccompProfile(value);
        expect(typeof asText.ok).toBe('boolean');
        expect(typeof asValue.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('allowedSyscalls', () => {
  const defaultCaps = [...DOCKER_DEFAULT_CAPS];
  const capCases: readonly [string, readonly string[]][] = [
    ['default caps', defaultCaps],
    ['no caps', []],
    ['default + SYS_ADMIN', [...defaultCaps, 'CAP_SYS_ADMIN']],
    ['default + SYS_PTRACE + SYSLOG', [...defaultCaps, 'CAP_SYS_PTRACE', 'CAP_SYSLOG']],
  ];
  const files = [PROFILES.current, PROFILES.mobyInTree, PROFILES.legacy, PROFILES.containersCommon];
  const arches: readonly SyscallArch[] = ['x86_64', 'aarch64'];

  for (const file of files) {
    for (const arch of arches) {
      it.each(capCases)(`${file} on ${arch} with %s matches a hand count from the JSON`, (_what, caps) => {
        const got = allowedSyscalls(parse(profileText(file)), { arch, caps });
        const want = expectedAllowed(profileJson(file), arch, caps);
        expect(got.unconditional).toEqual(want.plain);
        expect(got.conditional).toEqual(want.conditional);
        expect(got.all).toEqual([...want.plain, ...want.conditional].sort());
      });
    }
  }

  it("Docker's default on x86_64 with the default caps: 295 names (292 unconditional, 3 with argument conditions)", () => {
    const a = allowedSyscalls(parse(profileText(PROFILES.current)), { arch: 'x86_64', caps: defaultCaps });
    expect(a.all).toHaveLength(295);
    expect(a.conditional).toEqual(['clone', 'personality', 'socket']);
    // 426 names in the file; the rest are other architectures' (socketcall, *_time64) or newer than the table.
    expect(a.unknown).toContain('socketcall');
    expect(a.unknown).toContain('cachestat');
    expect(a.archListed).toBe(true);
    expect(a.minKernelAssumed).toEqual([
      { names: ['process_vm_readv', 'process_vm_writev', 'ptrace'], minKernel: '4.8', in: 'includes' },
    ]);
    // Arch-specific and capability rules are applied per container.
    expect(a.all).toContain('arch_prctl');
    expect(a.all).toContain('chroot'); // CAP_SYS_CHROOT is a default capability
    expect(a.all).not.toContain('mount'); // CAP_SYS_ADMIN is not
    expect(a.all).not.toContain('clone3'); // denied with ENOSYS without CAP_SYS_ADMIN
  });

  it('CAP_SYS_ADMIN turns clone unconditional and allows mount and clone3', () => {
    const a = allowedSyscalls(parse(profileText(PROFILES.current)), {
      arch: 'x86_64',
      caps: [...defaultCaps, 'sys_admin'], // Docker's spelling or the short one
    });
    expect(a.unconditional).toContain('clone');
    expect(a.unconditional).toContain('clone3');
    expect(a.unconditional).toContain('mount');
    expect(a.conditional).toEqual(['personality', 'socket']);
  });

  it('arch rules: arch_prctl only on amd64, the ARM calls only on arm64', () => {
    const p = parse(profileText(PROFILES.current));
    const x = allowedSyscalls(p, { arch: 'x86_64', caps: defaultCaps });
    const a = allowedSyscalls(p, { arch: 'aarch64', caps: defaultCaps });
    expect(x.all).toContain('arch_prctl');
    expect(a.all).not.toContain('arch_prctl'); // and aarch64 has no such syscall
    expect(a.archListed).toBe(true);
    expect(x.skipped.arch).toBe(5);
  });

  it('the legacy and current formats of the same profile give the same allowed set', () => {
    // The current default written in the legacy format for one container (x86_64, default caps): its
    // includes/excludes resolved by hand, one rule per name, `architectures` from the archMap entry.
    const raw = profileJson(PROFILES.current);
    const legacyRules: { name: string; action: string; args: readonly unknown[] }[] = [];
    for (const rule of raw.syscalls) {
      const exc = rule.excludes ?? {};
      const inc = rule.includes ?? {};
      if ((exc.arches ?? []).includes('amd64') || (exc.caps ?? []).some((c) => defaultCaps.includes(c)))
        continue;
      if ((inc.arches ?? []).length > 0 && !(inc.arches ?? []).includes('amd64')) continue;
      if (!(inc.caps ?? []).every((c) => defaultCaps.includes(c))) continue;
      for (const name of rule.names ?? [])
        legacyRules.push({ name, action: rule.action, args: rule.args ?? [] });
    }
    const x86 = raw.archMap!.find((a) => a.architecture === 'SCMP_ARCH_X86_64')!;
    const legacy = parse(
      JSON.stringify({
        defaultAction: raw.defaultAction,
        architectures: [x86.architecture, ...(x86.subArchitectures ?? [])],
        syscalls: legacyRules,
      }),
    );
    expect(legacy.format).toBe('legacy');
    const opts = { arch: 'x86_64' as const, caps: defaultCaps };
    const fromLegacy = allowedSyscalls(legacy, opts);
    const fromCurrent = allowedSyscalls(parse(profileText(PROFILES.current)), opts);
    expect(fromLegacy.unconditional).toEqual(fromCurrent.unconditional);
    expect(fromLegacy.conditional).toEqual(fromCurrent.conditional);
  });

  it('the real legacy file (an older default) is the current one minus the newer syscalls, plus syslog', () => {
    const opts = { arch: 'x86_64' as const, caps: defaultCaps };
    const old = allowedSyscalls(parse(profileText(PROFILES.legacy)), opts);
    const cur = allowedSyscalls(parse(profileText(PROFILES.current)), opts);
    const curAll = new Set(cur.all);
    // Where both name a syscall they agree, except: syslog (now needs CAP_SYSLOG) and socket (now has
    // argument conditions: AF_VSOCK is refused).
    expect(old.all.filter((n) => !curAll.has(n))).toEqual(['syslog']);
    expect(old.unconditional.filter((n) => cur.conditional.includes(n))).toEqual(['socket']);
    const oldAll = new Set(old.all);
    const added = cur.all.filter((n) => !oldAll.has(n));
    expect(added).toContain('statx');
    expect(added).toContain('rseq');
    expect(added).toHaveLength(27);
  });

  it('the in-tree moby copy and moby/profiles allow the same names on x86_64', () => {
    const opts = { arch: 'x86_64' as const, caps: defaultCaps };
    expect(allowedSyscalls(parse(profileText(PROFILES.mobyInTree)), opts).all).toEqual(
      allowedSyscalls(parse(profileText(PROFILES.current)), opts).all,
    );
  });

  it.each([
    [
      'default allow with a deny-list',
      {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          { names: ['mount', 'reboot'], action: 'SCMP_ACT_ERRNO' },
          {
            names: ['personality'],
            action: 'SCMP_ACT_ERRNO',
            args: [{ index: 0, value: 8, op: 'SCMP_CMP_NE' }],
          },
        ],
      },
      { allowedCount: 362 - 2, conditional: ['personality'], denies: ['mount', 'reboot'] },
    ],
    [
      'SCMP_ACT_LOG runs the call',
      { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_LOG' }] },
      { allowedCount: 1, conditional: [], denies: ['write'] },
    ],
    [
      'an unconditional deny beats an unconditional allow of the same name',
      {
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
          { names: ['write'], action: 'SCMP_ACT_KILL' },
        ],
      },
      { allowedCount: 1, conditional: [], denies: ['write'] },
    ],
    [
      'excludes.minKernel is taken as reached: the rule is skipped',
      {
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          { names: ['read'], action: 'SCMP_ACT_ALLOW' },
          { names: ['write'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.4' } },
        ],
      },
      { allowedCount: 1, conditional: [], denies: ['write'] },
    ],
  ] as const)('%s', (_what, doc, want) => {
    const p = parse(JSON.stringify(doc));
    const a = allowedSyscalls(p, { arch: 'x86_64', caps: [] });
    expect(a.all).toHaveLength(want.allowedCount);
    expect(a.conditional).toEqual(want.conditional);
    for (const n of want.denies) expect(a.all).not.toContain(n);
  });

  it('knows the universe of each architecture from the syscall tables', () => {
    expect(syscallUniverse('x86_64').size).toBe(Object.keys(SYSCALLS_X86_64).length);
    expect(syscallUniverse('aarch64').size).toBe(Object.keys(SYSCALLS_AARCH64).length);
    expect(syscallUniverse('x86_64').has('open')).toBe(true);
    expect(syscallUniverse('aarch64').has('open')).toBe(false);
  });
});
