import { describe, expect, it } from 'vitest';

import { compareProfile, formatPercent, reduction } from '../../../shared/domain/seccomp/compare.js';
import { generateProfile, RUNTIME_SYSCALL_NAMES } from '../../../shared/domain/seccomp/generate.js';
import type { SeccompProfile } from '../../../shared/domain/seccomp/profile.js';
import { DOCKER_DEFAULT_CAPS, parseSeccompProfile } from '../../../shared/domain/seccomp/profile.js';
import { expectedAllowed, PROFILES, profileJson, profileText } from './data.js';

const parse = (text: string): SeccompProfile => {
  const r = parseSeccompProfile(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.profile;
};

const DEFAULT = parse(profileText(PROFILES.current));
const CAPS = [...DOCKER_DEFAULT_CAPS];

// What the busybox workload of the integration test makes once started (a sample, not the real trace).
const WORKLOAD = [
  'read',
  'write',
  'openat',
  'close',
  'dup2',
  'wait4',
  'clone',
  'execve',
  'exit_group',
  'switch',
];

describe('compareProfile', () => {
  it('a generated profile against Docker’s default on x86_64: counts from a hand count of the JSON', () => {
    const generated = parse(generateProfile(WORKLOAD, { arch: 'x86_64' }).json);
    const c = compareProfile(WORKLOAD, generated, DEFAULT, { arch: 'x86_64', caps: CAPS });

    const ours = new Set([...WORKLOAD.filter((n) => n !== 'switch'), ...RUNTIME_SYSCALL_NAMES]);
    const hand = expectedAllowed(profileJson(PROFILES.current), 'x86_64', CAPS);
    const defaultAllowed = hand.plain.length + hand.conditional.length;
    expect(c.reduction.allowed).toBe(ours.size);
    expect(c.reduction.defaultAllowed).toBe(defaultAllowed);
    const pct = Math.round((100 * (ours.size - defaultAllowed)) / defaultAllowed);
    expect(c.reduction.reductionPct).toBe(pct);
    expect(c.reduction.sentence).toBe(
      `this profile allows ${ours.size} of the ${defaultAllowed} syscalls the default allows: \u2212${-pct} %`,
    );

    expect(c.observed).toEqual(WORKLOAD.filter((n) => n !== 'switch').sort());
    expect(c.profile.observedBlocked).toEqual([]);
    expect(c.profile.observedAllowed).toEqual(c.observed);
    expect(c.profile.allowedUnused).toEqual(RUNTIME_SYSCALL_NAMES.filter((n) => !WORKLOAD.includes(n)));
    // The default allows clone only without namespace flags: an observed clone may still be refused.
    expect(c.defaultProfile.observedConditional).toEqual(['clone']);
    expect(c.defaultProfile.observedBlocked).toEqual([]);
    expect(c.defaultProfile.allowedUnused).toHaveLength(defaultAllowed - c.observed.length);
    expect(c.defaultProfile.conditional).toBe(3);
  });

  it('names what a profile would block', () => {
    const narrow = parse(generateProfile(['read'], { arch: 'x86_64' }).json);
    const c = compareProfile(['read', 'mkdir', 'chmod', 'procexit', 'socketcall'], narrow, DEFAULT, {
      arch: 'x86_64',
      caps: CAPS,
    });
    expect(c.profile.observedBlocked).toEqual(['chmod', 'mkdir']);
    expect(c.defaultProfile.observedBlocked).toEqual([]);
    expect(c.observedUnknown).toEqual(['socketcall']);
  });

  it('a privileged workload: mount is blocked by the default for default caps, allowed with SYS_ADMIN', () => {
    const observed = ['mount', 'read'];
    const generated = parse(generateProfile(observed, { arch: 'x86_64' }).json);
    const plain = compareProfile(observed, generated, DEFAULT, { arch: 'x86_64', caps: CAPS });
    const admin = compareProfile(observed, generated, DEFAULT, {
      arch: 'x86_64',
      caps: [...CAPS, 'CAP_SYS_ADMIN'],
    });
    expect(plain.defaultProfile.observedBlocked).toEqual(['mount']);
    expect(admin.defaultProfile.observedBlocked).toEqual([]);
    expect(admin.reduction.defaultAllowed).toBeGreaterThan(plain.reduction.defaultAllowed);
  });

  it('the Podman default against Docker’s on aarch64', () => {
    const podman = parse(profileText(PROFILES.containersCommon));
    const c = compareProfile([], podman, DEFAULT, { arch: 'aarch64', caps: CAPS });
    const hand = expectedAllowed(profileJson(PROFILES.containersCommon), 'aarch64', CAPS);
    expect(c.reduction.allowed).toBe(hand.plain.length + hand.conditional.length);
    expect(c.profile.allowedUnused).toHaveLength(c.reduction.allowed);
  });
});

describe('reduction and formatPercent', () => {
  it.each([
    [61, 426, -86, 'this profile allows 61 of the 426 syscalls the default allows: \u221286 %'],
    [295, 295, 0, 'this profile allows 295 of the 295 syscalls the default allows: 0 %'],
    [300, 295, 2, 'this profile allows 300 of the 295 syscalls the default allows: +2 %'],
    [1, 1000, -100, 'this profile allows 1 of the 1000 syscalls the default allows: \u2212100 %'],
    [999, 1000, 0, 'this profile allows 999 of the 1000 syscalls the default allows: 0 %'], // −0.1 rounds to 0, not −0
  ] as const)('%i of %i → %i %%', (allowed, def, pct, sentence) => {
    const r = reduction(allowed, def);
    expect(r.reductionPct).toBe(pct);
    expect(Object.is(r.reductionPct, -0)).toBe(false);
    expect(r.sentence).toBe(sentence);
  });

  it('the example of the brief: 61 of 426 is −86 %', () => {
    expect(reduction(61, 426)).toEqual({
      allowed: 61,
      defaultAllowed: 426,
      reductionPct: -86,
      sentence: 'this profile allows 61 of the 426 syscalls the default allows: \u221286 %',
    });
  });

  it('a default that allows nothing has no percentage', () => {
    expect(reduction(3, 0).reductionPct).toBeNull();
  });

  it.each([
    [-86, '\u221286 %'],
    [0, '0 %'],
    [12, '+12 %'],
  ] as const)('formatPercent(%i) = %s', (pct, text) => {
    expect(formatPercent(pct)).toBe(text);
  });
});
