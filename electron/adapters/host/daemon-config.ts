import * as fsp from 'node:fs/promises';

import type { DecidedEngineFacts } from '../../../shared/domain/posture/engine-facts.js';
import type { Evidence, Ulimit } from '../../../shared/domain/posture/model.js';
import type { DecidedEngineFactsReport } from '../../services/ports.js';
import type { ProcFs } from './proc-evidence.js';

/**
 * The engine facts the Docker API does not expose — icc, the userland proxy, default ulimits, the daemon-wide
 * no-new-privileges, iptables, TCP without TLS — decided for a local engine from the daemon itself: the
 * dockerd process that holds the engine's socket, its command line, its environment and its daemon.json
 * (`--config-file`, read through /proc/<pid>/root so dockerd's own mount namespace is honoured).
 *
 * Precedence is dockerd's: a command-line flag, else the daemon.json key (dockerd refuses to start when both
 * set the same option), else dockerd's default. Whatever cannot be read is left undecided, with a note; every
 * decided fact carries the evidence it rests on.
 */

/** The file-system calls used; injectable for tests. */
export interface DaemonFs extends ProcFs {
  realpath(path: string): Promise<string>;
}

/** node:fs/promises. */
export const nodeDaemonFs: DaemonFs = {
  readFile: (path) => fsp.readFile(path, 'utf8'),
  readlink: (path) => fsp.readlink(path),
  readdir: (path) => fsp.readdir(path),
  realpath: (path) => fsp.realpath(path),
};

/** Where to read; every field has a default. */
export interface DaemonConfigOptions {
  /** Default `/proc`. */
  readonly procRoot?: string;
  readonly fs?: DaemonFs;
}

/** dockerd's default daemon.json for a rootful daemon. */
export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';
/** dockerd's default socket. */
export const DEFAULT_SOCKET = '/var/run/docker.sock';

const BOOL_FLAGS = ['icc', 'userland-proxy', 'iptables', 'no-new-privileges', 'tls', 'tlsverify'] as const;
type BoolFlag = (typeof BOOL_FLAGS)[number];

/** The flags of a dockerd command line that matter here, each with the text it was read from. */
export interface DockerdArgs {
  readonly bools: Readonly<
    Partial<Record<BoolFlag, { readonly value: boolean | null; readonly raw: string }>>
  >;
  readonly hosts: readonly string[];
  readonly defaultUlimits: readonly string[];
  readonly configFile: string | null;
}

/** Go's strconv.ParseBool, which pflag uses for `--flag=value`. */
function parseGoBool(text: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return null;
}

/** Parse dockerd's argv (argv[0] included) the way pflag reads the flags used here. */
export function parseDockerdArgs(argv: readonly string[]): DockerdArgs {
  const bools: Partial<Record<BoolFlag, { value: boolean | null; raw: string }>> = {};
  const hosts: string[] = [];
  const defaultUlimits: string[] = [];
  let configFile: string | null = null;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    // -H value, -H=value, -Hvalue
    if (arg.startsWith('-H') && !arg.startsWith('--')) {
      const rest = arg.slice(2);
      const value = rest === '' ? args[++i] : rest.replace(/^=/, '');
      if (value !== undefined) hosts.push(value);
      continue;
    }
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const inline = eq >= 0 ? arg.slice(eq + 1) : null;
    const stringValue = (): string | undefined => inline ?? args[++i];
    if ((BOOL_FLAGS as readonly string[]).includes(name)) {
      bools[name as BoolFlag] = { value: inline === null ? true : parseGoBool(inline), raw: arg };
    } else if (name === 'host') {
      const v = stringValue();
      if (v !== undefined) hosts.push(v);
    } else if (name === 'default-ulimit') {
      const v = stringValue();
      if (v !== undefined) defaultUlimits.push(v);
    } else if (name === 'config-file') {
      configFile = stringValue() ?? null;
    }
  }
  return { bools, hosts, defaultUlimits, configFile };
}

