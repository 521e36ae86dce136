import { assertNever } from '../../util/assert-never.js';
import { DOCKER_DEFAULT_CAPABILITIES } from '../posture/capabilities.js';
import type { SyscallArch } from '../syscalls/names.js';
import { SYSCALLS_AARCH64 } from '../syscalls/table-aarch64.js';
import { SYSCALLS_X86_64 } from '../syscalls/table-x86_64.js';

/**
 * Docker's seccomp profile: the model, a parser for both of its JSON formats, and what a profile allows.
 *
 * Two formats exist (moby profiles/seccomp, `Seccomp` and `Syscall` structs):
 * - current (Docker ≥ 20.10): `archMap` (a native architecture and its sub-architectures), `defaultAction`,
 *   `defaultErrnoRet`, and rules `{ names, action, errnoRet?, args?, includes?, excludes? }` whose
 *   `includes`/`excludes` (`caps`, `arches`, `minKernel`) make a rule apply only to some containers;
 * - legacy (Docker ≤ 1.12 files, still accepted): `architectures` (a flat list) and one rule per syscall,
 *   `{ name, action, args }`.
 * The parser turns both into one model. It never throws: malformed input is a typed error that names the
 * offending field. Fields Docker does not know are kept out of the model and listed as warnings (Docker's
 * `json.Unmarshal` ignores them too; containers/common adds `errno` and `defaultErrno`).
 */

/** The actions libseccomp (and so runc) knows, as Docker spells them. */
export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

/** The argument comparison operators. */
export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

/** One argument condition: `arg[index] op value` (`(arg & value) == valueTwo` for MASKED_EQ). */
export interface SeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo: number;
  readonly op: SeccompOperator;
}

/** A rule's `includes` or `excludes`: empty lists and a null minKernel mean "no condition". */
export interface SeccompFilter {
  /** Capabilities (`CAP_SYS_ADMIN`): includes needs every one in the bounding set, excludes any one. */
  readonly caps: readonly string[];
  /** Go architecture names (`amd64`, `arm64`, `x86`, `s390x`, …), not SCMP_ARCH_* names. */
  readonly arches: readonly string[];
  /** A kernel release (`4.8`): includes needs at least it, excludes skips the rule from it on. */
  readonly minKernel: string | null;
}

/** One rule of a profile. */
export interface SeccompRule {
  readonly names: readonly string[];
  readonly action: SeccompAction;
  /** The errno for SCMP_ACT_ERRNO / SCMP_ACT_TRACE; null: the profile's defaultErrnoRet, else EPERM. */
  readonly errnoRet: number | null;
  /** Argument conditions, all of which must hold; empty: the rule applies whatever the arguments. */
  readonly args: readonly SeccompArg[];
  readonly includes: SeccompFilter;
  readonly excludes: SeccompFilter;
  readonly comment: string | null;
}

/** One `archMap` entry: a native architecture and the sub-architectures its filter also covers. */
export interface SeccompArchMapEntry {
  readonly architecture: string;
  readonly subArchitectures: readonly string[];
}

/** A parsed profile, whichever format it came in. */
export interface SeccompProfile {
  readonly format: 'current' | 'legacy';
  readonly defaultAction: SeccompAction;
  readonly defaultErrnoRet: number | null;
  /** Legacy format: the flat architecture list (empty in the current format). */
  readonly architectures: readonly string[];
  /** Current format: per native architecture, its sub-architectures (empty in the legacy format). */
  readonly archMap: readonly SeccompArchMapEntry[];
  /** Filter flags (`SECCOMP_FILTER_FLAG_LOG`, …). */
  readonly flags: readonly string[];
  readonly syscalls: readonly SeccompRule[];
}

