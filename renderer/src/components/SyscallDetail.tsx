import { useId } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { HistogramSort, SubjectView } from '../state/syscalls.js';
import { histogramRows, sharedMax, stackedRows, subjectLabel } from '../state/syscalls.js';
import { useContainersStore } from '../stores/containers-store.js';
import {
  openSyscallDetail,
  setSyscallsUi,
  toggleCompare,
  useSyscallsStore,
  useSyscallsUiStore,
} from '../stores/syscalls-store.js';
import { SeccompPanel } from './SeccompPanel.js';
import { StackedSeries, SyscallBars, stackColour } from './SyscallCharts.js';

const NO_CARDS: readonly never[] = [];

/**
 * The full histogram of one subject (sortable table, log scale toggle), its stacked time series and its
 * seccomp profile.
 */
export function SyscallDetail(): ReactElement | null {
  const ui = useSyscallsUiStore(
    useShallow((s) => ({ detail: s.detail, sort: s.sort, logScale: s.logScale, topN: s.topN })),
  );
  const { view, points, gaps } = useSyscallsStore(
    useShallow((s) => ({
      view: s.subjects.find((v) => v.key === ui.detail) ?? null,
      points: ui.detail === null ? undefined : s.series[ui.detail],
      gaps: s.gaps,
    })),
  );
  const cards = useContainersStore((s) => s.list?.containers ?? NO_CARDS);
  const logId = useId();
  const topId = useId();
  if (ui.detail === null) return null;
  if (view === null)
    return (
      <section className="syscalls-detail" aria-label="Subject detail">
        <p>This subject is not in the current frame any more.</p>
        <button type="button" onClick={() => openSyscallDetail(null)}>
          Close
        </button>
      </section>
    );
  const label = subjectLabel(view.subject, cards);
  const rows = histogramRows(view.frame, ui.sort);
  const stacked = stackedRows(points ?? [], ui.topN);
  return (
    <section className="syscalls-detail" aria-label={`Syscalls of ${label}`} data-detail={label}>
      <header className="syscalls-detail-head">
        <h2>Syscalls of {label}</h2>
        <button type="button" onClick={() => openSyscallDetail(null)}>
          Close
        </button>
      </header>
      <div className="syscalls-detail-body">
        <div className="syscalls-detail-histogram">
          <p className="syscalls-detail-controls">
            <input
              id={logId}
              type="checkbox"
              checked={ui.logScale}
              onChange={(e) => setSyscallsUi({ logScale: e.target.checked })}
            />
            <label htmlFor={logId}>Log scale</label>
          </p>
          <SyscallBars
            data={view.bars}
            value="total"
            width={420}
            logScale={ui.logScale}
            label={`Histogram of ${label}${ui.logScale ? ' (log scale)' : ''}`}
          />
          <HistogramTable rows={rows} sort={ui.sort} rest={view.frame.rest} total={view.frame.total} />
        </div>
        <div className="syscalls-detail-series">
          <p className="syscalls-detail-controls">
            <label htmlFor={topId}>Time series of the top</label>
            <select
              id={topId}
              value={ui.topN}
              onChange={(e) => setSyscallsUi({ topN: Number(e.target.value) })}
            >
              {[3, 5, 8, 10].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            <span>syscalls per second (the rest as “other”)</span>
          </p>
          {stacked.rows.length < 2 ? (
            <p className="syscalls-hint" data-series-empty="">
              The per-syscall series builds from successive frames: it needs at least two seconds of them. A
              replay at max speed arrives at once; replay at x1 or x10 to see it over time.
            </p>
          ) : (
            <>
              <StackedSeries rows={stacked.rows} keys={stacked.keys} gaps={gaps} width={560} height={220} />
              <ul className="syscalls-legend" aria-label="Series">
                {stacked.keys.map((k, i) => (
                  <li key={k}>
                    <span
                      className="syscalls-swatch"
                      style={{ background: stackColour(i) }}
                      aria-hidden="true"
                    />
                    {k}: {stacked.rows.reduce((n, r) => n + (r[k] ?? 0), 0).toLocaleString('en-US')}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
      <SeccompPanel key={view.key} subject={view.key} label={label} />
    </section>
  );
}

const SORT_NEXT: Record<'syscall' | 'total', Record<HistogramSort, HistogramSort>> = {
  syscall: {
    'name-asc': 'name-desc',
    'name-desc': 'name-asc',
    'count-desc': 'name-asc',
    'count-asc': 'name-asc',
  },
  total: {
    'count-desc': 'count-asc',
    'count-asc': 'count-desc',
    'name-asc': 'count-desc',
    'name-desc': 'count-desc',
  },
};

function ariaSort(column: 'syscall' | 'total', sort: HistogramSort): 'ascending' | 'descending' | 'none' {
  if (column === 'syscall')
    return sort === 'name-asc' ? 'ascending' : sort === 'name-desc' ? 'descending' : 'none';
  return sort === 'count-asc' ? 'ascending' : sort === 'count-desc' ? 'descending' : 'none';
}

function HistogramTable({
  rows,
  sort,
  rest,
  total,
}: {
  readonly rows: ReturnType<typeof histogramRows>;
  readonly sort: HistogramSort;
  readonly rest: SubjectView['frame']['rest'];
  readonly total: number;
}): ReactElement {
  return (
    <table className="syscalls-table" data-histogram="">
      <thead>
        <tr>
          <th aria-sort={ariaSort('syscall', sort)}>
            <button type="button" onClick={() => setSyscallsUi({ sort: SORT_NEXT.syscall[sort] })}>
              Syscall
            </button>
          </th>
          <th className="num">In window</th>
          <th className="num" aria-sort={ariaSort('total', sort)}>
            <button type="button" onClick={() => setSyscallsUi({ sort: SORT_NEXT.total[sort] })}>
              Total
            </button>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.syscall} data-syscall={r.syscall}>
            <td>{r.syscall}</td>
            <td className="num">{r.window.toLocaleString('en-US')}</td>
            <td className="num" data-count={r.total}>
              {r.total.toLocaleString('en-US')}
            </td>
          </tr>
        ))}
        {rest.syscalls > 0 ? (
          <tr data-syscall="(rest)">
            <td>{rest.syscalls} more syscalls</td>
            <td className="num">{rest.window.toLocaleString('en-US')}</td>
            <td className="num" data-count={rest.total}>
              {rest.total.toLocaleString('en-US')}
            </td>
          </tr>
        ) : null}
      </tbody>
      <tfoot>
        <tr>
          <td>All</td>
          <td />
          <td className="num" data-count={total}>
            {total.toLocaleString('en-US')}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

/** Two or more subjects' histograms side by side on the same scale. */
export function SyscallCompare(): ReactElement | null {
  const { compare, logScale } = useSyscallsUiStore(
    useShallow((s) => ({ compare: s.compare, logScale: s.logScale })),
  );
  const subjects = useSyscallsStore((s) => s.subjects);
  const cards = useContainersStore((s) => s.list?.containers ?? NO_CARDS);
  const chosen = subjects.filter((v) => compare.includes(v.key));
  if (compare.length === 0) return null;
  if (chosen.length < 2)
    return (
      <p className="syscalls-hint syscalls-compare-hint" role="status">
        Tick “Compare” on at least two subjects to see them side by side.
      </p>
    );
  const max = sharedMax(chosen);
  return (
    <section className="syscalls-compare" aria-label="Comparison" data-compare={chosen.length}>
      <header className="syscalls-detail-head">
        <h2>
          Comparing {chosen.length} subjects, same scale (0–{max.toLocaleString('en-US')}
          {logScale ? ', log' : ''})
        </h2>
        <button type="button" onClick={() => chosen.forEach((v) => toggleCompare(v.key))}>
          Clear comparison
        </button>
      </header>
      <ul className="syscalls-compare-list">
        {chosen.map((v) => {
          const label = subjectLabel(v.subject, cards);
          return (
            <li key={v.key} data-compare-subject={label}>
              <h3>{label}</h3>
              <p className="syscalls-figures">{v.frame.total.toLocaleString('en-US')} events</p>
              <SyscallBars
                data={v.bars}
                value="total"
                width={330}
                max={max}
                logScale={logScale}
                label={`${label}: ${v.bars.map((c) => `${c.syscall} ${c.total}`).join(', ')}`}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
