import type { OsInfo } from './model.js';

/**
 * Parse os-release(5) text into its variables.
 *
 * The format is a restricted shell assignment list: `KEY=value`, where the value may be double-quoted
 * (with `\"`, `\\`, `\$` and `` \` `` escapes), single-quoted (literal) or bare; `#` starts a comment line.
 * Lines that are not assignments are ignored, as systemd does.
 */
export function parseOsReleaseVariables(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    vars.set(key, unquote(m[2] as string));
  }
  return vars;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

/** The OS identity from os-release text; null when it has no `ID`. */
export function parseOsRelease(text: string): OsInfo | null {
  const vars = parseOsReleaseVariables(text);
  const id = vars.get('ID')?.trim().toLowerCase();
  if (id === undefined || id === '') return null;
  const opt = (key: string): string | null => {
    const v = vars.get(key)?.trim();
    return v === undefined || v === '' ? null : v;
  };
  return {
    id,
    idLike: (vars.get('ID_LIKE') ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((s) => s !== ''),
    versionId: opt('VERSION_ID'),
    versionCodename: opt('VERSION_CODENAME'),
    version: opt('VERSION'),
    prettyName: opt('PRETTY_NAME') ?? opt('NAME') ?? id,
  };
}
