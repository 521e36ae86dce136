import { memo, useMemo, useRef, useState } from 'react';
import type { FocusEvent, KeyboardEvent, MouseEvent, ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { ContainerId } from '../../../shared/domain/ids.js';
import { SEVERITIES } from '../../../shared/domain/posture/model.js';
import type { Finding } from '../../../shared/domain/posture/model.js';
import type { PostureReport } from '../../../shared/ipc/contract.js';
import {
  COLUMN_SORTS,
  buildColumns,
  buildHostRows,
  buildRuntimeRows,
  filterRows,
  hiddenText,
  isFiltering,
  moveCell,
  sortColumns,
  toggleSeverity,
} from '../state/posture-matrix.js';
import type { ColumnSort, MatrixColumn, MatrixRow, RowFilter } from '../state/posture-matrix.js';
import { isPostureLoading, isRecorded, reportConfigurationReason, statusMark } from '../state/posture.js';
import { usePostureStore } from '../stores/posture-store.js';
import {
  openPosturePanel,
  setColumnSort,
  setRowFilter,
  usePostureUiStore,
} from '../stores/posture-ui-store.js';
import { DemoTag } from './DemoTag.js';
import { Icon } from './Icon.js';
import { CheckHead, EvidenceKindTag, GradeBadge, StatusMark } from './PostureBadges.js';

/**
 * The posture matrix: containers as columns, checks as rows, a cell per verdict; then the host/engine
 * section with the daemon findings and the host score.
 *
 * Rows are memoised and cells carry no handlers of their own (one delegated handler on the body), so a
 * 50 × 40 matrix re-renders only the rows whose props change: moving the focus touches two rows, hovering
 * none (hover is CSS).
 */
export function PostureMatrixView(): ReactElement {
  const { report, error, loading } = usePostureStore(
    useShallow((s) => ({ report: s.report, error: s.error, loading: isPostureLoading(s) })),
  );
  const { sort, filter } = usePostureUiStore(useShallow((s) => ({ sort: s.sort, filter: s.filter })));

  if (report === null) {
    return (
      <div
        className="placeholder"
        role="status"
        data-posture-state={error !== null ? 'unavailable' : 'loading'}
      >
        <Icon name={error !== null && !loading ? 'alert' : 'spinner'} />
        <p className="placeholder-detail">
          {error !== null && !loading
            ? `The posture report could not be loaded: ${error.message}`
            : 'Assessing container posture…'}
        </p>
      </div>
    );
  }
  return (
    <div className="posture-matrix-view">
      <MatrixToolbar report={report} sort={sort} filter={filter} loading={loading} />
      {report.containers.length === 0 ? (
        <p className="matrix-empty" role="status">
          No containers to assess on this engine.
        </p>
      ) : (
        <RuntimeMatrix report={report} sort={sort} filter={filter} />
      )}
      <HostSection report={report} filter={filter} />
    </div>
  );
}

function MatrixToolbar({
  report,
  sort,
  filter,
  loading,
}: {
  readonly report: PostureReport;
  readonly sort: ColumnSort;
  readonly filter: RowFilter;
  readonly loading: boolean;
}): ReactElement {
  const reason = reportConfigurationReason(report);
  return (
    <div className="matrix-toolbar">
      <div className="matrix-filter-group" role="group" aria-labelledby="severity-filter-label">
        <span id="severity-filter-label" className="matrix-filter-label">
          Severity
        </span>
        {SEVERITIES.map((severity) => {
          const on = filter.severities.includes(severity);
          return (
            <button
              key={severity}
              type="button"
              className={`chip severity-chip severity-${severity}`}
              aria-pressed={on}
              data-severity={severity}
              onClick={() =>
                setRowFilter((f) => ({ ...f, severities: toggleSeverity(f.severities, severity) }))
              }
            >
              <span className="chip-check" aria-hidden="true">
                {on ? '✓' : ''}
              </span>
              {severity}
            </button>
          );
        })}
      </div>
      <label className="matrix-filter-group">
        <span className="matrix-filter-label">Check</span>
        <input
          type="search"
          className="check-filter"
          placeholder="id, title or CIS id"
          value={filter.text}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setRowFilter((f) => ({ ...f, text }));
          }}
        />
      </label>
      <label className="matrix-filter-group">
        <span className="matrix-filter-label">Sort</span>
        <select
          className="column-sort"
          value={sort}
          onChange={(e) => setColumnSort(e.currentTarget.value as ColumnSort)}
        >
          {COLUMN_SORTS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      {isFiltering(filter) ? (
        <button
          type="button"
          className="posture-link"
          onClick={() => setRowFilter(() => ({ severities: SEVERITIES, text: '' }))}
        >
          Clear filters
        </button>
      ) : null}
      <span className="matrix-basis">
        <EvidenceKindTag kind={report.evidenceKind} reason={reason} recorded={isRecorded(report)} />
        {reason !== null ? <span className="matrix-basis-reason">{reason}</span> : null}
        {loading ? (
          <span className="matrix-refreshing">
            <Icon name="spinner" /> refreshing
          </span>
        ) : null}
      </span>
      <span className="matrix-legend" aria-label="Legend">
        {(['pass', 'warn', 'fail', 'info', 'na'] as const).map((status) => (
          <StatusMark key={status} status={status} />
        ))}
      </span>
    </div>
  );
}

