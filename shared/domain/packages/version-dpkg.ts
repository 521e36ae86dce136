import { compareDigitStrings, isAsciiDigit, isAsciiLetter, sign } from './numeric.js';

/**
 * Debian package versions: `[epoch:]upstream_version[-debian_revision]`.
 *
 * The ordering is the one in Debian Policy §5.6.12 and dpkg's `verrevcmp`: the epoch compares as a
 * number; upstream version and revision compare as alternating non-digit and digit runs, where in a
 * non-digit run letters sort before non-letters, `~` sorts before everything including the end of the
 * string, and digit runs compare numerically.
 */
export interface DpkgVersion {
  /** The epoch as a digit string (`0` when absent). */
  readonly epoch: string;
  readonly upstream: string;
  /** Empty when the version has no hyphen. */
  readonly revision: string;
}

/** Split a version into epoch, upstream and revision without validating it. */
export function splitDpkgVersion(version: string): DpkgVersion {
  const v = version.trim();
  const colon = v.indexOf(':');
  let epoch = '0';
  let rest = v;
  if (colon >= 0 && /^[0-9]+$/.test(v.slice(0, colon))) {
    epoch = v.slice(0, colon);
    rest = v.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, upstream: rest, revision: '' };
  return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

/**
 * Why `version` is not a valid Debian version, or null when it is.
 *
 * The checks are dpkg's own (`parseversion`): not empty, no blanks, a numeric epoch, an upstream part that
 * starts with a digit and uses only alphanumerics and `.+-~:`, a non-empty revision of alphanumerics and
 * `.+~`.
 */
export function dpkgVersionProblem(version: string): string | null {
  const v = version.trim();
  if (v === '') return 'version string is empty';
  if (/\s/.test(v)) return 'version string has embedded spaces';
  const colon = v.indexOf(':');
  if (colon >= 0) {
    const epoch = v.slice(0, colon);
    if (epoch === '') return 'epoch in version is empty';
    if (!/^[0-9]+$/.test(epoch)) return 'epoch in version is not a number';
    if (compareDigitStrings(epoch, '2147483647') > 0) return 'epoch in version is too big';
  }
  const rest = colon >= 0 ? v.slice(colon + 1) : v;
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  if (upstream === '') return 'nothing after colon in version number';
  if (hyphen >= 0 && hyphen === rest.length - 1) return 'revision number is empty';
  if (!isAsciiDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  if (!/^[A-Za-z0-9.+~:-]+$/.test(upstream)) return 'invalid character in version number';
  if (hyphen >= 0 && !/^[A-Za-z0-9.+~]+$/.test(rest.slice(hyphen + 1))) {
    return 'invalid character in revision number';
  }
  return null;
}

/** Parse a valid Debian version, or null when dpkg would reject it. */
export function parseDpkgVersion(version: string): DpkgVersion | null {
  return dpkgVersionProblem(version) === null ? splitDpkgVersion(version) : null;
}

/**
 * The weight of one character in a non-digit run: `~` lowest, then the end of the run (and digits, which
 * end it), then letters in ASCII order, then everything else in ASCII order.
 */
function weight(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isAsciiDigit(c)) return 0;
  if (isAsciiLetter(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

/** Compare one upstream version or revision the way dpkg's `verrevcmp` does; returns -1, 0 or 1. */
export function compareDpkgFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // The non-digit run, character by character.
    while (
      (i < a.length && !isAsciiDigit(a.charCodeAt(i))) ||
      (j < b.length && !isAsciiDigit(b.charCodeAt(j)))
    ) {
      const wa = weight(a, i);
      const wb = weight(b, j);
      if (wa !== wb) return sign(wa - wb);
      i++;
      j++;
    }
    // The digit run, numerically.
    const si = i;
    while (i < a.length && isAsciiDigit(a.charCodeAt(i))) i++;
    const sj = j;
    while (j < b.length && isAsciiDigit(b.charCodeAt(j))) j++;
    const c = compareDigitStrings(a.slice(si, i), b.slice(sj, j));
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Compare two Debian versions; returns -1, 0 or 1.
 *
 * Total on any strings (invalid versions are split the same way dpkg would split them), so it can sort
 * whatever a status file or an advisory contains.
 */
export function compareDpkgVersions(a: string, b: string): number {
  const x = splitDpkgVersion(a);
  const y = splitDpkgVersion(b);
  return (
    compareDigitStrings(x.epoch, y.epoch) ||
    compareDpkgFragment(x.upstream, y.upstream) ||
    compareDpkgFragment(x.revision, y.revision)
  );
}
