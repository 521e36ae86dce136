import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseDpkgStatus } from '../../../shared/domain/packages/dpkg-status.js';
import { pkgdb } from './data.js';

/**
 * An independent, grep-like reading of a status file: split on blank lines, pick fields with regular
 * expressions. Used to check the parser on every package of the real files, not just a few.
 */
function grepStanzas(
  text: string,
): { name: string; version: string; status: string; source: string | null }[] {
  return text
    .split(/\n\s*\n/)
    .filter((block) => /^Package: /m.test(block))
    .map((block) => ({
      name: /^Package: (.+)$/m.exec(block)?.[1] ?? '',
      version: /^Version: (.+)$/m.exec(block)?.[1] ?? '',
      status: /^Status: (.+)$/m.exec(block)?.[1] ?? '',
      source: /^Source: (.+)$/m.exec(block)?.[1] ?? null,
    }));
}

describe('parseDpkgStatus on the real Ubuntu 18.04 status file (Trivy testdata)', () => {
  const text = readFileSync(pkgdb('trivy_ubuntu1804_dpkg_status'), 'utf8');
  const parsed = parseDpkgStatus(text, { ecosystem: 'Ubuntu:18.04:LTS', file: '/var/lib/dpkg/status' });
  const grepped = grepStanzas(text);

  it('keeps every installed package and leaves out the one with only config files left', () => {
    expect(text.match(/^Package: /gm)).toHaveLength(91);
    expect(text.match(/^Status: install ok installed$/gm)).toHaveLength(90);
    expect(parsed.packages).toHaveLength(90);
    expect(parsed.notInstalled).toBe(1);
    expect(parsed.skipped).toBe(0);
    expect(parsed.problems).toEqual([]);
    expect(parsed.packages.find((p) => p.name === 'git')).toBeUndefined(); // Status: deinstall ok config-files
  });

  it('agrees with a grep of the file on every package: name, version, source and source version', () => {
    const expected = grepped
      .filter((s) => s.status === 'install ok installed')
      .map((s) => {
        const m = s.source === null ? null : /^(\S+)(?: \((.+)\))?$/.exec(s.source);
        return {
          name: s.name,
          version: s.version,
          sourceName: m?.[1] ?? s.name,
          sourceVersion: m?.[2] ?? s.version,
        };
      });
    expect(
      parsed.packages.map((p) => ({
        name: p.name,
        version: p.version,
        sourceName: p.sourceName,
        sourceVersion: p.sourceVersion,
      })),
    ).toEqual(expected);
  });

  it('reads Source with a version (binNMU), epochs and architecture', () => {
    const byName = new Map(parsed.packages.map((p) => [p.name, p]));
    expect(byName.get('bsdutils')).toMatchObject({
      version: '1:2.31.1-0.4ubuntu3.1',
      sourceName: 'util-linux',
      sourceVersion: '2.31.1-0.4ubuntu3.1',
    });
    expect(byName.get('liblzma5')).toMatchObject({
      version: '5.1.1alpha+20120614-2+b3',
      sourceName: 'xz-utils',
      sourceVersion: '5.1.1alpha+20120614-2',
    });
    expect(byName.get('libpcre3')).toMatchObject({ version: '2:8.39-9', sourceName: 'pcre3' });
    expect(byName.get('bash')).toMatchObject({
      version: '4.4.18-2ubuntu1',
      sourceName: 'bash',
      sourceVersion: '4.4.18-2ubuntu1',
      arch: 'amd64',
    });
    expect(byName.get('libpam-runtime')).toMatchObject({
      sourceName: 'pam',
      arch: 'all',
      format: 'dpkg',
      ecosystem: 'Ubuntu:18.04:LTS',
    });
  });
});

