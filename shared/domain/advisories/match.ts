import type { VersionScheme } from '../packages/ecosystem.js';
import { compareVersions, ecosystemCovers, keyedBySource, versionSchemeOf } from '../packages/ecosystem.js';
import type { Package } from '../packages/model.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from './osv.js';
import type { SeverityAssessment } from './severity.js';
import { assessSeverity } from './severity.js';

/**
 * Matching installed packages against OSV records, with the OSV schema's evaluation semantics.
 *
 * A package is affected by a record when one of the record's `affected` entries names its ecosystem and
 * package (the *source* package for Debian, Ubuntu, Alpine and the other source-keyed ecosystems) and its
 * version is listed in `versions` or lies in one of the `ECOSYSTEM` ranges. A range's events are sorted
 * with the ecosystem's own version ordering (`introduced: "0"` first) and walked in order: `introduced`
 * opens, `fixed` closes at that version, `last_affected` closes after it; `limit` events cap the range.
 * `SEMVER` and `GIT` ranges do not describe OS packages and are not evaluated.
 */

/** Why a version is affected: the range that contains it, or the explicit versions list. */
export interface AffectedVerdict {
  readonly matchedBy: 'range' | 'versions';
  /** The lowest `fixed` version above the installed one in the matching range; null when none is known. */
  readonly fixedVersion: string | null;
}

/** One installed package affected by one advisory. */
export interface AdvisoryMatch {
  readonly advisoryId: string;
  /** Aliases and upstream ids (CVE-…), without duplicates. */
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly package: Package;
  /** The ecosystem as the advisory names it (`Debian:12`, or `Debian` for a release-less record). */
  readonly advisoryEcosystem: string;
  /** The package name the advisory names (the source package for source-keyed ecosystems). */
  readonly advisoryPackage: string;
  /** The version that was compared (the source version for source-keyed ecosystems). */
  readonly comparedVersion: string;
  readonly matchedBy: 'range' | 'versions';
  readonly fixedVersion: string | null;
  readonly severity: SeverityAssessment;
  readonly published: string | null;
  readonly modified: string;
  /** Reference URLs, advisory links first. */
  readonly references: readonly string[];
}

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

function eventOf(e: OsvEvent): { kind: Kind; version: string } {
  if ('introduced' in e) return { kind: 'introduced', version: e.introduced };
  if ('fixed' in e) return { kind: 'fixed', version: e.fixed };
  if ('last_affected' in e) return { kind: 'last_affected', version: e.last_affected };
  return { kind: 'limit', version: e.limit };
}

/** `introduced: "0"` sorts before every version. */
function isZero(e: { kind: Kind; version: string }): boolean {
  return e.kind === 'introduced' && e.version === '0';
}

/**
 * Evaluate one ECOSYSTEM range for `version`; returns the verdict or null when not affected.
 */
export function evaluateRange(
  range: OsvRange,
  scheme: VersionScheme,
  version: string,
): AffectedVerdict | null {
  if (range.type !== 'ECOSYSTEM') return null;
  const cmp = (a: string, b: string): number => compareVersions(scheme, a, b);
  const events = range.events.map(eventOf);
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => e.version.includes('*') || cmp(version, e.version) < 0))
    return null;

  const sorted = events
    .filter((e) => e.kind !== 'limit')
    .map((e, index) => ({ ...e, index }))
    .sort((a, b) => {
      const za = isZero(a);
      const zb = isZero(b);
      if (za || zb) return za && zb ? a.index - b.index : za ? -1 : 1;
      return cmp(a.version, b.version) || a.index - b.index;
    });
  let vulnerable = false;
  for (const e of sorted) {
    if (e.kind === 'introduced' && (isZero(e) || cmp(version, e.version) >= 0)) vulnerable = true;
    else if (e.kind === 'fixed' && cmp(version, e.version) >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && cmp(version, e.version) > 0) vulnerable = false;
  }
  if (!vulnerable) return null;
  const fixes = sorted.filter((e) => e.kind === 'fixed' && cmp(version, e.version) < 0);
  return { matchedBy: 'range', fixedVersion: fixes[0]?.version ?? null };
}

