import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DAEMON_RULES } from '../../../shared/domain/posture/daemon-rules/index.js';
import { CVE_2024_41110_RANGES } from '../../../shared/domain/posture/daemon-rules/authz-cve-2024-41110.js';
import { mapEngineFacts, parseEngineSecurityOption } from '../../../shared/domain/posture/engine-facts.js';
import type { DecidedEngineFacts } from '../../../shared/domain/posture/engine-facts.js';
import { compareVersions, parseEngineVersion } from '../../../shared/domain/posture/engine-version.js';
import { evaluateDaemon } from '../../../shared/domain/posture/evaluate.js';
import type { EngineFacts, FindingStatus } from '../../../shared/domain/posture/model.js';
import { FIXTURE_DIR } from './fixtures.js';

// Table-driven tests per daemon rule, on the `docker info` / `docker version` documents recorded from the
// real engine (test/fixtures/posture/host/) and mutated copies of them.

const recordedInfo = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-info.json'), 'utf8')) as Record<string, unknown>;
const recordedVersion = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-version.json'), 'utf8')) as Record<
    string,
    unknown
  >;

function facts(
  mutate: (info: Record<string, unknown>, version: Record<string, unknown>) => void = () => {},
  decided: DecidedEngineFacts = {},
): EngineFacts {
  const info = recordedInfo();
  const version = recordedVersion();
  mutate(info, version);
  const r = mapEngineFacts(info, version, decided);
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.facts;
}

describe('mapEngineFacts on the recorded engine', () => {
  it('maps docker info + version of Docker 20.10 without problems', () => {
    const r = mapEngineFacts(recordedInfo(), recordedVersion());
    if (!r.ok) throw new Error(r.problems.join('; '));
    expect(r.problems).toEqual([]);
    expect(r.facts).toMatchObject({
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      securityOptions: [{ name: 'seccomp', options: { profile: 'default' } }],
      authorizationPlugins: [],
      liveRestoreEnabled: false,
      experimentalBuild: false,
      cgroupVersion: '1',
      loggingDriver: 'json-file',
      storageDriver: 'overlay2',
      swarmState: 'inactive',
      insecureRegistries: [], // 127.0.0.0/8 is the built-in default and not counted
      tcpWithoutTls: null,
      icc: null,
    });
  });

  it("reads a TCP socket without TLS from the engine's own warning", () => {
    const f = facts((info) => {
      info.Warnings = [
        'WARNING: API is accessible on http://0.0.0.0:2375 without encryption.\n         Access to the remote API is equivalent to root access on the host.',
      ];
    });
    expect(f.tcpWithoutTls).toBe(true);
  });

  it('takes the facts the adapter decided', () => {
    const f = facts(undefined, {
      icc: false,
      userlandProxy: true,
      tcpWithoutTls: false,
      defaultUlimits: [{ name: 'nofile', soft: 1024, hard: 4096 }],
    });
    expect([f.icc, f.userlandProxy, f.tcpWithoutTls, f.defaultUlimits?.length]).toEqual([
      false,
      true,
      false,
      1,
    ]);
  });

  it.each([
    ['name=seccomp,profile=default', { name: 'seccomp', options: { profile: 'default' } }],
    ['name=userns', { name: 'userns', options: {} }],
    ['name=rootless', { name: 'rootless', options: {} }],
    ['name=cgroupns', { name: 'cgroupns', options: {} }],
    ['apparmor', { name: 'apparmor', options: {} }],
  ])('parses SecurityOptions entry %j', (raw, expected) => {
    expect(parseEngineSecurityOption(raw)).toEqual(expected);
  });

  it('refuses an info document that is not an object, and never throws', () => {
    expect(mapEngineFacts('nope', null)).toEqual({ ok: false, problems: ['info document: expected object'] });
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => void mapEngineFacts(a, b)),
      { numRuns: 300 },
    );
  });

  it('lists missing and mistyped fields as problems', () => {
    const r = mapEngineFacts({ LiveRestoreEnabled: 'yes', Plugins: {} }, null);
    if (!r.ok) throw new Error('should map');
    expect(r.facts.liveRestoreEnabled).toBeNull();
    expect(r.problems).toEqual(
      expect.arrayContaining([
        'info.LiveRestoreEnabled: expected boolean, got string',
        'info.LoggingDriver: missing',
        'info.CgroupVersion: missing',
      ]),
    );
  });
});

