import type { ImageFileView } from './inventory.js';
import { PACKAGE_DB_PATHS } from './inventory.js';

/**
 * The pure half of reading an image: which files an image reader keeps, the image config summary, and
 * merging layers in order with OCI whiteouts.
 *
 * Layer semantics (OCI image spec, "Representing Changes"): a layer's entry at a path replaces what lower
 * layers had there (a non-directory also hides everything below it); `.wh.<name>` deletes `<name>` from
 * lower layers; `.wh..wh..opq` in a directory hides all of that directory's lower-layer contents. Whiteouts
 * never hide entries of their own layer.
 */

/** Files the analysers read, as absolute paths in the image. */
export const WANTED_FILES: ReadonlySet<string> = new Set([
  ...PACKAGE_DB_PATHS.osRelease,
  PACKAGE_DB_PATHS.dpkgStatus,
  PACKAGE_DB_PATHS.apkInstalled,
  // With a merged /usr (/lib → usr/lib) the apk database is stored under /usr/lib in the layer.
  '/usr/lib/apk/db/installed',
  ...PACKAGE_DB_PATHS.rpmSqlite,
]);

/** Files whose presence matters but whose content is not needed (Berkeley DB rpm databases). */
export const PRESENCE_ONLY_FILES: ReadonlySet<string> = new Set(PACKAGE_DB_PATHS.rpmBdb);

/** Directories whose every regular file is wanted (distroless dpkg: one stanza per file). */
export const WANTED_DIRS: ReadonlySet<string> = new Set([PACKAGE_DB_PATHS.dpkgStatusDir]);

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let p = parentOf(path); p !== '/'; p = parentOf(p)) out.push(p);
  return out;
}

/** Every directory on the way to a wanted file: a symlink at one of them must be followed. */
const WANTED_ANCESTORS: ReadonlySet<string> = new Set(
  [...WANTED_FILES, ...PRESENCE_ONLY_FILES, ...WANTED_DIRS].flatMap((p) => [
    ...ancestorsOf(p),
    ...(WANTED_DIRS.has(p) ? [p] : []),
  ]),
);

/** File names that commonly hold credentials (`.env`, SSH keys, `*.key`/`*.pem`, `.netrc`, …). */
const SECRET_NAMES =
  /^(\.env(\..+)?|id_(rsa|dsa|ecdsa|ed25519)|.+\.(key|pem|p12|pfx)|\.netrc|\.git-credentials|\.pgpass|\.npmrc|\.pypirc)$/;

/**
 * Whether a file may hold a credential, for image lint: its content is kept so that a private-key header
 * can be told from a certificate. `/usr/share` (documentation, test data of packages) is not looked at.
 */
export function secretCandidate(path: string): boolean {
  if (path.startsWith('/usr/share/') || path.startsWith('/proc/') || path.startsWith('/sys/')) return false;
  return SECRET_NAMES.test(path.slice(path.lastIndexOf('/') + 1)) || path.endsWith('/.aws/credentials');
}

/** What a reader should do with a layer entry at `path`: keep its content, note its presence, or neither. */
export function wantedContent(path: string): 'content' | 'presence' | null {
  if (WANTED_FILES.has(path) || WANTED_DIRS.has(parentOf(path)) || secretCandidate(path)) return 'content';
  if (PRESENCE_ONLY_FILES.has(path)) return 'presence';
  return null;
}

/** Whether a symlink at `path` must be kept to resolve wanted files (`/etc/os-release`, `/lib`). */
export function wantedSymlink(path: string): boolean {
  return WANTED_FILES.has(path) || PRESENCE_ONLY_FILES.has(path) || WANTED_ANCESTORS.has(path);
}

/**
 * Normalise a tar entry name to an absolute path: `./etc/` → `/etc`; null for names that escape the root
 * (`..`) or name the root itself.
 */
export function normaliseEntryPath(name: string): string | null {
  const parts: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return null;
    parts.push(seg);
  }
  return parts.length === 0 ? null : `/${parts.join('/')}`;
}

/** setuid and setgid bits of a mode. */
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;

