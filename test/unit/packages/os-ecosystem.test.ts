import { describe, expect, it } from 'vitest';

import {
  advisoryEcosystemsFor,
  ecosystemCovers,
  ecosystemForOs,
  keyedBySource,
  versionSchemeOf,
} from '../../../shared/domain/packages/ecosystem.js';
import { parseOsRelease, parseOsReleaseVariables } from '../../../shared/domain/packages/os-release.js';

/** os-release text of real distributions, as their images ship it. */
const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;
const UBUNTU_1804 = `NAME="Ubuntu"
VERSION="18.04.6 LTS (Bionic Beaver)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 18.04.6 LTS"
VERSION_ID="18.04"
VERSION_CODENAME=bionic
`;
const ALPINE_318 = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.4
PRETTY_NAME="Alpine Linux v3.18"
HOME_URL="https://alpinelinux.org/"
`;

describe('parseOsRelease', () => {
  it('reads quoted, unquoted and escaped values and skips comments', () => {
    const vars = parseOsReleaseVariables(
      `# comment\nA="x \\"y\\" \\$z"\nB='lit $x'\nC=bare\nnot an assignment\n`,
    );
    expect([...vars]).toEqual([
      ['A', 'x "y" $z'],
      ['B', 'lit $x'],
      ['C', 'bare'],
    ]);
  });

  it('maps the identifying fields', () => {
    expect(parseOsRelease(UBUNTU_1804)).toEqual({
      id: 'ubuntu',
      idLike: ['debian'],
      versionId: '18.04',
      versionCodename: 'bionic',
      version: '18.04.6 LTS (Bionic Beaver)',
      prettyName: 'Ubuntu 18.04.6 LTS',
    });
    expect(parseOsRelease('NAME=nothing\n')).toBeNull();
  });
});

describe('ecosystemForOs', () => {
  it.each([
    [DEBIAN_12, 'Debian:12'],
    [DEBIAN_12.replace('VERSION_ID="12"\n', ''), 'Debian:12'], // from the codename
    [UBUNTU_1804, 'Ubuntu:18.04:LTS'],
    ['ID=ubuntu\nVERSION_ID="23.10"\nVERSION="23.10 (Mantic Minotaur)"\n', 'Ubuntu:23.10'],
    [ALPINE_318, 'Alpine:v3.18'],
    ['ID=rocky\nVERSION_ID="9.3"\n', 'Rocky Linux:9'],
    ['ID=almalinux\nVERSION_ID="8.9"\n', 'AlmaLinux:8'],
    ['ID=wolfi\n', 'Wolfi'],
  ])('%j → %s', (text, ecosystem) => {
    const os = parseOsRelease(text);
    expect(os).not.toBeNull();
    expect(ecosystemForOs(os!)).toEqual({ ok: true, ecosystem });
  });

  it('says why there is no ecosystem', () => {
    expect(ecosystemForOs(parseOsRelease('ID=debian\nPRETTY_NAME="Debian GNU/Linux trixie/sid"\n')!)).toEqual(
      {
        ok: false,
        reason: 'Debian GNU/Linux trixie/sid: no numeric Debian release in os-release',
      },
    );
    expect(ecosystemForOs(parseOsRelease('ID=haiku\nNAME=Haiku\n')!)).toMatchObject({ ok: false });
  });
});

describe('ecosystem rules for matching', () => {
  it('picks the version ordering and the package keying per ecosystem', () => {
    expect(versionSchemeOf('Debian:12')).toBe('dpkg');
    expect(versionSchemeOf('Ubuntu:22.04:LTS')).toBe('dpkg');
    expect(versionSchemeOf('Alpine:v3.18')).toBe('apk');
    expect(versionSchemeOf('Root:Alpine:3.18')).toBe('apk');
    expect(versionSchemeOf('Root:Debian:12')).toBe('dpkg');
    expect(versionSchemeOf('Rocky Linux:9')).toBe('rpm');
    expect(versionSchemeOf('npm')).toBeNull();
    expect(keyedBySource('Debian:12')).toBe(true);
    expect(keyedBySource('Alpine:v3.18')).toBe(true);
    expect(keyedBySource('Wolfi')).toBe(false);
  });

  it('applies release-less and LTS-less advisories to a release, never another release', () => {
    expect(advisoryEcosystemsFor('Debian:12')).toEqual(['Debian:12', 'Debian']);
    expect(advisoryEcosystemsFor('Ubuntu:18.04:LTS')).toEqual(['Ubuntu:18.04:LTS', 'Ubuntu:18.04', 'Ubuntu']);
    expect(ecosystemCovers('Debian:11', 'Debian:12')).toBe(false);
    expect(ecosystemCovers('Ubuntu:Pro:18.04:LTS', 'Ubuntu:18.04:LTS')).toBe(false);
    expect(ecosystemCovers('Root', 'Root:Alpine:3.18')).toBe(false);
  });
});
