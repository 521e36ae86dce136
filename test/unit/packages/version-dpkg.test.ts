import { spawnSync } from 'node:child_process';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  compareDpkgFragment,
  compareDpkgVersions,
  dpkgVersionProblem,
  parseDpkgVersion,
} from '../../../shared/domain/packages/version-dpkg.js';

/** Valid Debian versions, with the characters that make the ordering interesting (`~`, `+`, `.`, letters). */
const dpkgVersion = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    fc.integer({ min: 0, max: 20 }),
    fc.string({ unit: fc.constantFrom('0', '1', '9', 'a', 'b', 'z', '.', '+', '~'), maxLength: 5 }),
    fc.option(
      fc.string({ unit: fc.constantFrom('0', '1', '2', 'a', '.', '+', '~'), minLength: 1, maxLength: 4 }),
      {
        nil: undefined,
      },
    ),
  )
  .map(
    ([epoch, lead, rest, rev]) =>
      `${epoch !== undefined ? `${epoch}:` : ''}${lead}${rest}${rev !== undefined ? `-${rev}` : ''}`,
  );

const dpkgAvailable = spawnSync('dpkg', ['--version']).status === 0;

/** What the real dpkg says: -1, 0 or 1. */
function dpkgSays(a: string, b: string): number {
  if (spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0) return -1;
  if (spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0) return 0;
  return 1;
}

describe('compareDpkgVersions: cases from Debian Policy §5.6.12 and dpkg', () => {
  it('sorts ~ before everything, even the end of the string (Policy: ~~ < ~~a < ~ < "" < a)', () => {
    const ordered = ['~~', '~~a', '~', '', 'a'];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareDpkgFragment(ordered[i] as string, ordered[j] as string))).toBe(
          Math.sign(i - j),
        );
      }
    }
  });

  it.each([
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0', '1.0+b1', -1],
    ['1.0+b1', '1.0.1', -1],
    ['1.0a', '1.0+', -1], // letters sort before non-letters
    ['1.2.3', '1.2.10', -1], // digit runs compare numerically
    ['1:0.1', '2.0', 1], // the epoch wins
    ['0:1.0', '1.0', 0], // epoch 0 is the same as none
    ['1.0-0', '1.0', 0], // an absent revision equals revision 0
    ['1.0-1', '1.0-2', -1],
    ['2.38.1-5', '2.38.1-5+b1', -1], // a binNMU is newer than its source version
    ['1.1.0l-1~deb9u5', '1.1.0l-1~deb9u6', -1],
    ['1.1.0l-1~deb9u6', '1.1.0l-1', -1], // a stable update sorts before the unstable upload it backports
    ['007', '7', 0],
  ] as const)('%s vs %s → %i', (a, b, want) => {
    expect(compareDpkgVersions(a, b)).toBe(want);
    expect(compareDpkgVersions(b, a)).toBe(want === 0 ? 0 : -want);
  });

  it.skipIf(!dpkgAvailable)(
    'agrees with the real dpkg --compare-versions on these cases and on generated ones',
    () => {
      const pairs = fc.sample(fc.tuple(dpkgVersion, dpkgVersion), { numRuns: 150, seed: 4242 });
      pairs.push(['1.0~rc1', '1.0'], ['1:0.1', '2.0'], ['1.0+b1', '1.0.1'], ['1.0a', '1.0+']);
      for (const [a, b] of pairs) expect([a, b, compareDpkgVersions(a, b)]).toEqual([a, b, dpkgSays(a, b)]);
    },
  );
});

describe('compareDpkgVersions properties', () => {
  it('is reflexive', () => {
    fc.assert(fc.property(dpkgVersion, (v) => compareDpkgVersions(v, v) === 0));
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(
        dpkgVersion,
        dpkgVersion,
        (a, b) => compareDpkgVersions(a, b) === -compareDpkgVersions(b, a),
      ),
    );
  });

  it('is transitive: after sorting, every earlier element is <= every later one', () => {
    fc.assert(
      fc.property(fc.array(dpkgVersion, { minLength: 3, maxLength: 25 }), (vs) => {
        const sorted = [...vs].sort(compareDpkgVersions);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) {
            if (compareDpkgVersions(sorted[i] as string, sorted[j] as string) > 0) return false;
          }
        }
        return true;
      }),
    );
  });

  it('is transitive on triples', () => {
    fc.assert(
      fc.property(dpkgVersion, dpkgVersion, dpkgVersion, (a, b, c) => {
        if (compareDpkgVersions(a, b) <= 0 && compareDpkgVersions(b, c) <= 0)
          return compareDpkgVersions(a, c) <= 0;
        return true;
      }),
    );
  });

  it('orders by epoch first whatever the rest', () => {
    fc.assert(
      fc.property(dpkgVersion, dpkgVersion, (a, b) => {
        const stripped = (v: string): string => v.replace(/^\d+:/, '');
        return compareDpkgVersions(`1:${stripped(a)}`, `2:${stripped(b)}`) === -1;
      }),
    );
  });
});

describe('dpkg version validation', () => {
  it.each([
    ['', 'version string is empty'],
    ['1.0 1', 'version string has embedded spaces'],
    ['a:1.0', 'epoch in version is not a number'],
    ['1:', 'nothing after colon in version number'],
    ['1.0-', 'revision number is empty'],
    ['abc', 'version number does not start with digit'],
    ['1.0_1', 'invalid character in version number'],
    ['1.0-a_b', 'invalid character in revision number'],
  ])('%j → %s', (v, problem) => {
    expect(dpkgVersionProblem(v)).toBe(problem);
    expect(parseDpkgVersion(v)).toBeNull();
  });

  it('splits a valid version into epoch, upstream and revision (last hyphen)', () => {
    expect(parseDpkgVersion('2:8.39-9')).toEqual({ epoch: '2', upstream: '8.39', revision: '9' });
    expect(parseDpkgVersion('1.2-3-4')).toEqual({ epoch: '0', upstream: '1.2-3', revision: '4' });
    expect(parseDpkgVersion('3.131')).toEqual({ epoch: '0', upstream: '3.131', revision: '' });
  });
});
