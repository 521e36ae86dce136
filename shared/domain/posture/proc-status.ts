import { decodeCapabilityMask } from './capabilities.js';
import type { CapabilitySet, IdMapRange, LsmLabel, ProcStatus } from './model.js';

/**
 * Pure parsers for the kernel files that carry isolation evidence: /proc/<pid>/status, /proc/<pid>/uid_map,
 * /proc/<pid>/attr/current and /sys/kernel/security/lsm. The adapter reads the bytes; these decide what they
 * mean. Each returns a value or `{ error }` with a reason, never throws.
 */

/** A parse failure: the text was read but is not in the kernel's format. */
export interface ParseFailure {
  readonly error: string;
}

/** Whether a parser result is a failure. */
export function isParseFailure(value: unknown): value is ParseFailure {
  return typeof value === 'object' && value !== null && 'error' in value && typeof value.error === 'string';
}

function fieldsOf(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return fields;
}

function intOrNull(value: string | undefined): number | null {
  if (value === undefined || !/^-?\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Parse /proc/<pid>/status.
 *
 * A missing line gives null for that field (older kernels lack Seccomp_filters; kernels without
 * CONFIG_SECCOMP lack Seccomp). Text without a single `Key:\tvalue` line, or with a malformed capability
 * mask, is a failure.
 */
export function parseProcStatus(text: string): ProcStatus | ParseFailure {
  const fields = fieldsOf(text);
  if (fields.size === 0) return { error: 'no "Key: value" lines' };
  const caps: Record<string, CapabilitySet | null> = {};
  for (const key of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
    const raw = fields.get(key);
    if (raw === undefined) {
      caps[key] = null;
      continue;
    }
    const decoded = decodeCapabilityMask(raw);
    if (decoded === null)
      return { error: `${key} is not a capability mask: ${JSON.stringify(raw.slice(0, 40))}` };
    caps[key] = decoded;
  }
  const seccompRaw = intOrNull(fields.get('Seccomp'));
  const seccompMode = seccompRaw === 0 || seccompRaw === 1 || seccompRaw === 2 ? seccompRaw : null;
  if (fields.has('Seccomp') && seccompMode === null) {
    return { error: `Seccomp is not 0, 1 or 2: ${JSON.stringify(fields.get('Seccomp')?.slice(0, 40))}` };
  }
  const nnp = intOrNull(fields.get('NoNewPrivs'));
  const [ruid, euid, suid, fsuid, ...extra] = (fields.get('Uid') ?? '').split(/\s+/).map((p) => intOrNull(p));
  const uid: ProcStatus['uid'] =
    ruid != null && euid != null && suid != null && fsuid != null && extra.length === 0
      ? [ruid, euid, suid, fsuid]
      : null;
  return {
    name: fields.get('Name') ?? null,
    pid: intOrNull(fields.get('Pid')),
    uid,
    seccompMode,
    seccompFilters: intOrNull(fields.get('Seccomp_filters')),
    noNewPrivs: nnp === null ? null : nnp === 1,
    capInh: caps.CapInh ?? null,
    capPrm: caps.CapPrm ?? null,
    capEff: caps.CapEff ?? null,
    capBnd: caps.CapBnd ?? null,
    capAmb: caps.CapAmb ?? null,
  };
}

/** Parse /proc/<pid>/uid_map (or gid_map): lines of `inside outside count`. */
export function parseIdMap(text: string): IdMapRange[] | ParseFailure {
  const ranges: IdMapRange[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const parts = trimmed.split(/\s+/).map((p) => intOrNull(p));
    const [inside, outside, count] = parts;
    if (
      parts.length !== 3 ||
      inside == null ||
      outside == null ||
      count == null ||
      inside < 0 ||
      outside < 0 ||
      count < 0
    ) {
      return { error: `not "inside outside count": ${JSON.stringify(trimmed.slice(0, 60))}` };
    }
    ranges.push({ inside, outside, count });
  }
  if (ranges.length === 0) return { error: 'empty id map' };
  return ranges;
}

/** The full 32-bit range the initial user namespace maps: `0 0 4294967295`. */
export const FULL_ID_RANGE = 4294967295;

/**
 * Whether an id map is the initial user namespace's identity map (`0 0 4294967295`): the process is not in a
 * user namespace of its own, so uid 0 inside is uid 0 on the host.
 */
export function isInitialUserNamespace(ranges: readonly IdMapRange[]): boolean {
  return (
    ranges.length === 1 &&
    ranges[0]?.inside === 0 &&
    ranges[0].outside === 0 &&
    ranges[0].count === FULL_ID_RANGE
  );
}

/** The host uid that uid `inside` maps to, or null when it is not mapped. */
export function mapId(ranges: readonly IdMapRange[], inside: number): number | null {
  for (const r of ranges) {
    if (inside >= r.inside && inside < r.inside + r.count) return r.outside + (inside - r.inside);
  }
  return null;
}

/** The inverse of `mapId`: the id inside the namespace for an id seen outside it, or null when unmapped. */
export function unmapId(ranges: readonly IdMapRange[], outside: number): number | null {
  for (const r of ranges) {
    if (outside >= r.outside && outside < r.outside + r.count) return r.inside + (outside - r.outside);
  }
  return null;
}

const SELINUX_UNCONFINED_TYPES = new Set(['spc_t', 'unconfined_t', 'kernel_t', 'initrc_t']);

/**
 * Parse /proc/<pid>/attr/current.
 *
 * AppArmor prints `profile (mode)` or `unconfined`; SELinux prints `user:role:type:level` (NUL-terminated).
 * An empty file is a failure (no label to judge).
 */
export function parseAttrCurrent(text: string): LsmLabel | ParseFailure {
  // SELinux terminates the label with a NUL byte.
  const raw = (text.split('\u0000')[0] ?? '').trim();
  if (raw === '') return { error: 'empty label' };
  if (raw === 'unconfined')
    return { raw, lsm: 'apparmor', profile: 'unconfined', mode: null, unconfined: true };
  const apparmor = /^(\S(?:.*\S)?) \(([a-z_-]+)\)$/.exec(raw);
  if (apparmor?.[1] !== undefined && apparmor[2] !== undefined) {
    const profile = apparmor[1];
    return {
      raw,
      lsm: 'apparmor',
      profile,
      mode: apparmor[2],
      unconfined: profile === 'unconfined' || apparmor[2] === 'unconfined',
    };
  }
  const parts = raw.split(':');
  const [user, role, type] = parts;
  const ident = /^[A-Za-z0-9_.-]+$/;
  if (
    user !== undefined &&
    role !== undefined &&
    type !== undefined &&
    [user, role, type].every((p) => ident.test(p))
  ) {
    return { raw, lsm: 'selinux', profile: type, mode: null, unconfined: SELINUX_UNCONFINED_TYPES.has(type) };
  }
  return { raw, lsm: 'unknown', profile: raw, mode: null, unconfined: false };
}

/** Parse /sys/kernel/security/lsm: a comma-separated list such as `lockdown,capability,yama,apparmor`. */
export function parseLsmList(text: string): string[] {
  return text
    .split('\u0000')
    .join('')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
