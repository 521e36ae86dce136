import type { Package, ParsedPackages } from './model.js';
import { pushProblem } from './model.js';
import { dpkgVersionProblem } from './version-dpkg.js';

/**
 * Parser for dpkg's database: `/var/lib/dpkg/status`, and the one-stanza-per-file
 * `/var/lib/dpkg/status.d/<name>` that distroless images use instead.
 *
 * The format is deb822: stanzas separated by blank lines, `Field: value` lines, continuation lines starting
 * with a space or tab. Malformed stanzas are skipped and counted, never fatal.
 */

/** One deb822 stanza: field names lowercased, the first line of each value, and where it starts. */
interface Stanza {
  readonly line: number;
  readonly fields: ReadonlyMap<string, string>;
}

/** Split deb822 text into stanzas, reporting lines that are neither fields nor continuations. */
function stanzas(text: string, where: string, problems: string[]): Stanza[] {
  const out: Stanza[] = [];
  let fields: Map<string, string> | null = null;
  let start = 0;
  let lastField: string | null = null;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === '') {
      if (fields !== null) out.push({ line: start, fields });
      fields = null;
      lastField = null;
      continue;
    }
    if (fields === null) {
      fields = new Map();
      start = n + 1;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // A continuation line (Description, Conffiles, …): nothing this parser needs.
      if (lastField === null)
        pushProblem(problems, `${where}line ${n + 1}: continuation line before any field`);
      continue;
    }
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      pushProblem(problems, `${where}line ${n + 1}: not a "Field: value" line`);
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    fields.set(name, line.slice(colon + 1).trim());
    lastField = name;
  }
  if (fields !== null) out.push({ line: start, fields });
  return out;
}

/**
 * dpkg package states in which the package's files are (at least partly) on disk. `not-installed` and
 * `config-files` (removed, configuration kept) are not.
 */
const ON_DISK_STATES = new Set([
  'installed',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
]);

/** Options for {@link parseDpkgStatus}. */
export interface DpkgParseOptions {
  /** The OSV ecosystem to stamp on every package (`Debian:12`), or null when unknown. */
  readonly ecosystem: string | null;
  /** The file name, to prefix problems with (`/var/lib/dpkg/status`). */
  readonly file?: string;
}

/** Parse a `Source:` value: `openssl` or `util-linux (2.38.1-5)`. */
function parseSource(value: string | undefined): { name: string; version: string | null } | null {
  if (value === undefined || value === '') return null;
  const m = /^(\S+)(?:\s+\(([^)]*)\))?\s*$/.exec(value);
  if (!m) return null;
  const version = m[2]?.trim();
  return { name: m[1] as string, version: version === undefined || version === '' ? null : version };
}

/**
 * Parse dpkg status text.
 *
 * A package is kept when its stanza has `Package` and a valid `Version` and its `Status` (if present — the
 * distroless status.d files have none) says it is on disk. `sourceName`/`sourceVersion` come from
 * `Source:`, defaulting to the binary name and version.
 */
export function parseDpkgStatus(text: string, options: DpkgParseOptions): ParsedPackages {
  const problems: string[] = [];
  const where = options.file !== undefined ? `${options.file}: ` : '';
  const packages: Package[] = [];
  let skipped = 0;
  let notInstalled = 0;
  for (const stanza of stanzas(text, where, problems)) {
    const f = stanza.fields;
    const at = `${where}stanza at line ${stanza.line}`;
    const name = f.get('package');
    if (name === undefined || name === '') {
      skipped++;
      pushProblem(problems, `${at}: no Package field`);
      continue;
    }
    if (/\s/.test(name)) {
      skipped++;
      pushProblem(problems, `${at}: invalid package name ${JSON.stringify(name)}`);
      continue;
    }
    const status = f.get('status');
    if (status !== undefined) {
      const words = status.split(/\s+/);
      const state = words[2];
      if (words.length !== 3 || state === undefined) {
        skipped++;
        pushProblem(problems, `${at} (${name}): malformed Status ${JSON.stringify(status)}`);
        continue;
      }
      if (!ON_DISK_STATES.has(state)) {
        notInstalled++;
        continue;
      }
    }
    const version = f.get('version');
    if (version === undefined || version === '') {
      skipped++;
      pushProblem(problems, `${at} (${name}): no Version field`);
      continue;
    }
    const versionProblem = dpkgVersionProblem(version);
    if (versionProblem !== null) {
      skipped++;
      pushProblem(problems, `${at} (${name}): ${versionProblem}: ${JSON.stringify(version)}`);
      continue;
    }
    const source = parseSource(f.get('source'));
    if (f.has('source') && source === null) {
      pushProblem(
        problems,
        `${at} (${name}): unreadable Source ${JSON.stringify(f.get('source'))}, using ${name}`,
      );
    }
    packages.push({
      name,
      version,
      sourceName: source?.name ?? name,
      sourceVersion: source?.version ?? version,
      arch: f.get('architecture') ?? '',
      format: 'dpkg',
      ecosystem: options.ecosystem,
    });
  }
  return { packages, skipped, notInstalled, problems };
}
