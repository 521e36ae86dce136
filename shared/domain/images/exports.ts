import type { AdvisorySeverity } from '../advisories/severity.js';
import type { AdvisoryFinding } from '../advisories/store-model.js';
import type { Package } from '../packages/model.js';
import type { ImageLintFinding, ImageScanReport } from './report.js';

/**
 * Exports of an image scan: JSON (the report itself), SARIF 2.1.0 and a CycloneDX 1.5 SBOM with a
 * vulnerabilities section. Pure and deterministic: the same report gives the same bytes (timestamps come
 * from the report, ordering is sorted, the BOM serial number is derived from the image id and scan time).
 */

/** The tool as named in SARIF and CycloneDX. */
export interface ExportTool {
  readonly name: string;
  readonly version: string;
  /** A web page about the tool, when there is one. */
  readonly informationUri?: string;
}

/** The export formats of `bulkhead image scan --format`. */
export const EXPORT_FORMATS = ['json', 'sarif', 'cyclonedx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Findings in a stable order: package, version, advisory id. */
function sortedFindings(findings: readonly AdvisoryFinding[]): AdvisoryFinding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.package.name, b.package.name) ||
      cmp(a.package.version, b.package.version) ||
      cmp(a.advisoryId, b.advisoryId),
  );
}

function sortedPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(
    (a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.arch, b.arch),
  );
}

/** The name an image goes by in exports: its first tag, else its id. */
export function imageName(report: Pick<ImageScanReport, 'refs' | 'imageId'>): string {
  return [...report.refs].sort()[0] ?? report.imageId;
}

