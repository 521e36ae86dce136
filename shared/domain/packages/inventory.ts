import { parseApkInstalled } from './apk-installed.js';
import { parseDpkgStatus } from './dpkg-status.js';
import type { EcosystemResolution } from './ecosystem.js';
import { ecosystemForOs } from './ecosystem.js';
import type { OsInfo, Package, PackageFormat } from './model.js';
import { MAX_PROBLEMS } from './model.js';
import { parseOsRelease } from './os-release.js';
import { parseRpmSqlite } from './rpmdb.js';

/**
 * An image's package inventory from the few files an image reader extracted: which OS, which package
 * databases, which packages.
 */

/** Where each package database lives in an image filesystem (absolute paths). */
export const PACKAGE_DB_PATHS = {
  osRelease: ['/etc/os-release', '/usr/lib/os-release'],
  dpkgStatus: '/var/lib/dpkg/status',
  dpkgStatusDir: '/var/lib/dpkg/status.d',
  apkInstalled: '/lib/apk/db/installed',
  rpmSqlite: ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite'],
  rpmBdb: ['/var/lib/rpm/Packages', '/usr/lib/sysimage/rpm/Packages'],
} as const;

/** Read access to an image's merged filesystem, as far as the reader extracted it. */
export interface ImageFileView {
  /** The text of a regular file (symlinks followed), or null when absent or not extracted. */
  readText(path: string): string | null;
  /**
   * The bytes of a regular file (symlinks followed), or null when absent or not extracted; for binary
   * databases (rpmdb.sqlite). A view without it reads no binary database.
   */
  readBytes?(path: string): Uint8Array | null;
  /** Whether a regular file exists at `path` (symlinks followed). */
  has(path: string): boolean;
  /** The names of the regular files directly inside `dir` that were extracted. */
  list(dir: string): readonly string[];
}

/** One package database that was found. */
export interface PackageDbRead {
  readonly format: PackageFormat;
  /** Where it was read from, e.g. `/var/lib/dpkg/status` or `/var/lib/dpkg/status.d/ (12 files)`. */
  readonly path: string;
  /**
   * Whether Bulkhead could read it: false for a Berkeley DB rpm database (`Packages`, which Bulkhead
   * recognises but cannot read) and for an rpmdb.sqlite that is damaged or was not extracted.
   */
  readonly read: boolean;
  readonly packages: number;
  readonly skipped: number;
}

/** An image's inventory. */
export interface PackageInventory {
  readonly os: OsInfo | null;
  /** The OSV ecosystem of the OS, or why there is none; null when there is no os-release. */
  readonly ecosystem: EcosystemResolution | null;
  readonly databases: readonly PackageDbRead[];
  readonly packages: readonly Package[];
  /** Malformed entries skipped across all databases. */
  readonly skipped: number;
  readonly notInstalled: number;
  readonly problems: readonly string[];
  /**
   * `packages`: at least one database was read. `no-package-db`: none was found (a static binary image;
   * not an error). `unsupported-db`: only a database Bulkhead cannot read was found (a Berkeley DB rpm
   * database, or an rpmdb.sqlite too damaged to read).
   */
  readonly status: 'packages' | 'no-package-db' | 'unsupported-db';
  /** One line for a person, e.g. `113 dpkg packages (Debian GNU/Linux 12 (bookworm))`. */
  readonly summary: string;
}

/** The message for an image without any package database. */
export const NO_PACKAGE_DB = 'no package database found';

function readOs(files: ImageFileView): OsInfo | null {
  for (const path of PACKAGE_DB_PATHS.osRelease) {
    const text = files.readText(path);
    if (text !== null) return parseOsRelease(text);
  }
  return null;
}