/** One entry a reader kept from a layer. */
export type CapturedEntry =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly size: number;
      /** The content for wanted files; null for files kept only for their mode or presence, or too large. */
      readonly content: Uint8Array | null;
    }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string };

/** What a reader keeps of one layer: its captured entries and what it changes in lower layers. */
export interface LayerSummary {
  /** The layer's name in the archive (`<id>/layer.tar`, `blobs/sha256/<hex>`). */
  readonly key: string;
  readonly captured: readonly CapturedEntry[];
  /** Paths deleted from lower layers by `.wh.<name>` entries. */
  readonly whiteouts: ReadonlySet<string>;
  /** Directories made opaque by `.wh..wh..opq`. */
  readonly opaqueDirs: ReadonlySet<string>;
  /** Every path the layer has an entry for (whiteout markers excluded). */
  readonly paths: ReadonlySet<string>;
  /** The subset of `paths` that are not directories. */
  readonly nonDirectories: ReadonlySet<string>;
  /** Entries in the layer, for statistics. */
  readonly entries: number;
}

/** A captured entry with the index (0 = base) of the layer it comes from. */
export type MergedEntry = CapturedEntry & { readonly layer: number };

/** The merged view of the captured entries, by absolute path. */
export type MergedFiles = ReadonlyMap<string, MergedEntry>;

/** Merge layers bottom to top (index 0 is the base layer). */
export function mergeLayers(layers: readonly LayerSummary[]): MergedFiles {
  const state = new Map<string, MergedEntry>();
  layers.forEach((layer, index) => {
    for (const path of [...state.keys()]) {
      if (hiddenBy(layer, path)) state.delete(path);
    }
    for (const entry of layer.captured) state.set(entry.path, { ...entry, layer: index });
  });
  return state;
}

/** Whether `layer` replaces or deletes the lower-layer entry at `path`. */
function hiddenBy(layer: LayerSummary, path: string): boolean {
  if (layer.paths.has(path) || layer.whiteouts.has(path)) return true;
  for (const dir of ancestorsOf(path)) {
    if (layer.whiteouts.has(dir) || layer.opaqueDirs.has(dir) || layer.nonDirectories.has(dir)) return true;
  }
  return false;
}

/** Follow symlinks in `path` through the merged view; null on a loop or an escape. */
export function resolvePath(files: MergedFiles, path: string, maxHops = 40): string | null {
  let current = normaliseEntryPath(path);
  let hops = 0;
  restart: while (current !== null) {
    const parts = current.split('/').slice(1);
    for (let i = 1; i <= parts.length; i++) {
      const prefix = `/${parts.slice(0, i).join('/')}`;
      const entry = files.get(prefix);
      if (entry?.kind !== 'symlink') continue;
      if (++hops > maxHops) return null;
      const base = entry.target.startsWith('/') ? '' : parentOf(prefix);
      const rest = parts.slice(i).join('/');
      current = normaliseLexically(`${base}/${entry.target}${rest === '' ? '' : `/${rest}`}`);
      continue restart;
    }
    return current;
  }
  return null;
}

/** Normalise a path with `..` resolved lexically, clamped at the root (as the kernel does for `/..`). */
function normaliseLexically(path: string): string | null {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.length === 0 ? null : `/${out.join('/')}`;
}

/** A regular file with the setuid or setgid bit, in the merged image. */
export interface SpecialFile {
  readonly path: string;
  /** Permission bits including the special ones (`0o4755`). */
  readonly mode: number;
  readonly setuid: boolean;
  readonly setgid: boolean;
  readonly uid: number;
  readonly gid: number;
  /** The layer (0 = base) it comes from. */
  readonly layer: number;
}

