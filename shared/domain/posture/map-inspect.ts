import { isContainerId } from '../ids.js';
import type { ContainerId } from '../ids.js';
import type {
  ContainerSnapshot,
  DeviceMapping,
  ExecInfo,
  KernelEvidence,
  MountInfo,
  NamespaceMode,
  PortBinding,
  ProcessList,
  SecurityOptions,
  Ulimit,
} from './model.js';

/**
 * Map a `docker inspect` document (as the Engine API returns it for GET /containers/{id}/json) to a
 * ContainerSnapshot.
 *
 * Tolerant by design: the input is `unknown`, and a missing or mistyped field never throws. The field becomes
 * null (rules then say "not reported") and a line is added to `problems`. Only a document that is not an
 * object, or has no full 64-hex `Id`, is refused — there is nothing to name the result after.
 */
export type MapInspectResult =
  | { readonly ok: true; readonly snapshot: ContainerSnapshot; readonly problems: readonly string[] }
  | {
      readonly ok: false;
      /** The Id and Name when they could be read, to label the error. */
      readonly id: string | null;
      readonly name: string | null;
      readonly problems: readonly string[];
    };

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Reads fields by path, collecting a problem for each missing or mistyped one. */
class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly root: Record<string, Json>) {}

  /** The raw value at a dotted path; `undefined` when any step is missing. */
  at(path: string): Json {
    let cur: Json = this.root;
    for (const key of path.split('.')) {
      if (!isRecord(cur)) return undefined;
      cur = cur[key];
    }
    return cur;
  }

  private wrongType(path: string, expected: string, v: Json): null {
    if (v === undefined) this.problems.push(`${path}: missing`);
    else this.problems.push(`${path}: expected ${expected}, got ${describe(v)}`);
    return null;
  }

  /** A boolean; `optional` fields may be absent without a problem. */
  bool(path: string, opts: { optional?: boolean } = {}): boolean | null {
    const v = this.at(path);
    if (typeof v === 'boolean') return v;
    if (v === undefined && opts.optional === true) return null;
    return this.wrongType(path, 'boolean', v);
  }

  /** A finite number; `nullAs` gives the value for an explicit JSON null (e.g. PidsLimit null = 0). */
  num(path: string, opts: { optional?: boolean; nullAs?: number } = {}): number | null {
    const v = this.at(path);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (v === null && opts.nullAs !== undefined) return opts.nullAs;
    if (v === undefined && opts.optional === true) return null;
    return this.wrongType(path, 'number', v);
  }

  str(path: string, opts: { optional?: boolean } = {}): string | null {
    const v = this.at(path);
    if (typeof v === 'string') return v;
    if (v === undefined && opts.optional === true) return null;
    return this.wrongType(path, 'string', v);
  }

  /** A list of strings; JSON null means an empty list (the engine's way of saying "none"). */
  strings(path: string, opts: { optional?: boolean } = {}): string[] | null {
    const v = this.at(path);
    if (v === null) return [];
    if (v === undefined && opts.optional === true) return null;
    if (!Array.isArray(v)) return this.wrongType(path, 'array of strings', v);
    const out: string[] = [];
    v.forEach((item: Json, i) => {
      if (typeof item === 'string') out.push(item);
      else this.problems.push(`${path}[${i}]: expected string, got ${describe(item)}`);
    });
    return out;
  }

  /** A list of objects mapped by `map`; entries `map` refuses (returns null) are skipped with a problem. */
  objects<T>(
    path: string,
    map: (o: Record<string, Json>, at: string) => T | null,
    opts: { optional?: boolean } = {},
  ): T[] | null {
    const v = this.at(path);
    if (v === null) return [];
    if (v === undefined && opts.optional === true) return null;
    if (!Array.isArray(v)) return this.wrongType(path, 'array', v);
    const out: T[] = [];
    v.forEach((item: Json, i) => {
      const at = `${path}[${i}]`;
      if (!isRecord(item)) {
        this.problems.push(`${at}: expected object, got ${describe(item)}`);
        return;
      }
      const mapped = map(item, at);
      if (mapped === null) this.problems.push(`${at}: unexpected shape, skipped`);
      else out.push(mapped);
    });
    return out;
  }
}

function s(o: Record<string, Json>, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' ? v : null;
}

