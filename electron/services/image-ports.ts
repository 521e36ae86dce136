import type { AdvisoryDbMeta, AdvisoryFinding } from '../../shared/domain/advisories/store-model.js';
import type { ImageConfigSummary, MergedFiles, SpecialFile } from '../../shared/domain/packages/image.js';
import type { PackageInventory } from '../../shared/domain/packages/inventory.js';
import type { Package } from '../../shared/domain/packages/model.js';

/**
 * Ports of the image service: the image reader (engine export + streaming parse), the advisory store, and
 * other scanners on PATH. Implemented in electron/adapters/images and electron/adapters/advisories.
 */

/** What the engine says about an image before it is read. */
export interface ImageIdentity {
  /** `sha256:…` */
  readonly id: string;
  readonly repoTags: readonly string[];
  /** The image size the engine reports (bytes), used as the expected export size; null when unknown. */
  readonly size: number | null;
}

/** What reading one image gives the service. */
export interface ImageContents {
  readonly imageId: string;
  readonly repoTags: readonly string[];
  readonly config: ImageConfigSummary;
  readonly files: MergedFiles;
  readonly specialFiles: readonly SpecialFile[];
  readonly inventory: PackageInventory;
  /** Non-fatal problems of the read. */
  readonly problems: readonly string[];
}

/** Reads images from the engine. */
export interface ImageReadPort {
  /** Throws BulkheadError `not-found` for an unknown image, `docker-unreachable` … for engine failures. */
  inspect(ref: string): Promise<ImageIdentity>;
  /**
   * Export and read the image with id `id`; `onBytes` is told the running total of archive bytes read.
   * `fresh` bypasses the reader's own caches. Throws `not-found` when the image is removed meanwhile,
   * `bad-request` naming the problem for a corrupt archive.
   */
  read(
    id: string,
    options: { readonly fresh: boolean; readonly onBytes: (total: number) => void },
  ): Promise<ImageContents>;
}

/** The local advisory database, as the service uses it (OsvStore implements it). */
export interface AdvisoryPort {
  /** Null when nothing was imported yet. */
  meta(): Promise<AdvisoryDbMeta | null>;
  findings(packages: readonly Package[]): Promise<{ findings: AdvisoryFinding[]; missing: string[] }>;
}

/** The other scanners Bulkhead can run or import. */
export type ExternalScannerName = 'trivy' | 'grype';

/** Trivy and Grype when installed. */
export interface ExternalScannerPort {
  /** The scanners found on PATH. */
  available(): Promise<readonly ExternalScannerName[]>;
  /** Run one on an image (by reference or id) and return its JSON output. Throws with its stderr on failure. */
  run(name: ExternalScannerName, image: string): Promise<string>;
}