/** Why a profile was refused. */
export const SECCOMP_PARSE_ERROR_CODES = [
  /** The text is not JSON. */
  'not-json',
  /** A field Docker or runc requires is absent (`defaultAction`, a rule's `action`, an argument's `op`). */
  'missing-field',
  /** A field has the wrong JSON type (Docker's json.Unmarshal would fail the same way). */
  'wrong-type',
  /** A field has the right type but a value Docker or runc refuses (an unknown action, a negative index). */
  'bad-value',
  /** Two fields that exclude each other (`architectures` and `archMap`, `name` and `names`). */
  'conflict',
] as const;
export type SeccompParseErrorCode = (typeof SECCOMP_PARSE_ERROR_CODES)[number];

/** A refused profile: what is wrong and where (`syscalls[3].args[0].op`). */
export interface SeccompParseError {
  readonly code: SeccompParseErrorCode;
  /** The field, as a path from the top of the document; empty for the document itself. */
  readonly path: string;
  readonly message: string;
}

/** The parser's result: a profile and the fields it ignored, or why it was refused. */
export type SeccompParseResult =
  | { readonly ok: true; readonly profile: SeccompProfile; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: SeccompParseError };

/** Thrown inside the parser only, caught by parseSeccompProfile: unwinds the recursive descent. */
class Refusal extends Error {
  constructor(readonly error: SeccompParseError) {
    super(error.message);
  }
}

const refuse = (code: SeccompParseErrorCode, path: string, message: string): never => {
  throw new Refusal({ code, path, message: path === '' ? message : `${path}: ${message}` });
};

type Json = unknown;

const isRecord = (v: Json): v is Readonly<Record<string, Json>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const kindOf = (v: Json): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

