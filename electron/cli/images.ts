import { parseArgs } from 'node:util';

import type { AdvisorySeverity } from '../../shared/domain/advisories/severity.js';
import type { ExportFormat, ExportTool } from '../../shared/domain/images/exports.js';
import { EXPORT_FORMATS, renderExport } from '../../shared/domain/images/exports.js';
import type { ImageScanReport } from '../../shared/domain/images/report.js';
import type { ExternalScan } from '../../shared/domain/images/scanner-import.js';
import { compareFindings, parseExternalScan } from '../../shared/domain/images/scanner-import.js';
import type { Result } from '../../shared/ipc/result.js';
import type { AppCore } from '../services/app-core.js';
import type { ExternalScannerPort } from '../services/image-ports.js';
import { formatComparison, formatDbLine, formatExternalScan, formatImageReport } from './format-images.js';

/**
 * The image-findings commands: `image scan`, `image import-scan`, `db import`, `db update`, `db status`.
 * Scans go through the app core (`images:scan`), like the desktop app; database imports use the advisory
 * store directly.
 */

/** One import's outcome, as the CLI prints it. */
export interface DbImportOutcome {
  readonly source: string;
  readonly imported: readonly { readonly base: string; readonly records: number }[];
  readonly filesRead: number;
  readonly invalid: number;
  readonly withdrawn: number;
  readonly problems: readonly string[];
}

/** What the image commands need beyond the core. */
export interface ImageCliDeps {
  importDb(path: string, options: { readonly skipInvalid: boolean }): Promise<DbImportOutcome>;
  /** Download and import osv.dev dumps for these ecosystems (one attempt each). */
  updateDb(ecosystems: readonly string[], log: (line: string) => void): Promise<readonly DbImportOutcome[]>;
  readText(path: string): Promise<string>;
  /** Write through a temporary file and rename, so a reader never sees half a file. */
  writeTextAtomic(path: string, text: string): Promise<void>;
  readonly scanners: ExternalScannerPort;
  readonly tool: ExportTool;
}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes shared with run.ts. */
const EXIT = { ok: 0, failed: 1, usage: 2, findings: 3 } as const;

/** The severities `--fail-on` accepts. */
const FAIL_ON = ['critical', 'high', 'medium', 'low'] as const;
const RANK: Readonly<Record<AdvisorySeverity, number>> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  negligible: 0,
  unknown: 0,
};
const LINT_RANK: Readonly<Record<string, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** The ecosystems `db update` fetches by default. */
export const DEFAULT_UPDATE_ECOSYSTEMS = ['Debian', 'Alpine', 'Ubuntu'] as const;

/** Whether a report has a vulnerability or a failing/warning lint finding at or above `threshold`. */
export function reportFailsAt(report: ImageScanReport, threshold: (typeof FAIL_ON)[number]): boolean {
  const min = RANK[threshold];
  if (report.vulnerabilities.some((f) => RANK[f.severity.level] >= min)) return true;
  return report.lint.some((l) => l.status === 'fail' && (LINT_RANK[l.severity] ?? 0) >= min);
}

function usageError(io: Io, usage: string, message: string): number {
  io.err(`bulkhead: ${message}\n\n${usage}`);
  return EXIT.usage;
}

function fail(io: Io, message: string, code?: string): number {
  io.err(`bulkhead: ${message}${code !== undefined ? ` [${code}]` : ''}`);
  return EXIT.failed;
}

type Call = <C extends 'images:scan' | 'db:status'>(
  channel: C,
  request: C extends 'images:scan' ? { image: string; force?: boolean } : Record<string, never>,
) => Promise<Result<C extends 'images:scan' ? ImageScanReport : unknown>>;

function caller(core: AppCore): Call {
  return ((channel: string, request: unknown) => core.dispatch(channel, request)) as Call;
}

/** `bulkhead image …` */
export async function imageCommand(
  args: readonly string[],
  io: Io,
  deps: ImageCliDeps | undefined,
  withCore: <T>(use: (core: AppCore) => Promise<T>) => Promise<T>,
  usage: string,
): Promise<number> {
  const [sub, ...rest] = args;
  if (deps === undefined) return fail(io, 'image commands are not available in this build');
  if (sub === 'scan') return scan(rest, io, deps, withCore, usage);
  if (sub === 'import-scan') return importScan(rest, io, deps, withCore, usage);
  return usageError(io, usage, `unknown image command ${JSON.stringify(sub ?? '')}`);
}

