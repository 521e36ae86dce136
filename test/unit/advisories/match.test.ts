import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { evaluateRange, matchPackage, matchPackages } from '../../../shared/domain/advisories/match.js';
import type { OsvRecord } from '../../../shared/domain/advisories/osv.js';
import { parseOsvRecord } from '../../../shared/domain/advisories/osv.js';
import { assessSeverity, cvss3BaseScore } from '../../../shared/domain/advisories/severity.js';
import { parseApkInstalled } from '../../../shared/domain/packages/apk-installed.js';
import type { Package } from '../../../shared/domain/packages/model.js';
import { osvFile, pkgdb } from '../packages/data.js';

function record(name: string): OsvRecord {
  const r = parseOsvRecord(JSON.parse(readFileSync(osvFile(name), 'utf8')));
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

function pkg(over: Partial<Package> & Pick<Package, 'name' | 'version' | 'ecosystem'>): Package {
  return { sourceName: over.name, sourceVersion: over.version, arch: 'amd64', format: 'dpkg', ...over };
}

/** Which of `versions` the record affects for a package of `ecosystem` named `name` (binary = source). */
function affected(
  rec: OsvRecord,
  ecosystem: string,
  name: string,
  versions: readonly string[],
  format: Package['format'] = 'dpkg',
): string[] {
  return versions.filter((v) => matchPackage(pkg({ name, version: v, ecosystem, format }), [rec]).length > 0);
}

describe('matching the real Debian records', () => {
  it('DLA-3008-1 (openssl, Debian 9): everything below 1.1.0l-1~deb9u6 is affected', () => {
    const rec = record('DLA-3008-1.json');
    const versions = [
      '1.1.0f-3',
      '1.1.0l-1~deb9u5',
      '1.1.0l-1~deb9u6',
      '1.1.0l-1~deb9u7',
      '1.1.0l-1',
      '1.1.1n-0+deb10u1',
      '1.1.0e-1',
    ];
    expect(affected(rec, 'Debian:9', 'openssl', versions)).toEqual([
      '1.1.0f-3',
      '1.1.0l-1~deb9u5',
      '1.1.0e-1',
    ]);
    // Another release, or the binary package name, does not match.
    expect(affected(rec, 'Debian:10', 'openssl', versions)).toEqual([]);
    expect(affected(rec, 'Debian:9', 'libssl1.1', versions)).toEqual([]);
  });

  it('matches a binary package through its source package (libssl1.1 from openssl) and reports the fix', () => {
    const rec = record('DLA-3008-1.json');
    const libssl = pkg({
      name: 'libssl1.1',
      version: '1.1.0l-1~deb9u5',
      sourceName: 'openssl',
      ecosystem: 'Debian:9',
    });
    const [m, ...rest] = matchPackage(libssl, [rec]);
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      advisoryId: 'DLA-3008-1',
      aliases: ['CVE-2022-1292', 'DEBIAN-CVE-2022-1292'],
      advisoryEcosystem: 'Debian:9',
      advisoryPackage: 'openssl',
      comparedVersion: '1.1.0l-1~deb9u5',
      matchedBy: 'range',
      fixedVersion: '1.1.0l-1~deb9u6',
      summary: 'openssl - security update',
    });
  });

  it('compares the source version for binNMUs', () => {
    const rec = record('DLA-3012-1.json'); // libxml2 < 2.9.4+dfsg1-2.2+deb9u7
    const binnmu = pkg({
      name: 'libxml2',
      version: '2.9.4+dfsg1-2.2+deb9u7+b1',
      sourceVersion: '2.9.4+dfsg1-2.2+deb9u6',
      ecosystem: 'Debian:9',
    });
    expect(matchPackage(binnmu, [rec])).toHaveLength(1);
  });

  it('DLA-3051-1 (tzdata) and DLA-3022-1 (dpkg) at their boundaries', () => {
    expect(
      affected(record('DLA-3051-1.json'), 'Debian:9', 'tzdata', [
        '2021a-0+deb9u3',
        '2021a-0+deb9u4',
        '2021a-1',
        '2017b-1',
        '2022a-0+deb9u1',
      ]),
    ).toEqual(['2021a-0+deb9u3', '2017b-1']);
    expect(
      affected(record('DLA-3022-1.json'), 'Debian:9', 'dpkg', [
        '1.18.24',
        '1.18.25',
        '1.18.26',
        '1.18.26~1',
        '1.19.0',
      ]),
    ).toEqual([
      '1.18.24',
      '1.18.25',
      '1.18.26~1', // a tilde pre-release of the fixed version is still before it
    ]);
  });

  it('DSA-3029-1 (nginx, Debian 7): a record without a versions list, range only', () => {
    expect(
      affected(record('DSA-3029-1.json'), 'Debian:7', 'nginx', [
        '1.2.1-2.2+wheezy2',
        '1.2.1-2.2+wheezy3',
        '1.2.1-2.2',
        '1.6.2-1',
      ]),
    ).toEqual(['1.2.1-2.2+wheezy2', '1.2.1-2.2']);
  });
});

