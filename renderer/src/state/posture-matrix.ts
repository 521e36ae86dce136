import type { ContainerId } from '../../../shared/domain/ids.js';
import { SEVERITIES } from '../../../shared/domain/posture/model.js';
import type { Finding, Severity } from '../../../shared/domain/posture/model.js';
import type { Grade } from '../../../shared/domain/posture/score.js';
import type { ContainerPostureEntry, PostureReport } from '../../../shared/ipc/contract.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import { cardPosture } from './posture.js';
import type { PostureProblem } from './posture.js';

/**
 * The posture matrix as data: containers as columns, checks as rows, and the sorting, filtering and
 * keyboard movement over them. Pure; the component memoises on the report's identity.
 */

/** One check (a row): what every container's cell in that row is a verdict of. */
export interface MatrixRow {
  readonly ruleId: string;
  readonly title: string;
  readonly cisId: string | null;
  readonly severity: Severity;
}

/** One container (a column). */
export interface MatrixColumn {
  readonly id: ContainerId;
  readonly name: string;
  /** null when the container could not be assessed (then `problem` says why). */
  readonly score: number | null;
  readonly grade: Grade | null;
  readonly problem: PostureProblem | null;
  /** True for an assessed container without a running process (no kernel evidence). */
  readonly notRunning: boolean;
  /** Notes on missing evidence (inspect fields, unreadable /proc files), shown next to the grade. */
  readonly notes: readonly string[];
  /** The container's finding per rule id. */
  readonly cells: ReadonlyMap<string, Finding>;
}

/** How the columns are ordered. */
export type ColumnSort = 'name' | 'score-asc' | 'score-desc';

/** The sort choices in the order the toolbar offers them. */
export const COLUMN_SORTS: readonly { readonly id: ColumnSort; readonly label: string }[] = [
  { id: 'score-asc', label: 'Score, worst first' },
  { id: 'score-desc', label: 'Score, best first' },
  { id: 'name', label: 'Name' },
];

const EMPTY_CELLS: ReadonlyMap<string, Finding> = new Map();

function rowOf(f: Finding): MatrixRow {
  return { ruleId: f.ruleId, title: f.title, cisId: f.cisId, severity: f.severity };
}

/** One column per report entry, in report order; entries that could not be assessed keep their column. */
export function buildColumns(report: PostureReport): readonly MatrixColumn[] {
  return report.containers.map((entry) => columnOf(entry, report));
}

function columnOf(entry: ContainerPostureEntry, report: PostureReport): MatrixColumn {
  const card = cardPosture(entry, report);
  const name = entry.name === '' ? entry.id.slice(0, 12) : entry.name;
  if (entry.result.state !== 'assessed' || card.kind !== 'assessed') {
    return {
      id: entry.id,
      name,
      score: null,
      grade: null,
      problem: card.kind === 'error' ? card.problem : null,
      notRunning: false,
      notes: [],
      cells: EMPTY_CELLS,
    };
  }
  return {
    id: entry.id,
    name,
    score: entry.result.score.value,
    grade: entry.result.score.grade,
    problem: null,
    notRunning: card.notRunning !== null,
    notes: card.notes,
    cells: new Map(entry.result.findings.map((f) => [f.ruleId, f])),
  };
}

/**
 * The runtime checks: every rule any assessed container reports, in the engine's rule order (the order of
 * first appearance), so rows keep their place when containers come and go.
 */
export function buildRuntimeRows(report: PostureReport): readonly MatrixRow[] {
  const rows = new Map<string, MatrixRow>();
  for (const entry of report.containers) {
    if (entry.result.state !== 'assessed') continue;
    for (const f of entry.result.findings) if (!rows.has(f.ruleId)) rows.set(f.ruleId, rowOf(f));
  }
  return [...rows.values()];
}

/** The host/engine checks (the daemon findings); empty when the engine could not be assessed. */
export function buildHostRows(report: PostureReport): readonly MatrixRow[] {
  return report.engine.state === 'assessed' ? report.engine.findings.map(rowOf) : [];
}