/** JSON export: the report, pretty-printed, findings sorted. */
export function toJsonExport(report: ImageScanReport): string {
  const out: ImageScanReport = {
    ...report,
    vulnerabilities: sortedFindings(report.vulnerabilities),
    ...(report.packages !== undefined ? { packages: sortedPackages(report.packages) } : {}),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// purl

function enc(s: string): string {
  return encodeURIComponent(s);
}

/**
 * The package URL of an OS package (purl spec, `deb`/`apk`/`rpm` types): `pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12`.
 */
export function packagePurl(pkg: Package, os: ImageScanReport['os']): string {
  const namespace =
    os?.id ?? (pkg.format === 'apk' ? 'alpine' : pkg.format === 'dpkg' ? 'debian' : 'unknown');
  const qualifiers: string[] = [];
  if (pkg.arch !== '') qualifiers.push(`arch=${enc(pkg.arch)}`);
  if (os !== null) {
    const distro =
      pkg.format === 'apk'
        ? (os.versionId ?? '')
        : os.versionId !== null
          ? `${os.id}-${os.versionId}`
          : os.id;
    if (distro !== '') qualifiers.push(`distro=${enc(distro)}`);
  }
  if (pkg.sourceName !== pkg.name && pkg.format === 'dpkg')
    qualifiers.push(`upstream=${enc(pkg.sourceName)}`);
  const type = pkg.format === 'dpkg' ? 'deb' : pkg.format;
  const q = qualifiers.length > 0 ? `?${qualifiers.sort().join('&')}` : '';
  return `pkg:${type}/${enc(namespace)}/${enc(pkg.name)}@${enc(pkg.version)}${q}`;
}

// ---------------------------------------------------------------------------------------------------------
// SARIF 2.1.0

type SarifLevel = 'error' | 'warning' | 'note';

function vulnLevel(level: AdvisorySeverity): SarifLevel {
  return level === 'critical' || level === 'high' ? 'error' : level === 'medium' ? 'warning' : 'note';
}

function lintLevel(f: ImageLintFinding): SarifLevel {
  return f.status === 'fail' ? 'error' : f.status === 'warn' ? 'warning' : 'note';
}

/** GitHub's `security-severity` property: a CVSS-like number per level. */
export function securitySeverity(
  level: AdvisorySeverity | ImageLintFinding['severity'],
  score: number | null,
): string {
  if (score !== null) return score.toFixed(1);
  const table: Readonly<Record<string, string>> = {
    critical: '9.5',
    high: '8.0',
    medium: '5.5',
    low: '2.0',
    negligible: '0.5',
    info: '0.0',
    unknown: '0.0',
  };
  return table[level] ?? '0.0';
}

/** The rules of a SARIF run, each added once and referred to by index. */
export interface SarifRuleTable {
  readonly rules: unknown[];
  /** The index of rule `id`, adding it (with `rule`'s other fields) the first time. */
  add(id: string, rule: Record<string, unknown>): number;
}

/** An empty SarifRuleTable. */
export function createSarifRuleTable(): SarifRuleTable {
  const rules: unknown[] = [];
  const index = new Map<string, number>();
  return {
    rules,
    add(id, rule) {
      const existing = index.get(id);
      if (existing !== undefined) return existing;
      index.set(id, rules.length);
      rules.push({ id, ...rule });
      return rules.length - 1;
    },
  };
}

/**
 * The SARIF results of one image's findings — one per (package, advisory) and per failing/warning lint
 * check — at `location`, their rules added to `table`. Shared by the image scan's export and the report's.
 */
export function imageSarifResults(
  report: Pick<ImageScanReport, 'imageId' | 'os' | 'vulnerabilities' | 'lint'>,
  location: unknown,
  table: SarifRuleTable,
): unknown[] {
  const findings = sortedFindings(report.vulnerabilities);
  const results: unknown[] = [];
  for (const f of findings) {
    const help = f.references[0];
    const index = table.add(f.advisoryId, {
      name: f.advisoryId.replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: f.summary !== '' ? f.summary : f.advisoryId },
      fullDescription: { text: [f.advisoryId, ...f.aliases].join(', ') },
      ...(help !== undefined ? { helpUri: help } : {}),
      help: {
        text: `${f.advisoryId} affects ${f.advisoryPackage}${f.fixedVersion !== null ? `; fixed in ${f.fixedVersion}` : '; no fix known'}.`,
      },
      defaultConfiguration: { level: vulnLevel(f.severity.level) },
      properties: {
        tags: ['security', 'vulnerability'],
        'security-severity': securitySeverity(f.severity.level, f.severity.score),
        aliases: [...f.aliases],
      },
    });
    const fix = f.fixedVersion !== null ? `fixed in ${f.fixedVersion}` : 'no fixed version known';
    results.push({
      ruleId: f.advisoryId,
      ruleIndex: index,
      level: vulnLevel(f.severity.level),
      message: {
        text: `${f.package.name} ${f.package.version} is affected by ${f.advisoryId} (${f.severity.level}; ${fix}). Advisory database: ${f.db.source}, imported ${new Date(f.db.importedAt).toISOString()}${f.db.stale ? ' (STALE: older than 7 days)' : ''}.`,
      },
      locations: [location],
      partialFingerprints: {
        'bulkheadFinding/v1': `${report.imageId}|${f.package.name}|${f.package.version}|${f.advisoryId}`,
      },
      properties: {
        package: f.package.name,
        installedVersion: f.package.version,
        sourcePackage: f.package.sourceName,
        fixedVersion: f.fixedVersion,
        severity: f.severity.level,
        severityBasis: f.severity.basis,
        purl: packagePurl(f.package, report.os),
        dbSource: f.db.source,
        dbImportedAt: new Date(f.db.importedAt).toISOString(),
        dbStale: f.db.stale,
      },
    });
  }
  for (const l of report.lint) {
    if (l.status !== 'fail' && l.status !== 'warn') continue;
    const index = table.add(l.id, {
      name: l.id.replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: l.title },
      fullDescription: { text: l.reference !== null ? `${l.title} (${l.reference})` : l.title },
      defaultConfiguration: { level: lintLevel(l) },
      properties: {
        tags: ['security', 'image-lint'],
        'security-severity': securitySeverity(l.severity, null),
      },
    });
    results.push({
      ruleId: l.id,
      ruleIndex: index,
      level: lintLevel(l),
      message: { text: l.evidence.length > 0 ? `${l.message} ${l.evidence.join('; ')}` : l.message },
      locations: [location],
      properties: { severity: l.severity, status: l.status, evidence: [...l.evidence] },
    });
  }
  return results;
}

