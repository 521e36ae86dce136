import type { Package, ParsedPackages } from './model.js';
import { pushProblem } from './model.js';
import { isValidApkVersion } from './version-apk.js';

/**
 * Parser for apk's installed database, `/lib/apk/db/installed`.
 *
 * Stanzas separated by blank lines; each line is one letter, a colon and a value (`P:musl`, `V:1.2.4-r2`,
 * `A:x86_64`, `o:musl` — the origin, i.e. source, package). File lines (`F:`, `R:`, `a:`, `Z:`) repeat
 * and are not needed here. Malformed stanzas are skipped and counted, never fatal.
 */

/** Options for {@link parseApkInstalled}. */
export interface ApkParseOptions {
  /** The OSV ecosystem to stamp on every package (`Alpine:v3.18`), or null when unknown. */
  readonly ecosystem: string | null;
  /** The file name, to prefix problems with. */
  readonly file?: string;
}

interface ApkStanza {
  readonly line: number;
  /** The first value of each single-letter field. */
  readonly fields: Map<string, string>;
}

/** Parse apk installed-database text. */
export function parseApkInstalled(text: string, options: ApkParseOptions): ParsedPackages {
  const where = options.file !== undefined ? `${options.file}: ` : '';
  const problems: string[] = [];
  const stanzas: ApkStanza[] = [];
  let current: ApkStanza | null = null;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === '') {
      if (current !== null) stanzas.push(current);
      current = null;
      continue;
    }
    current ??= { line: n + 1, fields: new Map() };
    if (line.length < 2 || line[1] !== ':') {
      pushProblem(problems, `${where}line ${n + 1}: not a "X:value" line`);
      continue;
    }
    const key = line[0] as string;
    if (!current.fields.has(key)) current.fields.set(key, line.slice(2));
  }
  if (current !== null) stanzas.push(current);

  const packages: Package[] = [];
  let skipped = 0;
  for (const s of stanzas) {
    const at = `${where}stanza at line ${s.line}`;
    const name = s.fields.get('P')?.trim() ?? '';
    const version = s.fields.get('V')?.trim() ?? '';
    if (name === '') {
      skipped++;
      pushProblem(problems, `${at}: no package name (P:)`);
      continue;
    }
    if (version === '') {
      skipped++;
      pushProblem(problems, `${at} (${name}): no version (V:)`);
      continue;
    }
    if (!isValidApkVersion(version)) {
      skipped++;
      pushProblem(problems, `${at} (${name}): invalid version ${JSON.stringify(version)}`);
      continue;
    }
    const origin = s.fields.get('o')?.trim();
    packages.push({
      name,
      version,
      sourceName: origin !== undefined && origin !== '' ? origin : name,
      // Subpackages share their origin's version.
      sourceVersion: version,
      arch: s.fields.get('A')?.trim() ?? '',
      format: 'apk',
      ecosystem: options.ecosystem,
    });
  }
  return { packages, skipped, notInstalled: 0, problems };
}
