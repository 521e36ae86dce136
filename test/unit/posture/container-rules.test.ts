import { beforeAll, describe, expect, it } from 'vitest';

import { evaluatePosture } from '../../../shared/domain/posture/evaluate.js';
import { mapInspect, withEvidence } from '../../../shared/domain/posture/map-inspect.js';
import type {
  ExecInfo,
  Finding,
  FindingStatus,
  HostFacts,
  ProcessList,
} from '../../../shared/domain/posture/model.js';
import { CONTAINER_RULES } from '../../../shared/domain/posture/rules/index.js';
import { sensitiveReason } from '../../../shared/domain/posture/rules/sensitive-mounts.js';
import type { FixtureName, Overrides } from './fixtures.js';
import { loadInspect, loadKernel, loadLocalHost, loadRemoteHost, MANIFEST } from './fixtures.js';

// Table-driven tests per container rule, on the inspect documents and /proc files recorded from real
// containers (test/support/record-posture-fixtures.sh), and on mutated copies of them for the edge cases.

type HostName =
  | 'local' // the recorded host: no LSM, engine with seccomp only
  | 'remote'
  | 'apparmor-local' // /sys/kernel/security/lsm lists apparmor, the engine applies it
  | 'apparmor-remote' // only the engine's SecurityOptions say apparmor
  | 'apparmor-not-applied' // the host has AppArmor, the engine does not list it
  | 'selinux-local'
  | 'selinux-remote'
  | 'selinux-not-enabled' // the host has SELinux, dockerd runs without --selinux-enabled
  | 'unknown' // remote, the engine reported no security options at all
  | 'userns-local'
  | 'userns-remote'
  | 'no-seccomp-remote';

const hosts = {} as Record<HostName, HostFacts>;
beforeAll(async () => {
  const aa = ['name=apparmor', 'name=seccomp,profile=default'];
  const se = ['name=seccomp,profile=default', 'name=selinux'];
  hosts.local = await loadLocalHost();
  hosts.remote = loadRemoteHost();
  hosts['apparmor-local'] = await loadLocalHost({
    lsm: 'lockdown,capability,yama,apparmor',
    securityOptions: aa,
  });
  hosts['apparmor-remote'] = loadRemoteHost({ securityOptions: aa });
  hosts['apparmor-not-applied'] = await loadLocalHost({ lsm: 'capability,apparmor' });
  hosts['selinux-local'] = await loadLocalHost({ lsm: 'capability,selinux', securityOptions: se });
  hosts['selinux-remote'] = loadRemoteHost({ securityOptions: se });
  hosts['selinux-not-enabled'] = await loadLocalHost({ lsm: 'capability,selinux' });
  hosts.unknown = loadRemoteHost({ securityOptions: [] });
  hosts['userns-local'] = await loadLocalHost({
    securityOptions: ['name=seccomp,profile=default', 'name=userns'],
  });
  hosts['userns-remote'] = loadRemoteHost({
    securityOptions: ['name=seccomp,profile=default', 'name=userns'],
  });
  hosts['no-seccomp-remote'] = loadRemoteHost({ securityOptions: ['name=apparmor'] });
});

interface Case {
  readonly label: string;
  readonly fixture: FixtureName;
  readonly mutate?: (doc: Record<string, unknown>) => void;
  readonly host?: HostName;
  /** Replacements for recorded kernel files; `null` for no kernel evidence at all. Default: as recorded (local hosts). */
  readonly kernel?: Overrides | null;
  readonly processes?: ProcessList;
  readonly execs?: readonly ExecInfo[];
  readonly status: FindingStatus;
  readonly message?: RegExp;
  readonly kind?: 'kernel' | 'configuration-only';
  readonly evidence?: RegExp;
}

const hc = (doc: Record<string, unknown>): Record<string, unknown> =>
  doc.HostConfig as Record<string, unknown>;
const set =
  (field: string, value: unknown) =>
  (doc: Record<string, unknown>): void => {
    hc(doc)[field] = value;
  };
const mounts =
  (...m: { Type?: string; Source: string; Destination: string; RW?: boolean; Propagation?: string }[]) =>
  (doc: Record<string, unknown>): void => {
    doc.Mounts = m.map((x) => ({ Type: 'bind', Mode: '', RW: true, Propagation: 'rprivate', ...x }));
  };
const status = (replace: Record<string, string>) => (text: string) =>
  Object.entries(replace).reduce(
    (t, [key, value]) => t.replace(new RegExp(`^${key}:.*$`, 'm'), `${key}:\t${value}`),
    text,
  );
const proc = (pid: number, comm: string, ...args: string[]) => ({
  pid,
  comm,
  args: args.length > 0 ? args : [comm],
});
const exec = (over: Partial<ExecInfo>): ExecInfo => ({
  id: 'e'.repeat(64),
  privileged: false,
  user: '',
  running: false,
  command: 'sh',
  ...over,
});
const HOST_PID_NS = 'pid:[4026531836]';

const running = MANIFEST.fixtures.filter((f) => f.started).map((f) => f.name as FixtureName);
const allFixtures = MANIFEST.fixtures.map((f) => f.name as FixtureName);