const TOP_KEYS = new Set([
  'defaultAction',
  'defaultErrnoRet',
  'architectures',
  'archMap',
  'flags',
  'listenerPath',
  'listenerMetadata',
  'syscalls',
]);
const RULE_KEYS = new Set(['names', 'name', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes']);
const ARG_KEYS = new Set(['index', 'value', 'valueTwo', 'op']);
const FILTER_KEYS = new Set(['caps', 'arches', 'minKernel']);
const ARCH_KEYS = new Set(['architecture', 'subArchitectures']);

class Reader {
  readonly warnings: string[] = [];

  unknownKeys(obj: Readonly<Record<string, Json>>, known: ReadonlySet<string>, path: string): void {
    for (const key of Object.keys(obj)) {
      if (!known.has(key))
        this.warnings.push(`${path === '' ? '' : `${path}.`}${key}: not a Docker field, ignored`);
    }
  }

  string(v: Json, path: string): string {
    if (typeof v !== 'string') refuse('wrong-type', path, `expected a string, found ${kindOf(v)}`);
    return v as string;
  }

  /** A non-negative integer that fits the C type (Go's json refuses fractions and negatives for uint). */
  uint(v: Json, path: string, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number') refuse('wrong-type', path, `expected a number, found ${kindOf(v)}`);
    const n = v as number;
    // Values up to 2^64 - 1 appear (masks of ~0); above 2^53 they are not exact in JSON numbers anyway.
    if (!Number.isFinite(n) || !Number.isInteger(n) || n < 0 || n > max) {
      refuse('bad-value', path, `expected a non-negative integer, found ${n}`);
    }
    return n;
  }

  /** An optional list: absent or null is empty (Go's json leaves a nil slice). */
  list(v: Json, path: string): readonly Json[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) refuse('wrong-type', path, `expected an array, found ${kindOf(v)}`);
    return v as readonly Json[];
  }

  strings(v: Json, path: string): string[] {
    return this.list(v, path).map((s, i) => this.string(s, `${path}[${i}]`));
  }

  action(v: Json, path: string): SeccompAction {
    if (v === undefined || v === null || v === '') refuse('missing-field', path, 'an action is required');
    const s = this.string(v, path);
    if (!(SECCOMP_ACTIONS as readonly string[]).includes(s)) {
      refuse('bad-value', path, `unknown action ${JSON.stringify(s)} (one of ${SECCOMP_ACTIONS.join(', ')})`);
    }
    return s as SeccompAction;
  }

  filter(v: Json, path: string): SeccompFilter {
    if (v === undefined || v === null) return EMPTY_FILTER;
    if (!isRecord(v)) refuse('wrong-type', path, `expected an object, found ${kindOf(v)}`);
    const f = v as Readonly<Record<string, Json>>;
    this.unknownKeys(f, FILTER_KEYS, path);
    const minKernel = f['minKernel'] === undefined || f['minKernel'] === null ? '' : f['minKernel'];
    const mk = this.string(minKernel, `${path}.minKernel`);
    if (mk !== '' && !/^\d+\.\d+(\.\d+)?(-\S*)?$/.test(mk)) {
      refuse(
        'bad-value',
        `${path}.minKernel`,
        `expected a kernel release such as "4.8", found ${JSON.stringify(mk)}`,
      );
    }
    return {
      caps: this.strings(f['caps'], `${path}.caps`),
      arches: this.strings(f['arches'], `${path}.arches`),
      minKernel: mk === '' ? null : mk,
    };
  }

  arg(v: Json, path: string): SeccompArg {
    if (!isRecord(v)) refuse('wrong-type', path, `expected an object, found ${kindOf(v)}`);
    const a = v as Readonly<Record<string, Json>>;
    this.unknownKeys(a, ARG_KEYS, path);
    // Six syscall arguments: libseccomp refuses an index beyond 5.
    const index = this.uint(a['index'] ?? 0, `${path}.index`, 5);
    const value = this.uint(a['value'] ?? 0, `${path}.value`, 2 ** 64);
    const valueTwo = this.uint(a['valueTwo'] ?? 0, `${path}.valueTwo`, 2 ** 64);
    if (a['op'] === undefined || a['op'] === null)
      refuse('missing-field', `${path}.op`, 'an operator is required');
    const op = this.string(a['op'], `${path}.op`);
    if (!(SECCOMP_OPERATORS as readonly string[]).includes(op)) {
      refuse('bad-value', `${path}.op`, `unknown operator ${JSON.stringify(op)}`);
    }
    return { index, value, valueTwo, op: op as SeccompOperator };
  }

  rule(v: Json, path: string): { rule: SeccompRule; legacy: boolean } {
    if (!isRecord(v)) refuse('wrong-type', path, `expected an object, found ${kindOf(v)}`);
    const r = v as Readonly<Record<string, Json>>;
    this.unknownKeys(r, RULE_KEYS, path);
    const hasName = r['name'] !== undefined && r['name'] !== null && r['name'] !== '';
    const names = this.strings(r['names'], `${path}.names`);
    if (hasName && names.length > 0) {
      refuse('conflict', path, "'name' and 'names' were both given; use one of them");
    }
    if (hasName) names.push(this.string(r['name'], `${path}.name`));
    // Docker and runc accept both (runc skips names libseccomp does not know): a rule that does nothing.
    if (names.length === 0) this.warnings.push(`${path}: names no syscall, does nothing`);
    if (names.includes('')) this.warnings.push(`${path}.names: an empty name, ignored`);
    const errnoRet =
      r['errnoRet'] === undefined || r['errnoRet'] === null
        ? null
        : this.uint(r['errnoRet'], `${path}.errnoRet`, 65535);
    const comment =
      r['comment'] === undefined || r['comment'] === null ? '' : this.string(r['comment'], `${path}.comment`);
    return {
      legacy: hasName,
      rule: {
        names: names.filter((n) => n !== ''),
        action: this.action(r['action'], `${path}.action`),
        errnoRet,
        args: this.list(r['args'], `${path}.args`).map((a, i) => this.arg(a, `${path}.args[${i}]`)),
        includes: this.filter(r['includes'], `${path}.includes`),
        excludes: this.filter(r['excludes'], `${path}.excludes`),
        comment: comment === '' ? null : comment,
      },
    };
  }

  archEntry(v: Json, path: string): SeccompArchMapEntry {
    if (!isRecord(v)) refuse('wrong-type', path, `expected an object, found ${kindOf(v)}`);
    const a = v as Readonly<Record<string, Json>>;
    this.unknownKeys(a, ARCH_KEYS, path);
    if (a['architecture'] === undefined || a['architecture'] === null) {
      refuse('missing-field', `${path}.architecture`, 'an architecture is required');
    }
    return {
      architecture: this.string(a['architecture'], `${path}.architecture`),
      subArchitectures: this.strings(a['subArchitectures'], `${path}.subArchitectures`),
    };
  }
}

const EMPTY_FILTER: SeccompFilter = { caps: [], arches: [], minKernel: null };

function readProfile(doc: Json, reader: Reader): SeccompProfile {
  if (!isRecord(doc)) return refuse('wrong-type', '', `a profile is a JSON object, found ${kindOf(doc)}`);
  reader.unknownKeys(doc, TOP_KEYS, '');
  const syscallsJson = reader.list(doc['syscalls'], 'syscalls');
  if (doc['defaultAction'] === undefined || doc['defaultAction'] === null || doc['defaultAction'] === '') {
    // With neither a default action nor rules Docker runs the container unconfined, without any filter.
    const why = syscallsJson.length === 0 ? ' (Docker would run such a profile unconfined)' : '';
    refuse('missing-field', 'defaultAction', `a default action is required${why}`);
  }
  const defaultAction = reader.action(doc['defaultAction'], 'defaultAction');
  const defaultErrnoRet =
    doc['defaultErrnoRet'] === undefined || doc['defaultErrnoRet'] === null
      ? null
      : reader.uint(doc['defaultErrnoRet'], 'defaultErrnoRet', 65535);
  const architectures = reader.strings(doc['architectures'], 'architectures');
  const archMap = reader.list(doc['archMap'], 'archMap').map((a, i) => reader.archEntry(a, `archMap[${i}]`));
  if (architectures.length > 0 && archMap.length > 0) {
    refuse('conflict', '', "'architectures' and 'archMap' were both given; use one of them");
  }
  const flags = reader.strings(doc['flags'], 'flags');
  let legacyRules = false;
  const syscalls = syscallsJson.map((r, i) => {
    const { rule, legacy } = reader.rule(r, `syscalls[${i}]`);
    legacyRules ||= legacy;
    return rule;
  });
  return {
    format: architectures.length > 0 || legacyRules ? 'legacy' : 'current',
    defaultAction,
    defaultErrnoRet,
    architectures,
    archMap,
    flags,
    syscalls,
  };
}

/**
 * Parse a seccomp profile: JSON text, or a value already parsed from JSON.
 *
 * Never throws. Refuses what Docker or runc would refuse (a missing default action, an unknown action or
 * operator, a wrong type, `name` with `names`, `architectures` with `archMap`), naming the field; accepts
 * and lists what Docker ignores.
 */
export function parseSeccompProfile(input: unknown): SeccompParseResult {
  let doc: Json = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input) as Json;
    } catch (e) {
      return {
        ok: false,
        error: {
          code: 'not-json',
          path: '',
          message: `not JSON: ${e instanceof Error ? e.message : String(e)}`,
        },
      };
    }
  }
  const reader = new Reader();
  try {
    return { ok: true, profile: readProfile(doc, reader), warnings: reader.warnings };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: e.error };
    // Not reachable for JSON values; kept so that no input, however odd (a proxy, a getter), escapes as a throw.
    return {
      ok: false,
      error: { code: 'bad-value', path: '', message: e instanceof Error ? e.message : String(e) },
    };
  }
}