interface Case {
  readonly label: string;
  readonly facts: () => EngineFacts;
  readonly status: FindingStatus;
  readonly message?: RegExp;
}

const recorded = (): EngineFacts => facts();
const withInfo = (mutate: (info: Record<string, unknown>) => void) => () => facts(mutate);
const decided = (d: DecidedEngineFacts) => () => facts(undefined, d);
const secopts =
  (...opts: string[]) =>
  () =>
    facts((info) => void (info.SecurityOptions = opts));
const authz = (version: string, plugins: string[] = ['opa-docker-authz']) =>
  facts((info, v) => {
    (info.Plugins as Record<string, unknown>).Authorization = plugins;
    v.Version = version;
  }, {});

const CASES: Record<string, readonly Case[]> = {
  'daemon-rootless': [
    { label: 'recorded: root', facts: recorded, status: 'warn' },
    { label: 'rootless', facts: secopts('name=seccomp,profile=default', 'name=rootless'), status: 'pass' },
  ],
  'daemon-icc': [
    { label: 'unknown', facts: recorded, status: 'info' },
    { label: 'icc on', facts: decided({ icc: true }), status: 'warn' },
    { label: 'icc off', facts: decided({ icc: false }), status: 'pass' },
  ],
  'daemon-log-level': [
    { label: 'recorded: not debug', facts: recorded, status: 'pass' },
    { label: 'debug', facts: withInfo((i) => void (i.Debug = true)), status: 'warn' },
  ],
  'daemon-iptables': [
    { label: 'unknown', facts: recorded, status: 'info' },
    { label: 'off', facts: decided({ iptables: false }), status: 'warn' },
    { label: 'on', facts: decided({ iptables: true }), status: 'pass' },
  ],
  'daemon-insecure-registries': [
    { label: 'recorded: loopback only', facts: recorded, status: 'pass' },
    {
      label: 'a LAN registry',
      facts: withInfo(
        (i) =>
          void ((i.RegistryConfig as Record<string, unknown>).InsecureRegistryCIDRs = [
            '127.0.0.0/8',
            '10.0.0.0/8',
          ]),
      ),
      status: 'fail',
      message: /10\.0\.0\.0\/8/,
    },
    {
      label: 'an insecure index',
      facts: withInfo((i) => {
        (i.RegistryConfig as { IndexConfigs: Record<string, unknown> }).IndexConfigs['reg.local:5000'] = {
          Name: 'reg.local:5000',
          Secure: false,
          Official: false,
          Mirrors: [],
        };
      }),
      status: 'fail',
      message: /reg\.local:5000/,
    },
  ],
  'daemon-storage-driver': [
    { label: 'overlay2', facts: recorded, status: 'pass' },
    { label: 'aufs', facts: withInfo((i) => void (i.Driver = 'aufs')), status: 'fail' },
  ],
  'daemon-tls': [
    { label: 'unknown', facts: recorded, status: 'info' },
    { label: 'decided: TCP without TLS', facts: decided({ tcpWithoutTls: true }), status: 'fail' },
    { label: 'decided: no such socket', facts: decided({ tcpWithoutTls: false }), status: 'pass' },
    {
      label: "engine's warning",
      facts: withInfo(
        (i) => void (i.Warnings = ['WARNING: API is accessible on http://0.0.0.0:2375 without encryption.']),
      ),
      status: 'fail',
    },
  ],
  'daemon-default-ulimits': [
    { label: 'unknown', facts: recorded, status: 'info' },
    { label: 'none set', facts: decided({ defaultUlimits: [] }), status: 'info' },
    {
      label: 'set',
      facts: decided({ defaultUlimits: [{ name: 'nofile', soft: 1024, hard: 4096 }] }),
      status: 'pass',
    },
  ],
  'daemon-userns-remap': [
    { label: 'recorded: none', facts: recorded, status: 'warn' },
    { label: 'userns', facts: secopts('name=seccomp,profile=default', 'name=userns'), status: 'pass' },
    { label: 'rootless', facts: secopts('name=rootless'), status: 'pass' },
  ],
  'daemon-authz-plugin': [
    { label: 'recorded: none', facts: recorded, status: 'warn' },
    { label: 'one plugin', facts: () => authz('27.1.1'), status: 'pass', message: /opa-docker-authz/ },
    { label: 'Plugins missing', facts: withInfo((i) => void delete i.Plugins), status: 'info' },
  ],
  'daemon-logging-driver': [
    { label: 'json-file', facts: recorded, status: 'warn' },
    { label: 'syslog', facts: withInfo((i) => void (i.LoggingDriver = 'syslog')), status: 'pass' },
    { label: 'none', facts: withInfo((i) => void (i.LoggingDriver = 'none')), status: 'fail' },
  ],
  'daemon-no-new-privileges': [
    { label: 'unknown', facts: recorded, status: 'info' },
    { label: 'on', facts: decided({ noNewPrivilegesDefault: true }), status: 'pass' },
    { label: 'off', facts: decided({ noNewPrivilegesDefault: false }), status: 'warn' },
  ],
  'daemon-live-restore': [
    { label: 'recorded: off', facts: recorded, status: 'warn' },
    { label: 'on', facts: withInfo((i) => void (i.LiveRestoreEnabled = true)), status: 'pass' },
    {
      label: 'swarm active',
      facts: withInfo((i) => void ((i.Swarm as Record<string, unknown>).LocalNodeState = 'active')),
      status: 'na',
    },
  ],
  'daemon-userland-proxy': [
    { label: 'unknown', facts: recorded, status: 'info' },
    { label: 'on', facts: decided({ userlandProxy: true }), status: 'warn' },
    { label: 'off', facts: decided({ userlandProxy: false }), status: 'pass' },
  ],
  'daemon-seccomp-profile': [
    { label: 'recorded: default', facts: recorded, status: 'pass' },
    { label: 'builtin (newer engines)', facts: secopts('name=seccomp,profile=builtin'), status: 'pass' },
    {
      label: 'custom',
      facts: secopts('name=seccomp,profile=/etc/docker/seccomp.json'),
      status: 'pass',
      message: /seccomp\.json/,
    },
    { label: 'unconfined', facts: secopts('name=seccomp,profile=unconfined'), status: 'fail' },
    { label: 'no seccomp support', facts: secopts('name=apparmor'), status: 'fail' },
  ],
  'daemon-experimental': [
    { label: 'off', facts: recorded, status: 'pass' },
    { label: 'on', facts: withInfo((i) => void (i.ExperimentalBuild = true)), status: 'warn' },
  ],
  'daemon-swarm': [
    { label: 'inactive', facts: recorded, status: 'pass' },
    {
      label: 'active',
      facts: withInfo((i) => void ((i.Swarm as Record<string, unknown>).LocalNodeState = 'active')),
      status: 'warn',
    },
    { label: 'missing', facts: withInfo((i) => void delete i.Swarm), status: 'info' },
  ],
  'daemon-cgroup-version': [
    { label: 'recorded: v1', facts: recorded, status: 'warn' },
    { label: 'v2', facts: withInfo((i) => void (i.CgroupVersion = '2')), status: 'pass' },
  ],
  'authz-cve-2024-41110': [
    { label: 'recorded: no plugin', facts: recorded, status: 'na' },
    ...[
      ['19.03.15', 'fail'],
      ['20.10.27', 'fail'],
      ['v20.10.27', 'fail'],
      ['23.0.14', 'fail'],
      ['23.0.15', 'pass'],
      ['24.0.0', 'fail'],
      ['24.0.9', 'fail'],
      ['25.0.5', 'fail'],
      ['25.0.6', 'pass'],
      ['26.0.0', 'fail'],
      ['26.0.2', 'fail'],
      ['26.1.4', 'fail'],
      ['26.1.5', 'pass'],
      ['27.0.3', 'fail'],
      ['27.1.0', 'fail'],
      ['27.1.1', 'pass'],
      ['28.0.0', 'pass'],
      ['20.10.24+dfsg1', 'warn'], // a distribution build may carry the backport
      ['18.09.1', 'warn'], // older than the advisory's ranges, end of life
      ['dev', 'info'],
    ].map(([version, status]): Case => ({
      label: `${version} with a plugin`,
      facts: () => authz(version ?? ''),
      status: status as FindingStatus,
    })),
  ],
  'authz-cve-2026-34040': [
    { label: 'recorded: no plugin', facts: recorded, status: 'na' },
    { label: '27.1.1 with a plugin', facts: () => authz('27.1.1'), status: 'fail' },
    { label: '29.3.0 with a plugin', facts: () => authz('29.3.0'), status: 'fail' },
    { label: '29.3.1 with a plugin', facts: () => authz('29.3.1'), status: 'pass' },
    { label: '29.3.0 without a plugin', facts: () => authz('29.3.0', []), status: 'na' },
  ],
};

