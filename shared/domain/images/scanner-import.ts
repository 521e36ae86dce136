import type { AdvisorySeverity } from '../advisories/severity.js';

/**
 * Other scanners' JSON output (Trivy `--format json`, Grype `-o json`) as one comparable list, so their
 * findings can be shown beside Bulkhead's. Parsing is tolerant of unknown fields and strict about the
 * ones used: a document that is neither format is refused with a reason.
 */

/** One finding of another scanner. */
export interface ExternalFinding {
  readonly advisoryId: string;
  readonly package: string;
  readonly installedVersion: string;
  /** The fixed version(s) the scanner names, comma-separated; null when none. */
  readonly fixedVersion: string | null;
  readonly severity: AdvisorySeverity;
  /** The package type (`debian`, `alpine`, `rpm`, `apk`, `java-archive`, …). */
  readonly packageType: string;
  readonly purl: string | null;
  readonly title: string | null;
}

/** One imported scan. */
export interface ExternalScan {
  readonly scanner: 'trivy' | 'grype';
  readonly scannerVersion: string | null;
  /** What was scanned, as the scanner names it (`alpine:3.10`, an image id). */
  readonly target: string;
  readonly imageId: string | null;
  /** `debian 10.1`, `redhat 9.1`, … when stated. */
  readonly os: string | null;
  /** Sorted by package, version, advisory; duplicates (same package, version and advisory) removed. */
  readonly findings: readonly ExternalFinding[];
}

export type ExternalScanParse =
  { readonly ok: true; readonly scan: ExternalScan } | { readonly ok: false; readonly reason: string };

type Json = Record<string, unknown>;

