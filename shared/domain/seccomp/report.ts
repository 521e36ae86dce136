import type { Subject } from '../syscalls/model.js';
import type { SyscallArch } from '../syscalls/names.js';
import type { ProfileComparison, ProfileReduction } from './compare.js';
import type { GeneratedMetadata } from './generate.js';
import type { PhaseBoundary } from './phases.js';

/** A generated profile as it crosses the contract: the file's text and where its names came from. */
export interface ProfileText {
  /** Docker's seccomp JSON: `docker run --security-opt seccomp=FILE` takes it as it is. */
  readonly json: string;
  readonly metadata: GeneratedMetadata;
}

/** The split into a start-up and a running phase (after SPEAKER, Lei et al. 2017). */
export interface PhaseReport {
  readonly boundary: PhaseBoundary;
  readonly startupSet: readonly string[];
  readonly runningSet: readonly string[];
  readonly startupOnly: readonly string[];
  /** Null until a boundary is found. */
  readonly running: ProfileText | null;
  /** The running-phase profile against the whole-life one. */
  readonly reduction: ProfileReduction | null;
  /** What the container's health check said (null: not asked, e.g. not a container on the engine). */
  readonly health: { readonly basis: string; readonly exact: boolean } | null;
}

/**
 * What `seccomp:generate` answers: a profile from one subject's observed syscalls, its comparison with
 * Docker's default profile, and the split-phase analysis.
 */
export interface SeccompReport {
  readonly subject: Subject;
  readonly arch: SyscallArch;
  /** Events of this subject the profile was built from, and how many distinct names. */
  readonly observedEvents: number;
  readonly observedNames: number;
  readonly whole: ProfileText;
  /** Null when the source cannot say when each syscall was seen (a recording). */
  readonly phases: PhaseReport | null;
  /** The generated profile against Docker's default (observed ∩ allowed, blocked, unused, the reduction). */
  readonly versusDefault:
    | { readonly available: true; readonly path: string; readonly comparison: ProfileComparison }
    | { readonly available: false; readonly reason: string };
  /** Docker cannot change the filter of a running container: both profiles are for the next start. */
  readonly note: string;
}
