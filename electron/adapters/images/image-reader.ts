import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

import type Docker from 'dockerode';
import { extract as tarExtract, type Extract } from 'tar-stream';

import type { EndpointDescription } from '../../../shared/domain/engine.js';
import type {
  CapturedEntry,
  ImageConfigSummary,
  LayerSummary,
  MergedEntry,
  MergedFiles,
  SpecialFile,
} from '../../../shared/domain/packages/image.js';
import {
  fileView,
  mapImageConfig,
  mergeLayers,
  normaliseEntryPath,
  S_ISGID,
  S_ISUID,
  specialFiles,
  wantedContent,
  wantedSymlink,
} from '../../../shared/domain/packages/image.js';
import type { ImageFileView, PackageInventory } from '../../../shared/domain/packages/inventory.js';
import { buildInventory } from '../../../shared/domain/packages/inventory.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { writeTextAtomic } from '../atomic-write.js';
import { classifyDockerError } from '../docker/errors.js';

/**
 * The image reader: streams an image archive (`docker save` format, legacy or OCI layout) and keeps only
 * what the analysers need — the package databases, os-release, setuid/setgid files, the image config.
 *
 * Memory stays bounded by design: the outer tar is streamed; each layer (a nested tar, possibly gzip'd)
 * is parsed as it passes, keeping per layer only the wanted files' contents, the paths it touches and its
 * whiteouts. Because the outer tar's entry order is not the layer order (docker writes layers before
 * manifest.json), layers are merged at the end, in manifest order, from those summaries. Each layer's
 * uncompressed bytes are hashed on the way and checked against the config's `rootfs.diff_ids`, so a
 * corrupted archive is an error rather than a silently wrong answer.
 */

/** Format tag of a cached read; bump when the result shape or the wanted files change. */
export const IMAGE_READ_FORMAT = 'bulkhead-image-read/2';

/** What reading one image produced. */
export interface ImageReadResult {
  readonly format: typeof IMAGE_READ_FORMAT;
  /** `sha256:` + the hex SHA-256 of the image config (the engine's image id). */
  readonly imageId: string;
  readonly repoTags: readonly string[];
  readonly layout: 'docker-save' | 'oci';
  readonly config: ImageConfigSummary;
  /** Layers bottom first, as the manifest lists them. */
  readonly layers: readonly {
    readonly key: string;
    readonly diffId: string | null;
    readonly entries: number;
  }[];
  /** The captured entries of the merged filesystem (wanted files, the symlinks to them, setuid/setgid files). */
  readonly files: MergedFiles;
  readonly specialFiles: readonly SpecialFile[];
  /** Things worth knowing that did not stop the read (a wanted file too large, an image picked from several). */
  readonly problems: readonly string[];
  readonly stats: { readonly bytesRead: number; readonly durationMs: number };
}

/** Options for {@link readImageArchive}. */
export interface ReadArchiveOptions {
  /** What to call the archive in messages, e.g. `image nginx:1.25` or a file path. */
  readonly name?: string;
  /** Largest wanted file kept in memory (default 64 MiB); larger ones are noted as problems. */
  readonly maxFileBytes?: number;
  /** Largest JSON document (manifest, config) buffered (default 16 MiB). */
  readonly maxJsonBytes?: number;
  /** Check each layer against the config's `rootfs.diff_ids` (default true). */
  readonly verifyDigests?: boolean;
  /** For archives holding several images: the one to read (a repo tag or an image id). */
  readonly select?: string;
  /** For OCI image indexes: the platform to pick (default linux and this machine's architecture). */
  readonly platform?: { readonly os: string; readonly architecture: string };
}

/** The image's inventory from a read result. */
export function inventoryOf(result: Pick<ImageReadResult, 'files'>): PackageInventory {
  return buildInventory(viewOf(result));
}

const utf8 = new TextDecoder('utf-8');

/** Text access to the wanted files of a read result. */
export function viewOf(result: Pick<ImageReadResult, 'files'>): ImageFileView {
  return fileView(result.files, (b) => utf8.decode(b));
}

