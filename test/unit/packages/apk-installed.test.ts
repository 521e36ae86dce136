import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseApkInstalled } from '../../../shared/domain/packages/apk-installed.js';
import { pkgdb } from './data.js';

/** An independent, grep-like reading: blank-line separated stanzas, first P:/V:/o: of each. */
function grepStanzas(text: string): { name: string | null; version: string | null; origin: string | null }[] {
  return text
    .split(/\n\s*\n/)
    .filter((b) => b.trim() !== '')
    .map((b) => ({
      name: /^P:(.*)$/m.exec(b)?.[1] ?? null,
      version: /^V:(.*)$/m.exec(b)?.[1] ?? null,
      origin: /^o:(.*)$/m.exec(b)?.[1] ?? null,
    }));
}

describe('parseApkInstalled on the real Alpine 3.18 database (osv-scalibr testdata)', () => {
  const text = readFileSync(pkgdb('osv-scalibr_alpine_apk_installed'), 'utf8');
  const parsed = parseApkInstalled(text, { ecosystem: 'Alpine:v3.18', file: '/lib/apk/db/installed' });

  it('reads every package, as a grep of the file finds them', () => {
    const grepped = grepStanzas(text);
    expect(text.match(/^P:/gm)).toHaveLength(15);
    expect(parsed.skipped).toBe(0);
    expect(parsed.problems).toEqual([]);
    expect(parsed.packages.map((p) => [p.name, p.version, p.sourceName])).toEqual(
      grepped.map((g) => [g.name, g.version, g.origin ?? g.name]),
    );
  });

  it('keys subpackages by their origin', () => {
    const byName = new Map(parsed.packages.map((p) => [p.name, p]));
    expect(byName.get('musl')).toMatchObject({
      version: '1.2.4-r0',
      sourceName: 'musl',
      arch: 'x86_64',
      format: 'apk',
      ecosystem: 'Alpine:v3.18',
    });
    expect(byName.get('musl-utils')).toMatchObject({ version: '1.2.4-r0', sourceName: 'musl' });
    expect(byName.get('libssl3')).toMatchObject({ version: '3.1.0-r4', sourceName: 'openssl' });
    expect(byName.get('ssl_client')).toMatchObject({ sourceName: 'busybox' });
    expect(byName.get('libc-utils')).toMatchObject({ sourceName: 'libc-dev' });
  });
});

describe("parseApkInstalled on Trivy's deliberately malformed database", () => {
  const text = readFileSync(pkgdb('trivy_alpine_apk_installed'), 'utf8');
  const parsed = parseApkInstalled(text, { ecosystem: 'Alpine:v3.4' });

  it('skips and counts the entry without a version and keeps all the others', () => {
    const grepped = grepStanzas(text);
    const wellFormed = grepped.filter((g) => g.name !== null && g.version !== null);
    expect(text.match(/^P:/gm)).toHaveLength(16);
    expect(wellFormed).toHaveLength(15);
    expect(parsed.packages).toHaveLength(15);
    expect(parsed.skipped).toBe(1);
    expect(parsed.problems).toEqual(['stanza at line 23 (invalidPackageWithoutAVersion): no version (V:)']);
    expect(parsed.packages.map((p) => [p.name, p.version])).toEqual(
      wellFormed.map((g) => [g.name, g.version]),
    );
  });

  it('reads origins that differ from the name', () => {
    const byName = new Map(parsed.packages.map((p) => [p.name, p]));
    expect(byName.get('musl')).toMatchObject({ version: '1.1.14-r10', sourceName: 'musl' });
    expect(byName.get('test')).toMatchObject({ version: '2.9.11_pre20061021-r2', sourceName: 'test-parent' });
    expect(byName.get('ada-libs')).toMatchObject({ version: '2.7.4-r0', sourceName: 'ada' });
  });
});

describe('parseApkInstalled on other malformed input', () => {
  it('counts a stanza without a name, an invalid version and a garbage line', () => {
    const text = 'V:1.0-r0\nA:x86_64\n\nP:bad\nV:1.0-xyz\n\nP:ok\nV:2.0-r1\nnonsense\n';
    const parsed = parseApkInstalled(text, { ecosystem: null });
    expect(parsed.packages.map((p) => p.name)).toEqual(['ok']);
    expect(parsed.skipped).toBe(2);
    expect(parsed.problems).toEqual([
      'line 9: not a "X:value" line',
      'stanza at line 1: no package name (P:)',
      'stanza at line 4 (bad): invalid version "1.0-xyz"',
    ]);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const parsed = parseApkInstalled(s, { ecosystem: null });
        return parsed.packages.length + parsed.skipped <= s.split('\n').length;
      }),
    );
  });
});
