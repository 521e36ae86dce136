import { describe, expect, it } from 'vitest';

import type { AlertRecord } from '../../../shared/domain/anomaly/alerts.js';
import type { BoscContainerState } from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalySnapshot } from '../../../shared/domain/anomaly/monitor.js';
import {
  anomalyTimeline,
  detectionText,
  learningPercent,
  raisedSummary,
} from '../../../shared/domain/anomaly/timeline.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import type { EpochSeconds } from '../../../shared/domain/syscalls/model.js';

const common = {
  syscalls: 100,
  windows: 90,
  epochs: 3,
  database: { bags: 5, maxBags: 100, full: 0 },
  current: { windows: 5, mismatches: 0 },
  mismatches: 0,
  gaps: 0,
  firstSecond: 10 as EpochSeconds,
  lastSecond: 20 as EpochSeconds,
};

const epoch = (n: number, from: number, to: number) => ({
  epoch: n,
  from: from as EpochSeconds,
  to: to as EpochSeconds,
  windows: 10,
  mismatches: 7,
  hint: [{ syscall: 'futex', inMismatches: 3, share: 0.3, trainingShare: 0, ratio: 9 }],
});

const anomalous = (key: string, epochs: ReturnType<typeof epoch>[]): BoscContainerState => ({
  ...common,
  key,
  phase: 'anomalous',
  epochsWatched: 10,
  anomalousEpochs: epochs.length,
  anomalies: epochs,
  anomalousMismatches: 7 * epochs.length,
  hint: [{ syscall: 'futex', inMismatches: 3, share: 0.3, trainingShare: 0, ratio: 9 }],
});

const alert = (key: string, severity: AlertRecord['severity'], at: number): AlertRecord => ({
  key,
  source: 'builtin',
  ruleId: key,
  title: key,
  severity,
  rationale: null,
  container: null,
  firstSeen: at as EpochMillis,
  lastSeen: at as EpochMillis,
  count: 1,
  syscalls: [],
  processes: [],
  detail: null,
  tags: [],
  hostname: null,
});

const snap = (containers: AnomalySnapshot['containers'], alerts: AlertRecord[] = []): AnomalySnapshot => ({
  containers,
  alerts,
  untracked: 0,
  alertOverflow: 0,
  vocabularyOverflow: 0,
  at: null,
});

describe('the anomaly timeline', () => {
  it('orders by start, then end, then epoch number (not as text), alerts among them', () => {
    const s = snap(
      [
        {
          key: 'bbbbbbbbbbbb',
          name: null,
          bosc: anomalous('bbbbbbbbbbbb', [epoch(99, 50, 50), epoch(100, 50, 50)]),
        },
        { key: 'aaaaaaaaaaaa', name: 'api', bosc: anomalous('aaaaaaaaaaaa', [epoch(7, 40, 45)]) },
      ],
      [alert('ptrace', 'high', 42_000), alert('mount', 'medium', 50_000)],
    );
    expect(anomalyTimeline(s).map((e) => e.key)).toEqual([
      'anomaly:aaaaaaaaaaaa:7',
      'ptrace',
      'anomaly:bbbbbbbbbbbb:99',
      'anomaly:bbbbbbbbbbbb:100',
      'mount',
    ]);
    expect(anomalyTimeline(s)[0]).toMatchObject({ from: 40_000, to: 45_000, hint: ['futex'] });
  });

  it('raised: anomalous containers and critical/high alerts only', () => {
    const s = snap(
      [{ key: 'aaaaaaaaaaaa', name: null, bosc: anomalous('aaaaaaaaaaaa', [epoch(7, 40, 45)]) }],
      [alert('x', 'critical', 1), alert('y', 'high', 2), alert('z', 'medium', 3)],
    );
    expect(raisedSummary(s)).toEqual({ anomalous: ['aaaaaaaaaaaa'], severeAlerts: ['x', 'y'] });
    expect(raisedSummary(snap([]))).toEqual({ anomalous: [], severeAlerts: [] });
  });

  it('learning progress includes the open epoch, never past 100 %', () => {
    const learning = {
      ...common,
      key: 'k',
      phase: 'learning',
      epochsTrained: 3,
      trainingEpochs: 10,
    } as const;
    expect(learningPercent(learning, 10)).toBe(35);
    expect(learningPercent(learning, null)).toBe(30);
    expect(learningPercent({ ...learning, epochsTrained: 10 }, 10)).toBe(100);
    expect(detectionText({ key: 'k', name: null, bosc: learning }, 10)).toBe('learning 35 %');
    expect(detectionText({ key: 'k', name: null, bosc: null }, 10)).toMatch(/^not followed/);
  });
});
