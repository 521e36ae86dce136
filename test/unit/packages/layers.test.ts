import { describe, expect, it } from 'vitest';

import type { CapturedEntry, LayerSummary } from '../../../shared/domain/packages/image.js';
import {
  fileView,
  mapImageConfig,
  mergeLayers,
  normaliseEntryPath,
  resolvePath,
  specialFiles,
  wantedContent,
  wantedSymlink,
} from '../../../shared/domain/packages/image.js';
import { buildInventory, NO_PACKAGE_DB } from '../../../shared/domain/packages/inventory.js';

const enc = new TextEncoder();
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function file(path: string, text: string | null, mode = 0o644): CapturedEntry {
  return {
    kind: 'file',
    path,
    mode,
    uid: 0,
    gid: 0,
    size: text?.length ?? 0,
    content: text === null ? null : enc.encode(text),
  };
}

/** A layer summary; `paths` defaults to the captured paths plus any extra touched paths. */
function layer(
  captured: CapturedEntry[],
  opts: { whiteouts?: string[]; opaque?: string[]; touched?: string[]; dirs?: string[] } = {},
): LayerSummary {
  const paths = new Set([...captured.map((c) => c.path), ...(opts.touched ?? []), ...(opts.dirs ?? [])]);
  const nonDirectories = new Set([...paths].filter((p) => !(opts.dirs ?? []).includes(p)));
  return {
    key: 'l',
    captured,
    whiteouts: new Set(opts.whiteouts ?? []),
    opaqueDirs: new Set(opts.opaque ?? []),
    paths,
    nonDirectories,
    entries: paths.size,
  };
}

describe('mergeLayers: OCI layer semantics', () => {
  it('a later layer replaces a file; a whiteout deletes it; entries of the whiteout layer itself stay', () => {
    const merged = mergeLayers([
      layer([
        file('/var/lib/dpkg/status', 'v1'),
        file('/usr/bin/a', null, 0o4755),
        file('/usr/bin/b', null, 0o4755),
      ]),
      layer([file('/var/lib/dpkg/status', 'v2'), file('/usr/bin/c', null, 0o2755)], {
        whiteouts: ['/usr/bin/a', '/usr/bin/c'],
      }),
    ]);
    expect(dec((merged.get('/var/lib/dpkg/status') as { content: Uint8Array }).content)).toBe('v2');
    expect([...merged.keys()].sort()).toEqual(['/usr/bin/b', '/usr/bin/c', '/var/lib/dpkg/status']);
    expect(merged.get('/usr/bin/b')?.layer).toBe(0);
    expect(merged.get('/usr/bin/c')?.layer).toBe(1);
  });

  it('an opaque directory hides everything below it from lower layers, not its own new entries', () => {
    const merged = mergeLayers([
      layer([
        file('/var/lib/dpkg/status.d/a', 'A'),
        file('/var/lib/dpkg/status.d/b', 'B'),
        file('/opt/x', null, 0o4755),
      ]),
      layer([file('/var/lib/dpkg/status.d/c', 'C')], {
        opaque: ['/var/lib/dpkg/status.d'],
        dirs: ['/var/lib/dpkg/status.d'],
      }),
    ]);
    expect([...merged.keys()].sort()).toEqual(['/opt/x', '/var/lib/dpkg/status.d/c']);
  });

  it('a whiteout of a directory deletes everything below it', () => {
    const merged = mergeLayers([
      layer([file('/opt/tools/su', null, 0o4755), file('/opt/toolsx', null, 0o4755)]),
      layer([], { whiteouts: ['/opt/tools'] }),
    ]);
    expect([...merged.keys()]).toEqual(['/opt/toolsx']);
  });

  it('an uncaptured entry at the same path (a plain file replacing a setuid one) hides the lower one', () => {
    const merged = mergeLayers([
      layer([file('/usr/bin/su', null, 0o4755)]),
      layer([], { touched: ['/usr/bin/su'] }),
    ]);
    expect(specialFiles(merged)).toEqual([]);
  });

  it('a file or symlink replacing a directory hides what was below the directory', () => {
    const merged = mergeLayers([
      layer([file('/lib/apk/db/installed', 'P:x\nV:1-r0\n')]),
      layer([], { touched: ['/lib'] }),
    ]);
    expect(merged.size).toBe(0);
  });

  it('a directory entry over a directory merges (does not hide)', () => {
    const merged = mergeLayers([
      layer([file('/etc/os-release', 'ID=debian\n')]),
      layer([], { dirs: ['/etc'] }),
    ]);
    expect(merged.has('/etc/os-release')).toBe(true);
  });

  it('lists setuid/setgid files with their bits and layer', () => {
    const merged = mergeLayers([
      layer([
        file('/usr/bin/su', null, 0o104755),
        file('/usr/bin/wall', null, 0o102755),
        file('/bin/ls', null, 0o755),
      ]),
    ]);
    expect(specialFiles(merged)).toEqual([
      { path: '/usr/bin/su', mode: 0o4755, setuid: true, setgid: false, uid: 0, gid: 0, layer: 0 },
      { path: '/usr/bin/wall', mode: 0o2755, setuid: false, setgid: true, uid: 0, gid: 0, layer: 0 },
    ]);
  });
});

