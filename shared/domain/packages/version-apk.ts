import { compareDigitStrings, isAsciiDigit } from './numeric.js';

/**
 * Alpine package versions: `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`.
 *
 * The ordering is the one of current apk-tools (2.14 and 3.x), which fixed the older tokenizer's handling
 * of leading zeros and suffixes:
 * - the first number compares numerically; later dotted numbers too, unless either starts with `0`, in
 *   which case they compare as strings (`1.01 < 1.1`, `1.001 < 1.01`, as in Gentoo);
 * - one lowercase letter may follow the numbers (`1.0a`);
 * - suffixes `_alpha < _beta < _pre < _rc` sort before the release, `_cvs < _svn < _git < _hg < _p` after
 *   it, each with an optional number;
 * - `~<hex>` is a commit hash (compared as a string), `-rN` the package revision;
 * - when one version is a prefix of the other, the longer one is newer unless what follows is a
 *   pre-release suffix; a malformed tail (`1.0bc`) makes a version older than its well-formed prefix.
 */

/** Token kinds in the order apk-tools ranks them when two versions diverge in kind. */
const Tok = {
  InitialDigit: 0,
  Digit: 1,
  Letter: 2,
  Suffix: 3,
  SuffixNo: 4,
  CommitHash: 5,
  RevisionNo: 6,
  End: 7,
  Invalid: 8,
} as const;
type Tok = (typeof Tok)[keyof typeof Tok];

/** Suffix ranks: pre-release ones below NONE (the release itself), post-release ones above. */
const SUFFIX_RANK: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

interface Token {
  kind: Tok;
  /** The token's text: digits, the letter, the suffix name, the hash. */
  text: string;
  /** The suffix rank for suffix tokens. */
  suffix: number;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isHex(c: number): boolean {
  return isAsciiDigit(c) || (c >= 97 && c <= 102);
}

/** A cursor that reads one token at a time, validating the sequence as it goes. */
class Reader {
  private pos = 0;
  readonly token: Token = { kind: Tok.InitialDigit, text: '', suffix: 0 };

  constructor(private readonly s: string) {
    this.digits(Tok.InitialDigit);
  }

  private span(pred: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.s.length && pred(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private digits(kind: Tok): void {
    const text = this.span(isAsciiDigit);
    this.token.kind = text === '' ? Tok.Invalid : kind;
    this.token.text = text;
  }

  private invalid(): void {
    this.token.kind = Tok.Invalid;
  }

  /** Advance to the next token (the current one must be below End). */
  next(): void {
    const t = this.token;
    if (this.pos >= this.s.length) {
      t.kind = Tok.End;
      return;
    }
    const c = this.s.charCodeAt(this.pos);
    const ch = this.s[this.pos];
    if (isLower(c)) {
      if (t.kind > Tok.Digit) return this.invalid();
      t.kind = Tok.Letter;
      t.text = this.s.slice(this.pos, this.pos + 1);
      this.pos++;
      return;
    }
    if (ch === '.' || isAsciiDigit(c)) {
      if (ch === '.') {
        if (t.kind > Tok.Digit) return this.invalid();
        this.pos++;
      }
      if (t.kind === Tok.InitialDigit || t.kind === Tok.Digit) return this.digits(Tok.Digit);
      if (t.kind === Tok.Suffix) return this.digits(Tok.SuffixNo);
      return this.invalid();
    }
    if (ch === '_') {
      if (t.kind > Tok.SuffixNo) return this.invalid();
      this.pos++;
      const name = this.span(isLower);
      const rank = SUFFIX_RANK[name];
      if (rank === undefined) return this.invalid();
      t.kind = Tok.Suffix;
      t.text = name;
      t.suffix = rank;
      return;
    }
    if (ch === '~') {
      if (t.kind >= Tok.CommitHash) return this.invalid();
      this.pos++;
      const hash = this.span(isHex);
      if (hash === '') return this.invalid();
      t.kind = Tok.CommitHash;
      t.text = hash;
      return;
    }
    if (ch === '-') {
      if (t.kind >= Tok.RevisionNo || this.s[this.pos + 1] !== 'r') return this.invalid();
      this.pos += 2;
      return this.digits(Tok.RevisionNo);
    }
    this.invalid();
  }
}

/** Byte-wise string order, shorter first on a common prefix (apk's `apk_blob_sort`). */
function blobSort(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compare two tokens of the same kind. */
function compareTokens(a: Token, b: Token): number {
  switch (a.kind) {
    case Tok.Digit:
      // A dotted number with a leading zero compares as a string, like a decimal fraction.
      if (a.text.startsWith('0') || b.text.startsWith('0')) return blobSort(a.text, b.text);
      return compareDigitStrings(a.text, b.text);
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return compareDigitStrings(a.text, b.text);
    case Tok.Letter:
      return blobSort(a.text, b.text);
    case Tok.Suffix:
      return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
    default:
      return blobSort(a.text, b.text);
  }
}

/** Whether `version` is a well-formed apk version. */
export function isValidApkVersion(version: string): boolean {
  const r = new Reader(version);
  while (r.token.kind < Tok.End) r.next();
  return r.token.kind === Tok.End;
}

/**
 * Compare two apk versions; returns -1, 0 or 1.
 *
 * Total on any strings: a malformed version compares by its well-formed prefix, as apk-tools does.
 */
export function compareApkVersions(a: string, b: string): number {
  const x = new Reader(a);
  const y = new Reader(b);
  while (x.token.kind === y.token.kind && x.token.kind < Tok.End) {
    const c = compareTokens(x.token, y.token);
    if (c !== 0) return c;
    x.next();
    y.next();
  }
  const tx = x.token;
  const ty = y.token;
  if (tx.kind === ty.kind) return 0;
  // Equal so far and one goes on: the longer is newer, unless it goes on with a pre-release suffix.
  if (tx.kind === Tok.Suffix && tx.suffix < SUFFIX_NONE) return -1;
  if (ty.kind === Tok.Suffix && ty.suffix < SUFFIX_NONE) return 1;
  if (tx.kind > ty.kind) return -1;
  if (ty.kind > tx.kind) return 1;
  return 0;
}
