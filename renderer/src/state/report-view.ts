import { ADVISORY_SEVERITIES } from '../../../shared/domain/advisories/severity.js';
import type { AdvisorySeverity } from '../../../shared/domain/advisories/severity.js';
import type {
  MethodologyNote,
  Report,
  ReportHost,
  ReportSection,
  ReportSummary,
  ReportWindow,
} from '../../../shared/domain/report/model.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import { formatTimestamp, revealInvisible } from './format.js';

/**
 * The report document as words: pure helpers the report page (renderer/src/report) renders from a Report.
 * Nothing here reads a clock: every time shown is one the Report carries.
 */

/** The words for a section, as headings and the table of contents show them. */
export function sectionTitle(section: ReportSection | 'host'): string {
  switch (section) {
    case 'posture':
      return 'Isolation posture';
    case 'images':
      return 'Image findings';
    case 'syscalls':
      return 'Syscalls';
    case 'seccomp':
      return 'Seccomp profile';
    case 'anomalies':
      return 'Anomalies and alerts';
    case 'host':
      return 'Host and engine';
    default:
      return assertNever(section, 'report section');
  }
}

/** The anchor of the n-th container's details (never its name: names are attacker-controlled). */
export function containerAnchor(index: number): string {
  return `container-${index + 1}`;
}

/** A container's name as the report prints it: invisible characters written out, never empty. */
export function displayName(name: string): string {
  return name === '' ? '(unnamed)' : revealInvisible(name);
}

/** The most characters a name takes in the contents, the summary and the highlights. */
export const SHORT_NAME_LENGTH = 80;

/**
 * A name for tight places: displayName, cut at `max` characters (code points) with an ellipsis. The
 * container's own details always show the whole name.
 */
