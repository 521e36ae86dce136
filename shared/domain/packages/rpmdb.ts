import type { Package, ParsedPackages } from './model.js';
import { pushProblem } from './model.js';
import { parseRpmHeader, parseSourceRpmName } from './rpm-header.js';
import type { SqliteError } from './sqlite-file.js';
import { findTable, openSqlite, readTable } from './sqlite-file.js';
import { rpmVersionProblem } from './version-rpm.js';

/**
 * Parser for rpm's SQLite database, `rpmdb.sqlite` (rpm ≥ 4.16: Fedora ≥ 33, RHEL/Rocky/Alma ≥ 9,
 * Amazon Linux 2023; SUSE's `ndb` backend, `Packages.db`, is another format): table
 * `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`, one package header per row. The other tables are indexes
 * rpm rebuilds from the headers and are not read. rpm keeps the database in WAL mode; only what was
 * checkpointed into the main file is seen (rpm checkpoints when it closes the database).
 *
 * Versions are in rpm's `[epoch:]version-release` form, the epoch present exactly when the header has one
 * (as `rpm -q --qf '%{EVR}'` prints it), which is what `compareRpmVersions` (version-rpm.ts) expects. The source
 * package is the one SOURCERPM names; its version carries the binary package's epoch, since a source
 * rpm's file name has none and both share it.
 *
 * `gpg-pubkey` entries (the keys `rpm --import` stores as pseudo-packages, which `rpm -qa` lists) are left
 * out and counted in `pubkeys`: they are not software and no advisory names them, as in Trivy.
 */

/** Options for {@link parseRpmSqlite}. */
export interface RpmParseOptions {
  /** The OSV ecosystem to stamp on every package (`Rocky Linux:9`), or null when unknown. */
  readonly ecosystem: string | null;
  /** The file name, to prefix problems with. */
  readonly file?: string;
}

/** The packages of an rpm database, and how far it could be read. */
export interface RpmParsedPackages extends ParsedPackages {
  /** `gpg-pubkey` pseudo-packages left out. */
  readonly pubkeys: number;
  /**
   * Why the walk stopped before the end of the Packages table (a damaged page); the packages before it
   * were read. Null when the whole table was read.
   */
  readonly incomplete: SqliteError | null;
}

/** An rpm database's packages, or why it could not be read at all. */
export type RpmSqliteResult =
  | { readonly ok: true; readonly value: RpmParsedPackages }
  | { readonly ok: false; readonly error: SqliteError };

/** The pseudo-package name `rpm --import` gives public keys. */
export const RPM_PUBKEY_NAME = 'gpg-pubkey';

/** Parse the bytes of an `rpmdb.sqlite` file. */
export function parseRpmSqlite(bytes: Uint8Array, options: RpmParseOptions): RpmSqliteResult {
  const where = options.file !== undefined ? `${options.file}: ` : '';
  const opened = openSqlite(bytes);
  if (!opened.ok) return opened;
  const db = opened.value;
  const table = findTable(db, 'Packages');
  if (!table.ok) {
    if (table.error.code !== 'no-such-table') return table;
    return { ok: false, error: { code: 'no-such-table', message: 'no Packages table: not an rpm database' } };
  }
  const blobColumn = table.value.columns.findIndex((c) => c.toLowerCase() === 'blob');
  const keyColumn = table.value.rowidColumn;
  if (blobColumn < 0) {
    return {
      ok: false,
      error: { code: 'corrupt', message: `the Packages table has no blob column (${table.value.sql})` },
    };
  }

  const packages: Package[] = [];
  const problems: string[] = [];
  let skipped = 0;
  let pubkeys = 0;
  let incomplete: SqliteError | null = null;
  for (const step of readTable(db, table.value)) {
    if (!step.ok) {
      incomplete = step.error;
      pushProblem(
        problems,
        `${where}the rest of the Packages table could not be read: ${step.error.message}`,
      );
      break;
    }
    const row = step.value;
    const hnum = keyColumn !== null ? row.values[keyColumn] : row.rowid;
    const at = `${where}package ${String(hnum ?? row.rowid)}`;
    const blob = row.values[blobColumn];
    if (!(blob instanceof Uint8Array)) {
      skipped++;
      pushProblem(problems, `${at}: the header is not a blob`);
      continue;
    }
    const header = parseRpmHeader(blob);
    if (!header.ok) {
      skipped++;
      pushProblem(problems, `${at}: ${header.error.message}`);
      continue;
    }
    const h = header.value;
    if (h.name === null || h.name === '') {
      skipped++;
      pushProblem(problems, `${at}: no NAME`);
      continue;
    }
    if (h.name === RPM_PUBKEY_NAME) {
      pubkeys++;
      continue;
    }
    if (h.version === null || h.release === null) {
      skipped++;
      pushProblem(problems, `${at} (${h.name}): no ${h.version === null ? 'VERSION' : 'RELEASE'}`);
      continue;
    }
    const epoch = h.epoch !== null ? `${h.epoch}:` : '';
    const version = `${epoch}${h.version}-${h.release}`;
    const problem = rpmVersionProblem(version);
    if (problem !== null || h.version === '') {
      skipped++;
      pushProblem(problems, `${at} (${h.name}): invalid version ${JSON.stringify(version)}`);
      continue;
    }
    const source = h.sourceRpm !== null ? parseSourceRpmName(h.sourceRpm) : null;
    if (h.sourceRpm !== null && source === null)
      pushProblem(
        problems,
        `${at} (${h.name}): SOURCERPM ${JSON.stringify(h.sourceRpm)} is not a source rpm name`,
      );
    packages.push({
      name: h.name,
      version,
      sourceName: source?.name ?? h.name,
      sourceVersion: source !== null ? `${epoch}${source.version}-${source.release}` : version,
      arch: h.arch ?? '',
      format: 'rpm',
      ecosystem: options.ecosystem,
    });
  }
  return { ok: true, value: { packages, skipped, notInstalled: 0, problems, pubkeys, incomplete } };
}