describe.each(Object.keys(CASES))('daemon rule %s', (ruleId) => {
  it.each(CASES[ruleId] ?? [])('$label → $status', (c) => {
    const rule = DAEMON_RULES.find((r) => r.id === ruleId);
    if (rule === undefined) throw new Error(`no rule ${ruleId}`);
    const [f] = evaluateDaemon(c.facts(), [rule]);
    expect({ status: f?.status, message: f?.message }).toMatchObject({ status: c.status });
    if (c.message !== undefined) expect(f?.message).toMatch(c.message);
    expect(f?.evidenceKind).toBe('configuration-only');
    expect(f?.evidence.length).toBeGreaterThan(0);
  });
});

describe('the daemon rule set', () => {
  it('has table cases for every rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(DAEMON_RULES.map((r) => r.id).sort());
  });

  it('covers the §2 items the engine API or the host can answer, and 5.1', () => {
    const cis = DAEMON_RULES.map((r) => r.cisId).filter((c): c is string => c !== null);
    expect([...cis].sort()).toEqual(
      [
        '2.1',
        '2.2',
        '2.3',
        '2.4',
        '2.5',
        '2.6',
        '2.7',
        '2.8',
        '2.9',
        '2.12',
        '2.13',
        '2.14',
        '2.15',
        '2.16',
        '2.17',
        '2.18',
        '5.1',
      ].sort(),
    );
  });
});