async function scan(
  args: readonly string[],
  io: Io,
  deps: ImageCliDeps,
  withCore: <T>(use: (core: AppCore) => Promise<T>) => Promise<T>,
  usage: string,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      'fail-on': { type: 'string' },
      force: { type: 'boolean' },
      compare: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) return usageError(io, usage, 'image scan takes exactly one IMAGE');
  const image = positionals[0] as string;
  const format = values.format ?? 'table';
  if (format !== 'table' && !(EXPORT_FORMATS as readonly string[]).includes(format))
    return usageError(
      io,
      usage,
      `--format must be table, ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(format)})`,
    );
  const failOn = values['fail-on'];
  if (failOn !== undefined && !(FAIL_ON as readonly string[]).includes(failOn))
    return usageError(
      io,
      usage,
      `--fail-on must be one of ${FAIL_ON.join(', ')} (got ${JSON.stringify(failOn)})`,
    );
  const compare = values.compare;
  if (compare !== undefined && compare !== 'trivy' && compare !== 'grype')
    return usageError(io, usage, `--compare must be trivy or grype (got ${JSON.stringify(compare)})`);
  return withCore(async (core) => {
    const result = await caller(core)('images:scan', {
      image,
      ...(values.force === true ? { force: true } : {}),
    });
    if (!result.ok) return fail(io, result.error.message, result.error.code);
    const report = result.value;
    const text =
      format === 'table'
        ? formatImageReport(report)
        : renderExport(format as ExportFormat, report, deps.tool);
    if (values.out !== undefined) {
      await deps.writeTextAtomic(values.out, format === 'table' ? `${text}\n` : text);
      io.err(`wrote ${format} to ${values.out}`);
    } else {
      io.out(format === 'table' ? text : text.replace(/\n$/, ''));
    }
    if (compare !== undefined) {
      const available = await deps.scanners.available();
      if (!available.includes(compare))
        return fail(
          io,
          `${compare} is not on PATH; install it or import its JSON with \`bulkhead image import-scan FILE\``,
        );
      io.err(`running ${compare} on ${image} …`);
      const parsed = parseExternalScan(await deps.scanners.run(compare, image));
      if (!parsed.ok) return fail(io, `${compare}'s output could not be read: ${parsed.reason}`);
      io.out(besideOurs(report, parsed.scan));
    } else if (format === 'table') {
      const available = await deps.scanners.available();
      for (const s of available)
        io.err(`${s} is on PATH: add --compare ${s} to see its findings beside Bulkhead's.`);
    }
    if (failOn !== undefined && reportFailsAt(report, failOn as (typeof FAIL_ON)[number]))
      return EXIT.findings;
    return EXIT.ok;
  });
}

function besideOurs(report: ImageScanReport, scan: ExternalScan): string {
  const rows = compareFindings(
    report.vulnerabilities.map((f) => ({
      package: f.package.name,
      version: f.package.version,
      advisoryId: f.advisoryId,
      aliases: f.aliases,
      severity: f.severity.level,
    })),
    scan.findings,
  );
  return `${formatExternalScan(scan)}\n\nBeside Bulkhead's findings for ${report.refs[0] ?? report.imageId}:\n${formatComparison(rows, scan.scanner)}`;
}

async function importScan(
  args: readonly string[],
  io: Io,
  deps: ImageCliDeps,
  withCore: <T>(use: (core: AppCore) => Promise<T>) => Promise<T>,
  usage: string,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { image: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) return usageError(io, usage, 'image import-scan takes exactly one FILE');
  const file = positionals[0] as string;
  let text: string;
  try {
    text = await deps.readText(file);
  } catch (e) {
    return fail(io, `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, 'not-found');
  }
  const parsed = parseExternalScan(text);
  if (!parsed.ok)
    return fail(io, `${file} is not a Trivy or Grype JSON report: ${parsed.reason}`, 'bad-request');
  const scan = parsed.scan;
  if (values.json === true) {
    io.out(JSON.stringify(scan, null, 2));
    return EXIT.ok;
  }
  const image = values.image ?? scan.imageId ?? scan.target;
  return withCore(async (core) => {
    const ours = /^[a-z0-9][a-zA-Z0-9._/:@+-]*$/.test(image)
      ? await caller(core)('images:scan', { image })
      : null;
    if (ours === null || !ours.ok) {
      io.out(formatExternalScan(scan));
      io.err(
        `Bulkhead's own scan is not shown beside it: ${ours === null ? `${JSON.stringify(image)} is not an image reference` : ours.error.message}. Use --image IMAGE to name the local image.`,
      );
      return EXIT.ok;
    }
    io.out(besideOurs(ours.value, scan));
    return EXIT.ok;
  });
}

/** `bulkhead db …` */
export async function dbCommand(
  args: readonly string[],
  io: Io,
  deps: ImageCliDeps | undefined,
  withCore: <T>(use: (core: AppCore) => Promise<T>) => Promise<T>,
  usage: string,
): Promise<number> {
  const [sub, ...rest] = args;
  if (deps === undefined) return fail(io, 'database commands are not available in this build');
  switch (sub) {
    case 'import': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { 'skip-invalid': { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1)
        return usageError(io, usage, 'db import takes exactly one all.zip or directory');
      const report = await deps.importDb(positionals[0] as string, {
        skipInvalid: values['skip-invalid'] === true,
      });
      io.out(describeImport(report));
      return EXIT.ok;
    }
    case 'update': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { ecosystem: { type: 'string', multiple: true } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length > 0) return usageError(io, usage, 'db update takes no positional arguments');
      const ecosystems = values.ecosystem ?? [...DEFAULT_UPDATE_ECOSYSTEMS];
      for (const e of ecosystems)
        if (!/^[A-Za-z][A-Za-z0-9 .:_-]{0,63}$/.test(e))
          return usageError(io, usage, `not an OSV ecosystem name: ${JSON.stringify(e)}`);
      const reports = await deps.updateDb(ecosystems, (line) => io.err(line));
      for (const r of reports) io.out(describeImport(r));
      return EXIT.ok;
    }
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
      return withCore(async (core) => {
        const result = await caller(core)('db:status', {});
        if (!result.ok) return fail(io, result.error.message, result.error.code);
        const db = result.value as Parameters<typeof formatDbLine>[0];
        io.out(values.json === true ? JSON.stringify(db, null, 2) : formatDbLine(db));
        return EXIT.ok;
      });
    }
    default:
      return usageError(io, usage, `unknown db command ${JSON.stringify(sub ?? '')}`);
  }
}

function describeImport(r: DbImportOutcome): string {
  const lines = [
    `Imported ${r.imported.map((i) => `${i.base} (${i.records} records)`).join(', ')} from ${r.source}: ${r.filesRead} files read${r.invalid > 0 ? `, ${r.invalid} invalid skipped` : ''}${r.withdrawn > 0 ? `, ${r.withdrawn} withdrawn dropped` : ''}.`,
  ];
  for (const p of r.problems.slice(0, 20)) lines.push(`  ${p}`);
  return lines.join('\n');
}