/** `nofile=1024:2048` or `nproc=512` → a Ulimit; null when malformed. */
export function parseUlimitFlag(text: string): Ulimit | null {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(text.trim());
  if (m === null) return null;
  const soft = Number(m[2]);
  return { name: m[1] ?? '', soft, hard: m[3] !== undefined ? Number(m[3]) : soft };
}

/** What was found at daemon.json's path. */
export type DaemonJson =
  | { readonly kind: 'absent' }
  | { readonly kind: 'read'; readonly value: unknown }
  | { readonly kind: 'error'; readonly message: string };

/** Everything decideEngineFacts needs, read from the host (or written by a test). */
export interface DaemonProcessFacts {
  readonly pid: number;
  /** How the process was tied to the engine's socket, for evidence. */
  readonly foundBy: string;
  readonly argv: readonly string[];
  /** Its environment, or null when unreadable. */
  readonly env: Readonly<Record<string, string>> | null;
  /** daemon.json's path as dockerd sees it, or null when it cannot be told (rootless without HOME). */
  readonly configPath: string | null;
  readonly config: DaemonJson;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** TCP when the scheme is tcp:// or there is none (`-H 0.0.0.0:2375`), as dockerd's ParseHost reads it. */
function hostScheme(host: string): 'unix' | 'tcp' | 'fd' | 'npipe' | 'ssh' | 'other' {
  const m = /^([a-z]+):\/\//.exec(host.trim());
  if (m === null) return host.trim() === '' ? 'unix' : 'tcp';
  const scheme = m[1] ?? '';
  return scheme === 'unix' || scheme === 'tcp' || scheme === 'fd' || scheme === 'npipe' || scheme === 'ssh'
    ? scheme
    : 'other';
}

/**
 * Decide the facts from what was read (pure).
 *
 * Each fact: the command-line flag, else the daemon.json key, else dockerd's default — but only when
 * daemon.json could be read (or is absent: dockerd then runs on its defaults); otherwise a fact not set on
 * the command line is undecided.
 */
export function decideEngineFacts(p: DaemonProcessFacts): DecidedEngineFactsReport {
  const args = parseDockerdArgs(p.argv);
  const notes: string[] = [];
  const cmdField = `dockerd command line (PID ${p.pid}, ${p.foundBy})`;
  const jsonPath = p.configPath ?? 'daemon.json';
  let json: Record<string, unknown> | null = null;
  let jsonUsable = true;
  let jsonState: string;
  switch (p.config.kind) {
    case 'absent':
      json = {};
      jsonState = 'absent: dockerd runs on its defaults';
      break;
    case 'read':
      if (isRecord(p.config.value)) {
        json = p.config.value;
        jsonState = 'read';
      } else {
        jsonUsable = false;
        jsonState = 'not a JSON object';
        notes.push(`${jsonPath} is not a JSON object: the facts it could set are undecided.`);
      }
      break;
    case 'error':
      jsonUsable = false;
      jsonState = `unreadable (${p.config.message})`;
      notes.push(
        `${jsonPath} could not be read (${p.config.message}): the facts it could set are undecided.`,
      );
      break;
  }
  const ev = (field: string, value: string): Evidence => ({ source: 'host', field, value });

  const evidence: Partial<Record<keyof DecidedEngineFacts, Evidence[]>> = {};
  const facts: {
    -readonly [K in keyof DecidedEngineFacts]: DecidedEngineFacts[K];
  } = {};

  const decideBool = (
    fact: 'icc' | 'userlandProxy' | 'iptables' | 'noNewPrivilegesDefault',
    flag: BoolFlag,
    fallback: boolean,
  ): void => {
    const list: Evidence[] = [];
    evidence[fact] = list;
    const f = args.bools[flag];
    if (f !== undefined) {
      list.push(ev(cmdField, f.raw));
      if (f.value === null) notes.push(`${f.raw}: not a boolean; ${flag} is undecided.`);
      facts[fact] = f.value;
      return;
    }
    list.push(ev(cmdField, `(no --${flag})`));
    if (!jsonUsable || json === null) {
      list.push(ev(jsonPath, jsonState));
      facts[fact] = null;
      return;
    }
    const v = json[flag];
    if (v === undefined) {
      list.push(
        ev(jsonPath, p.config.kind === 'absent' ? jsonState : `(no "${flag}")`),
        ev('dockerd default', `${flag}=${fallback}`),
      );
      facts[fact] = fallback;
    } else if (typeof v === 'boolean') {
      list.push(ev(`${jsonPath} "${flag}"`, String(v)));
      facts[fact] = v;
    } else {
      list.push(ev(`${jsonPath} "${flag}"`, JSON.stringify(v)));
      notes.push(`${jsonPath} "${flag}" is not a boolean; undecided.`);
      facts[fact] = null;
    }
  };
  decideBool('icc', 'icc', true);
  decideBool('userlandProxy', 'userland-proxy', true);
  decideBool('iptables', 'iptables', true);
  decideBool('noNewPrivilegesDefault', 'no-new-privileges', false);

  // Default ulimits: the flags and the daemon.json map add up (dockerd merges them, refusing duplicates).
  {
    const list: Evidence[] = [];
    evidence.defaultUlimits = list;
    const fromFlags: Ulimit[] = [];
    let bad = false;
    for (const text of args.defaultUlimits) {
      const u = parseUlimitFlag(text);
      list.push(ev(cmdField, `--default-ulimit ${text}`));
      if (u === null) bad = true;
      else fromFlags.push(u);
    }
    if (args.defaultUlimits.length === 0) list.push(ev(cmdField, '(no --default-ulimit)'));
    if (!jsonUsable || json === null) {
      list.push(ev(jsonPath, jsonState));
      facts.defaultUlimits = fromFlags.length > 0 && !bad ? fromFlags : null;
    } else {
      const v = json['default-ulimits'];
      const fromJson: Ulimit[] = [];
      if (v === undefined) {
        list.push(ev(jsonPath, p.config.kind === 'absent' ? jsonState : '(no "default-ulimits")'));
      } else if (isRecord(v)) {
        for (const [name, entry] of Object.entries(v)) {
          if (isRecord(entry) && typeof entry.Soft === 'number' && typeof entry.Hard === 'number') {
            fromJson.push({
              name: typeof entry.Name === 'string' ? entry.Name : name,
              soft: entry.Soft,
              hard: entry.Hard,
            });
          } else bad = true;
        }
        list.push(ev(`${jsonPath} "default-ulimits"`, JSON.stringify(v)));
      } else {
        bad = true;
        list.push(ev(`${jsonPath} "default-ulimits"`, JSON.stringify(v)));
      }
      if (bad) notes.push('A default ulimit could not be parsed; default-ulimits is undecided.');
      facts.defaultUlimits = bad ? null : [...fromFlags, ...fromJson];
    }
  }

  // TCP without TLS: the hosts dockerd listens on, and whether TLS is on.
  {
    const list: Evidence[] = [];
    evidence.tcpWithoutTls = list;
    const jsonHosts =
      json !== null && Array.isArray(json.hosts)
        ? json.hosts.filter((h): h is string => typeof h === 'string')
        : [];
    const hosts = [...args.hosts, ...jsonHosts];
    const hostsKnown = jsonUsable || args.hosts.length > 0;
    list.push(
      ev(cmdField, args.hosts.length > 0 ? args.hosts.map((h) => `-H ${h}`).join(' ') : '(no -H/--host)'),
    );
    if (jsonUsable && json !== null && jsonHosts.length > 0)
      list.push(ev(`${jsonPath} "hosts"`, JSON.stringify(jsonHosts)));
    const tlsFlag = args.bools.tls?.value === true || args.bools.tlsverify?.value === true;
    const tlsJson = json !== null && (json.tls === true || json.tlsverify === true);
    const tlsEnv = p.env !== null && (p.env.DOCKER_TLS_VERIFY ?? '') !== '';
    const tls = tlsFlag || tlsJson || tlsEnv;
    if (tlsFlag) list.push(ev(cmdField, args.bools.tlsverify?.raw ?? args.bools.tls?.raw ?? '--tls'));
    if (tlsJson) list.push(ev(`${jsonPath} "tls"/"tlsverify"`, 'true'));
    if (tlsEnv) list.push(ev(`dockerd environment (PID ${p.pid})`, 'DOCKER_TLS_VERIFY set'));
    const schemes = (hosts.length > 0 ? hosts : [`unix://${DEFAULT_SOCKET}`]).map(hostScheme);
    if (schemes.includes('tcp')) {
      facts.tcpWithoutTls = !tls;
      if (!tls) list.push(ev('TLS', 'no --tls/--tlsverify, no "tls"/"tlsverify", no DOCKER_TLS_VERIFY'));
    } else if (!hostsKnown) {
      facts.tcpWithoutTls = null;
      list.push(ev(jsonPath, jsonState));
    } else if (schemes.includes('fd') || schemes.includes('other')) {
      // Socket activation (fd://): the sockets are defined by the service manager, not by dockerd.
      facts.tcpWithoutTls = null;
      notes.push(
        'dockerd takes its sockets from the service manager (fd://); whether one is TCP is not decided here.',
      );
    } else {
      facts.tcpWithoutTls = false;
      if (hosts.length === 0) list.push(ev('dockerd default', `listens on unix://${DEFAULT_SOCKET} only`));
    }
  }
  return { facts, evidence, notes };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the host
// ---------------------------------------------------------------------------------------------------------

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : 'UNKNOWN';
}

/** The facts when the daemon could not be found or read: everything undecided, with the reason. */
export function undecided(note: string): DecidedEngineFactsReport {
  return { facts: {}, evidence: {}, notes: [note] };
}

async function realpathOr(fs: DaemonFs, path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch {
    return path;
  }
}

/** Inodes of the unix sockets bound to `socketPath` in the network namespace of `pid`. */
async function socketInodes(
  fs: DaemonFs,
  root: string,
  pid: number,
  socketPath: string,
): Promise<Set<string>> {
  const inodes = new Set<string>();
  let text: string;
  try {
    text = await fs.readFile(`${root}/${pid}/net/unix`);
  } catch {
    return inodes;
  }
  const real = await realpathOr(fs, socketPath);
  const base = socketPath.slice(socketPath.lastIndexOf('/') + 1);
  for (const line of text.split('\n').slice(1)) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 8) continue;
    const path = parts.slice(7).join(' ');
    const inode = parts[6] ?? '';
    if (path === socketPath || path === real) inodes.add(inode);
    else if (path.endsWith(`/${base}`) && (await realpathOr(fs, path)) === real) inodes.add(inode);
  }
  return inodes;
}

