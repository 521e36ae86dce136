import type { EngineFacts, EngineSecurityOption, Ulimit } from './model.js';

/**
 * Map the Engine API's GET /info and GET /version documents (what `docker info` / `docker version` print as
 * JSON) to EngineFacts, plus the facts the adapter decided itself.
 *
 * Tolerant like mapInspect: a missing or mistyped field gives null and a line in `problems`; only an `info`
 * that is not an object is refused.
 */

/** The facts the engine API does not expose; the adapter decides them (null = could not tell). */
export interface DecidedEngineFacts {
  readonly tcpWithoutTls?: boolean | null;
  readonly icc?: boolean | null;
  readonly userlandProxy?: boolean | null;
  readonly defaultUlimits?: readonly Ulimit[] | null;
  readonly noNewPrivilegesDefault?: boolean | null;
  readonly iptables?: boolean | null;
}

/** EngineFacts with the problems met on the way, or why there are none. */
export type MapEngineResult =
  | { readonly ok: true; readonly facts: EngineFacts; readonly problems: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse one SecurityOptions entry: `name=seccomp,profile=default` → `{ name: 'seccomp', options: { profile: 'default' } }`. */
export function parseEngineSecurityOption(raw: string): EngineSecurityOption {
  // Engines before 1.13 printed bare names (`seccomp`, `apparmor`).
  if (!raw.includes('=')) return { name: raw.trim(), options: {} };
  const options: Record<string, string> = {};
  let name = '';
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq).trim() : part.trim();
    const value = eq >= 0 ? part.slice(eq + 1).trim() : '';
    if (key === 'name') name = value;
    else if (key !== '') options[key] = value;
  }
  return { name, options };
}

// The engine's info Warnings say so when the API listens on TCP without TLS, e.g. "WARNING: API is
// accessible on http://0.0.0.0:2375 without encryption."
const TCP_WITHOUT_TLS_WARNING = /API is accessible on http:\/\/\S+ without encryption/i;

/** Whether an insecure-registry CIDR is loopback only (the engine's built-in default, 127.0.0.0/8, ::1/128). */
function isLoopbackCidr(cidr: string): boolean {
  return cidr.startsWith('127.') || cidr === '::1/128';
}

/** Map info + version (+ decided facts) to EngineFacts. `version` may be null when only info is known. */
export function mapEngineFacts(
  info: unknown,
  version: unknown,
  decided: DecidedEngineFacts = {},
): MapEngineResult {
  if (!isRecord(info)) return { ok: false, problems: ['info document: expected object'] };
  const problems: string[] = [];
  const ver = isRecord(version) ? version : null;
  if (version !== null && ver === null) problems.push('version document: expected object');

  const str = (o: Record<string, Json>, key: string, where: string): string | null => {
    const v = o[key];
    if (typeof v === 'string') return v;
    problems.push(`${where}.${key}: ${v === undefined ? 'missing' : `expected string, got ${typeof v}`}`);
    return null;
  };
  const bool = (o: Record<string, Json>, key: string, where: string): boolean | null => {
    const v = o[key];
    if (typeof v === 'boolean') return v;
    problems.push(`${where}.${key}: ${v === undefined ? 'missing' : `expected boolean, got ${typeof v}`}`);
    return null;
  };
  const stringList = (v: Json, where: string): string[] | null => {
    if (v === null) return [];
    if (!Array.isArray(v)) {
      problems.push(`${where}: ${v === undefined ? 'missing' : 'expected array'}`);
      return null;
    }
    return v.filter((x): x is string => typeof x === 'string');
  };

  const securityOptions = (stringList(info.SecurityOptions, 'info.SecurityOptions') ?? []).map(
    parseEngineSecurityOption,
  );
  const plugins = isRecord(info.Plugins) ? info.Plugins : null;
  if (plugins === null) problems.push('info.Plugins: missing');
  const authorizationPlugins =
    plugins === null ? null : stringList(plugins.Authorization ?? null, 'info.Plugins.Authorization');
  const swarm = isRecord(info.Swarm) ? info.Swarm : null;
  const warnings = stringList(info.Warnings ?? null, 'info.Warnings') ?? [];

  let insecureRegistries: string[] | null = null;
  if (isRecord(info.RegistryConfig)) {
    const rc = info.RegistryConfig;
    const cidrs = (
      stringList(rc.InsecureRegistryCIDRs ?? null, 'info.RegistryConfig.InsecureRegistryCIDRs') ?? []
    ).filter((c) => !isLoopbackCidr(c));
    const indexes = isRecord(rc.IndexConfigs)
      ? Object.values(rc.IndexConfigs)
          .filter(isRecord)
          .filter((ic) => ic.Secure === false && typeof ic.Name === 'string')
          .map((ic) => String(ic.Name))
      : [];
    insecureRegistries = [...cidrs, ...indexes];
  } else {
    problems.push('info.RegistryConfig: missing');
  }

  const fromWarnings = warnings.some((w) => TCP_WITHOUT_TLS_WARNING.test(w)) ? true : null;
  const cgroupVersion = info.CgroupVersion;

  const facts: EngineFacts = {
    version:
      ver !== null
        ? str(ver, 'Version', 'version')
        : typeof info.ServerVersion === 'string'
          ? info.ServerVersion
          : null,
    apiVersion: ver !== null && typeof ver.ApiVersion === 'string' ? ver.ApiVersion : null,
    os:
      typeof info.OSType === 'string'
        ? info.OSType
        : ver !== null && typeof ver.Os === 'string'
          ? ver.Os
          : null,
    securityOptions,
    authorizationPlugins,
    liveRestoreEnabled: bool(info, 'LiveRestoreEnabled', 'info'),
    experimentalBuild: bool(info, 'ExperimentalBuild', 'info'),
    cgroupVersion:
      typeof cgroupVersion === 'string'
        ? cgroupVersion
        : typeof cgroupVersion === 'number'
          ? String(cgroupVersion)
          : null,
    cgroupDriver: typeof info.CgroupDriver === 'string' ? info.CgroupDriver : null,
    loggingDriver: str(info, 'LoggingDriver', 'info'),
    storageDriver: typeof info.Driver === 'string' ? info.Driver : null,
    debug: typeof info.Debug === 'boolean' ? info.Debug : null,
    swarmState: swarm !== null && typeof swarm.LocalNodeState === 'string' ? swarm.LocalNodeState : null,
    insecureRegistries,
    warnings,
    tcpWithoutTls: fromWarnings ?? decided.tcpWithoutTls ?? null,
    icc: decided.icc ?? null,
    userlandProxy: decided.userlandProxy ?? null,
    defaultUlimits: decided.defaultUlimits ?? null,
    noNewPrivilegesDefault: decided.noNewPrivilegesDefault ?? null,
    iptables: decided.iptables ?? null,
  };
  if (facts.cgroupVersion === null) problems.push('info.CgroupVersion: missing');
  return { ok: true, facts, problems };
}

/** Whether the engine lists a security option by name (`apparmor`, `selinux`, `seccomp`, `userns`, `rootless`, `cgroupns`). */
export function hasSecurityOption(options: readonly EngineSecurityOption[], name: string): boolean {
  return options.some((o) => o.name === name);
}