export function shortName(name: string, max = SHORT_NAME_LENGTH): string {
  const chars = Array.from(displayName(name));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** `Docker 27.3.1 (API 1.47)` and where it runs; null when no engine answered. */
export function engineLines(
  engine: ReportHost['engine'],
): { readonly product: string; readonly detail: string } | null {
  if (engine === null) return null;
  const product = `Docker ${engine.version === '' ? '(version unknown)' : engine.version}${engine.apiVersion !== '' ? ` (API ${engine.apiVersion})` : ''}`;
  const platform = [engine.os, engine.arch].filter((p) => p !== '').join('/');
  const detail = [
    engine.name,
    platform,
    engine.operatingSystem,
    engine.kernelVersion !== '' ? `kernel ${engine.kernelVersion}` : '',
  ]
    .filter((p) => p !== '')
    .map(revealInvisible)
    .join(' · ');
  return { product: revealInvisible(product), detail };
}

/** `5 minutes`, `1 hour 30 minutes`, `under a minute`: the length of the report window. */
export function windowLength(window: ReportWindow): string {
  const ms = Math.max(0, window.to - window.from);
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/** `2026-12-03 19:02 UTC – 2026-12-03 19:07 UTC (5 minutes)`. */
export function windowText(window: ReportWindow): string {
  return `${formatTimestamp(window.from)} – ${formatTimestamp(window.to)} (${windowLength(window)})`;
}

/** The sum of counts per severity. */
export function vulnerabilityTotal(counts: Readonly<Record<AdvisorySeverity, number>>): number {
  return ADVISORY_SEVERITIES.reduce((sum, s) => sum + counts[s], 0);
}

/** The non-zero counts, worst first, for SeverityCounts. */
export function nonZeroCounts(
  counts: Readonly<Record<AdvisorySeverity, number>>,
): readonly { readonly severity: AdvisorySeverity; readonly count: number }[] {
  return ADVISORY_SEVERITIES.filter((s) => counts[s] > 0).map((severity) => ({
    severity,
    count: counts[severity],
  }));
}

/** One entry of the table of contents. */
export interface TocEntry {
  readonly anchor: string;
  readonly title: string;
  /** Container entries are indented under "Containers". */
  readonly level: 1 | 2;
}

/** The table of contents: summary, each container, methodology, host. */
export function tocEntries(report: Report): readonly TocEntry[] {
  return [
    { anchor: 'summary', title: 'Summary', level: 1 },
    { anchor: 'containers', title: `Containers (${report.containers.length})`, level: 1 },
    ...report.containers.map((c, i) => ({
      anchor: containerAnchor(i),
      title: shortName(c.name),
      level: 2 as const,
    })),
    { anchor: 'methodology', title: 'Methodology', level: 1 },
    { anchor: 'host', title: 'Host daemon checks', level: 1 },
  ];
}

/**
 * The summary in two or three plain sentences for a reader who reads nothing else: how many containers,
 * the weakest one, what the images and the runtime showed.
 */
export function summarySentences(
  summary: ReportSummary,
  sections: readonly ReportSection[],
): readonly string[] {
  const out: string[] = [];
  const n = summary.containers;
  const scored = summary.rows.filter((r) => r.score !== null);
  if (n === 0) return ['The report covers no containers.'];
  if (sections.includes('posture')) {
    if (scored.length === 0) out.push(`${plural(n, 'container')}; none could be assessed.`);
    else {
      const worst = scored.reduce((a, b) => ((b.score ?? 101) < (a.score ?? 101) ? b : a));
      const below = scored.filter((r) => (r.score ?? 100) < 70).length;
      out.push(
        `${plural(n, 'container')} assessed; the weakest is ${shortName(worst.name)} at ${worst.score}/100 (grade ${worst.grade ?? '?'})${below > 0 ? `, and ${plural(below, 'container')} score below 70 (grade D or F)` : ''}.`,
      );
    }
  } else out.push(`${plural(n, 'container')}.`);
  if (sections.includes('images')) {
    const total = vulnerabilityTotal(summary.vulnerabilities);
    const severe = summary.vulnerabilities.critical + summary.vulnerabilities.high;
    out.push(
      total === 0
        ? 'No known vulnerabilities were matched in their images.'
        : `Their images have ${plural(total, 'known vulnerability', 'known vulnerabilities')}, ${severe} of them critical or high.`,
    );
  }
  if (sections.includes('anomalies') || sections.includes('syscalls')) {
    const alerts = summary.rows.reduce((sum, r) => sum + r.alerts, 0);
    const anomalous = summary.rows.filter((r) => r.anomalous).length;
    out.push(
      alerts === 0 && anomalous === 0
        ? 'No alerts were raised and no behaviour was anomalous in the window.'
        : `${plural(alerts, 'alert')} in the window; ${plural(anomalous, 'container')} behaved anomalously.`,
    );
  }
  return out;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** `3 containers`, pluralised, for other modules. */
export function countText(n: number, one: string, many?: string): string {
  return plural(n, one, many);
}

/** The methodology notes grouped by section, in the report's section order (host first). */
export function methodologyGroups(
  notes: readonly MethodologyNote[],
): readonly { readonly section: MethodologyNote['section']; readonly texts: readonly string[] }[] {
  const order: MethodologyNote['section'][] = [
    'host',
    'posture',
    'images',
    'syscalls',
    'seccomp',
    'anomalies',
  ];
  return order
    .map((section) => ({ section, texts: notes.filter((n) => n.section === section).map((n) => n.text) }))
    .filter((g) => g.texts.length > 0);
}

const SECTION_ORDER: readonly ReportSection[] = ['posture', 'images', 'syscalls', 'seccomp', 'anomalies'];

/** The chosen sections in the order the details show them. */
export function orderedSections(sections: readonly ReportSection[]): readonly ReportSection[] {
  return SECTION_ORDER.filter((s) => sections.includes(s));
}

/** The bars of a horizontal bar chart: label, value, the bar's length in user units, deterministic. */
export interface BarLayout {
  readonly label: string;
  readonly value: number;
  readonly y: number;
  readonly width: number;
}

/** Geometry of a bar chart: a fixed row height, bars scaled to the largest value (at least 1 unit wide). */
export function barLayout(
  rows: readonly { readonly label: string; readonly value: number }[],
  barSpace: number,
  rowHeight: number,
): readonly BarLayout[] {
  const max = rows.reduce((m, r) => Math.max(m, r.value), 0);
  return rows.map((r, i) => ({
    label: r.label,
    value: r.value,
    y: i * rowHeight,
    width: max <= 0 || r.value <= 0 ? 0 : Math.max(1, Math.round((r.value / max) * barSpace * 10) / 10),
  }));
}
