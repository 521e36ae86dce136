import type { ContainerList, ContainerSummary } from '../../shared/domain/container.js';
import { formatDuration, uptimeMillis } from '../../shared/domain/container.js';
import type { ConnectionState } from '../../shared/domain/engine.js';
import { shortId } from '../../shared/domain/ids.js';
import type { Finding, Severity } from '../../shared/domain/posture/model.js';
import { SEVERITIES } from '../../shared/domain/posture/model.js';
import type { PostureScore } from '../../shared/domain/posture/score.js';
import type { DropCounts, SourceState, Subject, SyscallFrame } from '../../shared/domain/syscalls/model.js';
import type { ContainerPostureEntry, PostureReport } from '../../shared/ipc/contract.js';
import { assertNever } from '../../shared/util/assert-never.js';

/**
 * Plain-text rendering for the CLI.
 *
 * Container names and images are attacker-controlled: control characters are replaced so a hostile name
 * cannot rewrite the terminal (escape sequences) or forge extra lines, and bidirectional-formatting and
 * zero-width characters are written out (`⟨U+202E⟩`, as the app shows them) so they cannot reorder or hide
 * what the terminal shows.
 */
export function sanitizeForTerminal(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD')
      .replace(
        /[\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g,
        (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`,
      )
  );
}

function cell(text: string, width: number): string {
  const clean = sanitizeForTerminal(text);
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width);
}

function describeState(c: ContainerSummary, now: number): string {
  const up = uptimeMillis(c, now);
  if (up !== null) return `running ${formatDuration(up)}`;
  if (c.state === 'exited' && c.exitCode !== null) return `exited (${c.exitCode})`;
  return c.state;
}

/** The table `bulkhead containers` prints. */
export function formatContainerTable(list: ContainerList, now: number): string {
  const lines: string[] = [];
  const source = list.source;
  switch (source.kind) {
    case 'live':
      lines.push(`Engine: ${sanitizeForTerminal(list.engineName)}`);
      break;
    case 'demo':
      lines.push(
        `DEMO DATA — recorded ${new Date(source.recordedAt).toISOString()} on ${sanitizeForTerminal(source.recordedOn)} (${sanitizeForTerminal(source.reason)})`,
      );
      break;
    default:
      assertNever(source, 'data source');
  }
  if (list.containers.length === 0) {
    lines.push('No containers.');
  } else {
    lines.push(`${cell('CONTAINER ID', 13)} ${cell('NAME', 28)} ${cell('IMAGE', 28)} STATE`);
    for (const c of list.containers) {
      lines.push(
        `${cell(shortId(c.id), 13)} ${cell(c.name, 28)} ${cell(c.image, 28)} ${describeState(c, now)}`,
      );
    }
  }
  for (const p of list.problems) {
    lines.push(`! ${sanitizeForTerminal(p.name)} (${shortId(p.id)}): ${sanitizeForTerminal(p.message)}`);
  }
  return lines.join('\n');
}

/** One line about the engine connection, for `bulkhead engine`. */
export function formatConnection(state: ConnectionState): string {
  switch (state.phase) {
    case 'connecting':
      return `connecting to ${state.endpoint.url} (${state.endpoint.source})`;
    case 'connected':
      return `connected to ${state.endpoint.url} (${state.endpoint.source}): ${sanitizeForTerminal(state.engine.name)}, Docker ${state.engine.version}, API ${state.engine.apiVersion}, ${state.engine.os}/${state.engine.arch}`;
    case 'disconnected':
      return `disconnected from ${state.endpoint.url} (${state.endpoint.source}): ${state.error.message}`;
    default:
      return assertNever(state, 'connection phase');
  }
}

/** Whether a finding is a failure at or above `threshold` (`critical` is the highest). */
export function failsAtOrAbove(f: Pick<Finding, 'status' | 'severity'>, threshold: Severity): boolean {
  return f.status === 'fail' && SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(threshold);
}

function findingLines(findings: readonly Finding[]): string[] {
  const shown = findings
    .filter((f) => f.status === 'fail' || f.status === 'warn')
    .sort(
      (a, b) =>
        (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1) ||
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
        (a.ruleId < b.ruleId ? -1 : 1),
    );
  return shown.map(
    (f) =>
      `  ${f.status.toUpperCase().padEnd(4)} ${f.severity.padEnd(8)} ${`CIS ${f.cisId ?? '-'}`.padEnd(8)} ${sanitizeForTerminal(f.title)}: ${sanitizeForTerminal(f.message)}${f.evidenceKind === 'kernel' ? ' [kernel]' : ''}`,
  );
}

function scoreText(score: PostureScore): string {
  return `${score.value}/100 ${score.grade} (${score.counts.fail} fail, ${score.counts.warn} warn, ${score.counts.pass} pass)`;
}

function containerLines(entry: ContainerPostureEntry): string[] {
  const head = `${sanitizeForTerminal(entry.name || '(unnamed)')} (${shortId(entry.id)})`;
  const r = entry.result;
  switch (r.state) {
    case 'assessed': {
      const evidence = r.evidenceKind === 'kernel' ? 'kernel evidence' : 'configuration only';
      return [
        `${head}  ${scoreText(r.score)}  ${sanitizeForTerminal(r.snapshot.state)}, ${evidence}`,
        ...findingLines(r.findings),
        ...r.notes.map((n) => `  note: ${sanitizeForTerminal(n)}`),
      ];
    }
    case 'error':
      return [`${head}  not assessed: ${sanitizeForTerminal(r.error.message)} [${r.error.code}]`];
    case 'unavailable':
      return [`${head}  not assessed: ${sanitizeForTerminal(r.error.message)} [${r.error.code}]`];
    default:
      return assertNever(r, 'posture state');
  }
}

/**
 * The text `bulkhead posture` prints: the host score and its failing/warning daemon findings, then per
 * container its score, grade and failing/warning findings with their CIS ids, worst first.
 */
export function formatPostureReport(report: PostureReport): string {
  const lines: string[] = [];
  const source = report.source;
  switch (source.kind) {
    case 'live':
      break;
    case 'demo':
      lines.push(
        `DEMO DATA — recorded ${new Date(source.recordedAt).toISOString()} on ${sanitizeForTerminal(source.recordedOn)} (${sanitizeForTerminal(source.reason)})`,
      );
      break;
    default:
      assertNever(source, 'data source');
  }
  const recorded = source.kind === 'demo' ? ', as recorded' : '';
  lines.push(
    report.evidenceKind === 'kernel'
      ? `Evidence: the kernel (/proc of the engine's host${recorded}) where a container runs, else its configuration`
      : `Evidence: configuration only (${source.kind === 'demo' ? 'recorded without /proc' : 'remote engine'})`,
  );
  const e = report.engine;
  switch (e.state) {
    case 'assessed':
      lines.push(`Host (engine ${sanitizeForTerminal(e.facts.version ?? 'unknown')})  ${scoreText(e.score)}`);
      lines.push(...findingLines(e.findings));
      lines.push(...e.notes.map((n) => `  note: ${sanitizeForTerminal(n)}`));
      break;
    case 'error':
      lines.push(`Host  not assessed: ${sanitizeForTerminal(e.error.message)} [${e.error.code}]`);
      break;
    default:
      assertNever(e, 'engine posture state');
  }
  if (report.containers.length === 0) lines.push('', 'No containers.');
  for (const c of report.containers) lines.push('', ...containerLines(c));
  return lines.join('\n');
}

/** One subject's line in `bulkhead syscalls`: its total and its top syscalls by count since start. */
export interface SyscallSubjectSummary {
  readonly subject: Subject;
  readonly total: number;
  readonly top: readonly { readonly syscall: string; readonly count: number }[];
  /** The syscalls the top list leaves out, and their summed count. */
  readonly others: { readonly syscalls: number; readonly count: number };
}

/** What `bulkhead syscalls` prints (and, as JSON, `--json`). */
export interface SyscallSummary {
  /** The source as the user named it (`capture:FILE`, `sysdig`, `bpf`). */
  readonly source: string;
  /** How the source ended: `exited` (end of input, or stopped after --duration) or `failed`. */
  readonly state: SourceState | null;
  readonly totalEvents: number;
  readonly dropped: DropCounts;
  /** Seconds the tracer was down and being restarted (live sources). */
  readonly restartGaps: number;
  readonly subjects: readonly SyscallSubjectSummary[];
}

/** Summarise a frame for the CLI: per subject, the `top` syscalls by total count (ties by name). */
export function summarizeSyscallFrame(
  source: string,
  frame: SyscallFrame | null,
  state: SourceState | null,
  top: number,
): SyscallSummary {
  const subjects = (frame?.subjects ?? []).map((s): SyscallSubjectSummary => {
    const counts = s.top
      .map((c) => ({ syscall: c.syscall, count: c.total }))
      .filter((c) => c.count > 0)
      .sort((a, b) => b.count - a.count || (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0));
    const shown = counts.slice(0, top);
    const hidden = counts.slice(top);
    return {
      subject: s.subject,
      total: s.total,
      top: shown,
      others: {
        syscalls: hidden.length + s.rest.syscalls,
        count: hidden.reduce((n, c) => n + c.count, 0) + s.rest.total,
      },
    };
  });
  return {
    source,
    state,
    totalEvents: frame?.totalEvents ?? 0,
    dropped: frame?.dropped ?? { overflow: 0, late: 0, malformed: 0 },
    restartGaps: (frame?.gaps ?? [])
      .filter((g) => g.reason === 'tracer-restart')
      .reduce((n, g) => n + (g.to - g.from + 1), 0),
    subjects,
  };
}

function subjectLabel(subject: Subject): string {
  switch (subject.kind) {
    case 'container':
      return subject.name === null
        ? `container ${subject.id}`
        : `${sanitizeForTerminal(subject.name)} (${subject.id})`;
    case 'host':
      return 'host (processes outside containers)';
    case 'unattributed':
      return 'unattributed (sysdig could not tell the container)';
    default:
      return assertNever(subject, 'subject');
  }
}

/** The text `bulkhead syscalls` prints: per subject (containers, host, unattributed) its top syscalls. */
export function formatSyscallSummary(summary: SyscallSummary): string {
  const lines: string[] = [
    `Source: ${sanitizeForTerminal(summary.source)} — ${summary.totalEvents} events, ${summary.subjects.length} subject(s)`,
  ];
  const { overflow, late, malformed } = summary.dropped;
  if (overflow + late + malformed > 0) {
    lines.push(`Dropped: ${overflow} over the key bound, ${late} late, ${malformed} malformed lines`);
  }
  if (summary.restartGaps > 0) {
    lines.push(
      `The tracer was down and restarted for ${summary.restartGaps} s; those seconds are not counted.`,
    );
  }
  if (summary.subjects.length === 0) lines.push('No syscalls.');
  for (const s of summary.subjects) {
    lines.push('', `${subjectLabel(s.subject)}  ${s.total} syscalls`);
    const names = s.top.map((c) => sanitizeForTerminal(c.syscall));
    const width = Math.max(8, ...names.map((n) => n.length));
    s.top.forEach((c, i) => lines.push(`  ${names[i]!.padEnd(width)} ${String(c.count).padStart(10)}`));
    if (s.others.syscalls > 0) {
      lines.push(`  ${`(${s.others.syscalls} more)`.padEnd(width)} ${String(s.others.count).padStart(10)}`);
    }
  }
  return lines.join('\n');
}
