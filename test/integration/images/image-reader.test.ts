import { execFile, spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

import Docker from 'dockerode';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ImageReadResult, ImageSource } from '../../../electron/adapters/images/image-reader.js';
import {
  DockerImageSource,
  ImageReader,
  inventoryOf,
  readImageArchive,
} from '../../../electron/adapters/images/image-reader.js';
import type { EndpointDescription } from '../../../shared/domain/engine.js';
import { NO_PACKAGE_DB } from '../../../shared/domain/packages/inventory.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

// Against the real dockerd at /var/run/docker.sock. Images and containers made here carry bulkhead.test=1
// and are removed afterwards; bulkhead-test/debian:bookworm is built once (test/support/build-debian-image.sh)
// and kept, like bulkhead-test/busybox:1.
const run = promisify(execFile);
const LABEL = 'bulkhead.test=1';
const BUSYBOX = 'bulkhead-test/busybox:1';
const DEBIAN = 'bulkhead-test/debian:bookworm';
const LAYERS = 'bulkhead-test/layers:1';
const LAYERS_BASE = 'bulkhead-test/layers-base:1';
const ENDPOINT: EndpointDescription = {
  url: 'unix:///var/run/docker.sock',
  transport: 'unix',
  tls: false,
  source: 'default',
  local: true,
};

const dockerode = new Docker({ socketPath: '/var/run/docker.sock' });
const engineSource = new DockerImageSource(dockerode, ENDPOINT);

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
}

const madeImages: string[] = [];
let work: string;

/** `docker save` of an image into a file, through the engine API like the reader uses. */
async function saveToFile(ref: string, file: string): Promise<void> {
  await pipeline(await engineSource.export(ref), createWriteStream(file));
}

