import type { AdvisoryDbMeta, EcosystemImport } from '../../shared/domain/advisories/store-model.js';
import { importFor, isStale } from '../../shared/domain/advisories/store-model.js';
import type { AdvisorySeverity } from '../../shared/domain/advisories/severity.js';
import { ADVISORY_SEVERITIES } from '../../shared/domain/advisories/severity.js';
import type { ContainerId, EpochMillis } from '../../shared/domain/ids.js';
import { imageAgeDays, lintImage } from '../../shared/domain/images/lint.js';
import type {
  AdvisoryDbSummary,
  ImageScanReport,
  ImageScanState,
  PackageDbSummary,
} from '../../shared/domain/images/report.js';
import type { PackageInventory } from '../../shared/domain/packages/inventory.js';
import type { ImageStatusEntry, PushMap } from '../../shared/ipc/contract.js';
import { BulkheadError, toErrorData } from '../../shared/ipc/result.js';
import type { AdvisoryPort, ImageContents, ImageReadPort } from './image-ports.js';
import type { Clock, EnginePort } from './ports.js';

/**
 * Image findings: scans images (export, parse, match against the advisory store, lint) one at a time,
 * each image id at most once concurrently, caching reports by image id in memory.
 *
 * Progress is pushed as `images:progress`: every phase change, and byte counts at most every
 * {@link PROGRESS_INTERVAL_MS}.
 */

/** Minimum time between two byte-count progress pushes of one scan (phase changes are always pushed). */
export const PROGRESS_INTERVAL_MS = 250;

/** The image service. */
export interface ImageService {
  /** Scan an image (reference or id); the cached report unless `force`. */
  scan(image: string, force?: boolean): Promise<ImageScanReport>;
  /** Every image used by a container, with its scan state; those never scanned are queued. */
  status(): Promise<readonly ImageStatusEntry[]>;
  /** The advisory database as a whole; null when nothing is imported. */
  dbStatus(): Promise<AdvisoryDbSummary | null>;
  /** Wait until the queue is empty (tests, CLI). */
  idle(): Promise<void>;
}

/** What the image service needs. */
export interface ImageServiceDeps {
  readonly images: ImageReadPort;
  readonly advisories: AdvisoryPort;
  readonly engine: Pick<EnginePort, 'listContainers'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly publish: (payload: PushMap['images:progress']) => void;
  readonly progressIntervalMs?: number;
}

/** The database summary for the whole store, or for the import serving `ecosystem`. */
export function summariseDb(
  meta: AdvisoryDbMeta | null,
  now: number,
  ecosystem: string | null = null,
): AdvisoryDbSummary | null {
  if (meta === null || meta.ecosystems.length === 0) return null;
  const served = ecosystem !== null ? importFor(meta, ecosystem) : undefined;
  const entries: readonly EcosystemImport[] = served !== undefined ? [served] : meta.ecosystems;
  // The oldest import decides the age: staleness is never hidden by a fresher ecosystem.
  const oldest = entries.reduce((a, b) => (b.importedAt < a.importedAt ? b : a));
  const sources = [...new Set(entries.map((e) => e.source))];
  return {
    source: sources.join(', '),
    importedAt: oldest.importedAt,
    ageMs: Math.max(0, now - oldest.importedAt),
    stale: isStale(oldest, now),
    ecosystems: [...new Set(entries.flatMap((e) => Object.keys(e.counts)))].sort(),
  };
}

function packageDbOf(inv: PackageInventory): PackageDbSummary {
  const read = inv.databases.filter((d) => d.read);
  const kind = read[0]?.format ?? inv.databases[0]?.format ?? null;
  const note =
    inv.status === 'packages'
      ? inv.ecosystem !== null && !inv.ecosystem.ok
        ? inv.ecosystem.reason
        : null
      : inv.summary;
  return { kind, packages: inv.packages.length, skipped: inv.skipped, note };
}

function emptyCounts(): Record<AdvisorySeverity, number> {
  const out = {} as Record<AdvisorySeverity, number>;
  for (const s of ADVISORY_SEVERITIES) out[s] = 0;
  return out;
}

