import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

import yauzl from 'yauzl';

import { matchPackages } from '../../../shared/domain/advisories/match.js';
import type { OsvRecord } from '../../../shared/domain/advisories/osv.js';
import { parseOsvRecord, restrictAffected } from '../../../shared/domain/advisories/osv.js';
import type {
  AdvisoryDbMeta,
  AdvisoryFinding,
  EcosystemImport,
} from '../../../shared/domain/advisories/store-model.js';
import {
  importFor,
  parseAdvisoryDbMeta,
  provenance,
  withImports,
} from '../../../shared/domain/advisories/store-model.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import { advisoryEcosystemsFor, ecosystemBase } from '../../../shared/domain/packages/ecosystem.js';
import type { Package } from '../../../shared/domain/packages/model.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { diskWriteError, openAtomicFile, writeTextAtomic } from '../atomic-write.js';
import type { AtomicFile } from '../atomic-write.js';

/**
 * The local advisory database: OSV records imported from osv.dev's per-ecosystem `all.zip` dumps (or a
 * directory of OSV JSON files), stored in the user's data directory and indexed by (ecosystem, package).
 *
 * Layout of the store directory:
 * - `meta.json` — what is imported ({@link AdvisoryDbMeta}); replacing it (write + rename) is the single
 *   commit point of an import.
 * - `<base>.<import id>.jsonl` — one validated record per line, restricted to that ecosystem base's
 *   `affected` entries. Files are written under a temporary name and never modified once referenced.
 * - `import.lock` — held while an import runs (contains the importer's pid).
 *
 * An import that fails — unreadable zip, corrupt entry, malformed record — leaves `meta.json` and every
 * file it references untouched, so nothing imported before is lost.
 */

/** Options for {@link OsvStore}. */
export interface OsvStoreOptions {
  /** The store directory; default `<data dir>/advisories` (see {@link defaultDataDir}). */
  readonly dir?: string;
  /** The clock, for import timestamps and staleness. */
  readonly now?: () => number;
  /** Largest accepted record, in bytes (default 8 MiB); a bigger entry is a malformed record. */
  readonly maxRecordBytes?: number;
}

/** Options for one import. */
export interface ImportOptions {
  /**
   * Skip records that are not valid JSON or not valid OSV, counting them, instead of refusing the whole
   * import. A zip that cannot be read is refused either way.
   */
  readonly skipInvalid?: boolean;
}

/** What an import did. */
export interface ImportReport {
  /** The absolute path imported from. */
  readonly source: string;
  readonly kind: 'zip' | 'directory' | 'file';
  /** The ecosystem bases replaced by this import. */
  readonly imported: readonly EcosystemImport[];
  /** OSV files read. */
  readonly filesRead: number;
  /** Invalid records skipped (only with `skipInvalid`). */
  readonly invalid: number;
  readonly withdrawn: number;
  /** Records whose id was already imported from an earlier file in the same import. */
  readonly duplicates: number;
  /** Records without any affected package. */
  readonly withoutPackages: number;
  readonly problems: readonly string[];
}

const META = 'meta.json';
const LOCK = 'import.lock';
const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
const MAX_PROBLEMS = 50;

/**
 * Bulkhead's data directory: `$XDG_DATA_HOME/bulkhead`, else `~/.local/share/bulkhead`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_DATA_HOME;
  return xdg !== undefined && xdg !== '' && xdg.startsWith('/')
    ? join(xdg, 'bulkhead')
    : join(home, '.local', 'share', 'bulkhead');
}

/** One OSV file from a zip or directory: its name for messages, and its bytes on demand. */
interface SourceEntry {
  readonly name: string;
  read(): Promise<Buffer>;
}

