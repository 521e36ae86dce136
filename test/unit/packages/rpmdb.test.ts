import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { CapturedEntry } from '../../../shared/domain/packages/image.js';
import { fileView, mergeLayers } from '../../../shared/domain/packages/image.js';
import type { ImageFileView } from '../../../shared/domain/packages/inventory.js';
import { buildInventory } from '../../../shared/domain/packages/inventory.js';
import type { Package } from '../../../shared/domain/packages/model.js';
import { parseRpmHeader, parseSourceRpmName } from '../../../shared/domain/packages/rpm-header.js';
import type { RpmParsedPackages } from '../../../shared/domain/packages/rpmdb.js';
import { parseRpmSqlite } from '../../../shared/domain/packages/rpmdb.js';
import { findTable, openSqlite, readTable } from '../../../shared/domain/packages/sqlite-file.js';
import { splitRpmEvr } from '../../../shared/domain/packages/version-rpm.js';

/** Real rpm databases written by test/support/make-rpmdb.sh with rpmbuild and rpm (see the fixture README). */
const fixturePath = (name: string): string => new URL(`../../fixtures/rpm/${name}`, import.meta.url).pathname;
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(name)));

const rpmAvailable = spawnSync('rpm', ['--version']).status === 0;
/** Said in the test name when the oracle is missing (CI installs rpm). */
const SKIP_REASON = rpmAvailable ? '' : ' (skipped: rpm is not installed; apt-get install rpm)';

interface OracleLine {
  name: string;
  epochNum: string;
  version: string;
  release: string;
  arch: string;
  sourceRpm: string;
  evr: string;
}

/**
 * What the real rpm says is installed: `rpm -qa` on a copy of the fixture (rpm creates lock, -shm and -wal
 * files beside the database, even to read it).
 */
