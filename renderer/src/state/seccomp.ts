import { DEFAULT_QUIET_SECONDS } from '../../../shared/domain/seccomp/phases.js';
import type { PhaseBoundary } from '../../../shared/domain/seccomp/phases.js';
import type { SeccompReport } from '../../../shared/domain/seccomp/report.js';
import type { ErrorData, Result } from '../../../shared/ipc/result.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import type { IconName, Tone } from './status.js';

/**
 * The seccomp profile panel of a subject's detail, as the renderer knows it, and the pure functions that
 * move and describe it.
 *
 * A profile is asked for one subject (its token: sysdig's container id, `host` or `<NA>`) of one
 * subscription; entries are kept per (subscription, subject), so switching between subjects' details keeps
 * each one's profile, and they are dropped when the subscription changes (the engine disposed its totals).
 * Everything shown comes from the engine's report as text: names, sentences and reasons are never markup.
 */

/** The subject a profile is generated for, in one subscription. */
export interface SeccompTarget {
  readonly subId: string;
  /** `SubjectView.key`: the subject token the engine's `seccomp:generate` takes. */
  readonly subject: string;
}

/** What every entry carries: whose profile, which request, and the quiet seconds it was asked with. */
interface EntryBase {
  readonly target: SeccompTarget;
  readonly seq: number;
  readonly quietSeconds: number;
}

/** One subject's profile: being generated, generated, or refused. */
export type SeccompEntry =
  | (EntryBase & {
      readonly status: 'generating';
      /** The profile generated before (shown, marked as being regenerated), or null. */
      readonly report: SeccompReport | null;
    })
  | (EntryBase & { readonly status: 'ready'; readonly report: SeccompReport })
  | (EntryBase & { readonly status: 'failed'; readonly error: ErrorData });

/** Every profile asked for in the current subscription. */
export interface SeccompState {
  /** Keyed by {@link seccompKey}. */
  readonly entries: Readonly<Record<string, SeccompEntry>>;
  /** Number of the newest generate request sent (answers to older ones are ignored). */
  readonly requested: number;
}

export const initialSeccompState: SeccompState = { entries: {}, requested: 0 };

/** Bounds of the quiet-seconds input (the contract's schema takes the same). */
export const MIN_QUIET_SECONDS = 1;
export const MAX_QUIET_SECONDS = 3600;
export { DEFAULT_QUIET_SECONDS };

/** The key of a target's entry. */
export function seccompKey(target: SeccompTarget): string {
  return JSON.stringify([target.subId, target.subject]);
}

/** The entry of a target, or null (also when there is no subscription yet). */
export function entryFor(state: SeccompState, subId: string | null, subject: string): SeccompEntry | null {
  if (subId === null) return null;
  return state.entries[seccompKey({ subId, subject })] ?? null;
}

/** Record that a generate request went out for `target`; a profile generated before stays on screen. */
export function beginGenerate(
  state: SeccompState,
  target: SeccompTarget,
  quietSeconds: number,
): { readonly state: SeccompState; readonly seq: number } {
  const seq = state.requested + 1;
  const key = seccompKey(target);
  const old = state.entries[key];
  const report = old === undefined || old.status === 'failed' ? null : old.report;
  return {
    seq,
    state: {
      requested: seq,
      entries: { ...state.entries, [key]: { status: 'generating', target, seq, quietSeconds, report } },
    },
  };
}

/** Apply the answer to generate request `seq`; an answer overtaken by a newer request is ignored. */
export function applyGenerateResult(
  state: SeccompState,
  target: SeccompTarget,
  seq: number,
  result: Result<SeccompReport>,
): SeccompState {
  const key = seccompKey(target);
  const entry = state.entries[key];
  if (entry?.status !== 'generating' || entry.seq !== seq) return state;
  const next: SeccompEntry = result.ok
    ? { status: 'ready', target, seq, quietSeconds: entry.quietSeconds, report: result.value }
    : { status: 'failed', target, seq, quietSeconds: entry.quietSeconds, error: result.error };
  return { ...state, entries: { ...state.entries, [key]: next } };
}

/** Drop the entries of every subscription but `subId` (all of them for null). */
export function keepSubscription(state: SeccompState, subId: string | null): SeccompState {
  const kept = Object.entries(state.entries).filter(([, entry]) => entry.target.subId === subId);
  if (kept.length === Object.keys(state.entries).length) return state;
  return { ...state, entries: Object.fromEntries(kept) };
}

