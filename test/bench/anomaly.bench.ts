import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

import { SEQUENCE_FORMAT } from '../../electron/adapters/anomaly/sysdig-sequence.js';
import type { BoscDetector, BoscSettings, BoscStream } from '../../shared/domain/anomaly/bosc.js';
import {
  boscStream,
  createBoscDetector,
  detectorStates,
  pushSyscall,
} from '../../shared/domain/anomaly/bosc.js';
import type { AnomalyMonitor, MonitoredContainer } from '../../shared/domain/anomaly/monitor.js';
import {
  createAnomalyMonitor,
  isSyscallEventType,
  monitorContainer,
  observe,
  syscallIndex,
} from '../../shared/domain/anomaly/monitor.js';

/**
 * Benchmark of BoSC detection on the k8s capture's real syscall sequence (../shared/data/scap/
 * bencer_k8s_capture.scap), as ratios to a baseline measured in the same process.
 *
 * The capture is decoded once with sysdig (`-p SEQUENCE_FORMAT evt.dir=>`, the sysdig sequence adapter's
 * command) into three arrays — container, syscall index, second — of its container syscalls in order
 * (sysdig's non-syscall events, host and unattributed events left out). Then, on one core:
 *
 * - baseline: a plain loop over the same arrays that adds each syscall index to a per-container sum — the
 *   cost of touching every event, nothing more;
 * - (a) detection: the detector trained on the sequence (untimed warm-up passes until the busy containers
 *   watch), then timed over further passes: slide, hash, probe, confirm per window;
 * - (b) learning: a fresh detector whose training never ends, so every window is looked up and new bags
 *   inserted;
 * - (c) the monitor path the adapters use: BoSC plus the alert rules' per-syscall table read.
 *
 * Each prints windows/s (one window per syscall once a container's window is full) and the ratio to the
 * baseline; the target is keeping up with 1 M syscalls/s on one core.
 */

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const K8S = resolve(ROOT, '..', 'shared', 'data', 'scap', 'bencer_k8s_capture.scap');
/** Passes over the sequence per timed run, warm-up passes, timed runs (median). */
const PASSES = 25;
const WARMUP_PASSES = 40;
const RUNS = 9;
const TARGET = 1_000_000;
const SETTINGS: Partial<BoscSettings> = { epochSize: 1000, trainingEpochs: 5 };

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The capture's container syscalls, in order. */
interface Sequence {
  readonly containers: readonly string[];
  readonly names: readonly string[];
  readonly container: Int32Array;
  readonly syscall: Int32Array;
  readonly second: Int32Array;
}

async function decode(): Promise<Sequence> {
  const { stdout } = await run('sysdig', ['-r', K8S, '-p', SEQUENCE_FORMAT, 'evt.dir=>'], {
    maxBuffer: 512 * 1024 * 1024,
  });
  const containers: string[] = [];
  const names: string[] = [];
  const cIndex = new Map<string, number>();
  const nIndex = new Map<string, number>();
  const c: number[] = [];
  const n: number[] = [];
  const t: number[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.split(' ');
    if (f.length !== 4) continue;
    const [second, id, type] = f as [string, string, string];
    if (id === 'host' || id === '<NA>' || !isSyscallEventType(type)) continue;
    let ci = cIndex.get(id);
    if (ci === undefined) {
      ci = containers.push(id) - 1;
      cIndex.set(id, ci);
    }
    let ni = nIndex.get(type);
    if (ni === undefined) {
      ni = names.push(type) - 1;
      nIndex.set(type, ni);
    }
    c.push(ci);
    n.push(ni);
    t.push(Number(second));
  }
  return {
    containers,
    names,
    container: Int32Array.from(c),
    syscall: Int32Array.from(n),
    second: Int32Array.from(t),
  };
}

/** The baseline: a plain loop over the same arrays. */
function baseline(seq: Sequence, passes: number, sums: Float64Array): number {
  const { container, syscall } = seq;
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < container.length; i++) sums[container[i]!]! += syscall[i]!;
  }
  return container.length * passes;
}

/** A detector with the sequence's names interned in the same order (so indices carry over). */
function detectorFor(
  seq: Sequence,
  settings: Partial<BoscSettings>,
): { det: BoscDetector; streams: BoscStream[] } {
  const det = createBoscDetector(settings);
  for (const name of seq.names) det.vocabulary.indexOf(name);
  return { det, streams: seq.containers.map((id) => boscStream(det, id)!) };
}

function feed(det: BoscDetector, streams: readonly BoscStream[], seq: Sequence, passes: number): void {
  const { container, syscall, second } = seq;
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < container.length; i++)
      pushSyscall(det, streams[container[i]!]!, syscall[i]!, second[i]!);
  }
}

