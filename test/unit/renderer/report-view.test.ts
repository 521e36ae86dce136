import { describe, expect, it } from 'vitest';

import type { EpochMillis } from '../../../shared/domain/ids.js';
import type { ReportSummary } from '../../../shared/domain/report/model.js';
import {
  barLayout,
  engineLines,
  methodologyGroups,
  orderedSections,
  shortName,
  summarySentences,
  windowLength,
  windowText,
} from '../../../renderer/src/state/report-view.js';

const at = (iso: string): EpochMillis => Date.parse(iso) as EpochMillis;
const none = { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };

function row(name: string, score: number | null, over: Partial<ReportSummary['rows'][number]> = {}) {
  return {
    id: name,
    name,
    score,
    grade: score === null ? null : score >= 90 ? 'A' : score >= 70 ? 'C' : 'F',
    vulnerabilities: none,
    alerts: 0,
    anomalous: false,
    ...over,
  };
}

describe('report view helpers', () => {
  it('says how long the window is and when it was', () => {
    const from = at('2026-12-03T19:02:00Z');
    expect(windowLength({ from, to: at('2026-12-03T19:02:20Z') })).toBe('under a minute');
    expect(windowLength({ from, to: at('2026-12-03T19:03:00Z') })).toBe('1 minute');
    expect(windowLength({ from, to: at('2026-12-03T20:02:00Z') })).toBe('1 hour');
    expect(windowLength({ from, to: at('2026-12-03T21:32:00Z') })).toBe('2 hours 30 minutes');
    expect(windowText({ from, to: at('2026-12-03T19:07:00Z') })).toBe(
      '2026-12-03 19:02 UTC – 2026-12-03 19:07 UTC (5 minutes)',
    );
  });

  it('names the engine, or says none answered', () => {
    expect(engineLines(null)).toBeNull();
    expect(
      engineLines({
        name: 'vm',
        version: '27.3.1',
        apiVersion: '1.47',
        os: 'linux',
        arch: 'amd64',
        kernelVersion: '6.1.0',
        operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
      }),
    ).toEqual({
      product: 'Docker 27.3.1 (API 1.47)',
      detail: 'vm · linux/amd64 · Debian GNU/Linux 12 (bookworm) · kernel 6.1.0',
    });
  });

  it('cuts long names by code point, writes out invisible characters, never prints an empty name', () => {
    expect(shortName('')).toBe('(unnamed)');
    expect(shortName('a\u202Eb')).toBe('a⟨U+202E⟩b');
    expect(shortName('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    // A surrogate pair is one character: it is never cut in half.
    expect(shortName('😀'.repeat(5), 3)).toBe('😀😀…');
  });

  it('tells the manager the weakest container, the vulnerabilities and the runtime in sentences', () => {
    const summary: ReportSummary = {
      containers: 3,
      rows: [row('web', 92), row('db', 48, { alerts: 2, anomalous: true }), row('gone', null)],
      hostScore: 84,
      vulnerabilities: { ...none, critical: 1, high: 2, low: 4 },
      highlights: [],
    };
    expect(summarySentences(summary, ['posture', 'images', 'anomalies'])).toEqual([
      '3 containers assessed; the weakest is db at 48/100 (grade F), and 1 container score below 70 (grade D or F).',
      'Their images have 7 known vulnerabilities, 3 of them critical or high.',
      '2 alerts in the window; 1 container behaved anomalously.',
    ]);
    expect(
      summarySentences({ ...summary, rows: [row('web', 92)], vulnerabilities: none }, ['posture', 'images']),
    ).toEqual([
      '3 containers assessed; the weakest is web at 92/100 (grade A).',
      'No known vulnerabilities were matched in their images.',
    ]);
    expect(summarySentences({ ...summary, containers: 0, rows: [] }, ['posture'])).toEqual([
      'The report covers no containers.',
    ]);
  });

  it('lays bars out deterministically, scaled to the largest value', () => {
    expect(
      barLayout(
        [
          { label: 'read', value: 200 },
          { label: 'write', value: 50 },
          { label: 'none', value: 0 },
          { label: 'tiny', value: 1 },
        ],
        400,
        18,
      ),
    ).toEqual([
      { label: 'read', value: 200, y: 0, width: 400 },
      { label: 'write', value: 50, y: 18, width: 100 },
      { label: 'none', value: 0, y: 36, width: 0 },
      { label: 'tiny', value: 1, y: 54, width: 2 },
    ]);
    expect(barLayout([{ label: 'x', value: 0 }], 400, 18)).toEqual([
      { label: 'x', value: 0, y: 0, width: 0 },
    ]);
  });

  it('orders sections and methodology notes the way the document reads', () => {
    expect(orderedSections(['anomalies', 'posture', 'syscalls'])).toEqual([
      'posture',
      'syscalls',
      'anomalies',
    ]);
    expect(
      methodologyGroups([
        { section: 'images', text: 'b' },
        { section: 'host', text: 'a' },
        { section: 'images', text: 'c' },
      ]),
    ).toEqual([
      { section: 'host', texts: ['a'] },
      { section: 'images', texts: ['b', 'c'] },
    ]);
  });
});