function rpmQueryAll(name: string): OracleLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-rpmdb-'));
  try {
    copyFileSync(fixturePath(name), join(dir, 'rpmdb.sqlite'));
    const out = spawnSync(
      'rpm',
      [
        '--dbpath',
        dir,
        '-qa',
        '--qf',
        '%{NAME}|%{EPOCHNUM}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{EVR}\\n',
      ],
      { encoding: 'utf8' },
    );
    if (out.status !== 0) throw new Error(`rpm -qa failed: ${out.stderr}`);
    return out.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [n, epochNum, version, release, arch, sourceRpm, evr] = line.split('|') as [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        return { name: n, epochNum, version, release, arch, sourceRpm, evr };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(bytes: Uint8Array, ecosystem: string | null = 'Rocky Linux:9'): RpmParsedPackages {
  const r = parseRpmSqlite(bytes, { ecosystem });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The source rpm file name a package's source name and version stand for (the epoch is not in it). */
const sourceRpmOf = (p: Package): string => {
  const { version, release } = splitRpmEvr(p.sourceVersion);
  return `${p.sourceName}-${version}-${release}.src.rpm`;
};

describe.each(['rpmdb-small.sqlite', 'rpmdb-many.sqlite'])('parseRpmSqlite on %s', (name) => {
  const parsed = parse(fixture(name));

  it.skipIf(!rpmAvailable)(
    `reads exactly the packages \`rpm -qa\` lists, gpg-pubkey aside${SKIP_REASON}`,
    () => {
      const oracle = rpmQueryAll(name);
      const real = oracle.filter((o) => o.name !== 'gpg-pubkey');
      expect(parsed.pubkeys).toBe(oracle.length - real.length);
      expect(parsed.skipped).toBe(0);
      expect(parsed.problems).toEqual([]);
      expect(parsed.incomplete).toBeNull();
      expect(parsed.packages.map((p) => [p.name, p.version, p.arch, sourceRpmOf(p)])).toEqual(
        real.map((o) => [o.name, o.evr, o.arch, o.sourceRpm]),
      );
      for (const [i, o] of real.entries()) {
        const evr = splitRpmEvr(parsed.packages[i]?.version ?? '');
        expect([evr.epoch, evr.version, evr.release]).toEqual([o.epochNum, o.version, o.release]);
      }
    },
  );

  it('stamps every package with the format and ecosystem', () => {
    expect(parsed.packages.every((p) => p.format === 'rpm' && p.ecosystem === 'Rocky Linux:9')).toBe(true);
  });
});

describe('the packages make-rpmdb.sh built', () => {
  const small = parse(fixture('rpmdb-small.sqlite'));
  const byName = new Map(small.packages.map((p) => [p.name, p]));

  it('keeps the epoch in the version and the source version, as rpm compares them', () => {
    expect(byName.get('bh-epoch')).toEqual({
      name: 'bh-epoch',
      version: '3:1.0-1.bh',
      sourceName: 'bh-epoch',
      sourceVersion: '3:1.0-1.bh',
      arch: 'noarch',
      format: 'rpm',
      ecosystem: 'Rocky Linux:9',
    });
    expect(byName.get('bh-longdesc')).toMatchObject({ version: '0.9~rc1-2', sourceVersion: '0.9~rc1-2' });
  });

  it('names the source package of a subpackage', () => {
    expect(byName.get('bh-tools-libs')).toMatchObject({
      version: '2.4.1-7.el9',
      sourceName: 'bh-tools',
      sourceVersion: '2.4.1-7.el9',
    });
  });

  it('leaves the gpg-pubkey pseudo-package out and counts it', () => {
    expect(small.pubkeys).toBe(1);
    expect(byName.has('gpg-pubkey')).toBe(false);
    expect([...byName.keys()].sort()).toEqual(['bh-epoch', 'bh-longdesc', 'bh-tools', 'bh-tools-libs']);
  });

  it('reads a header that spans SQLite overflow pages', () => {
    const db = openSqlite(fixture('rpmdb-small.sqlite'));
    if (!db.ok) throw new Error(db.error.message);
    const table = findTable(db.value, 'Packages');
    if (!table.ok) throw new Error(table.error.message);
    const blobs = [...readTable(db.value, table.value)].flatMap((s) =>
      s.ok && s.value.values[1] instanceof Uint8Array ? [s.value.values[1]] : [],
    );
    const long = blobs.find((b) => b.length > 4 * db.value.header.pageSize);
    expect(long).toBeDefined();
    const header = parseRpmHeader(long as Uint8Array);
    expect(header.ok && header.value).toMatchObject({ name: 'bh-longdesc', license: 'GPL-2.0-or-later' });
  });

  it('walks interior b-tree pages for 200 packages whose versions differ from their source', () => {
    const bytes = fixture('rpmdb-many.sqlite');
    const db = openSqlite(bytes);
    if (!db.ok) throw new Error(db.error.message);
    const table = findTable(db.value, 'Packages');
    if (!table.ok) throw new Error(table.error.message);
    expect(bytes[(table.value.rootPage - 1) * db.value.header.pageSize]).toBe(0x05);
    const many = parse(bytes);
    expect(many.packages).toHaveLength(200);
    expect(new Set(many.packages.map((p) => p.name)).size).toBe(200);
    expect(many.packages.find((p) => p.name === 'bh-many-042')).toMatchObject({
      version: '1.42-1',
      sourceName: 'bh-many',
      sourceVersion: '1.0-1',
    });
  });
});

describe('parseRpmHeader and parseSourceRpmName', () => {
  it('reads a header blob with the magic a package file carries as well', () => {
    const db = openSqlite(fixture('rpmdb-small.sqlite'));
    if (!db.ok) throw new Error(db.error.message);
    const table = findTable(db.value, 'Packages');
    if (!table.ok) throw new Error(table.error.message);
    for (const step of readTable(db.value, table.value)) {
      const blob = step.ok ? step.value.values[1] : null;
      if (!(blob instanceof Uint8Array)) throw new Error('no blob');
      const withMagic = new Uint8Array(blob.length + 8);
      withMagic.set([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
      withMagic.set(blob, 8);
      expect(parseRpmHeader(withMagic)).toEqual(parseRpmHeader(blob));
      expect(parseRpmHeader(blob.subarray(0, blob.length - 1))).toMatchObject({
        ok: false,
        error: { code: 'truncated' },
      });
    }
  });

  it.each([
    ['openssl-1.1.1k-5.el8.src.rpm', { name: 'openssl', version: '1.1.1k', release: '5.el8' }],
    ['python3-pip-21.3.1-4.el9.nosrc.rpm', { name: 'python3-pip', version: '21.3.1', release: '4.el9' }],
    ['glibc-2.34-60.el9_2.7.src.rpm', { name: 'glibc', version: '2.34', release: '60.el9_2.7' }],
    ['nohyphens.src.rpm', null],
    ['a-1.src.rpm', null],
    ['openssl-1.1.1k-5.el8.x86_64.rpm', null],
  ])('%s', (file, want) => {
    expect(parseSourceRpmName(file)).toEqual(want);
  });
});

describe('parseRpmSqlite on damaged input', () => {
  const original = fixture('rpmdb-small.sqlite');
  const all = parse(original).packages;

  it('says what is wrong with a file that is not an rpm database', () => {
    expect(parseRpmSqlite(new Uint8Array(0), { ecosystem: null })).toMatchObject({
      ok: false,
      error: { code: 'not-sqlite' },
    });
    expect(parseRpmSqlite(fixture('pages-512.sqlite'), { ecosystem: null })).toEqual({
      ok: false,
      error: { code: 'no-such-table', message: 'no Packages table: not an rpm database' },
    });
  });

  it('never throws on truncations and byte mutations; a truncated file gives a prefix of the packages', () => {
    for (const name of ['rpmdb-small.sqlite', 'rpmdb-many.sqlite']) {
      const bytes = fixture(name);
      const full = parse(bytes).packages;
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length }), (len) => {
          const r = parseRpmSqlite(bytes.slice(0, len), { ecosystem: 'Rocky Linux:9' });
          if (r.ok) expect(r.value.packages).toEqual(full.slice(0, r.value.packages.length));
        }),
        { numRuns: 60, seed: 5 },
      );
      const page = 4096;
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              // The header, the schema page and the Packages root, then anywhere.
              fc.oneof(
                fc.integer({ min: 0, max: 99 }),
                fc.integer({ min: 0, max: 2 * page - 1 }),
                fc.integer({ min: 0, max: bytes.length - 1 }),
              ),
              fc.integer({ min: 0, max: 255 }),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          (mutations) => {
            const mutated = bytes.slice();
            for (const [at, v] of mutations) mutated[at] = v;
            const r = parseRpmSqlite(mutated, { ecosystem: null });
            if (!r.ok) return;
            for (const p of r.value.packages) {
              expect(p.name).not.toBe('');
              expect(p.version).toMatch(/^(\d+:)?[^\s]+-[^\s]*$/);
            }
          },
        ),
        { numRuns: 200, seed: 13 },
      );
    }
  }, 30_000);

  it('counts a damaged header as skipped and reads the others', () => {
    // Overwrite the index count of the first header blob (stored on page 2, the Packages root).
    const db = openSqlite(original);
    if (!db.ok) throw new Error(db.error.message);
    const table = findTable(db.value, 'Packages');
    if (!table.ok) throw new Error(table.error.message);
    const first = [...readTable(db.value, table.value)][0];
    const blob = first?.ok ? first.value.values[1] : null;
    if (!(blob instanceof Uint8Array)) throw new Error('no blob');
    const damaged = original.slice();
    damaged.set([0xff, 0xff, 0xff, 0xff], blob.byteOffset - original.byteOffset);
    const r = parse(damaged);
    expect(r.skipped + r.pubkeys).toBe(1); // the first row is the gpg-pubkey, now unreadable
    expect(r.pubkeys).toBe(0);
    expect(r.problems).toEqual([
      expect.stringMatching(
        /^package 1: implausible header sizes \(4294967295 index entries, \d+ data bytes\)$/,
      ),
    ]);
    expect(r.packages).toEqual(all);
  });
});

