import type { ContainerId } from '../ids.js';

/**
 * The isolation-posture model: plain data in (a container snapshot mapped from `docker inspect`, kernel
 * evidence from /proc, facts about the host and the engine), findings out.
 *
 * Everything here is serialisable data (no classes, no bigint) so it can cross IPC and the WebSocket unchanged.
 */

/** How bad a failed rule is. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
/** One of SEVERITIES. */
export type Severity = (typeof SEVERITIES)[number];

/**
 * A rule's verdict for one container or one engine.
 *
 * `na` means the check does not apply here (e.g. AppArmor on a host without AppArmor); `info` means there is
 * something to read but no verdict (e.g. a fact the engine does not report). Neither counts in the score.
 */
export const FINDING_STATUSES = ['pass', 'warn', 'fail', 'info', 'na'] as const;
/** One of FINDING_STATUSES. */
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Where a piece of evidence was read: the inspect document, /proc, the engine's info/version, the host. */
export type EvidenceSource = 'inspect' | 'proc' | 'engine' | 'host';

/** One value a rule read, e.g. `{ source: 'proc', field: '/proc/1234/status Seccomp', value: '2' }`. */
export interface Evidence {
  readonly source: EvidenceSource;
  /** A JSON path into the inspect document (`HostConfig.Privileged`) or a file and key. */
  readonly field: string;
  readonly value: string;
}

/** How to fix a finding: the `docker run` flag and the compose key. */
export interface Remediation {
  readonly flag: string;
  readonly compose: string;
}

/**
 * Whether a verdict rests on what the kernel reports for the running process (`kernel`) or on the engine's
 * configuration only (a remote engine, a stopped container, an unreadable /proc file, or a setting the
 * kernel does not expose).
 */
export type EvidenceKind = 'kernel' | 'configuration-only';

/** One rule's result for one container (or for the engine). */
export interface Finding {
  readonly ruleId: string;
  /** CIS Docker Benchmark v1.6.0 recommendation number, e.g. `5.5`; null for checks CIS does not have. */
  readonly cisId: string | null;
  readonly title: string;
  readonly severity: Severity;
  readonly status: FindingStatus;
  /** One or two sentences for a person: what was found, in this container's terms. */
  readonly message: string;
  /** Why the rule exists. */
  readonly rationale: string;
  readonly evidence: readonly Evidence[];
  readonly remediation: Remediation;
  readonly evidenceKind: EvidenceKind;
}

// ---------------------------------------------------------------------------------------------------------
// Kernel evidence
// ---------------------------------------------------------------------------------------------------------

/** Why a kernel file could not be used. */
export type KernelReadErrorCode =
  /** EACCES/EPERM: the reader may not look (e.g. not root, or a hardened /proc). */
  | 'permission-denied'
  /** ENOENT/ESRCH: the process exited (or, for a host file, the file does not exist). */
  | 'process-gone'
  /** EINVAL/EOPNOTSUPP: the kernel has no such interface here (e.g. attr/current without an LSM). */
  | 'not-supported'
  /** Read, but not in the expected format. */
  | 'unparseable'
  /** Anything else. */
  | 'unreadable';

/** The result of reading one kernel file: its parsed value, or the reason it could not be used. */
export type KernelFile<T> =
  | { readonly ok: true; readonly path: string; readonly value: T }
  | {
      readonly ok: false;
      readonly path: string;
      readonly error: { readonly code: KernelReadErrorCode; readonly message: string };
    };

/** A capability bit mask as the kernel prints it, decoded. */
export interface CapabilitySet {
  /** The 16 hex digits from /proc/<pid>/status. */
  readonly hex: string;
  /** `CAP_*` names of the set bits, in bit order. */
  readonly names: readonly string[];
  /** Set bits above the last capability this code knows (CAP_CHECKPOINT_RESTORE = 40). */
  readonly unknownBits: readonly number[];
}

