import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseApkInstalled } from '../../../shared/domain/packages/apk-installed.js';
import { parseDpkgStatus } from '../../../shared/domain/packages/dpkg-status.js';
import type { ParsedPackages } from '../../../shared/domain/packages/model.js';
import { MAX_PROBLEMS } from '../../../shared/domain/packages/model.js';
import { parseRpmHeader, parseSourceRpmName } from '../../../shared/domain/packages/rpm-header.js';
import { parseRpmSqlite } from '../../../shared/domain/packages/rpmdb.js';
import type { SqliteErrorCode } from '../../../shared/domain/packages/sqlite-file.js';
import {
  findTable,
  listTables,
  openSqlite,
  parseCreateTable,
  readTable,
} from '../../../shared/domain/packages/sqlite-file.js';
import { compareApkVersions, isValidApkVersion } from '../../../shared/domain/packages/version-apk.js';
import {
  compareDpkgFragment,
  compareDpkgVersions,
  dpkgVersionProblem,
} from '../../../shared/domain/packages/version-dpkg.js';
import {
  compareRpmVersions,
  rpmvercmp,
  rpmVersionProblem,
} from '../../../shared/domain/packages/version-rpm.js';
import {
  anyString,
  applyByteEdits,
  byteEdit,
  fixture,
  mutatedText,
  nastyString,
  readBytes,
  readText,
  sharedData,
  FUZZ,
} from './support.js';

// Package databases come out of image layers anyone can build: every byte is untrusted. The parsers skip
// and count what they cannot read; none may throw.

const DPKG = ['trivy_ubuntu1804_dpkg_status', 'osv-scalibr_dpkg_status_valid'].map((f) =>
  readText(sharedData('vuln', 'pkgdb', f)),
);
const APK = ['osv-scalibr_alpine_apk_installed', 'trivy_alpine_apk_installed'].map((f) =>
  readText(sharedData('vuln', 'pkgdb', f)),
);

/** What every ParsedPackages must satisfy, whatever the input. */
function expectWellFormed(r: ParsedPackages, format: 'dpkg' | 'apk' | 'rpm', ecosystem: string | null): void {
  expect(r.problems.length).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
  for (const n of [r.skipped, r.notInstalled]) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
  for (const p of r.packages) {
    expect(p.name).not.toBe('');
    expect(p.format).toBe(format);
    expect(p.ecosystem).toBe(ecosystem);
    expect(typeof p.sourceName === 'string' && typeof p.sourceVersion === 'string').toBe(true);
  }
}

const text = (real: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: mutatedText(real, 10) },
    { weight: 1, arbitrary: anyString(600) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(fc.constantFrom(...real[0]!.split('\n').slice(0, 80)), anyString(30)), {
          maxLength: 40,
        })
        .map((lines) => lines.join('\n')),
    },
  );

