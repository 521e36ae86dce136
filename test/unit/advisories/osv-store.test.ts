import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultDataDir, OsvStore } from '../../../electron/adapters/advisories/osv-store.js';
import { parseApkInstalled } from '../../../shared/domain/packages/apk-installed.js';
import type { Package } from '../../../shared/domain/packages/model.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { osvFile, pkgdb, VULN_DATA } from '../packages/data.js';
import { makeZip } from './zip.js';

const DAY = 24 * 60 * 60 * 1000;
const OSV_DIR = `${VULN_DATA}osv`;
const realRecord = (name: string): string => readFileSync(osvFile(name), 'utf8');

let dir: string;
let now: number;
const store = (): OsvStore => new OsvStore({ dir: join(dir, 'store'), now: () => now });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulkhead-osv-'));
  now = Date.parse('2026-12-03T12:00:00Z');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What a failing import throws. */
async function importError(s: OsvStore, path: string, skipInvalid = false): Promise<BulkheadError> {
  try {
    await s.importFrom(path, { skipInvalid });
  } catch (e) {
    if (e instanceof BulkheadError) return e;
    throw e;
  }
  throw new Error('the import did not fail');
}

function musl(version: string): Package {
  return {
    name: 'musl',
    version,
    sourceName: 'musl',
    sourceVersion: version,
    arch: 'x86_64',
    format: 'apk',
    ecosystem: 'Alpine:v3.18',
  };
}

describe('importing the real OSV records', () => {
  it('imports a directory, grouping records by ecosystem base with per-release counts', async () => {
    const s = store();
    const report = await s.importFrom(OSV_DIR);
    expect(report).toMatchObject({
      kind: 'directory',
      filesRead: 8,
      invalid: 0,
      withdrawn: 0,
      duplicates: 0,
      withoutPackages: 0,
    });
    const meta = await s.meta();
    expect(meta?.ecosystems.map((e) => [e.base, e.records, e.counts])).toEqual([
      [
        'Alpine',
        1,
        Object.fromEntries(
          ['v3.16', 'v3.17', 'v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22', 'v3.23', 'v3.24'].map((v) => [
            `Alpine:${v}`,
            1,
          ]),
        ),
      ],
      ['Debian', 5, { 'Debian:9': 4, 'Debian:7': 1 }],
      ['Root', 2, { 'Root:Alpine:3.18': 1, 'Root:Debian:12': 1 }],
    ]);
    expect(meta?.ecosystems[0]).toMatchObject({
      source: OSV_DIR,
      importedAt: now,
      newestModified: '2026-07-08T04:32:24.548042624Z',
    });
  });

  it('indexes by (ecosystem, package) and finds the musl advisory for the real Alpine 3.18 database, with provenance', async () => {
    const s = store();
    await s.importFrom(OSV_DIR);
    expect((await s.recordsFor('Alpine:v3.18', 'musl')).map((r) => r.id)).toEqual(['ALPINE-CVE-2025-26519']);
    expect(await s.recordsFor('Alpine:v3.18', 'busybox')).toEqual([]);
    expect((await s.recordsFor('Debian:9', 'openssl')).map((r) => r.id)).toEqual(['DLA-3008-1']);
    // Stored per base, restricted to that base's affected entries.
    expect((await s.recordsFor('Alpine:v3.18', 'musl'))[0]?.affected).toHaveLength(9);

    const apk = parseApkInstalled(readFileSync(pkgdb('osv-scalibr_alpine_apk_installed'), 'utf8'), {
      ecosystem: 'Alpine:v3.18',
    });
    now += 8 * DAY;
    const { findings, missing } = await s.findings(apk.packages);
    expect(missing).toEqual([]);
    expect(findings.map((f) => [f.package.name, f.advisoryId, f.fixedVersion])).toEqual([
      ['musl', 'ALPINE-CVE-2025-26519', '1.2.4-r3'],
      ['musl-utils', 'ALPINE-CVE-2025-26519', '1.2.4-r3'],
    ]);
    expect(findings[0]?.db).toEqual({
      source: OSV_DIR,
      importedAt: now - 8 * DAY,
      ageMs: 8 * DAY,
      stale: true,
    });
  });

  it('names the ecosystems it has no data for', async () => {
    const s = store();
    await s.importFrom(osvFile('DSA-3029-1.json'));
    const { findings, missing } = await s.findings([musl('1.2.4-r0')]);
    expect(findings).toEqual([]);
    expect(missing).toEqual(['Alpine:v3.18']);
  });

  it('imports an OSV all.zip', async () => {
    const zip = join(dir, 'all.zip');
    writeFileSync(
      zip,
      makeZip(
        ['DLA-3008-1', 'DLA-3012-1', 'DLA-3022-1', 'DLA-3051-1', 'DSA-3029-1'].map((id) => ({
          name: `${id}.json`,
          data: realRecord(`${id}.json`),
        })),
      ),
    );
    const s = store();
    const report = await s.importFrom(zip);
    expect(report).toMatchObject({ kind: 'zip', filesRead: 5 });
    expect(report.imported.map((e) => [e.base, e.records])).toEqual([['Debian', 5]]);
    expect((await s.recordsFor('Debian:9', 'tzdata')).map((r) => r.id)).toEqual(['DLA-3051-1']);
  });
});

