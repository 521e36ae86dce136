import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compareApkVersions, isValidApkVersion } from '../../../shared/domain/packages/version-apk.js';

/** Well-formed apk versions: digits{.digits}[letter]{_suffix[digits]}[-rN]. */
const apkVersion = fc
  .tuple(
    fc.array(fc.stringMatching(/^[0-9]{1,3}$/), { minLength: 1, maxLength: 4 }),
    fc.option(fc.constantFrom('a', 'b', 'z'), { nil: undefined }),
    fc.array(
      fc.tuple(
        fc.constantFrom('alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      ),
      { maxLength: 2 },
    ),
    fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  )
  .map(
    ([nums, letter, suffixes, rev]) =>
      `${nums.join('.')}${letter ?? ''}${suffixes.map(([s, n]) => `_${s}${n ?? ''}`).join('')}${rev !== undefined ? `-r${rev}` : ''}`,
  );

describe('compareApkVersions: the ordering Alpine documents (APKBUILD pkgver and apk-tools)', () => {
  it('orders pre-release suffixes before the release and post-release ones after it', () => {
    const ordered = [
      '1.0_alpha',
      '1.0_beta',
      '1.0_pre',
      '1.0_rc',
      '1.0',
      '1.0_cvs',
      '1.0_svn',
      '1.0_git',
      '1.0_hg',
      '1.0_p1',
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect([
          ordered[i],
          ordered[j],
          compareApkVersions(ordered[i] as string, ordered[j] as string),
        ]).toEqual([ordered[i], ordered[j], Math.sign(i - j)]);
      }
    }
  });

  it.each([
    ['1.0', '1.0-r1', -1], // -rN is the package revision; none is older than -r1
    ['1.0-r9', '1.0-r10', -1], // revisions compare numerically
    ['1.0-r1', '1.0_p1', -1], // a post-release suffix outranks a revision of the release
    ['1.0_alpha', '1.0_alpha1', -1],
    ['1.0_alpha2', '1.0_alpha10', -1],
    ['1.0_rc1', '1.0_rc1-r1', -1],
    ['1.0', '1.0.0', -1], // a longer dotted version is newer
    ['1.0', '1.0a', -1], // a letter after the numbers is newer
    ['1.0a', '1.0.1', -1],
    ['1.01', '1.1', -1], // a leading zero after a dot compares as a fraction
    ['1.001', '1.01', -1],
    ['2.9.11_pre20061021-r2', '2.9.11_pre20061022', -1],
    ['1.2.4_git20230717-r5', '1.2.4-r3', 1], // musl's Alpine 3.19 fix is newer than the 3.18 one
    ['1.2.5-r10', '1.2.5-r9', 1],
    ['20230717123456789012', '20230717123456789011', 1], // numbers longer than a double holds
    ['1.2.3', '1.2.3', 0],
    // From apk-tools' own test data (test/version.data):
    ['0.1.0_alpha_pre2', '0.1.0_alpha', -1],
    ['1.3_pre1-r1', '1.3.2', -1],
    ['1.0', '1.0bc', -1], // a malformed tail ranks below the well-formed prefix
    ['006', '1.0.0', 1], // the first number is numeric even with leading zeros
    ['1.0~abc1-r1', '1.0~abd-r0', -1], // commit hashes compare as strings
  ] as const)('%s vs %s → %i', (a, b, want) => {
    expect(compareApkVersions(a, b)).toBe(want);
    expect(compareApkVersions(b, a)).toBe(want === 0 ? 0 : -want);
  });

  it('validates versions the way apk does', () => {
    for (const v of [
      '1.1.14-r10',
      '2.9.11_pre20061021-r2',
      '1.0_alpha_pre2',
      '3.0.3b-r1',
      '006',
      '1.2.4_git20230717-r5',
    ]) {
      expect([v, isValidApkVersion(v)]).toEqual([v, true]);
    }
    for (const v of ['', '1.0bc', '1.0_foo', '1.0-1', 'abc', '1.0-rc', '1.0-r', '1..0', '1.0a1']) {
      expect([v, isValidApkVersion(v)]).toEqual([v, false]);
    }
  });
});

describe('compareApkVersions properties', () => {
  it('generates only valid versions (sanity of the generator)', () => {
    fc.assert(fc.property(apkVersion, (v) => isValidApkVersion(v)));
  });

  it('is reflexive', () => {
    fc.assert(fc.property(apkVersion, (v) => compareApkVersions(v, v) === 0));
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(apkVersion, apkVersion, (a, b) => compareApkVersions(a, b) === -compareApkVersions(b, a)),
    );
  });

  it('is transitive: after sorting, every earlier element is <= every later one', () => {
    fc.assert(
      fc.property(fc.array(apkVersion, { minLength: 3, maxLength: 25 }), (vs) => {
        const sorted = [...vs].sort(compareApkVersions);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) {
            if (compareApkVersions(sorted[i] as string, sorted[j] as string) > 0) return false;
          }
        }
        return true;
      }),
    );
  });

  it('ranks a higher revision of the same version higher', () => {
    fc.assert(
      fc.property(apkVersion, fc.integer({ min: 0, max: 50 }), (v, r) => {
        const base = v.replace(/-r\d+$/, '');
        return compareApkVersions(`${base}-r${r}`, `${base}-r${r + 1}`) === -1;
      }),
    );
  });
});
