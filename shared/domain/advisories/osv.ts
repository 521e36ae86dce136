/**
 * OSV records (https://ossf.github.io/osv-schema/), as far as matching OS packages needs them, and a
 * validating parser from untrusted JSON.
 *
 * The parser keeps what matching and display use (ids, aliases, summary, details, affected packages with
 * ranges and versions, severities, references, database/ecosystem-specific severity hints) and drops the
 * rest. It refuses a record that breaks the schema's rules in a way that would make matching wrong, with
 * a reason that names the JSON path; unknown extra fields are ignored.
 */

/** One range event: exactly one of the four kinds. */
export type OsvEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

export const OSV_RANGE_TYPES = ['ECOSYSTEM', 'SEMVER', 'GIT'] as const;
export type OsvRangeType = (typeof OSV_RANGE_TYPES)[number];

export interface OsvRange {
  readonly type: OsvRangeType;
  readonly events: readonly OsvEvent[];
}

/** A severity as the record states it: `CVSS_V3` + vector, `Ubuntu` + priority, or a database's own word. */
export interface OsvSeverity {
  /** `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, or `database_specific` / `ecosystem_specific` for hints. */
  readonly type: string;
  readonly score: string;
}

export interface OsvAffected {
  readonly package: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly ranges: readonly OsvRange[];
  readonly versions: readonly string[];
  /** Per-package severities plus hints from `database_specific.severity` / `ecosystem_specific.urgency`. */
  readonly severity: readonly OsvSeverity[];
}

export interface OsvReference {
  readonly type: string;
  readonly url: string;
}

export interface OsvRecord {
  readonly id: string;
  /** RFC 3339 timestamp. */
  readonly modified: string;
  readonly published: string | null;
  readonly withdrawn: string | null;
  readonly aliases: readonly string[];
  readonly upstream: readonly string[];
  readonly summary: string;
  readonly details: string;
  readonly affected: readonly OsvAffected[];
  /** Record-level severities plus a hint from the record's `database_specific.severity`. */
  readonly severity: readonly OsvSeverity[];
  readonly references: readonly OsvReference[];
}

/** The outcome of validating one record. */
export type OsvParseResult =
  { readonly ok: true; readonly record: OsvRecord } | { readonly ok: false; readonly reason: string };

type Json = Record<string, unknown>;

class Invalid extends Error {}

function fail(path: string, what: string): never {
  throw new Invalid(`${path}: ${what}`);
}

function obj(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
  return value as Json;
}

function optObj(value: unknown, path: string): Json | null {
  return value === undefined || value === null ? null : obj(value, path);
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, value === undefined ? 'missing' : 'expected a string');
  return value;
}

function optStr(value: unknown, path: string): string | null {
  return value === undefined || value === null ? null : str(value, path);
}

function arr(value: unknown, path: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, 'expected an array');
  return value;
}

function strings(value: unknown, path: string): string[] {
  return arr(value, path).map((v, i) => str(v, `${path}[${i}]`));
}

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function parseEvent(value: unknown, path: string): OsvEvent {
  const e = obj(value, path);
  const present = EVENT_KINDS.filter((k) => e[k] !== undefined);
  if (present.length !== 1) {
    fail(
      path,
      `expected exactly one of introduced, fixed, last_affected, limit (found ${present.length === 0 ? 'none' : present.join(', ')})`,
    );
  }
  const kind = present[0] as (typeof EVENT_KINDS)[number];
  const version = str(e[kind], `${path}.${kind}`);
  if (version === '') fail(`${path}.${kind}`, 'empty version');
  switch (kind) {
    case 'introduced':
      return { introduced: version };
    case 'fixed':
      return { fixed: version };
    case 'last_affected':
      return { last_affected: version };
    case 'limit':
      return { limit: version };
  }
}

function parseRange(value: unknown, path: string): OsvRange {
  const r = obj(value, path);
  const type = str(r.type, `${path}.type`);
  if (!(OSV_RANGE_TYPES as readonly string[]).includes(type))
    fail(`${path}.type`, `unknown range type ${JSON.stringify(type)}`);
  const events = arr(r.events, `${path}.events`).map((e, i) => parseEvent(e, `${path}.events[${i}]`));
  if (!events.some((e) => 'introduced' in e)) fail(`${path}.events`, 'no introduced event');
  return { type: type as OsvRangeType, events };
}