function compareNames(a: MatrixColumn, b: MatrixColumn): number {
  return a.name.localeCompare(b.name, 'en') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Columns in the chosen order. By score, containers without a score (not assessed) go last either way,
 * and ties keep name order so the matrix does not shuffle on refresh.
 */
export function sortColumns(columns: readonly MatrixColumn[], sort: ColumnSort): readonly MatrixColumn[] {
  const byScore = (direction: 1 | -1) => (a: MatrixColumn, b: MatrixColumn) => {
    if (a.score === null || b.score === null) {
      if (a.score === b.score) return compareNames(a, b);
      return a.score === null ? 1 : -1;
    }
    return (a.score - b.score) * direction || compareNames(a, b);
  };
  switch (sort) {
    case 'name':
      return [...columns].sort(compareNames);
    case 'score-asc':
      return [...columns].sort(byScore(1));
    case 'score-desc':
      return [...columns].sort(byScore(-1));
    default:
      return assertNever(sort, 'column sort');
  }
}

/** What the filters let through. */
export interface RowFilter {
  /** Severities shown; every severity when all are selected. */
  readonly severities: readonly Severity[];
  /** Matched, case-insensitively, against the rule id, the title and the CIS id. */
  readonly text: string;
}

export const NO_FILTER: RowFilter = { severities: SEVERITIES, text: '' };

/** Whether a row passes the check text filter (`5.22`, `CIS 5.22`, `seccomp`, `Seccomp filter`). */
export function matchesCheck(row: MatrixRow, text: string): boolean {
  const needle = text
    .trim()
    .toLowerCase()
    .replace(/^cis\s*/, '');
  if (needle === '') return true;
  return (
    row.ruleId.toLowerCase().includes(needle) ||
    row.title.toLowerCase().includes(needle) ||
    (row.cisId !== null && row.cisId.toLowerCase().includes(needle))
  );
}

/** The rows the filter lets through, and how many it hides. */
export function filterRows(
  rows: readonly MatrixRow[],
  filter: RowFilter,
): { readonly visible: readonly MatrixRow[]; readonly hidden: number } {
  const visible = rows.filter(
    (row) => filter.severities.includes(row.severity) && matchesCheck(row, filter.text),
  );
  return { visible, hidden: rows.length - visible.length };
}

/** Whether any filter is narrowing the rows. */
export function isFiltering(filter: RowFilter): boolean {
  return filter.severities.length !== SEVERITIES.length || filter.text.trim() !== '';
}

/** Toggle one severity chip, keeping the severities in their canonical order. */
export function toggleSeverity(selected: readonly Severity[], severity: Severity): readonly Severity[] {
  const next = selected.includes(severity) ? selected.filter((s) => s !== severity) : [...selected, severity];
  return SEVERITIES.filter((s) => next.includes(s));
}

/** `Showing 12 of 40 checks · 28 hidden by filters` */
export function hiddenText(shown: number, hidden: number): string {
  const total = shown + hidden;
  const checks = total === 1 ? 'check' : 'checks';
  if (hidden === 0) return `${total} ${checks}`;
  return `Showing ${shown} of ${total} ${checks} · ${hidden} hidden by filters`;
}

// ---------------------------------------------------------------------------------------------------------
// Keyboard movement over the cells
// ---------------------------------------------------------------------------------------------------------

/** A cell position. */
export interface CellPosition {
  readonly row: number;
  readonly col: number;
}

/**
 * The cell to focus after a key press in a `rows × cols` grid, or null for keys that do not move.
 *
 * Arrows move one cell (stopping at the edges), Home/End go to the first/last cell of the row,
 * Ctrl+Home/Ctrl+End to the first/last cell of the grid, PageUp/PageDown move `page` rows.
 */
export function moveCell(
  at: CellPosition,
  key: string,
  size: { readonly rows: number; readonly cols: number },
  opts: { readonly ctrl?: boolean; readonly page?: number } = {},
): CellPosition | null {
  if (size.rows <= 0 || size.cols <= 0) return null;
  const clamp = (v: number, n: number): number => Math.min(Math.max(v, 0), n - 1);
  const row = clamp(at.row, size.rows);
  const col = clamp(at.col, size.cols);
  const page = opts.page ?? 10;
  switch (key) {
    case 'ArrowUp':
      return { row: clamp(row - 1, size.rows), col };
    case 'ArrowDown':
      return { row: clamp(row + 1, size.rows), col };
    case 'ArrowLeft':
      return { row, col: clamp(col - 1, size.cols) };
    case 'ArrowRight':
      return { row, col: clamp(col + 1, size.cols) };
    case 'Home':
      return opts.ctrl === true ? { row: 0, col: 0 } : { row, col: 0 };
    case 'End':
      return opts.ctrl === true ? { row: size.rows - 1, col: size.cols - 1 } : { row, col: size.cols - 1 };
    case 'PageUp':
      return { row: clamp(row - page, size.rows), col };
    case 'PageDown':
      return { row: clamp(row + page, size.rows), col };
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The view switch
// ---------------------------------------------------------------------------------------------------------

/** The two main views. */
export type MainView = 'containers' | 'matrix' | 'syscalls';

/** The views in tab order, with their labels. */
export const MAIN_VIEWS: readonly { readonly id: MainView; readonly label: string }[] = [
  { id: 'containers', label: 'Containers' },
  { id: 'matrix', label: 'Posture matrix' },
  { id: 'syscalls', label: 'Syscalls' },
];

/** The remembered view; anything unrecognised (nothing stored, an old value) is the container view. */
export function parseStoredView(value: string | null): MainView {
  return value === 'matrix' || value === 'syscalls' ? value : 'containers';
}

/** The remembered column sort; the default puts the worst containers first. */
export function parseStoredSort(value: string | null): ColumnSort {
  return value === 'name' || value === 'score-desc' || value === 'score-asc' ? value : 'score-asc';
}
