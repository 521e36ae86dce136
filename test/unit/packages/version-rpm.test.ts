import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compareRpmVersions, rpmvercmp, splitRpmEvr } from '../../../shared/domain/packages/version-rpm.js';

/** RPM version strings with the characters rpmvercmp treats specially. */
const rpmVersion = fc.string({
  unit: fc.constantFrom('0', '1', '2', '9', 'a', 'b', 'Z', '.', '_', '+', '~', '^'),
  minLength: 1,
  maxLength: 7,
});

const rpmAvailable = spawnSync('rpm', ['--version']).status === 0;

/** Ask the real rpm (its Lua `rpm.vercmp`) about many pairs at once. */
function rpmSays(pairs: readonly (readonly [string, string])[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-rpmvercmp-'));
  try {
    const script = join(dir, 'pairs.lua');
    const list = pairs.map(([a, b]) => `{${JSON.stringify(a)},${JSON.stringify(b)}}`).join(',');
    writeFileSync(
      script,
      `local p = {${list}}\nlocal r = {}\nfor i, v in ipairs(p) do r[#r + 1] = tostring(rpm.vercmp(v[1], v[2])) end\nprint(table.concat(r, ","))\n`,
    );
    const out = spawnSync('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`], {
      encoding: 'utf8',
    });
    return out.stdout.trim().split(',').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cases from rpm's own test suite for rpmvercmp (tests/rpmvercmp.at). */
const DOCUMENTED: readonly (readonly [string, string, number])[] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1', 1],
  ['5.5p1', '5.5p2', -1],
  ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1],
  ['xyz10', 'xyz10.1', -1],
  ['xyz.4', '8', -1], // letters sort before numbers
  ['6.0.rc1', '6.0', 1],
  ['10b2', '10a1', 1],
  ['1.0a', '1.0aa', -1],
  ['10.0001', '10.1', 0], // leading zeros do not count
  ['4.999.9', '5.0', -1],
  ['20101121', '20101122', -1],
  ['2_0', '2.0', 0], // separators are all alike
  ['a+', 'a_', 0],
  ['1.0~rc1', '1.0', -1], // tilde sorts before everything, even the end
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0^', '1.0', 1], // caret sorts after the end of the string…
  ['1.0^git1', '1.0^git2', -1],
  ['1.0^git1', '1.01', -1], // …but before anything else
  ['1.0^20160101', '1.0.1', -1],
  ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
];

describe('rpmvercmp', () => {
  it.each(DOCUMENTED)('%s vs %s → %i', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
    expect(rpmvercmp(b, a)).toBe(want === 0 ? 0 : -want);
  });

  it.skipIf(!rpmAvailable)('agrees with the real rpm on the documented cases and on generated ones', () => {
    const pairs: (readonly [string, string])[] = DOCUMENTED.map(([a, b]) => [a, b] as const);
    pairs.push(...fc.sample(fc.tuple(rpmVersion, rpmVersion), { numRuns: 500, seed: 2024 }));
    const want = rpmSays(pairs);
    expect(want).toHaveLength(pairs.length);
    expect(pairs.map(([a, b]) => rpmvercmp(a, b))).toEqual(want);
  });

  it('is reflexive and antisymmetric', () => {
    fc.assert(fc.property(rpmVersion, (v) => rpmvercmp(v, v) === 0));
    fc.assert(fc.property(rpmVersion, rpmVersion, (a, b) => rpmvercmp(a, b) === -rpmvercmp(b, a)));
  });

  it('is transitive on alphanumeric versions with tilde and caret', () => {
    // rpmvercmp is only a total order where separators do not meet each other in odd ways; real EVRs
    // are runs of alphanumerics joined by single separators, which is what this generates.
    const evrLike = fc
      .array(fc.tuple(fc.constantFrom('.', '~', '^', '+'), fc.stringMatching(/^([0-9]{1,3}|[a-z]{1,3})$/)), {
        minLength: 1,
        maxLength: 4,
      })
      .map((parts) => `1${parts.map(([sep, run]) => sep + run).join('')}`);
    fc.assert(
      fc.property(fc.array(evrLike, { minLength: 3, maxLength: 20 }), (vs) => {
        const sorted = [...vs].sort(rpmvercmp);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) {
            if (rpmvercmp(sorted[i] as string, sorted[j] as string) > 0) return false;
          }
        }
        return true;
      }),
    );
  });
});

describe('compareRpmVersions (epoch:version-release)', () => {
  it('compares the epoch first, then version, then release', () => {
    expect(compareRpmVersions('1:1.0-1', '2.0-1')).toBe(1);
    expect(compareRpmVersions('0:1.0-1', '1.0-1')).toBe(0);
    expect(compareRpmVersions('3.0.7-27.el9', '3.0.7-25.el9')).toBe(1);
    expect(compareRpmVersions('3.0.7-27.el9', '3.0.8-1.el9')).toBe(-1);
    expect(compareRpmVersions('1.0-1', '1.0')).toBe(1); // a missing release is older
  });

  it('splits at the first colon and the last hyphen', () => {
    expect(splitRpmEvr('2:1.2-3-4.fc39')).toEqual({ epoch: '2', version: '1.2-3', release: '4.fc39' });
    expect(splitRpmEvr('1.0')).toEqual({ epoch: '0', version: '1.0', release: '' });
  });
});