/** How Docker names an architecture, in its three vocabularies. */
export interface ArchNames {
  /** libseccomp's name in `archMap` / `architectures`: `SCMP_ARCH_X86_64`. */
  readonly scmp: string;
  /** The sub-architectures Docker's default profile pairs with it. */
  readonly subArchitectures: readonly string[];
  /** The Go architecture name Docker matches `includes.arches` / `excludes.arches` against: `amd64`. */
  readonly goArch: string;
}

/** Docker's names for Bulkhead's architectures (moby seccomp_linux.go: goToNative, nativeToSeccomp). */
export const ARCH_NAMES: { readonly [A in SyscallArch]: ArchNames } = {
  x86_64: { scmp: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'], goArch: 'amd64' },
  aarch64: { scmp: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'], goArch: 'arm64' },
};

const TABLES: { readonly [A in SyscallArch]: Readonly<Record<number, string>> } = {
  x86_64: SYSCALLS_X86_64,
  aarch64: SYSCALLS_AARCH64,
};
const universes = new Map<SyscallArch, ReadonlySet<string>>();

/**
 * Every syscall name of `arch` that Bulkhead's table knows (generated from the kernel headers: 362 for
 * x86_64 and 307 for aarch64, from linux-libc-dev 6.1). A profile's names outside it are either for
 * another architecture (`socketcall`, `_llseek`) or newer than the table (`cachestat`).
 */
export function syscallUniverse(arch: SyscallArch): ReadonlySet<string> {
  let u = universes.get(arch);
  if (u === undefined) {
    u = new Set(Object.values(TABLES[arch]));
    universes.set(arch, u);
  }
  return u;
}

/** Normalise capability spellings to Docker's (`sys_admin` → `CAP_SYS_ADMIN`). */
function normalizeCap(cap: string): string {
  const upper = cap.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * Whether an action lets the syscall run (LOG runs it and logs it; TRACE without a tracer attached fails
 * the call with ENOSYS; NOTIFY leaves it to a supervisor, so neither counts as allowed).
 */
export function actionAllows(action: SeccompAction): boolean {
  switch (action) {
    case 'SCMP_ACT_ALLOW':
    case 'SCMP_ACT_LOG':
      return true;
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_PROCESS':
    case 'SCMP_ACT_KILL_THREAD':
    case 'SCMP_ACT_TRAP':
    case 'SCMP_ACT_ERRNO':
    case 'SCMP_ACT_TRACE':
    case 'SCMP_ACT_NOTIFY':
      return false;
    default:
      return assertNever(action, 'seccomp action');
  }
}

/** For whom allowedSyscalls evaluates a profile. */
export interface AllowedOptions {
  readonly arch: SyscallArch;
  /** The container's bounding capabilities (`CAP_CHOWN` or `chown`); DOCKER_DEFAULT_CAPS for a default container. */
  readonly caps: Iterable<string>;
}

/** A `minKernel` condition that was taken as satisfied (the running kernel is not known here). */
export interface MinKernelAssumption {
  readonly names: readonly string[];
  readonly minKernel: string;
  /** `includes`: the rule was applied; `excludes`: the rule was skipped. */
  readonly in: 'includes' | 'excludes';
}

/** What a profile allows one container on one architecture, by syscall name. */
export interface AllowedSyscalls {
  readonly arch: SyscallArch;
  /** Names allowed whatever the arguments, sorted. */
  readonly unconditional: readonly string[];
  /** Names allowed for some argument values only (`personality(0)`, `clone` without namespace flags), sorted. */
  readonly conditional: readonly string[];
  /** Both, sorted: every name that can run at all. */
  readonly all: readonly string[];
  /** Names in rules that apply here but that the arch's table does not know, sorted (libseccomp skips them). */
  readonly unknown: readonly string[];
  /** Rules that apply only from a kernel release on, taken as applying. */
  readonly minKernelAssumed: readonly MinKernelAssumption[];
  /** Whether the profile names this architecture (archMap or architectures); the native one is filtered anyway. */
  readonly archListed: boolean;
  /** Rules skipped for this container, by reason. */
  readonly skipped: { readonly arch: number; readonly caps: number; readonly kernel: number };
}

/** Whether a rule applies to this container (moby seccomp_linux.go setupSeccomp, with minKernel assumed met). */
function applies(
  rule: SeccompRule,
  goArch: string,
  caps: ReadonlySet<string>,
  assumed: MinKernelAssumption[],
): 'yes' | 'arch' | 'caps' | 'kernel' {
  const { includes: inc, excludes: exc } = rule;
  if (exc.arches.includes(goArch)) return 'arch';
  if (exc.caps.some((c) => caps.has(normalizeCap(c)))) return 'caps';
  if (exc.minKernel !== null) {
    assumed.push({ names: rule.names, minKernel: exc.minKernel, in: 'excludes' });
    return 'kernel';
  }
  if (inc.arches.length > 0 && !inc.arches.includes(goArch)) return 'arch';
  if (!inc.caps.every((c) => caps.has(normalizeCap(c)))) return 'caps';
  if (inc.minKernel !== null) assumed.push({ names: rule.names, minKernel: inc.minKernel, in: 'includes' });
  return 'yes';
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The syscalls `profile` lets a container with `caps` make on `arch`.
 *
 * Rules are selected as Docker does: `excludes.arches` / `includes.arches` against the Go architecture name,
 * `excludes.caps` (any one present skips the rule) and `includes.caps` (all must be present), `minKernel`
 * assumed satisfied and recorded. Then per name: an applicable rule without argument conditions decides
 * (allowed when every such rule allows); otherwise rules with conditions whose action differs from the
 * default make the name `conditional`; otherwise the default action decides — so a profile whose default
 * is SCMP_ACT_ALLOW allows every name of the arch's table it does not deny.
 */
export function allowedSyscalls(profile: SeccompProfile, options: AllowedOptions): AllowedSyscalls {
  const { arch } = options;
  const names = ARCH_NAMES[arch];
  const universe = syscallUniverse(arch);
  const caps = new Set([...options.caps].map(normalizeCap));
  const assumed: MinKernelAssumption[] = [];
  const plain = new Map<string, boolean>(); // name → every unconditional rule allows
  const withArgs = new Map<string, boolean>(); // name → some conditional rule's action differs from default
  const unknown = new Set<string>();
  const defaultAllows = actionAllows(profile.defaultAction);
  let skippedArch = 0;
  let skippedCaps = 0;
  let skippedKernel = 0;

  for (const rule of profile.syscalls) {
    const verdict = applies(rule, names.goArch, caps, assumed);
    if (verdict === 'arch') skippedArch++;
    if (verdict === 'caps') skippedCaps++;
    if (verdict === 'kernel') skippedKernel++;
    if (verdict !== 'yes') continue;
    const allows = actionAllows(rule.action);
    for (const name of rule.names) {
      if (!universe.has(name)) {
        unknown.add(name);
        continue;
      }
      if (rule.args.length === 0) plain.set(name, (plain.get(name) ?? true) && allows);
      else if (allows !== defaultAllows) withArgs.set(name, true);
    }
  }

  const unconditional: string[] = [];
  const conditional: string[] = [];
  for (const name of universe) {
    const decided = plain.get(name);
    if (decided !== undefined) {
      if (decided) unconditional.push(name);
    } else if (withArgs.has(name)) {
      conditional.push(name);
    } else if (defaultAllows) {
      unconditional.push(name);
    }
  }
  unconditional.sort(byName);
  conditional.sort(byName);
  return {
    arch,
    unconditional,
    conditional,
    all: [...unconditional, ...conditional].sort(byName),
    unknown: [...unknown].sort(byName),
    minKernelAssumed: assumed,
    archListed:
      profile.architectures.includes(names.scmp) ||
      profile.archMap.some((a) => a.architecture === names.scmp),
    skipped: { arch: skippedArch, caps: skippedCaps, kernel: skippedKernel },
  };
}

/**
 * Docker's default capability set (moby oci/caps/defaults.go): the bounding set of a container run without
 * `--cap-add`, `--cap-drop` or `--privileged`. The same list as posture's DOCKER_DEFAULT_CAPABILITIES.
 */
export const DOCKER_DEFAULT_CAPS: readonly string[] = DOCKER_DEFAULT_CAPABILITIES;