function parseSeverities(value: unknown, path: string): OsvSeverity[] {
  return arr(value, path).map((s, i) => {
    const o = obj(s, `${path}[${i}]`);
    return { type: str(o.type, `${path}[${i}].type`), score: str(o.score, `${path}[${i}].score`) };
  });
}

/** A severity word a database puts in its own field (GHSA `severity`, Debian `urgency`), if it is a string. */
function hint(container: Json | null, key: string, type: string): OsvSeverity[] {
  const v = container?.[key];
  return typeof v === 'string' && v.trim() !== '' ? [{ type, score: v.trim() }] : [];
}

function parseAffected(value: unknown, path: string): OsvAffected {
  const a = obj(value, path);
  const pkg = obj(a.package, `${path}.package`);
  const ecosystem = str(pkg.ecosystem, `${path}.package.ecosystem`);
  const name = str(pkg.name, `${path}.package.name`);
  if (ecosystem === '') fail(`${path}.package.ecosystem`, 'empty');
  if (name === '') fail(`${path}.package.name`, 'empty');
  const purl = optStr(pkg.purl, `${path}.package.purl`);
  const ranges = arr(a.ranges, `${path}.ranges`).map((r, i) => parseRange(r, `${path}.ranges[${i}]`));
  const versions = strings(a.versions, `${path}.versions`);
  const severity = [
    ...parseSeverities(a.severity, `${path}.severity`),
    ...hint(optObj(a.database_specific, `${path}.database_specific`), 'severity', 'database_specific'),
    ...hint(optObj(a.ecosystem_specific, `${path}.ecosystem_specific`), 'severity', 'ecosystem_specific'),
    ...hint(optObj(a.ecosystem_specific, `${path}.ecosystem_specific`), 'urgency', 'ecosystem_specific'),
  ];
  return {
    package: purl !== null ? { ecosystem, name, purl } : { ecosystem, name },
    ranges,
    versions,
    severity,
  };
}

function parseReferences(value: unknown, path: string): OsvReference[] {
  const out: OsvReference[] = [];
  arr(value, path).forEach((r, i) => {
    const o = obj(r, `${path}[${i}]`);
    out.push({ type: str(o.type, `${path}[${i}].type`), url: str(o.url, `${path}[${i}].url`) });
  });
  return out;
}

/** Validate one OSV record from parsed JSON. */
export function parseOsvRecord(value: unknown): OsvParseResult {
  try {
    const r = obj(value, 'record');
    const id = str(r.id, 'id');
    if (id.trim() === '' || /[\s/\\]/.test(id)) fail('id', `invalid id ${JSON.stringify(id)}`);
    const modified = str(r.modified, 'modified');
    if (Number.isNaN(Date.parse(modified))) fail('modified', `not a timestamp: ${JSON.stringify(modified)}`);
    const record: OsvRecord = {
      id,
      modified,
      published: optStr(r.published, 'published'),
      withdrawn: optStr(r.withdrawn, 'withdrawn'),
      aliases: strings(r.aliases, 'aliases'),
      upstream: strings(r.upstream, 'upstream'),
      summary: optStr(r.summary, 'summary') ?? '',
      details: optStr(r.details, 'details') ?? '',
      affected: arr(r.affected, 'affected').map((a, i) => parseAffected(a, `affected[${i}]`)),
      severity: [
        ...parseSeverities(r.severity, 'severity'),
        ...hint(optObj(r.database_specific, 'database_specific'), 'severity', 'database_specific'),
      ],
      references: parseReferences(r.references, 'references'),
    };
    return { ok: true, record };
  } catch (e) {
    if (e instanceof Invalid) {
      const id = typeof value === 'object' && value !== null ? (value as Json).id : undefined;
      const prefix = typeof id === 'string' && id !== '' ? `${id}: ` : '';
      return { ok: false, reason: prefix + e.message };
    }
    throw e;
  }
}

/** The record restricted to the affected entries whose ecosystem satisfies `keep` (for per-ecosystem storage). */
export function restrictAffected(record: OsvRecord, keep: (ecosystem: string) => boolean): OsvRecord {
  return { ...record, affected: record.affected.filter((a) => keep(a.package.ecosystem)) };
}
