import { parseArgs } from 'node:util';

import type { AppCore } from '../services/app-core.js';
import type { Result } from '../../shared/ipc/result.js';
import type { PostureReport, RequestChannel, RequestOf, ResponseOf } from '../../shared/ipc/contract.js';
import { Channels } from '../../shared/ipc/contract.js';
import { shortId } from '../../shared/domain/ids.js';
import type { Severity } from '../../shared/domain/posture/model.js';
import { failsAtOrAbove, formatConnection, formatContainerTable, formatPostureReport } from './format.js';
import type { ImageCliDeps } from './images.js';
import { dbCommand, imageCommand } from './images.js';
import type { FoldOptions } from '../services/syscall-ports.js';
import { collectSyscalls, parseSyscallsArgs, renderSyscalls } from './syscalls.js';
import { formatSeccompSummary, generateSeccomp, parseSeccompArgs } from './seccomp.js';
import { resolveContainers } from './resolve.js';

export { resolveContainers } from './resolve.js';
import { writeTextAtomic } from './image-deps.js';
import { createLabCliDeps, labCommand } from './lab.js';
import type { LabRecordOptions } from './lab-record.js';
import { anomalyRaised, collectAnomalies, parseAnomalyArgs, renderAnomalies } from './anomaly.js';
import type { ReportCliDeps } from './report.js';
import { formatWritten, parseReportArgs, runReport } from './report.js';

/**
 * Exit codes of the `bulkhead` CLI, documented in README. `findings`: `posture`, `image scan` or `report`
 * found a failure at or above --fail-on, or `anomaly` raised an anomaly or a critical/high alert.
 */
export const ExitCode = { ok: 0, failed: 1, usage: 2, findings: 3 } as const;

/** The severities `--fail-on` accepts. */
export const FAIL_ON = ['critical', 'high', 'medium', 'low'] as const;

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** What the CLI needs from its composition root. */
export interface CliDeps {
  readonly version: string;
  /** A core for one command; `syscallFold` sets how syscall sources summarise (the CLI wants every syscall). */
  createCore(options?: { readonly syscallFold?: FoldOptions }): AppCore;
  /** Record the demo scenario (a maintainer command; talks to the live engine). */
  recordDemo(options: { out: string; image: string; log: (line: string) => void }): Promise<void>;
  /** Record a lab session for the offline demo (`lab record`, maintainers); absent: it says so. */
  recordLab?(options: LabRecordOptions, log: (line: string) => void): Promise<unknown>;
  /** Start browser mode with these arguments; resolves with its exit code. */
  runWeb(args: readonly string[]): Promise<number>;
  now(): number;
  /** Image findings and the advisory database (`image …`, `db …`); absent: those commands say so. */
  readonly images?: ImageCliDeps;
  /** The report's renderer and file writer (`report`); absent: `report` says so. */
  readonly report?: ReportCliDeps;
}

