import type { Finding, Severity } from './model.js';

/**
 * The posture score: one number and a grade per container, and the same over the daemon findings for the host.
 *
 * Formula (also in SCORE.md):
 *
 *     score = round(max(0, 100 − Σ deduction(finding)))
 *     deduction = weight(severity)        for status `fail`
 *               = weight(severity) × 0.5  for status `warn`
 *               = 0                        for `pass`, `info` and `na`
 *     weight: critical 40, high 20, medium 8, low 3, info 0
 *
 *     grade: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 55, F below 55
 *
 * One failed critical finding alone costs 40 points, so a container with one is never graded above D.
 *
 * `info` (nothing to judge, or a fact nobody could determine) and `na` (does not apply here, e.g. AppArmor
 * on a host without AppArmor) never move the score: missing evidence is shown, not punished or rewarded.
 */

/** Points a failed finding of each severity costs; a warning costs WARN_FRACTION of it. */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = {
  critical: 40,
  high: 20,
  medium: 8,
  low: 3,
  info: 0,
};

/** The share of the weight a `warn` costs. */
export const WARN_FRACTION = 0.5;

/** The grades, best first. */
export const GRADES = ['A', 'B', 'C', 'D', 'F'] as const;
/** One of GRADES. */
export type Grade = (typeof GRADES)[number];

/** Lowest score for each grade above F, best first. */
export const GRADE_THRESHOLDS: readonly (readonly [Grade, number])[] = [
  ['A', 90],
  ['B', 80],
  ['C', 70],
  ['D', 55],
];

/** A score with how it was reached. */
export interface PostureScore {
  /** 0–100, an integer. */
  readonly value: number;
  readonly grade: Grade;
  /** Each finding that cost points, largest first. */
  readonly deductions: readonly {
    readonly ruleId: string;
    readonly status: 'fail' | 'warn';
    readonly points: number;
  }[];
  readonly counts: Readonly<Record<Finding['status'], number>>;
}

/** The points one finding costs. */
export function deduction(f: Pick<Finding, 'status' | 'severity'>): number {
  if (f.status === 'fail') return SEVERITY_WEIGHTS[f.severity];
  if (f.status === 'warn') return SEVERITY_WEIGHTS[f.severity] * WARN_FRACTION;
  return 0;
}

/** The grade for a score value. */
export function gradeFor(value: number): Grade {
  for (const [grade, min] of GRADE_THRESHOLDS) if (value >= min) return grade;
  return 'F';
}

/** Score a list of findings (a container's, or the daemon's for the host score). */
export function scoreFindings(findings: readonly Finding[]): PostureScore {
  const counts: Record<Finding['status'], number> = { pass: 0, warn: 0, fail: 0, info: 0, na: 0 };
  const deductions: { ruleId: string; status: 'fail' | 'warn'; points: number }[] = [];
  let total = 0;
  for (const f of findings) {
    counts[f.status]++;
    const points = deduction(f);
    if (points > 0 && (f.status === 'fail' || f.status === 'warn')) {
      deductions.push({ ruleId: f.ruleId, status: f.status, points });
      total += points;
    }
  }
  deductions.sort((a, b) => b.points - a.points || (a.ruleId < b.ruleId ? -1 : 1));
  const value = Math.round(Math.max(0, 100 - total));
  return { value, grade: gradeFor(value), deductions, counts };
}
