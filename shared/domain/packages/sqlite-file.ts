/**
 * A minimal, read-only reader of the SQLite 3 database file format (https://www.sqlite.org/fileformat2.html)
 * over the bytes of a whole file, enough to read rowid tables: rpm's `rpmdb.sqlite` in an image layer.
 *
 * Supported: the database header (page sizes 512 to 65536, reserved bytes per page, UTF-8 and UTF-16
 * text), the schema table on page 1, table b-trees (interior and leaf pages) with payloads spilling into
 * overflow-page chains, the record format with every serial type, and the `INTEGER PRIMARY KEY` rowid
 * alias. Not supported: the write-ahead log (only what was checkpointed into the main file is seen),
 * index b-trees and `WITHOUT ROWID` tables, the freelist.
 *
 * The input is untrusted: every offset is checked against the file and the page it belongs to, each page
 * is visited at most once per table walk (a cycle is corruption, not an endless loop), and overflow chains
 * end where the payload ends. A damaged file gives an {@link SqliteError}, never an exception.
 */

/** What went wrong reading a SQLite file. */
export type SqliteErrorCode =
  /** No SQLite 3 header: the file is something else. */
  | 'not-sqlite'
  /** The file ends before a page it refers to. */
  | 'truncated'
  /** An offset, size, type or link that cannot be right. */
  | 'corrupt'
  /** A valid feature this reader does not implement (a read version above 2, a WITHOUT ROWID table). */
  | 'unsupported'
  /** The schema has no table of that name. */
  | 'no-such-table';

/** An error reading a SQLite file, as data. */
export interface SqliteError {
  readonly code: SqliteErrorCode;
  readonly message: string;
}

/** A value or the reason there is none. */
export type SqliteResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SqliteError };

/**
 * A column value: NULL, an integer (a `bigint` only when it is outside the safe integer range), a float,
 * text, or a blob (a view into the file's bytes when the payload was stored on one page).
 */
export type SqliteValue = null | number | bigint | string | Uint8Array;

/** The fields of the 100-byte database header that reading needs. */
export interface SqliteHeader {
  /** Bytes per page: a power of two from 512 to 65536. */
  readonly pageSize: number;
  /** Bytes at the end of every page reserved for extensions; `pageSize - reserved` is the usable size. */
  readonly reservedBytes: number;
  /** The number of pages: the header's count when it is valid, else what the file length holds. */
  readonly pageCount: number;
  readonly textEncoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** 1 for a rollback-journal database, 2 for WAL mode. */
  readonly readVersion: number;
}

/** An opened database: its header and bytes. */
export interface SqliteFile {
  readonly header: SqliteHeader;
  readonly bytes: Uint8Array;
}

/** A table from the schema. */
export interface SqliteTable {
  readonly name: string;
  /** The page number of the table's b-tree root. */
  readonly rootPage: number;
  /** The `CREATE TABLE` statement as stored. */
  readonly sql: string;
  /** Column names in declaration order, as far as the statement could be read; empty when it could not. */
  readonly columns: readonly string[];
  /** The index of the `INTEGER PRIMARY KEY` column, whose value is the rowid; null when there is none. */
  readonly rowidColumn: number | null;
  /** A `WITHOUT ROWID` table, stored as an index b-tree, which this reader cannot walk. */
  readonly withoutRowid: boolean;
}

/** One row of a table. */
export interface SqliteRow {
  readonly rowid: number | bigint;
  /** The record's values; the rowid alias column holds the rowid, columns the record lacks are null. */
  readonly values: readonly SqliteValue[];
}