export const USAGE = `Usage: bulkhead <command> [options]

Commands:
  containers [--json] [--demo]   List every container (running and stopped) on the Docker engine.
                                 --demo shows the embedded demo scenario when no engine is reachable.
  engine [--json]                Show how the engine is reached (DOCKER_HOST, docker context) and its version.
  posture [--json] [--fail-on critical|high|medium|low] [--demo] [CONTAINER...]
                                 Isolation posture: the host score (daemon checks) and, per container (all,
                                 or the names / short or full ids given), its score, grade and findings.
                                 Exits 3 when the host or a container fails a check at or above --fail-on
                                 (default high).
  seccomp generate CONTAINER [--source bpf|capture:FILE|recording:FILE] [--duration 30s]
                 [--phase whole|running] [--out FILE] [--json] [--quiet-seconds N]
                                 A seccomp profile (Docker's JSON) from what the container was seen calling,
                                 plus the runtime's needs; the summary compares it with Docker's default
                                 (BULKHEAD_SECCOMP_DEFAULT names that file) and splits start-up from running.
  syscalls --source bpf|sysdig|capture:FILE [--json] [--duration 10s] [--top N]
                                 Per container (then host, then unattributed), the top syscalls by count:
                                 a capture is read to its end; a live source (bpf, sysdig) runs for
                                 --duration (default 10s). --top: syscalls listed per subject (default 10).
  anomaly --source bpf|capture:FILE [--duration 60s] [--json] [--falco FILE]
          [--epoch-size N] [--training-epochs N] [--threshold 5%|N]
                                 Bag-of-System-Calls anomaly detection per container and the syscall alerts:
                                 each container's state (learning, watching, ANOMALOUS with a hint) and the
                                 timeline of anomalous epochs and alerts (--falco adds a Falco JSON file's).
                                 A capture is read to its end; bpf (the eBPF sequence source) runs for
                                 --duration (default 60s). Exits 3 when an anomaly or a critical/high alert
                                 was raised.
  report --format pdf|html|json|sarif --out FILE [--containers NAME,…] [--sections posture,images,…]
         [--source bpf|capture:FILE|recording:FILE] [--duration 10s] [--fail-on high|critical] [--demo]
                                 One document for people and pipelines: the host and engine, each container's
                                 posture with evidence, image findings with the advisory DB's age, syscalls
                                 over the window, a generated seccomp profile, alerts, and the methodology.
                                 --sections: posture, images, syscalls, seccomp, anomalies (default all).
                                 --source runs that syscall source first (a capture to its end, a live one for
                                 --duration) for the runtime sections; without it they say "not observed".
                                 JSON validates against assets/schemas/bulkhead-report-1.schema.json.
                                 Exits 3 (after writing) when --fail-on is given and a posture check failed,
                                 an image has a vulnerability, or an alert fired at or above that level.
  image scan IMAGE [--format table|json|sarif|cyclonedx] [--out FILE] [--fail-on critical|high|medium|low]
                 [--force] [--compare trivy|grype]
                                 Scan an image: OS packages against the advisory database, image lint, age.
                                 Exits 3 when a vulnerability or failing lint check is at or above --fail-on.
  image import-scan FILE [--image IMAGE] [--json]
                                 Read a Trivy or Grype JSON report and show it beside Bulkhead's findings.
  db import <all.zip|DIR|FILE.json> [--skip-invalid]
                                 Import OSV advisories (osv.dev per-ecosystem all.zip dumps).
  db update [--ecosystem NAME ...]
                                 Download and import the osv.dev dumps (default Debian, Alpine, Ubuntu).
  db status [--json]             The advisory database's source, age and ecosystems (stale after 7 days).
  web [--port N]                 Start browser mode on 127.0.0.1 (prints a URL with an access token).
  demo record [--out FILE] [--image IMAGE]
                                 Maintainers: create contrasting containers on the local engine, record
                                 them into the demo scenario, and remove them again.
  lab up [--image IMAGE] [--idle-image IMAGE] [--json]
                                 Create the demo lab on the local engine (bulkhead-lab-<role>, label bulkhead.lab=1).
  lab attack CONTAINER [--pause 1s] [--json]
                                 Run the scripted attack in a lab container (a role or a name) through exec.
  lab down [--json]              Remove exactly the containers labelled bulkhead.lab=1.
  lab record [--out FILE] [--scenario FILE] [--pause 1s] [--quiet 5s]
                                 Maintainers: record a lab session (up, attack weak, attack hardened) with the
                                 live eBPF source, for the offline demo (assets/demo/lab-session.jsonl), and
                                 its containers into the demo scenario.
  help, --help                   This text.   --version   Bulkhead's version.

Exit codes: 0 success, 1 the engine or the operation failed (the message says why), 2 bad usage,
3 posture, image or report findings at or above --fail-on,
or an anomaly or a critical/high alert (anomaly).
The engine is found like the docker CLI finds it: DOCKER_HOST, DOCKER_CONTEXT, then the current context.`;

async function call<C extends RequestChannel>(
  core: AppCore,
  channel: C,
  request: RequestOf<C>,
): Promise<Result<ResponseOf<C>>> {
  return (await core.dispatch(channel, request)) as Result<ResponseOf<C>>;
}