/** The fields of /proc/<pid>/status that matter for isolation. Null where the kernel did not print the line. */
export interface ProcStatus {
  readonly name: string | null;
  readonly pid: number | null;
  /** Real, effective, saved and filesystem uid. */
  readonly uid: readonly [number, number, number, number] | null;
  /** 0 disabled, 1 strict, 2 filter. */
  readonly seccompMode: 0 | 1 | 2 | null;
  /** Number of seccomp filters attached (kernel 5.9+). */
  readonly seccompFilters: number | null;
  readonly noNewPrivs: boolean | null;
  readonly capInh: CapabilitySet | null;
  readonly capPrm: CapabilitySet | null;
  readonly capEff: CapabilitySet | null;
  readonly capBnd: CapabilitySet | null;
  readonly capAmb: CapabilitySet | null;
}

/** One line of /proc/<pid>/uid_map: `inside outside count`. */
export interface IdMapRange {
  readonly inside: number;
  readonly outside: number;
  readonly count: number;
}

/** The security label from /proc/<pid>/attr/current. */
export interface LsmLabel {
  readonly raw: string;
  /** `apparmor` for `profile (mode)` or `unconfined`; `selinux` for `user:role:type:level`. */
  readonly lsm: 'apparmor' | 'selinux' | 'unknown';
  /** The AppArmor profile or the SELinux type (e.g. `docker-default`, `container_t`). */
  readonly profile: string;
  /** AppArmor mode (`enforce`, `complain`, …) when printed. */
  readonly mode: string | null;
  /** True for AppArmor `unconfined` and for SELinux `spc_t` / `unconfined_t`. */
  readonly unconfined: boolean;
}

/** What the kernel says about a container's init process (State.Pid) on a local engine. */
export interface KernelEvidence {
  /** The host PID that was read. */
  readonly pid: number;
  readonly status: KernelFile<ProcStatus>;
  readonly uidMap: KernelFile<readonly IdMapRange[]>;
  readonly attrCurrent: KernelFile<LsmLabel>;
  /** The PID namespace link target, e.g. `pid:[4026532251]`. */
  readonly pidNamespace: KernelFile<string>;
}

/** A process seen inside a container. */
export interface ProcessInfo {
  /** Host PID. */
  readonly pid: number;
  /** /proc/<pid>/comm (at most 15 characters). */
  readonly comm: string;
  /** /proc/<pid>/cmdline split at NUL; may be empty for kernel threads or unreadable entries. */
  readonly args: readonly string[];
}

/**
 * The processes that belong to a container.
 *
 * `pid-namespace`: every process whose /proc/<pid>/ns/pid equals the container init's — only meaningful when
 * the container has its own PID namespace. `cgroup`: processes in the init's cgroup (used for `--pid host`,
 * so the host's processes are never attributed to the container). `engine-top`: the engine's `top` endpoint.
 */
export interface ProcessList {
  readonly source: 'proc' | 'engine';
  readonly scope: 'pid-namespace' | 'cgroup' | 'engine-top';
  readonly items: readonly ProcessInfo[];
  /** True when the scan stopped at its bound; the list is then a prefix. */
  readonly truncated: boolean;
}

/** One `docker exec` session as the engine's exec inspect reports it. */
export interface ExecInfo {
  readonly id: string;
  readonly privileged: boolean;
  /** `''` means the container's user. */
  readonly user: string;
  readonly running: boolean;
  readonly command: string;
}

// ---------------------------------------------------------------------------------------------------------
// Container snapshot
// ---------------------------------------------------------------------------------------------------------

/** The seccomp setting from SecurityOpt. Absent means the engine's default profile. */
export type SeccompSetting =
  | { readonly kind: 'default' }
  | { readonly kind: 'unconfined' }
  /** A profile passed as JSON (the CLI inlines the file) or a name; `detail` summarises it. */
  | { readonly kind: 'custom'; readonly detail: string };

/** The AppArmor setting from SecurityOpt. Absent means the engine's default (`docker-default`). */
export type AppArmorSetting =
  | { readonly kind: 'default' }
  | { readonly kind: 'unconfined' }
  | { readonly kind: 'profile'; readonly name: string };

/** HostConfig.SecurityOpt, parsed. Both `key=value` and the legacy `key:value` forms are understood. */
export interface SecurityOptions {
  readonly raw: readonly string[];
  readonly seccomp: SeccompSetting;
  readonly apparmor: AppArmorSetting;
  /** `label=disable` turns SELinux confinement off; `options` holds `user:…`, `role:…`, `type:…`, `level:…`. */
  readonly label: { readonly disabled: boolean; readonly options: readonly string[] };
  readonly noNewPrivileges: boolean;
  /** `systempaths=unconfined`: /proc and /sys paths are no longer masked or read-only. */
  readonly systempathsUnconfined: boolean;
  /** Entries this parser does not know. */
  readonly unrecognized: readonly string[];
}

