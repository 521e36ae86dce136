import { describe, expect, it } from 'vitest';

import type { AnomalyReport } from '../../../electron/cli/anomaly.js';
import { formatAnomalyReport, parseAnomalyArgs, parseThreshold } from '../../../electron/cli/anomaly.js';
import type { CliDeps } from '../../../electron/cli/run.js';
import { USAGE, runCli } from '../../../electron/cli/run.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type {
  AnomalySourceKind,
  AnomalySourcePort,
  FalcoImportPort,
} from '../../../electron/services/anomaly-ports.js';
import { createAppCore } from '../../../electron/services/app-core-impl.js';
import { addAlert } from '../../../shared/domain/anomaly/alerts.js';
import type { AnomalyMonitor } from '../../../shared/domain/anomaly/monitor.js';
import {
  createAnomalyMonitor,
  monitorContainer,
  monitorSnapshot,
  observe,
  syscallIndex,
} from '../../../shared/domain/anomaly/monitor.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { createFakeEngine } from '../../support/fake-engine.js';

describe('bulkhead anomaly: arguments', () => {
  it('parses a capture with the defaults, made absolute', () => {
    expect(parseAnomalyArgs(['--source', 'capture:data/k8s.scap'], '/work')).toEqual({
      ok: true,
      label: 'capture:data/k8s.scap',
      source: { kind: 'sysdig-capture', path: '/work/data/k8s.scap' },
      settings: {},
      json: false,
      durationMs: 60_000,
      falco: null,
    });
  });

  it('parses bpf with every option', () => {
    expect(
      parseAnomalyArgs(
        [
          '--source',
          'bpf',
          '--duration',
          '2m',
          '--json',
          '--falco',
          'events.json',
          '--epoch-size',
          '200',
          '--training-epochs',
          '10',
          '--threshold',
          '2.5%',
        ],
        '/w',
      ),
    ).toEqual({
      ok: true,
      label: 'bpf',
      source: { kind: 'bpf' },
      settings: { epochSize: 200, trainingEpochs: 10, threshold: { kind: 'fraction', value: 0.025 } },
      json: true,
      durationMs: 120_000,
      falco: '/w/events.json',
    });
  });

  it.each<[string[], RegExp]>([
    [[], /--source is required/],
    [['--source', 'recording:/r.jsonl'], /per-second counts, not the syscall order/],
    [['--source', 'sysdig'], /live sysdig is not offered/],
    [['--source', 'capture:'], /--source must be bpf or capture:FILE/],
    [['--source', 'bpf', '--duration', 'forever'], /--duration/],
    [['--source', 'bpf', '--duration', '2h'], /at most 1 hour/],
    [['--source', 'bpf', '--epoch-size', '5'], /--epoch-size must be a whole number from 10/],
    [['--source', 'bpf', '--epoch-size', '1e3'], /--epoch-size/],
    [['--source', 'bpf', '--training-epochs', '0'], /--training-epochs/],
    [['--source', 'bpf', '--threshold', '100%'], /--threshold/],
    [['--source', 'bpf', '--threshold=-3'], /--threshold/],
  ])('refuses %j', (args, message) => {
    const r = parseAnomalyArgs(args, '/');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
  });

  it('an unknown option is a parse error (usage, exit 2)', async () => {
    const err: string[] = [];
    const code = await runCli(
      ['anomaly', '--source', 'bpf', '--bogus'],
      { out: () => undefined, err: (t) => err.push(t) },
      {} as CliDeps,
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(USAGE);
  });

  it.each<[string, unknown]>([
    ['5%', { kind: 'fraction', value: 0.05 }],
    ['0.05', { kind: 'fraction', value: 0.05 }],
    ['.1', { kind: 'fraction', value: 0.1 }],
    ['50', { kind: 'count', value: 50 }],
    ['0', { kind: 'count', value: 0 }],
    ['100%', null],
    ['5 percent', null],
    ['', null],
  ])('threshold %j → %j', (text, expected) => {
    expect(parseThreshold(text)).toEqual(expected);
  });

  it('the usage text documents the command and exit 3', () => {
    expect(USAGE).toContain('anomaly --source bpf|capture:FILE [--duration 60s] [--json] [--falco FILE]');
    expect(USAGE).toMatch(/or an anomaly or a critical\/high alert \(anomaly\)/);
  });
});

// The real dispatcher, app core and anomaly service behind a scripted source port, on the real clock.
const CID = 'abcdef012345';
type Script = (monitor: AnomalyMonitor, emit: (s: SourceState) => void, snap: () => void) => void;

function scriptedPort<K extends AnomalySourceKind>(kind: K, script: Script): AnomalySourcePort<K> {
  return {
    kind,
    start(_spec, listener, options) {
      const monitor = options.monitor ?? createAnomalyMonitor({ bosc: options.bosc });
      let state: SourceState = { phase: 'starting', since: systemClock.now() };
      let disposed = false;
      listener.onState(state);
      const emit = (s: SourceState): void => {
        if (disposed) return;
        state = s;
        listener.onState(s);
      };
      setTimeout(() => script(monitor, emit, () => listener.onSnapshot(monitorSnapshot(monitor, null))), 5);
      return {
        get state() {
          return state;
        },
        monitor,
        snapshot: () => monitorSnapshot(monitor, null),
        dispose: () => {
          disposed = true;
        },
      };
    },
  };
}

function feed(m: AnomalyMonitor, key: string, names: readonly string[], second: number): void {
  const c = monitorContainer(m, key, null)!;
  for (const n of names) observe(m, c, syscallIndex(m, n), second, null);
}

const now = (): EpochMillis => systemClock.now();

/** A capture: a steady container, then (optionally) something new, then the end of input. */
const capture =
  (anomalous: boolean, alert: 'ptrace' | null = null): Script =>
  (m, emit, snap) => {
    emit({ phase: 'streaming', since: now() });
    const loop = Array.from({ length: 41 }, (_, i) => (i % 2 === 0 ? 'read' : 'write'));
    feed(m, CID, loop, 1000);
    if (anomalous)
      feed(
        m,
        CID,
        Array.from({ length: 10 }, (_, i) => (i % 2 ? 'futex' : 'nanosleep')),
        1001,
      );
    if (alert !== null) {
      const c = monitorContainer(m, CID, null)!;
      observe(m, c, syscallIndex(m, 'ptrace'), 1002, 'gdb');
    }
    snap();
    emit({ phase: 'exited', since: now(), reason: 'end-of-input' });
  };

const falco: FalcoImportPort = {
  importFile(path, table) {
    if (path.endsWith('nope.json'))
      return Promise.reject(new BulkheadError('not-found', `There is no Falco alert file at ${path}.`));
    addAlert(table, {
      source: 'falco',
      ruleId: 'open_from_cat',
      title: 'open_from_cat',
      severity: 'low',
      rationale: null,
      container: null,
      time: 1_470_327_477_881 as EpochMillis,
      syscall: null,
      process: null,
      detail: 'An open was seen (command=cat /dev/null)',
      tags: ['filesystem'],
      hostname: 'test-falco-hostname',
    });
    return Promise.resolve({ path, lines: 1, alerts: 1, dropped: 0, malformed: 0, errors: [] });
  },
};

function cliDeps(script: Script): CliDeps {
  return {
    version: 't',
    createCore: () =>
      createAppCore({
        engine: createFakeEngine(),
        demo: { load: () => Promise.resolve(null) },
        clock: systemClock,
        mode: 'cli',
        version: 't',
        anomaly: {
          ports: {
            'sysdig-capture': scriptedPort('sysdig-capture', script),
            bpf: scriptedPort('bpf', script),
          },
          falco,
        },
      }),
    recordDemo: () => Promise.resolve(),
    runWeb: () => Promise.resolve(0),
    now: () => Date.now(),
  };
}

async function run(args: string[], script: Script) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, cliDeps(script));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const SMALL = ['--epoch-size', '10', '--training-epochs', '3', '--threshold', '2'];

