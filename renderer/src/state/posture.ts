import type { ContainerId } from '../../../shared/domain/ids.js';
import type { EvidenceKind, Finding, FindingStatus, Severity } from '../../../shared/domain/posture/model.js';
import { SEVERITIES } from '../../../shared/domain/posture/model.js';
import type { Grade, PostureScore } from '../../../shared/domain/posture/score.js';
import type { ContainerPostureEntry, PostureReport } from '../../../shared/ipc/contract.js';
import type { ErrorCode, ErrorData, Result } from '../../../shared/ipc/result.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import type { Tone } from './status.js';

/**
 * The posture report as the renderer knows it, and the pure functions the cards, the matrix and the
 * evidence panel are drawn from.
 *
 * Requests are numbered like `containers:list`: an answer overtaken by a newer request is ignored, and the
 * last good report stays on screen while a refresh is in flight.
 */
export interface PostureState {
  readonly report: PostureReport | null;
  /** Why the newest answered request failed; null after a success. */
  readonly error: ErrorData | null;
  /** Number of the newest request sent. */
  readonly requested: number;
  /** Number of the newest request whose answer was applied. */
  readonly applied: number;
}

export const initialPostureState: PostureState = { report: null, error: null, requested: 0, applied: 0 };

/** Whether an answer is still awaited for the newest request. */
export function isPostureLoading(state: PostureState): boolean {
  return state.requested > state.applied;
}

/** Record that a `posture:assess` went out; returns its number with the new state (the report is kept). */
export function beginPostureRequest(state: PostureState): {
  readonly state: PostureState;
  readonly seq: number;
} {
  const seq = state.requested + 1;
  return { state: { ...state, requested: seq }, seq };
}

/**
 * Apply the answer to request `seq`.
 *
 * Out-of-date answers (an older request answering after a newer one was applied) are ignored. A lost
 * transport keeps the last report (the banner says the view is not live). Any other failure drops the
 * report: verdicts about containers the engine can no longer vouch for must not look current.
 */
export function applyPostureResult(
  state: PostureState,
  seq: number,
  result: Result<PostureReport>,
): PostureState {
  if (seq <= state.applied) return state;
  if (result.ok) return { ...state, report: result.value, error: null, applied: seq };
  if (result.error.code === 'transport-closed' && state.report !== null)
    return { ...state, error: result.error, applied: seq };
  return { ...state, report: null, error: result.error, applied: seq };
}

const entryIndex = new WeakMap<PostureReport, ReadonlyMap<string, ContainerPostureEntry>>();