/** A captured file for a layer. */
function file(path: string, content: Uint8Array | string): CapturedEntry {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { kind: 'file', path, mode: 0o644, uid: 0, gid: 0, size: bytes.length, content: bytes };
}

function view(entries: CapturedEntry[]): ImageFileView {
  const paths = new Set(entries.map((e) => e.path));
  return fileView(
    mergeLayers([
      {
        key: 'l',
        captured: entries,
        whiteouts: new Set(),
        opaqueDirs: new Set(),
        paths,
        nonDirectories: paths,
        entries: entries.length,
      },
    ]),
    (b) => new TextDecoder().decode(b),
  );
}

const ROCKY =
  'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n';

describe('buildInventory with an rpm database', () => {
  const db = fixture('rpmdb-small.sqlite');

  it('reads rpmdb.sqlite through the /var/lib/rpm → /usr/lib/sysimage/rpm link (Fedora, RHEL 9 layout)', () => {
    const inv = buildInventory(
      view([
        file('/etc/os-release', ROCKY),
        file('/usr/lib/sysimage/rpm/rpmdb.sqlite', db),
        { kind: 'symlink', path: '/var/lib/rpm', target: '../../usr/lib/sysimage/rpm' },
      ]),
    );
    expect(inv.status).toBe('packages');
    expect(inv.ecosystem).toEqual({ ok: true, ecosystem: 'Rocky Linux:9' });
    expect(inv.databases).toEqual([
      { format: 'rpm', path: '/var/lib/rpm/rpmdb.sqlite', read: true, packages: 4, skipped: 0 },
    ]);
    expect(inv.packages).toEqual(parse(db).packages);
    expect(inv.summary).toBe('4 rpm packages (Rocky Linux 9.3 (Blue Onyx))');
    expect(inv.problems).toEqual([]);
  });

  it('says why a damaged or truncated rpmdb.sqlite could not be read', () => {
    const inv = buildInventory(
      view([file('/etc/os-release', ROCKY), file('/var/lib/rpm/rpmdb.sqlite', db.slice(0, 50))]),
    );
    expect(inv.status).toBe('unsupported-db');
    expect(inv.databases).toEqual([
      { format: 'rpm', path: '/var/lib/rpm/rpmdb.sqlite', read: false, packages: 0, skipped: 0 },
    ]);
    expect(inv.summary).toBe(
      'RPM database at /var/lib/rpm/rpmdb.sqlite could not be read: the database header is cut off after 50 bytes (Rocky Linux 9.3 (Blue Onyx))',
    );
    // The longest page-aligned prefix with which rpm's schema is readable but not all of Packages.
    let cut = 0;
    for (let pages = db.length / 4096 - 1; pages > 0 && cut === 0; pages--) {
      const r = parseRpmSqlite(db.slice(0, pages * 4096), { ecosystem: null });
      if (r.ok && r.value.incomplete !== null && r.value.packages.length > 0) cut = pages * 4096;
    }
    expect(cut).toBeGreaterThan(0);
    const part = buildInventory(view([file('/var/lib/rpm/rpmdb.sqlite', db.slice(0, cut))]));
    expect(part.status).toBe('packages');
    expect(part.packages.length).toBeLessThan(4);
    expect(part.summary).toBe(
      `${part.packages.length} rpm packages (unknown OS); /var/lib/rpm/rpmdb.sqlite is damaged and was read only in part`,
    );
    expect(part.problems).toEqual([
      expect.stringMatching(
        /^\/var\/lib\/rpm\/rpmdb\.sqlite: the rest of the Packages table could not be read: .*past the end of the file/,
      ),
    ]);
  });

  it('recognises a Berkeley DB Packages file without reading it', () => {
    const inv = buildInventory(view([file('/etc/os-release', ROCKY), file('/var/lib/rpm/Packages', 'bdb')]));
    expect(inv.status).toBe('unsupported-db');
    expect(inv.databases).toEqual([
      { format: 'rpm', path: '/var/lib/rpm/Packages', read: false, packages: 0, skipped: 0 },
    ]);
    expect(inv.summary).toBe(
      'RPM database found at /var/lib/rpm/Packages (Rocky Linux 9.3 (Blue Onyx)) is a Berkeley DB database, which Bulkhead does not read; it reads rpmdb.sqlite (rpm 4.16 and later)',
    );
  });

  it('reports a view that cannot give bytes as not extracted', () => {
    const inv = buildInventory({
      readText: () => null,
      has: (p) => p === '/usr/lib/sysimage/rpm/rpmdb.sqlite',
      list: () => [],
    });
    expect(inv.status).toBe('unsupported-db');
    expect(inv.summary).toBe(
      'RPM database found at /usr/lib/sysimage/rpm/rpmdb.sqlite but its content was not extracted (unknown OS)',
    );
  });
});
