/**
 * The package-inventory model: what an image's package database says is installed, and which OS it is.
 *
 * Plain serialisable data, so an inventory can be cached on disk and cross IPC unchanged.
 */

/** The package database a package was read from, which also decides how its versions compare. */
export const PACKAGE_FORMATS = ['dpkg', 'apk', 'rpm'] as const;
export type PackageFormat = (typeof PACKAGE_FORMATS)[number];

/** One installed package. */
export interface Package {
  /** The binary package name (`libssl3`). */
  readonly name: string;
  /** The installed version, exactly as the database states it (`3.0.11-1~deb12u2`, `1:2.5.1-4`). */
  readonly version: string;
  /**
   * The source package it was built from (`openssl`); the same as `name` when the database names none.
   *
   * Debian, Ubuntu and Alpine advisories are keyed by source package.
   */
  readonly sourceName: string;
  /** The source package's version; differs from `version` for binNMUs (`2.38.1-5+b1` from `2.38.1-5`). */
  readonly sourceVersion: string;
  /** `amd64`, `x86_64`, `all`, …; empty when the database does not say. */
  readonly arch: string;
  readonly format: PackageFormat;
  /** The OSV ecosystem the package belongs to (`Debian:12`, `Alpine:v3.18`); null when the OS is unknown. */
  readonly ecosystem: string | null;
}

/** The result of parsing one package database: the packages, and what could not be read. */
export interface ParsedPackages {
  readonly packages: readonly Package[];
  /** Entries that were malformed (no name, no version, an invalid version) and left out. */
  readonly skipped: number;
  /** Well-formed entries left out because the package is not installed (dpkg `config-files`, …). */
  readonly notInstalled: number;
  /** One line per problem, naming where it is (`stanza at line 12: no Version field`). */
  readonly problems: readonly string[];
}

/** The fields of /etc/os-release that identify a distribution. */
export interface OsInfo {
  /** `ID`, lowercase: `debian`, `ubuntu`, `alpine`, `rocky`, … */
  readonly id: string;
  /** `ID_LIKE`, split on blanks. */
  readonly idLike: readonly string[];
  /** `VERSION_ID`: `12`, `3.18.4`, `18.04`; null when absent (Debian testing/unstable). */
  readonly versionId: string | null;
  /** `VERSION_CODENAME`: `bookworm`; null when absent. */
  readonly versionCodename: string | null;
  /** `VERSION`: `12 (bookworm)`, `18.04.6 LTS (Bionic Beaver)`; null when absent. */
  readonly version: string | null;
  /** `PRETTY_NAME`, or `NAME`, or the id. */
  readonly prettyName: string;
}

/** Cap on the problems kept per parse, so a garbage file cannot produce megabytes of messages. */
export const MAX_PROBLEMS = 50;

/** Append a problem unless the cap is reached. */
export function pushProblem(problems: string[], message: string): void {
  if (problems.length < MAX_PROBLEMS) problems.push(message);
  else if (problems.length === MAX_PROBLEMS) problems.push('… more problems not shown');
}
