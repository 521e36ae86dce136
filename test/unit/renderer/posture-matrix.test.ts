import { beforeAll, describe, expect, it } from 'vitest';

import { SEVERITIES } from '../../../shared/domain/posture/model.js';
import {
  NO_FILTER,
  buildColumns,
  buildHostRows,
  buildRuntimeRows,
  filterRows,
  hiddenText,
  isFiltering,
  matchesCheck,
  moveCell,
  parseStoredSort,
  parseStoredView,
  sortColumns,
  toggleSeverity,
} from '../../../renderer/src/state/posture-matrix.js';
import type { MatrixColumn } from '../../../renderer/src/state/posture-matrix.js';
import { CONTAINER_RULES } from '../../../shared/domain/posture/rules/index.js';
import { DAEMON_RULES } from '../../../shared/domain/posture/daemon-rules/index.js';
import { buildScenario } from '../../support/posture-report.js';
import type { FakePostureScenario } from '../../support/posture-report.js';

let local: FakePostureScenario;

beforeAll(async () => {
  local = await buildScenario('local', { badInput: true });
});

const names = (columns: readonly MatrixColumn[]): string[] =>
  columns.map((c) => c.name.replace('bulkhead-posture-', ''));

describe('matrix columns', () => {
  it('keeps a column for every entry, with the problem of those that could not be assessed', () => {
    const columns = buildColumns(local.report);
    expect(columns).toHaveLength(local.report.containers.length);
    const vanished = columns.find((c) => c.name.endsWith('-vanished'));
    expect(vanished?.score).toBeNull();
    expect(vanished?.problem?.title).toMatch(/disappeared/);
    expect(vanished?.cells.size).toBe(0);
    const hardened = columns.find((c) => c.name === 'bulkhead-posture-hardened');
    expect(hardened?.grade).toBe('A');
    expect(hardened?.cells.get('seccomp')?.status).toBe('pass');
    expect(columns.find((c) => c.name.endsWith('privileged'))?.notRunning).toBe(true);
    expect(hardened?.notRunning).toBe(false);
  });

  it('sorts by score ascending and descending, unassessed last either way, ties by name', () => {
    const columns = buildColumns(local.report);
    const asc = sortColumns(columns, 'score-asc');
    const desc = sortColumns(columns, 'score-desc');
    const scored = (cs: readonly MatrixColumn[]) => cs.filter((c) => c.score !== null);
    const ascScores = scored(asc).map((c) => c.score ?? 0);
    expect(ascScores).toEqual([...ascScores].sort((a, b) => a - b));
    const descScores = scored(desc).map((c) => c.score ?? 0);
    expect(descScores).toEqual([...descScores].sort((a, b) => b - a));
    for (const order of [asc, desc]) {
      const firstUnscored = order.findIndex((c) => c.score === null);
      expect(firstUnscored).toBeGreaterThan(0);
      expect(order.slice(firstUnscored).every((c) => c.score === null)).toBe(true);
    }
    expect(names(desc).indexOf('hardened')).toBeLessThan(names(desc).indexOf('sys-admin-unconfined'));
    expect(names(asc).indexOf('hardened')).toBeGreaterThan(names(asc).indexOf('sys-admin-unconfined'));
    // Equal scores (three containers score 0) keep name order.
    const zeros = asc.filter((c) => c.score === 0).map((c) => c.name);
    expect(zeros.length).toBeGreaterThan(1);
    expect(zeros).toEqual([...zeros].sort((a, b) => a.localeCompare(b, 'en')));
    // The input is not reordered in place.
    expect(columns.map((c) => c.id)).toEqual(local.report.containers.map((c) => c.id));
  });

  it('sorts by name', () => {
    const byName = sortColumns(buildColumns(local.report), 'name').map((c) => c.name);
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b, 'en')));
  });
});

