import { describe, expect, it } from 'vitest';

import {
  decideEngineFacts,
  findDaemon,
  parseDockerdArgs,
  parseUlimitFlag,
  readDaemonFacts,
} from '../../../electron/adapters/host/daemon-config.js';
import type { DaemonFs, DaemonProcessFacts } from '../../../electron/adapters/host/daemon-config.js';
import { errnoError } from '../posture/fixtures.js';

// The decision rules (pure) table by table, and the host reading over a scripted /proc — the real dockerd is
// read in test/integration/posture/daemon-config.live.test.ts.

const proc = (over: Partial<DaemonProcessFacts>): DaemonProcessFacts => ({
  pid: 100,
  foundBy: 'test',
  argv: ['dockerd'],
  env: {},
  configPath: '/etc/docker/daemon.json',
  config: { kind: 'absent' },
  ...over,
});

describe('parseDockerdArgs', () => {
  it('reads bool, string and repeated flags in every pflag spelling', () => {
    const a = parseDockerdArgs([
      '/usr/bin/dockerd',
      '-H',
      'fd://',
      '-Htcp://0.0.0.0:2375',
      '--host=unix:///run/x.sock',
      '--icc=false',
      '--no-new-privileges',
      '--iptables=0',
      '--userland-proxy=maybe',
      '--default-ulimit',
      'nofile=1024:2048',
      '--default-ulimit=nproc=512',
      '--config-file',
      '/srv/daemon.json',
      '--containerd=/run/containerd/containerd.sock',
    ]);
    expect(a.hosts).toEqual(['fd://', 'tcp://0.0.0.0:2375', 'unix:///run/x.sock']);
    expect(a.bools).toEqual({
      icc: { value: false, raw: '--icc=false' },
      'no-new-privileges': { value: true, raw: '--no-new-privileges' },
      iptables: { value: false, raw: '--iptables=0' },
      'userland-proxy': { value: null, raw: '--userland-proxy=maybe' },
    });
    expect(a.defaultUlimits).toEqual(['nofile=1024:2048', 'nproc=512']);
    expect(a.configFile).toBe('/srv/daemon.json');
  });

  it('parses ulimit flags', () => {
    expect(parseUlimitFlag('nofile=1024:2048')).toEqual({ name: 'nofile', soft: 1024, hard: 2048 });
    expect(parseUlimitFlag('nproc=512')).toEqual({ name: 'nproc', soft: 512, hard: 512 });
    expect(parseUlimitFlag('nofile')).toBeNull();
  });
});

describe('decideEngineFacts', () => {
  it('no flags, no daemon.json: dockerd defaults, each with its evidence', () => {
    const r = decideEngineFacts(proc({}));
    expect(r.facts).toEqual({
      icc: true,
      userlandProxy: true,
      iptables: true,
      noNewPrivilegesDefault: false,
      defaultUlimits: [],
      tcpWithoutTls: false,
    });
    expect(r.evidence.icc).toEqual([
      { source: 'host', field: 'dockerd command line (PID 100, test)', value: '(no --icc)' },
      { source: 'host', field: '/etc/docker/daemon.json', value: 'absent: dockerd runs on its defaults' },
      { source: 'host', field: 'dockerd default', value: 'icc=true' },
    ]);
    expect(r.notes).toEqual([]);
  });

  it('a flag wins over daemon.json; daemon.json over the default', () => {
    const r = decideEngineFacts(
      proc({
        argv: ['dockerd', '--icc=false'],
        config: {
          kind: 'read',
          value: {
            'userland-proxy': false,
            'no-new-privileges': true,
            'default-ulimits': { nofile: { Name: 'nofile', Soft: 64000, Hard: 64000 } },
          },
        },
      }),
    );
    expect(r.facts).toMatchObject({
      icc: false,
      userlandProxy: false,
      noNewPrivilegesDefault: true,
      iptables: true,
      defaultUlimits: [{ name: 'nofile', soft: 64000, hard: 64000 }],
    });
    expect(r.evidence.userlandProxy).toContainEqual({
      source: 'host',
      field: '/etc/docker/daemon.json "userland-proxy"',
      value: 'false',
    });
  });

  it('TCP hosts: without TLS is true; --tlsverify, "tls" or DOCKER_TLS_VERIFY make it false', () => {
    const tcp = (over: Partial<DaemonProcessFacts>) => decideEngineFacts(proc(over)).facts.tcpWithoutTls;
    expect(tcp({ argv: ['dockerd', '-H', 'tcp://0.0.0.0:2375'] })).toBe(true);
    expect(tcp({ argv: ['dockerd', '-H', '0.0.0.0:2375'] })).toBe(true); // no scheme: dockerd reads TCP
    expect(tcp({ argv: ['dockerd', '-H', 'tcp://0.0.0.0:2376', '--tlsverify'] })).toBe(false);
    expect(tcp({ config: { kind: 'read', value: { hosts: ['tcp://0.0.0.0:2376'], tls: true } } })).toBe(
      false,
    );
    expect(tcp({ argv: ['dockerd', '-H', 'tcp://:2376'], env: { DOCKER_TLS_VERIFY: '1' } })).toBe(false);
    expect(tcp({ argv: ['dockerd', '-H', 'unix:///var/run/docker.sock'] })).toBe(false);
  });

  it('socket activation (fd://) leaves TCP undecided, with a note', () => {
    const r = decideEngineFacts(proc({ argv: ['dockerd', '-H', 'fd://'] }));
    expect(r.facts.tcpWithoutTls).toBeNull();
    expect(r.notes.join(' ')).toContain('fd://');
  });

  it('daemon.json unreadable or not an object: what it could set is undecided, flags still count', () => {
    const r = decideEngineFacts(
      proc({ argv: ['dockerd', '--iptables=false'], config: { kind: 'error', message: 'EACCES' } }),
    );
    expect(r.facts).toEqual({
      icc: null,
      userlandProxy: null,
      iptables: false,
      noNewPrivilegesDefault: null,
      defaultUlimits: null,
      tcpWithoutTls: null,
    });
    expect(r.notes[0]).toContain('could not be read (EACCES)');
    const arr = decideEngineFacts(proc({ config: { kind: 'read', value: [1] } }));
    expect(arr.facts.icc).toBeNull();
    expect(arr.notes[0]).toContain('not a JSON object');
  });

  it('a mistyped daemon.json value is undecided, not guessed', () => {
    const r = decideEngineFacts(
      proc({ config: { kind: 'read', value: { icc: 'no', 'default-ulimits': 5 } } }),
    );
    expect(r.facts.icc).toBeNull();
    expect(r.facts.defaultUlimits).toBeNull();
    expect(r.notes.length).toBe(2);
  });
});

