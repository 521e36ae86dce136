import type { SyscallArch } from '../syscalls/names.js';
import { normalizeObserved } from './generate.js';
import type { SeccompProfile } from './profile.js';
import { allowedSyscalls } from './profile.js';

/**
 * How well a profile fits what a container does, and how much smaller it is than Docker's default.
 *
 * Counting: distinct syscall **names**, for one architecture, of the arch's syscall table (names a profile
 * lists that the table does not know — another architecture's, or newer than the table — are not counted,
 * and are listed by allowedSyscalls). A name counts as allowed when it can run at all: allowed whatever the
 * arguments, or only with argument conditions (`personality(0)`, `clone` without namespace flags). The
 * latter are also listed separately, because an observed call of such a name may still be refused for its
 * arguments. Observed names go through the same normalisation as generateProfile (non-syscall events
 * dropped, sysdig spellings mapped).
 */

/** One profile against the observed syscalls. */
export interface ProfileCoverage {
  /** How many names the profile allows (with or without argument conditions). */
  readonly allowed: number;
  /** Of those, allowed only with argument conditions. */
  readonly conditional: number;
  /** Observed and allowed whatever the arguments. */
  readonly observedAllowed: readonly string[];
  /** Observed and allowed only for some argument values: may fail. */
  readonly observedConditional: readonly string[];
  /** Observed but not allowed: would fail under this profile. */
  readonly observedBlocked: readonly string[];
  /** Allowed but never observed: attack surface left open. */
  readonly allowedUnused: readonly string[];
}

/** A profile's size against the default's. */
export interface ProfileReduction {
  readonly allowed: number;
  readonly defaultAllowed: number;
  /** round(100 × (allowed − defaultAllowed) / defaultAllowed): negative when smaller; null if the default allows none. */
  readonly reductionPct: number | null;
  /** "this profile allows 61 of the 426 syscalls the default allows: −86 %". */
  readonly sentence: string;
}

/** What compareProfile finds. */
export interface ProfileComparison {
  readonly arch: SyscallArch;
  /** The observed syscalls of the arch, sorted. */
  readonly observed: readonly string[];
  /** Observed names that are not syscalls of the arch (unknown names, not non-syscall events), sorted. */
  readonly observedUnknown: readonly string[];
  readonly profile: ProfileCoverage;
  readonly defaultProfile: ProfileCoverage;
  readonly reduction: ProfileReduction;
}

/** For whom the profiles are evaluated. */
export interface CompareOptions {
  readonly arch: SyscallArch;
  /** The container's bounding capabilities (DOCKER_DEFAULT_CAPS for a default container). */
  readonly caps: Iterable<string>;
}

function coverage(
  observed: ReadonlySet<string>,
  profile: SeccompProfile,
  options: CompareOptions,
): ProfileCoverage {
  const allowed = allowedSyscalls(profile, options);
  const plain = new Set(allowed.unconditional);
  const conditional = new Set(allowed.conditional);
  const observedAllowed: string[] = [];
  const observedConditional: string[] = [];
  const observedBlocked: string[] = [];
  for (const name of observed) {
    if (plain.has(name)) observedAllowed.push(name);
    else if (conditional.has(name)) observedConditional.push(name);
    else observedBlocked.push(name);
  }
  return {
    allowed: allowed.all.length,
    conditional: allowed.conditional.length,
    observedAllowed,
    observedConditional,
    observedBlocked,
    allowedUnused: allowed.all.filter((n) => !observed.has(n)),
  };
}

/** Format a signed percentage the way the UI shows it: `−86 %`, `+4 %`, `0 %` (U+2212 minus). */
export function formatPercent(pct: number): string {
  if (pct < 0) return `\u2212${-pct} %`;
  if (pct > 0) return `+${pct} %`;
  return '0 %';
}

/**
 * A profile's size against another's: counts, rounded percentage and the sentence; `subject` and `baseline`
 * name the two profiles in it.
 */
export function reduction(
  allowed: number,
  defaultAllowed: number,
  subject = 'this profile',
  baseline = 'the default',
): ProfileReduction {
  if (defaultAllowed === 0) {
    return {
      allowed,
      defaultAllowed,
      reductionPct: null,
      sentence: `${subject} allows ${allowed} syscalls; ${baseline} allows none`,
    };
  }
  // `|| 0` turns Math.round's -0 into 0.
  const pct = Math.round((100 * (allowed - defaultAllowed)) / defaultAllowed) || 0;
  return {
    allowed,
    defaultAllowed,
    reductionPct: pct,
    sentence: `${subject} allows ${allowed} of the ${defaultAllowed} syscalls ${baseline} allows: ${formatPercent(pct)}`,
  };
}

/**
 * Compare `profile` and Docker's default profile against the syscalls a container was seen to make.
 *
 * Both are evaluated with allowedSyscalls for `arch` and `caps`; see the module comment for how names are
 * counted.
 */
export function compareProfile(
  observed: Iterable<string>,
  profile: SeccompProfile,
  defaultProfile: SeccompProfile,
  options: CompareOptions,
): ProfileComparison {
  const caps = [...options.caps];
  const opts: CompareOptions = { arch: options.arch, caps };
  const seen = normalizeObserved(observed, options.arch);
  const set = new Set(seen.syscalls);
  const mine = coverage(set, profile, opts);
  const theirs = coverage(set, defaultProfile, opts);
  return {
    arch: options.arch,
    observed: seen.syscalls,
    observedUnknown: seen.unknown,
    profile: mine,
    defaultProfile: theirs,
    reduction: reduction(mine.allowed, theirs.allowed),
  };
}