function n(o: Record<string, Json>, key: string): number | null {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Split one SecurityOpt entry the way the docker CLI does: at the first `=`, else at the first `:`. */
function splitOption(opt: string): [string, string | null] {
  const eq = opt.indexOf('=');
  if (eq >= 0) return [opt.slice(0, eq), opt.slice(eq + 1)];
  const colon = opt.indexOf(':');
  if (colon >= 0) return [opt.slice(0, colon), opt.slice(colon + 1)];
  return [opt, null];
}

function summariseSeccompProfile(value: string): string {
  try {
    const parsed: Json = JSON.parse(value);
    if (!isRecord(parsed)) return 'inline profile (not an object)';
    const action = typeof parsed.defaultAction === 'string' ? parsed.defaultAction : 'unknown';
    const rules = Array.isArray(parsed.syscalls) ? parsed.syscalls.length : 0;
    return `inline profile: defaultAction ${action}, ${rules} syscall rule${rules === 1 ? '' : 's'}`;
  } catch {
    return 'inline profile (unparseable JSON)';
  }
}

/**
 * Parse HostConfig.SecurityOpt.
 *
 * Understands seccomp (`unconfined`, `builtin`, an inline JSON profile, a name), apparmor, label
 * (`disable`, `user:`/`role:`/`type:`/`level:`/`filetype:`, `nested`), no-new-privileges (bare or
 * `=true`/`=false`) and systempaths; anything else is kept in `unrecognized`.
 */
export function parseSecurityOptions(raw: readonly string[]): SecurityOptions {
  let seccomp: SecurityOptions['seccomp'] = { kind: 'default' };
  let apparmor: SecurityOptions['apparmor'] = { kind: 'default' };
  let labelDisabled = false;
  const labelOptions: string[] = [];
  let noNewPrivileges = false;
  let systempathsUnconfined = false;
  const unrecognized: string[] = [];
  for (const opt of raw) {
    const [key, value] = splitOption(opt.trim());
    switch (key) {
      case 'seccomp':
        if (value === 'unconfined') seccomp = { kind: 'unconfined' };
        else if (value === null || value === '' || value === 'builtin') seccomp = { kind: 'default' };
        else if (value.trimStart().startsWith('{'))
          seccomp = { kind: 'custom', detail: summariseSeccompProfile(value) };
        else seccomp = { kind: 'custom', detail: `profile ${value}` };
        break;
      case 'apparmor':
        if (value === 'unconfined') apparmor = { kind: 'unconfined' };
        else if (value === null || value === '') apparmor = { kind: 'default' };
        else apparmor = { kind: 'profile', name: value };
        break;
      case 'label':
        if (value === 'disable') labelDisabled = true;
        else if (value !== null && value !== '') labelOptions.push(value);
        else unrecognized.push(opt);
        break;
      case 'no-new-privileges':
        if (value === null || value === 'true' || value === '') noNewPrivileges = true;
        else if (value === 'false') noNewPrivileges = false;
        else unrecognized.push(opt);
        break;
      case 'systempaths':
        if (value === 'unconfined') systempathsUnconfined = true;
        else unrecognized.push(opt);
        break;
      default:
        unrecognized.push(opt);
    }
  }
  return {
    raw: [...raw],
    seccomp,
    apparmor,
    label: { disabled: labelDisabled, options: labelOptions },
    noNewPrivileges,
    systempathsUnconfined,
    unrecognized,
  };
}

/**
 * Parse a namespace mode string (NetworkMode, PidMode, IpcMode, UTSMode, UsernsMode, CgroupnsMode).
 *
 * `network` selects the NetworkMode vocabulary (`default`/`bridge` = docker0, other names = user networks).
 */
export function parseNamespaceMode(raw: string, which: 'network' | 'other'): NamespaceMode {
  if (raw.startsWith('container:')) return { raw, kind: 'container', target: raw.slice('container:'.length) };
  if (raw === 'host') return { raw, kind: 'host', target: null };
  if (raw === 'none') return { raw, kind: 'none', target: null };
  if (which === 'network') {
    if (raw === '' || raw === 'default' || raw === 'bridge') return { raw, kind: 'bridge', target: null };
    return { raw, kind: 'network', target: raw };
  }
  if (raw === 'shareable') return { raw, kind: 'shareable', target: null };
  return { raw, kind: 'private', target: null };
}

function mapMount(o: Record<string, Json>): MountInfo | null {
  const destination = s(o, 'Destination');
  if (destination === null) return null;
  return {
    type: s(o, 'Type') ?? '',
    source: s(o, 'Source') ?? '',
    destination,
    rw: typeof o.RW === 'boolean' ? o.RW : true,
    mode: s(o, 'Mode') ?? '',
    propagation: s(o, 'Propagation') ?? '',
  };
}

function mapDevice(o: Record<string, Json>): DeviceMapping | null {
  const pathOnHost = s(o, 'PathOnHost');
  if (pathOnHost === null) return null;
  return {
    pathOnHost,
    pathInContainer: s(o, 'PathInContainer') ?? pathOnHost,
    cgroupPermissions: s(o, 'CgroupPermissions') ?? '',
  };
}

function mapUlimit(o: Record<string, Json>): Ulimit | null {
  const name = s(o, 'Name');
  const soft = n(o, 'Soft');
  const hard = n(o, 'Hard');
  return name === null || soft === null || hard === null ? null : { name, soft, hard };
}

function mapPorts(r: FieldReader, path: string): PortBinding[] | null {
  const v = r.at(path);
  if (v === null) return [];
  if (v === undefined) return null;
  if (!isRecord(v)) {
    r.problems.push(`${path}: expected object, got ${describe(v)}`);
    return null;
  }
  const out: PortBinding[] = [];
  for (const [containerPort, bindings] of Object.entries(v)) {
    if (bindings === null) continue; // exposed, not published
    if (!Array.isArray(bindings)) {
      r.problems.push(`${path}.${containerPort}: expected array, got ${describe(bindings)}`);
      continue;
    }
    for (const b of bindings as Json[]) {
      if (!isRecord(b)) {
        r.problems.push(`${path}.${containerPort}: binding is ${describe(b)}, skipped`);
        continue;
      }
      out.push({ containerPort, hostIp: s(b, 'HostIp') ?? '', hostPort: s(b, 'HostPort') ?? '' });
    }
  }
  return out;
}

function mapHealthcheck(r: FieldReader): ContainerSnapshot['healthcheck'] {
  const v = r.at('Config.Healthcheck');
  if (v === undefined || v === null) return 'absent';
  if (!isRecord(v)) {
    r.problems.push(`Config.Healthcheck: expected object, got ${describe(v)}`);
    return null;
  }
  const test = v.Test;
  if (test === undefined || test === null || (Array.isArray(test) && test.length === 0)) return 'absent';
  if (!Array.isArray(test)) {
    r.problems.push(`Config.Healthcheck.Test: expected array, got ${describe(test)}`);
    return null;
  }
  return test[0] === 'NONE' ? 'disabled' : 'configured';
}

function namespace(
  r: FieldReader,
  path: string,
  which: 'network' | 'other',
  optional = false,
): NamespaceMode | null {
  const raw = r.str(path, { optional });
  return raw === null ? null : parseNamespaceMode(raw, which);
}

/** Map an inspect document; see MapInspectResult. */
export function mapInspect(inspect: unknown): MapInspectResult {
  if (!isRecord(inspect)) {
    return {
      ok: false,
      id: null,
      name: null,
      problems: [`inspect document: expected object, got ${describe(inspect)}`],
    };
  }
  const r = new FieldReader(inspect);
  const rawId = inspect.Id;
  const rawName = typeof inspect.Name === 'string' ? inspect.Name.replace(/^\//, '') : null;
  if (typeof rawId !== 'string' || !isContainerId(rawId)) {
    return {
      ok: false,
      id: typeof rawId === 'string' ? rawId.slice(0, 80) : null,
      name: rawName,
      problems: [
        typeof rawId === 'string'
          ? 'Id: not a full 64-hex container id'
          : `Id: expected string, got ${describe(rawId)}`,
      ],
    };
  }
  const id: ContainerId = rawId;
  // Without HostConfig almost every check would rest on nothing; scoring what is left would look like a
  // clean bill of health. Refuse the document instead, naming what is missing.
  if (!isRecord(inspect.HostConfig)) {
    return {
      ok: false,
      id,
      name: rawName,
      problems: [
        `HostConfig: expected object, got ${describe(inspect.HostConfig)}; no isolation check can be judged`,
      ],
    };
  }
  if (!isRecord(inspect.Config)) r.problems.push(`Config: expected object, got ${describe(inspect.Config)}`);

  const running = r.bool('State.Running');
  const securityOpt = r.strings('HostConfig.SecurityOpt');
  const restartName = r.str('HostConfig.RestartPolicy.Name', { optional: true });
  const restartMax = r.num('HostConfig.RestartPolicy.MaximumRetryCount', { optional: true });
  const runningNow = running === true;
  // A running container's NetworkSettings.Ports holds what was really bound (ephemeral ports resolved, host
  // networking ignoring -p); before it runs only the requested HostConfig.PortBindings exist.
  const actual = runningNow ? mapPorts(r, 'NetworkSettings.Ports') : null;
  const portBindings = actual ?? mapPorts(r, 'HostConfig.PortBindings');

  if (rawName === null) r.problems.push('Name: missing');

  const snapshot: ContainerSnapshot = {
    id,
    name: rawName ?? id.slice(0, 12),
    image: r.str('Config.Image') ?? '',
    imageId: r.str('Image') ?? '',
    state: r.str('State.Status') ?? 'unknown',
    running: runningNow,
    pid: r.num('State.Pid') ?? 0,
    privileged: r.bool('HostConfig.Privileged'),
    capAdd: r.strings('HostConfig.CapAdd'),
    capDrop: r.strings('HostConfig.CapDrop'),
    securityOptions: securityOpt === null ? null : parseSecurityOptions(securityOpt),
    appArmorProfile: r.str('AppArmorProfile', { optional: true }),
    processLabel: r.str('ProcessLabel', { optional: true }),
    namespaces: {
      network: namespace(r, 'HostConfig.NetworkMode', 'network'),
      pid: namespace(r, 'HostConfig.PidMode', 'other'),
      ipc: namespace(r, 'HostConfig.IpcMode', 'other'),
      uts: namespace(r, 'HostConfig.UTSMode', 'other'),
      user: namespace(r, 'HostConfig.UsernsMode', 'other'),
      cgroup: namespace(r, 'HostConfig.CgroupnsMode', 'other', true),
    },
    mounts: r.objects('Mounts', mapMount),
    devices: r.objects('HostConfig.Devices', mapDevice),
    deviceCgroupRules: r.strings('HostConfig.DeviceCgroupRules', { optional: true }),
    ulimits: r.objects('HostConfig.Ulimits', mapUlimit, { optional: true }),
    resources: {
      memory: r.num('HostConfig.Memory'),
      nanoCpus: r.num('HostConfig.NanoCpus', { optional: true }),
      cpuShares: r.num('HostConfig.CpuShares'),
      cpuQuota: r.num('HostConfig.CpuQuota', { optional: true }),
      cpuPeriod: r.num('HostConfig.CpuPeriod', { optional: true }),
      cpusetCpus: r.str('HostConfig.CpusetCpus', { optional: true }),
      pidsLimit: r.num('HostConfig.PidsLimit', { optional: true, nullAs: 0 }),
    },
    readonlyRootfs: r.bool('HostConfig.ReadonlyRootfs'),
    portBindings,
    publishAllPorts: r.bool('HostConfig.PublishAllPorts', { optional: true }),
    restartPolicy: restartName === null ? null : { name: restartName, maximumRetryCount: restartMax ?? 0 },
    cgroupParent: r.str('HostConfig.CgroupParent', { optional: true }),
    healthcheck: mapHealthcheck(r),
    user: r.str('Config.User'),
    maskedPaths: r.strings('HostConfig.MaskedPaths', { optional: true }),
    readonlyPaths: r.strings('HostConfig.ReadonlyPaths', { optional: true }),
    runtime: r.str('HostConfig.Runtime', { optional: true }),
    execIds: r.strings('ExecIDs', { optional: true }) ?? [],
    kernel: null,
    processes: null,
    execs: null,
  };
  return { ok: true, snapshot, problems: r.problems };
}

/** A snapshot with kernel evidence, processes and exec sessions attached (each optional). */
export function withEvidence(
  snapshot: ContainerSnapshot,
  evidence: {
    readonly kernel?: KernelEvidence | null;
    readonly processes?: ProcessList | null;
    readonly execs?: readonly ExecInfo[] | null;
  },
): ContainerSnapshot {
  return {
    ...snapshot,
    kernel: evidence.kernel ?? snapshot.kernel,
    processes: evidence.processes ?? snapshot.processes,
    execs: evidence.execs ?? snapshot.execs,
  };
}