/** Create the image service. */
export function createImageService(deps: ImageServiceDeps): ImageService {
  const interval = deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  const reports = new Map<string, ImageScanReport>();
  const states = new Map<string, ImageScanState>();
  const inflight = new Map<string, Promise<ImageScanReport>>();
  /** Scans run one after another: an export is heavy, and the machine may have few cores. */
  let queue: Promise<unknown> = Promise.resolve();

  const setState = (imageId: string, state: ImageScanState): void => {
    states.set(imageId, state);
    deps.publish({ imageId, state });
  };

  const build = async (contents: ImageContents, started: number): Promise<ImageScanReport> => {
    const inv = contents.inventory;
    const matched = await deps.advisories.findings(inv.packages);
    const meta = await deps.advisories.meta();
    const now = deps.clock.now();
    const ecosystem = inv.ecosystem?.ok === true ? inv.ecosystem.ecosystem : null;
    const counts = emptyCounts();
    for (const f of matched.findings) counts[f.severity.level]++;
    const createdMs = contents.config.created !== null ? Date.parse(contents.config.created) : NaN;
    return {
      imageId: contents.imageId,
      refs: [...contents.repoTags].sort(),
      createdAt: Number.isNaN(createdMs) ? null : (createdMs as EpochMillis),
      ageDays: imageAgeDays(contents.config.created, now),
      os:
        inv.os === null
          ? null
          : { id: inv.os.id, versionId: inv.os.versionId, prettyName: inv.os.prettyName },
      ecosystem,
      packageDb: packageDbOf(inv),
      packages: inv.packages,
      vulnerabilities: matched.findings,
      lint: lintImage({
        config: contents.config,
        files: contents.files,
        specialFiles: contents.specialFiles,
        refs: contents.repoTags,
        now,
      }),
      db: summariseDb(meta, now, ecosystem),
      severityCounts: counts,
      scannedAt: now,
      durationMs: Math.max(0, now - started),
      cached: false,
    };
  };

  const run = async (imageId: string, size: number | null, fresh: boolean): Promise<ImageScanReport> => {
    const started = deps.clock.now();
    setState(imageId, { phase: 'exporting', bytes: 0, totalBytes: size });
    let lastPush = -Infinity;
    const contents = await deps.images.read(imageId, {
      fresh,
      onBytes: (total) => {
        const now = deps.clock.now();
        if (now - lastPush < interval) return;
        lastPush = now;
        setState(imageId, { phase: 'reading', bytes: total, totalBytes: size });
      },
    });
    setState(imageId, { phase: 'matching', bytes: size ?? 0, totalBytes: size });
    return build(contents, started);
  };

  /** Start (or join) the scan of a resolved image id. */
  const scanId = (imageId: string, size: number | null, force: boolean): Promise<ImageScanReport> => {
    const running = inflight.get(imageId);
    if (running !== undefined) return running;
    const cached = reports.get(imageId);
    if (cached !== undefined && !force) return Promise.resolve({ ...cached, cached: true });
    if (states.get(imageId)?.phase !== 'queued') setState(imageId, { phase: 'queued' });
    const promise = queue.then(() => run(imageId, size, force));
    queue = promise.catch(() => undefined);
    inflight.set(imageId, promise);
    promise.then(
      (report) => {
        inflight.delete(imageId);
        reports.set(imageId, report);
        setState(imageId, { phase: 'done', report });
      },
      (e: unknown) => {
        inflight.delete(imageId);
        setState(imageId, { phase: 'failed', error: toErrorData(e) });
      },
    );
    return promise;
  };

  return {
    async scan(image, force = false) {
      const identity = await deps.images.inspect(image);
      return scanId(identity.id, identity.size, force);
    },

    async status() {
      const listing = await deps.engine.listContainers();
      const byImage = new Map<string, { refs: Set<string>; containers: ContainerId[] }>();
      for (const c of listing.containers) {
        if (c.imageId === '') continue;
        let entry = byImage.get(c.imageId);
        if (entry === undefined) {
          entry = { refs: new Set(), containers: [] };
          byImage.set(c.imageId, entry);
        }
        if (c.image !== '' && !c.image.startsWith('sha256:')) entry.refs.add(c.image);
        entry.containers.push(c.id);
      }
      const out: ImageStatusEntry[] = [];
      for (const [imageId, entry] of byImage) {
        if (!states.has(imageId)) {
          // Never scanned: queue it; its failure is recorded as its state, not thrown here.
          scanId(imageId, null, false).catch(() => undefined);
        }
        const report = reports.get(imageId);
        const refs = new Set([...entry.refs, ...(report?.refs ?? [])]);
        out.push({
          imageId,
          refs: [...refs].sort(),
          containers: [...entry.containers].sort(),
          state: states.get(imageId) ?? { phase: 'queued' },
        });
      }
      return out.sort((a, b) => {
        const ka = a.refs[0] ?? a.imageId;
        const kb = b.refs[0] ?? b.imageId;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    },

    async dbStatus() {
      return summariseDb(await deps.advisories.meta(), deps.clock.now());
    },

    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight.values()]);
    },
  };
}

/** An image port for a core without image scanning: every call fails with `reason`. */
export function unwiredImages(reason: string): ImageReadPort {
  const fail = (): Promise<never> => Promise.reject(new BulkheadError('internal', reason));
  return { inspect: fail, read: fail };
}
