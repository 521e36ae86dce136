import type { AdvisorySeverity } from '../../../shared/domain/advisories/severity.js';
import { ADVISORY_SEVERITIES } from '../../../shared/domain/advisories/severity.js';
import { STALE_AFTER_MS } from '../../../shared/domain/advisories/store-model.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import type { ContainerId } from '../../../shared/domain/ids.js';
import type {
  AdvisoryDbSummary,
  AdvisoryFinding,
  ImageLintFinding,
  ImageLintStatus,
  ImageScanReport,
  ImageScanState,
} from '../../../shared/domain/images/report.js';
import type { ImageStatusEntry } from '../../../shared/ipc/contract.js';
import type { ErrorData, Result } from '../../../shared/ipc/result.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import type { Tone } from './status.js';

/**
 * Image findings as the renderer knows them, and the pure functions the card row and the findings panel
 * are drawn from.
 *
 * `images:status` lists every image in use with the containers using it (an image shared by several
 * containers is one entry, scanned once); `images:progress` pushes move one entry's scan state;
 * `db:status` says which advisory database is imported. Requests are numbered like `posture:assess`: an
 * answer overtaken by a newer request is ignored.
 */
export interface ImagesState {
  readonly entries: readonly ImageStatusEntry[] | null;
  /** Why the newest answered `images:status` failed; null after a success. */
  readonly error: ErrorData | null;
  readonly requested: number;
  readonly applied: number;
  /** The advisory database; null when none is imported (or not asked yet: see `dbKnown`). */
  readonly db: AdvisoryDbSummary | null;
  /** Whether `db:status` answered at least once. */
  readonly dbKnown: boolean;
  readonly dbError: ErrorData | null;
}

export const initialImagesState: ImagesState = {
  entries: null,
  error: null,
  requested: 0,
  applied: 0,
  db: null,
  dbKnown: false,
  dbError: null,
};

/** Record that an `images:status` went out; returns its number with the new state (entries are kept). */
export function beginImagesRequest(state: ImagesState): {
  readonly state: ImagesState;
  readonly seq: number;
} {
  const seq = state.requested + 1;
  return { state: { ...state, requested: seq }, seq };
}

/** Whether an `images:status` answer is still awaited. */
export function isImagesLoading(state: ImagesState): boolean {
  return state.requested > state.applied;
}

/** Whether a scan state is still moving (queued or in a phase). */
export function isScanActive(scan: ImageScanState): boolean {
  return scan.phase !== 'done' && scan.phase !== 'failed';
}

/**
 * Apply the answer to `images:status` request `seq`.
 *
 * Out-of-date answers are ignored. A lost transport keeps the last entries. A scan that progressed through
 * pushes while the request was in flight is not set back: an answer saying `queued` does not overwrite a
 * newer `matching` or `done` for the same image.
 */
export function applyImagesResult(
  state: ImagesState,
  seq: number,
  result: Result<readonly ImageStatusEntry[]>,
): ImagesState {
  if (seq <= state.applied) return state;
  if (!result.ok) {
    if (result.error.code === 'transport-closed' && state.entries !== null)
      return { ...state, error: result.error, applied: seq };
    return { ...state, entries: null, error: result.error, applied: seq };
  }
  const previous = new Map((state.entries ?? []).map((e) => [e.imageId, e.state]));
  const entries = result.value.map((entry) => {
    const before = previous.get(entry.imageId);
    return before !== undefined && phaseOrder(before) > phaseOrder(entry.state) && isScanActive(entry.state)
      ? { ...entry, state: before }
      : entry;
  });
  return { ...state, entries, error: null, applied: seq };
}

/** queued < exporting < reading < matching < done/failed. */
function phaseOrder(scan: ImageScanState): number {
  switch (scan.phase) {
    case 'queued':
      return 0;
    case 'exporting':
      return 1;
    case 'reading':
      return 2;
    case 'matching':
      return 3;
    case 'done':
    case 'failed':
      return 4;
    default:
      return assertNever(scan, 'scan state');
  }
}

/** Apply an `images:progress` push; an image not listed yet is ignored (the next status lists it). */
export function applyProgress(
  state: ImagesState,
  push: { readonly imageId: string; readonly state: ImageScanState },
): ImagesState {
  if (state.entries === null) return state;
  const index = state.entries.findIndex((e) => e.imageId === push.imageId);
  const entry = state.entries[index];
  if (entry === undefined) return state;
  const entries = [...state.entries];
  entries[index] = { ...entry, state: push.state };
  return { ...state, entries };
}