/** The report's entry for a container, found through an index built once per report. */
export function entryFor(report: PostureReport | null, id: ContainerId): ContainerPostureEntry | null {
  if (report === null) return null;
  let index = entryIndex.get(report);
  if (index === undefined) {
    index = new Map(report.containers.map((entry) => [entry.id, entry]));
    entryIndex.set(report, index);
  }
  return index.get(id) ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Statuses, severities, grades
// ---------------------------------------------------------------------------------------------------------

/** How a finding status is drawn: a symbol and a word (never colour alone), and the colour cue. */
export interface StatusMark {
  readonly symbol: string;
  readonly text: string;
  /** The status in a sentence, e.g. for an aria-label. */
  readonly label: string;
  readonly tone: Tone;
}

/** ✓ pass, ! warn, ✕ fail, i info, – n/a. */
export function statusMark(status: FindingStatus): StatusMark {
  switch (status) {
    case 'pass':
      return { symbol: '✓', text: 'pass', label: 'pass', tone: 'ok' };
    case 'warn':
      return { symbol: '!', text: 'warn', label: 'warning', tone: 'warn' };
    case 'fail':
      return { symbol: '✕', text: 'fail', label: 'fail', tone: 'bad' };
    case 'info':
      return { symbol: 'i', text: 'info', label: 'information only', tone: 'pending' };
    case 'na':
      return { symbol: '–', text: 'n/a', label: 'not applicable', tone: 'neutral' };
    default:
      return assertNever(status, 'finding status');
  }
}

/** 0 for critical … 4 for info: lower is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The colour cue of a grade (the letter is always shown). */
export function gradeTone(grade: Grade): Tone {
  switch (grade) {
    case 'A':
    case 'B':
      return 'ok';
    case 'C':
      return 'warn';
    case 'D':
    case 'F':
      return 'bad';
    default:
      return assertNever(grade, 'grade');
  }
}

/** Statuses in the order a reader wants them: what failed first, what does not apply last. */
export const STATUS_ORDER: readonly FindingStatus[] = ['fail', 'warn', 'info', 'pass', 'na'];

/**
 * Findings sorted for reading: by status (fail, warn, info, pass, n/a), then severity (critical first),
 * then the engine's rule order.
 */
export function sortFindings(findings: readonly Finding[]): readonly Finding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        STATUS_ORDER.indexOf(a.finding.status) - STATUS_ORDER.indexOf(b.finding.status) ||
        severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

/** The `count` worst failing findings: most severe first, then in rule order. */
export function worstFailing(findings: readonly Finding[], count = 3): readonly Finding[] {
  return sortFindings(findings.filter((f) => f.status === 'fail')).slice(0, count);
}

// ---------------------------------------------------------------------------------------------------------
// Evidence kind
// ---------------------------------------------------------------------------------------------------------

/** Why a whole report rests on configuration only, or null when it carries kernel evidence. */
export function reportConfigurationReason(report: PostureReport): string | null {
  if (report.evidenceKind !== 'configuration-only') return null;
  if (report.source.kind === 'demo') return 'demo data: recorded configuration, no kernel evidence';
  return 'remote engine: this machine cannot see its kernel';
}

/** Whether the evidence was recorded earlier (demo data) rather than read now. */
export function isRecorded(report: PostureReport): boolean {
  return report.source.kind === 'demo';
}

/** The words for an evidence kind; recorded (demo) kernel evidence says so. */
export function evidenceKindText(kind: EvidenceKind, recorded = false): string {
  switch (kind) {
    case 'kernel':
      return recorded ? 'kernel evidence, recorded' : 'kernel evidence';
    case 'configuration-only':
      return 'configuration only';
    default:
      return assertNever(kind, 'evidence kind');
  }
}

// ---------------------------------------------------------------------------------------------------------
// One container's posture, as a card row shows it
// ---------------------------------------------------------------------------------------------------------

/** A per-container problem: a headline chosen by code, and the engine's message under it. */
export interface PostureProblem {
  readonly title: string;
  readonly message: string;
}

/** The headline for a container that could not be assessed, chosen by error code (never by message text). */
export function unavailableTitle(code: ErrorCode): string {
  switch (code) {
    case 'not-found':
      return 'Container disappeared before it could be inspected';
    case 'permission-denied':
      return 'No permission to read its evidence';
    case 'docker-unreachable':
    case 'docker-permission-denied':
    case 'docker-error':
      return 'The engine did not answer for this container';
    case 'bad-request':
    case 'unknown-channel':
    case 'untrusted-sender':
    case 'transport-closed':
    case 'demo-unavailable':
    case 'sysdig-missing':
    case 'sysdig-driver-missing':
    case 'sysdig-failed':
    case 'capture-unreadable':
    case 'bpftrace-missing':
    case 'bpftrace-failed':
    case 'disk-full':
    case 'write-failed':
    case 'report-renderer-unavailable':
    case 'chromium-missing':
    case 'internal':
      return 'Posture could not be assessed';
    default:
      return assertNever(code, 'error code');
  }
}

/**
 * The core's notes that restate what the row already shows as a state of its own (the evidence kind with
 * its reason, the not-running line), so they are not repeated as "evidence incomplete". They are the fixed
 * sentences of shared/domain/posture/evaluate.ts; test/unit/renderer/posture-state.test.ts checks that the
 * core still writes them.
 */
export const SUMMARY_NOTES: ReadonlySet<string> = new Set([
  'Not running: every verdict rests on the configuration only.',
  'Remote engine: every verdict rests on the configuration only.',
]);

/** Everything a card's posture row shows. */
export type CardPosture =
  | {
      readonly kind: 'assessed';
      readonly score: PostureScore;
      readonly total: number;
      readonly worst: readonly Finding[];
      readonly evidenceKind: EvidenceKind;
      /** Why the evidence is configuration only for the whole report (remote, demo), or null. */
      readonly configurationReason: string | null;
      /** Demo data: the evidence was recorded when the scenario was made, not read now. */
      readonly recorded: boolean;
      /** `created, not running: no kernel evidence` for a container without a process; else null. */
      readonly notRunning: string | null;
      /** The core's notes on missing evidence (inspect fields, unreadable /proc files), SUMMARY_NOTES left out. */
      readonly notes: readonly string[];
    }
  | { readonly kind: 'error'; readonly problem: PostureProblem }
  /** The report has no entry for the container (it appeared after the last assessment). */
  | { readonly kind: 'missing' };

/** The line a container without a running process gets instead of kernel evidence. */
export function notRunningText(state: string): string {
  return `${state === '' ? 'not started' : state}, not running: no kernel evidence`;
}

/** The card row for one container from its report entry (null when the report does not list it). */
export function cardPosture(entry: ContainerPostureEntry | null, report: PostureReport): CardPosture {
  if (entry === null) return { kind: 'missing' };
  const result = entry.result;
  switch (result.state) {
    case 'unavailable':
      return {
        kind: 'error',
        problem: { title: unavailableTitle(result.error.code), message: result.error.message },
      };
    case 'error':
      return {
        kind: 'error',
        problem: { title: 'The inspect document could not be read', message: result.error.message },
      };
    case 'assessed': {
      const configurationReason = reportConfigurationReason(report);
      const notRunning =
        result.snapshot.running || configurationReason !== null
          ? null
          : notRunningText(result.snapshot.state);
      return {
        kind: 'assessed',
        score: result.score,
        total: result.findings.length,
        worst: worstFailing(result.findings),
        evidenceKind: configurationReason === null ? result.evidenceKind : 'configuration-only',
        configurationReason,
        recorded: isRecorded(report),
        notRunning,
        notes: result.notes.filter((note) => !SUMMARY_NOTES.has(note)),
      };
    }
    default:
      return assertNever(result, 'container posture');
  }
}

/** The score of an entry, or null when it was not assessed. */
export function entryScore(entry: ContainerPostureEntry): number | null {
  return entry.result.state === 'assessed' ? entry.result.score.value : null;
}

// ---------------------------------------------------------------------------------------------------------
// What the posture panel shows
// ---------------------------------------------------------------------------------------------------------

/** Whose finding: one container's, or the engine's (a daemon finding). */
export type FindingScope =
  { readonly kind: 'container'; readonly id: ContainerId } | { readonly kind: 'engine' };

/** What the posture panel is open on: a container's list of findings, or one finding's evidence. */
export type PostureTarget =
  | { readonly kind: 'container'; readonly id: ContainerId }
  | { readonly kind: 'finding'; readonly scope: FindingScope; readonly ruleId: string };

/** What a target resolves to in the current report (it may be gone after a refresh). */
export type ResolvedTarget =
  | { readonly kind: 'container'; readonly entry: ContainerPostureEntry }
  | {
      readonly kind: 'finding';
      readonly finding: Finding;
      /** The container's name, or `Docker engine` for a daemon finding. */
      readonly ownerName: string;
      /** The container whose findings list the panel can go back to; null for the engine. */
      readonly containerId: ContainerId | null;
    }
  | { readonly kind: 'gone'; readonly text: string };

/** Look a panel target up in the report. */
export function resolveTarget(report: PostureReport | null, target: PostureTarget): ResolvedTarget {
  if (report === null) return { kind: 'gone', text: 'No posture report is available right now.' };
  switch (target.kind) {
    case 'container': {
      const entry = entryFor(report, target.id);
      return entry === null
        ? { kind: 'gone', text: 'This container is no longer in the posture report.' }
        : { kind: 'container', entry };
    }
    case 'finding': {
      const scope = target.scope;
      switch (scope.kind) {
        case 'engine': {
          const finding =
            report.engine.state === 'assessed'
              ? report.engine.findings.find((f) => f.ruleId === target.ruleId)
              : undefined;
          return finding === undefined
            ? { kind: 'gone', text: 'The engine no longer reports this check.' }
            : { kind: 'finding', finding, ownerName: 'Docker engine', containerId: null };
        }
        case 'container': {
          const entry = entryFor(report, scope.id);
          if (entry === null)
            return { kind: 'gone', text: 'This container is no longer in the posture report.' };
          const finding =
            entry.result.state === 'assessed'
              ? entry.result.findings.find((f) => f.ruleId === target.ruleId)
              : undefined;
          return finding === undefined
            ? { kind: 'container', entry }
            : { kind: 'finding', finding, ownerName: entry.name, containerId: entry.id };
        }
        default:
          return assertNever(scope, 'finding scope');
      }
    }
    default:
      return assertNever(target, 'posture target');
  }
}