/** The focused cell, by identity, so it survives sorting, filtering and refreshes. */
interface ActiveCell {
  readonly ruleId: string;
  readonly columnId: ContainerId;
}

function RuntimeMatrix({
  report,
  sort,
  filter,
}: {
  readonly report: PostureReport;
  readonly sort: ColumnSort;
  readonly filter: RowFilter;
}): ReactElement {
  const columns = useMemo(() => sortColumns(buildColumns(report), sort), [report, sort]);
  const allRows = useMemo(() => buildRuntimeRows(report), [report]);
  const { visible, hidden } = useMemo(() => filterRows(allRows, filter), [allRows, filter]);
  const [active, setActive] = useState<ActiveCell | null>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const demo = report.source.kind === 'demo';

  const activeRow = Math.max(
    0,
    visible.findIndex((r) => r.ruleId === active?.ruleId),
  );
  const activeCol = Math.max(
    0,
    columns.findIndex((c) => c.id === active?.columnId),
  );

  const cellAt = (target: EventTarget): { row: number; col: number } | null => {
    if (!(target instanceof Element)) return null;
    const cell = target.closest('td[data-col]');
    if (cell === null) return null;
    return { row: Number(cell.getAttribute('data-row')), col: Number(cell.getAttribute('data-col')) };
  };

  const open = (row: number, col: number): void => {
    const r = visible[row];
    const c = columns[col];
    if (r === undefined || c === undefined) return;
    openPosturePanel(
      c.cells.has(r.ruleId)
        ? { kind: 'finding', scope: { kind: 'container', id: c.id }, ruleId: r.ruleId }
        : { kind: 'container', id: c.id },
    );
  };

  const onClick = (event: MouseEvent<HTMLTableSectionElement>): void => {
    const at = cellAt(event.target);
    if (at !== null) open(at.row, at.col);
  };

  const onFocus = (event: FocusEvent<HTMLTableSectionElement>): void => {
    const at = cellAt(event.target);
    const r = at === null ? undefined : visible[at.row];
    const c = at === null ? undefined : columns[at.col];
    if (r !== undefined && c !== undefined) setActive({ ruleId: r.ruleId, columnId: c.id });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>): void => {
    const at = cellAt(event.target);
    if (at === null) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(at.row, at.col);
      return;
    }
    const next = moveCell(
      at,
      event.key,
      { rows: visible.length, cols: columns.length },
      { ctrl: event.ctrlKey || event.metaKey },
    );
    if (next === null) return;
    event.preventDefault();
    const cell = body.current?.querySelector<HTMLElement>(
      `td[data-row="${next.row}"][data-col="${next.col}"]`,
    );
    cell?.focus();
  };

  return (
    <section className="matrix-section" aria-labelledby="runtime-checks-title">
      <h2 id="runtime-checks-title" className="matrix-section-title">
        Runtime checks
        <span className="matrix-count" data-matrix-count="runtime">
          {hiddenText(visible.length, hidden)}
        </span>
      </h2>
      <div className="matrix-scroller">
        <table
          className="matrix"
          role="grid"
          aria-labelledby="runtime-checks-title"
          aria-rowcount={visible.length + 1}
          aria-colcount={columns.length + 1}
        >
          <thead>
            <tr>
              <th scope="col" className="matrix-corner">
                Check
              </th>
              {columns.map((column) => (
                <ColumnHead key={column.id} column={column} demo={demo} />
              ))}
            </tr>
          </thead>
          <tbody ref={body} onClick={onClick} onFocus={onFocus} onKeyDown={onKeyDown}>
            {visible.map((row, index) => (
              <MatrixRowView
                key={row.ruleId}
                row={row}
                rowIndex={index}
                columns={columns}
                tabbableCol={index === activeRow ? activeCol : null}
              />
            ))}
          </tbody>
        </table>
        {visible.length === 0 ? (
          <p className="matrix-empty" role="status">
            Every check is hidden by the filters.
          </p>
        ) : null}
      </div>
    </section>
  );
}

const ColumnHead = memo(function ColumnHead({
  column,
  demo,
}: {
  readonly column: MatrixColumn;
  readonly demo: boolean;
}): ReactElement {
  return (
    <th
      scope="col"
      className={`matrix-col-head${column.problem !== null ? ' matrix-col-error' : ''}`}
      data-container-id={column.id}
      data-container-name={column.name}
    >
      <button
        type="button"
        className="matrix-col-name"
        title={column.name}
        onClick={() => openPosturePanel({ kind: 'container', id: column.id })}
      >
        {column.name}
      </button>
      <span className="matrix-col-facts">
        {column.grade !== null && column.score !== null ? (
          <GradeBadge grade={column.grade} score={column.score} className="grade-small" />
        ) : null}
        {demo ? <DemoTag /> : null}
        {column.notRunning ? <span className="matrix-col-note">not running</span> : null}
        {column.notes.length > 0 ? (
          <span
            className="matrix-col-incomplete"
            title={column.notes.join('\n')}
            data-posture-note="incomplete"
          >
            <Icon name="alert" /> evidence incomplete
          </span>
        ) : null}
      </span>
      {column.problem !== null ? (
        <span className="matrix-col-problem" data-posture-state="error">
          <Icon name="alert" />
          <span>
            <strong>{column.problem.title}.</strong> {column.problem.message}
          </span>
        </span>
      ) : null}
    </th>
  );
});