// ---------------------------------------------------------------------------------------------------------
// Stream plumbing

/** An error of the byte source itself (the engine connection, the file), as opposed to the archive's content. */
class InputError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
  }
}

/** An error while reading the outer tar (truncated, invalid header). */
class OuterError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
  }
}

interface StreamLike {
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(error?: Error): unknown;
  once(event: string, fn: (...args: unknown[]) => void): unknown;
  off(event: string, fn: (...args: unknown[]) => void): unknown;
  readonly destroyed: boolean;
}

/** Wait until `stream` wants more data; false when it closed or failed instead. */
function waitDrain(stream: StreamLike): Promise<boolean> {
  if (stream.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve(value);
    };
    const onDrain = done(true);
    const onClose = done(false);
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}

/** Write with backpressure; false when the stream is gone. */
async function writeTo(stream: StreamLike, chunk: Uint8Array): Promise<boolean> {
  if (stream.destroyed) return false;
  if (stream.write(chunk)) return true;
  return waitDrain(stream);
}

/** One entry of a tar-stream extractor. */
type TarEntry = Extract extends AsyncIterable<infer S> ? S : never;

/**
 * Pull-based access to one tar entry's bytes that never destroys the entry (destroying a tar-stream
 * entry destroys the whole archive stream); errors are tagged as errors of the outer tar.
 */
class EntryReader {
  private readonly it: AsyncIterator<unknown>;
  private finished = false;

  constructor(entry: TarEntry) {
    this.it = entry[Symbol.asyncIterator]();
  }

  async next(): Promise<Buffer | null> {
    if (this.finished) return null;
    let r: IteratorResult<unknown>;
    try {
      r = await this.it.next();
    } catch (e) {
      this.finished = true;
      throw e instanceof InputError ? e : new OuterError(e);
    }
    if (r.done === true) {
      this.finished = true;
      return null;
    }
    return r.value as Buffer;
  }

  /** Read everything; more than `limit` bytes are counted but not kept (`null` result). */
  async readAll(limit: number): Promise<{ data: Buffer | null; size: number }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for (let c = await this.next(); c !== null; c = await this.next()) {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else chunks.length = 0;
    }
    return { data: size <= limit ? Buffer.concat(chunks) : null, size };
  }

  async drain(): Promise<void> {
    while ((await this.next()) !== null) {
      // discard
    }
  }
}

