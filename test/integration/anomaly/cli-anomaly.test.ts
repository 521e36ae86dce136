import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import type { AnomalyReport } from '../../../electron/cli/anomaly.js';
import { startSysdigSequence } from '../../../electron/adapters/anomaly/sysdig-sequence.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { BoscSettings } from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalySnapshot } from '../../../shared/domain/anomaly/monitor.js';

// `bulkhead anomaly` (dist/cli.cjs, the real app core and anomaly service, the real sysdig) on the k8s
// capture, against the sysdig sequence adapter run in-process on the same capture with the same settings:
// the CLI must report exactly the adapter's per-container states.
const ROOT = process.cwd();
const CLI = join(ROOT, 'dist', 'cli.cjs');
const DATA = resolve(ROOT, '..', 'shared', 'data');
const K8S = join(DATA, 'scap', 'bencer_k8s_capture.scap');
const FALCO = join(DATA, 'events', 'falco_single_rule_with_cat_write.json');
const SETTINGS: Partial<BoscSettings> = {
  epochSize: 200,
  trainingEpochs: 10,
  threshold: { kind: 'fraction', value: 0.05 },
};
const ARGS = ['--epoch-size', '200', '--training-epochs', '10', '--threshold', '5%'];

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, 'anomaly', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 50_000,
  });
}

let inProcess: AnomalySnapshot;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const source = startSysdigSequence(
    K8S,
    { onState: () => undefined },
    { clock: systemClock, bosc: SETTINGS },
  );
  expect(await source.settled).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
  inProcess = source.snapshot();
});

describe('bulkhead anomaly on the k8s capture', () => {
  it('reports the adapter’s per-container states, the alert timeline, and exits 3 for the anomaly', () => {
    const run = cli('--source', `capture:${K8S}`, '--json', ...ARGS);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout) as AnomalyReport;
    expect(report.state).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    expect(report.settings).toMatchObject(SETTINGS);
    // Same capture, same detector: identical states, hints and counts included.
    expect(report.containers).toEqual(inProcess.containers);
    expect(report.containers).toHaveLength(11);
    const phases = Object.fromEntries(report.containers.map((c) => [c.key, c.bosc?.phase]));
    expect(phases['53fe249c71de']).toBe('anomalous');
    expect(phases['1f101022f906']).toBe('learning');
    expect(report.raised.anomalous).toContain('53fe249c71de');
    // The built-in alerts the adapter raised, in the timeline.
    const alerts = report.timeline.flatMap((e) => (e.kind === 'alert' ? [e.alert] : []));
    expect(alerts).toEqual(inProcess.alerts);
    expect(alerts.map((a) => [a.ruleId, a.container?.id, a.count])).toEqual([
      ['shell-in-container', 'b3a718d8b339', 1],
      ['setns', 'de7157ba23c4', 3],
    ]);
    // Every kept anomalous epoch of every container is on the timeline.
    const kept = inProcess.containers.reduce(
      (n, c) => n + (c.bosc?.phase === 'anomalous' ? c.bosc.anomalies.length : 0),
      0,
    );
    expect(report.timeline.filter((e) => e.kind === 'anomaly')).toHaveLength(kept);
  });

  it('the text report names each container’s state and the timeline; --falco adds Falco’s alerts', () => {
    const run = cli('--source', `capture:${K8S}`, '--falco', FALCO, ...ARGS);
    expect(run.status).toBe(3);
    expect(run.stdout).toMatch(/53fe249c71de {2}ANOMALOUS · \d+ epochs · hint: \w+/);
    expect(run.stdout).toMatch(/1f101022f906 {2}learning \d+ %/);
    expect(run.stdout).toMatch(/Falco: 8 alert\(s\) imported from .*falco_single_rule_with_cat_write\.json/);
    expect(run.stdout).toMatch(
      /2016-08-04T16:17:57\.881Z – 2016-08-04T16:17:57\.882Z {2}MEDIUM {4}host \/ no container {2}open_from_cat \[Falco: open_from_cat\] ×8/,
    );
  });

  it('with the default settings the capture is too short to train on: every container learning, exit 3 for setns', () => {
    const run = cli('--source', `capture:${K8S}`, '--json');
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout) as AnomalyReport;
    expect(report.settings).toMatchObject({ epochSize: 1000, trainingEpochs: 200 });
    expect(new Set(report.containers.map((c) => c.bosc?.phase))).toEqual(new Set(['learning']));
    expect(report.raised).toEqual({ anomalous: [], severeAlerts: ['builtin:setns:de7157ba23c4'] });
  });

  it('a file that is not a capture is exit 1 with sysdig’s reason; bad usage is exit 2', () => {
    const bad = cli('--source', `capture:${join(DATA, 'README.md')}`);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\[capture-unreadable\]$/m);
    const usage = cli('--source', 'recording:/tmp/x.jsonl');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('per-second counts, not the syscall order');
  });
});
