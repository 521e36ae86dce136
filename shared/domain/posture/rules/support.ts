import { hasSecurityOption } from '../engine-facts.js';
import type {
  ContainerSnapshot,
  Evidence,
  EvidenceSource,
  FindingStatus,
  HostFacts,
  KernelFile,
  ProcStatus,
} from '../model.js';
import type { RuleOutcome } from '../rule.js';

/** Helpers shared by the container rules: evidence records, outcomes, kernel files, LSM availability. */

/** Render a value read from a document as evidence text (strings as they are, the rest as JSON). */
export function show(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (value === undefined) return '(absent)';
  return JSON.stringify(value);
}

/** One evidence record. */
export function ev(source: EvidenceSource, field: string, value: unknown): Evidence {
  return { source, field, value: show(value) };
}

/** An evidence record from the inspect document. */
export function fromInspect(field: string, value: unknown): Evidence {
  return ev('inspect', field, value);
}

/** An outcome based on configuration only. */
export function configOutcome(
  status: FindingStatus,
  message: string,
  evidence: readonly Evidence[],
): RuleOutcome {
  return { status, message, evidence, evidenceKind: 'configuration-only' };
}

/** An outcome whose verdict follows the kernel. */
export function kernelOutcome(
  status: FindingStatus,
  message: string,
  evidence: readonly Evidence[],
): RuleOutcome {
  return { status, message, evidence, evidenceKind: 'kernel' };
}

/** The outcome when the engine did not report a field the rule needs. */
export function notReported(field: string, value: unknown = undefined): RuleOutcome {
  return configOutcome('info', `The engine did not report ${field}; this check could not be made.`, [
    fromInspect(field, value),
  ]);
}

/** A kernel file's value, or null with an evidence line saying why it could not be used. */
export function readKernel<T>(
  file: KernelFile<T> | undefined,
  what: string,
): { value: T | null; evidence: Evidence[] } {
  if (file === undefined) return { value: null, evidence: [] };
  if (file.ok) return { value: file.value, evidence: [] };
  return {
    value: null,
    evidence: [
      ev(
        'proc',
        `${file.path}${what === '' ? '' : ` ${what}`}`,
        `not read (${file.error.code}): ${file.error.message}`,
      ),
    ],
  };
}

/** The parsed /proc/<pid>/status of the container's init, or null (with why, when it was tried). */
export function procStatus(s: ContainerSnapshot): {
  value: ProcStatus | null;
  path: string;
  evidence: Evidence[];
} {
  if (s.kernel === null) return { value: null, path: `/proc/${s.pid}/status`, evidence: [] };
  const read = readKernel(s.kernel.status, '');
  return { ...read, path: s.kernel.status.path };
}

/** Join names for a message: `a, b and c`. */
export function listText(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  const head =
    shown.length <= 1
      ? (shown[0] ?? '')
      : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? ''}`;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : head;
}

/** Whether a Linux security module can confine containers here, and how we know. */
export interface LsmAvailability {
  /** `available`: the host runs it; `absent`: it does not; `unknown`: nothing could tell. */
  readonly state: 'available' | 'absent' | 'unknown';
  /** The engine lists it in SecurityOptions (it confines containers with it). */
  readonly engineUses: boolean;
  readonly evidence: readonly Evidence[];
}

/**
 * Whether AppArmor or SELinux is available on the host.
 *
 * The kernel's /sys/kernel/security/lsm decides when it could be read. Otherwise the engine's SecurityOptions
 * decide: dockerd lists `name=apparmor` when the host supports AppArmor and `name=selinux` when it runs with
 * SELinux enabled, so a non-empty list without the name means absent.
 */
export function lsmAvailability(host: HostFacts, lsm: 'apparmor' | 'selinux'): LsmAvailability {
  const engineUses = hasSecurityOption(host.engineSecurityOptions, lsm);
  const evidence: Evidence[] = [];
  let hostHas: boolean | null = null;
  if (host.lsms !== null) {
    if (host.lsms.ok) {
      hostHas = host.lsms.value.includes(lsm);
      evidence.push(ev('host', host.lsms.path, host.lsms.value.join(',')));
    } else {
      evidence.push(
        ev('host', host.lsms.path, `not read (${host.lsms.error.code}): ${host.lsms.error.message}`),
      );
    }
  }
  evidence.push(
    ev(
      'engine',
      'docker info SecurityOptions',
      host.engineSecurityOptions.length === 0
        ? '(none reported)'
        : host.engineSecurityOptions.map((o) => o.name).join(','),
    ),
  );
  let state: LsmAvailability['state'];
  if (hostHas !== null) state = hostHas ? 'available' : 'absent';
  else if (engineUses) state = 'available';
  else state = host.engineSecurityOptions.length > 0 ? 'absent' : 'unknown';
  return { state, engineUses, evidence };
}

/** Evidence lines for the namespaces-from-kernel comparison: the container's and the reader's PID namespace. */
export function pidNamespaceEvidence(
  s: ContainerSnapshot,
  host: HostFacts,
): { shared: boolean | null; evidence: Evidence[] } {
  if (s.kernel === null || host.pidNamespace === null) return { shared: null, evidence: [] };
  const read = readKernel(s.kernel.pidNamespace, '');
  if (read.value === null) return { shared: null, evidence: read.evidence };
  return {
    shared: read.value === host.pidNamespace,
    evidence: [
      ev('proc', s.kernel.pidNamespace.path, read.value),
      ev('host', '/proc/self/ns/pid', host.pidNamespace),
    ],
  };
}

/** Whether a Config.User value means root (empty = the image default, which is root unless the image says otherwise). */
export function isRootUser(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}