describe('parseDpkgStatus on the real Debian 12 excerpt (osv-scalibr testdata)', () => {
  const text = readFileSync(pkgdb('osv-scalibr_dpkg_status_valid'), 'utf8');
  const parsed = parseDpkgStatus(text, { ecosystem: 'Debian:12' });

  it('reads all seven packages', () => {
    expect(text.match(/^Package: /gm)).toHaveLength(7);
    expect(parsed.packages.map((p) => `${p.name}=${p.version}`)).toEqual([
      'accountsservice=22.08.8-6',
      'acl=2.3.1-3',
      'adduser=3.131',
      'admin-session=2023.06.26.c543406313-00',
      'attr=1:2.5.1-4',
      'libacl1=2.3.1-3',
      'util-linux-extra=2.38.1-5+b1',
    ]);
    expect(parsed.skipped).toBe(0);
  });

  it('keys binNMUs and library packages by their source', () => {
    const byName = new Map(parsed.packages.map((p) => [p.name, p]));
    expect(byName.get('util-linux-extra')).toMatchObject({
      sourceName: 'util-linux',
      sourceVersion: '2.38.1-5',
    });
    expect(byName.get('libacl1')).toMatchObject({ sourceName: 'acl', sourceVersion: '2.3.1-3' });
    expect(byName.get('attr')).toMatchObject({ sourceName: 'attr', sourceVersion: '1:2.5.1-4' });
  });
});

describe('parseDpkgStatus on malformed input', () => {
  it('skips and counts malformed stanzas, keeps the good ones, names each problem with its line', () => {
    const text = [
      'Package: good',
      'Status: install ok installed',
      'Version: 1.0-1',
      '',
      'Status: install ok installed', // line 5: no Package
      'Version: 1.0',
      '',
      'Package: noversion', // line 8
      'Status: install ok installed',
      '',
      'Package: badversion', // line 11
      'Status: install ok installed',
      'Version: abc',
      '',
      'Package: badstatus', // line 15
      'Status: installed',
      'Version: 1.0',
      '',
      'this line is garbage', // line 19
      'Package: withgarbage',
      'Version: 2.0',
      '',
      'Package: removed',
      'Status: deinstall ok not-installed',
      'Version: 1',
    ].join('\n');
    const parsed = parseDpkgStatus(text, { ecosystem: null, file: 'status' });
    expect(parsed.packages.map((p) => p.name)).toEqual(['good', 'withgarbage']);
    expect(parsed.skipped).toBe(4);
    expect(parsed.notInstalled).toBe(1);
    expect(parsed.problems).toEqual([
      'status: line 19: not a "Field: value" line',
      'status: stanza at line 5: no Package field',
      'status: stanza at line 8 (noversion): no Version field',
      'status: stanza at line 11 (badversion): version number does not start with digit: "abc"',
      'status: stanza at line 15 (badstatus): malformed Status "installed"',
    ]);
  });

  it('accepts distroless status.d stanzas, which have no Status field, and CRLF line ends', () => {
    const parsed = parseDpkgStatus(
      'Package: libc6\r\nVersion: 2.36-9+deb12u4\r\nArchitecture: amd64\r\nSource: glibc\r\n',
      {
        ecosystem: 'Debian:12',
      },
    );
    expect(parsed.packages).toEqual([
      {
        name: 'libc6',
        version: '2.36-9+deb12u4',
        sourceName: 'glibc',
        sourceVersion: '2.36-9+deb12u4',
        arch: 'amd64',
        format: 'dpkg',
        ecosystem: 'Debian:12',
      },
    ]);
  });

  it('never throws, whatever the input, and accounts for every stanza it keeps', () => {
    const line = fc.oneof(
      fc.constantFrom(
        'Package: p',
        'Version: 1.0',
        'Version: x',
        'Status: install ok installed',
        'Source: s (1)',
        ' cont',
        '',
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const parsed = parseDpkgStatus(lines.join('\n'), { ecosystem: null });
        return (
          parsed.packages.every((p) => p.name !== '' && p.version !== '') && parsed.problems.length <= 51
        );
      }),
    );
  });

  it('caps the problem list for a file of garbage', () => {
    const parsed = parseDpkgStatus(Array.from({ length: 500 }, (_, i) => `garbage ${i}\n\n`).join(''), {
      ecosystem: null,
    });
    expect(parsed.packages).toEqual([]);
    expect(parsed.problems).toHaveLength(51);
    expect(parsed.problems.at(-1)).toBe('… more problems not shown');
  });
});