/** Internal: the error thrown inside the reader and turned into a result at the API boundary. */
class SqliteFault extends Error {
  constructor(
    readonly code: SqliteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function fault(code: SqliteErrorCode, message: string): never {
  throw new SqliteFault(code, message);
}

function asError(e: unknown): SqliteError {
  if (e instanceof SqliteFault) return { code: e.code, message: e.message };
  throw e;
}

const MAGIC = 'SQLite format 3\0';
const HEADER_SIZE = 100;
/** Deepest table b-tree accepted; even with 512-byte pages, 2^64 rows need fewer than 20 levels. */
const MAX_DEPTH = 40;

const PAGE_INTERIOR_TABLE = 0x05;
const PAGE_LEAF_TABLE = 0x0d;
const PAGE_INTERIOR_INDEX = 0x02;
const PAGE_LEAF_INDEX = 0x0a;

function u16(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 8) | (b[at + 1] as number);
}

function u32(b: Uint8Array, at: number): number {
  return (
    (b[at] as number) * 0x1000000 +
    (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
  );
}

/**
 * Open a database file: check and read its header.
 *
 * Errors: `not-sqlite` without the SQLite 3 magic, `truncated` when the header or page 1 is incomplete,
 * `corrupt` for an impossible page size or payload fractions, `unsupported` for a read version above 2.
 */
export function openSqlite(bytes: Uint8Array): SqliteResult<SqliteFile> {
  try {
    if (bytes.length < MAGIC.length)
      fault('not-sqlite', `${bytes.length} bytes: too short for a SQLite file`);
    for (let i = 0; i < MAGIC.length; i++) {
      if (bytes[i] !== MAGIC.charCodeAt(i)) fault('not-sqlite', 'not a SQLite 3 database (no header magic)');
    }
    if (bytes.length < HEADER_SIZE)
      fault('truncated', `the database header is cut off after ${bytes.length} bytes`);
    const raw = u16(bytes, 16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
      fault('corrupt', `invalid page size ${raw}`);
    const readVersion = bytes[19] as number;
    if (readVersion !== 1 && readVersion !== 2)
      fault('unsupported', `file format read version ${readVersion} (this reader knows 1 and 2)`);
    const reservedBytes = bytes[20] as number;
    if (pageSize - reservedBytes < 480)
      fault('corrupt', `${reservedBytes} reserved bytes leave too little of a ${pageSize}-byte page`);
    if (bytes[21] !== 64 || bytes[22] !== 32 || bytes[23] !== 32)
      fault('corrupt', 'the payload fractions in the header are not 64/32/32');
    const filePages = Math.floor(bytes.length / pageSize);
    if (filePages < 1)
      fault('truncated', `the file ends inside page 1 (${bytes.length} of ${pageSize} bytes)`);
    // The in-header size is valid only when the change counter matches "version-valid-for" (SQLite ≥ 3.7.0).
    const inHeader = u32(bytes, 28);
    const headerValid = inHeader !== 0 && u32(bytes, 24) === u32(bytes, 92);
    const pageCount = headerValid ? inHeader : filePages;
    const enc = u32(bytes, 56);
    const textEncoding =
      enc === 2 ? 'utf-16le' : enc === 3 ? 'utf-16be' : enc === 1 || enc === 0 ? 'utf-8' : null;
    if (textEncoding === null) fault('corrupt', `unknown text encoding ${enc}`);
    return {
      ok: true,
      value: { bytes, header: { pageSize, reservedBytes, pageCount, textEncoding, readVersion } },
    };
  } catch (e) {
    return { ok: false, error: asError(e) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pages, cells, payloads

interface Page {
  readonly number: number;
  /** Offset of the page in the file. */
  readonly start: number;
  /** Offset of the b-tree page header (100 bytes in on page 1). */
  readonly headerAt: number;
  readonly type: number;
  readonly cellCount: number;
  /** Offset of the cell pointer array. */
  readonly cellsAt: number;
  /** The right-most child of an interior page; 0 on a leaf. */
  readonly rightChild: number;
}

/** Reads pages of one file with every access checked. */
class Pager {
  readonly usable: number;

  constructor(readonly file: SqliteFile) {
    this.usable = file.header.pageSize - file.header.reservedBytes;
  }

  /** The file offset of page `n`, checked against the page count and the file length. */
  pageStart(n: number, what: string): number {
    const { pageCount, pageSize } = this.file.header;
    if (!Number.isInteger(n) || n < 1 || n > pageCount)
      fault('corrupt', `${what} refers to page ${n}, outside the file's ${pageCount} pages`);
    const start = (n - 1) * pageSize;
    if (start + pageSize > this.file.bytes.length)
      fault('truncated', `${what}: page ${n} is past the end of the file (${this.file.bytes.length} bytes)`);
    return start;
  }

  btreePage(n: number, what: string): Page {
    const start = this.pageStart(n, what);
    const b = this.file.bytes;
    const headerAt = start + (n === 1 ? HEADER_SIZE : 0);
    const type = b[headerAt] as number;
    if (type === PAGE_INTERIOR_INDEX || type === PAGE_LEAF_INDEX)
      fault('corrupt', `${what}: page ${n} is an index b-tree page, not a table page`);
    if (type !== PAGE_INTERIOR_TABLE && type !== PAGE_LEAF_TABLE)
      fault('corrupt', `${what}: page ${n} is not a b-tree page (type byte ${type})`);
    const leaf = type === PAGE_LEAF_TABLE;
    const cellCount = u16(b, headerAt + 3);
    const cellsAt = headerAt + (leaf ? 8 : 12);
    if (cellsAt + 2 * cellCount > start + this.usable)
      fault('corrupt', `page ${n}: ${cellCount} cells do not fit in the page`);
    const rightChild = leaf ? 0 : u32(b, headerAt + 8);
    return { number: n, start, headerAt, type, cellCount, cellsAt, rightChild };
  }

  /** The file offset of cell `i` of `page`, checked to lie in the page's content area. */
  cellAt(page: Page, i: number): number {
    const off = u16(this.file.bytes, page.cellsAt + 2 * i);
    const at = page.start + off;
    if (at < page.cellsAt + 2 * page.cellCount || at >= page.start + this.usable)
      fault('corrupt', `page ${page.number}: cell ${i} points outside the page (offset ${off})`);
    return at;
  }
}

/** A varint at `at` that must end before `end`. Numbers beyond 2^53 come back as bigint. */
function varint(b: Uint8Array, at: number, end: number): { value: number | bigint; next: number } {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= end) fault('corrupt', `a varint at offset ${at} runs past its page`);
    const byte = b[at + i] as number;
    if (i === 8) {
      // The ninth byte contributes all 8 bits; the 64-bit result is two's complement.
      let big = 0n;
      for (let j = 0; j < 8; j++) big = (big << 7n) | BigInt((b[at + j] as number) & 0x7f);
      big = BigInt.asIntN(64, (big << 8n) | BigInt(byte));
      return {
        value: Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big,
        next: at + 9,
      };
    }
    // 7 bits per byte stay exact in a double for the first 7 bytes (49 bits); the 8th may pass 2^53.
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (Number.isSafeInteger(value)) return { value, next: at + i + 1 };
      let big = 0n;
      for (let j = 0; j <= i; j++) big = (big << 7n) | BigInt((b[at + j] as number) & 0x7f);
      return { value: big, next: at + i + 1 };
    }
  }
  return fault('corrupt', 'unreachable varint state');
}

/** A varint that must be a non-negative safe integer (a size or a serial type). */
function sizeVarint(b: Uint8Array, at: number, end: number, what: string): { value: number; next: number } {
  const v = varint(b, at, end);
  if (typeof v.value !== 'number' || v.value < 0) fault('corrupt', `${what} at offset ${at} is out of range`);
  return { value: v.value, next: v.next };
}

/** How much of a table-leaf payload of `size` bytes is stored on the page itself (fileformat2 §1.6). */
function localPayloadSize(size: number, usable: number): number {
  const maxLocal = usable - 35;
  if (size <= maxLocal) return size;
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = minLocal + ((size - minLocal) % (usable - 4));
  return k <= maxLocal ? k : minLocal;
}

/**
 * The payload of the leaf cell at `at`: a view when it is all on the page, else copied together from the
 * overflow chain. `seen` holds the pages this table walk has visited.
 */
function readLeafCell(
  pager: Pager,
  page: Page,
  at: number,
  seen: Set<number>,
): { rowid: number | bigint; payload: Uint8Array } {
  const b = pager.file.bytes;
  const end = page.start + pager.usable;
  const size = sizeVarint(b, at, end, `page ${page.number}: payload size`);
  const rowid = varint(b, size.next, end);
  const payloadAt = rowid.next;
  const local = localPayloadSize(size.value, pager.usable);
  if (local === size.value) {
    if (payloadAt + local > end) fault('corrupt', `page ${page.number}: a cell's payload runs past the page`);
    return { rowid: rowid.value, payload: b.subarray(payloadAt, payloadAt + local) };
  }
  // A payload larger than the whole file cannot be real; refusing it early also bounds the copy.
  if (size.value > b.length)
    fault('corrupt', `page ${page.number}: a payload of ${size.value} bytes is larger than the file`);
  if (payloadAt + local + 4 > end)
    fault('corrupt', `page ${page.number}: a cell's payload runs past the page`);
  const out = new Uint8Array(size.value);
  out.set(b.subarray(payloadAt, payloadAt + local), 0);
  let filled = local;
  let next = u32(b, payloadAt + local);
  const perPage = pager.usable - 4;
  while (filled < size.value) {
    if (next === 0)
      fault('corrupt', `page ${page.number}: an overflow chain ends ${size.value - filled} bytes early`);
    if (seen.has(next)) fault('corrupt', `page ${page.number}: overflow page ${next} is used twice`);
    seen.add(next);
    const start = pager.pageStart(next, `page ${page.number}: overflow chain`);
    const n = Math.min(perPage, size.value - filled);
    out.set(b.subarray(start + 4, start + 4 + n), filled);
    filled += n;
    next = u32(b, start);
  }
  return { rowid: rowid.value, payload: out };
}

// ---------------------------------------------------------------------------------------------------------
// Records

/** Decode UTF-8, replacing invalid sequences with U+FFFD as the WHATWG decoder does (without the DOM). */
export function decodeUtf8(b: Uint8Array): string {
  const units: number[] = [];
  let out = '';
  const flush = (): void => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    let cp = 0xfffd;
    let len = 1;
    if (c < 0x80) cp = c;
    else if (c >= 0xc2 && c <= 0xf4) {
      const need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
      const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      let v = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
      let k = 1;
      for (; k <= need; k++) {
        const d = b[i + k];
        if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) break;
        v = (v << 6) | (d & 0x3f);
      }
      if (k > need) cp = v;
      len = k > need ? need + 1 : Math.max(1, k);
    }
    i += len;
    if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    if (units.length >= 8192) flush();
  }
  flush();
  return out;
}

function decodeUtf16(b: Uint8Array, littleEndian: boolean): string {
  let out = '';
  const units: number[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) {
    units.push(littleEndian ? (b[i] as number) | ((b[i + 1] as number) << 8) : u16(b, i));
    if (units.length >= 8192) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

function decodeText(b: Uint8Array, encoding: SqliteHeader['textEncoding']): string {
  return encoding === 'utf-8' ? decodeUtf8(b) : decodeUtf16(b, encoding === 'utf-16le');
}

/** A big-endian two's-complement integer of `n` bytes (1 to 8). */
function intBE(b: Uint8Array, at: number, n: number): number | bigint {
  if (n <= 6) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (b[at + i] as number);
    const range = 2 ** (8 * n);
    return v >= range / 2 ? v - range : v;
  }
  let big = 0n;
  for (let i = 0; i < n; i++) big = (big << 8n) | BigInt(b[at + i] as number);
  big = BigInt.asIntN(64, big);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

const INT_BYTES = [0, 1, 2, 3, 4, 6, 8] as const;

/** Decode a record (fileformat2 §2.1): a header of serial types, then the values. Throws SqliteFault. */
function decodeRecord(payload: Uint8Array, encoding: SqliteHeader['textEncoding']): SqliteValue[] {
  const head = sizeVarint(payload, 0, payload.length, 'record header size');
  if (head.value < head.next || head.value > payload.length)
    fault(
      'corrupt',
      `a record header of ${head.value} bytes does not fit its ${payload.length}-byte payload`,
    );
  const values: SqliteValue[] = [];
  let at = head.next;
  let body = head.value;
  while (at < head.value) {
    const t = sizeVarint(payload, at, head.value, 'serial type');
    at = t.next;
    const type = t.value;
    if (type === 10 || type === 11) fault('corrupt', `reserved serial type ${type} in a record`);
    const size =
      type <= 6
        ? INT_BYTES[type as 0 | 1 | 2 | 3 | 4 | 5 | 6]
        : type === 7
          ? 8
          : type < 12
            ? 0
            : Math.floor((type - 12) / 2);
    if (body + size > payload.length)
      fault('corrupt', `a record's values run past its ${payload.length}-byte payload`);
    if (type === 0) values.push(null);
    else if (type <= 6) values.push(intBE(payload, body, size));
    else if (type === 7) {
      values.push(new DataView(payload.buffer, payload.byteOffset + body, 8).getFloat64(0, false));
    } else if (type === 8) values.push(0);
    else if (type === 9) values.push(1);
    else if (type % 2 === 0) values.push(payload.subarray(body, body + size));
    else values.push(decodeText(payload.subarray(body, body + size), encoding));
    body += size;
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------------
// Table walks

/** A row, or the error that ended the walk (always the last item). */
export type SqliteRowStep = SqliteResult<SqliteRow>;

/**
 * The rows of the table b-tree rooted at `rootPage`, in rowid order, one at a time.
 *
 * When the tree is damaged the walk yields the rows read so far, then one error item, and stops.
 * `rowidColumn` names the column that aliases the rowid (stored as NULL in the record).
 */
export function* tableRows(
  file: SqliteFile,
  rootPage: number,
  rowidColumn: number | null = null,
  columnCount = 0,
): Generator<SqliteRowStep, void, undefined> {
  const pager = new Pager(file);
  const seen = new Set<number>();
  const stack: { page: Page; next: number }[] = [];
  try {
    const visit = (n: number, what: string): void => {
      if (seen.has(n)) fault('corrupt', `${what}: page ${n} is reached twice (a cycle in the b-tree)`);
      if (stack.length >= MAX_DEPTH) fault('corrupt', `the b-tree is deeper than ${MAX_DEPTH} levels`);
      seen.add(n);
      stack.push({ page: pager.btreePage(n, what), next: 0 });
    };
    visit(rootPage, 'table root');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { page: Page; next: number };
      const { page } = top;
      if (page.type === PAGE_LEAF_TABLE) {
        for (let i = 0; i < page.cellCount; i++) {
          const cell = readLeafCell(pager, page, pager.cellAt(page, i), seen);
          const values = decodeRecord(cell.payload, file.header.textEncoding);
          while (values.length < columnCount) values.push(null);
          if (rowidColumn !== null && rowidColumn < values.length && values[rowidColumn] === null)
            values[rowidColumn] = cell.rowid;
          yield { ok: true, value: { rowid: cell.rowid, values } };
        }
        stack.pop();
      } else if (top.next < page.cellCount) {
        const at = pager.cellAt(page, top.next);
        if (at + 4 > page.start + pager.usable)
          fault('corrupt', `page ${page.number}: a cell runs past the page`);
        top.next++;
        visit(u32(file.bytes, at), `page ${page.number} cell ${top.next - 1}`);
      } else if (top.next === page.cellCount) {
        top.next++;
        visit(page.rightChild, `page ${page.number} right child`);
      } else stack.pop();
    }
  } catch (e) {
    yield { ok: false, error: asError(e) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The schema

/** SQL identifiers: `"x"`, `'x'`, `[x]`, `` `x` ``, or a bare word. */
function unquote(id: string): string {
  const s = id.trim();
  const q = s[0];
  if ((q === '"' || q === "'" || q === '`') && s.endsWith(q) && s.length >= 2)
    return s
      .slice(1, -1)
      .split(q + q)
      .join(q);
  if (q === '[' && s.endsWith(']')) return s.slice(1, -1);
  return s;
}

/** Split at top-level commas (outside parentheses and quotes). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '[') quote = ']';
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
}

/** The first token of a column definition: its (possibly quoted) name, and the rest. */
function firstToken(def: string): { token: string; rest: string } {
  const s = def.trimStart();
  const q = s[0];
  const close = q === '"' || q === "'" || q === '`' ? q : q === '[' ? ']' : null;
  if (close !== null) {
    let i = 1;
    for (; i < s.length; i++) {
      if (s[i] === close) {
        if (close !== ']' && s[i + 1] === close) i++;
        else break;
      }
    }
    return { token: s.slice(0, i + 1), rest: s.slice(i + 1) };
  }
  const m = /^[^\s(]+/.exec(s);
  const token = m?.[0] ?? '';
  return { token, rest: s.slice(token.length) };
}

const CONSTRAINT_START = /^(constraint|primary\s+key|unique|check|foreign\s+key)\b/i;

/** The declared type of a column definition (after its name), uppercased; empty when it has none. */
function declaredType(rest: string): string {
  return unquote(/^\s*([^\s(]+)/.exec(rest)?.[1] ?? '').toUpperCase();
}

/**
 * Columns and the rowid alias of a `CREATE TABLE … (…)` statement: the one column declared `INTEGER
 * PRIMARY KEY` (not `DESC`), inline or as a one-column table constraint (fileformat2 §2.3, "rowid alias").
 */
export function parseCreateTable(sql: string): {
  columns: string[];
  rowidColumn: number | null;
  withoutRowid: boolean;
} {
  const open = sql.indexOf('(');
  const close = sql.lastIndexOf(')');
  if (open < 0 || close < open) return { columns: [], rowidColumn: null, withoutRowid: false };
  const withoutRowid = /\bwithout\s+rowid\b/i.test(sql.slice(close + 1));
  const columns: string[] = [];
  const types: string[] = [];
  let rowidColumn: number | null = null;
  let tablePk: string[] | null = null;
  for (const def of splitTopLevel(sql.slice(open + 1, close)).map((d) => d.trim())) {
    if (CONSTRAINT_START.test(def)) {
      const pk = /^(?:constraint\s+\S+\s+)?primary\s+key\s*\(([^)]*)\)/i.exec(def);
      if (pk)
        tablePk = splitTopLevel(pk[1] as string).map((c) => unquote(c.replace(/\s+(asc|desc)\s*$/i, '')));
      continue;
    }
    const { token, rest } = firstToken(def);
    const type = declaredType(rest);
    if (type === 'INTEGER' && /\bprimary\s+key\b(?!\s+desc)/i.test(rest)) rowidColumn = columns.length;
    columns.push(unquote(token));
    types.push(type);
  }
  const [pkColumn] = tablePk ?? [];
  if (tablePk?.length === 1 && pkColumn !== undefined) {
    const i = columns.findIndex((c) => c.toLowerCase() === pkColumn.toLowerCase());
    if (i >= 0 && types[i] === 'INTEGER') rowidColumn = i;
  }
  return { columns, rowidColumn: withoutRowid ? null : rowidColumn, withoutRowid };
}

/**
 * The tables of the schema (the b-tree rooted at page 1): name, root page, columns.
 *
 * Errors as for a table walk of a damaged file.
 */
export function listTables(file: SqliteFile): SqliteResult<SqliteTable[]> {
  const tables: SqliteTable[] = [];
  for (const step of tableRows(file, 1, null, 5)) {
    if (!step.ok) return { ok: false, error: { ...step.error, message: `schema: ${step.error.message}` } };
    const [type, name, , rootPage, sql] = step.value.values;
    if (type !== 'table' || typeof name !== 'string' || typeof sql !== 'string') continue;
    if (typeof rootPage !== 'number' || rootPage < 1) continue;
    const parsed = parseCreateTable(sql);
    tables.push({
      name,
      rootPage,
      sql,
      columns: parsed.columns,
      rowidColumn: parsed.rowidColumn,
      withoutRowid: parsed.withoutRowid,
    });
  }
  return { ok: true, value: tables };
}

/** The table `name` (compared case-insensitively, as SQLite does); `no-such-table` when absent. */
export function findTable(file: SqliteFile, name: string): SqliteResult<SqliteTable> {
  const tables = listTables(file);
  if (!tables.ok) return tables;
  const table = tables.value.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (table === undefined)
    return { ok: false, error: { code: 'no-such-table', message: `no table ${name}` } };
  return { ok: true, value: table };
}

/**
 * The rows of `table`, in rowid order, with its rowid alias filled in; see {@link tableRows}. A `WITHOUT
 * ROWID` table gives one `unsupported` error item.
 */
export function* readTable(file: SqliteFile, table: SqliteTable): Generator<SqliteRowStep, void, undefined> {
  if (table.withoutRowid) {
    yield {
      ok: false,
      error: {
        code: 'unsupported',
        message: `${table.name} is a WITHOUT ROWID table, which is not supported`,
      },
    };
    return;
  }
  yield* tableRows(file, table.rootPage, table.rowidColumn, table.columns.length);
}