/** Build an image's inventory from its extracted files. */
export function buildInventory(files: ImageFileView): PackageInventory {
  const os = readOs(files);
  const ecosystem = os !== null ? ecosystemForOs(os) : null;
  const eco = ecosystem?.ok === true ? ecosystem.ecosystem : null;
  const databases: PackageDbRead[] = [];
  const packages: Package[] = [];
  const problems: string[] = [];
  let skipped = 0;
  let notInstalled = 0;
  const add = (
    format: PackageFormat,
    path: string,
    parsed: {
      packages: readonly Package[];
      skipped: number;
      notInstalled: number;
      problems: readonly string[];
    },
  ): void => {
    databases.push({ format, path, read: true, packages: parsed.packages.length, skipped: parsed.skipped });
    packages.push(...parsed.packages);
    skipped += parsed.skipped;
    notInstalled += parsed.notInstalled;
    for (const p of parsed.problems) if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  const status = files.readText(PACKAGE_DB_PATHS.dpkgStatus);
  if (status !== null) {
    add(
      'dpkg',
      PACKAGE_DB_PATHS.dpkgStatus,
      parseDpkgStatus(status, { ecosystem: eco, file: PACKAGE_DB_PATHS.dpkgStatus }),
    );
  }
  // Distroless: one stanza per file; `<name>.md5sums` files sit alongside and are not stanzas.
  const statusD = files
    .list(PACKAGE_DB_PATHS.dpkgStatusDir)
    .filter((n) => !n.endsWith('.md5sums'))
    .sort();
  if (statusD.length > 0) {
    const merged = { packages: [] as Package[], skipped: 0, notInstalled: 0, problems: [] as string[] };
    for (const name of statusD) {
      const path = `${PACKAGE_DB_PATHS.dpkgStatusDir}/${name}`;
      const text = files.readText(path);
      if (text === null) continue;
      const parsed = parseDpkgStatus(text, { ecosystem: eco, file: path });
      merged.packages.push(...parsed.packages);
      merged.skipped += parsed.skipped;
      merged.notInstalled += parsed.notInstalled;
      merged.problems.push(...parsed.problems);
    }
    add('dpkg', `${PACKAGE_DB_PATHS.dpkgStatusDir}/ (${statusD.length} files)`, merged);
  }
  const apk = files.readText(PACKAGE_DB_PATHS.apkInstalled);
  if (apk !== null) {
    add(
      'apk',
      PACKAGE_DB_PATHS.apkInstalled,
      parseApkInstalled(apk, { ecosystem: eco, file: PACKAGE_DB_PATHS.apkInstalled }),
    );
  }
  // One rpm database: the sqlite one (rpm ≥ 4.16) when present, else a Berkeley DB one. Both paths of
  // each are the same file on systems where /var/lib/rpm links to /usr/lib/sysimage/rpm.
  let unreadable: string | null = null;
  const rpmSqlite = PACKAGE_DB_PATHS.rpmSqlite.find((p) => files.has(p));
  const rpmBdb = PACKAGE_DB_PATHS.rpmBdb.find((p) => files.has(p));
  if (rpmSqlite !== undefined) {
    const bytes = files.readBytes?.(rpmSqlite) ?? null;
    const parsed = bytes === null ? null : parseRpmSqlite(bytes, { ecosystem: eco, file: rpmSqlite });
    if (parsed?.ok === true) {
      add('rpm', rpmSqlite, parsed.value);
      if (parsed.value.incomplete !== null) unreadable = `${rpmSqlite} is damaged and was read only in part`;
    } else {
      databases.push({ format: 'rpm', path: rpmSqlite, read: false, packages: 0, skipped: 0 });
      unreadable =
        parsed === null
          ? `RPM database found at ${rpmSqlite} but its content was not extracted`
          : `RPM database at ${rpmSqlite} could not be read: ${parsed.error.message}`;
      if (problems.length < MAX_PROBLEMS) problems.push(unreadable);
    }
  } else if (rpmBdb !== undefined) {
    databases.push({ format: 'rpm', path: rpmBdb, read: false, packages: 0, skipped: 0 });
  }

  const osName = os?.prettyName ?? 'unknown OS';
  let state: PackageInventory['status'];
  let summary: string;
  if (databases.some((d) => d.read)) {
    state = 'packages';
    const formats = [...new Set(databases.filter((d) => d.read).map((d) => d.format))].join('+');
    summary = `${packages.length} ${formats} packages (${osName})`;
    if (skipped > 0) summary += `, ${skipped} malformed entries skipped`;
    if (unreadable !== null) summary += `; ${unreadable}`;
  } else if (unreadable !== null) {
    state = 'unsupported-db';
    summary = `${unreadable} (${osName})`;
  } else if (databases.length > 0) {
    state = 'unsupported-db';
    summary =
      `RPM database found at ${databases[0]?.path ?? ''} (${osName}) is a Berkeley DB database, which ` +
      `Bulkhead does not read; it reads rpmdb.sqlite (rpm 4.16 and later)`;
  } else {
    state = 'no-package-db';
    summary = `${NO_PACKAGE_DB} (${osName})`;
  }
  return { os, ecosystem, databases, packages, skipped, notInstalled, problems, status: state, summary };
}