/** Apply the answer of an `images:scan` (a rescan): the report, or the failure, becomes the entry's state. */
export function applyScanResult(
  state: ImagesState,
  imageId: string,
  result: Result<ImageScanReport>,
): ImagesState {
  if (!result.ok && result.error.code === 'transport-closed') return state;
  return applyProgress(state, {
    imageId,
    state: result.ok ? { phase: 'done', report: result.value } : { phase: 'failed', error: result.error },
  });
}

/** Apply a `db:status` answer. */
export function applyDbResult(state: ImagesState, result: Result<AdvisoryDbSummary | null>): ImagesState {
  if (result.ok) return { ...state, db: result.value, dbKnown: true, dbError: null };
  return { ...state, dbError: result.error };
}

const entryIndex = new WeakMap<readonly ImageStatusEntry[], ReadonlyMap<string, ImageStatusEntry>>();

/**
 * The image entry of a container: by its image id, or (when the list and the status disagree about the
 * id, e.g. a re-tagged image) by the container being listed in an entry. Null when no entry names it.
 */
export function entryForContainer(
  entries: readonly ImageStatusEntry[] | null,
  container: Pick<ContainerSummary, 'id' | 'imageId'>,
): ImageStatusEntry | null {
  if (entries === null) return null;
  let index = entryIndex.get(entries);
  if (index === undefined) {
    const map = new Map<string, ImageStatusEntry>();
    for (const e of entries) {
      map.set(e.imageId, e);
      for (const c of e.containers) map.set(`c:${c}`, e);
    }
    index = map;
    entryIndex.set(entries, index);
  }
  return index.get(container.imageId) ?? index.get(`c:${container.id}`) ?? null;
}

/** One image and the containers of a list that use it, in list order. */
export interface ImageGroup {
  readonly imageId: string;
  readonly containers: readonly ContainerId[];
}

/** Group containers by image id: an image shared by several containers is one group (and one scan). */
export function groupByImage(containers: readonly Pick<ContainerSummary, 'id' | 'imageId'>[]): ImageGroup[] {
  const groups = new Map<string, ContainerId[]>();
  for (const c of containers) {
    const list = groups.get(c.imageId) ?? [];
    list.push(c.id);
    groups.set(c.imageId, list);
  }
  return [...groups].map(([imageId, ids]) => ({ imageId, containers: ids }));
}

/** What decides whether `images:status` must be asked again: the set of (container, image) pairs. */
export function imageSignature(
  containers: readonly Pick<ContainerSummary, 'id' | 'imageId'>[] | null,
): string {
  if (containers === null) return '';
  return containers
    .map((c) => `${c.id}:${c.imageId}`)
    .sort()
    .join(',');
}

// ---------------------------------------------------------------------------------------------------------
// Ages, the database, progress
// ---------------------------------------------------------------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;

/** `just now`, `5 minutes`, `3 hours`, `1 day`, `412 days`: an age in the largest whole unit. */
export function formatAge(ms: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (!Number.isFinite(ms) || ms < 60_000) return 'under a minute';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return plural(hours, 'hour');
  return plural(Math.floor(ms / DAY_MS), 'day');
}

/** How old an image is, and how loudly to say it. */
export interface ImageAge {
  readonly days: number;
  /** `Built 412 days ago`. */
  readonly text: string;
  /** Under 30 days ok, under 180 warn, older bad: an image that old has not been patched since. */
  readonly tone: Tone;
}

/** The image's age at `now` from its `Created` date (falling back to the age the scan computed). */
export function imageAge(
  report: Pick<ImageScanReport, 'createdAt' | 'ageDays'>,
  now: number,
): ImageAge | null {
  const days =
    report.createdAt !== null ? Math.max(0, Math.floor((now - report.createdAt) / DAY_MS)) : report.ageDays;
  if (days === null) return null;
  const text = days === 0 ? 'Built today' : `Built ${days} day${days === 1 ? '' : 's'} ago`;
  return { days, text, tone: days < 30 ? 'ok' : days < 180 ? 'warn' : 'bad' };
}

/** A database's freshness at `now`. */
export interface DbFreshness {
  readonly source: string;
  /** `2 days`. */
  readonly age: string;
  readonly ageMs: number;
  /** Older than seven days. */
  readonly stale: boolean;
}

