import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { SqliteFile, SqliteRow, SqliteValue } from '../../../shared/domain/packages/sqlite-file.js';
import {
  decodeUtf8,
  findTable,
  openSqlite,
  parseCreateTable,
  readTable,
} from '../../../shared/domain/packages/sqlite-file.js';

/** The SQLite files test/support/make-rpmdb.sh wrote with the real sqlite3 (see test/fixtures/rpm/README.md). */
const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/rpm/${name}`, import.meta.url)));
const fixturePath = (name: string): string => new URL(`../../fixtures/rpm/${name}`, import.meta.url).pathname;

const sqlite3Available = spawnSync('sqlite3', ['--version']).status === 0;
/** Said in the test name when the oracle is missing. */
const SKIP_REASON = sqlite3Available ? '' : ' (skipped: sqlite3 is not installed)';

function open(bytes: Uint8Array): SqliteFile {
  const r = openSqlite(bytes);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Every row of table `t`, and the error that ended the walk, if any. */
function readT(bytes: Uint8Array): { rows: SqliteRow[]; error: string | null } {
  const db = openSqlite(bytes);
  if (!db.ok) return { rows: [], error: db.error.code };
  const table = findTable(db.value, 't');
  if (!table.ok) return { rows: [], error: table.error.code };
  const rows: SqliteRow[] = [];
  for (const step of readTable(db.value, table.value)) {
    if (!step.ok) return { rows, error: `${step.error.code}: ${step.error.message}` };
    rows.push(step.value);
  }
  return { rows, error: null };
}

/** The rows make-rpmdb.sh inserts into `t`, in rowid order (its comment states the same). */
function expectedRows(): [number | bigint, ...SqliteValue[]][] {
  const ints: readonly ((k: number) => number | bigint)[] = [
    () => 0,
    () => 1,
    () => -100,
    () => 30000,
    () => -8000000,
    () => 2000000000,
    () => -140000000000000,
    (k) => 9007199254740993n * BigInt(k - 60),
  ];
  const edge = (id: number | bigint): [number | bigint, ...SqliteValue[]] => [
    id,
    id,
    null,
    'edge',
    null,
    null,
  ];
  const rows: [number | bigint, ...SqliteValue[]][] = [edge(-(2n ** 63n))];
  for (let k = 1; k <= 40; k++) {
    const letter = String.fromCharCode(97 + (k % 26));
    rows.push([
      k,
      (ints[k % 8] as (k: number) => number | bigint)(k),
      k / 4,
      `${k}:${letter.repeat(k * 61)}é€😀`,
      new Uint8Array(k * 23),
      null,
    ]);
  }
  rows.push([1000, null, -1.5e300, 'z'.repeat(66000), new Uint8Array(0), 'not null']);
  rows.push([1001, 1, 0, '', Uint8Array.of(0x00, 0xff, 0x7f, 0x80, 0xe2, 0x82, 0xac), 7]);
  rows.push(edge(2 ** 49), edge(2n ** 53n), edge(2n ** 63n - 1n));
  return rows;
}

/** Blobs as plain arrays, so that views into the file compare equal to fresh arrays. */
const plain = (v: SqliteValue): unknown => (v instanceof Uint8Array ? Array.from(v) : v);

describe.each([
  ['pages-512.sqlite', 512, 32],
  ['pages-65536.sqlite', 65536, 0],
])('the SQLite reader on %s (real sqlite3 output)', (name, pageSize, reserved) => {
  const bytes = fixture(name);

  it('reads the header: page size (65536 is stored as 1), reserved bytes, page count', () => {
    const db = open(bytes);
    expect(db.header).toMatchObject({ pageSize, reservedBytes: reserved, textEncoding: 'utf-8' });
    expect(db.header.pageCount).toBe(bytes.length / pageSize);
    expect((bytes[16] as number) * 256 + (bytes[17] as number)).toBe(pageSize === 65536 ? 1 : pageSize);
  });

  it('finds the table in the schema with its rowid alias', () => {
    const table = findTable(open(bytes), 'T');
    expect(table.ok && table.value).toMatchObject({
      name: 't',
      columns: ['id', 'i', 'f', 't', 'b', 'n'],
      rowidColumn: 0,
      withoutRowid: false,
    });
  });

  it('reads every row and value: integers of each width, 64-bit rowids, floats, text, blobs, overflow', () => {
    const { rows, error } = readT(bytes);
    expect(error).toBeNull();
    const want = expectedRows();
    expect(rows.map((r) => r.rowid)).toEqual(want.map((w) => w[0]));
    expect(rows.map((r) => r.values.map(plain))).toEqual(want.map((w) => w.map(plain)));
    // The 66000-byte text is larger than a page even at 64 KiB: it was reassembled from overflow pages.
    expect(rows.find((r) => r.rowid === 1000)?.values[3]).toHaveLength(66000);
  });

  it.skipIf(!sqlite3Available)(`agrees with the sqlite3 command line on every value${SKIP_REASON}`, () => {
    const out = spawnSync(
      'sqlite3',
      [
        '-json',
        fixturePath(name),
        'SELECT CAST(id AS TEXT) AS id, CAST(i AS TEXT) AS i, f, t, hex(b) AS b, typeof(b) AS bt, n FROM t ORDER BY t.rowid',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const oracle = JSON.parse(out.stdout) as {
      id: string;
      i: string | null;
      f: number | null;
      t: string;
      b: string | null;
      bt: string;
      n: SqliteValue;
    }[];
    const hex = (v: SqliteValue): string | null =>
      v instanceof Uint8Array
        ? Array.from(v, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join('')
        : null;
    const { rows } = readT(bytes);
    expect(
      rows.map((r) => {
        const [id, i, f, t, b, n] = r.values;
        return {
          id: String(id),
          i: i === null ? null : String(i),
          f,
          t,
          b: b === null ? null : hex(b ?? null),
          n,
        };
      }),
    ).toEqual(
      oracle.map((o) => ({ id: o.id, i: o.i, f: o.f, t: o.t, b: o.bt === 'null' ? null : o.b, n: o.n })),
    );
  });
});

describe('the SQLite reader on damaged files', () => {
  const bytes = fixture('pages-512.sqlite');
  const PAGE = 512;
  const rootOfT = (): number => {
    const t = findTable(open(bytes), 't');
    if (!t.ok) throw new Error(t.error.message);
    return t.value.rootPage;
  };

  it('rejects what is not a SQLite file, and impossible or unknown headers', () => {
    expect(openSqlite(new TextEncoder().encode('Package: curl\n'))).toMatchObject({
      ok: false,
      error: { code: 'not-sqlite' },
    });
    expect(openSqlite(bytes.slice(0, 60))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    const badSize = bytes.slice();
    badSize[16] = 3;
    badSize[17] = 0;
    expect(openSqlite(badSize)).toMatchObject({ ok: false, error: { code: 'corrupt' } });
    const future = bytes.slice();
    future[19] = 3;
    expect(openSqlite(future)).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('stops with an error at a cycle in the b-tree instead of looping', () => {
    const root = rootOfT();
    const cyclic = bytes.slice();
    const at = (root - 1) * PAGE;
    expect(cyclic[at]).toBe(0x05); // an interior table page: 42 rows do not fit one 480-byte page
    // The right-most child pointer now names the root itself.
    cyclic.set([0, 0, root >> 8, root & 0xff], at + 8);
    const { error } = readT(cyclic);
    expect(error).toMatch(/^corrupt: .*reached twice/);
  });

  it('stops with an error at an overflow chain that loops', () => {
    const looped = bytes.slice();
    // Overflow pages start with the next page's number, so their first byte is 0, never a b-tree type.
    let patched = 0;
    for (let n = 2; n <= bytes.length / PAGE; n++) {
      const at = (n - 1) * PAGE;
      if ([0x02, 0x05, 0x0a, 0x0d].includes(looped[at] as number)) continue;
      looped.set([0, 0, n >> 8, n & 0xff], at);
      patched++;
    }
    expect(patched).toBeGreaterThan(100);
    expect(readT(looped).error).toMatch(/^corrupt: .*overflow page \d+ is used twice/);
  });

  it('reads a truncated file up to the first missing page, then says it is truncated', () => {
    const { rows: all } = readT(bytes);
    const { rows, error } = readT(bytes.slice(0, Math.floor(bytes.length / 2)));
    expect(error).toMatch(/^truncated: /);
    expect(rows.length).toBeLessThan(all.length);
    expect(rows).toEqual(all.slice(0, rows.length));
  });

  it('never throws on truncations and byte mutations, and truncations read a prefix of the rows', () => {
    for (const [name, runs] of [
      ['pages-512.sqlite', 150],
      ['pages-65536.sqlite', 50],
    ] as const) {
      const original = fixture(name);
      const { rows: all } = readT(original);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: original.length }), (len) => {
          const { rows } = readT(original.slice(0, len));
          expect(rows).toEqual(all.slice(0, rows.length));
        }),
        { numRuns: runs / 5, seed: 7 },
      );
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              // Mostly the header, the schema page and the table's first pages: where mutations matter.
              fc.oneof(
                fc.integer({ min: 0, max: 99 }),
                fc.integer({ min: 0, max: Math.min(original.length, 4 * 512) - 1 }),
                fc.integer({ min: 0, max: original.length - 1 }),
              ),
              fc.integer({ min: 0, max: 255 }),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          (mutations) => {
            const mutated = original.slice();
            for (const [at, v] of mutations) mutated[at] = v;
            // readT would rethrow anything but the reader's own typed errors.
            const { rows } = readT(mutated);
            for (const r of rows) {
              for (const v of r.values) {
                expect(
                  v === null || v instanceof Uint8Array || ['number', 'bigint', 'string'].includes(typeof v),
                ).toBe(true);
              }
            }
          },
        ),
        { numRuns: runs, seed: 11 },
      );
    }
  }, 30_000);
});

describe('parseCreateTable', () => {
  it.each([
    [
      "CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)",
      ['hnum', 'blob'],
      0,
      false,
    ],
    ['CREATE TABLE "a b" ("x y" integer primary key asc, [z] TEXT)', ['x y', 'z'], 0, false],
    ['CREATE TABLE t (a TEXT, b INTEGER, c, PRIMARY KEY (b))', ['a', 'b', 'c'], 1, false],
    ['CREATE TABLE t (a INT PRIMARY KEY, b)', ['a', 'b'], null, false], // INT is not INTEGER
    ['CREATE TABLE t (a INTEGER PRIMARY KEY DESC, b)', ['a', 'b'], null, false], // the documented quirk
    ['CREATE TABLE t (a INTEGER, b DECIMAL(10, 2), PRIMARY KEY (a, b))', ['a', 'b'], null, false],
    ['CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID', ['k', 'v'], null, true],
  ] as const)('%s', (sql, columns, rowidColumn, withoutRowid) => {
    expect(parseCreateTable(sql)).toEqual({ columns, rowidColumn, withoutRowid });
  });
});

describe('decodeUtf8', () => {
  it('decodes as the WHATWG decoder does, also on invalid input', () => {
    const reference = new TextDecoder('utf-8');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => decodeUtf8(b) === reference.decode(b)),
      { numRuns: 2000, seed: 3 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        return decodeUtf8(new TextEncoder().encode(s)) === s;
      }),
    );
  });
});
