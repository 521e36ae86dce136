import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { failOnReasons, REPORT_FAIL_ON } from '../../shared/domain/report/fail-on.js';
import type { ReportFailOn } from '../../shared/domain/report/fail-on.js';
import { REPORT_FORMATS, REPORT_SECTIONS } from '../../shared/domain/report/model.js';
import type { Report, ReportFormat, ReportSection } from '../../shared/domain/report/model.js';
import type { ContainerId } from '../../shared/domain/ids.js';
import type { ContainerList } from '../../shared/domain/container.js';
import type { ReportRequest } from '../../shared/ipc/contract.js';
import { Channels } from '../../shared/ipc/contract.js';
import type { ErrorData, Result } from '../../shared/ipc/result.js';
import { toErrorData } from '../../shared/ipc/result.js';
import type { AppCore } from '../services/app-core.js';
import type { ReportFilePort, ReportRendererPort } from '../services/report-ports.js';
import { renderReportFile, writeFailure } from '../services/report-service.js';
import type { Sleep } from './follow.js';
import { resolveContainers } from './resolve.js';
import type { SyscallsArgs } from './syscalls.js';
import { collectSyscalls, parseSyscallsArgs } from './syscalls.js';

/**
 * `bulkhead report --format pdf|html|json|sarif --out FILE [--containers a,b,…] [--sections …]
 * [--source bpf|capture:FILE|recording:FILE] [--duration 10s] [--fail-on high|critical] [--demo]`.
 *
 * Builds the report through the app core (`report:build`), as the desktop app does, then writes it: JSON and
 * SARIF directly, HTML and PDF through the headless renderer (Chromium), always through a temporary file and
 * a rename. With --source, that syscall source runs first — a capture or recording to its end, a live one
 * for --duration — and the report is built from its subscription before it ends, so the runtime and seccomp
 * sections have data. Progress goes to stderr, the written file's line to stdout.
 *
 * --fail-on (shared/domain/report/fail-on.ts): exit 3 when a posture check of the host or a container
 * failed at or above the level, a selected container's image has a vulnerability at or above it, or an
 * alert at or above it fired on a container (high: critical and high; critical: critical only). The file
 * is written first either way.
 */

/** What the report command needs besides the core. */
export interface ReportCliDeps {
  /** The headless renderer for HTML and PDF (created on first use, disposed after). */
  renderer(): ReportRendererPort;
  readonly files: ReportFilePort;
}

/** A parsed command line, or the usage error. */
export type ReportArgs =
  | {
      readonly ok: true;
      readonly format: ReportFormat;
      /** Absolute. */
      readonly out: string;
      /** Names or ids as typed; null: every container. */
      readonly containers: readonly string[] | null;
      readonly sections: readonly ReportSection[] | null;
      readonly watch: Extract<SyscallsArgs, { ok: true }> | null;
      readonly failOn: ReportFailOn | null;
      readonly demo: boolean;
    }
  | { readonly ok: false; readonly message: string };

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Parse the arguments after `report`; --out is made absolute against `cwd`. */
export function parseReportArgs(args: readonly string[], cwd: string): ReportArgs {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      containers: { type: 'string' },
      sections: { type: 'string' },
      source: { type: 'string' },
      duration: { type: 'string' },
      'fail-on': { type: 'string' },
      demo: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0)
    return {
      ok: false,
      message: `report takes no positional arguments (got ${JSON.stringify(positionals[0])})`,
    };
  const format = values.format;
  if (format === undefined || !(REPORT_FORMATS as readonly string[]).includes(format))
    return {
      ok: false,
      message: `--format must be one of ${REPORT_FORMATS.join(', ')} (got ${JSON.stringify(format ?? '')})`,
    };
  if (values.out === undefined || values.out === '') return { ok: false, message: '--out FILE is required' };
  if (values.out.includes('\0')) return { ok: false, message: '--out must not contain a NUL byte' };
  const out = resolve(cwd, values.out);
  if (out.length > 4096) return { ok: false, message: '--out is longer than 4096 characters' };
  let containers: string[] | null = null;
  if (values.containers !== undefined) {
    containers = list(values.containers);
    if (containers.length === 0) return { ok: false, message: '--containers needs at least one name or id' };
  }
  let sections: ReportSection[] | null = null;
  if (values.sections !== undefined) {
    const wanted = list(values.sections);
    const bad = wanted.find((s) => !(REPORT_SECTIONS as readonly string[]).includes(s));
    if (bad !== undefined || wanted.length === 0)
      return {
        ok: false,
        message: `--sections takes a comma-separated list of ${REPORT_SECTIONS.join(', ')} (got ${JSON.stringify(bad ?? values.sections)})`,
      };
    sections = [...new Set(wanted)] as ReportSection[];
  }
  let watch: Extract<SyscallsArgs, { ok: true }> | null = null;
  if (values.source !== undefined) {
    const parsed = parseSyscallsArgs(
      ['--source', values.source, ...(values.duration !== undefined ? ['--duration', values.duration] : [])],
      cwd,
    );
    if (!parsed.ok) return parsed;
    watch = parsed;
  } else if (values.duration !== undefined) return { ok: false, message: '--duration needs --source' };
  const failOn = values['fail-on'] ?? null;
  if (failOn !== null && !(REPORT_FAIL_ON as readonly string[]).includes(failOn))
    return {
      ok: false,
      message: `--fail-on must be one of ${REPORT_FAIL_ON.join(', ')} (got ${JSON.stringify(failOn)})`,
    };
  return {
    ok: true,
    format: format as ReportFormat,
    out,
    containers,
    sections,
    watch,
    failOn: failOn as ReportFailOn | null,
    demo: values.demo === true,
  };
}