/** The setuid/setgid regular files of the merged view, by path. */
export function specialFiles(files: MergedFiles): SpecialFile[] {
  const out: SpecialFile[] = [];
  for (const e of files.values()) {
    if (e.kind !== 'file' || (e.mode & (S_ISUID | S_ISGID)) === 0) continue;
    out.push({
      path: e.path,
      mode: e.mode & 0o7777,
      setuid: (e.mode & S_ISUID) !== 0,
      setgid: (e.mode & S_ISGID) !== 0,
      uid: e.uid,
      gid: e.gid,
      layer: e.layer,
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** An {@link ImageFileView} over merged files; `decode` turns bytes into text (UTF-8). */
export function fileView(files: MergedFiles, decode: (bytes: Uint8Array) => string): ImageFileView {
  const fileAt = (path: string): MergedEntry | undefined => {
    const resolved = resolvePath(files, path);
    const e = resolved === null ? undefined : files.get(resolved);
    return e?.kind === 'file' ? e : undefined;
  };
  return {
    readText(path) {
      const e = fileAt(path);
      return e?.kind === 'file' && e.content !== null ? decode(e.content) : null;
    },
    readBytes(path) {
      const e = fileAt(path);
      return e?.kind === 'file' ? e.content : null;
    },
    has(path) {
      return fileAt(path) !== undefined;
    },
    list(dir) {
      const resolved = resolvePath(files, dir);
      if (resolved === null) return [];
      const out: string[] = [];
      for (const e of files.values()) {
        if (e.kind === 'file' && parentOf(e.path) === resolved) out.push(e.path.slice(resolved.length + 1));
      }
      return out.sort();
    },
  };
}

/** The image config fields the analysers use. */
export interface ImageConfigSummary {
  /** `User`; empty means root. */
  readonly user: string;
  readonly env: readonly string[];
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  readonly workingDir: string;
  readonly healthcheck: {
    readonly test: readonly string[];
    readonly intervalNs: number | null;
    readonly timeoutNs: number | null;
    readonly startPeriodNs: number | null;
    readonly retries: number | null;
  } | null;
  readonly labels: Readonly<Record<string, string>>;
  /** `80/tcp`, `53/udp`, sorted. */
  readonly exposedPorts: readonly string[];
  readonly history: readonly {
    readonly created: string | null;
    readonly createdBy: string;
    readonly comment: string;
    readonly emptyLayer: boolean;
  }[];
  readonly created: string | null;
  readonly architecture: string;
  readonly os: string;
  /** `rootfs.diff_ids`: the digest of each uncompressed layer, bottom first. */
  readonly diffIds: readonly string[];
}

type Json = Record<string, unknown>;

function rec(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

function strOr(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

function strList(v: unknown): string[] | null {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Map an image config JSON (OCI image config / Docker image JSON) to the summary; tolerant of missing
 * fields. Throws when the value is not an object with a `rootfs`.
 */
export function mapImageConfig(json: unknown): ImageConfigSummary {
  const root = rec(json);
  if (root === null) throw new Error('image config is not a JSON object');
  const rootfs = rec(root.rootfs);
  if (rootfs === null) throw new Error('image config has no rootfs');
  const c = rec(root.config) ?? {};
  const hc = rec(c.Healthcheck);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(c.Labels) ?? {})) if (typeof v === 'string') labels[k] = v;
  return {
    user: strOr(c.User, ''),
    env: strList(c.Env) ?? [],
    entrypoint: strList(c.Entrypoint),
    cmd: strList(c.Cmd),
    workingDir: strOr(c.WorkingDir, ''),
    healthcheck:
      hc === null
        ? null
        : {
            test: strList(hc.Test) ?? [],
            intervalNs: num(hc.Interval),
            timeoutNs: num(hc.Timeout),
            startPeriodNs: num(hc.StartPeriod),
            retries: num(hc.Retries),
          },
    labels,
    exposedPorts: Object.keys(rec(c.ExposedPorts) ?? {}).sort(),
    history: (Array.isArray(root.history) ? root.history : []).map((h) => {
      const e = rec(h) ?? {};
      return {
        created: typeof e.created === 'string' ? e.created : null,
        createdBy: strOr(e.created_by, ''),
        comment: strOr(e.comment, ''),
        emptyLayer: e.empty_layer === true,
      };
    }),
    created: typeof root.created === 'string' ? root.created : null,
    architecture: strOr(root.architecture, ''),
    os: strOr(root.os, ''),
    diffIds: strList(rootfs.diff_ids) ?? [],
  };
}
