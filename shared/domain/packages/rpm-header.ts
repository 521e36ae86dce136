import { decodeUtf8 } from './sqlite-file.js';

/**
 * RPM package headers as rpm stores them in its database, one blob per installed package.
 *
 * Layout (rpm's lib/header.c, "header blob"): a 32-bit big-endian index count `il` and data length `dl`,
 * then `il` index entries of 16 bytes each (tag, type, offset into the data store, count; all big-endian),
 * then the `dl`-byte data store. The database keeps the blob without the 8-byte header magic a package
 * file carries (`8e ad e8 01 00 00 00 00`); a blob that does start with it is read too.
 */

/** The header tags Bulkhead reads (rpm's rpmtag.h). */
export const RPM_TAGS = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  arch: 1022,
  sourceRpm: 1044,
} as const;

/** rpm's tag data types (rpmtag.h `rpmTagType`). */
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

/** rpm's own limits (header.c `HEADER_TAGS_MAX`, `HEADER_DATA_MAX`). */
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_LENGTH = 0x0fffffff;

const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01];

/** The identifying fields of one package header. */
export interface RpmHeaderInfo {
  /** NAME; null when the header has none. */
  readonly name: string | null;
  readonly version: string | null;
  readonly release: string | null;
  /** EPOCH; null when the header has no Epoch (which rpm compares as 0). */
  readonly epoch: number | null;
  readonly arch: string | null;
  /** SOURCERPM, the file name of the source package (`openssl-1.1.1k-5.el8.src.rpm`); null for none. */
  readonly sourceRpm: string | null;
  readonly license: string | null;
}

/** A header's fields, or why the blob is not a header. */
export type RpmHeaderResult =
  | { readonly ok: true; readonly value: RpmHeaderInfo }
  | {
      readonly ok: false;
      readonly error: { readonly code: 'truncated' | 'corrupt'; readonly message: string };
    };

function u32(b: Uint8Array, at: number): number {
  return (
    (b[at] as number) * 0x1000000 +
    (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
  );
}

/** Parse the tags Bulkhead uses from a header blob; tags of an unexpected type or out of range are absent. */
export function parseRpmHeader(blob: Uint8Array): RpmHeaderResult {
  let b = blob;
  if (b.length >= 8 && HEADER_MAGIC.every((m, i) => b[i] === m)) b = b.subarray(8);
  if (b.length < 8)
    return { ok: false, error: { code: 'truncated', message: `${b.length}-byte header blob` } };
  const il = u32(b, 0);
  const dl = u32(b, 4);
  if (il < 1 || il > MAX_INDEX_ENTRIES || dl > MAX_DATA_LENGTH) {
    return {
      ok: false,
      error: { code: 'corrupt', message: `implausible header sizes (${il} index entries, ${dl} data bytes)` },
    };
  }
  const dataAt = 8 + il * 16;
  if (dataAt + dl > b.length) {
    return {
      ok: false,
      error: {
        code: 'truncated',
        message: `the header needs ${dataAt + dl} bytes (${il} entries, ${dl} data bytes), the blob has ${b.length}`,
      },
    };
  }
  const data = b.subarray(dataAt, dataAt + dl);
  const wanted = new Map<number, { type: number; offset: number; count: number }>();
  const tags = new Set<number>(Object.values(RPM_TAGS));
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = u32(b, at);
    if (tags.has(tag) && !wanted.has(tag))
      wanted.set(tag, { type: u32(b, at + 4), offset: u32(b, at + 8), count: u32(b, at + 12) });
  }
  const string = (tag: number): string | null => {
    const e = wanted.get(tag);
    if (e === undefined || e.count < 1 || e.offset >= dl) return null;
    // An i18n string and a string array start with their first (default) string.
    if (e.type !== TYPE_STRING && e.type !== TYPE_I18NSTRING && e.type !== TYPE_STRING_ARRAY) return null;
    const end = data.indexOf(0, e.offset);
    return end < 0 ? null : decodeUtf8(data.subarray(e.offset, end));
  };
  const int32 = (tag: number): number | null => {
    const e = wanted.get(tag);
    if (e?.type !== TYPE_INT32 || e.count < 1 || e.offset % 4 !== 0 || e.offset + 4 > dl) return null;
    return u32(data, e.offset);
  };
  return {
    ok: true,
    value: {
      name: string(RPM_TAGS.name),
      version: string(RPM_TAGS.version),
      release: string(RPM_TAGS.release),
      epoch: int32(RPM_TAGS.epoch),
      arch: string(RPM_TAGS.arch),
      sourceRpm: string(RPM_TAGS.sourceRpm),
      license: string(RPM_TAGS.license),
    },
  };
}

/** A source package's name, version and release from its file name. */
export interface SourceRpmName {
  readonly name: string;
  readonly version: string;
  readonly release: string;
}

/**
 * Split a SOURCERPM file name: `openssl-1.1.1k-5.el8.src.rpm` → `openssl`, `1.1.1k`, `5.el8`. The release
 * follows the last hyphen, the version the one before (names may contain hyphens, versions and releases
 * may not); null when the name does not have that shape. `.nosrc.rpm` (a source package without the
 * sources) is accepted as well.
 */
export function parseSourceRpmName(file: string): SourceRpmName | null {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  if (m === null) return null;
  return { name: m[1] as string, version: m[2] as string, release: m[3] as string };
}