/** What a run ended with. */
export type ReportOutcome =
  | {
      readonly ok: true;
      readonly report: Report;
      readonly path: string;
      readonly bytes: number;
      readonly pages: number | null;
      /** Why --fail-on fails the run; empty: it passes (or no --fail-on). */
      readonly failures: readonly string[];
    }
  | { readonly ok: false; readonly error: ErrorData };

async function resolveIds(
  core: AppCore,
  wanted: readonly string[],
): Promise<{ ok: true; ids: ContainerId[] } | { ok: false; error: ErrorData }> {
  const listed = (await core.dispatch(Channels.containersList, {})) as Result<ContainerList>;
  if (!listed.ok) return listed;
  const found = resolveContainers(listed.value.containers, wanted);
  if ('error' in found) return { ok: false, error: { code: 'not-found', message: found.error } };
  return { ok: true, ids: found.found.map((c) => c.id) };
}

/** Gather, build, render and write the report (see the module comment). */
export async function runReport(
  core: AppCore,
  args: Extract<ReportArgs, { ok: true }>,
  deps: ReportCliDeps,
  sleep: Sleep,
  log: (line: string) => void,
): Promise<ReportOutcome> {
  const configured = await core.dispatch(Channels.demoConfigure, { showDemoWhenDisconnected: args.demo });
  if (!configured.ok) return configured;
  let ids: ContainerId[] | undefined;
  if (args.containers !== null) {
    const resolved = await resolveIds(core, args.containers);
    if (!resolved.ok) return resolved;
    ids = resolved.ids;
  }
  const request: ReportRequest = {
    ...(ids !== undefined ? { containers: ids } : {}),
    ...(args.sections !== null ? { sections: args.sections } : {}),
  };
  const build = async (extra: Partial<ReportRequest>): Promise<Result<Report>> => {
    log('gathering posture and image findings (image scans not yet cached run now) …');
    return (await core.dispatch(Channels.reportBuild, { ...request, ...extra })) as Result<Report>;
  };

  let built: Result<Report> | null = null;
  if (args.watch === null) built = await build({});
  else {
    const w = args.watch;
    const live = w.source.kind === 'bpf' || w.source.kind === 'sysdig-live';
    log(`watching ${w.label}${live ? ` for ${w.durationMs / 1000} s` : ' to its end'} …`);
    const watched = await collectSyscalls(core, w, sleep, async (subId) => {
      built = await build({ syscallsSubId: subId });
    });
    if (!watched.ok) return watched;
  }
  const result = built;
  if (result === null) return { ok: false, error: { code: 'internal', message: 'no report was built' } };
  if (!result.ok) return result;
  const report = result.value;

  let renderer: ReportRendererPort | undefined;
  try {
    if (args.format === 'html' || args.format === 'pdf') {
      log(`rendering the ${args.format.toUpperCase()} with Chromium …`);
      renderer = deps.renderer();
    }
    const { bytes, pages } = await renderReportFile(report, args.format, renderer, (m) => log(m));
    log(`writing ${args.out} …`);
    const path = await deps.files.write(args.out, bytes).catch((e: unknown) => {
      throw writeFailure(args.out, e);
    });
    return {
      ok: true,
      report,
      path,
      bytes: bytes.length,
      pages,
      failures: args.failOn === null ? [] : failOnReasons(report, args.failOn),
    };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  } finally {
    await renderer?.dispose?.().catch(() => undefined);
  }
}

/** The line printed for a written report. */
export function formatWritten(o: Extract<ReportOutcome, { ok: true }>, format: ReportFormat): string {
  const r = o.report;
  const host = r.summary.hostScore === null ? 'host not assessed' : `host ${r.summary.hostScore}/100`;
  const pages = o.pages !== null ? `, ${o.pages} page${o.pages === 1 ? '' : 's'}` : '';
  return `wrote ${o.path} (${format}, ${o.bytes} bytes${pages}): ${r.containers.length} container${r.containers.length === 1 ? '' : 's'}, ${host}${r.source.kind === 'demo' ? ', DEMO DATA' : ''}`;
}