async function withCore<T>(deps: CliDeps, use: (core: AppCore) => Promise<T>): Promise<T> {
  const core = deps.createCore();
  core.start();
  try {
    return await use(core);
  } finally {
    await core.dispose();
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * Run one CLI invocation and return its exit code.
 *
 * Never calls process.exit: the entry point sets `process.exitCode` and lets the event loop drain.
 */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? ExitCode.usage : ExitCode.ok;
      case '--version':
      case 'version':
        io.out(deps.version);
        return ExitCode.ok;
      case 'containers': {
        const { values } = parseArgs({
          args: [...rest],
          options: { json: { type: 'boolean' }, demo: { type: 'boolean' } },
          strict: true,
        });
        return await withCore(deps, async (core) => {
          const configured = await call(core, Channels.demoConfigure, {
            showDemoWhenDisconnected: values.demo === true,
          });
          if (!configured.ok) return fail(io, configured.error.message);
          const list = await call(core, Channels.containersList, {});
          if (!list.ok) return fail(io, list.error.message, list.error.code);
          io.out(values.json === true ? json(list.value) : formatContainerTable(list.value, deps.now()));
          return ExitCode.ok;
        });
      }
      case 'engine': {
        const { values } = parseArgs({
          args: [...rest],
          options: { json: { type: 'boolean' } },
          strict: true,
        });
        return await withCore(deps, async (core) => {
          // The first verdict (connected or not) arrives within the monitor's first attempt.
          const list = await call(core, Channels.containersList, {});
          const state = await call(core, Channels.engineDescribe, {});
          if (!state.ok) return fail(io, state.error.message, state.error.code);
          io.out(values.json === true ? json(state.value) : formatConnection(state.value));
          return state.value.phase === 'connected' || list.ok ? ExitCode.ok : ExitCode.failed;
        });
      }
      case 'posture':
        return await posture(rest, io, deps);
      case 'syscalls':
        return await syscalls(rest, io, deps);
      case 'seccomp':
        return await seccomp(rest, io, deps);
      case 'anomaly':
        return await anomaly(rest, io, deps);
      case 'report':
        return await report(rest, io, deps);
      case 'image':
        return await imageCommand(rest, io, deps.images, (use) => withCore(deps, use), USAGE);
      case 'db':
        return await dbCommand(rest, io, deps.images, (use) => withCore(deps, use), USAGE);
      case 'web':
        return await deps.runWeb(rest);
      case 'lab':
        return await labCommand(
          rest,
          io,
          createLabCliDeps(
            USAGE,
            process.env,
            deps.recordLab === undefined ? undefined : (o, log) => deps.recordLab!(o, log),
          ),
        );
      case 'demo': {
        const [sub, ...subArgs] = rest;
        if (sub !== 'record') return usage(io, `unknown demo command ${JSON.stringify(sub ?? '')}`);
        const { values } = parseArgs({
          args: subArgs,
          options: { out: { type: 'string' }, image: { type: 'string' } },
          strict: true,
        });
        await deps.recordDemo({
          out: values.out ?? 'assets/demo/scenario.json',
          image: values.image ?? 'bulkhead-test/busybox:1',
          log: (line) => io.err(line),
        });
        return ExitCode.ok;
      }
      default:
        return usage(io, `unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      return usage(io, e.message);
    }
    return fail(io, e instanceof Error ? e.message : String(e));
  }
}

async function posture(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      json: { type: 'boolean' },
      demo: { type: 'boolean' },
      'fail-on': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const failOn = values['fail-on'] ?? 'high';
  if (!(FAIL_ON as readonly string[]).includes(failOn))
    return usage(io, `--fail-on must be one of ${FAIL_ON.join(', ')} (got ${JSON.stringify(failOn)})`);
  const threshold = failOn as Severity;
  return withCore(deps, async (core) => {
    const configured = await call(core, Channels.demoConfigure, {
      showDemoWhenDisconnected: values.demo === true,
    });
    if (!configured.ok) return fail(io, configured.error.message);
    // Every container is assessed once (one list, one inspect each); names and ids are resolved against it.
    const assessed = await call(core, Channels.postureAssess, {});
    if (!assessed.ok) return fail(io, assessed.error.message, assessed.error.code);
    let report: PostureReport = assessed.value;
    if (positionals.length > 0) {
      const resolved = resolveContainers(report.containers, positionals);
      if ('error' in resolved) return fail(io, resolved.error, 'not-found');
      report = { ...report, containers: resolved.found };
    }
    io.out(values.json === true ? json(report) : formatPostureReport(report));
    const engineFindings = report.engine.state === 'assessed' ? report.engine.findings : [];
    const failing = [
      ...engineFindings,
      ...report.containers.flatMap((c) => (c.result.state === 'assessed' ? c.result.findings : [])),
    ].some((f) => failsAtOrAbove(f, threshold));
    if (failing) return ExitCode.findings;
    // Named containers must be assessed; in a run over all, one removed while it ran is simply gone.
    const broken = report.containers.filter(
      (c) =>
        c.result.state === 'error' ||
        (c.result.state === 'unavailable' && (positionals.length > 0 || c.result.error.code !== 'not-found')),
    );
    if (broken.length > 0 || report.engine.state === 'error') {
      const what = [
        ...(report.engine.state === 'error' ? ['the host'] : []),
        ...broken.map((c) => c.name || shortId(c.id)),
      ];
      return fail(io, `could not assess ${what.join(', ')} (see above)`);
    }
    return ExitCode.ok;
  });
}

/** Every syscall per subject in frames; the CLI cuts the list to --top itself, by total count. */
const CLI_SYSCALL_FOLD: FoldOptions = { topN: 4096 };

async function syscalls(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const parsed = parseSyscallsArgs(args, process.cwd());
  if (!parsed.ok) return usage(io, parsed.message);
  // No engine watch (core.start) here: syscall sources do not need the Docker engine.
  const core = deps.createCore({ syscallFold: CLI_SYSCALL_FOLD });
  try {
    const outcome = await collectSyscalls(core, parsed, sleeper);
    if (!outcome.ok) return fail(io, outcome.error.message, outcome.error.code);
    io.out(renderSyscalls(outcome.summary, parsed.json));
    return ExitCode.ok;
  } finally {
    await core.dispose();
  }
}

const sleeper = (ms: number): { promise: Promise<void>; cancel(): void } => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    promise: new Promise<void>((r) => (timer = setTimeout(r, ms))),
    cancel: () => clearTimeout(timer),
  };
};

async function anomaly(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const parsed = parseAnomalyArgs(args, process.cwd());
  if (!parsed.ok) return usage(io, parsed.message);
  // Sequence sources do not need the Docker engine: no engine watch here either.
  const core = deps.createCore();
  try {
    const outcome = await collectAnomalies(core, parsed, sleeper);
    if (!outcome.ok) return fail(io, outcome.error.message, outcome.error.code);
    io.out(renderAnomalies(outcome.report, parsed.json));
    return anomalyRaised(outcome.report) ? ExitCode.findings : ExitCode.ok;
  } finally {
    await core.dispose();
  }
}

async function report(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const parsed = parseReportArgs(args, process.cwd());
  if (!parsed.ok) return usage(io, parsed.message);
  if (deps.report === undefined) return fail(io, 'reports are not part of this build');
  const reportDeps = deps.report;
  const core = deps.createCore();
  core.start();
  try {
    const outcome = await runReport(core, parsed, reportDeps, sleeper, (line) => io.err(`report: ${line}`));
    if (!outcome.ok) return fail(io, outcome.error.message, outcome.error.code);
    io.out(formatWritten(outcome, parsed.format));
    if (outcome.failures.length > 0) {
      io.err(`bulkhead: --fail-on ${parsed.failOn ?? ''}: ${outcome.failures.length} finding(s):`);
      for (const reason of outcome.failures) io.err(`  ${reason}`);
      return ExitCode.findings;
    }
    return ExitCode.ok;
  } finally {
    await core.dispose();
  }
}

async function seccomp(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'generate') return usage(io, 'seccomp takes a subcommand: generate');
  const parsed = parseSeccompArgs(rest, process.cwd());
  if (!parsed.ok) return usage(io, parsed.message);
  const core = deps.createCore({ syscallFold: CLI_SYSCALL_FOLD });
  try {
    const outcome = await generateSeccomp(core, parsed, sleeper);
    if (!outcome.ok) return fail(io, outcome.error.message, outcome.error.code);
    if (parsed.out !== null) await writeTextAtomic(parsed.out, outcome.profile);
    if (parsed.json) io.out(JSON.stringify(outcome.report, null, 2));
    else if (parsed.out === null) io.out(outcome.profile.trimEnd());
    io.err(formatSeccompSummary(outcome.report, parsed.phase));
    return ExitCode.ok;
  } finally {
    await core.dispose();
  }
}

function usage(io: CliIo, message: string): number {
  io.err(`bulkhead: ${message}\n\n${USAGE}`);
  return ExitCode.usage;
}

function fail(io: CliIo, message: string, code?: string): number {
  io.err(`bulkhead: ${message}${code !== undefined ? ` [${code}]` : ''}`);
  return ExitCode.failed;
}