describe('imports replace per ecosystem base and never lose data on failure', () => {
  async function seeded(): Promise<OsvStore> {
    const s = store();
    await s.importFrom(OSV_DIR);
    return s;
  }

  /** The store's observable state: metadata and the musl and openssl lookups. */
  async function snapshot(s: OsvStore): Promise<unknown> {
    return {
      meta: await s.meta(),
      musl: (await s.recordsFor('Alpine:v3.18', 'musl')).map((r) => r.id),
      openssl: (await s.recordsFor('Debian:9', 'openssl')).map((r) => r.id),
      files: readdirSync(join(dir, 'store')).sort(),
    };
  }

  it('a later Debian import replaces the Debian records only and removes the old data file', async () => {
    const s = await seeded();
    const before = (await s.meta())!;
    now += DAY;
    const zip = join(dir, 'debian.zip');
    writeFileSync(zip, makeZip([{ name: 'DLA-3022-1.json', data: realRecord('DLA-3022-1.json') }]));
    await s.importFrom(zip);
    const after = (await s.meta())!;
    expect(after.ecosystems.map((e) => [e.base, e.records])).toEqual([
      ['Alpine', 1],
      ['Debian', 1],
      ['Root', 2],
    ]);
    expect(after.ecosystems.find((e) => e.base === 'Alpine')).toEqual(
      before.ecosystems.find((e) => e.base === 'Alpine'),
    );
    expect(await s.recordsFor('Debian:9', 'openssl')).toEqual([]);
    expect((await s.recordsFor('Debian:9', 'dpkg')).map((r) => r.id)).toEqual(['DLA-3022-1']);
    expect(readdirSync(join(dir, 'store')).filter((f) => f.endsWith('.jsonl'))).toHaveLength(3);
  });

  it('refuses a file that is not a zip', async () => {
    const s = await seeded();
    const before = await snapshot(s);
    const bad = join(dir, 'all.zip');
    writeFileSync(bad, 'this is not a zip file at all, just text long enough to look for a directory');
    const e = await importError(s, bad);
    expect(e.code).toBe('bad-request');
    expect(
      e.message.startsWith(`cannot import ${bad}: not a readable zip file (End of central directory`),
    ).toBe(true);
    expect(e.message.endsWith(') — nothing was changed')).toBe(true);
    expect(await snapshot(s)).toEqual(before);
  });

  it('refuses a truncated zip', async () => {
    const s = await seeded();
    const before = await snapshot(s);
    const whole = makeZip([{ name: 'DLA-3022-1.json', data: realRecord('DLA-3022-1.json') }]);
    const bad = join(dir, 'truncated.zip');
    writeFileSync(bad, whole.subarray(0, whole.length - 30));
    const e = await importError(s, bad);
    expect(e.message).toContain('not a readable zip file');
    expect(await snapshot(s)).toEqual(before);
  });

  it('refuses a zip with a corrupt entry, naming the entry, even with skipInvalid', async () => {
    const s = await seeded();
    const before = await snapshot(s);
    const bad = join(dir, 'corrupt.zip');
    writeFileSync(
      bad,
      makeZip([
        { name: 'DLA-3022-1.json', data: realRecord('DLA-3022-1.json') },
        { name: 'DLA-3051-1.json', data: realRecord('DLA-3051-1.json'), crc: 0x12345678 },
      ]),
    );
    const e = await importError(s, bad, true);
    expect(e.message).toBe(
      `cannot import ${bad}: DLA-3051-1.json: CRC-32 mismatch (corrupt zip entry) — nothing was changed`,
    );
    expect(await snapshot(s)).toEqual(before);
  });

  it('refuses a malformed record, naming the file and the reason; nothing already imported is lost', async () => {
    const s = await seeded();
    const before = await snapshot(s);
    const bad = join(dir, 'bad-record.zip');
    const broken = JSON.parse(realRecord('DLA-3022-1.json')) as {
      affected: { ranges: { events: object[] }[] }[];
    };
    broken.affected[0]!.ranges[0]!.events = [{ introduced: '0', fixed: '1.18.26' }];
    writeFileSync(
      bad,
      makeZip([
        { name: 'DLA-3012-1.json', data: realRecord('DLA-3012-1.json') },
        { name: 'DLA-3022-1.json', data: JSON.stringify(broken) },
      ]),
    );
    const e = await importError(s, bad);
    expect(e.message).toBe(
      `cannot import ${bad}: DLA-3022-1.json: not a valid OSV record: DLA-3022-1: affected[0].ranges[0].events[0]: expected exactly one of introduced, fixed, last_affected, limit (found introduced, fixed) (use --skip-invalid to import the valid records and skip such ones) — nothing was changed`,
    );
    expect(await snapshot(s)).toEqual(before);
  });

  it('refuses invalid JSON, and skips and counts it with skipInvalid', async () => {
    const s = await seeded();
    const bad = join(dir, 'json.zip');
    writeFileSync(
      bad,
      makeZip([
        { name: 'DLA-3012-1.json', data: realRecord('DLA-3012-1.json') },
        { name: 'broken.json', data: '{"id": "X", ' },
      ]),
    );
    expect((await importError(s, bad)).message).toMatch(/broken\.json: not valid JSON \(/);
    const report = await s.importFrom(bad, { skipInvalid: true });
    expect(report.invalid).toBe(1);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/^broken\.json: not valid JSON/);
    expect((await s.recordsFor('Debian:9', 'libxml2')).map((r) => r.id)).toEqual(['DLA-3012-1']);
  });

  it('refuses an empty source and a missing path', async () => {
    const s = await seeded();
    const before = await snapshot(s);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await importError(s, empty)).message).toBe(
      `cannot import ${empty}: no OSV records (.json files) in it — nothing was changed`,
    );
    const missing = await importError(s, join(dir, 'nope.zip'));
    expect(missing.code).toBe('not-found');
    expect(await snapshot(s)).toEqual(before);
  });

  it('drops withdrawn records and counts duplicates', async () => {
    const s = store();
    const withdrawn = {
      ...(JSON.parse(realRecord('DLA-3012-1.json')) as object),
      withdrawn: '2026-01-01T00:00:00Z',
    };
    const src = join(dir, 'src');
    mkdirSync(join(src, 'b'), { recursive: true });
    writeFileSync(join(src, 'DLA-3012-1.json'), JSON.stringify(withdrawn));
    writeFileSync(join(src, 'DLA-3022-1.json'), realRecord('DLA-3022-1.json'));
    writeFileSync(join(src, 'b', 'DLA-3022-1.json'), realRecord('DLA-3022-1.json'));
    const report = await s.importFrom(src);
    expect(report).toMatchObject({ filesRead: 3, withdrawn: 1, duplicates: 1 });
    expect(report.imported.map((e) => e.records)).toEqual([1]);
  });
});

