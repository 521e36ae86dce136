import type { ContainerId, EpochMillis } from './ids.js';
import type { GeneratedProfile } from './seccomp/generate.js';
import type { SyscallArch } from './syscalls/names.js';

/**
 * The demo lab's model: its roles, what `up`, `attack` and `down` report, and the one-line messages they
 * print — shared by the CLI (`bulkhead lab …`) and the app's Lab panel (the `lab:*` channels), so both say
 * the same thing in the same words. The engine side lives in electron/adapters/docker/lab.ts.
 */

/** Label on every lab container; `down` removes exactly the containers carrying it with value `1`. */
export const LAB_LABEL = 'bulkhead.lab';
/** Label naming a lab container's role. */
export const LAB_ROLE_LABEL = 'bulkhead.lab.role';

/** The roles of the lab, in the order `up` creates them. */
export const LAB_ROLES = ['privileged', 'docker-sock', 'default', 'weak', 'hardened'] as const;
export type LabRole = (typeof LAB_ROLES)[number];

/** Whether `value` names a role. */
export function isLabRole(value: string): value is LabRole {
  return (LAB_ROLES as readonly string[]).includes(value);
}

/** The name of a role's container. */
export function labContainerName(role: LabRole): string {
  return `bulkhead-lab-${role}`;
}

/** What `up` did for one role. */
export interface LabUpEntry {
  readonly role: LabRole;
  readonly name: string;
  /** What the role demonstrates, and its `docker run` options. */
  readonly summary: string;
  readonly options: string;
  /** Null when the role was skipped (a foreign container holds its name). */
  readonly id: ContainerId | null;
  readonly outcome: 'started' | 'refused' | 'running' | 'conflict';
  /** Whether `up` created it now (false: it existed). */
  readonly created: boolean;
  /** The one line `up` prints for it. */
  readonly line: string;
}

/** What `up` did. */
export interface LabUpReport {
  readonly engine: string;
  readonly arch: SyscallArch;
  readonly entries: readonly LabUpEntry[];
  /** The hardened role's profile (its metadata says which names it allows). */
  readonly hardenedProfile: GeneratedProfile;
}

/** What `down` removed. */
export interface LabDownReport {
  readonly removed: readonly { readonly id: ContainerId; readonly name: string }[];
}

/** The attack's steps. */
export const ATTACK_STEP_IDS = [
  'shell',
  'shadow',
  'mount',
  'unshare',
  'ptrace',
  'open_by_handle_at',
  'keyctl',
] as const;
export type AttackStepId = (typeof ATTACK_STEP_IDS)[number];

/** One step of the attack: what it tries, the syscall it is about, and the command run by exec. */
export interface AttackStep {
  readonly id: AttackStepId;
  readonly title: string;
  /** The syscall the step is about (an alert rule's), or null for the plain-command steps. */
  readonly syscall: string | null;
  /** The exec's argv (never a shell string built from input). */
  readonly argv: readonly string[];
  /** What to show for the command. */
  readonly display: string;
}

/** What one step did. */
export interface AttackStepResult {
  readonly step: AttackStepId;
  readonly title: string;
  readonly syscall: string | null;
  readonly display: string;
  /** The exec's exit code; null when it timed out. */
  readonly exitCode: number | null;
  /** The first line of output: of stderr when the step failed, else of stdout (the other as fallback). */
  readonly firstLine: string;
  /** EPERM ("Operation not permitted") or EACCES ("Permission denied") in a failed step's output. */
  readonly blocked: 'EPERM' | 'EACCES' | null;
  readonly timedOut: boolean;
  readonly startedAt: EpochMillis;
  readonly endedAt: EpochMillis;
}

/** The container an attack ran in. */
export interface AttackSubject {
  readonly id: ContainerId;
  readonly name: string;
  readonly role: string | null;
}

/** What `attack` did. */
export interface AttackReport {
  readonly container: AttackSubject;
  readonly arch: SyscallArch;
  readonly steps: readonly AttackStepResult[];
}

