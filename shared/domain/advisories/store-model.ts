import type { EpochMillis } from '../ids.js';
import type { AdvisoryMatch } from './match.js';

/**
 * The local advisory database's metadata: what was imported, from where, when, and how many records per
 * ecosystem. Imports are grouped by ecosystem base (`Debian`, `Alpine`, `Root`): importing Debian's dump
 * replaces the Debian records and leaves the Alpine ones alone.
 */

/** The on-disk format version of the store's metadata; a store with another format is refused. */
export const ADVISORY_DB_FORMAT = 'bulkhead-osv/1';

/** An import older than this is stale. */
export const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/** One ecosystem base as last imported. */
export interface EcosystemImport {
  /** The ecosystem base: `Debian`, `Alpine`, `Root`, … */
  readonly base: string;
  /** Where the records came from: the zip or directory path as given to the import. */
  readonly source: string;
  readonly importedAt: EpochMillis;
  /** The newest `modified` timestamp among the records (how fresh the data itself is); null if none. */
  readonly newestModified: string | null;
  /** Records stored for this base. */
  readonly records: number;
  /** Affected-package entries per full ecosystem (`Debian:11`, `Debian:12`). */
  readonly counts: Readonly<Record<string, number>>;
  /** The data file holding the records, relative to the store directory. */
  readonly file: string;
}

/** The whole store's metadata. */
export interface AdvisoryDbMeta {
  readonly format: typeof ADVISORY_DB_FORMAT;
  readonly ecosystems: readonly EcosystemImport[];
}

/** Whether an import is older than seven days at `now`. */
export function isStale(entry: Pick<EcosystemImport, 'importedAt'>, now: number): boolean {
  return now - entry.importedAt > STALE_AFTER_MS;
}

/** Where a finding's advisory came from, shown next to the finding. */
export interface AdvisoryProvenance {
  readonly source: string;
  readonly importedAt: EpochMillis;
  /** Milliseconds between the import and the match. */
  readonly ageMs: number;
  readonly stale: boolean;
}

/** A match with the provenance of the database it came from. */
export interface AdvisoryFinding extends AdvisoryMatch {
  readonly db: AdvisoryProvenance;
}

/** The provenance of an import as seen at `now`. */
export function provenance(entry: EcosystemImport, now: number): AdvisoryProvenance {
  return {
    source: entry.source,
    importedAt: entry.importedAt,
    ageMs: Math.max(0, now - entry.importedAt),
    stale: isStale(entry, now),
  };
}

/** The import entry that serves an ecosystem, by its base; undefined when that base was never imported. */
export function importFor(meta: AdvisoryDbMeta, ecosystem: string): EcosystemImport | undefined {
  const base = ecosystem.split(':')[0];
  return meta.ecosystems.find((e) => e.base === base);
}

/** A new metadata value with `entries` replacing those of the same base. */
export function withImports(
  meta: AdvisoryDbMeta | null,
  entries: readonly EcosystemImport[],
): AdvisoryDbMeta {
  const replaced = new Set(entries.map((e) => e.base));
  const kept = (meta?.ecosystems ?? []).filter((e) => !replaced.has(e.base));
  return {
    format: ADVISORY_DB_FORMAT,
    ecosystems: [...kept, ...entries].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0)),
  };
}

/** Validate metadata read from disk; returns a reason when it is not usable. */
export function parseAdvisoryDbMeta(
  value: unknown,
): { ok: true; meta: AdvisoryDbMeta } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'not an object' };
  const v = value as Record<string, unknown>;
  if (v.format !== ADVISORY_DB_FORMAT)
    return { ok: false, reason: `unknown format ${JSON.stringify(v.format)}` };
  if (!Array.isArray(v.ecosystems)) return { ok: false, reason: 'no ecosystems list' };
  const ecosystems: EcosystemImport[] = [];
  for (const [i, e] of (v.ecosystems as unknown[]).entries()) {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    if (
      typeof o.base !== 'string' ||
      typeof o.source !== 'string' ||
      typeof o.importedAt !== 'number' ||
      typeof o.records !== 'number' ||
      typeof o.file !== 'string' ||
      !/^[A-Za-z0-9._-]+$/.test(o.file) ||
      typeof o.counts !== 'object' ||
      o.counts === null ||
      !(o.newestModified === null || typeof o.newestModified === 'string')
    ) {
      return { ok: false, reason: `ecosystems[${i}] is malformed` };
    }
    ecosystems.push({
      base: o.base,
      source: o.source,
      importedAt: o.importedAt as EpochMillis,
      newestModified: o.newestModified,
      records: o.records,
      counts: o.counts as Record<string, number>,
      file: o.file,
    });
  }
  return { ok: true, meta: { format: ADVISORY_DB_FORMAT, ecosystems } };
}
