/**
 * Docker engine version strings: `27.1.1`, `v24.0.7`, `20.10.24+dfsg1` (a distribution build),
 * `26.1.5-ce`, `28.0.0-rc.1`.
 */
export interface EngineVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Whatever follows major.minor.patch: `+dfsg1`, `-rc.1`, `-ce`, or `''`. */
  readonly suffix: string;
  /** A build suffix that marks a distribution package (`+dfsg1`, `~ubuntu`, `-0ubuntu1`), which may carry backported fixes. */
  readonly distributionBuild: boolean;
}

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/;

/** Parse an engine version; null when it does not start with major.minor. */
export function parseEngineVersion(raw: string): EngineVersion | null {
  const m = VERSION.exec(raw.trim());
  if (m === null) return null;
  const suffix = m[4] ?? '';
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    suffix,
    distributionBuild:
      /^(\+|~)/.test(suffix) || /^-\d/.test(suffix) || /ubuntu|debian|deb\d|el\d|fc\d/.test(suffix),
  };
}

/** Compare major.minor.patch (suffixes ignored): negative, zero or positive. */
export function compareVersions(
  a: Pick<EngineVersion, 'major' | 'minor' | 'patch'>,
  b: Pick<EngineVersion, 'major' | 'minor' | 'patch'>,
): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** A half-open version range [from, before). */
export interface VersionRange {
  readonly from: string;
  readonly before: string;
}

/** The range in `ranges` that contains `v`, or null. */
export function rangeContaining(v: EngineVersion, ranges: readonly VersionRange[]): VersionRange | null {
  for (const r of ranges) {
    const from = parseEngineVersion(r.from);
    const before = parseEngineVersion(r.before);
    if (from === null || before === null) continue;
    if (compareVersions(v, from) >= 0 && compareVersions(v, before) < 0) return r;
  }
  return null;
}