describe('matching the real Alpine record against the real Alpine 3.18 package database', () => {
  const rec = record('ALPINE-CVE-2025-26519.json'); // musl: Alpine:v3.18 fixed in 1.2.4-r3

  it('finds exactly musl and musl-utils (origin musl) among the 15 installed packages', () => {
    const parsed = parseApkInstalled(readFileSync(pkgdb('osv-scalibr_alpine_apk_installed'), 'utf8'), {
      ecosystem: 'Alpine:v3.18',
    });
    // The lookup offers the record for every package: the matcher alone decides.
    const matches = matchPackages(parsed.packages, () => [rec]);
    expect(matches.map((m) => [m.package.name, m.package.version, m.fixedVersion])).toEqual([
      ['musl', '1.2.4-r0', '1.2.4-r3'],
      ['musl-utils', '1.2.4-r0', '1.2.4-r3'],
    ]);
    expect(matches[0]?.severity).toEqual({
      level: 'high',
      score: 7,
      basis: 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H',
    });
  });

  it('uses the range of the package release, with apk ordering', () => {
    const versions = [
      '0.9.12-r0',
      '0.9.13',
      '1.2.4-r2',
      '1.2.4-r3',
      '1.2.4_git20230717-r4',
      '1.2.4_git20230717-r5',
      '1.2.5-r0',
    ];
    expect(affected(rec, 'Alpine:v3.18', 'musl', versions, 'apk')).toEqual(['0.9.13', '1.2.4-r2']);
    expect(affected(rec, 'Alpine:v3.19', 'musl', versions, 'apk')).toEqual([
      '0.9.13',
      '1.2.4-r2',
      '1.2.4-r3',
      '1.2.4_git20230717-r4',
    ]);
    expect(affected(rec, 'Alpine:v3.15', 'musl', versions, 'apk')).toEqual([]); // no entry for 3.15
  });
});

describe('matching the real Root.io records', () => {
  it('applies them only to their own ecosystems, with the base distribution ordering', () => {
    const alpine = record('ROOT-OS-ALPINE-318-CVE-2000-0548.json');
    expect(
      affected(
        alpine,
        'Root:Alpine:3.18',
        'rootio-util-linux',
        ['2.38.1-r10070', '2.38.1-r10071', '2.38.1-r9'],
        'apk',
      ),
    ).toEqual(['2.38.1-r10070', '2.38.1-r9']);
    expect(affected(alpine, 'Alpine:v3.18', 'rootio-util-linux', ['2.38.1-r1'], 'apk')).toEqual([]);
    const debian = record('ROOT-OS-DEBIAN-bookworm-CVE-2025-53014.json');
    expect(
      affected(debian, 'Root:Debian:12', 'rootio-imagemagick', [
        '8:6.9.11.60+dfsg-1.6+deb12u2',
        '8:6.9.11.60+dfsg-1.6+deb12u3.root.io.1',
        '6.9.11.60+dfsg-1.6+deb12u9',
      ]),
    ).toEqual(['8:6.9.11.60+dfsg-1.6+deb12u2', '6.9.11.60+dfsg-1.6+deb12u9']); // no epoch sorts below epoch 8
  });
});

