import { execFile, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

import { startCaptureReplay } from '../../electron/adapters/syscalls/capture-replay.js';
import { captureArgs } from '../../electron/adapters/syscalls/sysdig-process.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import { createAggregate, createKeyTable } from '../../shared/domain/syscalls/aggregate.js';
import type { SourceState } from '../../shared/domain/syscalls/model.js';
import { createAggregateSink } from '../../shared/domain/syscalls/sysdig-fold.js';
import { createSysdigLineSplitter } from '../../shared/domain/syscalls/sysdig-line.js';

/**
 * Benchmarks of the syscall path, on the k8s capture (../shared/data/scap/bencer_k8s_capture.scap), each as a
 * ratio to a baseline measured in the same process:
 *
 * (a) capture → per-container histograms: Bulkhead's capture replay (sysdig -r with Bulkhead's format and
 *     enter-event filter, its output parsed and folded, read to the end at full speed) against
 *     `sysdig -r FILE -p '*%container.id %evt.type' > /dev/null` alone. Target ≤ 1.15×. Runs alternate, the
 *     median of each is compared. Also shown: sysdig with Bulkhead's own arguments to /dev/null, which
 *     separates what sysdig costs from what Bulkhead adds.
 * (b) parse + fold of sysdig's lines in process, on one core: the capture's text is generated once with
 *     sysdig, then fed in 64 KiB chunks (the pipe's reads) through the line splitter into the rolling fold.
 *     Target ≥ 1 M events/s; also as a ratio to merely finding the line ends of the same chunks.
 */

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const K8S = resolve(ROOT, '..', 'shared', 'data', 'scap', 'bencer_k8s_capture.scap');
const RUNS_A = 7;
const WARMUP_B = 5;
const RUNS_B = 25;
const CHUNK = 64 * 1024;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Run sysdig with stdout to /dev/null; resolves with the wall time in ms. */
function sysdigToNull(args: readonly string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const t0 = performance.now();
    const child = spawn('sysdig', [...args], { stdio: ['ignore', devNull, 'ignore'] });
    child.once('error', (e) => {
      closeSync(devNull);
      reject(e);
    });
    child.once('exit', (code) => {
      closeSync(devNull);
      const ms = performance.now() - t0;
      if (code === 0) resolvePromise(ms);
      else reject(new Error(`sysdig ${args.join(' ')} exited with ${String(code)}`));
    });
  });
}

/** Bulkhead's whole capture path to the end; resolves with the wall time in ms and the events counted. */
async function bulkheadCapture(): Promise<{ ms: number; events: number }> {
  const t0 = performance.now();
  let done: (s: SourceState) => void = () => undefined;
  const settled = new Promise<SourceState>((r) => (done = r));
  const source = startCaptureReplay(
    K8S,
    'max',
    {
      onState: (s) => {
        if (s.phase === 'exited' || s.phase === 'failed') done(s);
      },
      onFrame: () => undefined,
    },
    { clock: systemClock },
  );
  const end = await settled;
  const totals = source.totals();
  const ms = performance.now() - t0;
  source.dispose();
  if (end.phase !== 'exited') throw new Error(`capture replay ended ${end.phase}`);
  return { ms, events: totals.reduce((n, t) => n + t.total, 0) };
}

function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
  return out;
}

/** Parse + fold every chunk into a fresh fold; returns the events counted. */
function parseAndFold(parts: readonly string[]): number {
  const agg = createAggregate(createKeyTable());
  const splitter = createSysdigLineSplitter(createAggregateSink(agg));
  for (const p of parts) splitter.push(p);
  splitter.end();
  return agg.totalEvents;
}

/** The baseline: find every line end of the same chunks (no parsing, no counting by key). */
function splitLines(parts: readonly string[]): number {
  let lines = 0;
  for (const p of parts) {
    let i = p.indexOf('\n');
    while (i !== -1) {
      lines++;
      i = p.indexOf('\n', i + 1);
    }
  }
  return lines;
}

function time(fn: () => number): { ms: number; n: number } {
  const t0 = performance.now();
  const n = fn();
  return { ms: performance.now() - t0, n };
}

/** Run both syscall benchmarks and print their medians and ratios. */
export async function runSyscallsBench(log: (line: string) => void): Promise<void> {
  log('');
  log(`syscalls: capture ${K8S}`);

  // (a) capture → histograms, alternating with the baseline.
  const baselineArgs = ['-r', K8S, '-p', '*%container.id %evt.type'];
  const ownArgs = captureArgs(K8S);
  await sysdigToNull(baselineArgs); // warm the page cache and sysdig's own start-up
  await bulkheadCapture();
  const base: number[] = [];
  const own: number[] = [];
  const ours: number[] = [];
  let events = 0;
  for (let i = 0; i < RUNS_A; i++) {
    base.push(await sysdigToNull(baselineArgs));
    const r = await bulkheadCapture();
    ours.push(r.ms);
    events = r.events;
    own.push(await sysdigToNull(ownArgs));
  }
  const ratioA = median(ours) / median(base);
  log(`(a) capture → per-container histograms, median of ${RUNS_A} alternating runs:`);
  log(
    `    baseline  sysdig -r FILE -p '*%container.id %evt.type' > /dev/null   ${median(base).toFixed(0)} ms`,
  );
  log(
    `    bulkhead  capture replay to the end (${events} enter events folded)    ${median(ours).toFixed(0)} ms`,
  );
  log(
    `    (sysdig with Bulkhead's own format and filter, > /dev/null:           ${median(own).toFixed(0)} ms)`,
  );
  log(`    ratio ${ratioA.toFixed(2)}× (target ≤ 1.15×) ${ratioA <= 1.15 ? 'MET' : 'NOT MET'}`);

  // (b) parse + fold in process.
  const { stdout } = await run('sysdig', ownArgs, { maxBuffer: 512 * 1024 * 1024 });
  const parts = chunks(stdout);
  const expected = parseAndFold(parts);
  const lines = splitLines(parts);
  if (expected !== lines) throw new Error(`parse+fold counted ${expected} events for ${lines} lines`);
  for (let i = 0; i < WARMUP_B; i++) {
    parseAndFold(parts);
    splitLines(parts);
  }
  const fold: number[] = [];
  const split: number[] = [];
  for (let i = 0; i < RUNS_B; i++) {
    fold.push(time(() => parseAndFold(parts)).ms);
    split.push(time(() => splitLines(parts)).ms);
  }
  const mFold = median(fold);
  const mSplit = median(split);
  const rate = expected / (mFold / 1000) / 1e6;
  log(
    `(b) parse + fold of sysdig lines in process, one core, median of ${RUNS_B} runs over ${expected} lines (${(stdout.length / 1e6).toFixed(1)} MB):`,
  );
  log(
    `    baseline  finding the line ends                     ${mSplit.toFixed(1)} ms  ${(expected / (mSplit / 1000) / 1e6).toFixed(1)} M lines/s`,
  );
  log(
    `    bulkhead  split + parse + fold into histograms     ${mFold.toFixed(1)} ms  ${rate.toFixed(2)} M events/s`,
  );
  log(
    `    ratio to the baseline ${(mFold / mSplit).toFixed(2)}×; ${rate.toFixed(2)} M events/s (target ≥ 1 M/s) ${rate >= 1 ? 'MET' : 'NOT MET'}`,
  );
}