/** What the quiet-seconds box holds: a whole number of seconds in range, or why not. */
export type QuietSecondsInput =
  { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/** Read the quiet-seconds box (1–3600 whole seconds). */
export function parseQuietSeconds(text: string): QuietSecondsInput {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(value) || value < MIN_QUIET_SECONDS || value > MAX_QUIET_SECONDS)
    return {
      ok: false,
      message: `Quiet seconds must be a whole number from ${MIN_QUIET_SECONDS} to ${MAX_QUIET_SECONDS}.`,
    };
  return { ok: true, value };
}

/** Longest part of a download's file name taken from the subject's name. */
export const MAX_FILE_STEM = 64;

/**
 * The file name of a downloaded profile: `seccomp-<name>.json` (`-running` for the running phase).
 *
 * Container names are chosen by whoever created the container: only `[A-Za-z0-9._-]` is kept (anything
 * else becomes `-`), leading and trailing dots and dashes are dropped, and the name is cut to
 * {@link MAX_FILE_STEM} characters; an empty result becomes `profile`.
 */
export function profileFileName(name: string, phase: 'whole' | 'running'): string {
  const stem =
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[.-]+/, '')
      .slice(0, MAX_FILE_STEM)
      .replace(/[.-]+$/, '') || 'profile';
  return `seccomp-${stem}${phase === 'running' ? '-running' : ''}.json`;
}

/** `HH:MM:SS` (UTC) of an epoch second, as the syscall charts label their axes. */
export function clockOf(second: number): string {
  return new Date(second * 1000).toISOString().slice(11, 19);
}

/**
 * A sentence split before its figure ("…allows: " and "−88 %"), so the figure can be kept on one line.
 *
 * Sentences without `: ` come back whole, as the head.
 */
export function sentenceParts(sentence: string): { readonly head: string; readonly figure: string } {
  const at = sentence.lastIndexOf(': ');
  if (at < 0) return { head: sentence, figure: '' };
  return { head: sentence.slice(0, at + 2), figure: sentence.slice(at + 2) };
}

/** A collapsible list of syscall names with its meaning spelled out (the tone only repeats it). */
export interface NameList {
  readonly id: 'observed-allowed' | 'observed-blocked' | 'allowed-unused';
  readonly title: string;
  /** Sorted names; `conditional` ones are allowed only for some argument values. */
  readonly names: readonly string[];
  readonly conditional: readonly string[];
  readonly tone: Tone;
  readonly icon: IconName;
}

/** The comparison with Docker's default profile, ready to show. */
export type VersusDefaultView =
  | {
      readonly available: true;
      /** The engine's sentence ("this profile allows 34 of the 295 syscalls the default allows: −88 %"). */
      readonly sentence: string;
      readonly path: string;
      readonly allowed: number;
      readonly defaultAllowed: number;
      readonly reductionPct: number | null;
      readonly lists: readonly NameList[];
    }
  | { readonly available: false; readonly reason: string };

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The generated profile against Docker's default: the sentence and the three lists. */
export function versusDefaultView(report: SeccompReport): VersusDefaultView {
  const v = report.versusDefault;
  if (!v.available) return { available: false, reason: v.reason };
  const d = v.comparison.defaultProfile;
  const r = v.comparison.reduction;
  return {
    available: true,
    sentence: r.sentence,
    path: v.path,
    allowed: r.allowed,
    defaultAllowed: r.defaultAllowed,
    reductionPct: r.reductionPct,
    lists: [
      {
        id: 'observed-allowed',
        title: 'Observed and allowed by the default',
        names: [...d.observedAllowed, ...d.observedConditional].sort(byName),
        conditional: d.observedConditional,
        tone: 'ok',
        icon: 'check',
      },
      {
        id: 'observed-blocked',
        title: 'Observed but blocked by the default: would fail',
        names: d.observedBlocked,
        conditional: [],
        tone: d.observedBlocked.length > 0 ? 'bad' : 'neutral',
        icon: 'alert',
      },
      {
        id: 'allowed-unused',
        title: 'Allowed by the default but never used: attack surface left open',
        names: d.allowedUnused,
        conditional: [],
        tone: d.allowedUnused.length > 0 ? 'warn' : 'neutral',
        icon: 'circle',
      },
    ],
  };
}

