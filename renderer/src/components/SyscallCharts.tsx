import { memo } from 'react';
import type { ReactElement } from 'react';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  Line,
  LineChart,
  ReferenceArea,
  XAxis,
  YAxis,
} from 'recharts';

import type { Gap, SyscallCount } from '../../../shared/domain/syscalls/model.js';
import type { RatePoint } from '../state/syscalls.js';
import { gapsWithin } from '../state/syscalls.js';

/**
 * The recharts charts of the syscall feature. Every chart has animation off and is memoised on its data
 * arrays, which the state keeps identical while a subject's data does not change (STYLE §7). Each chart's
 * values are also written as text next to it (labels on the bars, a table in the detail view): nothing is
 * only on hover.
 */

const BAR = '#3b6fd4';
const GAP_FILL = '#e9c27a';
const STACK_COLOURS = [
  '#3b6fd4',
  '#d9822b',
  '#2e9e5b',
  '#a3449b',
  '#c23b3b',
  '#4a9fb0',
  '#8a6d3b',
  '#6b59c7',
  '#7d8a2e',
  '#d35e8a',
];

/** Seconds since the epoch as HH:MM:SS (UTC). */
export function clockText(second: number): string {
  return new Date(second * 1000).toISOString().slice(11, 19);
}

const countText = (value: unknown): string =>
  typeof value === 'number' ? value.toLocaleString('en-US') : typeof value === 'string' ? value : '';

/** Horizontal bars of syscall counts, names on the left, values written on the bars. */
export const SyscallBars = memo(function SyscallBars({
  data,
  value,
  width,
  logScale = false,
  max,
  label,
}: {
  readonly data: readonly SyscallCount[];
  readonly value: 'window' | 'total';
  readonly width: number;
  readonly logScale?: boolean;
  /** A fixed upper bound (comparison mode: the same scale for every subject). */
  readonly max?: number;
  readonly label: string;
}): ReactElement {
  const rows = logScale ? data.filter((d) => d[value] > 0) : data;
  const height = Math.max(40, rows.length * 18 + 8);
  const domain: [number | string, number | string] = logScale
    ? [1, max !== undefined ? Math.max(10, max * 1.3) : 'auto']
    : [0, max !== undefined ? Math.max(1, max * 1.15) : 'auto'];
  return (
    <div className="syscall-bars" role="img" aria-label={label}>
      <BarChart
        width={width}
        height={height}
        data={rows}
        layout="vertical"
        margin={{ top: 2, right: 44, bottom: 2, left: 0 }}
      >
        <XAxis
          type="number"
          dataKey={value}
          hide
          scale={logScale ? 'log' : 'linear'}
          domain={domain}
          allowDataOverflow
        />
        <YAxis
          type="category"
          dataKey="syscall"
          width={88}
          tick={{ fontSize: 11 }}
          interval={0}
          tickLine={false}
        />
        <Bar dataKey={value} fill={BAR} isAnimationActive={false} barSize={12}>
          <LabelList dataKey={value} position="right" fontSize={11} formatter={countText} />
        </Bar>
      </BarChart>
    </div>
  );
});

/** Events per second as a small line, gaps shaded. */
export const RateSparkline = memo(function RateSparkline({
  data,
  gaps,
  width,
  height,
}: {
  readonly data: readonly RatePoint[];
  readonly gaps: readonly Gap[];
  readonly width: number;
  readonly height: number;
}): ReactElement {
  const first = data[0]?.second ?? 0;
  const last = data[data.length - 1]?.second ?? 0;
  const shaded = gapsWithin(gaps, first, last);
  return (
    <LineChart width={width} height={height} data={data} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
      <XAxis dataKey="second" type="number" domain={[first, last]} hide />
      <YAxis hide domain={[0, 'auto']} />
      {shaded.map((g) => (
        <ReferenceArea
          key={`${g.from}-${g.reason}`}
          x1={g.from - 0.5}
          x2={g.to + 0.5}
          fill={GAP_FILL}
          fillOpacity={0.5}
          ifOverflow="hidden"
        />
      ))}
      <Line
        type="linear"
        dataKey="events"
        stroke={BAR}
        strokeWidth={1.5}
        dot={false}
        isAnimationActive={false}
      />
    </LineChart>
  );
});

/** A stacked area chart of the top syscalls per second, gaps shaded and labelled. */
export const StackedSeries = memo(function StackedSeries({
  rows,
  keys,
  gaps,
  width,
  height,
}: {
  readonly rows: readonly Record<string, number>[];
  readonly keys: readonly string[];
  readonly gaps: readonly Gap[];
  readonly width: number;
  readonly height: number;
}): ReactElement {
  const first = rows[0]?.second ?? 0;
  const last = rows[rows.length - 1]?.second ?? 0;
  const shaded = gapsWithin(gaps, first, last);
  return (
    <AreaChart width={width} height={height} data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
      <CartesianGrid strokeDasharray="3 3" stroke="#d5d9e0" />
      <XAxis
        dataKey="second"
        type="number"
        domain={[first, last]}
        tickFormatter={(s: number) => clockText(s)}
        tick={{ fontSize: 11 }}
      />
      <YAxis tick={{ fontSize: 11 }} width={56} tickFormatter={countText} />
      {shaded.map((g) => (
        <ReferenceArea
          key={`${g.from}-${g.reason}`}
          x1={g.from - 0.5}
          x2={g.to + 0.5}
          fill={GAP_FILL}
          fillOpacity={0.45}
          ifOverflow="hidden"
          label={{
            value: g.reason === 'dropped' ? 'dropped' : 'no data',
            fontSize: 10,
            position: 'insideTop',
          }}
        />
      ))}
      {keys.map((k, i) => (
        <Area
          key={k}
          type="stepAfter"
          dataKey={k}
          stackId="1"
          stroke={STACK_COLOURS[i % STACK_COLOURS.length]}
          fill={STACK_COLOURS[i % STACK_COLOURS.length]}
          fillOpacity={0.55}
          isAnimationActive={false}
        />
      ))}
    </AreaChart>
  );
});

/** The colour a stacked series key is drawn in (for the legend written beside the chart). */
export function stackColour(index: number): string {
  return STACK_COLOURS[index % STACK_COLOURS.length] ?? BAR;
}
