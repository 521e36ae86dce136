import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform, pipeline } from 'node:stream';

import type Docker from 'dockerode';

import type { EndpointDescription } from '../../../shared/domain/engine.js';
import type { ImageContents, ImageIdentity, ImageReadPort } from '../../services/image-ports.js';
import { classifyDockerError } from '../docker/errors.js';
import type { ImageSource } from './image-reader.js';
import { DockerImageSource, ImageReader, inventoryOf } from './image-reader.js';

/**
 * {@link ImageReadPort} over the engine: inspects with `GET /images/{name}/json`, exports with
 * `GET /images/{id}/get` through the streaming {@link ImageReader} (on-disk cache by image id), counting
 * the export's bytes for progress.
 */

/** An ImageSource whose exports report their byte counts to a per-image listener. */
class CountingSource implements ImageSource {
  readonly listeners = new Map<string, (total: number) => void>();

  constructor(private readonly inner: ImageSource) {}

  inspect(ref: string): Promise<{ readonly id: string; readonly repoTags: readonly string[] }> {
    return this.inner.inspect(ref);
  }

  async export(id: string): Promise<Readable> {
    const stream = await this.inner.export(id);
    const listener = this.listeners.get(id);
    if (listener === undefined) return stream;
    let total = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        total += chunk.length;
        listener(total);
        done(null, chunk);
      },
    });
    // pipeline destroys the counter with the source's error (an engine that drops the connection).
    pipeline(stream, counter, () => undefined);
    return counter;
  }
}

/** Options for {@link createEngineImages}. */
export interface EngineImagesOptions {
  /** `<data dir>/image-cache`; none when absent. */
  readonly cacheDir?: string;
}

/** The engine-backed image port. */
export function createEngineImages(
  docker: Docker,
  endpoint: EndpointDescription,
  options: EngineImagesOptions = {},
): ImageReadPort {
  const source = new CountingSource(new DockerImageSource(docker, endpoint));
  const reader = new ImageReader(source, { cacheDir: options.cacheDir });
  return {
    async inspect(ref: string): Promise<ImageIdentity> {
      try {
        const info = (await docker.getImage(ref).inspect()) as {
          Id?: unknown;
          RepoTags?: unknown;
          Size?: unknown;
        };
        if (typeof info.Id !== 'string') return await source.inspect(ref).then((i) => ({ ...i, size: null }));
        const tags = Array.isArray(info.RepoTags)
          ? info.RepoTags.filter((t): t is string => typeof t === 'string')
          : [];
        return { id: info.Id, repoTags: tags, size: typeof info.Size === 'number' ? info.Size : null };
      } catch (e) {
        throw classifyDockerError(e, endpoint);
      }
    },
    async read(id, { fresh, onBytes }): Promise<ImageContents> {
      if (fresh) {
        reader.forget(id);
        const hex = /^sha256:([a-f0-9]{64})$/.exec(id)?.[1];
        if (hex !== undefined && options.cacheDir !== undefined)
          await rm(join(options.cacheDir, `${hex}.json`), { force: true });
      }
      source.listeners.set(id, onBytes);
      try {
        const r = await reader.read(id);
        return {
          imageId: r.imageId,
          repoTags: r.repoTags,
          config: r.config,
          files: r.files,
          specialFiles: r.specialFiles,
          inventory: inventoryOf(r),
          problems: r.problems,
        };
      } finally {
        source.listeners.delete(id);
      }
    },
  };
}