/** A SARIF 2.1.0 log of one image scan: one result per (package, advisory) and per failing/warning lint check. */
export function toSarif(report: ImageScanReport, tool: ExportTool): unknown {
  const name = imageName(report);
  const location = {
    physicalLocation: { artifactLocation: { uri: name, index: 0 } },
    logicalLocations: [{ name: report.imageId, kind: 'module' }],
  };
  const table = createSarifRuleTable();
  const results = imageSarifResults(report, location, table);
  const rules = table.rules;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            ...(tool.informationUri !== undefined ? { informationUri: tool.informationUri } : {}),
            rules,
          },
        },
        artifacts: [{ location: { uri: name }, description: { text: `container image ${report.imageId}` } }],
        results,
        properties: {
          imageId: report.imageId,
          refs: [...report.refs],
          ecosystem: report.ecosystem,
          packageDb: report.packageDb,
          ageDays: report.ageDays,
          advisoryDb: report.db,
          scannedAt: new Date(report.scannedAt).toISOString(),
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// CycloneDX 1.5

/** FNV-1a 32-bit, for a deterministic serial number. */
function fnv(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A version-5-shaped UUID derived from `seed` text. */
function uuidFrom(seed: string): string {
  const hex = [0, 1, 2, 3].map((i) => fnv(`${i}:${seed}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function cdxSeverity(level: AdvisorySeverity): string {
  return level === 'negligible' ? 'info' : level;
}

/** A CycloneDX 1.5 JSON BOM: the image, its OS packages as components, and the matched advisories. */
export function toCycloneDx(report: ImageScanReport, tool: ExportTool): unknown {
  const name = imageName(report);
  const packages = sortedPackages(report.packages ?? []);
  const refOf = new Map<Package, string>();
  const components: unknown[] = [];
  const seen = new Set<string>();
  for (const p of packages) {
    const purl = packagePurl(p, report.os);
    refOf.set(p, purl);
    if (seen.has(purl)) continue;
    seen.add(purl);
    components.push({
      type: 'library',
      'bom-ref': purl,
      name: p.name,
      version: p.version,
      purl,
      properties: [
        { name: 'bulkhead:package:format', value: p.format },
        { name: 'bulkhead:package:source', value: p.sourceName },
        { name: 'bulkhead:package:sourceVersion', value: p.sourceVersion },
      ],
    });
  }
  // Findings by advisory: one vulnerability entry per advisory, affecting every package it matched.
  const byAdvisory = new Map<string, AdvisoryFinding[]>();
  for (const f of sortedFindings(report.vulnerabilities)) {
    const list = byAdvisory.get(f.advisoryId);
    if (list === undefined) byAdvisory.set(f.advisoryId, [f]);
    else list.push(f);
  }
  const vulnerabilities = [...byAdvisory.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([id, list]) => {
      const f = list[0] as AdvisoryFinding;
      const rating: Record<string, unknown> = {
        source: { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` },
        severity: cdxSeverity(f.severity.level),
      };
      if (f.severity.score !== null) {
        rating.score = f.severity.score;
        rating.method = f.severity.basis.startsWith('CVSS:3.1') ? 'CVSSv31' : 'CVSSv3';
        rating.vector = f.severity.basis;
      }
      const affects = [...new Set(list.map((m) => refOf.get(m.package) ?? packagePurl(m.package, report.os)))]
        .sort()
        .map((ref) => ({ ref }));
      return {
        'bom-ref': `vuln:${id}`,
        id,
        source: { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` },
        ...(f.aliases.length > 0
          ? {
              references: f.aliases.map((a) => ({
                id: a,
                source: { name: a.startsWith('CVE-') ? 'NVD' : 'OSV' },
              })),
            }
          : {}),
        ratings: [rating],
        ...(f.summary !== '' ? { description: f.summary } : {}),
        ...(f.fixedVersion !== null
          ? { recommendation: `Upgrade ${f.advisoryPackage} to ${f.fixedVersion} or later.` }
          : {}),
        advisories: f.references.slice(0, 10).map((url) => ({ url })),
        ...(f.published !== null && !Number.isNaN(Date.parse(f.published))
          ? { published: new Date(Date.parse(f.published)).toISOString() }
          : {}),
        updated: new Date(Date.parse(f.modified)).toISOString(),
        affects,
        properties: [
          { name: 'bulkhead:db:source', value: f.db.source },
          { name: 'bulkhead:db:importedAt', value: new Date(f.db.importedAt).toISOString() },
          { name: 'bulkhead:db:stale', value: String(f.db.stale) },
        ],
      };
    });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${uuidFrom(`${report.imageId}|${report.scannedAt}`)}`,
    version: 1,
    metadata: {
      timestamp: new Date(report.scannedAt).toISOString(),
      tools: {
        components: [
          {
            type: 'application',
            name: tool.name,
            version: tool.version,
            ...(tool.informationUri !== undefined
              ? { externalReferences: [{ type: 'website', url: tool.informationUri }] }
              : {}),
          },
        ],
      },
      component: {
        type: 'container',
        'bom-ref': report.imageId,
        name,
        version: report.imageId,
        properties: [
          ...report.refs.map((r) => ({ name: 'bulkhead:image:ref', value: r })),
          ...(report.os !== null
            ? [{ name: 'bulkhead:image:os', value: report.os.prettyName ?? report.os.id }]
            : []),
          ...(report.ageDays !== null
            ? [{ name: 'bulkhead:image:ageDays', value: String(report.ageDays) }]
            : []),
        ],
      },
    },
    components,
    dependencies: [{ ref: report.imageId, dependsOn: [...seen].sort() }],
    vulnerabilities,
  };
}

/** Render an export as text. */
export function renderExport(format: ExportFormat, report: ImageScanReport, tool: ExportTool): string {
  switch (format) {
    case 'json':
      return toJsonExport(report);
    case 'sarif':
      return `${JSON.stringify(toSarif(report, tool), null, 2)}\n`;
    case 'cyclonedx':
      return `${JSON.stringify(toCycloneDx(report, tool), null, 2)}\n`;
  }
}