/**
 * A namespace mode as HostConfig spells it.
 *
 * `private` covers the empty default; `bridge` is the default bridge (docker0) for the network; `network` is a
 * user-defined network (name in `target`); `container` joins another container (id or name in `target`).
 */
export interface NamespaceMode {
  readonly raw: string;
  readonly kind: 'private' | 'shareable' | 'host' | 'container' | 'none' | 'bridge' | 'network';
  readonly target: string | null;
}

/** The namespace modes; null where the engine did not report the field (e.g. CgroupnsMode before API 1.41). */
export interface Namespaces {
  readonly network: NamespaceMode | null;
  readonly pid: NamespaceMode | null;
  readonly ipc: NamespaceMode | null;
  readonly uts: NamespaceMode | null;
  readonly user: NamespaceMode | null;
  readonly cgroup: NamespaceMode | null;
}

/** One entry of the inspect document's `Mounts`. */
export interface MountInfo {
  /** `bind`, `volume`, `tmpfs`, `npipe`, … */
  readonly type: string;
  /** Host path for binds; the volume's data directory for volumes; empty for tmpfs. */
  readonly source: string;
  readonly destination: string;
  readonly rw: boolean;
  readonly mode: string;
  /** `rprivate`, `private`, `shared`, `rshared`, `slave`, `rslave`, or empty. */
  readonly propagation: string;
}

/** One entry of HostConfig.Devices (`--device`). */
export interface DeviceMapping {
  readonly pathOnHost: string;
  readonly pathInContainer: string;
  readonly cgroupPermissions: string;
}

/** One ulimit (`--ulimit nofile=1024:4096`); -1 means unlimited. */
export interface Ulimit {
  readonly name: string;
  readonly soft: number;
  readonly hard: number;
}

/** One published port: container port (`80/tcp`) → host address and port. */
export interface PortBinding {
  readonly containerPort: string;
  /** `''` and `0.0.0.0` / `::` mean every host interface. */
  readonly hostIp: string;
  readonly hostPort: string;
}

/** The resource limits that matter for containment; null where the field was missing or malformed. */
export interface ResourceLimits {
  /** Bytes; 0 = unlimited. */
  readonly memory: number | null;
  /** Billionths of a CPU (`--cpus 0.5` → 500000000); 0 = unlimited. */
  readonly nanoCpus: number | null;
  /** Relative weight; 0 (or 1024) = the default. */
  readonly cpuShares: number | null;
  readonly cpuQuota: number | null;
  readonly cpuPeriod: number | null;
  readonly cpusetCpus: string | null;
  /** null, 0 or -1 = unlimited. */
  readonly pidsLimit: number | null;
}

/** A container as the posture rules see it: plain data mapped from `docker inspect`, plus evidence. */
export interface ContainerSnapshot {
  readonly id: ContainerId;
  /** Without the leading slash. */
  readonly name: string;
  /** The image reference from Config.Image. */
  readonly image: string;
  readonly imageId: string;
  /** State.Status, e.g. `running`, `created`, `exited`. */
  readonly state: string;
  readonly running: boolean;
  /** State.Pid: host PID of the init process while running, else 0. */
  readonly pid: number;