/** What a failing promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<BulkheadError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BulkheadError) return e;
    throw e;
  }
  throw new Error('it did not fail');
}

/** The setuid/setgid regular files a shell in the image sees. */
async function findSpecial(image: string): Promise<string[]> {
  const out = await docker(
    'run',
    '--rm',
    '--label',
    LABEL,
    image,
    'find',
    '/',
    '-xdev',
    '-type',
    'f',
    '(',
    '-perm',
    '-4000',
    '-o',
    '-perm',
    '-2000',
    ')',
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bulkhead-image-reader-'));

  // A base layer made with `docker import`: busybox for a shell, os-release, a distroless-style dpkg
  // status.d, and setuid files that the second layer deletes, demotes or hides behind an opaque directory.
  const root = join(work, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'usr/bin', 'opt/tools', 'var/lib/dpkg/status.d'])
    mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  for (const applet of ['sh', 'rm', 'mkdir', 'chmod', 'cp', 'printf', 'echo', 'ls', 'find', 'cat'])
    symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(
    join(root, 'etc/os-release'),
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  );
  writeFileSync(
    join(root, 'var/lib/dpkg/status.d/alpha'),
    'Package: alpha\nVersion: 1.0-1\nArchitecture: amd64\n',
  );
  writeFileSync(
    join(root, 'var/lib/dpkg/status.d/alpha.md5sums'),
    'd41d8cd98f00b204e9800998ecf8427e  usr/bin/alpha\n',
  );
  writeFileSync(
    join(root, 'var/lib/dpkg/status.d/beta'),
    'Package: beta\nVersion: 2.0-1\nSource: beta-src (2.0-0.1)\n',
  );
  for (const f of ['usr/bin/suid-keep', 'usr/bin/suid-gone', 'usr/bin/suid-demoted', 'opt/tools/suid-old']) {
    writeFileSync(join(root, f), '#!/bin/sh\n');
    chmodSync(join(root, f), 0o4755);
  }
  const tar = spawnSync('tar', ['-C', root, '-cf', join(work, 'base.tar'), '.']);
  expect(tar.status).toBe(0);
  await docker(
    'import',
    '--change',
    `LABEL ${LABEL}`,
    '--change',
    'ENV PATH=/bin:/usr/bin',
    join(work, 'base.tar'),
    LAYERS_BASE,
  );
  madeImages.push(LAYERS_BASE);

  // The second layer, from a container's changes: a deleted file (whiteout), an added one, a demoted
  // setuid file, a directory removed and recreated (opaque on overlay2), a new setgid file.
  const name = `bulkhead-layers-${process.pid}`;
  await docker(
    'run',
    '--name',
    name,
    '--label',
    LABEL,
    LAYERS_BASE,
    'sh',
    '-c',
    [
      'rm /usr/bin/suid-gone /var/lib/dpkg/status.d/alpha /var/lib/dpkg/status.d/alpha.md5sums',
      'chmod 0755 /usr/bin/suid-demoted',
      'rm -rf /opt/tools && mkdir /opt/tools',
      'cp /bin/busybox /opt/tools/sgid-new && chmod 2755 /opt/tools/sgid-new',
      'printf "Package: gamma\\nVersion: 3.0-1\\n" > /var/lib/dpkg/status.d/gamma',
      'echo added > /etc/added',
    ].join(' && '),
  );
  try {
    await docker('commit', name, LAYERS);
    madeImages.push(LAYERS);
  } finally {
    await docker('rm', '-f', name);
  }

  // The real Debian image (mmdebstrap + docker import); built once, kept.
  const build = spawnSync('bash', ['test/support/build-debian-image.sh'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building ${DEBIAN} failed: ${build.stderr}`);
}, 600_000);

afterAll(async () => {
  for (const image of madeImages.reverse()) await docker('rmi', '-f', image).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('reading images from the real engine', () => {
  it('busybox: no package database is not an error', async () => {
    const reader = new ImageReader(engineSource);
    const result = await reader.read(BUSYBOX);
    const inv = inventoryOf(result);
    expect(inv.status).toBe('no-package-db');
    expect(inv.summary).toBe(`${NO_PACKAGE_DB} (unknown OS)`);
    expect(inv.packages).toEqual([]);
    expect(result.imageId).toBe(await docker('image', 'inspect', '-f', '{{.Id}}', BUSYBOX));
    expect(result.repoTags).toEqual([BUSYBOX]);
    expect(result.layout).toBe('docker-save');
    expect(result.config.cmd).toEqual(['/bin/sleep', 'infinity']);
    expect(result.config.env).toEqual(['PATH=/bin']);
    expect(result.specialFiles).toEqual([]);
    expect(await findSpecial(BUSYBOX)).toEqual([]);
  });

  it('a two-layer image: whiteouts, opaque directories and setuid changes give the merged view a shell sees', async () => {
    const reader = new ImageReader(engineSource);
    const result = await reader.read(LAYERS);
    expect(result.layers).toHaveLength(2);

    // The dpkg view is what `ls` in the image shows (alpha was deleted in layer 2, gamma added).
    const listed = (
      await docker('run', '--rm', '--label', LABEL, LAYERS, 'ls', '/var/lib/dpkg/status.d')
    ).split('\n');
    expect(listed).toEqual(['beta', 'gamma']);
    const inv = inventoryOf(result);
    expect(inv.ecosystem).toEqual({ ok: true, ecosystem: 'Debian:12' });
    expect(inv.packages.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion])).toEqual([
      ['beta', '2.0-1', 'beta-src', '2.0-0.1'],
      ['gamma', '3.0-1', 'gamma', '3.0-1'],
    ]);

    // setuid/setgid files: exactly what find in the image reports, with the layer each comes from.
    const found = await findSpecial(LAYERS);
    expect(found).toEqual(['/opt/tools/sgid-new', '/usr/bin/suid-keep']);
    expect(result.specialFiles.map((f) => f.path)).toEqual(found);
    expect(result.specialFiles).toEqual([
      { path: '/opt/tools/sgid-new', mode: 0o2755, setuid: false, setgid: true, uid: 0, gid: 0, layer: 1 },
      { path: '/usr/bin/suid-keep', mode: 0o4755, setuid: true, setgid: false, uid: 0, gid: 0, layer: 0 },
    ]);

    // The upper layer really carries whiteout markers (so the test exercises them).
    const saved = join(work, 'layers.tar');
    await saveToFile(LAYERS, saved);
    const upper = (
      JSON.parse(spawnSync('tar', ['-xOf', saved, 'manifest.json'], { encoding: 'utf8' }).stdout) as {
        Layers: string[];
      }[]
    )[0]!.Layers[1]!;
    const names = spawnSync('sh', ['-c', `tar -xOf "${saved}" "${upper}" | tar -t`], {
      encoding: 'utf8',
    }).stdout.split('\n');
    expect(names).toEqual(
      expect.arrayContaining(['usr/bin/.wh.suid-gone', 'var/lib/dpkg/status.d/.wh.alpha']),
    );
    expect(names.some((n) => n === 'opt/tools/.wh..wh..opq' || n === 'opt/tools/.wh.suid-old')).toBe(true);
  });

  it('the Debian image: the same packages as dpkg-query -W in the image, the same setuid files as find', async () => {
    const reader = new ImageReader(engineSource);
    const started = Date.now();
    const result = await reader.read(DEBIAN);
    const elapsed = Date.now() - started;
    console.log(`read ${DEBIAN}: ${(result.stats.bytesRead / 1e6).toFixed(0)} MB in ${elapsed} ms`);

    const inv = inventoryOf(result);
    expect(inv.status).toBe('packages');
    expect(inv.ecosystem).toEqual({ ok: true, ecosystem: 'Debian:12' });
    expect(inv.skipped).toBe(0);
    const queried = (
      await docker(
        'run',
        '--rm',
        '--label',
        LABEL,
        DEBIAN,
        'dpkg-query',
        '-W',
        '-f',
        '${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${Architecture}\\n',
      )
    )
      .split('\n')
      .map((l) => l.split('\t'))
      .filter((f) => f[0] === 'installed')
      .map((f) => f.slice(1).join(' '))
      .sort();
    expect(queried.length).toBeGreaterThan(100);
    expect(
      inv.packages.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion, p.arch].join(' ')).sort(),
    ).toEqual(queried);
    expect(inv.packages.find((p) => p.name === 'libssl3')).toMatchObject({
      sourceName: 'openssl',
      ecosystem: 'Debian:12',
    });

    expect(result.specialFiles.map((f) => f.path)).toEqual(await findSpecial(DEBIAN));
    expect(result.config.cmd).toEqual(['/bin/bash']);

    // Cached by image id: in memory (same result, no second export) and on disk across readers.
    expect(await reader.read(DEBIAN)).toBe(result);
  });

  it('caches results on disk by image id', async () => {
    let exports = 0;
    const counting: ImageSource = {
      inspect: (ref) => engineSource.inspect(ref),
      export: (id) => {
        exports++;
        return engineSource.export(id);
      },
    };
    const cacheDir = join(work, 'cache');
    const first = await new ImageReader(counting, { cacheDir }).read(LAYERS);
    const second = await new ImageReader(counting, { cacheDir }).read(LAYERS);
    expect(exports).toBe(1);
    expect(second).toEqual(first);
    expect(inventoryOf(second).packages.map((p) => p.name)).toEqual(['beta', 'gamma']);
  });
});

describe('images that vanish', () => {
  /** A fresh image of its own (so removing it really removes it). */
  async function disposableImage(tag: string): Promise<string> {
    const name = `bulkhead-vanish-${process.pid}-${tag.replace(/\W/g, '')}`;
    await docker('run', '--name', name, '--label', LABEL, BUSYBOX, 'sh', '-c', `echo ${tag} > /marker`);
    try {
      await docker('commit', name, tag);
    } finally {
      await docker('rm', '-f', name);
    }
    madeImages.push(tag);
    return tag;
  }

  it('an image that does not exist is not-found', async () => {
    const e = await rejection(new ImageReader(engineSource).read('bulkhead-test/no-such-image:1'));
    expect(e.code).toBe('not-found');
    expect(e.message).toMatch(/no such image/i);
  });

  it('an image removed after it was found and before the export', async () => {
    const tag = await disposableImage('bulkhead-test/vanish-before:1');
    const source: ImageSource = {
      inspect: (ref) => engineSource.inspect(ref),
      export: async (id) => {
        await docker('rmi', '-f', tag);
        return engineSource.export(id);
      },
    };
    const e = await rejection(new ImageReader(source).read(tag));
    expect(e.code).toBe('not-found');
    expect(e.message).toMatch(
      /^image bulkhead-test\/vanish-before:1 \(sha256:[0-9a-f]{12}\) was removed before it could be read$/,
    );
  });

  it('an image removed while its export streams, the connection dropping mid-way', async () => {
    const tag = await disposableImage('bulkhead-test/vanish-during:1');
    // The real export; after 100 kB the image is removed and the stream fails as a dropped connection would.
    const source: ImageSource = {
      inspect: (ref) => engineSource.inspect(ref),
      export: async (id) => {
        const real = await engineSource.export(id);
        let seen = 0;
        const cut = new Transform({
          transform(chunk: Buffer, _enc, done) {
            seen += chunk.length;
            if (seen < 100_000) return done(null, chunk);
            real.destroy();
            docker('rmi', '-f', tag).then(
              () => done(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
              (err: unknown) => done(err as Error),
            );
          },
        });
        return real.pipe(cut);
      },
    };
    const e = await rejection(new ImageReader(source).read(tag));
    expect(e.code).toBe('not-found');
    expect(e.message).toMatch(
      /^image bulkhead-test\/vanish-during:1 \(sha256:[0-9a-f]{12}\) was removed while it was being read$/,
    );
  });
});

describe('archives that are broken', () => {
  let busyboxTar: Buffer;
  beforeAll(async () => {
    const file = join(work, 'busybox.tar');
    await saveToFile(BUSYBOX, file);
    busyboxTar = readFileSync(file);
  });

  const read = (bytes: Buffer): Promise<ImageReadResult> =>
    readImageArchive(Readable.from([bytes]), { name: 'test.tar' });

  it('a truncated archive', async () => {
    const e = await rejection(read(busyboxTar.subarray(0, Math.floor(busyboxTar.length * 0.6))));
    expect(e.code).toBe('bad-request');
    expect(e.message).toMatch(
      /^test\.tar: the image archive is truncated \(while reading [0-9a-f]{64}\/layer\.tar\)$/,
    );
  });

  it('an archive cut at an entry boundary misses its manifest', async () => {
    // Keep only the first outer entry, header and padded data: a valid but incomplete tar.
    const size = Number.parseInt(
      busyboxTar.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim(),
      8,
    );
    const e = await rejection(read(busyboxTar.subarray(0, 512 + Math.ceil(size / 512) * 512)));
    expect(e.message).toBe(
      'test.tar: not a docker save or OCI image archive (no manifest.json or index.json)',
    );
  });

  it('a corrupted layer: the bytes no longer match the layer digest', async () => {
    const bad = Buffer.from(busyboxTar);
    // Inside busybox's file data, well past the tar headers at the start of the layer.
    const at = bad.indexOf(Buffer.from('BusyBox is copyrighted'));
    expect(at).toBeGreaterThan(0);
    bad[at] = bad[at]! ^ 0xff;
    const e = await rejection(read(bad));
    expect(e.message).toMatch(
      /^test\.tar: layer 1 of 1 \([0-9a-f]{64}\/layer\.tar\) does not match its digest sha256:[0-9a-f]{64} \(got sha256:[0-9a-f]{64}\): the archive is corrupt$/,
    );
  });

  it('something that is not a tar', async () => {
    const e = await rejection(
      read(Buffer.concat([Buffer.from('PK\u0003\u0004 not a tar'), Buffer.alloc(2000, 7)])),
    );
    expect(e.message).toMatch(
      /^test\.tar: the image archive is corrupt or not a tar file: Invalid tar header/,
    );
  });

  it('an empty stream', async () => {
    const e = await rejection(read(Buffer.alloc(0)));
    expect(e.message).toBe(
      'test.tar: not a docker save or OCI image archive (no manifest.json or index.json)',
    );
  });

  it('an error of the byte source itself is passed through unchanged', async () => {
    const failing = new Readable({
      read() {
        this.destroy(
          Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }),
        );
      },
    });
    await expect(readImageArchive(failing)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('the OCI image layout', () => {
  /**
   * Re-pack a docker-save archive as an OCI image layout (index.json → manifest → config and gzip'd layer
   * blobs), the format `docker save` writes from Docker 25 on and other tools write today.
   */
  async function toOciLayout(dockerSave: string, out: string): Promise<void> {
    const files = new Map<string, Buffer>();
    const ex = tarExtract();
    const done = (async () => {
      for await (const entry of ex) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(chunks));
      }
    })();
    await pipeline(createReadStream(dockerSave), ex as unknown as NodeJS.WritableStream);
    await done;
    const manifest = (
      JSON.parse(files.get('manifest.json')!.toString()) as {
        Config: string;
        Layers: string[];
        RepoTags: string[];
      }[]
    )[0]!;
    const blobs = new Map<string, Buffer>();
    const blob = (data: Buffer): { digest: string; size: number } => {
      const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      blobs.set(`blobs/sha256/${digest.slice(7)}`, data);
      return { digest, size: data.length };
    };
    const config = blob(files.get(manifest.Config)!);
    const layers = manifest.Layers.map((l) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      ...blob(gzipSync(files.get(l)!)),
    }));
    const imageManifest = blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers,
        }),
      ),
    );
    const index = {
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...imageManifest,
          annotations: { 'io.containerd.image.name': manifest.RepoTags[0] },
        },
      ],
    };
    const p = tarPack();
    const writing = pipeline(p as unknown as NodeJS.ReadableStream, createWriteStream(out));
    // Blobs first and index last, in an order unlike the layer order.
    for (const [name, data] of [...blobs].reverse()) p.entry({ name }, data);
    p.entry({ name: 'oci-layout' }, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    p.entry({ name: 'index.json' }, Buffer.from(JSON.stringify(index)));
    p.finalize();
    await writing;
  }

  it('reads gzip-compressed layers through index.json to the same merged view', async () => {
    const saved = join(work, 'layers-save.tar');
    const oci = join(work, 'layers-oci.tar');
    await saveToFile(LAYERS, saved);
    await toOciLayout(saved, oci);
    const fromSave = await readImageArchive(createReadStream(saved), { name: saved });
    const fromOci = await readImageArchive(createReadStream(oci), { name: oci });
    expect(fromOci.layout).toBe('oci');
    expect(fromOci.repoTags).toEqual([LAYERS]);
    expect(fromOci.imageId).toBe(fromSave.imageId);
    expect(fromOci.specialFiles).toEqual(fromSave.specialFiles);
    expect(inventoryOf(fromOci).packages).toEqual(inventoryOf(fromSave).packages);
    expect([...fromOci.files.keys()].sort()).toEqual([...fromSave.files.keys()].sort());
  });
});