/** Feed a byte source into a tar extractor; source errors destroy the extractor with an InputError. */
async function feedArchive(
  input: AsyncIterable<Uint8Array>,
  sink: Extract,
  onBytes: (n: number) => void,
): Promise<void> {
  try {
    for await (const chunk of input) {
      onBytes(chunk.length);
      if (!(await writeTo(sink as unknown as StreamLike, chunk))) return;
    }
    sink.end(null);
  } catch (e) {
    sink.destroy(new InputError(e));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Layers

interface LayerRead {
  readonly summary: LayerSummary;
  /** `sha256:<hex>` of the uncompressed layer tar. */
  readonly diffId: string;
  readonly problems: readonly string[];
}

interface LayerLimits {
  readonly maxFileBytes: number;
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(buf: Buffer, magic: readonly number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Parse one layer tar (already uncompressed) from `source`, keeping only what the analysers need. */
async function summariseLayer(
  key: string,
  extract: Extract,
  limits: LayerLimits,
): Promise<{ summary: LayerSummary; problems: string[] }> {
  const captured: CapturedEntry[] = [];
  const whiteouts = new Set<string>();
  const opaqueDirs = new Set<string>();
  const paths = new Set<string>();
  const nonDirectories = new Set<string>();
  const problems: string[] = [];
  /** Files of this layer that were captured, for hard links to them later in the same layer. */
  const byPath = new Map<string, CapturedEntry & { kind: 'file' }>();
  let entries = 0;
  for await (const entry of extract) {
    const h = entry.header;
    const path = normaliseEntryPath(h.name);
    entries++;
    if (path === null) {
      entry.resume();
      continue;
    }
    const base = baseOf(path);
    if (base.startsWith('.wh.')) {
      const dir = parentOf(path);
      if (base === '.wh..wh..opq') opaqueDirs.add(dir);
      else if (!base.startsWith('.wh..wh.')) whiteouts.add(`${dir === '/' ? '' : dir}/${base.slice(4)}`);
      entry.resume();
      continue;
    }
    paths.add(path);
    if (h.type !== 'directory') nonDirectories.add(path);
    const mode = h.mode ?? 0;
    const uid = h.uid ?? 0;
    const gid = h.gid ?? 0;
    if (h.type === 'symlink') {
      if (wantedSymlink(path)) captured.push({ kind: 'symlink', path, target: h.linkname ?? '' });
      entry.resume();
    } else if (h.type === 'file' || h.type === 'contiguous-file') {
      const want = wantedContent(path);
      const size = h.size ?? 0;
      if (want === 'content') {
        const { data } = await new EntryReader(entry).readAll(limits.maxFileBytes);
        if (data === null)
          problems.push(
            `${path} (${size} bytes) is larger than ${limits.maxFileBytes} bytes and was not read`,
          );
        const e = {
          kind: 'file' as const,
          path,
          mode,
          uid,
          gid,
          size,
          content: data === null ? null : new Uint8Array(data),
        };
        captured.push(e);
        byPath.set(path, e);
      } else {
        if (want === 'presence' || (mode & (S_ISUID | S_ISGID)) !== 0) {
          const e = { kind: 'file' as const, path, mode, uid, gid, size, content: null };
          captured.push(e);
          byPath.set(path, e);
        }
        entry.resume();
      }
    } else if (h.type === 'link') {
      // A hard link: same inode as an earlier entry of this layer.
      const target = normaliseEntryPath(h.linkname ?? '');
      const original = target === null ? undefined : byPath.get(target);
      const linkMode = mode !== 0 ? mode : (original?.mode ?? 0);
      const want = wantedContent(path);
      if (want !== null || (linkMode & (S_ISUID | S_ISGID)) !== 0) {
        if (want === 'content' && original?.content == null) {
          problems.push(`${path} is a hard link to ${h.linkname ?? '?'}, whose content was not kept`);
        }
        captured.push({
          kind: 'file',
          path,
          mode: linkMode,
          uid,
          gid,
          size: original?.size ?? 0,
          content: original?.content ?? null,
        });
      }
      entry.resume();
    } else {
      entry.resume();
    }
  }
  return { summary: { key, captured, whiteouts, opaqueDirs, paths, nonDirectories, entries }, problems };
}

/**
 * Read one layer blob from the outer tar: gunzip if needed, hash the uncompressed tar, summarise it. The
 * outer entry is always consumed to its end, even when the layer itself is corrupt (then this throws a
 * plain Error after draining; outer-tar errors are thrown as OuterError/InputError).
 */
async function readLayer(
  key: string,
  head: Buffer[],
  reader: EntryReader,
  gzip: boolean,
  limits: LayerLimits,
): Promise<LayerRead> {
  const hash = createHash('sha256');
  const extract = tarExtract();
  const inner = extract as unknown as StreamLike;
  const gunzip: Gunzip | null = gzip ? createGunzip() : null;
  let innerError: unknown = null;
  const failInner = (e: unknown): void => {
    innerError ??= e;
    gunzip?.destroy();
    extract.destroy(e instanceof Error ? e : new Error(String(e)));
  };

  // Uncompressed bytes → hash → inner extract.
  const toInner = async (chunk: Uint8Array): Promise<boolean> => {
    hash.update(chunk);
    return writeTo(inner, chunk);
  };
  // gunzip output → inner extract.
  const gunzipPump =
    gunzip === null
      ? Promise.resolve()
      : (async () => {
          try {
            for await (const chunk of gunzip as AsyncIterable<Buffer>) {
              if (!(await toInner(chunk))) break;
            }
            if (innerError === null) extract.end(null);
          } catch (e) {
            failInner(new Error(`gzip: ${e instanceof Error ? e.message : String(e)}`));
          }
        })();
  gunzip?.on('error', () => undefined);

  // Outer entry bytes → gunzip or inner extract. Keeps pulling (and discarding) after an inner failure so
  // that the outer tar can move on to its next entry.
  const pump = (async () => {
    let accepting = true;
    const push = async (chunk: Buffer): Promise<void> => {
      if (!accepting) return;
      try {
        accepting = gunzip !== null ? await writeTo(gunzip, chunk) : await toInner(chunk);
      } catch (e) {
        accepting = false;
        failInner(e);
      }
    };
    try {
      for (const chunk of head) await push(chunk);
      for (let c = await reader.next(); c !== null; c = await reader.next()) await push(c);
    } catch (e) {
      // The outer tar failed: stop the inner side with the same error.
      failInner(e);
      throw e;
    }
    if (accepting && innerError === null) {
      if (gunzip !== null) gunzip.end();
      else extract.end(null);
    }
  })();

  let result: { summary: LayerSummary; problems: string[] } | null = null;
  try {
    result = await summariseLayer(key, extract, limits);
  } catch (e) {
    failInner(e);
  }
  // The pump finishes once the outer entry is consumed; an outer error takes precedence.
  await pump;
  await gunzipPump;
  if (innerError !== null || result === null) {
    const e = innerError;
    if (e instanceof OuterError || e instanceof InputError) throw e;
    throw new Error(e instanceof Error ? e.message : String(e));
  }
  return { summary: result.summary, diffId: `sha256:${hash.digest('hex')}`, problems: result.problems };
}

// ---------------------------------------------------------------------------------------------------------
// The archive

type Json = Record<string, unknown>;

function rec(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, {
      cause: e,
    });
  }
}

function blobKey(digest: unknown): string | null {
  if (typeof digest !== 'string') return null;
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  return m ? `blobs/${m[1]}/${m[2]}` : null;
}

/** Strip `./` and leading slashes from an outer-archive name. */
function archiveName(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '');
}

/** Join a relative symlink target to the directory of the link, within the archive. */
function joinArchivePath(from: string, target: string): string {
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const parts: string[] = [];
  for (const seg of `${target.startsWith('/') ? '' : dir}/${target}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

const ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  ia32: '386',
};

/** What the archive's index says to read: config and layer names, tags. */
interface ImagePlan {
  readonly layout: 'docker-save' | 'oci';
  readonly configKey: string;
  readonly layerKeys: readonly string[];
  readonly repoTags: readonly string[];
  readonly note: string | null;
}

function planFromManifestJson(manifest: unknown, select: string | undefined, name: string): ImagePlan {
  if (!Array.isArray(manifest) || manifest.length === 0) throw new Error('manifest.json lists no images');
  const items = manifest.map((m, i) => {
    const o = rec(m);
    if (o === null || typeof o.Config !== 'string' || !Array.isArray(o.Layers))
      throw new Error(`manifest.json entry ${i} is malformed`);
    return {
      configKey: archiveName(o.Config),
      layerKeys: o.Layers.map((l, j) => {
        if (typeof l !== 'string') throw new Error(`manifest.json entry ${i} layer ${j} is not a path`);
        return archiveName(l);
      }),
      repoTags: Array.isArray(o.RepoTags) ? o.RepoTags.filter((t): t is string => typeof t === 'string') : [],
    };
  });
  let chosen = items[0];
  if (select !== undefined) {
    const hex = select.replace(/^sha256:/, '');
    chosen =
      items.find((it) => it.repoTags.includes(select) || (hex.length >= 12 && it.configKey.includes(hex))) ??
      chosen;
  }
  if (chosen === undefined) throw new Error('manifest.json lists no images');
  const note =
    items.length > 1
      ? `${name} holds ${items.length} images; read ${chosen.repoTags[0] ?? chosen.configKey}`
      : null;
  return { layout: chosen.configKey.startsWith('blobs/') ? 'oci' : 'docker-save', ...chosen, note };
}

/** Follow an OCI index to one image manifest; JSON blobs come from `jsons`. */
function planFromOciIndex(
  index: unknown,
  jsons: ReadonlyMap<string, Buffer>,
  platform: { os: string; architecture: string },
): ImagePlan {
  let current = rec(index);
  let repoTags: string[] = [];
  for (let depth = 0; depth < 8 && current !== null; depth++) {
    if (Array.isArray(current.layers) && rec(current.config) !== null) {
      const configKey = blobKey(rec(current.config)?.digest);
      if (configKey === null) throw new Error('OCI manifest has no config digest');
      const layerKeys = current.layers.map((l, i) => {
        const k = blobKey(rec(l)?.digest);
        if (k === null) throw new Error(`OCI manifest layer ${i} has no digest`);
        return k;
      });
      return { layout: 'oci', configKey, layerKeys, repoTags, note: null };
    }
    const manifests = Array.isArray(current.manifests)
      ? current.manifests.map(rec).filter((m): m is Json => m !== null)
      : [];
    if (manifests.length === 0) throw new Error('OCI index lists no manifests');
    const isAttestation = (m: Json): boolean =>
      rec(m.annotations)?.['vnd.docker.reference.type'] === 'attestation-manifest';
    const candidates = manifests.filter((m) => !isAttestation(m));
    const matching = candidates.find((m) => {
      const p = rec(m.platform);
      return p !== null && p.os === platform.os && p.architecture === platform.architecture;
    });
    const chosen = matching ?? candidates.find((m) => rec(m.platform) === null) ?? candidates[0];
    if (chosen === undefined) throw new Error('OCI index lists only attestations');
    const ann = rec(chosen.annotations);
    const tag = ann?.['io.containerd.image.name'];
    if (typeof tag === 'string' && repoTags.length === 0) repoTags = [tag];
    const key = blobKey(chosen.digest);
    const blob = key === null ? undefined : jsons.get(key);
    if (blob === undefined)
      throw new Error(`the archive is incomplete: manifest ${String(chosen.digest)} is missing`);
    current = rec(parseJson(blob, `manifest ${String(chosen.digest)}`));
  }
  throw new Error('OCI index nesting is too deep or malformed');
}

/** A BulkheadError for a bad archive. */
function archiveError(name: string, message: string, cause?: unknown): BulkheadError {
  return new BulkheadError('bad-request', `${name}: ${message}`, { cause });
}

/** Explain an outer-tar failure. */
function describeOuter(e: unknown, current: string | null): string {
  const message = e instanceof Error ? e.message : String(e);
  const where = current !== null ? ` (while reading ${current})` : '';
  if (/unexpected end of data/i.test(message)) return `the image archive is truncated${where}`;
  if (/invalid tar header/i.test(message))
    return `the image archive is corrupt or not a tar file: ${message}${where}`;
  return `the image archive could not be read: ${message}${where}`;
}

/**
 * Read an image archive (the byte stream of `docker save`, or of `GET /images/{id}/get`).
 *
 * Throws BulkheadError `bad-request` naming the problem for a truncated or corrupt archive, an archive that
 * is not an image, a missing or corrupt layer; an error of `input` itself is rethrown as is.
 */
export async function readImageArchive(
  input: AsyncIterable<Uint8Array>,
  options: ReadArchiveOptions = {},
): Promise<ImageReadResult> {
  const started = Date.now();
  const name = options.name ?? 'image archive';
  const limits: LayerLimits = { maxFileBytes: options.maxFileBytes ?? 64 * 1024 * 1024 };
  const maxJson = options.maxJsonBytes ?? 16 * 1024 * 1024;
  const platform = options.platform ?? { os: 'linux', architecture: ARCH[process.arch] ?? process.arch };

  const jsons = new Map<string, Buffer>();
  const layers = new Map<string, LayerRead>();
  const layerErrors = new Map<string, string>();
  const links = new Map<string, string>();
  const problems: string[] = [];
  let bytesRead = 0;
  let current: string | null = null;

  const extract = tarExtract();
  const feeding = feedArchive(input, extract, (n) => (bytesRead += n));
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const key = archiveName(h.name);
      current = key;
      if (h.type === 'symlink' && h.linkname != null) {
        links.set(key, joinArchivePath(key, h.linkname));
        entry.resume();
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      const reader = new EntryReader(entry);
      const size = h.size ?? 0;
      const blobLike = key.startsWith('blobs/') || key.endsWith('/layer.tar') || key.endsWith('.tar');
      if (!blobLike) {
        const { data } = await reader.readAll(maxJson);
        if (data !== null) jsons.set(key, data);
        continue;
      }
      // Sniff the first bytes: gzip, zstd, a JSON document, or a tar.
      const head: Buffer[] = [];
      let headSize = 0;
      while (headSize < 512) {
        const c = await reader.next();
        if (c === null) break;
        head.push(c);
        headSize += c.length;
      }
      const first = Buffer.concat(head);
      const firstChar = first.toString('latin1').trimStart()[0];
      if (startsWith(first, ZSTD)) {
        layerErrors.set(key, 'it is zstd-compressed, which Bulkhead cannot decompress yet');
        await reader.drain();
      } else if (!startsWith(first, GZIP) && (firstChar === '{' || firstChar === '[') && size <= maxJson) {
        const rest = await reader.readAll(maxJson);
        if (rest.data !== null) jsons.set(key, Buffer.concat([first, rest.data]));
      } else {
        try {
          layers.set(key, await readLayer(key, head, reader, startsWith(first, GZIP), limits));
        } catch (e) {
          if (e instanceof OuterError || e instanceof InputError) throw e;
          layerErrors.set(key, e instanceof Error ? e.message : String(e));
        }
      }
    }
    current = null;
  } catch (e) {
    // Stop the source (a Node stream breaks out of its iteration when the extractor is gone).
    extract.destroy(null);
    await feeding;
    const inputError =
      e instanceof InputError
        ? e
        : e instanceof OuterError && e.original instanceof InputError
          ? e.original
          : null;
    if (inputError !== null) throw inputError.original;
    throw archiveError(name, describeOuter(e instanceof OuterError ? e.original : e, current), e);
  }
  await feeding;

  // Which image, which layers.
  let plan: ImagePlan;
  try {
    const manifest = jsons.get('manifest.json');
    const index = jsons.get('index.json');
    if (manifest !== undefined)
      plan = planFromManifestJson(parseJson(manifest, 'manifest.json'), options.select, name);
    else if (index !== undefined) plan = planFromOciIndex(parseJson(index, 'index.json'), jsons, platform);
    else throw new Error('not a docker save or OCI image archive (no manifest.json or index.json)');
  } catch (e) {
    throw archiveError(name, e instanceof Error ? e.message : String(e), e);
  }
  if (plan.note !== null) problems.push(plan.note);
  const resolveKey = (k: string): string => {
    let key = k;
    for (let i = 0; i < 8 && links.has(key); i++) key = links.get(key) as string;
    return key;
  };
  const configBytes = jsons.get(resolveKey(plan.configKey));
  if (configBytes === undefined)
    throw archiveError(name, `the archive is incomplete: image config ${plan.configKey} is missing`);
  let config: ImageConfigSummary;
  try {
    config = mapImageConfig(parseJson(configBytes, `image config ${plan.configKey}`));
  } catch (e) {
    throw archiveError(name, e instanceof Error ? e.message : String(e), e);
  }
  const imageId = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;

  const ordered: LayerRead[] = [];
  const layerInfo: { key: string; diffId: string | null; entries: number }[] = [];
  plan.layerKeys.forEach((k, i) => {
    const key = resolveKey(k);
    const failure = layerErrors.get(key);
    if (failure !== undefined)
      throw archiveError(name, `layer ${i + 1} of ${plan.layerKeys.length} (${k}) is corrupt: ${failure}`);
    const layer = layers.get(key);
    if (layer === undefined)
      throw archiveError(
        name,
        `the archive is incomplete: layer ${i + 1} of ${plan.layerKeys.length} (${k}) is missing`,
      );
    const expected = config.diffIds[i];
    if (options.verifyDigests !== false && expected !== undefined && expected !== layer.diffId) {
      throw archiveError(
        name,
        `layer ${i + 1} of ${plan.layerKeys.length} (${k}) does not match its digest ${expected} (got ${layer.diffId}): the archive is corrupt`,
      );
    }
    ordered.push(layer);
    problems.push(...layer.problems);
    layerInfo.push({ key: k, diffId: layer.diffId, entries: layer.summary.entries });
  });
  if (config.diffIds.length !== 0 && config.diffIds.length !== plan.layerKeys.length) {
    problems.push(`the config lists ${config.diffIds.length} layers, the manifest ${plan.layerKeys.length}`);
  }
  const files = mergeLayers(ordered.map((l) => l.summary));
  return {
    format: IMAGE_READ_FORMAT,
    imageId,
    repoTags: plan.repoTags,
    layout: plan.layout,
    config,
    layers: layerInfo,
    files,
    specialFiles: specialFiles(files),
    problems,
    stats: { bytesRead, durationMs: Date.now() - started },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The engine side and the cache

/** Where image archives come from: the engine, in production; a port so tests can substitute a file. */
export interface ImageSource {
  /** The image's full id and tags; throws BulkheadError `not-found` when there is no such image. */
  inspect(ref: string): Promise<{ readonly id: string; readonly repoTags: readonly string[] }>;
  /** The `docker save` stream of one image; throws `not-found` when it is gone. */
  export(id: string): Promise<Readable>;
}

/** {@link ImageSource} over dockerode: `GET /images/{name}/json` and `GET /images/{name}/get`. */
export class DockerImageSource implements ImageSource {
  constructor(
    private readonly docker: Docker,
    private readonly endpoint: EndpointDescription,
  ) {}

  async inspect(ref: string): Promise<{ id: string; repoTags: readonly string[] }> {
    try {
      const info = (await this.docker.getImage(ref).inspect()) as { Id?: unknown; RepoTags?: unknown };
      if (typeof info.Id !== 'string')
        throw new BulkheadError('docker-error', `the engine returned no id for image ${ref}`);
      const tags = Array.isArray(info.RepoTags)
        ? info.RepoTags.filter((t): t is string => typeof t === 'string')
        : [];
      return { id: info.Id, repoTags: tags };
    } catch (e) {
      throw classifyDockerError(e, this.endpoint);
    }
  }

  async export(id: string): Promise<Readable> {
    try {
      return (await this.docker.getImage(id).get()) as unknown as Readable;
    } catch (e) {
      throw classifyDockerError(e, this.endpoint);
    }
  }
}

/** Options for {@link ImageReader}. */
export interface ImageReaderOptions extends Omit<ReadArchiveOptions, 'name' | 'select'> {
  /** A directory for the on-disk cache (e.g. `<data dir>/image-cache`); none when absent. */
  readonly cacheDir?: string;
  /** How many results to keep in memory (default 32). */
  readonly memoryEntries?: number;
}

interface CachedFile {
  readonly path: string;
  readonly layer: number;
  readonly entry:
    | { kind: 'file'; mode: number; uid: number; gid: number; size: number; content: string | null }
    | { kind: 'symlink'; target: string };
}

/** The JSON form of a result for the on-disk cache. */
function toCacheJson(r: ImageReadResult): string {
  const files: CachedFile[] = [...r.files.values()].map((e) => ({
    path: e.path,
    layer: e.layer,
    entry:
      e.kind === 'file'
        ? {
            kind: 'file',
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            content: e.content === null ? null : Buffer.from(e.content).toString('base64'),
          }
        : { kind: 'symlink', target: e.target },
  }));
  return JSON.stringify({ ...r, files });
}

/** Parse a cached result; null when it is not a current-format result for `imageId`. */
function fromCacheJson(text: string, imageId: string): ImageReadResult | null {
  try {
    const v = JSON.parse(text) as Omit<ImageReadResult, 'files'> & { files: CachedFile[] };
    if (v.format !== IMAGE_READ_FORMAT || v.imageId !== imageId || !Array.isArray(v.files)) return null;
    const files = new Map<string, MergedEntry>();
    for (const f of v.files) {
      const e = f.entry;
      files.set(
        f.path,
        e.kind === 'file'
          ? {
              kind: 'file',
              path: f.path,
              layer: f.layer,
              mode: e.mode,
              uid: e.uid,
              gid: e.gid,
              size: e.size,
              content: e.content === null ? null : new Uint8Array(Buffer.from(e.content, 'base64')),
            }
          : { kind: 'symlink', path: f.path, layer: f.layer, target: e.target },
      );
    }
    return { ...v, files };
  } catch {
    return null;
  }
}

/**
 * Reads images from the engine, caching results by image id (in memory, and on disk when a cache
 * directory is given). Concurrent reads of one image share one export.
 */
export class ImageReader {
  private readonly memory = new Map<string, Promise<ImageReadResult>>();
  private readonly memoryEntries: number;

  constructor(
    private readonly source: ImageSource,
    private readonly options: ImageReaderOptions = {},
  ) {
    this.memoryEntries = options.memoryEntries ?? 32;
  }

  /**
   * Read the image `ref` (a name, tag or id). Throws BulkheadError `not-found` when the image does not
   * exist or is removed while it is read, `bad-request` for an archive the engine sent that is corrupt.
   */
  async read(ref: string): Promise<ImageReadResult> {
    const { id, repoTags } = await this.source.inspect(ref);
    const cached = this.memory.get(id);
    if (cached !== undefined) {
      // Refresh its position in the LRU order.
      this.memory.delete(id);
      this.memory.set(id, cached);
      return cached;
    }
    const promise = this.readUncached(ref, id, repoTags);
    this.memory.set(id, promise);
    promise.catch(() => this.memory.delete(id));
    while (this.memory.size > this.memoryEntries) {
      const oldest = this.memory.keys().next().value;
      if (oldest === undefined) break;
      this.memory.delete(oldest);
    }
    return promise;
  }

  /** Forget cached results (all, or one image id). */
  forget(imageId?: string): void {
    if (imageId === undefined) this.memory.clear();
    else this.memory.delete(imageId);
  }

  private cachePath(id: string): string | null {
    const hex = /^sha256:([a-f0-9]{64})$/.exec(id)?.[1];
    return this.options.cacheDir === undefined || hex === undefined
      ? null
      : join(this.options.cacheDir, `${hex}.json`);
  }

  private async readUncached(ref: string, id: string, repoTags: readonly string[]): Promise<ImageReadResult> {
    const path = this.cachePath(id);
    if (path !== null) {
      const text = await readFile(path, 'utf8').catch(() => null);
      const hit = text === null ? null : fromCacheJson(text, id);
      if (hit !== null) return hit;
    }
    const label = `image ${ref}${ref === id ? '' : ` (${id.slice(0, 19)})`}`;
    // A failed export is most often an image removed meanwhile (the engine answers 404 or 500 for an id
    // whose image is gone); say so when that is what happened.
    const goneOr = async (e: unknown, when: string): Promise<never> => {
      const stillThere = await this.source.inspect(id).then(
        () => true,
        (err: unknown) => !(err instanceof BulkheadError && err.code === 'not-found'),
      );
      if (!stillThere) throw new BulkheadError('not-found', `${label} was removed ${when}`, { cause: e });
      throw e;
    };
    let stream: Readable;
    try {
      stream = await this.source.export(id);
    } catch (e) {
      return goneOr(e, 'before it could be read');
    }
    let result: ImageReadResult;
    try {
      result = await readImageArchive(stream, { ...this.options, name: label, select: id });
    } catch (e) {
      return goneOr(e, 'while it was being read');
    }
    if (result.imageId !== id) {
      result = {
        ...result,
        problems: [...result.problems, `the engine's export has config digest ${result.imageId}, not ${id}`],
      };
    }
    if (result.repoTags.length === 0 && repoTags.length > 0) result = { ...result, repoTags };
    if (path !== null) {
      try {
        await mkdir(this.options.cacheDir as string, { recursive: true });
        await writeTextAtomic(path, toCacheJson(result));
      } catch {
        // The cache is an optimisation; a read-only or full disk must not fail the read (the atomic write
        // leaves no partial cache file and no temporary behind).
      }
    }
    return result;
  }
}