function rec(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A scanner's severity word on Bulkhead's scale. */
export function normaliseSeverity(word: unknown): AdvisorySeverity {
  const w = typeof word === 'string' ? word.trim().toLowerCase() : '';
  if (w === 'critical') return 'critical';
  if (w === 'high' || w === 'important') return 'high';
  if (w === 'medium' || w === 'moderate') return 'medium';
  if (w === 'low') return 'low';
  if (w === 'negligible' || w === 'unimportant') return 'negligible';
  return 'unknown';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function finish(findings: ExternalFinding[]): ExternalFinding[] {
  const seen = new Set<string>();
  return findings
    .filter((f) => {
      const k = `${f.package}\u0000${f.installedVersion}\u0000${f.advisoryId}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort(
      (a, b) =>
        cmp(a.package, b.package) ||
        cmp(a.installedVersion, b.installedVersion) ||
        cmp(a.advisoryId, b.advisoryId),
    );
}

function parseTrivy(doc: Json): ExternalScanParse {
  const results = doc.Results;
  if (results !== undefined && results !== null && !Array.isArray(results))
    return { ok: false, reason: 'Trivy JSON: Results is not an array' };
  const findings: ExternalFinding[] = [];
  for (const [ri, r] of list(results).entries()) {
    const result = rec(r);
    if (result === null) return { ok: false, reason: `Trivy JSON: Results[${ri}] is not an object` };
    const type = str(result.Type) ?? 'unknown';
    for (const [vi, v] of list(result.Vulnerabilities).entries()) {
      const vuln = rec(v);
      const id = str(vuln?.VulnerabilityID);
      const pkg = str(vuln?.PkgName);
      const version = str(vuln?.InstalledVersion);
      if (vuln === null || id === null || pkg === null || version === null)
        return {
          ok: false,
          reason: `Trivy JSON: Results[${ri}].Vulnerabilities[${vi}] lacks VulnerabilityID, PkgName or InstalledVersion`,
        };
      findings.push({
        advisoryId: id,
        package: pkg,
        installedVersion: version,
        fixedVersion: str(vuln.FixedVersion),
        severity: normaliseSeverity(vuln.Severity),
        packageType: type,
        purl: str(rec(vuln.PkgIdentifier)?.PURL),
        title: str(vuln.Title),
      });
    }
  }
  const meta = rec(doc.Metadata);
  const os = rec(meta?.OS);
  const trivy = rec(doc.Trivy);
  return {
    ok: true,
    scan: {
      scanner: 'trivy',
      scannerVersion: str(trivy?.Version),
      target: str(doc.ArtifactName) ?? 'unknown',
      imageId: str(meta?.ImageID),
      os: os !== null ? [str(os.Family), str(os.Name)].filter((x) => x !== null).join(' ') || null : null,
      findings: finish(findings),
    },
  };
}

function parseGrype(doc: Json): ExternalScanParse {
  if (!Array.isArray(doc.matches)) return { ok: false, reason: 'Grype JSON: matches is not an array' };
  const findings: ExternalFinding[] = [];
  for (const [i, m] of doc.matches.entries()) {
    const match = rec(m);
    const vuln = rec(match?.vulnerability);
    const artifact = rec(match?.artifact);
    const id = str(vuln?.id);
    const pkg = str(artifact?.name);
    const version = str(artifact?.version);
    if (vuln === null || artifact === null || id === null || pkg === null || version === null)
      return {
        ok: false,
        reason: `Grype JSON: matches[${i}] lacks vulnerability.id, artifact.name or artifact.version`,
      };
    const fix = rec(vuln.fix);
    const fixed = list(fix?.versions).filter((x): x is string => typeof x === 'string' && x !== '');
    findings.push({
      advisoryId: id,
      package: pkg,
      installedVersion: version,
      fixedVersion: fixed.length > 0 ? fixed.join(', ') : null,
      severity: normaliseSeverity(vuln.severity),
      packageType: str(artifact.type) ?? 'unknown',
      purl: str(artifact.purl),
      title: null,
    });
  }
  const source = rec(doc.source);
  const target = rec(source?.target);
  const distro = rec(doc.distro);
  const descriptor = rec(doc.descriptor);
  const version = str(descriptor?.version);
  return {
    ok: true,
    scan: {
      scanner: 'grype',
      scannerVersion: version === '[not provided]' ? null : version,
      target: str(target?.userInput) ?? str(source?.target) ?? 'unknown',
      imageId: str(target?.imageID),
      os:
        distro !== null
          ? [str(distro.name), str(distro.version)].filter((x) => x !== null).join(' ') || null
          : null,
      findings: finish(findings),
    },
  };
}

/** Parse a Trivy or Grype JSON document (text). */
export function parseExternalScan(text: string): ExternalScanParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const doc = rec(json);
  if (doc === null) return { ok: false, reason: 'not a JSON object' };
  if ('SchemaVersion' in doc && ('Results' in doc || 'ArtifactName' in doc)) return parseTrivy(doc);
  if ('matches' in doc && ('descriptor' in doc || 'source' in doc)) return parseGrype(doc);
  return {
    ok: false,
    reason: 'neither Trivy JSON (SchemaVersion, Results) nor Grype JSON (matches, descriptor)',
  };
}

/** One row of a side-by-side comparison: the same (package, advisory) as each side reports it. */
export interface ComparisonRow {
  readonly package: string;
  readonly advisoryId: string;
  readonly ours: { readonly version: string; readonly severity: AdvisorySeverity } | null;
  readonly theirs: { readonly version: string; readonly severity: AdvisorySeverity } | null;
}

/**
 * Compare our findings with another scanner's, by (package, advisory id or alias). Rows sorted by package
 * then advisory.
 */
export function compareFindings(
  ours: readonly {
    readonly package: string;
    readonly version: string;
    readonly advisoryId: string;
    readonly aliases: readonly string[];
    readonly severity: AdvisorySeverity;
  }[],
  theirs: readonly ExternalFinding[],
): ComparisonRow[] {
  const rows = new Map<
    string,
    { package: string; advisoryId: string; ours: ComparisonRow['ours']; theirs: ComparisonRow['theirs'] }
  >();
  const keyOf = (pkg: string, id: string): string => `${pkg}\u0000${id}`;
  for (const o of ours) {
    rows.set(keyOf(o.package, o.advisoryId), {
      package: o.package,
      advisoryId: o.advisoryId,
      ours: { version: o.version, severity: o.severity },
      theirs: null,
    });
  }
  for (const t of theirs) {
    const direct = rows.get(keyOf(t.package, t.advisoryId));
    const viaAlias =
      direct ??
      [...rows.values()].find(
        (r) =>
          r.package === t.package &&
          r.theirs === null &&
          ours.some(
            (o) =>
              o.package === t.package && o.advisoryId === r.advisoryId && o.aliases.includes(t.advisoryId),
          ),
      );
    if (viaAlias !== undefined && viaAlias.theirs === null)
      viaAlias.theirs = { version: t.installedVersion, severity: t.severity };
    else
      rows.set(keyOf(t.package, t.advisoryId), {
        package: t.package,
        advisoryId: t.advisoryId,
        ours: null,
        theirs: { version: t.installedVersion, severity: t.severity },
      });
  }
  return [...rows.values()].sort((a, b) => cmp(a.package, b.package) || cmp(a.advisoryId, b.advisoryId));
}