const CASES: Record<string, readonly Case[]> = {
  'apparmor-profile': [
    ...allFixtures.map((fixture): Case => ({
      label: `${fixture} on a host without AppArmor`,
      fixture,
      status: 'na',
      message: /^AppArmor is not available on this host\./,
    })),
    {
      label: 'apparmor=unconfined on a host without AppArmor says so, still na',
      fixture: 'published-apparmor-unconfined',
      status: 'na',
      message: /configured unconfined; that is not a passing setting/,
    },
    {
      label: 'kernel label docker-default (enforce)',
      fixture: 'default',
      host: 'apparmor-local',
      kernel: { 'attr-current': 'docker-default (enforce)\n' },
      status: 'pass',
      kind: 'kernel',
      message: /docker-default \(enforce\)/,
    },
    {
      label: 'kernel label unconfined for apparmor=unconfined',
      fixture: 'published-apparmor-unconfined',
      host: 'apparmor-local',
      kernel: { 'attr-current': 'unconfined\n' },
      status: 'fail',
      kind: 'kernel',
    },
    {
      label: 'complain mode',
      fixture: 'default',
      host: 'apparmor-local',
      kernel: { 'attr-current': 'docker-default (complain)\n' },
      status: 'warn',
      message: /complain/,
    },
    {
      label: 'kernel unconfined although configured with the default: kernel wins',
      fixture: 'default',
      host: 'apparmor-local',
      mutate: (d) => void (d.AppArmorProfile = 'docker-default'),
      kernel: { 'attr-current': 'unconfined\n' },
      status: 'fail',
      kind: 'kernel',
      message: /kernel is trusted/,
    },
    {
      label: 'apparmor=unconfined, configuration only',
      fixture: 'published-apparmor-unconfined',
      host: 'apparmor-remote',
      status: 'fail',
      kind: 'configuration-only',
      message: /apparmor=unconfined/,
    },
    {
      label: 'privileged implies unconfined',
      fixture: 'privileged',
      host: 'apparmor-remote',
      status: 'fail',
      message: /Privileged/,
    },
    {
      label: 'profile recorded, configuration only',
      fixture: 'default',
      host: 'apparmor-remote',
      mutate: (d) => void (d.AppArmorProfile = 'docker-default'),
      status: 'pass',
      kind: 'configuration-only',
    },
    {
      label: 'no profile recorded',
      fixture: 'default',
      host: 'apparmor-remote',
      status: 'warn',
      message: /No AppArmor profile/,
    },
    {
      label: 'host has AppArmor, engine does not apply it',
      fixture: 'default',
      host: 'apparmor-not-applied',
      kernel: null,
      status: 'warn',
      message: /does not apply it/,
    },
    {
      label: 'nothing tells whether the host has AppArmor',
      fixture: 'default',
      host: 'unknown',
      status: 'info',
    },
    {
      label: 'SecurityOpt of the wrong type',
      fixture: 'default',
      mutate: set('SecurityOpt', 'apparmor=unconfined'),
      status: 'info',
      message: /did not report/,
    },
  ],
  'selinux-options': [
    ...allFixtures.map((fixture): Case => ({
      label: `${fixture} on a host without SELinux`,
      fixture,
      status: 'na',
      message: /^SELinux is not available on this host\./,
    })),
    {
      label: 'label=disable added by the engine for --pid host is named, still na',
      fixture: 'docker-sock-host-ns',
      status: 'na',
      message: /label=disable is set; it is not a passing setting/,
    },
    {
      label: 'kernel type container_t',
      fixture: 'default',
      host: 'selinux-local',
      kernel: { 'attr-current': 'system_u:system_r:container_t:s0:c12,c345\u0000' },
      status: 'pass',
      kind: 'kernel',
      message: /container_t/,
    },
    {
      label: 'kernel type spc_t for label=disable',
      fixture: 'docker-sock-host-ns',
      host: 'selinux-local',
      kernel: { 'attr-current': 'system_u:system_r:spc_t:s0\u0000' },
      status: 'fail',
      kind: 'kernel',
    },
    {
      label: 'label=disable, configuration only',
      fixture: 'docker-sock-host-ns',
      host: 'selinux-remote',
      status: 'fail',
      kind: 'configuration-only',
      message: /label=disable/,
    },
    {
      label: 'privileged implies label=disable',
      fixture: 'privileged',
      host: 'selinux-remote',
      status: 'fail',
    },
    {
      label: 'process label recorded',
      fixture: 'default',
      host: 'selinux-remote',
      mutate: (d) => void (d.ProcessLabel = 'system_u:system_r:container_t:s0:c1,c2'),
      status: 'pass',
    },
    { label: 'no process label', fixture: 'default', host: 'selinux-remote', status: 'warn' },
    {
      label: 'host has SELinux, dockerd not --selinux-enabled',
      fixture: 'default',
      host: 'selinux-not-enabled',
      kernel: null,
      status: 'warn',
      message: /--selinux-enabled/,
    },
  ],
  capabilities: [
    {
      label: "default: Docker's 14",
      fixture: 'default',
      status: 'pass',
      kind: 'kernel',
      message: /^14 capabilities, none beyond/,
    },
    { label: 'cap-drop NET_RAW', fixture: 'drop-net-raw', status: 'pass', message: /^13 capabilities/ },
    {
      label: 'cap-add SYS_ADMIN',
      fixture: 'sys-admin-unconfined',
      status: 'fail',
      kind: 'kernel',
      message: /SYS_ADMIN/,
    },
    {
      label: 'cap-add ALL: the kernel lacks 38–40 on this engine',
      fixture: 'cap-add-all',
      status: 'fail',
      kind: 'kernel',
      message:
        /^37 capabilities \(cap-add ALL\).*the kernel lacks PERFMON, BPF and CHECKPOINT_RESTORE; the kernel's set is used/,
      evidence: /CapBnd/,
    },
    {
      label: 'cap-drop ALL as uid 1000 with no_new_privs',
      fixture: 'hardened',
      status: 'pass',
      message: /^0 capabilities/,
    },
    {
      label: 'privileged, configuration only',
      fixture: 'privileged',
      status: 'fail',
      kind: 'configuration-only',
      message: /^41 capabilities \(privileged\)/,
    },
    {
      label: 'default, remote engine',
      fixture: 'default',
      host: 'remote',
      status: 'pass',
      kind: 'configuration-only',
    },
    {
      label: 'a harmless addition warns',
      fixture: 'default',
      host: 'remote',
      mutate: set('CapAdd', ['NET_BROADCAST']),
      status: 'warn',
      message: /NET_BROADCAST/,
    },
    {
      label: 'non-root with SYS_ADMIN in the bounding set and no no_new_privs: setuid can reach it',
      fixture: 'hardened',
      kernel: { 'proc-status': status({ CapBnd: '0000000000200000', NoNewPrivs: '0' }) },
      status: 'fail',
      kind: 'kernel',
      message: /SYS_ADMIN/,
    },
    {
      label: 'with no_new_privs only the permitted set counts',
      fixture: 'hardened',
      kernel: { 'proc-status': status({ CapBnd: '000001ffffffffff' }) },
      status: 'pass',
      kind: 'kernel',
    },
    {
      label: 'Privileged of the wrong type',
      fixture: 'default',
      mutate: set('Privileged', 'yes'),
      status: 'info',
    },
  ],
  privileged: [
    { label: 'privileged (created)', fixture: 'privileged', status: 'fail', kind: 'configuration-only' },
    ...running.map((fixture): Case => ({ label: fixture, fixture, status: 'pass' })),
    {
      label: 'privileged, running, kernel evidence',
      fixture: 'default',
      mutate: set('Privileged', true),
      kernel: {
        'proc-status': status({
          CapEff: '000001ffffffffff',
          CapBnd: '000001ffffffffff',
          CapPrm: '000001ffffffffff',
          Seccomp: '0',
          Seccomp_filters: '0',
        }),
      },
      status: 'fail',
      kind: 'kernel',
      message: /41 effective capabilities and seccomp mode 0/,
    },
    {
      label: 'missing field',
      fixture: 'default',
      mutate: (d) => void delete hc(d).Privileged,
      status: 'info',
    },
  ],
  'sensitive-mounts': [
    { label: '/etc read-only', fixture: 'etc-ro', status: 'warn', message: /\/etc \(ro\)/ },
    {
      label: 'docker.sock read-write',
      fixture: 'docker-sock-host-ns',
      status: 'fail',
      message: /\/var\/run\/docker\.sock \(rw\)/,
    },
    { label: 'no mounts', fixture: 'default', status: 'pass' },
    {
      label: '/ read-write',
      fixture: 'default',
      mutate: mounts({ Source: '/', Destination: '/host' }),
      status: 'fail',
    },
    {
      label: "a user's home read-only",
      fixture: 'default',
      mutate: mounts({ Source: '/home/alice', Destination: '/h', RW: false }),
      status: 'warn',
    },
    {
      label: 'a project directory under /home',
      fixture: 'default',
      mutate: mounts({ Source: '/home/alice/project', Destination: '/src' }),
      status: 'pass',
    },
    {
      label: 'a named volume',
      fixture: 'default',
      mutate: mounts({ Type: 'volume', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data' }),
      status: 'pass',
    },
    {
      label: '/proc read-only',
      fixture: 'default',
      mutate: mounts({ Source: '/proc', Destination: '/host-proc', RW: false }),
      status: 'warn',
    },
    {
      label: 'a containerd socket',
      fixture: 'default',
      mutate: mounts({ Source: '/run/containerd/containerd.sock', Destination: '/c.sock' }),
      status: 'fail',
    },
    {
      label: 'read-only and read-write together fail',
      fixture: 'default',
      mutate: mounts(
        { Source: '/etc', Destination: '/e', RW: false },
        { Source: '/root', Destination: '/r' },
      ),
      status: 'fail',
      message: /\/etc \(ro\) and \/root \(rw\)/,
    },
    {
      label: 'Mounts of the wrong type',
      fixture: 'default',
      mutate: (d) => void (d.Mounts = 'x'),
      status: 'info',
    },
  ],
  sshd: [
    { label: 'not running', fixture: 'privileged', status: 'na' },
    { label: 'processes not gathered', fixture: 'default', status: 'info' },
    {
      label: 'sshd in its own PID namespace',
      fixture: 'default',
      processes: {
        source: 'proc',
        scope: 'pid-namespace',
        truncated: false,
        items: [proc(100, 'sleep', 'sleep', 'infinity'), proc(101, 'sshd', '/usr/sbin/sshd', '-D')],
      },
      status: 'fail',
      kind: 'kernel',
    },
    {
      label: 'sshd session child',
      fixture: 'default',
      processes: {
        source: 'proc',
        scope: 'pid-namespace',
        truncated: false,
        items: [proc(102, 'sshd', 'sshd: alice@pts/0')],
      },
      status: 'fail',
    },
    {
      label: 'no sshd',
      fixture: 'default',
      processes: {
        source: 'proc',
        scope: 'pid-namespace',
        truncated: false,
        items: [proc(100, 'sleep', 'sleep', 'infinity')],
      },
      status: 'pass',
      message: /^1 process, no sshd/,
    },
    {
      label: 'a process merely named like it is not sshd',
      fixture: 'default',
      processes: {
        source: 'proc',
        scope: 'pid-namespace',
        truncated: false,
        items: [proc(100, 'sshd-exporter', '/bin/sshd-exporter')],
      },
      status: 'pass',
    },
    {
      label: '--pid host: the host’s sshd in the PID namespace is not blamed',
      fixture: 'docker-sock-host-ns',
      processes: {
        source: 'proc',
        scope: 'pid-namespace',
        truncated: false,
        items: [
          proc(1, 'systemd'),
          proc(812, 'sshd', '/usr/sbin/sshd', '-D'),
          proc(14819, 'sleep', 'sleep', 'infinity'),
        ],
      },
      status: 'info',
      message: /not attributed to this container/,
    },
    {
      label: 'a PID namespace the kernel shows to be the host’s, though not configured so',
      fixture: 'default',
      kernel: { 'ns-pid': HOST_PID_NS },
      processes: { source: 'proc', scope: 'pid-namespace', truncated: false, items: [proc(812, 'sshd')] },
      status: 'info',
    },
    {
      label: '--pid host: its own cgroup, no sshd',
      fixture: 'docker-sock-host-ns',
      processes: {
        source: 'proc',
        scope: 'cgroup',
        truncated: false,
        items: [proc(14819, 'sleep', 'sleep', 'infinity')],
      },
      status: 'pass',
    },
    {
      label: '--pid host: sshd in its own cgroup',
      fixture: 'docker-sock-host-ns',
      processes: {
        source: 'proc',
        scope: 'cgroup',
        truncated: false,
        items: [proc(14830, 'sshd', '/usr/sbin/sshd')],
      },
      status: 'fail',
    },
    {
      label: 'engine top on a remote engine',
      fixture: 'default',
      host: 'remote',
      processes: {
        source: 'engine',
        scope: 'engine-top',
        truncated: false,
        items: [proc(5, 'sshd', '/usr/sbin/sshd')],
      },
      status: 'fail',
      kind: 'configuration-only',
    },
    {
      label: 'truncated list says so',
      fixture: 'default',
      processes: { source: 'proc', scope: 'pid-namespace', truncated: true, items: [proc(1, 'sleep')] },
      status: 'pass',
      message: /cut at its bound/,
    },
  ],
  'privileged-ports': [
    { label: 'port 8080', fixture: 'published-apparmor-unconfined', status: 'pass' },
    {
      label: 'port 80 on the host',
      fixture: 'published-apparmor-unconfined',
      mutate: (d) =>
        void ((d.NetworkSettings as Record<string, unknown>).Ports = {
          '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }],
        }),
      status: 'warn',
      message: /80/,
    },
    { label: 'no ports', fixture: 'default', status: 'pass', message: /No ports/ },
  ],
  'published-ports': [
    {
      label: 'one port to review',
      fixture: 'published-apparmor-unconfined',
      status: 'info',
      message: /8080→80\/tcp/,
    },
    { label: 'none', fixture: 'default', status: 'pass' },
    { label: '-P', fixture: 'default', mutate: set('PublishAllPorts', true), status: 'warn' },
  ],
  'host-network': [
    { label: '--net host', fixture: 'docker-sock-host-ns', status: 'fail' },
    { label: 'default bridge', fixture: 'default', status: 'pass' },
    {
      label: "another container's network",
      fixture: 'default',
      mutate: set('NetworkMode', 'container:abc'),
      status: 'pass',
      message: /Joins container abc/,
    },
    { label: 'missing', fixture: 'default', mutate: (d) => void delete hc(d).NetworkMode, status: 'info' },
  ],
  'memory-limit': [
    { label: '64m', fixture: 'hardened', status: 'pass', message: /64 MiB/ },
    { label: 'unlimited', fixture: 'default', status: 'warn' },
    { label: 'wrong type', fixture: 'default', mutate: set('Memory', '64m'), status: 'info' },
  ],
  'cpu-limit': [
    { label: '--cpus 0.5', fixture: 'hardened', status: 'pass', message: /0\.5 CPUs/ },
    { label: 'nothing', fixture: 'default', status: 'warn' },
    { label: 'shares 512', fixture: 'default', mutate: set('CpuShares', 512), status: 'pass' },
    {
      label: 'shares 1024 is the default',
      fixture: 'default',
      mutate: set('CpuShares', 1024),
      status: 'warn',
    },
    {
      label: 'CFS quota',
      fixture: 'default',
      mutate: (d) => Object.assign(hc(d), { CpuQuota: 50000, CpuPeriod: 100000 }),
      status: 'pass',
      message: /0\.5 CPUs/,
    },
    { label: 'cpuset', fixture: 'default', mutate: set('CpusetCpus', '0'), status: 'pass' },
  ],
  'readonly-rootfs': [
    { label: '--read-only', fixture: 'hardened', status: 'pass' },
    { label: 'writable', fixture: 'default', status: 'warn' },
  ],
  'host-interface-binding': [
    {
      label: '0.0.0.0:8080',
      fixture: 'published-apparmor-unconfined',
      status: 'warn',
      message: /8080→80\/tcp/,
    },
    {
      label: '127.0.0.1:8080',
      fixture: 'published-apparmor-unconfined',
      mutate: (d) =>
        void ((d.NetworkSettings as Record<string, unknown>).Ports = {
          '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
        }),
      status: 'pass',
    },
    {
      label: ':: (IPv6 wildcard)',
      fixture: 'published-apparmor-unconfined',
      mutate: (d) =>
        void ((d.NetworkSettings as Record<string, unknown>).Ports = {
          '80/tcp': [{ HostIp: '::', HostPort: '8080' }],
        }),
      status: 'warn',
    },
    {
      label: 'requested bindings of a stopped container',
      fixture: 'privileged',
      mutate: set('PortBindings', { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }),
      status: 'warn',
    },
    { label: 'no ports', fixture: 'default', status: 'pass' },
  ],
  'restart-policy': [
    { label: 'no', fixture: 'default', status: 'pass' },
    {
      label: 'always',
      fixture: 'default',
      mutate: set('RestartPolicy', { Name: 'always', MaximumRetryCount: 0 }),
      status: 'warn',
    },
    {
      label: 'unless-stopped',
      fixture: 'default',
      mutate: set('RestartPolicy', { Name: 'unless-stopped', MaximumRetryCount: 0 }),
      status: 'warn',
    },
    {
      label: 'on-failure without limit',
      fixture: 'default',
      mutate: set('RestartPolicy', { Name: 'on-failure', MaximumRetryCount: 0 }),
      status: 'warn',
    },
    {
      label: 'on-failure:5',
      fixture: 'default',
      mutate: set('RestartPolicy', { Name: 'on-failure', MaximumRetryCount: 5 }),
      status: 'pass',
    },
    {
      label: 'on-failure:10',
      fixture: 'default',
      mutate: set('RestartPolicy', { Name: 'on-failure', MaximumRetryCount: 10 }),
      status: 'warn',
    },
    { label: 'missing', fixture: 'default', mutate: (d) => void delete hc(d).RestartPolicy, status: 'info' },
  ],
  'host-pid': [
    {
      label: '--pid host, kernel confirms',
      fixture: 'docker-sock-host-ns',
      status: 'fail',
      kind: 'kernel',
      evidence: /pid:\[4026531836\]/,
    },
    { label: 'own PID namespace, kernel confirms', fixture: 'default', status: 'pass', kind: 'kernel' },
    {
      label: '--pid host, remote',
      fixture: 'docker-sock-host-ns',
      host: 'remote',
      status: 'fail',
      kind: 'configuration-only',
    },
    {
      label: "configured private but the kernel shows the host's: kernel wins",
      fixture: 'default',
      kernel: { 'ns-pid': HOST_PID_NS },
      status: 'fail',
      kind: 'kernel',
      message: /kernel is trusted/,
    },
    {
      label: 'ns link unreadable: falls back to configuration with the reason',
      fixture: 'docker-sock-host-ns',
      kernel: { 'ns-pid': { errno: 'EACCES' } },
      status: 'fail',
      kind: 'configuration-only',
      evidence: /permission-denied/,
    },
  ],
  'host-ipc': [
    { label: 'private', fixture: 'default', status: 'pass' },
    { label: '--ipc host', fixture: 'default', mutate: set('IpcMode', 'host'), status: 'fail' },
  ],
  'host-devices': [
    {
      label: 'privileged: every device',
      fixture: 'privileged',
      status: 'fail',
      message: /every host device/,
    },
    { label: 'none', fixture: 'default', status: 'pass' },
    {
      label: '--device /dev/fuse',
      fixture: 'default',
      mutate: set('Devices', [
        { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
      ]),
      status: 'warn',
      message: /\/dev\/fuse \(rwm\)/,
    },
    {
      label: '--device-cgroup-rule',
      fixture: 'default',
      mutate: set('DeviceCgroupRules', ['c 10:229 rwm']),
      status: 'warn',
    },
  ],
  ulimits: [
    { label: 'none', fixture: 'default', status: 'info' },
    {
      label: 'nofile set',
      fixture: 'default',
      mutate: set('Ulimits', [{ Name: 'nofile', Soft: 1024, Hard: 4096 }]),
      status: 'pass',
    },
    {
      label: 'nofile unlimited',
      fixture: 'default',
      mutate: set('Ulimits', [{ Name: 'nofile', Soft: -1, Hard: -1 }]),
      status: 'warn',
    },
  ],
  'mount-propagation': [
    { label: 'rprivate', fixture: 'etc-ro', status: 'pass' },
    {
      label: 'rshared',
      fixture: 'default',
      mutate: mounts({ Source: '/mnt/data', Destination: '/data', Propagation: 'rshared' }),
      status: 'fail',
      message: /\/data \(rshared\)/,
    },
  ],
  'host-uts': [
    { label: 'own', fixture: 'default', status: 'pass' },
    { label: '--uts host', fixture: 'default', mutate: set('UTSMode', 'host'), status: 'fail' },
  ],
  seccomp: [
    {
      label: 'default profile, kernel filter',
      fixture: 'default',
      status: 'pass',
      kind: 'kernel',
      message: /1 filter/,
    },
    {
      label: 'seccomp=unconfined, kernel no filter',
      fixture: 'sys-admin-unconfined',
      status: 'fail',
      kind: 'kernel',
    },
    { label: 'cap-add ALL + seccomp=unconfined', fixture: 'cap-add-all', status: 'fail', kind: 'kernel' },
    {
      label: 'privileged without seccomp=unconfined written anywhere',
      fixture: 'privileged',
      status: 'fail',
      kind: 'configuration-only',
      message: /privileged, so no seccomp filter/,
    },
    {
      label: 'seccomp=unconfined, remote',
      fixture: 'sys-admin-unconfined',
      host: 'remote',
      status: 'fail',
      kind: 'configuration-only',
    },
    {
      label: 'configured default but the kernel shows no filter: kernel wins',
      fixture: 'default',
      kernel: { 'proc-status': status({ Seccomp: '0', Seccomp_filters: '0' }) },
      status: 'fail',
      kind: 'kernel',
      message: /configuration says the engine's default profile; the kernel reports no seccomp filter/,
      evidence: /Seccomp/,
    },
    {
      label: 'configured unconfined but the kernel shows a filter: kernel wins',
      fixture: 'sys-admin-unconfined',
      kernel: { 'proc-status': status({ Seccomp: '2', Seccomp_filters: '1' }) },
      status: 'pass',
      kind: 'kernel',
      message: /kernel reports a seccomp filter and is trusted/,
    },
    {
      label: 'an engine without seccomp',
      fixture: 'default',
      host: 'no-seccomp-remote',
      status: 'fail',
      message: /does not support seccomp/,
    },
    {
      label: 'custom profile',
      fixture: 'default',
      host: 'remote',
      mutate: set('SecurityOpt', ['seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}']),
      status: 'pass',
      message: /custom profile/,
    },
    {
      label: '/proc/<pid>/status permission denied: configuration, with the reason',
      fixture: 'default',
      kernel: { 'proc-status': { errno: 'EACCES' } },
      status: 'pass',
      kind: 'configuration-only',
      evidence: /not read \(permission-denied\)/,
    },
  ],
  'exec-privileged': [
    {
      label: 'not inspected, none recorded',
      fixture: 'default',
      status: 'info',
      message: /No exec sessions are recorded/,
    },
    {
      label: 'not inspected, some recorded',
      fixture: 'default',
      mutate: (d) => void (d.ExecIDs = ['a', 'b']),
      status: 'info',
      message: /2 exec session\(s\) recorded but not inspected/,
    },
    {
      label: 'a privileged exec',
      fixture: 'default',
      execs: [exec({ privileged: true, command: 'sh -c id' })],
      status: 'fail',
    },
    {
      label: 'ordinary execs',
      fixture: 'default',
      execs: [exec({}), exec({ user: '1000' })],
      status: 'pass',
    },
  ],
  'exec-root-user': [
    {
      label: 'exec without --user in a root container',
      fixture: 'default',
      execs: [exec({})],
      status: 'warn',
    },
    { label: 'exec --user 1000', fixture: 'default', execs: [exec({ user: '1000' })], status: 'pass' },
    {
      label: 'exec without --user in a uid 1000 container',
      fixture: 'hardened',
      execs: [exec({})],
      status: 'pass',
    },
    {
      label: 'exec --user root in a uid 1000 container',
      fixture: 'hardened',
      execs: [exec({ user: 'root' })],
      status: 'warn',
    },
    { label: 'not inspected', fixture: 'default', status: 'info' },
  ],
  'cgroup-parent': [
    { label: 'default', fixture: 'default', status: 'pass' },
    {
      label: 'custom',
      fixture: 'default',
      mutate: set('CgroupParent', '/custom'),
      status: 'warn',
      message: /\/custom/,
    },
  ],
  'no-new-privileges': [
    { label: 'set, kernel confirms', fixture: 'hardened', status: 'pass', kind: 'kernel' },
    { label: 'not set, kernel confirms', fixture: 'default', status: 'warn', kind: 'kernel' },
    {
      label: 'daemon-wide default: not in SecurityOpt but the kernel says set',
      fixture: 'default',
      kernel: { 'proc-status': status({ NoNewPrivs: '1' }) },
      status: 'pass',
      kind: 'kernel',
      message: /configuration says not set; the kernel is trusted/,
    },
    { label: 'set, remote', fixture: 'hardened', host: 'remote', status: 'pass', kind: 'configuration-only' },
    {
      label: 'not set, remote',
      fixture: 'default',
      host: 'remote',
      status: 'warn',
      kind: 'configuration-only',
    },
  ],
  'health-check': [
    { label: 'absent', fixture: 'default', status: 'warn', message: /No health check/ },
    {
      label: 'configured',
      fixture: 'default',
      mutate: (d) => void ((d.Config as Record<string, unknown>).Healthcheck = { Test: ['CMD', 'true'] }),
      status: 'pass',
    },
    {
      label: 'disabled',
      fixture: 'default',
      mutate: (d) => void ((d.Config as Record<string, unknown>).Healthcheck = { Test: ['NONE'] }),
      status: 'warn',
      message: /disabled/,
    },
    {
      label: 'malformed',
      fixture: 'default',
      mutate: (d) => void ((d.Config as Record<string, unknown>).Healthcheck = { Test: 'CMD true' }),
      status: 'info',
    },
  ],
  'pids-limit': [
    { label: '50', fixture: 'hardened', status: 'pass', message: /50/ },
    { label: 'null (unlimited)', fixture: 'default', status: 'warn' },
    { label: '-1 (unlimited)', fixture: 'default', mutate: set('PidsLimit', -1), status: 'warn' },
  ],
  'default-bridge': [
    { label: 'docker0', fixture: 'default', status: 'warn' },
    { label: 'host network', fixture: 'docker-sock-host-ns', status: 'na' },
    {
      label: 'user-defined network',
      fixture: 'default',
      mutate: set('NetworkMode', 'backend'),
      status: 'pass',
      message: /backend/,
    },
    { label: 'none', fixture: 'default', mutate: set('NetworkMode', 'none'), status: 'pass' },
  ],
  'host-userns': [
    { label: 'no remapping, not opted out', fixture: 'default', status: 'pass' },
    { label: '--userns host', fixture: 'default', mutate: set('UsernsMode', 'host'), status: 'fail' },
    {
      label: 'engine remaps but the kernel shows the identity map: kernel wins',
      fixture: 'default',
      host: 'userns-local',
      status: 'fail',
      kind: 'kernel',
      message: /kernel shows this process in the host's user namespace/,
    },
    {
      label: 'engine remaps, kernel agrees',
      fixture: 'default',
      host: 'userns-local',
      kernel: { uid_map: '         0     100000      65536\n' },
      status: 'pass',
      kind: 'kernel',
    },
    {
      label: 'engine remaps, remote',
      fixture: 'default',
      host: 'userns-remote',
      status: 'pass',
      kind: 'configuration-only',
    },
  ],
  'docker-socket': [
    {
      label: '/var/run/docker.sock',
      fixture: 'docker-sock-host-ns',
      status: 'fail',
      message: /docker\.sock/,
    },
    { label: 'none', fixture: 'default', status: 'pass' },
    {
      label: '/var/run holds the socket',
      fixture: 'default',
      mutate: mounts({ Source: '/var/run', Destination: '/host-run', RW: false }),
      status: 'fail',
      message: /contains the engine socket/,
    },
    {
      label: 'read-only containerd socket still fails',
      fixture: 'default',
      mutate: mounts({ Source: '/run/containerd/containerd.sock', Destination: '/c.sock', RW: false }),
      status: 'fail',
    },
    {
      label: 'a volume, not a bind',
      fixture: 'default',
      mutate: mounts({
        Type: 'volume',
        Source: '/var/lib/docker/volumes/docker.sock/_data',
        Destination: '/x',
      }),
      status: 'pass',
    },
  ],
  'runs-as-root': [
    { label: 'uid 0 in the initial user namespace', fixture: 'default', status: 'warn', kind: 'kernel' },
    { label: 'uid 1000', fixture: 'hardened', status: 'pass', kind: 'kernel', message: /uid 1000/ },
    {
      label: 'root, remote, no remapping',
      fixture: 'default',
      host: 'remote',
      status: 'warn',
      kind: 'configuration-only',
      message: /the image default/,
    },
    {
      label: 'uid 1000, remote',
      fixture: 'hardened',
      host: 'remote',
      status: 'pass',
      kind: 'configuration-only',
    },
    {
      label: 'uid 0 remapped to 100000 (kernel: /proc read from the host shows the host uid)',
      fixture: 'default',
      kernel: {
        uid_map: '0 100000 65536\n',
        'proc-status': status({ Uid: '100000\t100000\t100000\t100000' }),
      },
      status: 'pass',
      kind: 'kernel',
      message: /^Runs as uid 0 inside a user namespace, mapped to host uid 100000\.$/,
    },
    {
      label: 'a user namespace that maps uid 0 to host uid 0 is still host root',
      fixture: 'default',
      kernel: { uid_map: '0 0 1\n1 100000 65535\n' },
      status: 'warn',
      kind: 'kernel',
      message: /host uid 0 even inside its user namespace/,
    },
    {
      label: 'root remapped by the engine (remote)',
      fixture: 'default',
      host: 'userns-remote',
      status: 'pass',
      kind: 'configuration-only',
    },
    {
      label: 'root in the config, uid 1000 in the kernel: kernel wins',
      fixture: 'default',
      kernel: { 'proc-status': status({ Uid: '1000\t1000\t1000\t1000' }) },
      status: 'pass',
      kind: 'kernel',
    },
  ],
  'cap-add-all': [
    {
      label: 'cap-add ALL',
      fixture: 'cap-add-all',
      status: 'fail',
      kind: 'kernel',
      message: /37 effective capabilities/,
    },
    {
      label: 'cap-add ALL, remote',
      fixture: 'cap-add-all',
      host: 'remote',
      status: 'fail',
      kind: 'configuration-only',
    },
    { label: 'cap-add SYS_ADMIN', fixture: 'sys-admin-unconfined', status: 'pass' },
    {
      label: 'cap-add all (lower case)',
      fixture: 'default',
      host: 'remote',
      mutate: set('CapAdd', ['all']),
      status: 'fail',
    },
  ],
  'systempaths-unconfined': [
    {
      label: 'systempaths=unconfined (only the empty masks tell)',
      fixture: 'cap-add-all',
      status: 'fail',
      message: /No \/proc or \/sys path is masked/,
    },
    { label: 'privileged', fixture: 'privileged', status: 'fail' },
    { label: 'default masks', fixture: 'default', status: 'pass', message: /10 paths masked, 5 read-only/ },
    {
      label: 'option still present in SecurityOpt',
      fixture: 'default',
      mutate: set('SecurityOpt', ['systempaths=unconfined']),
      status: 'fail',
    },
    {
      label: 'MaskedPaths not reported',
      fixture: 'default',
      mutate: (d) => void delete hc(d).MaskedPaths,
      status: 'info',
    },
  ],
  'cgroupns-host': [
    { label: 'host (cgroup v1 default)', fixture: 'default', status: 'warn' },
    { label: 'private', fixture: 'default', mutate: set('CgroupnsMode', 'private'), status: 'pass' },
    {
      label: 'not reported by an older engine',
      fixture: 'default',
      mutate: (d) => void delete hc(d).CgroupnsMode,
      status: 'info',
    },
    {
      label: "empty: the engine's default",
      fixture: 'default',
      mutate: set('CgroupnsMode', ''),
      status: 'info',
    },
  ],
};

async function evaluate(ruleId: string, c: Case): Promise<Finding> {
  const rule = CONTAINER_RULES.find((r) => r.id === ruleId);
  if (rule === undefined) throw new Error(`no rule ${ruleId}`);
  const doc = loadInspect(c.fixture);
  c.mutate?.(doc);
  const mapped = mapInspect(doc);
  if (!mapped.ok) throw new Error(mapped.problems.join('; '));
  const host = hosts[c.host ?? 'local'];
  const kernel =
    c.kernel === null || host.evidenceKind === 'configuration-only'
      ? null
      : await loadKernel(c.fixture, c.kernel ?? {});
  const snapshot = withEvidence(mapped.snapshot, {
    kernel,
    processes: c.processes ?? null,
    execs: c.execs ?? null,
  });
  const [finding] = evaluatePosture(snapshot, host, [rule]);
  if (finding === undefined) throw new Error('no finding');
  return finding;
}

describe.each(Object.keys(CASES))('rule %s', (ruleId) => {
  it.each(CASES[ruleId] ?? [])('$label → $status', async (c) => {
    const f = await evaluate(ruleId, c);
    expect({ status: f.status, message: f.message }).toMatchObject({ status: c.status });
    if (c.message !== undefined) expect(f.message).toMatch(c.message);
    if (c.kind !== undefined) expect(f.evidenceKind).toBe(c.kind);
    if (c.evidence !== undefined)
      expect(f.evidence.map((e) => `${e.field} = ${e.value}`).join('\n')).toMatch(c.evidence);
    expect(f.ruleId).toBe(ruleId);
    expect(f.evidence.length).toBeGreaterThan(0);
  });
});

describe('the rule set', () => {
  it('has table cases for every rule and no cases for unknown rules', () => {
    expect(Object.keys(CASES).sort()).toEqual(CONTAINER_RULES.map((r) => r.id).sort());
  });

  it('has unique ids, and CIS v1.6.0 ids where CIS has the check', () => {
    const ids = CONTAINER_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cis = CONTAINER_RULES.map((r) => r.cisId).filter((c): c is string => c !== null);
    expect(new Set(cis).size).toBe(cis.length);
    // Every automatable §5 item (5.1 swarm is a daemon rule; 5.28 needs a registry) and 4.1 at runtime.
    const expected = [
      '4.1',
      ...Array.from({ length: 32 }, (_, i) => `5.${i + 1}`).filter((id) => id !== '5.1' && id !== '5.28'),
    ];
    expect([...cis].sort()).toEqual([...expected].sort());
  });

  it('gives every rule a remediation as a docker run flag and a compose key', () => {
    for (const r of CONTAINER_RULES) {
      expect(r.remediation.flag.length, r.id).toBeGreaterThan(0);
      expect(r.remediation.compose.length, r.id).toBeGreaterThan(0);
      expect(r.rationale.length, r.id).toBeGreaterThan(20);
    }
  });

  // label=disable and apparmor=unconfined are never a passing security option, on any host.
  it.each([
    'local',
    'remote',
    'apparmor-local',
    'apparmor-remote',
    'selinux-local',
    'selinux-remote',
    'unknown',
  ] as const)('never passes apparmor=unconfined or label=disable (%s host)', async (host) => {
    for (const opt of ['apparmor=unconfined', 'label=disable', 'label:disable']) {
      for (const ruleId of ['apparmor-profile', 'selinux-options']) {
        const f = await evaluate(ruleId, {
          label: opt,
          fixture: 'default',
          host,
          mutate: (d) => {
            hc(d).SecurityOpt = [opt];
            d.AppArmorProfile = opt.startsWith('apparmor') ? 'unconfined' : 'docker-default';
          },
          status: 'na',
        });
        const relevant = (ruleId === 'apparmor-profile') === opt.startsWith('apparmor');
        if (relevant) expect(f.status, `${ruleId} ${opt} on ${host}`).not.toBe('pass');
      }
    }
  });
});

describe('sensitiveReason', () => {
  it.each([
    ['/', 'the host root filesystem'],
    ['/etc', 'under host /etc'],
    ['/etc/ssl/certs', 'under host /etc'],
    ['//etc//', 'under host /etc'],
    ['/var/run/docker.sock', 'container engine socket'],
    ['/home', 'host /home'],
    ['/home/alice', 'a user home directory'],
    ['/home/alice/src', null],
    ['/srv/www', null],
    ['/etcetera', null],
    ['/var/lib/docker/volumes', 'under host /var/lib/docker'],
  ])('%s → %s', (path, reason) => {
    expect(sensitiveReason(path)).toBe(reason);
  });
});