describe('bulkhead anomaly: runs and exit codes', () => {
  it('a quiet capture: every container watching, nothing raised, exit 0', async () => {
    const r = await run(['anomaly', '--source', 'capture:/x.scap', ...SMALL], capture(false));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('BoSC: window 10, epoch 10 windows, 3 training epochs');
    expect(r.out).toMatch(/abcdef012345\s+watching · 0 anomalies {2}41 syscalls/);
    expect(r.out).toContain('nothing raised');
  });

  it('an anomaly is exit 3, with the hint on the container and the epoch on the timeline', async () => {
    const r = await run(['anomaly', '--source', 'capture:/x.scap', '--json', ...SMALL], capture(true));
    expect(r.code).toBe(3);
    const report = JSON.parse(r.out) as AnomalyReport;
    expect(report.containers.map((c) => [c.key, c.bosc?.phase])).toEqual([[CID, 'anomalous']]);
    expect(report.raised).toEqual({ anomalous: [CID], severeAlerts: [] });
    expect(report.timeline.map((e) => e.kind)).toEqual(['anomaly']);
    expect(report.state).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    expect(report.settings).toMatchObject({
      epochSize: 10,
      trainingEpochs: 3,
      threshold: { kind: 'count', value: 2 },
    });
    const text = formatAnomalyReport(report);
    expect(text).toMatch(/ANOMALOUS · 1 epoch · hint: /);
    expect(text).toMatch(/ANOMALY {3}abcdef012345 {2}epoch 3: \d+ of 10 windows unseen in training · hint: /);
  });

  it('a high alert alone is exit 3 too; a low Falco alert is not', async () => {
    const high = await run(['anomaly', '--source', 'capture:/x.scap', ...SMALL], capture(false, 'ptrace'));
    expect(high.code).toBe(3);
    expect(high.out).toMatch(/HIGH {6}abcdef012345 {2}ptrace called \[built-in: ptrace\] ×1/);

    const low = await run(
      ['anomaly', '--source', 'capture:/x.scap', '--falco', '/e/events.json', '--json', ...SMALL],
      capture(false),
    );
    expect(low.code).toBe(0);
    const report = JSON.parse(low.out) as AnomalyReport;
    expect(report.falco).toMatchObject({ path: '/e/events.json', alerts: 1 });
    expect(report.timeline.map((e) => e.kind === 'alert' && e.alert.source)).toEqual(['falco']);
  });

  it('a source that fails is exit 1 with its error; an unreadable Falco file is exit 1 too', async () => {
    const failing: Script = (_m, emit) =>
      emit({
        phase: 'failed',
        since: now(),
        error: { code: 'capture-unreadable', message: '/x.scap is not a sysdig capture' },
        diagnostics: '',
      });
    const r = await run(['anomaly', '--source', 'capture:/x.scap'], failing);
    expect(r.code).toBe(1);
    expect(r.err).toBe('bulkhead: /x.scap is not a sysdig capture [capture-unreadable]');

    const f = await run(['anomaly', '--source', 'capture:/x.scap', '--falco', '/nope.json'], capture(false));
    expect(f.code).toBe(1);
    expect(f.err).toContain('There is no Falco alert file at /nope.json. [not-found]');
  });

  it('a live source runs for --duration; a failure after it streamed is restarted, not fatal', async () => {
    let starts = 0;
    const live: Script = (m, emit, snap) => {
      starts++;
      emit({ phase: 'streaming', since: now() });
      feed(m, CID, ['read', 'write', 'read'], 1000 + starts);
      snap();
      if (starts === 1)
        emit({
          phase: 'failed',
          since: now(),
          error: { code: 'bpftrace-failed', message: 'killed' },
          diagnostics: '',
        });
    };
    const started = Date.now();
    const r = await run(['anomaly', '--source', 'bpf', '--duration', '900ms', '--json'], live);
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as AnomalyReport;
    expect(starts).toBe(2);
    // The second run fed the same monitor: both runs' syscalls, and the gap between them.
    expect(report.containers[0]!.bosc).toMatchObject({ syscalls: 6, gaps: 1 });
    expect(report.outages).toHaveLength(1);
  });

  it('neutralises terminal control characters in names and titles', () => {
    const report: AnomalyReport = {
      source: 'capture:/x\u001b[31m.scap',
      state: null,
      settings: createAnomalyMonitor().detector.settings,
      containers: [{ key: CID, name: 'evil\u001b]0;pwned\u0007', bosc: null }],
      timeline: [],
      falco: null,
      untracked: 0,
      alertOverflow: 0,
      vocabularyOverflow: 0,
      outages: [],
      raised: { anomalous: [], severeAlerts: [] },
    };
    // eslint-disable-next-line no-control-regex
    expect(formatAnomalyReport(report)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
