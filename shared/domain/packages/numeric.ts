/**
 * Compare two strings of ASCII digits as non-negative integers of any length.
 *
 * Leading zeros are ignored, so `007` equals `7`. Version numbers can be longer than a double holds exactly
 * (`20230717123456789`), so they are never converted to numbers.
 */
export function compareDigitStrings(a: string, b: string): number {
  const x = stripLeadingZeros(a);
  const y = stripLeadingZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  if (x === y) return 0;
  return x < y ? -1 : 1;
}

function stripLeadingZeros(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 48) i++;
  return s.slice(i);
}

/** Whether `c` (one UTF-16 unit) is an ASCII digit. */
export function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether `c` is an ASCII letter. */
export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The sign of `n` as -1, 0 or 1. */
export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