describe('symlinks and the file view', () => {
  const merged = mergeLayers([
    layer([
      { kind: 'symlink', path: '/etc/os-release', target: '../usr/lib/os-release' },
      file('/usr/lib/os-release', 'ID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n'),
      { kind: 'symlink', path: '/lib', target: 'usr/lib' },
      file('/usr/lib/apk/db/installed', 'P:musl\nV:1.2.4-r0\no:musl\n'),
      { kind: 'symlink', path: '/loop', target: '/loop' },
    ]),
  ]);

  it('follows relative and absolute symlinks, including on directories, and stops on loops', () => {
    expect(resolvePath(merged, '/etc/os-release')).toBe('/usr/lib/os-release');
    expect(resolvePath(merged, '/lib/apk/db/installed')).toBe('/usr/lib/apk/db/installed');
    expect(resolvePath(merged, '/loop/x')).toBeNull();
  });

  it('builds the inventory through the links (merged /usr Alpine)', () => {
    const inv = buildInventory(fileView(merged, dec));
    expect(inv.status).toBe('packages');
    expect(inv.ecosystem).toEqual({ ok: true, ecosystem: 'Alpine:v3.18' });
    expect(inv.packages).toEqual([
      {
        name: 'musl',
        version: '1.2.4-r0',
        sourceName: 'musl',
        sourceVersion: '1.2.4-r0',
        arch: '',
        format: 'apk',
        ecosystem: 'Alpine:v3.18',
      },
    ]);
    expect(inv.summary).toBe('1 apk packages (Alpine Linux v3.18)');
  });

  it('says "no package database found" for an image without one, and names an RPM database it cannot read', () => {
    const none = buildInventory(fileView(mergeLayers([layer([])]), dec));
    expect(none.status).toBe('no-package-db');
    expect(none.summary).toBe(`${NO_PACKAGE_DB} (unknown OS)`);
    const rpm = buildInventory(
      fileView(mergeLayers([layer([file('/var/lib/rpm/rpmdb.sqlite', 'SQLite format 3\0')])]), dec),
    );
    expect(rpm.status).toBe('unsupported-db');
    expect(rpm.databases).toEqual([
      { format: 'rpm', path: '/var/lib/rpm/rpmdb.sqlite', read: false, packages: 0, skipped: 0 },
    ]);
  });

  it('reads distroless status.d stanzas, ignoring md5sums files', () => {
    const m = mergeLayers([
      layer([
        file(
          '/var/lib/dpkg/status.d/base',
          'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n',
        ),
        file('/var/lib/dpkg/status.d/libc6', 'Package: libc6\nVersion: 2.36-9+deb12u4\nSource: glibc\n'),
        file('/var/lib/dpkg/status.d/libc6.md5sums', 'd41d8cd98f00b204e9800998ecf8427e  lib/x\n'),
      ]),
    ]);
    const inv = buildInventory(fileView(m, dec));
    expect(inv.packages.map((p) => `${p.name}=${p.version}<${p.sourceName}`)).toEqual([
      'base-files=12.4+deb12u5<base-files',
      'libc6=2.36-9+deb12u4<glibc',
    ]);
    expect(inv.databases[0]?.path).toBe('/var/lib/dpkg/status.d/ (2 files)');
  });
});

describe('what a reader keeps', () => {
  it('wants the package databases, os-release and the directories leading to them', () => {
    expect(wantedContent('/var/lib/dpkg/status')).toBe('content');
    expect(wantedContent('/var/lib/dpkg/status.d/libc6')).toBe('content');
    expect(wantedContent('/var/lib/dpkg/status-old')).toBeNull();
    expect(wantedContent('/var/lib/rpm/Packages')).toBe('presence');
    expect(wantedSymlink('/lib')).toBe(true);
    expect(wantedSymlink('/etc/os-release')).toBe(true);
    expect(wantedSymlink('/usr/bin/python3')).toBe(false);
  });

  it('normalises tar names and refuses escapes', () => {
    expect(normaliseEntryPath('./etc/')).toBe('/etc');
    expect(normaliseEntryPath('etc//os-release')).toBe('/etc/os-release');
    expect(normaliseEntryPath('../etc/passwd')).toBeNull();
    expect(normaliseEntryPath('./')).toBeNull();
  });
});

describe('mapImageConfig', () => {
  it('maps the fields the analysers use', () => {
    const c = mapImageConfig({
      architecture: 'amd64',
      os: 'linux',
      created: '2026-12-03T19:24:00Z',
      config: {
        User: 'app',
        Env: ['PATH=/bin', 42],
        Cmd: ['/bin/sh'],
        Healthcheck: { Test: ['CMD', 'true'], Interval: 30e9, Retries: 3 },
        Labels: { a: 'b', n: 1 },
        ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
      },
      history: [
        { created: '2026-01-01T00:00:00Z', created_by: 'ADD x /', empty_layer: false },
        { created_by: 'CMD', empty_layer: true },
      ],
      rootfs: { type: 'layers', diff_ids: ['sha256:aa'] },
    });
    expect(c).toEqual({
      user: 'app',
      env: ['PATH=/bin'],
      entrypoint: null,
      cmd: ['/bin/sh'],
      workingDir: '',
      healthcheck: {
        test: ['CMD', 'true'],
        intervalNs: 30e9,
        timeoutNs: null,
        startPeriodNs: null,
        retries: 3,
      },
      labels: { a: 'b' },
      exposedPorts: ['53/udp', '8080/tcp'],
      history: [
        { created: '2026-01-01T00:00:00Z', createdBy: 'ADD x /', comment: '', emptyLayer: false },
        { created: null, createdBy: 'CMD', comment: '', emptyLayer: true },
      ],
      created: '2026-12-03T19:24:00Z',
      architecture: 'amd64',
      os: 'linux',
      diffIds: ['sha256:aa'],
    });
    expect(() => mapImageConfig([])).toThrow('image config is not a JSON object');
    expect(() => mapImageConfig({ config: {} })).toThrow('image config has no rootfs');
  });
});