function badSource(source: string, message: string, cause?: unknown): BulkheadError {
  return new BulkheadError('bad-request', `cannot import ${source}: ${message} — nothing was changed`, {
    cause,
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function readStreamBounded(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      stream.destroy();
      throw new Error(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** A zip that cannot be read further: fatal for the import even with `skipInvalid`. */
class ZipCorrupt extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** The `.json` entries of a zip, in central-directory order, each checked against its CRC-32. */
async function* zipEntries(path: string, maxBytes: number): AsyncGenerator<SourceEntry> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (e) {
    throw badSource(path, `not a readable zip file (${errorText(e)})`, e);
  }
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/') || !name.toLowerCase().endsWith('.json')) continue;
      yield {
        name,
        read: async () => {
          if (entry.uncompressedSize > maxBytes)
            throw new Error(`${entry.uncompressedSize} bytes, larger than the ${maxBytes}-byte limit`);
          let data: Buffer;
          try {
            const stream = await zip.openReadStreamPromise(entry);
            data = await readStreamBounded(stream, maxBytes, 'entry');
          } catch (e) {
            throw new ZipCorrupt(`${name}: ${errorText(e)}`, e);
          }
          if (crc32(data) >>> 0 !== entry.crc32 >>> 0)
            throw new ZipCorrupt(`${name}: CRC-32 mismatch (corrupt zip entry)`);
          return data;
        },
      };
    }
  } catch (e) {
    if (e instanceof ZipCorrupt || e instanceof BulkheadError) throw e;
    throw new ZipCorrupt(`zip directory is corrupt (${errorText(e)})`, e);
  } finally {
    zip.close();
  }
}

/** The `.json` files under a directory, recursively, in sorted path order. */
async function* directoryEntries(root: string, maxBytes: number): AsyncGenerator<SourceEntry> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.json')) files.push(p);
    }
  };
  await walk(root);
  files.sort();
  for (const file of files) {
    yield {
      name: relative(root, file),
      read: async () => {
        const s = await stat(file);
        if (s.size > maxBytes) throw new Error(`${s.size} bytes, larger than the ${maxBytes}-byte limit`);
        return readFile(file);
      },
    };
  }
}

/** One `.json` file as a source of a single record. */
function singleFile(path: string, maxBytes: number): SourceEntry[] {
  return [{ name: basename(path), read: () => readStreamBounded(createReadStream(path), maxBytes, 'file') }];
}

/** A file name segment for an ecosystem base (`Rocky Linux` → `Rocky-Linux`). */
function slug(base: string): string {
  return base.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'ecosystem';
}

/** A per-base output file being written during an import. */
interface BaseWriter {
  readonly base: string;
  readonly file: string;
  readonly out: AtomicFile;
  readonly ids: Set<string>;
  readonly counts: Record<string, number>;
  records: number;
  newestModified: string | null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The records of one ecosystem base, indexed by (ecosystem, package name). */
interface BaseIndex {
  readonly file: string;
  readonly byKey: Map<string, OsvRecord[]>;
}

function key(ecosystem: string, name: string): string {
  return `${ecosystem}\u0000${name}`;
}

/** The local OSV advisory store. */
export class OsvStore {
  readonly dir: string;
  private readonly now: () => number;
  private readonly maxRecordBytes: number;
  private readonly indexes = new Map<string, Promise<BaseIndex>>();
  private importing: Promise<unknown> = Promise.resolve();

