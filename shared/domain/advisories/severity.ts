import type { OsvSeverity } from './osv.js';

/**
 * How bad an advisory is, from what the record states: a CVSS v3 vector (scored here with the CVSS 3.1
 * base-score formula), an Ubuntu priority, or a database's own word (GHSA `severity`, Debian `urgency`).
 */

export const ADVISORY_SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type AdvisorySeverity = (typeof ADVISORY_SEVERITIES)[number];

/** A severity with what it rests on. */
export interface SeverityAssessment {
  readonly level: AdvisorySeverity;
  /** The CVSS base score when the level comes from a CVSS v3 vector. */
  readonly score: number | null;
  /** What the level rests on, e.g. `CVSS:3.1/AV:N/…` or `ecosystem_specific: low`. */
  readonly basis: string;
}

const AV: Readonly<Record<string, number>> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Readonly<Record<string, number>> = { L: 0.77, H: 0.44 };
const UI: Readonly<Record<string, number>> = { N: 0.85, R: 0.62 };
const CIA: Readonly<Record<string, number>> = { H: 0.56, L: 0.22, N: 0 };

/** CVSS 3.1 Roundup: the smallest number with one decimal that is >= the input, free of float noise. */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/**
 * The CVSS v3 base score of a vector (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` → 9.8), or null when the
 * vector is not a complete v3 base vector.
 */
export function cvss3BaseScore(vector: string): number | null {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return null;
  const m = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const [k, v] = p.split(':');
    if (k === undefined || v === undefined) return null;
    m.set(k, v);
  }
  const scope = m.get('S');
  const av = AV[m.get('AV') ?? ''];
  const ac = AC[m.get('AC') ?? ''];
  const ui = UI[m.get('UI') ?? ''];
  const c = CIA[m.get('C') ?? ''];
  const i = CIA[m.get('I') ?? ''];
  const a = CIA[m.get('A') ?? ''];
  const prKey = m.get('PR');
  if (scope !== 'U' && scope !== 'C') return null;
  const changed = scope === 'C';
  const pr =
    prKey === 'N'
      ? 0.85
      : prKey === 'L'
        ? changed
          ? 0.68
          : 0.62
        : prKey === 'H'
          ? changed
            ? 0.5
            : 0.27
          : undefined;
  if (av === undefined || ac === undefined || ui === undefined || pr === undefined) return null;
  if (c === undefined || i === undefined || a === undefined) return null;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av * ac * pr * ui;
  return changed
    ? roundUp(Math.min(1.08 * (impact + exploitability), 10))
    : roundUp(Math.min(impact + exploitability, 10));
}

/** The qualitative rating of a CVSS v3 score (CVSS 3.1 specification, table 14). */
export function cvssRating(score: number): AdvisorySeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'negligible';
}

/** Severity words used by databases (GHSA, Ubuntu priorities, Debian urgencies). */
function fromWord(word: string): AdvisorySeverity | null {
  const w = word.trim().toLowerCase().replace(/\*+$/, '');
  if (w === 'critical') return 'critical';
  if (w === 'high' || w === 'important') return 'high';
  if (w === 'medium' || w === 'moderate') return 'medium';
  if (w === 'low') return 'low';
  if (w === 'negligible' || w === 'unimportant') return 'negligible';
  return null;
}

/**
 * The severity of an advisory for one affected package: package-level entries first (the schema says
 * they replace record-level ones), CVSS v3 before a database's own word; `unknown` when nothing usable.
 */
export function assessSeverity(
  affectedSeverity: readonly OsvSeverity[],
  recordSeverity: readonly OsvSeverity[],
): SeverityAssessment {
  const all = [...affectedSeverity, ...recordSeverity];
  for (const s of all) {
    if (s.type !== 'CVSS_V3') continue;
    const score = cvss3BaseScore(s.score);
    if (score !== null) return { level: cvssRating(score), score, basis: s.score };
  }
  for (const s of all) {
    if (s.type === 'CVSS_V3' || s.type === 'CVSS_V2' || s.type === 'CVSS_V4') continue;
    const level = fromWord(s.score);
    if (level !== null) return { level, score: null, basis: `${s.type}: ${s.score}` };
  }
  const vector = all.find((s) => s.type.startsWith('CVSS_'));
  return {
    level: 'unknown',
    score: null,
    basis:
      vector !== undefined ? `${vector.type} ${vector.score} (not scored)` : 'no severity in the advisory',
  };
}