describe('CVE-2024-41110 ranges', () => {
  it('end exactly at the patched releases 23.0.15, 25.0.6, 26.1.5 and 27.1.1', () => {
    expect(CVE_2024_41110_RANGES.map((r) => r.before)).toEqual(['23.0.15', '25.0.6', '26.1.5', '27.1.1']);
  });

  it('never overlap', () => {
    const parsed = CVE_2024_41110_RANGES.map(
      (r) => [parseEngineVersion(r.from), parseEngineVersion(r.before)] as const,
    );
    for (let i = 1; i < parsed.length; i++) {
      const prevBefore = parsed[i - 1]?.[1];
      const from = parsed[i]?.[0];
      if (prevBefore == null || from == null) throw new Error('unparseable range');
      expect(compareVersions(prevBefore, from)).toBeLessThanOrEqual(0);
    }
  });

  it.each([
    ['27.1.1', { major: 27, minor: 1, patch: 1, suffix: '', distributionBuild: false }],
    ['v24.0.7', { major: 24, minor: 0, patch: 7, suffix: '', distributionBuild: false }],
    ['20.10.24+dfsg1', { major: 20, minor: 10, patch: 24, suffix: '+dfsg1', distributionBuild: true }],
    ['28.0.0-rc.1', { major: 28, minor: 0, patch: 0, suffix: '-rc.1', distributionBuild: false }],
    ['26.1.3-1ubuntu1', { major: 26, minor: 1, patch: 3, suffix: '-1ubuntu1', distributionBuild: true }],
  ])('parses %s', (raw, expected) => {
    expect(parseEngineVersion(raw)).toEqual(expected);
  });
});
