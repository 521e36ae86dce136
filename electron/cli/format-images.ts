import type { AdvisorySeverity } from '../../shared/domain/advisories/severity.js';
import type { AdvisoryDbSummary, ImageScanReport } from '../../shared/domain/images/report.js';
import type { ComparisonRow, ExternalScan } from '../../shared/domain/images/scanner-import.js';
import { sanitizeForTerminal } from './format.js';

/**
 * Plain-text rendering of image findings for the CLI. Everything that comes from an image (tags, paths,
 * label values, advisory text) passes through sanitizeForTerminal.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

function cell(text: string, width: number): string {
  const clean = sanitizeForTerminal(text);
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width);
}

/** `3 days`, `5 hours`, `12 minutes`. */
export function formatAge(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.floor(ms / DAY_MS)} days`;
  if (ms >= 2 * 3_600_000) return `${Math.floor(ms / 3_600_000)} hours`;
  return `${Math.max(0, Math.floor(ms / 60_000))} minutes`;
}

/** One line about the advisory database: source, age, and STALE when older than seven days. */
export function formatDbLine(db: AdvisoryDbSummary | null): string {
  if (db === null)
    return 'Advisory DB: none imported — run `bulkhead db import all.zip` (or `bulkhead db update` when online); no vulnerabilities can be matched.';
  return `Advisory DB: ${sanitizeForTerminal(db.source)} — imported ${new Date(db.importedAt).toISOString()} (${formatAge(db.ageMs)} ago)${db.stale ? ' — STALE: older than 7 days, run `bulkhead db update` or import a newer dump' : ''}; ecosystems ${db.ecosystems.join(', ') || 'none'}`;
}

const ORDER: readonly AdvisorySeverity[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

/** The table `bulkhead image scan` prints. */
export function formatImageReport(report: ImageScanReport): string {
  const lines: string[] = [];
  const name = report.refs[0] ?? report.imageId;
  lines.push(`Image: ${sanitizeForTerminal(name)} (${report.imageId.slice(0, 19)})`);
  lines.push(
    report.ageDays !== null
      ? `AGE: ${report.ageDays} days (built ${report.createdAt !== null ? new Date(report.createdAt).toISOString() : '?'})`
      : 'AGE: unknown (the image has no creation date)',
  );
  lines.push(
    `OS: ${sanitizeForTerminal(report.os?.prettyName ?? report.os?.id ?? 'unknown')}${report.ecosystem !== null ? ` [${sanitizeForTerminal(report.ecosystem)}]` : ''}`,
  );
  const db = report.packageDb;
  lines.push(
    db.kind === null
      ? `Packages: ${sanitizeForTerminal(db.note ?? 'no package database found')}`
      : `Packages: ${db.packages} (${db.kind})${db.skipped > 0 ? `, ${db.skipped} malformed entries skipped` : ''}${db.note !== null ? ` — ${sanitizeForTerminal(db.note)}` : ''}`,
  );
  lines.push(formatDbLine(report.db));
  lines.push(
    `Vulnerabilities: ${report.vulnerabilities.length} (${ORDER.map((s) => `${s} ${report.severityCounts[s]}`).join(', ')})`,
  );
  if (report.vulnerabilities.length > 0) {
    lines.push(
      `  ${cell('SEVERITY', 10)} ${cell('PACKAGE', 22)} ${cell('INSTALLED', 24)} ${cell('FIXED IN', 24)} ${cell('ADVISORY', 28)} DB`,
    );
    const sorted = [...report.vulnerabilities].sort(
      (a, b) =>
        ORDER.indexOf(a.severity.level) - ORDER.indexOf(b.severity.level) ||
        (a.package.name < b.package.name ? -1 : a.package.name > b.package.name ? 1 : 0) ||
        (a.advisoryId < b.advisoryId ? -1 : 1),
    );
    for (const f of sorted) {
      lines.push(
        `  ${cell(f.severity.level, 10)} ${cell(f.package.name, 22)} ${cell(f.package.version, 24)} ${cell(f.fixedVersion ?? '-', 24)} ${cell(f.advisoryId, 28)} ${formatAge(f.db.ageMs)} old${f.db.stale ? ' STALE' : ''}`,
      );
    }
  }
  lines.push('Image lint:');
  for (const l of report.lint) {
    lines.push(
      `  ${cell(l.status.toUpperCase(), 5)} ${cell(l.severity, 8)} ${cell(l.reference ?? '', 22)} ${sanitizeForTerminal(l.title)}: ${sanitizeForTerminal(l.message)}`,
    );
    if (l.status === 'fail' || l.status === 'warn')
      for (const e of l.evidence) lines.push(`        ${sanitizeForTerminal(e)}`);
  }
  lines.push(`Scanned in ${report.durationMs} ms${report.cached ? ' (cached)' : ''}.`);
  return lines.join('\n');
}

/** Another scanner's findings, alone. */
export function formatExternalScan(scan: ExternalScan): string {
  const lines = [
    `${scan.scanner}${scan.scannerVersion !== null ? ` ${sanitizeForTerminal(scan.scannerVersion)}` : ''}: ${sanitizeForTerminal(scan.target)}${scan.os !== null ? ` (${sanitizeForTerminal(scan.os)})` : ''} — ${scan.findings.length} findings`,
  ];
  if (scan.findings.length > 0)
    lines.push(
      `  ${cell('SEVERITY', 10)} ${cell('PACKAGE', 24)} ${cell('INSTALLED', 24)} ${cell('FIXED IN', 24)} ADVISORY`,
    );
  for (const f of scan.findings)
    lines.push(
      `  ${cell(f.severity, 10)} ${cell(f.package, 24)} ${cell(f.installedVersion, 24)} ${cell(f.fixedVersion ?? '-', 24)} ${sanitizeForTerminal(f.advisoryId)}`,
    );
  return lines.join('\n');
}

/** Our findings beside another scanner's. */
export function formatComparison(rows: readonly ComparisonRow[], scanner: string): string {
  const lines = [
    `  ${cell('PACKAGE', 24)} ${cell('ADVISORY', 22)} ${cell('BULKHEAD', 22)} ${sanitizeForTerminal(scanner.toUpperCase())}`,
  ];
  for (const r of rows) {
    const side = (s: ComparisonRow['ours']): string => (s === null ? '—' : `${s.severity} ${s.version}`);
    lines.push(
      `  ${cell(r.package, 24)} ${cell(r.advisoryId, 22)} ${cell(side(r.ours), 22)} ${sanitizeForTerminal(side(r.theirs))}`,
    );
  }
  const both = rows.filter((r) => r.ours !== null && r.theirs !== null).length;
  lines.push(
    `${rows.length} rows: ${both} reported by both, ${rows.filter((r) => r.theirs === null).length} by Bulkhead only, ${rows.filter((r) => r.ours === null).length} by ${sanitizeForTerminal(scanner)} only.`,
  );
  return lines.join('\n');
}