describe('store robustness', () => {
  it('reports a corrupt data file clearly', async () => {
    const s = store();
    await s.importFrom(osvFile('DSA-3029-1.json'));
    const meta = (await s.meta())!;
    writeFileSync(join(dir, 'store', meta.ecosystems[0]!.file), '{"id": broken\n');
    await expect(store().recordsFor('Debian:7', 'nginx')).rejects.toThrow(
      /advisory database file .* is corrupt \(line 1: .*\); import Debian again/,
    );
  });

  it('reports a corrupt metadata file clearly', async () => {
    const s = store();
    await s.importFrom(osvFile('DSA-3029-1.json'));
    writeFileSync(join(dir, 'store', 'meta.json'), '{"format": "something-else"}');
    await expect(s.meta()).rejects.toThrow(/is unusable: unknown format "something-else"; import again/);
  });

  it('takes over the lock of a crashed import, and refuses while another live process holds it', async () => {
    const s = store();
    mkdirSync(join(dir, 'store'), { recursive: true });
    // A pid that is certainly not running: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, 'store', 'import.lock'), String(dead));
    await s.importFrom(osvFile('DSA-3029-1.json'));
    writeFileSync(join(dir, 'store', 'import.lock'), String(process.ppid));
    const e = await importError(s, osvFile('DLA-3022-1.json'));
    expect(e.message).toBe(
      `another advisory import is running (pid ${process.ppid}); try again when it has finished`,
    );
  });

  it('serialises concurrent imports in one process', async () => {
    const s = store();
    await Promise.all([
      s.importFrom(osvFile('DSA-3029-1.json')),
      s.importFrom(osvFile('ALPINE-CVE-2025-26519.json')),
    ]);
    expect((await s.meta())?.ecosystems.map((e) => e.base)).toEqual(['Alpine', 'Debian']);
  });

  it('lives in $XDG_DATA_HOME/bulkhead or ~/.local/share/bulkhead', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x/data' }, '/home/u')).toBe('/x/data/bulkhead');
    expect(defaultDataDir({}, '/home/u')).toBe('/home/u/.local/share/bulkhead');
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/share/bulkhead');
  });
});
