import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { matchPackages } from '../../../shared/domain/advisories/match.js';
import type { OsvRecord } from '../../../shared/domain/advisories/osv.js';
import { parseOsvRecord } from '../../../shared/domain/advisories/osv.js';
import { ADVISORY_SEVERITIES } from '../../../shared/domain/advisories/severity.js';
import type { AdvisorySeverity } from '../../../shared/domain/advisories/severity.js';
import type { AdvisoryFinding } from '../../../shared/domain/advisories/store-model.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import { lintImage } from '../../../shared/domain/images/lint.js';
import type { ImageScanReport } from '../../../shared/domain/images/report.js';
import { parseApkInstalled } from '../../../shared/domain/packages/apk-installed.js';
import { mapImageConfig } from '../../../shared/domain/packages/image.js';
import { osvFile, pkgdb } from '../packages/data.js';

/**
 * An image report built from real data, no hand-written findings: the real Alpine 3.18 apk database
 * (osv-scalibr) matched against the real OSV records of ../shared/data/vuln/osv, and lint over the
 * recorded lint-fixture image config.
 */

export const SCANNED_AT = Date.parse('2026-12-03T12:00:00Z');
export const IMPORTED_AT = SCANNED_AT - 3 * 86_400_000;

function record(name: string): OsvRecord {
  const parsed = parseOsvRecord(JSON.parse(readFileSync(osvFile(name), 'utf8')) as unknown);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.record;
}

/** The records the fixture matches against. */
export const RECORDS: readonly OsvRecord[] = [
  'ALPINE-CVE-2025-26519.json',
  'ROOT-OS-ALPINE-318-CVE-2000-0548.json',
  'DLA-3008-1.json',
].map(record);

/** Build the report (deterministic). */
export function alpineReport(over: Partial<ImageScanReport> = {}): ImageScanReport {
  const parsed = parseApkInstalled(readFileSync(pkgdb('osv-scalibr_alpine_apk_installed'), 'utf8'), {
    ecosystem: 'Alpine:v3.18',
    file: '/lib/apk/db/installed',
  });
  const matches = matchPackages(parsed.packages, (eco, name) =>
    RECORDS.filter((r) =>
      r.affected.some(
        (a) => a.package.name === name && (a.package.ecosystem === eco || a.package.ecosystem === 'Alpine'),
      ),
    ),
  );
  const findings: AdvisoryFinding[] = matches.map((m) => ({
    ...m,
    db: {
      source: '/data/alpine/all.zip',
      importedAt: IMPORTED_AT as EpochMillis,
      ageMs: SCANNED_AT - IMPORTED_AT,
      stale: false,
    },
  }));
  const counts = Object.fromEntries(ADVISORY_SEVERITIES.map((s) => [s, 0])) as Record<
    AdvisorySeverity,
    number
  >;
  for (const f of findings) counts[f.severity.level]++;
  const config = mapImageConfig(
    JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../fixtures/images/bulkhead-test_lint-fixture_1.config.json'),
        'utf8',
      ),
    ) as unknown,
  );
  return {
    imageId: `sha256:${'4'.repeat(64)}`,
    refs: ['example/alpine-app:3.18'],
    createdAt: Date.parse(config.created ?? '') as EpochMillis,
    ageDays: 0,
    os: { id: 'alpine', versionId: '3.18.4', prettyName: 'Alpine Linux v3.18' },
    ecosystem: 'Alpine:v3.18',
    packageDb: { kind: 'apk', packages: parsed.packages.length, skipped: parsed.skipped, note: null },
    packages: parsed.packages,
    vulnerabilities: findings,
    lint: lintImage({
      config,
      files: new Map(),
      specialFiles: [],
      refs: ['example/alpine-app:3.18'],
      now: SCANNED_AT,
    }),
    db: {
      source: '/data/alpine/all.zip',
      importedAt: IMPORTED_AT as EpochMillis,
      ageMs: SCANNED_AT - IMPORTED_AT,
      stale: false,
      ecosystems: ['Alpine:v3.18'],
    },
    severityCounts: counts,
    scannedAt: SCANNED_AT as EpochMillis,
    durationMs: 1234,
    cached: false,
    ...over,
  };
}