describe('dpkg status and apk installed parsers (fuzz)', FUZZ, () => {
  it('parseDpkgStatus keeps only valid packages and never throws', () => {
    fc.assert(
      fc.property(text(DPKG), fc.option(fc.constant('Debian:12')), (t, ecosystem) => {
        const r = parseDpkgStatus(t, { ecosystem, file: '/var/lib/dpkg/status' });
        expectWellFormed(r, 'dpkg', ecosystem);
        for (const p of r.packages) {
          expect(p.name).not.toMatch(/\s/);
          expect(dpkgVersionProblem(p.version)).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parseApkInstalled keeps only valid packages and never throws', () => {
    fc.assert(
      fc.property(text(APK), fc.option(fc.constant('Alpine:v3.18')), (t, ecosystem) => {
        const r = parseApkInstalled(t, { ecosystem });
        expectWellFormed(r, 'apk', ecosystem);
        for (const p of r.packages) expect(isValidApkVersion(p.version)).toBe(true);
        expect(r.notInstalled).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// rpm: SQLite file, header blobs

const RPMDB = ['rpmdb-small.sqlite', 'rpmdb-many.sqlite'].map((f) => readBytes(fixture('rpm', f)));
const SQLITE = ['pages-512.sqlite', 'pages-65536.sqlite'].map((f) => readBytes(fixture('rpm', f)));
const SQLITE_CODES: readonly SqliteErrorCode[] = [
  'not-sqlite',
  'truncated',
  'corrupt',
  'unsupported',
  'no-such-table',
];

/** The header blobs of the real rpm database. */
const HEADERS: readonly Uint8Array[] = (() => {
  const db = openSqlite(RPMDB[0]!);
  if (!db.ok) throw new Error(db.error.message);
  const table = findTable(db.value, 'Packages');
  if (!table.ok) throw new Error(table.error.message);
  const blobs: Uint8Array[] = [];
  for (const step of readTable(db.value, table.value)) {
    if (!step.ok) throw new Error(step.error.message);
    const blob = step.value.values.find((v): v is Uint8Array => v instanceof Uint8Array);
    if (blob !== undefined) blobs.push(blob.slice());
  }
  return blobs;
})();

const mutatedBytes = (files: readonly Uint8Array[], hot: number): fc.Arbitrary<Uint8Array> =>
  fc
    .constantFrom(...files)
    .chain((b) =>
      fc.array(byteEdit(b.length, hot), { minLength: 1, maxLength: 6 }).map((e) => applyByteEdits(b, e)),
    );

/** Random bytes behind the SQLite magic and a header with a plausible page size. */
const sqliteLike: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom(512, 1024, 4096, 1, 0, 3), fc.uint8Array({ minLength: 0, maxLength: 5000 }))
  .map(([pageSize, rest]) => {
    const b = new Uint8Array(100 + rest.length);
    b.set(new TextEncoder().encode('SQLite format 3\0'));
    b[16] = (pageSize >> 8) & 0xff;
    b[17] = pageSize & 0xff;
    b.set(rest, 100);
    b[18] = 1;
    b[19] = 1;
    b[21] = 64;
    b[22] = 32;
    b[23] = 32;
    return b;
  });

describe('rpm database reader (fuzz)', FUZZ, () => {
  it('parseRpmSqlite returns packages or a SqliteError for any bytes, mutated real databases included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 4, arbitrary: mutatedBytes(RPMDB, 3 * 4096) },
          { weight: 1, arbitrary: sqliteLike },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
        ),
        (bytes) => {
          const r = parseRpmSqlite(bytes, { ecosystem: 'Rocky Linux:9', file: 'rpmdb.sqlite' });
          if (!r.ok) {
            expect(SQLITE_CODES).toContain(r.error.code);
            return;
          }
          expectWellFormed(r.value, 'rpm', 'Rocky Linux:9');
          for (const p of r.value.packages) expect(rpmVersionProblem(p.version)).toBeNull();
          if (r.value.incomplete !== null) expect(SQLITE_CODES).toContain(r.value.incomplete.code);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the SQLite reader walks every table of a damaged file to a row or an error item', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedBytes([...SQLITE, ...RPMDB], 4 * 512), sqliteLike), (bytes) => {
        const db = openSqlite(bytes);
        if (!db.ok) {
          expect(SQLITE_CODES).toContain(db.error.code);
          return;
        }
        const tables = listTables(db.value);
        if (!tables.ok) {
          expect(SQLITE_CODES).toContain(tables.error.code);
          return;
        }
        for (const table of tables.value) {
          let ended = false;
          for (const step of readTable(db.value, table)) {
            expect(ended).toBe(false); // an error item is always the last
            if (!step.ok) {
              expect(SQLITE_CODES).toContain(step.error.code);
              ended = true;
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('parseRpmHeader reads a mutated real header or says truncated/corrupt', () => {
    const headerEdits = (b: Uint8Array): fc.Arbitrary<Uint8Array> => {
      // Index entries (tag, type, offset, count) start at byte 8, after the entry count and data length.
      const il = Math.min(64, ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
      return fc
        .array(
          fc.oneof(
            fc.tuple(
              fc.constant('u32' as const),
              fc.integer({ min: 0, max: 8 + 16 * il }),
              fc.nat({ max: 0xffffffff }),
            ),
            byteEdit(b.length, 8 + 16 * il),
          ),
          { minLength: 1, maxLength: 6 },
        )
        .map((edits) => applyByteEdits(b, edits));
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...HEADERS).chain(headerEdits), fc.uint8Array({ maxLength: 200 })),
        (blob) => {
          const r = parseRpmHeader(blob);
          if (!r.ok) expect(['truncated', 'corrupt']).toContain(r.error.code);
          else if (r.value.epoch !== null) expect(Number.isSafeInteger(r.value.epoch)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('parseSourceRpmName and parseCreateTable accept any string', () => {
    const sql = 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)';
    fc.assert(
      fc.property(
        fc.oneof(
          anyString(120),
          nastyString,
          mutatedText(
            [sql, 'bh-tools-2.4.1-7.el9.src.rpm', 'CREATE TABLE t(a, "b c", PRIMARY KEY(a)) WITHOUT ROWID'],
            4,
          ),
        ),
        (s) => {
          const src = parseSourceRpmName(s);
          if (src !== null) expect(typeof src.name).toBe('string');
          const t = parseCreateTable(s);
          if (t.rowidColumn !== null) expect(t.rowidColumn).toBeLessThan(t.columns.length);
          if (t.withoutRowid) expect(t.rowidColumn).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Version comparators: total preorders on any strings

/** Versions as they appear in the real databases and advisories. */
const REAL_VERSIONS: readonly string[] = [
  ...DPKG.flatMap((t) => [...t.matchAll(/^Version: (.+)$/gm)].map((m) => m[1]!)),
  ...APK.flatMap((t) => [...t.matchAll(/^V:(.+)$/gm)].map((m) => m[1]!)),
  '3:1.0-1.el9',
  '0.9~rc1-1',
  '1.0^git1',
];

const TOKENS = [
  '0',
  '1',
  '2',
  '9',
  '10',
  '01',
  '00',
  '.',
  '-',
  '_',
  '~',
  '^',
  ':',
  '+',
  'a',
  'b',
  'z',
  'A',
  'r',
  '-r1',
  '_alpha',
  '_rc',
  '_p',
  '~ab',
  'ubuntu',
  'el9',
  ' ',
  '\u00e9',
];

/**
 * Strings built from version tokens (so that comparisons get past the first character), real versions,
 * and anything.
 */
const versionish: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((t) => t.join('')) },
  { weight: 2, arbitrary: fc.constantFrom(...REAL_VERSIONS) },
  { weight: 2, arbitrary: mutatedText(REAL_VERSIONS, 2) },
  { weight: 1, arbitrary: anyString(20) },
);

const COMPARATORS: readonly [string, (a: string, b: string) => number][] = [
  ['compareDpkgVersions', compareDpkgVersions],
  ['compareDpkgFragment', compareDpkgFragment],
  ['compareRpmVersions', compareRpmVersions],
  ['rpmvercmp', rpmvercmp],
  ['compareApkVersions', compareApkVersions],
];

describe.each(COMPARATORS)('%s on arbitrary strings (fuzz)', FUZZ, (_name, cmp) => {
  it('returns -1, 0 or 1, is reflexive and antisymmetric', () => {
    fc.assert(
      fc.property(versionish, versionish, (a, b) => {
        const ab = cmp(a, b);
        expect([-1, 0, 1]).toContain(ab);
        expect(cmp(a, a)).toBe(0);
        expect(cmp(b, a) === -ab).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('is transitive on triples', () => {
    fc.assert(
      fc.property(versionish, versionish, versionish, (a, b, c) => {
        if (cmp(a, b) <= 0 && cmp(b, c) <= 0) expect(cmp(a, c)).toBeLessThanOrEqual(0);
        if (cmp(a, b) === 0 && cmp(b, c) === 0) expect(cmp(a, c)).toBe(0);
      }),
      { numRuns: 1500 },
    );
  });

  it('sorts consistently: every earlier element is <= every later one', () => {
    fc.assert(
      fc.property(fc.array(versionish, { minLength: 3, maxLength: 20 }), (vs) => {
        const sorted = [...vs].sort(cmp);
        for (let i = 0; i < sorted.length; i++)
          for (let j = i + 1; j < sorted.length; j++)
            expect(cmp(sorted[i]!, sorted[j]!)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });
});