async function holdsSocket(fs: DaemonFs, root: string, pid: number, inodes: Set<string>): Promise<boolean> {
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = await fs.readdir(`${root}/${pid}/fd`);
  } catch {
    return false;
  }
  const links = await Promise.all(fds.map((fd) => fs.readlink(`${root}/${pid}/fd/${fd}`).catch(() => '')));
  return links.some((l) => {
    const m = /^socket:\[(\d+)\]$/.exec(l);
    return m !== null && inodes.has(m[1] ?? '');
  });
}

function splitNul(text: string): string[] {
  const parts = text.split('\u0000');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The dockerd serving `socketPath` on this host: the one holding a socket bound to that path (its fds against
 * its network namespace's /proc/<pid>/net/unix), else the one whose -H flags (or default) name the path.
 */
export async function findDaemon(
  socketPath: string,
  options: DaemonConfigOptions = {},
): Promise<{ pid: number; foundBy: string } | { error: string }> {
  const fs = options.fs ?? nodeDaemonFs;
  const root = options.procRoot ?? '/proc';
  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch (e) {
    return { error: `${root} could not be listed (${errnoOf(e)})` };
  }
  const pids = entries.filter((n) => /^\d+$/.test(n)).map(Number);
  const comms = await Promise.all(
    pids.map((pid) =>
      fs.readFile(`${root}/${pid}/comm`).then(
        (c) => c.trim(),
        () => '',
      ),
    ),
  );
  const candidates = pids.filter((_, i) => comms[i] === 'dockerd');
  if (candidates.length === 0) return { error: 'no dockerd process is visible on this host' };
  for (const pid of candidates) {
    if (await holdsSocket(fs, root, pid, await socketInodes(fs, root, pid, socketPath)))
      return { pid, foundBy: `holds ${socketPath}` };
  }
  const real = await realpathOr(fs, socketPath);
  for (const pid of candidates) {
    let argv: string[];
    try {
      argv = splitNul(await fs.readFile(`${root}/${pid}/cmdline`));
    } catch {
      continue;
    }
    const hosts = parseDockerdArgs(argv).hosts;
    const paths =
      hosts.length > 0
        ? hosts.filter((h) => h.startsWith('unix://')).map((h) => h.slice(7))
        : [DEFAULT_SOCKET];
    for (const path of paths) {
      if (path === socketPath || (await realpathOr(fs, path)) === real)
        return { pid, foundBy: `its -H flags name ${socketPath}` };
    }
  }
  return {
    error: `none of the ${candidates.length} dockerd process(es) on this host serves ${socketPath}`,
  };
}

async function readDaemonProcess(
  fs: DaemonFs,
  root: string,
  found: { pid: number; foundBy: string },
): Promise<DaemonProcessFacts | { error: string }> {
  const { pid } = found;
  let argv: string[];
  try {
    argv = splitNul(await fs.readFile(`${root}/${pid}/cmdline`));
  } catch (e) {
    return { error: `${root}/${pid}/cmdline could not be read (${errnoOf(e)})` };
  }
  if (argv.length === 0) return { error: `dockerd (PID ${pid}) has exited` };
  let env: Record<string, string> | null;
  try {
    const vars: Record<string, string> = {};
    for (const kv of splitNul(await fs.readFile(`${root}/${pid}/environ`))) {
      const eq = kv.indexOf('=');
      if (eq > 0) vars[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    env = vars;
  } catch {
    env = null;
  }
  const args = parseDockerdArgs(argv);
  let configPath: string | null = args.configFile;
  if (configPath === null) {
    let uid: number | null;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(await fs.readFile(`${root}/${pid}/status`));
      uid = m === null ? null : Number(m[1]);
    } catch {
      uid = null;
    }
    if (uid === 0) configPath = DEFAULT_DAEMON_JSON;
    else if (env !== null && (env.XDG_CONFIG_HOME ?? env.HOME) !== undefined)
      // Rootless dockerd reads $XDG_CONFIG_HOME/docker/daemon.json (default ~/.config).
      configPath = `${env.XDG_CONFIG_HOME ?? `${env.HOME}/.config`}/docker/daemon.json`;
  }
  let config: DaemonJson;
  if (configPath === null) {
    config = { kind: 'error', message: 'its location is unknown (rootless dockerd, environment unreadable)' };
  } else {
    try {
      const text = await fs.readFile(`${root}/${pid}/root${configPath}`);
      try {
        config = { kind: 'read', value: JSON.parse(text) as unknown };
      } catch (e) {
        config = { kind: 'error', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
      }
    } catch (e) {
      const errno = errnoOf(e);
      config = errno === 'ENOENT' ? { kind: 'absent' } : { kind: 'error', message: errno };
    }
  }
  return { pid, foundBy: found.foundBy, argv, env, configPath, config };
}

/** Decide the engine facts for the local dockerd serving `socketPath`. Never throws. */
export async function readDaemonFacts(
  socketPath: string,
  options: DaemonConfigOptions = {},
): Promise<DecidedEngineFactsReport> {
  const fs = options.fs ?? nodeDaemonFs;
  const root = options.procRoot ?? '/proc';
  const found = await findDaemon(socketPath, options);
  if ('error' in found) return undecided(`The engine's own settings were not read: ${found.error}.`);
  const proc = await readDaemonProcess(fs, root, found);
  if ('error' in proc) return undecided(`The engine's own settings were not read: ${proc.error}.`);
  return decideEngineFacts(proc);
}
