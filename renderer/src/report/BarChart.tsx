import type { ReactElement } from 'react';

import { barLayout } from '../state/report-view.js';

const ROW = 18;
const LABEL_WIDTH = 150;
const VALUE_WIDTH = 70;
const BAR_HEIGHT = 12;

/**
 * A horizontal bar chart as plain SVG: a label on the left, a bar, the value written after it. Hand-built
 * rather than recharts so the printed chart is the same on every run (no measuring, no animation, no
 * resize observer) and the numbers are real text in the PDF. Labels are text nodes, so hostile strings
 * stay inert.
 */
export function BarChart({
  rows,
  label,
  width = 640,
  tone = 'bar',
  unit,
}: {
  readonly rows: readonly { readonly label: string; readonly value: number; readonly note?: string }[];
  /** What the chart shows, for screen readers and as the SVG's title. */
  readonly label: string;
  readonly width?: number;
  readonly tone?: 'bar' | 'score';
  /** Written after each value, e.g. `/100`. */
  readonly unit?: string;
}): ReactElement {
  const barSpace = width - LABEL_WIDTH - VALUE_WIDTH;
  const bars = barLayout(rows, barSpace, ROW);
  const height = Math.max(ROW, bars.length * ROW) + 4;
  return (
    <svg
      className={`report-bars report-bars-${tone}`}
      role="img"
      aria-label={label}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      data-bars={bars.length}
    >
      <title>{label}</title>
      {bars.map((bar, i) => {
        const note = rows[i]?.note;
        return (
          <g
            key={i}
            transform={`translate(0 ${bar.y + 2})`}
            data-bar-label={bar.label}
            data-bar-value={bar.value}
          >
            <text className="bar-label" x={LABEL_WIDTH - 6} y={BAR_HEIGHT - 2} textAnchor="end">
              {bar.label.length > 24 ? `${bar.label.slice(0, 23)}…` : bar.label}
            </text>
            <rect
              className={`bar${note !== undefined ? ` bar-${note}` : ''}`}
              x={LABEL_WIDTH}
              y={0}
              width={bar.width}
              height={BAR_HEIGHT}
              rx={2}
            />
            <text className="bar-value" x={LABEL_WIDTH + bar.width + 4} y={BAR_HEIGHT - 2}>
              {bar.value.toLocaleString('en-US')}
              {unit ?? ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
