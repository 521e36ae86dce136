import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  mapInspect,
  parseNamespaceMode,
  parseSecurityOptions,
} from '../../../shared/domain/posture/map-inspect.js';
import type { FixtureName } from './fixtures.js';
import { loadInspect, MANIFEST } from './fixtures.js';

describe('mapInspect on recorded inspect documents', () => {
  it.each(MANIFEST.fixtures.map((f) => f.name as FixtureName))('%s maps without problems', (name) => {
    const r = mapInspect(loadInspect(name));
    if (!r.ok) throw new Error(r.problems.join('; '));
    expect(r.problems).toEqual([]);
    expect(r.snapshot.name).toBe(`bulkhead-posture-${name}`);
    expect(r.snapshot.image).toBe('bulkhead-test/busybox:1');
  });

  const table: {
    name: FixtureName;
    check: (s: Extract<ReturnType<typeof mapInspect>, { ok: true }>['snapshot']) => void;
  }[] = [
    {
      name: 'default',
      check: (s) => {
        expect(s.running).toBe(true);
        expect(s.privileged).toBe(false);
        expect([s.capAdd, s.capDrop]).toEqual([[], []]);
        expect(s.securityOptions?.seccomp).toEqual({ kind: 'default' });
        expect(s.namespaces.network).toMatchObject({ kind: 'bridge', raw: 'default' });
        expect(s.namespaces.pid).toMatchObject({ kind: 'private', raw: '' });
        expect(s.namespaces.cgroup).toMatchObject({ kind: 'host' });
        expect(s.resources).toMatchObject({ memory: 0, nanoCpus: 0, pidsLimit: 0 });
        expect(s.maskedPaths).toHaveLength(10);
        expect(s.healthcheck).toBe('absent');
        expect(s.user).toBe('');
      },
    },
    {
      name: 'privileged',
      check: (s) => {
        expect([s.running, s.pid, s.state]).toEqual([false, 0, 'created']);
        expect(s.privileged).toBe(true);
        expect(s.securityOptions?.label.disabled).toBe(true);
        expect(s.maskedPaths).toEqual([]);
      },
    },
    {
      name: 'cap-add-all',
      check: (s) => {
        expect(s.capAdd).toEqual(['ALL']);
        expect(s.capDrop).toEqual(['CAP_SYS_RESOURCE']);
        expect(s.securityOptions?.seccomp).toEqual({ kind: 'unconfined' });
        // The engine consumes systempaths=unconfined: it is not in SecurityOpt, only the empty masks tell.
        expect(s.securityOptions?.systempathsUnconfined).toBe(false);
        expect([s.maskedPaths, s.readonlyPaths]).toEqual([[], []]);
      },
    },
    {
      name: 'docker-sock-host-ns',
      check: (s) => {
        expect(s.mounts).toEqual([
          {
            type: 'bind',
            source: '/var/run/docker.sock',
            destination: '/var/run/docker.sock',
            rw: true,
            mode: '',
            propagation: 'rprivate',
          },
        ]);
        expect(s.namespaces.pid?.kind).toBe('host');
        expect(s.namespaces.network?.kind).toBe('host');
        expect(s.securityOptions?.label.disabled).toBe(true); // the engine adds label=disable for --pid host
      },
    },
    {
      name: 'hardened',
      check: (s) => {
        expect(s.readonlyRootfs).toBe(true);
        expect(s.capDrop).toEqual(['ALL']);
        expect(s.securityOptions?.noNewPrivileges).toBe(true);
        expect(s.user).toBe('1000:1000');
        expect(s.resources).toMatchObject({ memory: 64 * 1024 * 1024, nanoCpus: 500_000_000, pidsLimit: 50 });
      },
    },
    {
      name: 'published-apparmor-unconfined',
      check: (s) => {
        expect(s.portBindings).toEqual([{ containerPort: '80/tcp', hostIp: '0.0.0.0', hostPort: '8080' }]);
        expect(s.securityOptions?.apparmor).toEqual({ kind: 'unconfined' });
      },
    },
    {
      name: 'etc-ro',
      check: (s) => {
        expect(s.mounts?.[0]).toMatchObject({
          source: '/etc',
          destination: '/host-etc',
          rw: false,
          mode: 'ro',
        });
      },
    },
  ];
  it.each(table)('$name: fields', ({ name, check }) => {
    const r = mapInspect(loadInspect(name));
    if (!r.ok) throw new Error(r.problems.join('; '));
    check(r.snapshot);
  });
});

describe('parseSecurityOptions', () => {
  it.each([
    [['seccomp=unconfined'], { seccomp: { kind: 'unconfined' } }],
    [['seccomp:unconfined'], { seccomp: { kind: 'unconfined' } }],
    [['seccomp=builtin'], { seccomp: { kind: 'default' } }],
    [
      ['seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"]},{"names":["write"]}]}'],
      {
        seccomp: { kind: 'custom', detail: 'inline profile: defaultAction SCMP_ACT_ERRNO, 2 syscall rules' },
      },
    ],
    [['seccomp={broken'], { seccomp: { kind: 'custom', detail: 'inline profile (unparseable JSON)' } }],
    [['apparmor=unconfined'], { apparmor: { kind: 'unconfined' } }],
    [['apparmor=my-profile'], { apparmor: { kind: 'profile', name: 'my-profile' } }],
    [['label=disable'], { label: { disabled: true, options: [] } }],
    [['label:disable'], { label: { disabled: true, options: [] } }],
    [
      ['label=user:system_u', 'label=type:svirt_apache_t'],
      { label: { disabled: false, options: ['user:system_u', 'type:svirt_apache_t'] } },
    ],
    [['no-new-privileges'], { noNewPrivileges: true }],
    [['no-new-privileges:true'], { noNewPrivileges: true }],
    [['no-new-privileges=false'], { noNewPrivileges: false }],
    [['systempaths=unconfined'], { systempathsUnconfined: true }],
    [['writable-cgroups=true', 'bogus'], { unrecognized: ['writable-cgroups=true', 'bogus'] }],
    [
      [],
      {
        seccomp: { kind: 'default' },
        apparmor: { kind: 'default' },
        noNewPrivileges: false,
        systempathsUnconfined: false,
      },
    ],
  ])('%j', (raw, expected) => {
    expect(parseSecurityOptions(raw)).toMatchObject(expected);
  });
});