  readonly privileged: boolean | null;
  /** As configured (daemon-normalised: `CAP_SYS_ADMIN`, `ALL`). */
  readonly capAdd: readonly string[] | null;
  readonly capDrop: readonly string[] | null;
  readonly securityOptions: SecurityOptions | null;
  /** The top-level AppArmorProfile (`docker-default`, `unconfined`, or empty on hosts without AppArmor). */
  readonly appArmorProfile: string | null;
  /** The top-level ProcessLabel (SELinux), empty without SELinux. */
  readonly processLabel: string | null;
  readonly namespaces: Namespaces;
  readonly mounts: readonly MountInfo[] | null;
  readonly devices: readonly DeviceMapping[] | null;
  readonly deviceCgroupRules: readonly string[] | null;
  readonly ulimits: readonly Ulimit[] | null;
  readonly resources: ResourceLimits;
  readonly readonlyRootfs: boolean | null;
  readonly portBindings: readonly PortBinding[] | null;
  readonly publishAllPorts: boolean | null;
  readonly restartPolicy: { readonly name: string; readonly maximumRetryCount: number } | null;
  readonly cgroupParent: string | null;
  /** `configured` (a test other than NONE), `disabled` (Test: ["NONE"]) or `absent`. */
  readonly healthcheck: 'configured' | 'disabled' | 'absent' | null;
  /** Config.User; `''` means the image's default, root unless the image says otherwise. */
  readonly user: string | null;
  /** HostConfig.MaskedPaths; an empty list means nothing is masked (privileged or systempaths=unconfined). */
  readonly maskedPaths: readonly string[] | null;
  readonly readonlyPaths: readonly string[] | null;
  /** HostConfig.Runtime, e.g. `runc`, `runsc`. */
  readonly runtime: string | null;
  /** ExecIDs from the inspect document. */
  readonly execIds: readonly string[];

  /** Kernel evidence for the init process (local engine, running container); null otherwise. */
  readonly kernel: KernelEvidence | null;
  /** Processes of this container, when known. */
  readonly processes: ProcessList | null;
  /** Exec sessions, when the caller inspected them; null when not gathered. */
  readonly execs: readonly ExecInfo[] | null;
}

// ---------------------------------------------------------------------------------------------------------
// Host and engine facts
// ---------------------------------------------------------------------------------------------------------

/** One entry of `docker info`'s SecurityOptions, e.g. `name=seccomp,profile=default` → name + options. */
export interface EngineSecurityOption {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
}

/** What the container rules need to know about the host the containers run on. */
export interface HostFacts {
  /** `kernel` for a local engine whose /proc can be read; `configuration-only` for a remote engine. */
  readonly evidenceKind: EvidenceKind;
  /** /sys/kernel/security/lsm, parsed (local engine); null for a remote engine. */
  readonly lsms: KernelFile<readonly string[]> | null;
  /** The engine's SecurityOptions (`docker info`): lists apparmor/selinux only when the engine uses them. */
  readonly engineSecurityOptions: readonly EngineSecurityOption[];
  /** The reader's own PID namespace (readlink /proc/self/ns/pid) on a local engine; null otherwise. */
  readonly pidNamespace: string | null;
}

/**
 * Facts about a Docker engine for the daemon rules.
 *
 * Most come from `docker info` and `docker version`. The ones the engine API does not expose (a TCP socket
 * without TLS, icc, the userland proxy, default ulimits, the daemon-wide no-new-privileges, iptables) are
 * inputs the adapter decides — from the daemon's command line or daemon.json on a local host — and null when
 * nobody could tell.
 */
export interface EngineFacts {
  /** Server version, e.g. `27.1.1` or `20.10.24+dfsg1`. */
  readonly version: string | null;
  readonly apiVersion: string | null;
  readonly os: string | null;
  readonly securityOptions: readonly EngineSecurityOption[];
  /** Plugins.Authorization; empty when none. */
  readonly authorizationPlugins: readonly string[] | null;
  readonly liveRestoreEnabled: boolean | null;
  readonly experimentalBuild: boolean | null;
  /** `1` or `2`. */
  readonly cgroupVersion: string | null;
  readonly cgroupDriver: string | null;
  readonly loggingDriver: string | null;
  /** Storage driver, e.g. `overlay2`, `aufs`. */
  readonly storageDriver: string | null;
  /** Debug mode (log level `debug`). */
  readonly debug: boolean | null;
  /** Swarm.LocalNodeState: `inactive`, `active`, `pending`, `error`, `locked`. */
  readonly swarmState: string | null;
  /** Registries the engine talks to without TLS verification (loopback excluded), null if not reported. */
  readonly insecureRegistries: readonly string[] | null;
  /** The engine's own Warnings. */
  readonly warnings: readonly string[];
  readonly tcpWithoutTls: boolean | null;
  readonly icc: boolean | null;
  readonly userlandProxy: boolean | null;
  readonly defaultUlimits: readonly Ulimit[] | null;
  readonly noNewPrivilegesDefault: boolean | null;
  readonly iptables: boolean | null;
}