/** One lab container (label `bulkhead.lab=1`) as the engine lists it. */
export interface LabContainerStatus {
  readonly id: ContainerId;
  readonly name: string;
  /** Its `bulkhead.lab.role` label when that names a role, else null. */
  readonly role: LabRole | null;
  /** The engine's state word (`running`, `created`, `exited` …). */
  readonly state: string;
  readonly running: boolean;
}

/** What the engine says about the lab: its containers, and whether `up` could run there. */
export interface LabEngineStatus {
  readonly engine: string;
  /** Whether the engine runs on this machine (the lab runs only there). */
  readonly local: boolean;
  /** Why `up` cannot run (a remote engine, a missing image), or null. */
  readonly upBlocked: string | null;
  readonly containers: readonly LabContainerStatus[];
}

// ----- the one-line messages (raw text: the CLI neutralises control characters, the UI renders text) -----

/** Before the entries of `up`. */
export function upHeaderLine(engineUrl: string): string {
  return `lab up on ${engineUrl}:`;
}

/** After the entries of `up`: the hardened role's generated profile. */
export function upProfileLine(report: LabUpReport): string {
  const allowed = report.hardenedProfile.metadata.allowed.length;
  return `seccomp profile of the hardened container, generated by Bulkhead (${report.arch}): ${allowed} syscalls allowed, everything else EPERM`;
}

/** Names held by foreign containers, or null when there were none. */
export function upConflictLine(report: LabUpReport): string | null {
  const conflicts = report.entries.filter((e) => e.outcome === 'conflict');
  if (conflicts.length === 0) return null;
  const one = conflicts.length === 1;
  return `${conflicts.map((c) => c.name).join(', ')} ${one ? 'is' : 'are'} not lab containers; rename or remove ${one ? 'it' : 'them'} and run lab up again`;
}

/** One container `down` removed. */
export function downRemovedLine(c: { readonly id: ContainerId; readonly name: string }): string {
  return `removed ${c.name} (${c.id.slice(0, 12)})`;
}

/** `down` found nothing to remove. */
export const DOWN_NOTHING_LINE = 'no lab containers (label bulkhead.lab=1) on this engine';

/** Before the first step of an attack. */
export function attackStartLine(c: AttackSubject, steps: number, pauseMs: number): string {
  return `attack on ${c.name}${c.role !== null ? ` (role ${c.role})` : ''}: ${steps} steps, ${pauseMs / 1000} s apart`;
}

/** When a step begins. */
export function attackStepLine(step: AttackStep, index: number, of: number): string {
  return `[${index + 1}/${of}] ${step.title}: ${step.display}`;
}

/** How one step ended, in a few words (BLOCKED when EPERM or EACCES stopped it). */
export function describeResult(r: AttackStepResult): string {
  const line = r.firstLine || '(no output)';
  if (r.timedOut) return `timed out: ${line}`;
  if (r.blocked !== null) return `BLOCKED (${r.blocked}), exit ${r.exitCode ?? '?'}: ${line}`;
  if (r.exitCode === 0) return `went through, exit 0: ${line}`;
  return `failed, exit ${r.exitCode ?? '?'}: ${line}`;
}

/** How a step ended, as a word for the UI's marks. */
export function resultTone(r: AttackStepResult): 'blocked' | 'through' | 'failed' {
  if (r.blocked !== null) return 'blocked';
  if (r.exitCode === 0 && !r.timedOut) return 'through';
  return 'failed';
}

/** After the last step. */
export function attackSummaryLine(report: AttackReport): string {
  const blocked = report.steps.filter((s) => s.blocked !== null);
  const through = report.steps.filter((s) => s.exitCode === 0);
  const by = (code: string): number => blocked.filter((s) => s.blocked === code).length;
  return `${report.container.name}: ${blocked.length} of ${report.steps.length} steps blocked (EPERM ${by('EPERM')}, EACCES ${by('EACCES')}), ${through.length} went through`;
}