describe('parseNamespaceMode', () => {
  it.each([
    ['default', 'network', 'bridge', null],
    ['bridge', 'network', 'bridge', null],
    ['my-net', 'network', 'network', 'my-net'],
    ['host', 'network', 'host', null],
    ['none', 'network', 'none', null],
    ['container:abc', 'network', 'container', 'abc'],
    ['', 'other', 'private', null],
    ['private', 'other', 'private', null],
    ['shareable', 'other', 'shareable', null],
    ['host', 'other', 'host', null],
    ['container:db', 'other', 'container', 'db'],
  ] as const)('%j (%s) → %s', (raw, which, kind, target) => {
    expect(parseNamespaceMode(raw, which)).toEqual({ raw, kind, target });
  });
});

describe('mapInspect on bad input', () => {
  it.each([null, undefined, 42, 'text', [], [loadInspect('default')]])(
    'refuses %j without throwing',
    (doc) => {
      const r = mapInspect(doc);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems[0]).toMatch(/inspect document: expected object/);
    },
  );

  it('refuses a document without a full Id but keeps the name for the error', () => {
    const doc = { ...loadInspect('default'), Id: 'f13b13499b51' };
    const r = mapInspect(doc);
    expect(r).toMatchObject({ ok: false, id: 'f13b13499b51', name: 'bulkhead-posture-default' });
    const noId: Record<string, unknown> = { ...loadInspect('default') };
    delete noId.Id;
    expect(mapInspect(noId)).toMatchObject({
      ok: false,
      id: null,
      problems: ['Id: expected string, got undefined'],
    });
  });

  it('turns mistyped fields into nulls and problems', () => {
    const doc = loadInspect('default');
    const hc = doc.HostConfig as Record<string, unknown>;
    hc.Privileged = 'yes';
    hc.CapAdd = 'SYS_ADMIN';
    hc.Memory = '64m';
    hc.PidsLimit = null; // the engine's way of saying unlimited: not a problem
    hc.Devices = [
      { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
      'junk',
    ];
    doc.Mounts = [{ Type: 'bind', Source: '/etc' }, 7];
    const r = mapInspect(doc);
    if (!r.ok) throw new Error('should map');
    expect(r.snapshot.privileged).toBeNull();
    expect(r.snapshot.capAdd).toBeNull();
    expect(r.snapshot.resources.memory).toBeNull();
    expect(r.snapshot.resources.pidsLimit).toBe(0);
    expect(r.snapshot.devices).toEqual([
      { pathOnHost: '/dev/fuse', pathInContainer: '/dev/fuse', cgroupPermissions: 'rwm' },
    ]);
    expect(r.snapshot.mounts).toEqual([]);
    expect([...r.problems].sort()).toEqual(
      [
        'HostConfig.Privileged: expected boolean, got string',
        'HostConfig.CapAdd: expected array of strings, got string',
        'HostConfig.Memory: expected number, got string',
        'Mounts[0]: unexpected shape, skipped',
        'Mounts[1]: expected object, got number',
        'HostConfig.Devices[1]: expected object, got string',
      ].sort(),
    );
  });

  it('refuses a document without HostConfig: no isolation check could be judged', () => {
    const doc = loadInspect('default');
    delete doc.HostConfig;
    const r = mapInspect(doc);
    if (r.ok) throw new Error('should refuse');
    expect(r.id).toBe(doc.Id);
    expect(r.problems[0]).toMatch(/^HostConfig: expected object, got undefined; no isolation check/);
  });

  it('reports a mistyped Config and HostConfig field as problems, not a crash', () => {
    const doc = loadInspect('default');
    (doc.HostConfig as Record<string, unknown>).Privileged = 'yes';
    doc.Config = 'nope';
    const r = mapInspect(doc);
    if (!r.ok) throw new Error('should map');
    expect(r.problems).toContain('Config: expected object, got string');
    expect(r.problems.some((p) => p.startsWith('HostConfig.Privileged: expected'))).toBe(true);
    expect(r.snapshot.privileged).toBeNull();
  });

  it('never throws on arbitrary JSON, nor on a recorded document with any field replaced', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => void mapInspect(v)),
      { numRuns: 300 },
    );
    const paths = collectPaths(loadInspect('docker-sock-host-ns'));
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const doc = loadInspect('docker-sock-host-ns');
        setPath(doc, path, value);
        const r = mapInspect(doc);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

function collectPaths(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => collectPaths(x, [...prefix, k]))].filter(
    (p) => p.length > 0,
  );
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur: unknown = root;
  for (const key of path.slice(0, -1)) cur = (cur as Record<string, unknown>)[key];
  (cur as Record<string, unknown>)[path[path.length - 1] ?? ''] = value;
}
