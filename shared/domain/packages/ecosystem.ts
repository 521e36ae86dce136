import type { OsInfo, PackageFormat } from './model.js';
import { compareApkVersions } from './version-apk.js';
import { compareDpkgVersions } from './version-dpkg.js';
import { compareRpmVersions } from './version-rpm.js';

/**
 * OSV ecosystems for OS packages: naming the ecosystem of an image from its os-release, and knowing for a
 * given ecosystem how versions compare and whether advisories name source or binary packages.
 *
 * Ecosystem strings follow the OSV schema's list of defined ecosystems: `Debian:12`, `Alpine:v3.18`,
 * `Ubuntu:22.04:LTS`, `Rocky Linux:9`, `Wolfi`, and Root.io's `Root:Debian:12`.
 */

/** How an image's OS maps to an OSV ecosystem: the ecosystem, or why there is none. */
export type EcosystemResolution =
  { readonly ok: true; readonly ecosystem: string } | { readonly ok: false; readonly reason: string };

/** Debian releases by codename, for os-release files without VERSION_ID (from Debian's distro-info-data). */
const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
};

function majorMinor(versionId: string): string | null {
  const m = /^(\d+)\.(\d+)/.exec(versionId);
  return m ? `${m[1]}.${m[2]}` : null;
}

function major(versionId: string): string | null {
  const m = /^(\d+)/.exec(versionId);
  return m ? (m[1] as string) : null;
}

/** The OSV ecosystem for an OS, e.g. `Debian:12`, `Alpine:v3.18`, `Ubuntu:18.04:LTS`. */
export function ecosystemForOs(os: OsInfo): EcosystemResolution {
  const v = os.versionId;
  switch (os.id) {
    case 'debian': {
      const release = (v !== null ? major(v) : null) ?? DEBIAN_CODENAMES[os.versionCodename ?? ''];
      if (release !== undefined && release !== null) return { ok: true, ecosystem: `Debian:${release}` };
      return { ok: false, reason: `${os.prettyName}: no numeric Debian release in os-release` };
    }
    case 'ubuntu': {
      const release = v !== null ? majorMinor(v) : null;
      if (release === null) return { ok: false, reason: `${os.prettyName}: no Ubuntu release in os-release` };
      // OSV requires the `:LTS` suffix for LTS releases, which os-release states in VERSION.
      const lts = /\bLTS\b/.test(os.version ?? '') || /\bLTS\b/.test(os.prettyName);
      return { ok: true, ecosystem: lts ? `Ubuntu:${release}:LTS` : `Ubuntu:${release}` };
    }
    case 'alpine': {
      const release = v !== null ? majorMinor(v) : null;
      if (release === null) return { ok: false, reason: `${os.prettyName}: no Alpine release in os-release` };
      return { ok: true, ecosystem: `Alpine:v${release}` };
    }
    case 'wolfi':
      return { ok: true, ecosystem: 'Wolfi' };
    case 'chainguard':
      return { ok: true, ecosystem: 'Chainguard' };
    case 'rocky':
    case 'almalinux': {
      const release = v !== null ? major(v) : null;
      const name = os.id === 'rocky' ? 'Rocky Linux' : 'AlmaLinux';
      if (release === null) return { ok: false, reason: `${os.prettyName}: no release in os-release` };
      return { ok: true, ecosystem: `${name}:${release}` };
    }
    case 'mageia': {
      const release = v !== null ? major(v) : null;
      if (release === null) return { ok: false, reason: `${os.prettyName}: no release in os-release` };
      return { ok: true, ecosystem: `Mageia:${release}` };
    }
    case 'opensuse-leap':
    case 'opensuse-tumbleweed':
      // OSV: the release is the os-release PRETTY_NAME, e.g. `openSUSE:Leap 15.5`.
      return { ok: true, ecosystem: `openSUSE:${os.prettyName.replace(/^openSUSE\s+/, '')}` };
    default:
      return {
        ok: false,
        reason: `${os.prettyName} (${os.id}) is not an OS with an OSV ecosystem Bulkhead knows`,
      };
  }
}

/** The version ordering an ecosystem uses. */
export type VersionScheme = PackageFormat;

/** Ecosystem names (the part before the first `:`) and their version ordering. */
const SCHEMES: Readonly<Record<string, VersionScheme>> = {
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  Alpine: 'apk',
  Wolfi: 'apk',
  Chainguard: 'apk',
  MinimOS: 'apk',
  Alpaquita: 'apk',
  'BellSoft Hardened Containers': 'apk',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  'Red Hat': 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  Mageia: 'rpm',
  'Photon OS': 'rpm',
  openEuler: 'rpm',
};

/**
 * Ecosystems whose advisories name the *binary* package; all others in SCHEMES name the source package
 * (Debian, Ubuntu, Alpine, Rocky, Alma, SUSE, Mageia, openEuler per the OSV schema).
 */
const BINARY_KEYED = new Set(['Wolfi', 'Chainguard', 'MinimOS', 'Photon OS', 'Red Hat']);

/**
 * The distribution part of an ecosystem: `Debian` for `Debian:12`, `Debian` for Root.io's `Root:Debian:12`.
 */
export function ecosystemDistro(ecosystem: string): string {
  const parts = ecosystem.split(':');
  if (parts[0] === 'Root' && parts.length >= 2) return parts[1] as string;
  return parts[0] as string;
}

/** The first segment of an ecosystem (`Debian`, `Alpine`, `Root`): what an advisory import is grouped by. */
export function ecosystemBase(ecosystem: string): string {
  return ecosystem.split(':')[0] as string;
}

/** How versions compare in `ecosystem`; null for ecosystems that are not OS package ecosystems. */
export function versionSchemeOf(ecosystem: string): VersionScheme | null {
  return SCHEMES[ecosystemDistro(ecosystem)] ?? null;
}

/** Whether `ecosystem`'s advisories name source packages (true) or binary packages (false). */
export function keyedBySource(ecosystem: string): boolean {
  return !BINARY_KEYED.has(ecosystemDistro(ecosystem));
}

/** Compare two versions with a scheme's ordering; returns -1, 0 or 1. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): number {
  switch (scheme) {
    case 'dpkg':
      return compareDpkgVersions(a, b);
    case 'apk':
      return compareApkVersions(a, b);
    case 'rpm':
      return compareRpmVersions(a, b);
  }
}

/**
 * The advisory ecosystems that apply to a package of `packageEcosystem`, most specific first.
 *
 * The ecosystem itself, and the ecosystem without its release (`Debian` applies to `Debian:12`). An Ubuntu
 * LTS ecosystem `Ubuntu:18.04:LTS` also takes advisories filed as `Ubuntu:18.04` (some feeds drop the
 * suffix). Ubuntu Pro advisories (`Ubuntu:Pro:…`) are not applied: their fixes need a subscription.
 */
export function advisoryEcosystemsFor(packageEcosystem: string): readonly string[] {
  const out = [packageEcosystem];
  if (packageEcosystem.startsWith('Ubuntu:') && packageEcosystem.endsWith(':LTS')) {
    out.push(packageEcosystem.slice(0, -':LTS'.length));
  }
  const base = ecosystemBase(packageEcosystem);
  if (base !== packageEcosystem && base !== 'Root') out.push(base);
  return out;
}

/** Whether an advisory filed under `advisoryEcosystem` applies to a package of `packageEcosystem`. */
export function ecosystemCovers(advisoryEcosystem: string, packageEcosystem: string): boolean {
  return advisoryEcosystemsFor(packageEcosystem).includes(advisoryEcosystem);
}