/** Evaluate one `affected` entry for `version` (versions list first, then each ECOSYSTEM range). */
export function evaluateAffected(
  affected: OsvAffected,
  scheme: VersionScheme,
  version: string,
): AffectedVerdict | null {
  let listed = false;
  for (const v of affected.versions) {
    if (v === version || compareVersions(scheme, v, version) === 0) {
      listed = true;
      break;
    }
  }
  for (const range of affected.ranges) {
    const verdict = evaluateRange(range, scheme, version);
    if (verdict !== null) return verdict;
  }
  if (!listed) return null;
  // Listed explicitly: report the lowest fixed version above it from any range, if there is one.
  const fixes = affected.ranges
    .flatMap((r) => (r.type === 'ECOSYSTEM' ? r.events.map(eventOf) : []))
    .filter((e) => e.kind === 'fixed' && compareVersions(scheme, version, e.version) < 0)
    .sort((a, b) => compareVersions(scheme, a.version, b.version));
  return { matchedBy: 'versions', fixedVersion: fixes[0]?.version ?? null };
}

function references(record: OsvRecord): string[] {
  const rank = (t: string): number => (t === 'ADVISORY' ? 0 : t === 'FIX' ? 1 : 2);
  return [...record.references].sort((a, b) => rank(a.type) - rank(b.type)).map((r) => r.url);
}

/**
 * The advisories in `records` that affect `pkg`, at most one match per record.
 *
 * Packages without an ecosystem, ecosystems without a known version ordering, and withdrawn records
 * produce no matches.
 */
export function matchPackage(pkg: Package, records: Iterable<OsvRecord>): AdvisoryMatch[] {
  if (pkg.ecosystem === null) return [];
  const scheme = versionSchemeOf(pkg.ecosystem);
  if (scheme === null) return [];
  const bySource = keyedBySource(pkg.ecosystem);
  const name = bySource ? pkg.sourceName : pkg.name;
  const version = bySource ? pkg.sourceVersion : pkg.version;
  const out: AdvisoryMatch[] = [];
  for (const record of records) {
    if (record.withdrawn !== null) continue;
    for (const affected of record.affected) {
      if (affected.package.name !== name || !ecosystemCovers(affected.package.ecosystem, pkg.ecosystem))
        continue;
      const verdict = evaluateAffected(affected, scheme, version);
      if (verdict === null) continue;
      out.push({
        advisoryId: record.id,
        aliases: [...new Set([...record.aliases, ...record.upstream])],
        summary: record.summary,
        package: pkg,
        advisoryEcosystem: affected.package.ecosystem,
        advisoryPackage: name,
        comparedVersion: version,
        matchedBy: verdict.matchedBy,
        fixedVersion: verdict.fixedVersion,
        severity: assessSeverity(affected.severity, record.severity),
        published: record.published,
        modified: record.modified,
        references: references(record),
      });
      break;
    }
  }
  return out;
}

/**
 * Match every package against the records a lookup returns for its (ecosystem, advisory package name).
 *
 * `lookup` is given the package's ecosystem and the name its advisories use; it returns the candidate
 * records (e.g. from the local advisory store's index).
 */
export function matchPackages(
  packages: readonly Package[],
  lookup: (ecosystem: string, name: string) => readonly OsvRecord[],
): AdvisoryMatch[] {
  const out: AdvisoryMatch[] = [];
  for (const pkg of packages) {
    if (pkg.ecosystem === null) continue;
    const name = keyedBySource(pkg.ecosystem) ? pkg.sourceName : pkg.name;
    out.push(...matchPackage(pkg, lookup(pkg.ecosystem, name)));
  }
  return out;
}
