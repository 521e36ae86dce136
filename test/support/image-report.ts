import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { matchPackages } from '../../shared/domain/advisories/match.js';
import { parseOsvRecord } from '../../shared/domain/advisories/osv.js';
import type { OsvRecord } from '../../shared/domain/advisories/osv.js';
import { ADVISORY_SEVERITIES } from '../../shared/domain/advisories/severity.js';
import type { AdvisorySeverity } from '../../shared/domain/advisories/severity.js';
import { provenance } from '../../shared/domain/advisories/store-model.js';
import type { EcosystemImport } from '../../shared/domain/advisories/store-model.js';
import type { EpochMillis } from '../../shared/domain/ids.js';
import type { AdvisoryDbSummary, ImageScanReport } from '../../shared/domain/images/report.js';
import { parseApkInstalled } from '../../shared/domain/packages/apk-installed.js';

/**
 * An image report built by the REAL pure code from the real samples in ../shared/data/vuln: the Alpine 3.18
 * apk database (osv-scalibr's test data) parsed by the real apk parser, matched by the real OSV matcher
 * against the real ALPINE-CVE-2025-26519 record, with provenance from the real store model.
 *
 * What is not in the samples is stated, not invented: the "image" id is the SHA-256 of the package
 * database file, its ref names the sample, and it has no creation date and no lint (no image config).
 */

const VULN = fileURLToPath(new URL('../../../shared/data/vuln/', import.meta.url));
const APK_DB = `${VULN}pkgdb/osv-scalibr_alpine_apk_installed`;
const OSV_DIR = `${VULN}osv/`;
const DAY = 24 * 60 * 60 * 1000;

function record(name: string): OsvRecord {
  const parsed = parseOsvRecord(JSON.parse(readFileSync(`${OSV_DIR}${name}`, 'utf8')));
  if (!parsed.ok) throw new Error(`${name}: ${parsed.reason}`);
  return parsed.record;
}

/** Options: when the advisory DB was imported (relative to `now`), or no DB at all. */
export interface SampleReportOptions {
  readonly now: number;
  /** Days between the import and `now`; null for "no advisory database imported". */
  readonly dbAgeDays: number | null;
}

/** The Alpine sample scanned with the real parser and matcher. */
export function alpineSampleReport({ now, dbAgeDays }: SampleReportOptions): ImageScanReport {
  const text = readFileSync(APK_DB, 'utf8');
  const parsed = parseApkInstalled(text, { ecosystem: 'Alpine:v3.18', file: '/lib/apk/db/installed' });
  const records = [record('ALPINE-CVE-2025-26519.json')];
  const importedAt = (now - (dbAgeDays ?? 0) * DAY) as EpochMillis;
  const entry: EcosystemImport = {
    base: 'Alpine',
    source: OSV_DIR,
    importedAt,
    newestModified: records[0]?.modified ?? null,
    records: records.length,
    counts: { 'Alpine:v3.18': 1 },
    file: 'alpine.json',
  };
  const db: AdvisoryDbSummary | null =
    dbAgeDays === null
      ? null
      : {
          source: OSV_DIR,
          importedAt,
          ageMs: now - importedAt,
          stale: provenance(entry, now).stale,
          ecosystems: ['Alpine'],
        };
  const vulnerabilities =
    db === null
      ? []
      : matchPackages(parsed.packages, (ecosystem, name) =>
          records.filter((r) =>
            r.affected.some((a) => a.package.name === name && ecosystem.startsWith('Alpine')),
          ),
        ).map((m) => ({ ...m, db: provenance(entry, now) }));
  const severityCounts = Object.fromEntries(ADVISORY_SEVERITIES.map((s) => [s, 0])) as Record<
    AdvisorySeverity,
    number
  >;
  for (const v of vulnerabilities) severityCounts[v.severity.level] += 1;
  return {
    imageId: `sha256:${createHash('sha256').update(text).digest('hex')}`,
    refs: ['sample/osv-scalibr-alpine-apk:3.18'],
    createdAt: null,
    ageDays: null,
    os: { id: 'alpine', versionId: '3.18', prettyName: null },
    ecosystem: 'Alpine:v3.18',
    packageDb: { kind: 'apk', packages: parsed.packages.length, skipped: parsed.skipped, note: null },
    vulnerabilities,
    lint: [],
    db,
    severityCounts,
    scannedAt: now as EpochMillis,
    durationMs: 0,
    cached: false,
  };
}