const windowsOf = (det: BoscDetector): number => detectorStates(det).reduce((n, s) => n + s.windows, 0);

function monitorFor(seq: Sequence): {
  m: AnomalyMonitor;
  containers: MonitoredContainer[];
  index: Int32Array;
} {
  const m = createAnomalyMonitor({ bosc: SETTINGS });
  const index = Int32Array.from(seq.names, (name) => syscallIndex(m, name));
  return { m, containers: seq.containers.map((id) => monitorContainer(m, id, null)!), index };
}

function feedMonitor(
  m: AnomalyMonitor,
  containers: readonly MonitoredContainer[],
  index: Int32Array,
  seq: Sequence,
  passes: number,
): void {
  const { container, syscall, second } = seq;
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < container.length; i++) {
      observe(m, containers[container[i]!]!, index[syscall[i]!]!, second[i]!, null);
    }
  }
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Run the anomaly benchmark and print its medians and ratios. */
export async function runAnomalyBench(log: (line: string) => void): Promise<void> {
  log('');
  log(`anomaly: BoSC on the k8s capture ${K8S}`);
  const seq = await decode();
  const events = seq.container.length;
  log(
    `    decoded once with sysdig: ${events} container syscalls, ${seq.containers.length} containers, ${seq.names.length} syscall names; ${PASSES} passes per run (${events * PASSES} syscalls), median of ${RUNS} runs`,
  );

  // (a) Detection: train (untimed) until the busy containers watch, then time further passes.
  const trained = detectorFor(seq, SETTINGS);
  feed(trained.det, trained.streams, seq, WARMUP_PASSES);
  const phases = detectorStates(trained.det);
  const watchingShare =
    phases.filter((s) => s.phase !== 'learning').reduce((n, s) => n + s.syscalls, 0) /
    phases.reduce((n, s) => n + s.syscalls, 0);

  const sums = new Float64Array(seq.containers.length);
  for (let i = 0; i < 3; i++) baseline(seq, PASSES, sums);
  const base: number[] = [];
  const detect: number[] = [];
  const learn: number[] = [];
  const mon: number[] = [];
  let detectWindows = 0;
  let learnWindows = 0;
  let monitorWindows = 0;
  const monitor = monitorFor(seq);
  feedMonitor(monitor.m, monitor.containers, monitor.index, seq, WARMUP_PASSES);
  for (let r = 0; r < RUNS; r++) {
    base.push(time(() => baseline(seq, PASSES, sums)));
    const w0 = windowsOf(trained.det);
    detect.push(time(() => feed(trained.det, trained.streams, seq, PASSES)));
    detectWindows = windowsOf(trained.det) - w0;
    const fresh = detectorFor(seq, { ...SETTINGS, trainingEpochs: 1_000_000 });
    learn.push(time(() => feed(fresh.det, fresh.streams, seq, PASSES)));
    learnWindows = windowsOf(fresh.det);
    const m0 = windowsOf(monitor.m.detector);
    mon.push(time(() => feedMonitor(monitor.m, monitor.containers, monitor.index, seq, PASSES)));
    monitorWindows = windowsOf(monitor.m.detector) - m0;
  }
  const total = events * PASSES;
  const mBase = median(base);
  const line = (label: string, ms: number, windows: number): number => {
    const perSecond = total / (ms / 1000);
    log(
      `    ${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms  ${(windows / (ms / 1000) / 1e6).toFixed(2)} M windows/s  ${(perSecond / 1e6).toFixed(2)} M syscalls/s  ${(ms / mBase).toFixed(1)}× baseline`,
    );
    return perSecond;
  };
  log(
    `    ${'baseline: a plain loop over the same arrays'.padEnd(44)} ${mBase.toFixed(1).padStart(7)} ms  ${(total / (mBase / 1000) / 1e6).toFixed(1)} M events/s`,
  );
  const rateDetect = line(
    `(a) detect, trained (${(watchingShare * 100).toFixed(0)} % watching)`,
    median(detect),
    detectWindows,
  );
  line('(b) learn (look up or insert every bag)', median(learn), learnWindows);
  const rateMonitor = line('(c) monitor (BoSC + alert rules)', median(mon), monitorWindows);
  const worst = Math.min(rateDetect, rateMonitor);
  log(
    `    target: keeps up with 1 M syscalls/s on one core — ${(worst / 1e6).toFixed(2)} M/s on the slower of (a) and (c): ${worst >= TARGET ? 'MET' : 'NOT MET'}`,
  );
}