describe('OSV range semantics', () => {
  const range = (events: object[]): Parameters<typeof evaluateRange>[0] => ({
    type: 'ECOSYSTEM',
    events: events as never,
  });

  it('walks events in version order, not file order', () => {
    const r = range([{ fixed: '1.5' }, { introduced: '2.0' }, { fixed: '2.5' }, { introduced: '1.0' }]);
    const hit = (v: string): boolean => evaluateRange(r, 'dpkg', v) !== null;
    expect(['0.9', '1.0', '1.4', '1.5', '1.9', '2.0', '2.4', '2.5', '3.0'].filter(hit)).toEqual([
      '1.0',
      '1.4',
      '2.0',
      '2.4',
    ]);
    expect(evaluateRange(r, 'dpkg', '2.1')?.fixedVersion).toBe('2.5');
  });

  it('last_affected includes that version, and reports no fix', () => {
    const r = range([{ introduced: '0' }, { last_affected: '1.2-3' }]);
    expect(evaluateRange(r, 'dpkg', '1.2-3')).toEqual({ matchedBy: 'range', fixedVersion: null });
    expect(evaluateRange(r, 'dpkg', '1.2-4')).toBeNull();
  });

  it('limit caps the range; "*" is no limit', () => {
    expect(evaluateRange(range([{ introduced: '0' }, { limit: '2.0' }]), 'dpkg', '1.9')).not.toBeNull();
    expect(evaluateRange(range([{ introduced: '0' }, { limit: '2.0' }]), 'dpkg', '2.0')).toBeNull();
    expect(evaluateRange(range([{ introduced: '0' }, { limit: '*' }]), 'dpkg', '99')).not.toBeNull();
  });

  it('an open range (introduced only) affects everything from there; non-ECOSYSTEM ranges are not evaluated', () => {
    expect(evaluateRange(range([{ introduced: '1.0' }]), 'rpm', '5.0-1.el9')).not.toBeNull();
    expect(evaluateRange(range([{ introduced: '1.0' }]), 'rpm', '0.9-1.el9')).toBeNull();
    expect(evaluateRange({ type: 'SEMVER', events: [{ introduced: '0' }] }, 'dpkg', '1.0')).toBeNull();
  });

  it('a versions list matches exactly (by the ecosystem ordering), even without ranges', () => {
    const rec: OsvRecord = {
      id: 'X-1',
      modified: '2024-01-01T00:00:00Z',
      published: null,
      withdrawn: null,
      aliases: [],
      upstream: [],
      summary: '',
      details: '',
      severity: [],
      references: [],
      affected: [
        {
          package: { ecosystem: 'Debian', name: 'foo' },
          ranges: [],
          versions: ['1.0-1', '0:1.1-1'],
          severity: [],
        },
      ],
    };
    expect(affected(rec, 'Debian:12', 'foo', ['1.0-1', '1.1-1', '1.0-2'])).toEqual(['1.0-1', '1.1-1']);
    expect(
      matchPackage(pkg({ name: 'foo', version: '1.0-1', ecosystem: 'Debian:12' }), [rec])[0],
    ).toMatchObject({
      matchedBy: 'versions',
      advisoryEcosystem: 'Debian',
    });
    expect(
      matchPackage(pkg({ name: 'foo', version: '1.0-1', ecosystem: 'Debian:12' }), [
        { ...rec, withdrawn: '2024-02-01T00:00:00Z' },
      ]),
    ).toEqual([]);
    expect(matchPackage(pkg({ name: 'foo', version: '1.0-1', ecosystem: null }), [rec])).toEqual([]);
  });
});

describe('severity', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.0],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ])('CVSS v3 base score of %s is %d (published reference scores)', (vector, score) => {
    expect(cvss3BaseScore(vector)).toBe(score);
  });

  it('rejects vectors that are not complete v3 base vectors', () => {
    expect(cvss3BaseScore('AV:L/AC:M/Au:N/C:N/I:P/A:C')).toBeNull();
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L')).toBeNull();
  });

  it('prefers the package CVSS, then a database word, else unknown', () => {
    expect(assessSeverity([], [{ type: 'database_specific', score: 'MODERATE' }])).toEqual({
      level: 'medium',
      score: null,
      basis: 'database_specific: MODERATE',
    });
    expect(assessSeverity([{ type: 'ecosystem_specific', score: 'unimportant' }], [])).toMatchObject({
      level: 'negligible',
    });
    expect(assessSeverity([], [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N' }])).toEqual({
      level: 'unknown',
      score: null,
      basis: 'CVSS_V4 CVSS:4.0/AV:N (not scored)',
    });
    expect(assessSeverity([], [])).toMatchObject({ level: 'unknown', basis: 'no severity in the advisory' });
  });
});