  constructor(options: OsvStoreOptions = {}) {
    this.dir = resolve(options.dir ?? join(defaultDataDir(), 'advisories'));
    this.now = options.now ?? Date.now;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** What is imported; null for an empty store. Throws `internal` for a corrupt metadata file. */
  async meta(): Promise<AdvisoryDbMeta | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, META), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new BulkheadError(
        'internal',
        `advisory database ${join(this.dir, META)} is corrupt (${errorText(e)}); import again`,
        { cause: e },
      );
    }
    const parsed = parseAdvisoryDbMeta(json);
    if (!parsed.ok)
      throw new BulkheadError(
        'internal',
        `advisory database ${join(this.dir, META)} is unusable: ${parsed.reason}; import again`,
      );
    return parsed.meta;
  }

  /**
   * Import OSV records from an `all.zip`, a directory of `.json` files, or one `.json` file.
   *
   * Records are validated; withdrawn ones are dropped. Each ecosystem base present in the source replaces
   * that base's previous import; other bases stay. Throws `not-found` for a missing path and `bad-request`
   * (naming the entry and the problem) for an unreadable zip or — unless `skipInvalid` — a malformed
   * record; in every failure case the store is unchanged.
   */
  importFrom(source: string, options: ImportOptions = {}): Promise<ImportReport> {
    const attempt = (): Promise<ImportReport> =>
      this.doImport(source, options).catch((e: unknown) => {
        throw this.diskFull(source, e);
      });
    const run = this.importing.then(attempt, attempt);
    this.importing = run.catch(() => undefined);
    return run;
  }

  /** A full disk anywhere in an import (lock, data files, meta.json) as one `disk-full` error; else `e`. */
  private diskFull(source: string, e: unknown): unknown {
    const mapped = diskWriteError(e, this.dir);
    if (!(mapped instanceof BulkheadError) || mapped.code !== 'disk-full') return e;
    const cause = mapped.cause as NodeJS.ErrnoException | undefined;
    return new BulkheadError(
      'disk-full',
      `cannot import ${resolve(source)}: the disk holding ${this.dir} is full (${cause?.code ?? 'ENOSPC'}) — ` +
        'nothing was changed, the advisory database is as it was; free some space and import again',
      { cause: e },
    );
  }

  private async doImport(sourceArg: string, options: ImportOptions): Promise<ImportReport> {
    const source = resolve(sourceArg);
    let kind: ImportReport['kind'];
    try {
      const s = await stat(source);
      if (s.isDirectory()) kind = 'directory';
      else if (source.toLowerCase().endsWith('.json')) kind = 'file';
      else kind = 'zip';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new BulkheadError('not-found', `cannot import ${source}: no such file or directory`);
      throw badSource(source, errorText(e), e);
    }
    await mkdir(this.dir, { recursive: true });
    await this.lock();
    const importId = `${this.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const writers = new Map<string, BaseWriter>();
    const problems: string[] = [];
    const problem = (m: string): void => {
      if (problems.length < MAX_PROBLEMS) problems.push(m);
    };
    let filesRead = 0;
    let invalid = 0;
    let withdrawn = 0;
    let duplicates = 0;
    let withoutPackages = 0;
    let committed = false;
    try {
      const entries: AsyncIterable<SourceEntry> | Iterable<SourceEntry> =
        kind === 'directory'
          ? directoryEntries(source, this.maxRecordBytes)
          : kind === 'file'
            ? singleFile(source, this.maxRecordBytes)
            : zipEntries(source, this.maxRecordBytes);
      for await (const entry of entries) {
        filesRead++;
        let record: OsvRecord;
        try {
          const bytes = await entry.read();
          let json: unknown;
          try {
            json = JSON.parse(bytes.toString('utf8'));
          } catch (e) {
            throw new Error(`not valid JSON (${errorText(e)})`, { cause: e });
          }
          const parsed = parseOsvRecord(json);
          if (!parsed.ok) throw new Error(`not a valid OSV record: ${parsed.reason}`);
          record = parsed.record;
        } catch (e) {
          if (e instanceof ZipCorrupt) throw badSource(source, e.message, e);
          const message = `${entry.name}: ${errorText(e)}`;
          if (options.skipInvalid !== true) {
            throw badSource(
              source,
              `${message} (use --skip-invalid to import the valid records and skip such ones)`,
              e,
            );
          }
          invalid++;
          problem(message);
          continue;
        }
        if (record.withdrawn !== null) {
          withdrawn++;
          continue;
        }
        if (record.affected.length === 0) {
          withoutPackages++;
          continue;
        }
        const bases = [...new Set(record.affected.map((a) => ecosystemBase(a.package.ecosystem)))];
        let duplicate = false;
        for (const base of bases) {
          const w = await this.writerFor(writers, base, importId);
          if (w.ids.has(record.id)) {
            duplicate = true;
            continue;
          }
          w.ids.add(record.id);
          const restricted = restrictAffected(record, (e) => ecosystemBase(e) === base);
          for (const a of restricted.affected)
            w.counts[a.package.ecosystem] = (w.counts[a.package.ecosystem] ?? 0) + 1;
          w.records++;
          if (w.newestModified === null || Date.parse(record.modified) > Date.parse(w.newestModified))
            w.newestModified = record.modified;
          await w.out.write(`${JSON.stringify(restricted)}\n`);
        }
        if (duplicate) {
          duplicates++;
          problem(`${entry.name}: ${record.id} appears more than once; the first one was kept`);
        }
      }
      if (writers.size === 0) {
        throw badSource(
          source,
          filesRead === 0 ? 'no OSV records (.json files) in it' : 'no usable OSV records in it',
        );
      }
      for (const w of writers.values()) await w.out.commit();
      const importedAt = this.now() as EpochMillis;
      const imported: EcosystemImport[] = [...writers.values()].map((w) => ({
        base: w.base,
        source,
        importedAt,
        newestModified: w.newestModified,
        records: w.records,
        counts: w.counts,
        file: w.file,
      }));
      const meta = withImports(await this.meta(), imported);
      await writeTextAtomic(join(this.dir, META), JSON.stringify(meta, null, 1));
      committed = true;
      for (const w of writers.values()) this.indexes.delete(w.base);
      await this.collectGarbage(meta);
      return { source, kind, imported, filesRead, invalid, withdrawn, duplicates, withoutPackages, problems };
    } finally {
      if (!committed) {
        for (const w of writers.values()) {
          await w.out.abort();
          await rm(join(this.dir, w.file), { force: true });
        }
      }
      await this.unlock();
    }
  }

  private async writerFor(
    writers: Map<string, BaseWriter>,
    base: string,
    importId: string,
  ): Promise<BaseWriter> {
    const existing = writers.get(base);
    if (existing !== undefined) return existing;
    const file = `${slug(base)}.${importId}.jsonl`;
    const w: BaseWriter = {
      base,
      file,
      out: await openAtomicFile(join(this.dir, file)),
      ids: new Set(),
      counts: {},
      records: 0,
      newestModified: null,
    };
    writers.set(base, w);
    return w;
  }

  /** Remove data files no longer referenced, and temporaries of crashed imports (we hold the lock). */
  private async collectGarbage(meta: AdvisoryDbMeta): Promise<void> {
    const keep = new Set([META, LOCK, ...meta.ecosystems.map((e) => e.file)]);
    for (const name of await readdir(this.dir)) {
      if (keep.has(name)) continue;
      if (name.endsWith('.jsonl') || name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
    }
  }

  private async lock(): Promise<void> {
    const path = join(this.dir, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new BulkheadError(
            'bad-request',
            `another advisory import is running (pid ${pid}); try again when it has finished`,
          );
        }
        // A lock left by a crashed import.
        await unlink(path).catch(() => undefined);
      }
    }
    throw new BulkheadError('internal', `cannot take the advisory import lock ${path}`);
  }

  private async unlock(): Promise<void> {
    await unlink(join(this.dir, LOCK)).catch(() => undefined);
  }

  private index(entry: EcosystemImport): Promise<BaseIndex> {
    const cached = this.indexes.get(entry.base);
    if (cached !== undefined) {
      return cached.then((idx) => (idx.file === entry.file ? idx : this.reloadIndex(entry)));
    }
    return this.reloadIndex(entry);
  }

  private reloadIndex(entry: EcosystemImport): Promise<BaseIndex> {
    const promise = this.loadIndex(entry);
    this.indexes.set(entry.base, promise);
    promise.catch(() => this.indexes.delete(entry.base));
    return promise;
  }

  private async loadIndex(entry: EcosystemImport): Promise<BaseIndex> {
    const path = join(this.dir, entry.file);
    const byKey = new Map<string, OsvRecord[]>();
    const lines = createInterface({
      input: createReadStream(path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    let n = 0;
    try {
      for await (const line of lines) {
        n++;
        if (line === '') continue;
        let parsed;
        try {
          parsed = parseOsvRecord(JSON.parse(line));
        } catch (e) {
          throw new Error(`line ${n}: ${errorText(e)}`, { cause: e });
        }
        if (!parsed.ok) throw new Error(`line ${n}: ${parsed.reason}`);
        const seen = new Set<string>();
        for (const a of parsed.record.affected) {
          const k = key(a.package.ecosystem, a.package.name);
          if (seen.has(k)) continue;
          seen.add(k);
          const list = byKey.get(k);
          if (list === undefined) byKey.set(k, [parsed.record]);
          else list.push(parsed.record);
        }
      }
    } catch (e) {
      throw new BulkheadError(
        'internal',
        `advisory database file ${path} is corrupt (${errorText(e)}); import ${entry.base} again`,
        { cause: e },
      );
    }
    return { file: entry.file, byKey };
  }

  /** The stored records for a package: those filed under its ecosystem (and release-less base) and name. */
  async recordsFor(ecosystem: string, name: string): Promise<readonly OsvRecord[]> {
    const meta = await this.meta();
    const entry = meta === null ? undefined : importFor(meta, ecosystem);
    if (entry === undefined) return [];
    const idx = await this.index(entry);
    const out = new Set<OsvRecord>();
    for (const eco of advisoryEcosystemsFor(ecosystem))
      for (const r of idx.byKey.get(key(eco, name)) ?? []) out.add(r);
    return [...out];
  }

  /**
   * Match packages against the store. Each finding carries the provenance (source, import time, age,
   * staleness) of the import it came from; `missing` lists the package ecosystems with no imported data.
   */
  async findings(packages: readonly Package[]): Promise<{ findings: AdvisoryFinding[]; missing: string[] }> {
    const now = this.now();
    const meta = await this.meta();
    const ecosystems = [...new Set(packages.map((p) => p.ecosystem).filter((e): e is string => e !== null))];
    const missing: string[] = [];
    const lookups = new Map<string, BaseIndex>();
    for (const eco of ecosystems) {
      const entry = meta === null ? undefined : importFor(meta, eco);
      if (entry === undefined) missing.push(eco);
      else lookups.set(eco, await this.index(entry));
    }
    const matches = matchPackages(packages, (eco, name) => {
      const idx = lookups.get(eco);
      if (idx === undefined) return [];
      const out = new Set<OsvRecord>();
      for (const e of advisoryEcosystemsFor(eco))
        for (const r of idx.byKey.get(key(e, name)) ?? []) out.add(r);
      return [...out];
    });
    const findings = matches.map((m): AdvisoryFinding => {
      const entry =
        meta === null || m.package.ecosystem === null ? undefined : importFor(meta, m.package.ecosystem);
      if (entry === undefined) throw new Error('a match without an import entry');
      return { ...m, db: provenance(entry, now) };
    });
    return { findings, missing };
  }
}