/** The freshness of an import (a DB summary or a finding's provenance) at `now`. */
export function dbFreshness(
  db: { readonly source: string; readonly importedAt: number },
  now: number,
): DbFreshness {
  const ageMs = Math.max(0, now - db.importedAt);
  return { source: db.source, age: formatAge(ageMs), ageMs, stale: ageMs > STALE_AFTER_MS };
}

/** The last path segment of a DB source (`/data/osv/debian.zip` → `debian.zip`) for tight spaces. */
export function sourceName(source: string): string {
  const trimmed = source.replace(/[\\/]+$/, '');
  const last = trimmed.split(/[\\/]/).at(-1);
  return last === undefined || last === '' ? source : last;
}

/** The command that imports an advisory database, as the "no database" state tells it. */
export const DB_IMPORT_COMMAND = 'bulkhead db import …';

/** A progress bar's words and fill. */
export interface ScanProgress {
  /** `Exporting image… 12.4 MB of 80.0 MB`. */
  readonly text: string;
  /** 0…1, or null when the total is unknown (an indeterminate bar). */
  readonly fraction: number | null;
}

/** `12.4 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

/** The progress of a scan still running; null for a finished one. */
export function scanProgress(scan: ImageScanState): ScanProgress | null {
  switch (scan.phase) {
    case 'queued':
      return { text: 'Queued for scanning…', fraction: null };
    case 'exporting':
    case 'reading':
    case 'matching': {
      const verb =
        scan.phase === 'exporting'
          ? 'Exporting image'
          : scan.phase === 'reading'
            ? 'Reading packages'
            : 'Matching advisories';
      const total = scan.totalBytes;
      const fraction =
        scan.phase === 'matching'
          ? null
          : total !== null && total > 0
            ? Math.min(1, Math.max(0, scan.bytes / total))
            : null;
      const amount =
        scan.phase === 'matching'
          ? ''
          : total !== null && total > 0
            ? ` ${formatBytes(scan.bytes)} of ${formatBytes(total)}`
            : scan.bytes > 0
              ? ` ${formatBytes(scan.bytes)}`
              : '';
      return { text: `${verb}…${amount}`, fraction };
    }
    case 'done':
    case 'failed':
      return null;
    default:
      return assertNever(scan, 'scan state');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Severities, the worst finding, lint
// ---------------------------------------------------------------------------------------------------------

/** 0 for critical … 5 for unknown: lower is worse. */
export function severityRank(severity: AdvisorySeverity): number {
  return ADVISORY_SEVERITIES.indexOf(severity);
}

/** The colour cue of a severity (its word is always shown). */
export function severityTone(severity: AdvisorySeverity): Tone {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'bad';
    case 'medium':
      return 'warn';
    case 'low':
    case 'negligible':
    case 'unknown':
      return 'neutral';
    default:
      return assertNever(severity, 'severity');
  }
}

/** The worst vulnerability: most severe, then one with a fix before one without, then by advisory id. */
export function worstFinding(findings: readonly AdvisoryFinding[]): AdvisoryFinding | null {
  let worst: AdvisoryFinding | null = null;
  for (const f of findings) if (worst === null || compareWorst(f, worst) < 0) worst = f;
  return worst;
}

function compareWorst(a: AdvisoryFinding, b: AdvisoryFinding): number {
  return (
    severityRank(a.severity.level) - severityRank(b.severity.level) ||
    (b.severity.score ?? -1) - (a.severity.score ?? -1) ||
    Number(a.fixedVersion === null) - Number(b.fixedVersion === null) ||
    compareText(a.advisoryId, b.advisoryId) ||
    compareText(a.package.name, b.package.name)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How a lint status is drawn: symbol and word (never colour alone) and the colour cue. */
export function lintMark(status: ImageLintStatus): {
  readonly symbol: string;
  readonly text: string;
  readonly tone: Tone;
} {
  switch (status) {
    case 'pass':
      return { symbol: '✓', text: 'pass', tone: 'ok' };
    case 'warn':
      return { symbol: '!', text: 'warn', tone: 'warn' };
    case 'fail':
      return { symbol: '✕', text: 'fail', tone: 'bad' };
    case 'info':
      return { symbol: 'i', text: 'info', tone: 'pending' };
    default:
      return assertNever(status, 'lint status');
  }
}

const LINT_ORDER: readonly ImageLintStatus[] = ['fail', 'warn', 'info', 'pass'];
const LINT_SEVERITIES: readonly ImageLintFinding['severity'][] = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
];

/** Lint findings for reading: fail, warn, info, pass; then most severe; then the engine's order. */
export function sortLint(lint: readonly ImageLintFinding[]): readonly ImageLintFinding[] {
  return lint
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        LINT_ORDER.indexOf(a.finding.status) - LINT_ORDER.indexOf(b.finding.status) ||
        LINT_SEVERITIES.indexOf(a.finding.severity) - LINT_SEVERITIES.indexOf(b.finding.severity) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

/** Lint counts per status. */
export function lintCounts(lint: readonly ImageLintFinding[]): Readonly<Record<ImageLintStatus, number>> {
  const counts: Record<ImageLintStatus, number> = { fail: 0, warn: 0, info: 0, pass: 0 };
  for (const f of lint) counts[f.status] += 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------------------
// The card row
// ---------------------------------------------------------------------------------------------------------

/** What the vulnerability part of a scanned image says. */
export type VulnerabilityState =
  /** No package database in the image (a static binary, busybox): nothing to match. */
  | { readonly kind: 'no-package-db'; readonly text: string }
  /** Packages read, but no advisory database imported yet. */
  | { readonly kind: 'no-advisory-db'; readonly packages: number }
  | {
      readonly kind: 'matched';
      readonly packages: number;
      readonly total: number;
      /** Non-zero severities, worst first, each with its word. */
      readonly counts: readonly { readonly severity: AdvisorySeverity; readonly count: number }[];
      readonly worst: AdvisoryFinding | null;
      /** Findings whose fixed version is known. */
      readonly fixable: number;
    };

/** What the card row of a container shows. */
export type CardImage =
  | { readonly kind: 'loading' }
  | { readonly kind: 'unavailable'; readonly message: string }
  /** The status list has no entry for this container's image (it appeared after the last fetch). */
  | { readonly kind: 'missing' }
  | { readonly kind: 'scanning'; readonly progress: ScanProgress; readonly shared: number }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string; readonly shared: number }
  | {
      readonly kind: 'scanned';
      readonly report: ImageScanReport;
      readonly age: ImageAge | null;
      readonly vulnerabilities: VulnerabilityState;
      /** The database the scan matched against, as fresh as it is now; null when none was imported. */
      readonly db: DbFreshness | null;
      readonly lint: Readonly<Record<ImageLintStatus, number>>;
      /** How many other containers use the same image (scanned once for all). */
      readonly shared: number;
    };

/** The vulnerability part of a report. */
export function vulnerabilityState(report: ImageScanReport): VulnerabilityState {
  if (report.packageDb.kind === null)
    return { kind: 'no-package-db', text: report.packageDb.note ?? 'no package database found' };
  if (report.db === null) return { kind: 'no-advisory-db', packages: report.packageDb.packages };
  const counts = ADVISORY_SEVERITIES.map((severity) => ({
    severity,
    count: report.vulnerabilities.filter((f) => f.severity.level === severity).length,
  })).filter((c) => c.count > 0);
  return {
    kind: 'matched',
    packages: report.packageDb.packages,
    total: report.vulnerabilities.length,
    counts,
    worst: worstFinding(report.vulnerabilities),
    fixable: report.vulnerabilities.filter((f) => f.fixedVersion !== null).length,
  };
}

/** The card row for one container. */
export function cardImage(
  state: ImagesState,
  container: Pick<ContainerSummary, 'id' | 'imageId'>,
  now: number,
): CardImage {
  if (state.entries === null) {
    if (state.error !== null && !isImagesLoading(state))
      return { kind: 'unavailable', message: state.error.message };
    return { kind: 'loading' };
  }
  const entry = entryForContainer(state.entries, container);
  if (entry === null) return { kind: 'missing' };
  const shared = Math.max(0, entry.containers.filter((c) => c !== container.id).length);
  const scan = entry.state;
  switch (scan.phase) {
    case 'queued':
    case 'exporting':
    case 'reading':
    case 'matching':
      return { kind: 'scanning', progress: scanProgress(scan) ?? { text: '', fraction: null }, shared };
    case 'failed':
      return { kind: 'failed', code: scan.error.code, message: scan.error.message, shared };
    case 'done': {
      const report = scan.report;
      return {
        kind: 'scanned',
        report,
        age: imageAge(report, now),
        vulnerabilities: vulnerabilityState(report),
        db: report.db === null ? null : dbFreshness(report.db, now),
        lint: lintCounts(report.lint),
        shared,
      };
    }
    default:
      return assertNever(scan, 'scan state');
  }
}

/** The title for a failed scan, chosen by error code (never by message text). */
export function scanFailedTitle(code: string): string {
  if (code === 'not-found') return 'Image no longer exists';
  if (code === 'docker-unreachable' || code === 'docker-error' || code === 'docker-permission-denied')
    return 'The engine could not export the image';
  if (code === 'permission-denied') return 'No permission to read the image';
  return 'Image could not be scanned';
}

// ---------------------------------------------------------------------------------------------------------
// The findings table
// ---------------------------------------------------------------------------------------------------------

/** Columns the findings table sorts by. */
export const FINDING_SORT_KEYS = ['severity', 'package', 'installed', 'fixed', 'advisory'] as const;
export type FindingSortKey = (typeof FINDING_SORT_KEYS)[number];

/** A column and a direction; `asc` on severity means worst first (the natural reading order). */
export interface FindingSort {
  readonly key: FindingSortKey;
  readonly dir: 'asc' | 'desc';
}

export const DEFAULT_FINDING_SORT: FindingSort = { key: 'severity', dir: 'asc' };

/** The table's filters. */
export interface FindingFilter {
  /** Matched case-insensitively against package, versions, advisory id, aliases and summary. */
  readonly text: string;
  /** Only findings with a known fixed version. */
  readonly fixableOnly: boolean;
}

export const NO_FINDING_FILTER: FindingFilter = { text: '', fixableOnly: false };

/** Click on a column head: the same column flips direction, another column starts ascending. */
export function toggleSort(sort: FindingSort, key: FindingSortKey): FindingSort {
  return sort.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

/** The `aria-sort` value of a column head. */
export function ariaSort(sort: FindingSort, key: FindingSortKey): 'ascending' | 'descending' | 'none' {
  if (sort.key !== key) return 'none';
  return sort.dir === 'asc' ? 'ascending' : 'descending';
}

function sortValue(f: AdvisoryFinding, key: FindingSortKey): number | string {
  switch (key) {
    case 'severity':
      return severityRank(f.severity.level) * 100 - (f.severity.score ?? 0);
    case 'package':
      return f.package.name;
    case 'installed':
      return f.package.version;
    case 'fixed':
      // Unfixed sorts after every fixed version.
      return f.fixedVersion === null ? '\uffff' : f.fixedVersion;
    case 'advisory':
      return f.advisoryId;
    default:
      return assertNever(key, 'sort key');
  }
}

function matchesText(f: AdvisoryFinding, needle: string): boolean {
  if (needle === '') return true;
  const hay = [
    f.package.name,
    f.package.sourceName,
    f.package.version,
    f.fixedVersion ?? '',
    f.advisoryId,
    f.summary,
    ...f.aliases,
  ]
    .join('\n')
    .toLowerCase();
  return hay.includes(needle);
}

/**
 * The rows of the findings table: filtered, then sorted by the chosen column with ties broken by severity,
 * package and advisory id, so the order is total and stable across refreshes.
 */
export function findingRows(
  findings: readonly AdvisoryFinding[],
  sort: FindingSort,
  filter: FindingFilter,
): readonly AdvisoryFinding[] {
  const needle = filter.text.trim().toLowerCase();
  const sign = sort.dir === 'asc' ? 1 : -1;
  return findings
    .filter((f) => (!filter.fixableOnly || f.fixedVersion !== null) && matchesText(f, needle))
    .sort((a, b) => {
      const va = sortValue(a, sort.key);
      const vb = sortValue(b, sort.key);
      const primary =
        typeof va === 'number' && typeof vb === 'number' ? va - vb : compareText(String(va), String(vb));
      return sign * primary || compareWorst(a, b);
    });
}

const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The page of an advisory on osv.dev, or null for an id that is not a plain advisory id.
 *
 * osv.dev is on the desktop app's external-link allow-list; the id is checked and encoded so a hostile
 * record cannot turn it into another URL.
 */
export function advisoryUrl(advisoryId: string): string | null {
  if (!ADVISORY_ID.test(advisoryId)) return null;
  return `https://osv.dev/vulnerability/${encodeURIComponent(advisoryId)}`;
}

/** The findings panel's target: one image. */
export interface ImagePanelTarget {
  readonly imageId: string;
}

/** `sha256:0123456789ab` → `0123456789ab`: the short form `docker images` prints. */
export function shortImageId(imageId: string): string {
  return imageId.replace(/^sha256:/, '').slice(0, 12);
}
