import type { AdvisorySeverity } from '../advisories/severity.js';
import type { AdvisoryFinding, AdvisoryProvenance } from '../advisories/store-model.js';
import type { EpochMillis } from '../ids.js';
import type { Package } from '../packages/model.js';

/**
 * The result of scanning one image: OS packages matched against the offline advisory database, image lint
 * (Dockle / CIS §4 style) and the image's age. One report per image id, shared by every container using it.
 */

/** Image lint verdicts, shown like posture findings (status with icon and text, never colour alone). */
export type ImageLintStatus = 'pass' | 'warn' | 'fail' | 'info';

/** One image-lint check: runs as root, no HEALTHCHECK, ADD in history, secrets, setuid files, `latest` … */
export interface ImageLintFinding {
  /** Stable id, e.g. `image-user-root`, `image-secret-env`. */
  readonly id: string;
  /** CIS Docker Benchmark v1.6 id (e.g. `4.1`) or a Dockle id (e.g. `CIS-DI-0001`, `DKL-DI-0005`) or null. */
  readonly reference: string | null;
  readonly title: string;
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  readonly status: ImageLintStatus;
  readonly message: string;
  /** What was read, as inert text (`Config.User = ""`, `history[3].created_by = ADD file:…`, a path and mode). */
  readonly evidence: readonly string[];
}

/** The package database an image carries, or why none was read. */
export interface PackageDbSummary {
  readonly kind: 'dpkg' | 'apk' | 'rpm' | null;
  readonly packages: number;
  /** Malformed entries skipped while parsing. */
  readonly skipped: number;
  /** E.g. "no package database found", "RPM database present but not read". */
  readonly note: string | null;
}

/** The advisory database as the scan used it. */
export interface AdvisoryDbSummary {
  readonly source: string;
  readonly importedAt: EpochMillis;
  readonly ageMs: number;
  /** Older than 7 days: flagged next to every finding. */
  readonly stale: boolean;
  /** The ecosystems the store covers, e.g. `Debian`, `Alpine`. */
  readonly ecosystems: readonly string[];
}

/** One image's findings. */
export interface ImageScanReport {
  /** `sha256:…` */
  readonly imageId: string;
  /** Repository tags naming it (may be empty for an imported, untagged image). */
  readonly refs: readonly string[];
  readonly createdAt: EpochMillis | null;
  /** Whole days between `Created` and the scan; null when the image has no creation date. */
  readonly ageDays: number | null;
  readonly os: {
    readonly id: string;
    readonly versionId: string | null;
    readonly prettyName: string | null;
  } | null;
  /** The OSV ecosystem the packages were matched in, e.g. `Debian:12`; null when unknown. */
  readonly ecosystem: string | null;
  readonly packageDb: PackageDbSummary;
  /**
   * The installed packages (the SBOM's components). Optional so that a report without them (older cache,
   * a fixture) stays valid; the image service always fills it.
   */
  readonly packages?: readonly Package[];
  /** One entry per (package, advisory); each carries the provenance of the DB it came from. */
  readonly vulnerabilities: readonly AdvisoryFinding[];
  readonly lint: readonly ImageLintFinding[];
  /** Null when no advisory database was imported yet (the UI says how to import one). */
  readonly db: AdvisoryDbSummary | null;
  readonly severityCounts: Readonly<Record<AdvisorySeverity, number>>;
  readonly scannedAt: EpochMillis;
  readonly durationMs: number;
  /** True when the result came from the cache (keyed by image id). */
  readonly cached: boolean;
}

/** Where a scan of one image stands, for progress bars and the card row. */
export type ImageScanState =
  | { readonly phase: 'queued' }
  | {
      readonly phase: 'exporting' | 'reading' | 'matching';
      /** Bytes of the image export read so far, and the expected total when the engine reported a size. */
      readonly bytes: number;
      readonly totalBytes: number | null;
    }
  | { readonly phase: 'done'; readonly report: ImageScanReport }
  | { readonly phase: 'failed'; readonly error: { readonly code: string; readonly message: string } };

/** Re-export for consumers of the report. */
export type { AdvisoryFinding, AdvisoryProvenance, AdvisorySeverity };