const MatrixRowView = memo(function MatrixRowView({
  row,
  rowIndex,
  columns,
  tabbableCol,
}: {
  readonly row: MatrixRow;
  readonly rowIndex: number;
  readonly columns: readonly MatrixColumn[];
  /** The column whose cell is in the tab order, if it is in this row. */
  readonly tabbableCol: number | null;
}): ReactElement {
  return (
    <tr data-rule-id={row.ruleId} data-severity={row.severity}>
      <CheckHead title={row.title} cisId={row.cisId} severity={row.severity} />
      {columns.map((column, col) => (
        <MatrixCell
          key={column.id}
          finding={column.cells.get(row.ruleId)}
          column={column}
          row={row}
          rowIndex={rowIndex}
          col={col}
          tabbable={tabbableCol === col}
        />
      ))}
    </tr>
  );
});

function MatrixCell({
  finding,
  column,
  row,
  rowIndex,
  col,
  tabbable,
}: {
  readonly finding: Finding | undefined;
  readonly column: MatrixColumn;
  readonly row: MatrixRow;
  readonly rowIndex: number;
  readonly col: number;
  readonly tabbable: boolean;
}): ReactElement {
  if (finding === undefined) {
    return (
      <td
        className="cell cell-missing"
        data-row={rowIndex}
        data-col={col}
        data-status="none"
        tabIndex={tabbable ? 0 : -1}
        aria-label={`${row.title} on ${column.name}: not assessed`}
      >
        <span className="cell-symbol" aria-hidden="true">
          ?
        </span>
        <span className="cell-text">no data</span>
      </td>
    );
  }
  const mark = statusMark(finding.status);
  return (
    <td
      className={`cell tone-${mark.tone}`}
      data-row={rowIndex}
      data-col={col}
      data-status={finding.status}
      tabIndex={tabbable ? 0 : -1}
      aria-label={`${row.title} on ${column.name}: ${mark.label}`}
      title={finding.message}
    >
      <span className="cell-symbol" aria-hidden="true">
        {mark.symbol}
      </span>
      <span className="cell-text">{mark.text}</span>
    </td>
  );
}

function HostSection({
  report,
  filter,
}: {
  readonly report: PostureReport;
  readonly filter: RowFilter;
}): ReactElement {
  const engine = report.engine;
  const allRows = useMemo(() => buildHostRows(report), [report]);
  const { visible, hidden } = useMemo(() => filterRows(allRows, filter), [allRows, filter]);
  const findings = useMemo(
    () =>
      engine.state === 'assessed'
        ? new Map(engine.findings.map((f) => [f.ruleId, f]))
        : new Map<string, Finding>(),
    [engine],
  );
  return (
    <section className="matrix-section host-posture" aria-labelledby="host-checks-title" data-section="host">
      <h2 id="host-checks-title" className="matrix-section-title">
        Host / engine
        {engine.state === 'assessed' ? (
          <span className="host-score" data-host-score={engine.score.value}>
            <span className="host-score-label">Host score</span>
            <GradeBadge grade={engine.score.grade} score={engine.score.value} />
          </span>
        ) : null}
        {report.source.kind === 'demo' ? <DemoTag /> : null}
        {engine.state === 'assessed' ? (
          <span className="matrix-count" data-matrix-count="host">
            {hiddenText(visible.length, hidden)}
          </span>
        ) : null}
      </h2>
      {engine.state === 'error' ? (
        <p className="posture-error" data-posture-state="error">
          <Icon name="alert" />
          <span>
            <strong>The engine could not be assessed.</strong> {engine.error.message}
          </span>
        </p>
      ) : (
        <>
          <p className="host-intro">
            The Docker daemon’s own configuration (CIS section 2), scored like a container: it applies to
            every container above.
          </p>
          <table className="host-table">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Finding</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((row) => {
                const f = findings.get(row.ruleId);
                if (f === undefined) return null;
                return (
                  <tr key={row.ruleId} data-rule-id={row.ruleId}>
                    <CheckHead title={row.title} cisId={row.cisId} severity={row.severity} />
                    <td>
                      <button
                        type="button"
                        className="host-cell"
                        aria-label={`${row.title} on the engine: ${statusMark(f.status).label}`}
                        onClick={() =>
                          openPosturePanel({ kind: 'finding', scope: { kind: 'engine' }, ruleId: row.ruleId })
                        }
                      >
                        <StatusMark status={f.status} />
                      </button>
                    </td>
                    <td className="host-message">{f.message}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
