import type { CapabilitySet } from './model.js';

/**
 * Linux capabilities: the kernel's numbering, Docker's default set, the effective set a container gets, and
 * the decoding of the bit masks in /proc/<pid>/status.
 */

/**
 * Every capability the kernel defines, indexed by bit number (include/uapi/linux/capability.h: CAP_CHOWN = 0
 * … CAP_CHECKPOINT_RESTORE = 40 = CAP_LAST_CAP as of Linux 5.9 and still in 6.x).
 */
export const KERNEL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

/** The highest capability bit this code knows. */
export const LAST_CAPABILITY_BIT = KERNEL_CAPABILITIES.length - 1;

/**
 * Docker's default capability set, in moby's order (oci/caps/defaults.go, unchanged from Docker 20.10
 * through 27.x): what a container gets without `--cap-add`, `--cap-drop` or `--privileged`.
 */
export const DOCKER_DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

/**
 * Capabilities that commonly turn into a container escape or host-wide effect when granted: mounting and
 * namespace control (SYS_ADMIN), module loading, raw I/O, tracing other processes, reading any file
 * (DAC_READ_SEARCH, the "shocker" escape), network stack control, eBPF and perf, the clock, reboot, LSM
 * policy, the kernel log, immutable files and audit control.
 */
export const DANGEROUS_CAPABILITIES: ReadonlySet<string> = new Set([
  'CAP_SYS_ADMIN',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_PTRACE',
  'CAP_DAC_READ_SEARCH',
  'CAP_NET_ADMIN',
  'CAP_BPF',
  'CAP_PERFMON',
  'CAP_SYS_TIME',
  'CAP_SYS_BOOT',
  'CAP_MAC_ADMIN',
  'CAP_MAC_OVERRIDE',
  'CAP_SYSLOG',
  'CAP_LINUX_IMMUTABLE',
  'CAP_AUDIT_CONTROL',
]);

const BIT_OF: ReadonlyMap<string, number> = new Map(KERNEL_CAPABILITIES.map((name, bit) => [name, bit]));

/** The kernel bit number of a `CAP_*` name, or null for a name the kernel does not define. */
export function capabilityBit(name: string): number | null {
  return BIT_OF.get(name) ?? null;
}

/**
 * Normalise a capability as written in CapAdd/CapDrop: trimmed, upper-cased, `CAP_` prefixed; `ALL` stays
 * `ALL` (moby's NormalizeLegacyCapabilities).
 */
export function normalizeCapability(raw: string): string {
  const upper = raw.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Sort `CAP_*` names by kernel bit, unknown names last in alphabetical order; duplicates removed. */
export function sortCapabilities(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => {
    const ba = capabilityBit(a);
    const bb = capabilityBit(b);
    if (ba !== null && bb !== null) return ba - bb;
    if (ba !== null) return -1;
    if (bb !== null) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** How a container's capability set was derived from its configuration. */
export interface ConfiguredCapabilities {
  /** The effective set, sorted by bit. */
  readonly names: readonly string[];
  /** Capabilities beyond Docker's default set. */
  readonly added: readonly string[];
  /** Default capabilities that are not in the set. */
  readonly dropped: readonly string[];
  /** Why the set is what it is: `privileged`, `cap-add ALL`, `cap-drop ALL`, `default ± changes`. */
  readonly basis: 'privileged' | 'add-all' | 'drop-all' | 'default';
  /** CapAdd/CapDrop entries that are not kernel capabilities (the engine would have refused them). */
  readonly unknown: readonly string[];
}

/**
 * The capability set a container gets from its configuration, following moby's TweakCapabilities.
 *
 * - privileged: every capability;
 * - `ALL` in CapAdd: every capability except those in CapDrop (this wins over `ALL` in CapDrop);
 * - `ALL` in CapDrop: exactly CapAdd;
 * - otherwise: Docker's default set minus CapDrop plus CapAdd.
 *
 * "Every capability" is every capability the engine's capability library knows, capped by the running
 * kernel. This function uses all 41 of the kernel's numbering; engines built against an older library
 * grant fewer (a Docker 20.10 build recorded here granted bits 0–37 for `ALL`, without PERFMON, BPF and
 * CHECKPOINT_RESTORE). Where /proc evidence exists it is what counts.
 */
export function configuredCapabilities(input: {
  readonly privileged: boolean;
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
}): ConfiguredCapabilities {
  const add = input.capAdd.map(normalizeCapability);
  const drop = input.capDrop.map(normalizeCapability);
  const unknown = [...add, ...drop].filter((c) => c !== 'ALL' && capabilityBit(c) === null);
  const known = (c: string): boolean => c !== 'ALL' && capabilityBit(c) !== null;
  let names: string[];
  let basis: ConfiguredCapabilities['basis'];
  if (input.privileged) {
    names = [...KERNEL_CAPABILITIES];
    basis = 'privileged';
  } else if (add.includes('ALL')) {
    names = KERNEL_CAPABILITIES.filter((c) => !drop.includes(c));
    basis = 'add-all';
  } else if (drop.includes('ALL')) {
    names = add.filter(known);
    basis = 'drop-all';
  } else {
    names = [...DOCKER_DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add.filter(known)];
    basis = 'default';
  }
  const sorted = sortCapabilities(names);
  const defaults = new Set<string>(DOCKER_DEFAULT_CAPABILITIES);
  return {
    names: sorted,
    added: sorted.filter((c) => !defaults.has(c)),
    dropped: sortCapabilities(DOCKER_DEFAULT_CAPABILITIES.filter((c) => !sorted.includes(c))),
    basis,
    unknown: [...new Set(unknown)],
  };
}

const HEX_MASK = /^[0-9a-fA-F]{1,16}$/;

/**
 * Decode a capability mask as printed in /proc/<pid>/status (`CapEff:\t00000000a80425fb`).
 *
 * Returns null for anything that is not 1–16 hex digits.
 */
export function decodeCapabilityMask(hex: string): CapabilitySet | null {
  const text = hex.trim();
  if (!HEX_MASK.test(text)) return null;
  const value = BigInt(`0x${text}`);
  const names: string[] = [];
  const unknownBits: number[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (((value >> BigInt(bit)) & 1n) === 0n) continue;
    const name = KERNEL_CAPABILITIES[bit];
    if (name !== undefined) names.push(name);
    else unknownBits.push(bit);
  }
  return { hex: text.toLowerCase().padStart(16, '0'), names, unknownBits };
}

/** Encode `CAP_*` names as the kernel's 16-hex-digit mask; unknown names are ignored. */
export function encodeCapabilityMask(names: Iterable<string>): string {
  let value = 0n;
  for (const name of names) {
    const bit = capabilityBit(name);
    if (bit !== null) value |= 1n << BigInt(bit);
  }
  return value.toString(16).padStart(16, '0');
}