describe('matrix rows', () => {
  it('has one runtime row per container rule in the engine order, and the daemon rules as host rows', () => {
    const rows = buildRuntimeRows(local.report);
    expect(rows.map((r) => r.ruleId)).toEqual(CONTAINER_RULES.map((r) => r.id));
    const seccomp = rows.find((r) => r.ruleId === 'seccomp');
    expect(seccomp).toEqual({
      ruleId: 'seccomp',
      title: 'Seccomp filter active',
      cisId: '5.22',
      severity: 'high',
    });
    expect(buildHostRows(local.report).map((r) => r.ruleId)).toEqual(DAEMON_RULES.map((r) => r.id));
  });

  it('filters by severity and counts what is hidden', () => {
    const rows = buildRuntimeRows(local.report);
    const highOnly = filterRows(rows, { severities: ['critical', 'high'], text: '' });
    expect(highOnly.visible.length).toBeGreaterThan(0);
    expect(highOnly.visible.every((r) => r.severity === 'critical' || r.severity === 'high')).toBe(true);
    expect(highOnly.visible.length + highOnly.hidden).toBe(rows.length);
    expect(filterRows(rows, NO_FILTER)).toEqual({ visible: rows, hidden: 0 });
    expect(filterRows(rows, { severities: [], text: '' }).visible).toEqual([]);
  });

  it('filters by check id, title or CIS id, case-insensitively', () => {
    const rows = buildRuntimeRows(local.report);
    const by = (text: string) =>
      filterRows(rows, { severities: SEVERITIES, text }).visible.map((r) => r.ruleId);
    expect(by('seccomp')).toEqual(['seccomp']);
    expect(by('SECCOMP FILTER')).toEqual(['seccomp']);
    expect(by('5.22')).toEqual(['seccomp']);
    expect(by('CIS 5.22')).toEqual(['seccomp']);
    expect(by('  apparmor ')).toEqual(['apparmor-profile']);
    expect(by('no such check')).toEqual([]);
    const row = rows.find((r) => r.cisId === null);
    expect(row).toBeDefined();
    if (row !== undefined) expect(matchesCheck(row, '5.')).toBe(false);
  });

  it('combines both filters', () => {
    const rows = buildRuntimeRows(local.report);
    const { visible } = filterRows(rows, { severities: ['low'], text: 'host' });
    expect(visible.every((r) => r.severity === 'low')).toBe(true);
    expect(visible.every((r) => matchesCheck(r, 'host'))).toBe(true);
  });

  it('toggles severity chips in canonical order and knows when it filters', () => {
    let selected = toggleSeverity(SEVERITIES, 'high');
    expect(selected).toEqual(['critical', 'medium', 'low', 'info']);
    expect(isFiltering({ severities: selected, text: '' })).toBe(true);
    selected = toggleSeverity(selected, 'high');
    expect(selected).toEqual(SEVERITIES);
    expect(isFiltering({ severities: selected, text: '  ' })).toBe(false);
    expect(isFiltering({ severities: selected, text: 'x' })).toBe(true);
  });

  it('says how many checks are hidden', () => {
    expect(hiddenText(40, 0)).toBe('40 checks');
    expect(hiddenText(12, 28)).toBe('Showing 12 of 40 checks · 28 hidden by filters');
    expect(hiddenText(0, 1)).toBe('Showing 0 of 1 check · 1 hidden by filters');
  });
});

describe('keyboard movement', () => {
  const size = { rows: 4, cols: 3 };
  it.each([
    ['ArrowDown', { row: 1, col: 1 }, { row: 2, col: 1 }],
    ['ArrowUp', { row: 0, col: 1 }, { row: 0, col: 1 }],
    ['ArrowRight', { row: 1, col: 2 }, { row: 1, col: 2 }],
    ['ArrowLeft', { row: 1, col: 2 }, { row: 1, col: 1 }],
    ['Home', { row: 2, col: 2 }, { row: 2, col: 0 }],
    ['End', { row: 2, col: 0 }, { row: 2, col: 2 }],
    ['PageDown', { row: 0, col: 0 }, { row: 3, col: 0 }],
    ['PageUp', { row: 3, col: 2 }, { row: 0, col: 2 }],
  ] as const)('%s from %o goes to %o', (key, from, to) => {
    expect(moveCell(from, key, size)).toEqual(to);
  });

  it('jumps to the corners with Ctrl+Home/End, ignores other keys, clamps a stale position', () => {
    expect(moveCell({ row: 2, col: 1 }, 'Home', size, { ctrl: true })).toEqual({ row: 0, col: 0 });
    expect(moveCell({ row: 0, col: 0 }, 'End', size, { ctrl: true })).toEqual({ row: 3, col: 2 });
    expect(moveCell({ row: 0, col: 0 }, 'a', size)).toBeNull();
    expect(moveCell({ row: 9, col: 9 }, 'ArrowUp', size)).toEqual({ row: 2, col: 2 });
    expect(moveCell({ row: 0, col: 0 }, 'ArrowDown', { rows: 0, cols: 3 })).toBeNull();
  });
});

describe('remembered choices', () => {
  it('reads back a stored view and sort, defaulting anything else', () => {
    expect(parseStoredView('matrix')).toBe('matrix');
    expect(parseStoredView('containers')).toBe('containers');
    expect(parseStoredView(null)).toBe('containers');
    expect(parseStoredView('<script>')).toBe('containers');
    expect(parseStoredSort('name')).toBe('name');
    expect(parseStoredSort('score-desc')).toBe('score-desc');
    expect(parseStoredSort(null)).toBe('score-asc');
    expect(parseStoredSort('bogus')).toBe('score-asc');
  });
});