/** A scripted /proc: files, links and directories by path; anything else ENOENT. */
function scriptedFs(
  files: Record<string, string>,
  links: Record<string, string>,
  dirs: Record<string, string[]>,
): DaemonFs {
  const missing = (p: string) => Promise.reject(errnoError('ENOENT', p));
  return {
    readFile: (p) => (p in files ? Promise.resolve(files[p] ?? '') : missing(p)),
    readlink: (p) => (p in links ? Promise.resolve(links[p] ?? '') : missing(p)),
    readdir: (p) => (p in dirs ? Promise.resolve(dirs[p] ?? []) : missing(p)),
    realpath: (p) => Promise.resolve(p.replace(/^\/var\/run\//, '/run/')),
  };
}

const UNIX_HEADER = 'Num       RefCount Protocol Flags    Type St Inode Path\n';

describe('finding the dockerd that serves a socket', () => {
  const fs = scriptedFs(
    {
      '/proc/10/comm': 'dockerd\n',
      '/proc/20/comm': 'dockerd\n',
      '/proc/30/comm': 'sleep\n',
      '/proc/10/net/unix': `${UNIX_HEADER}0000: 00000002 00000000 00010000 0001 01 111 /tmp/other.sock\n`,
      '/proc/20/net/unix': `${UNIX_HEADER}0000: 00000002 00000000 00010000 0001 01 222 /var/run/docker.sock\n`,
      '/proc/20/cmdline': 'dockerd\u0000--icc=false\u0000',
      '/proc/20/environ': 'PATH=/bin\u0000',
      '/proc/20/status': 'Name:\tdockerd\nUid:\t0\t0\t0\t0\n',
      '/proc/20/root/etc/docker/daemon.json': '{"iptables": false}',
    },
    { '/proc/10/fd/3': 'socket:[111]', '/proc/20/fd/3': 'pipe:[5]', '/proc/20/fd/4': 'socket:[222]' },
    { '/proc': ['10', '20', '30', 'self'], '/proc/10/fd': ['3'], '/proc/20/fd': ['3', '4'] },
  );

  it('by the socket it holds (path compared through realpath)', async () => {
    expect(await findDaemon('/run/docker.sock', { fs })).toEqual({
      pid: 20,
      foundBy: 'holds /run/docker.sock',
    });
    expect(await findDaemon('/tmp/nobody.sock', { fs })).toEqual({
      error: 'none of the 2 dockerd process(es) on this host serves /tmp/nobody.sock',
    });
  });

  it('reads its command line and daemon.json through /proc/<pid>/root', async () => {
    const r = await readDaemonFacts('/var/run/docker.sock', { fs });
    expect(r.facts).toMatchObject({ icc: false, iptables: false, userlandProxy: true });
    expect(r.evidence.iptables).toContainEqual({
      source: 'host',
      field: '/etc/docker/daemon.json "iptables"',
      value: 'false',
    });
  });

  it('no dockerd visible: everything undecided, with the reason', async () => {
    const none = scriptedFs({ '/proc/30/comm': 'sleep\n' }, {}, { '/proc': ['30'] });
    expect(await readDaemonFacts('/var/run/docker.sock', { fs: none })).toEqual({
      facts: {},
      evidence: {},
      notes: ["The engine's own settings were not read: no dockerd process is visible on this host."],
    });
  });
});
