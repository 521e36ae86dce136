import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import type { ProcFs } from '../../../electron/adapters/host/proc-evidence.js';
import { readHostLsms, readKernelEvidence } from '../../../electron/adapters/host/proc-evidence.js';
import { mapEngineFacts, parseEngineSecurityOption } from '../../../shared/domain/posture/engine-facts.js';
import { buildHostFacts } from '../../../shared/domain/posture/evaluate.js';
import { mapInspect } from '../../../shared/domain/posture/map-inspect.js';
import type {
  ContainerSnapshot,
  EngineFacts,
  HostFacts,
  KernelEvidence,
} from '../../../shared/domain/posture/model.js';

/**
 * The posture fixtures recorded by test/support/record-posture-fixtures.sh from real containers on a real
 * dockerd, and a ProcFs that serves them as if they were /proc and /sys — so the tests run the real adapter
 * (readKernelEvidence, readHostLsms) over what the kernel really answered, errors included.
 */

export const FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/posture');

interface Manifest {
  readonly engine: string;
  readonly fixtures: readonly {
    readonly name: string;
    readonly options: string;
    readonly started: boolean;
  }[];
}

export const MANIFEST = JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as Manifest;

/** Names of the recorded containers. */
export type FixtureName =
  | 'default'
  | 'privileged'
  | 'cap-add-all'
  | 'sys-admin-unconfined'
  | 'docker-sock-host-ns'
  | 'hardened'
  | 'published-apparmor-unconfined'
  | 'drop-net-raw'
  | 'etc-ro';

/** The recorded inspect document, parsed fresh each time (tests mutate copies). */
export function loadInspect(name: FixtureName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name, 'inspect.json'), 'utf8')) as Record<string, unknown>;
}

/** An errno-carrying error like the ones node:fs throws. */
export function errnoError(code: string, message = code): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = code;
  return e;
}

/** A recorded kernel file: its text, or the recorded errno thrown again. */
function recorded(dir: string, file: string): string {
  const txt = join(dir, `${file}.txt`);
  if (existsSync(txt)) return readFileSync(txt, 'utf8');
  const err = join(dir, `${file}.error.json`);
  if (existsSync(err)) {
    const { code, message } = JSON.parse(readFileSync(err, 'utf8')) as { code: string; message: string };
    throw errnoError(code, message);
  }
  throw errnoError('ENOENT', `not recorded: ${dir}/${file}`);
}

/** A replacement for one recorded file: new text, a function of the recorded text, or an errno to throw. */
export type FileOverride = string | ((recorded: string) => string) | { readonly errno: string };

/** Replacements for recorded files, keyed by fixture file name (`proc-status`, `uid_map`, `attr-current`, `ns-pid`, host `lsm`). */
export type Overrides = Partial<
  Record<'proc-status' | 'uid_map' | 'attr-current' | 'ns-pid' | 'lsm', FileOverride>
>;

function apply(override: FileOverride | undefined, read: () => string): string {
  if (override === undefined) return read();
  if (typeof override === 'string') return override;
  if (typeof override === 'function') return override(read());
  throw errnoError(override.errno, `${override.errno} (simulated)`);
}

/**
 * A ProcFs over the recorded files of one container (at its recorded State.Pid) and of the host, with
 * optional replacements. Paths that were not recorded answer ENOENT, as a vanished process would.
 */
export function recordedProcFs(name: FixtureName | null, overrides: Overrides = {}): ProcFs {
  const host = join(FIXTURE_DIR, 'host');
  const dir = name === null ? null : join(FIXTURE_DIR, name);
  const pid = name === null ? -1 : Number((loadInspect(name).State as { Pid: number }).Pid);
  const serve = (path: string): string => {
    if (path === '/sys/kernel/security/lsm') return apply(overrides.lsm, () => recorded(host, 'lsm'));
    if (path === '/proc/self/ns/pid') return recorded(host, 'ns-pid').trim();
    if (dir !== null) {
      const files: Record<string, 'proc-status' | 'uid_map' | 'attr-current' | 'ns-pid'> = {
        [`/proc/${pid}/status`]: 'proc-status',
        [`/proc/${pid}/uid_map`]: 'uid_map',
        [`/proc/${pid}/attr/current`]: 'attr-current',
        [`/proc/${pid}/ns/pid`]: 'ns-pid',
      };
      const file = files[path];
      if (file !== undefined) return apply(overrides[file], () => recorded(dir, file));
    }
    throw errnoError('ENOENT', `no such file: ${path}`);
  };
  return {
    readFile: (path) => Promise.resolve().then(() => serve(path)),
    readlink: (path) => Promise.resolve().then(() => serve(path).trim()),
    readdir: (path) => Promise.reject(errnoError('ENOENT', `no directory listing recorded: ${path}`)),
  };
}

/** The recorded kernel evidence of a running fixture, read through the real adapter; null when it never ran. */
export async function loadKernel(
  name: FixtureName,
  overrides: Overrides = {},
): Promise<KernelEvidence | null> {
  const inspect = loadInspect(name);
  const pid = Number((inspect.State as { Pid: number }).Pid);
  if (pid <= 0) return null;
  return readKernelEvidence(pid, { fs: recordedProcFs(name, overrides) });
}

/** The recorded engine facts (docker info + version). */
export function loadEngineFacts(): EngineFacts {
  const info: unknown = JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-info.json'), 'utf8'));
  const version: unknown = JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-version.json'), 'utf8'));
  const mapped = mapEngineFacts(info, version);
  if (!mapped.ok) throw new Error(`recorded engine facts do not map: ${mapped.problems.join('; ')}`);
  return mapped.facts;
}

/** The recorded host as a local engine sees it (LSM file, own PID namespace, engine security options). */
export async function loadLocalHost(
  opts: { readonly lsm?: FileOverride; readonly securityOptions?: readonly string[] } = {},
): Promise<HostFacts> {
  const fs = recordedProcFs(null, opts.lsm === undefined ? {} : { lsm: opts.lsm });
  const lsms = await readHostLsms({ fs });
  const pidNamespace = (await fs.readlink('/proc/self/ns/pid')).trim();
  return buildHostFacts(engineWith(opts.securityOptions), { lsms, pidNamespace });
}

/** The recorded host as a remote client sees it: engine facts only (security options replaceable). */
export function loadRemoteHost(opts: { readonly securityOptions?: readonly string[] } = {}): HostFacts {
  return buildHostFacts(engineWith(opts.securityOptions), null);
}

function engineWith(securityOptions: readonly string[] | undefined): EngineFacts {
  const facts = loadEngineFacts();
  return securityOptions === undefined
    ? facts
    : { ...facts, securityOptions: securityOptions.map(parseEngineSecurityOption) };
}

/** A fixture's snapshot without kernel evidence (throws if it does not map: the fixtures are known good). */
export function loadSnapshot(name: FixtureName): ContainerSnapshot {
  const mapped = mapInspect(loadInspect(name));
  if (!mapped.ok) throw new Error(`fixture ${name} does not map: ${mapped.problems.join('; ')}`);
  return mapped.snapshot;
}