/** What the generated profile holds besides the observed names, and what it left out. */
export interface ProfileContents {
  readonly allowed: number;
  readonly observedEvents: number;
  readonly observedNames: number;
  /** Names added for the runtime (runc's calls between installing the filter and exec). */
  readonly runtimeAdded: readonly string[];
  /** Names unknown to the architecture's table: left out (a newer syscall would be denied). */
  readonly unknown: readonly string[];
  /** Non-syscall events (sysdig's `switch`, `procexit` …): left out. */
  readonly ignored: readonly string[];
  /** Observed names excluded on purpose. */
  readonly excluded: readonly string[];
  /** sysdig spellings mapped onto kernel names, as `from → to`. */
  readonly aliased: readonly string[];
}

/** The generated profile's contents, from its metadata. */
export function profileContents(report: SeccompReport): ProfileContents {
  const m = report.whole.metadata;
  return {
    allowed: m.allowed.length,
    observedEvents: report.observedEvents,
    observedNames: report.observedNames,
    runtimeAdded: m.runtimeAdded,
    unknown: m.unknown,
    ignored: m.ignored,
    excluded: m.excluded,
    aliased: m.aliased.map((a) => `${a.from} → ${a.to}`),
  };
}

/** Where the running phase starts, and why there, in words. */
export function boundaryText(boundary: PhaseBoundary, quietSeconds: number): string {
  switch (boundary.kind) {
    case 'health':
      return `the health check turned healthy at ${clockOf(boundary.second)}: the running phase starts there`;
    case 'quiet':
      return `no new syscall for ${boundary.quietSeconds} s after ${clockOf(boundary.lastGrowth)}: the running phase starts at ${clockOf(boundary.second)}`;
    case 'none-yet':
      return boundary.lastGrowth === null
        ? 'not yet: no syscall was seen'
        : `not yet: new syscalls were still appearing (the last new one at ${clockOf(boundary.lastGrowth)}, then ${boundary.quietFor} s without one; ${quietSeconds} s needed)`;
    default:
      return assertNever(boundary, 'phase boundary');
  }
}

/** The split into start-up and running phase, ready to show. */
export type SplitView =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true;
      readonly boundaryKind: PhaseBoundary['kind'];
      readonly boundary: string;
      readonly startupCount: number;
      readonly runningCount: number;
      readonly startupOnly: readonly string[];
      /** "the running-phase profile allows 20 of the 34 syscalls the whole-life profile allows: −41 %"; null before a boundary. */
      readonly sentence: string | null;
      /** What the container's health check said, as the engine wrote it; null when it was not asked. */
      readonly health: string | null;
    };

/** The split-phase part of a report; `quietSeconds` is what the report was asked with. */
export function splitView(report: SeccompReport, quietSeconds: number): SplitView {
  const p = report.phases;
  if (p === null)
    return {
      available: false,
      reason:
        'This source cannot say when each syscall was seen (a recording keeps totals only): no split into phases.',
    };
  return {
    available: true,
    boundaryKind: p.boundary.kind,
    boundary: boundaryText(p.boundary, quietSeconds),
    startupCount: p.startupSet.length,
    runningCount: p.runningSet.length,
    startupOnly: p.startupOnly,
    sentence: p.reduction?.sentence ?? null,
    health: p.health?.basis ?? null,
  };
}

/** A profile to download or copy, or why there is none. */
export type ProfileExport =
  | { readonly available: true; readonly json: string; readonly fileName: string }
  | { readonly available: false; readonly reason: string };

/** The two profiles of a report as files named after the subject (`label`). */
export function profileExports(
  report: SeccompReport,
  label: string,
): { readonly whole: ProfileExport; readonly running: ProfileExport } {
  const whole: ProfileExport = {
    available: true,
    json: report.whole.json,
    fileName: profileFileName(label, 'whole'),
  };
  const p = report.phases;
  let running: ProfileExport;
  if (p === null)
    running = {
      available: false,
      reason: 'No running-phase profile: this source cannot say when each syscall was seen.',
    };
  else if (p.running === null)
    running = {
      available: false,
      reason:
        'No running-phase profile yet: new syscalls were still appearing. Lower the quiet seconds or let the source run longer, then generate again.',
    };
  else running = { available: true, json: p.running.json, fileName: profileFileName(label, 'running') };
  return { whole, running };
}

/** The status line of the panel. */
export function statusText(entry: SeccompEntry | null): string {
  if (entry === null) return 'No profile generated yet.';
  switch (entry.status) {
    case 'generating':
      return entry.report === null ? 'Generating…' : 'Generating again…';
    case 'ready':
      return `Generated from ${entry.report.observedEvents.toLocaleString('en-US')} syscalls (${entry.report.observedNames} distinct names) seen so far.`;
    case 'failed':
      return `Could not generate: ${entry.error.message}`;
    default:
      return assertNever(entry, 'seccomp entry');
  }
}
