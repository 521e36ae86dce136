import { compareDigitStrings, isAsciiDigit, isAsciiLetter } from './numeric.js';

/**
 * RPM versions: `[epoch:]version[-release]`, compared with rpm's `rpmvercmp` per part.
 *
 * `rpmvercmp` splits both strings into runs of digits and runs of letters, skipping every other character
 * as a separator. Digit runs compare numerically and beat letter runs; letter runs compare as ASCII
 * strings. `~` sorts before anything, even the end of the string (`1.0~rc1 < 1.0`); `^` sorts after the
 * end of the string but before any other run (`1.0 < 1.0^git1 < 1.0.1`). When one string runs out, the one
 * with runs left is newer.
 */
export interface RpmEvr {
  /** The epoch as a digit string (`0` when absent). */
  readonly epoch: string;
  readonly version: string;
  /** Empty when absent. */
  readonly release: string;
}

function isAlnum(c: number): boolean {
  return isAsciiDigit(c) || isAsciiLetter(c);
}

const TILDE = 126;
const CARET = 94;

/** rpm's `rpmvercmp` on one version or release string; returns -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (
      i < a.length &&
      !isAlnum(a.charCodeAt(i)) &&
      a.charCodeAt(i) !== TILDE &&
      a.charCodeAt(i) !== CARET
    )
      i++;
    while (
      j < b.length &&
      !isAlnum(b.charCodeAt(j)) &&
      b.charCodeAt(j) !== TILDE &&
      b.charCodeAt(j) !== CARET
    )
      j++;
    if (i >= a.length && j >= b.length) return 0;
    const ca = i < a.length ? a.charCodeAt(i) : -1;
    const cb = j < b.length ? b.charCodeAt(j) : -1;

    // A tilde sorts before everything else.
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    // A caret sorts before everything except the end of the string.
    if (ca === CARET || cb === CARET) {
      if (ca === -1) return -1;
      if (cb === -1) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === -1 || cb === -1) break;

    // One run of the kind that `a` starts with, and as much of the same kind from `b`.
    const numeric = isAsciiDigit(ca);
    const same = numeric ? isAsciiDigit : isAsciiLetter;
    const si = i;
    while (i < a.length && same(a.charCodeAt(i))) i++;
    const sj = j;
    while (j < b.length && same(b.charCodeAt(j))) j++;
    const ra = a.slice(si, i);
    const rb = b.slice(sj, j);
    // Runs of different kinds: a number is newer than letters.
    if (rb === '') return numeric ? 1 : -1;
    const c = numeric ? compareDigitStrings(ra, rb) : ra < rb ? -1 : ra > rb ? 1 : 0;
    if (c !== 0) return c;
  }
  // Whichever still has something left is newer.
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Split `[epoch:]version[-release]`; the release is what follows the last hyphen. */
export function splitRpmEvr(evr: string): RpmEvr {
  const v = evr.trim();
  const colon = v.indexOf(':');
  let epoch = '0';
  let rest = v;
  if (colon >= 0 && /^[0-9]*$/.test(v.slice(0, colon))) {
    epoch = colon === 0 ? '0' : v.slice(0, colon);
    rest = v.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, version: rest, release: '' };
  return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

/** Compare two `[epoch:]version[-release]` strings: epoch numerically, then version, then release. */
export function compareRpmVersions(a: string, b: string): number {
  const x = splitRpmEvr(a);
  const y = splitRpmEvr(b);
  return (
    compareDigitStrings(x.epoch, y.epoch) ||
    rpmvercmp(x.version, y.version) ||
    rpmvercmp(x.release, y.release)
  );
}

/** Why `evr` is not a usable RPM version, or null when it is. */
export function rpmVersionProblem(evr: string): string | null {
  const v = evr.trim();
  if (v === '') return 'version string is empty';
  if (/\s/.test(v)) return 'version string has embedded spaces';
  const { version } = splitRpmEvr(v);
  if (version === '') return 'version part is empty';
  return null;
}
