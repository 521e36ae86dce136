import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { startSysdigLive } from '../../electron/adapters/syscalls/sysdig-live.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import {
  advanceTo,
  createAggregate,
  createKeyTable,
  makeFrame,
} from '../../shared/domain/syscalls/aggregate.js';
import type { SourceState, SyscallFrame } from '../../shared/domain/syscalls/model.js';
import { createSysdigLineSplitter } from '../../shared/domain/syscalls/sysdig-line.js';
import { createAggregateSink } from '../../shared/domain/syscalls/sysdig-fold.js';

/**
 * Event flood (issue #9, load): 1 M events/s for 60 s into the live fold, memory bounded, drops counted.
 *
 * The real live path — startSysdigLive: the process runner, its pipe, the line splitter, the parser, the
 * rolling fold with its key bound (4096 pairs), frames every 250 ms — with the `sysdig` program replaced
 * by a generator (written below, a fake for determinism: no kernel driver here) that prints sysdig-format
 * lines paced to the target rate: 800 containers × 8 syscalls = 6,400 distinct pairs, so the key bound is
 * hit and the rest overflows; one malformed line and one line older than the window per 10,000. The pipe's
 * backpressure is real: if the fold falls behind, the generator blocks and the accepted rate shows it.
 *
 * Printed: memory before (baseline, after a GC), the peak while flooding and at the end (RSS and heap, and
 * their ratios to the baseline), events accepted vs dropped (from the last frame), and the frames emitted
 * (count, rate, shortest interval: at most 4 Hz). BULKHEAD_FLOOD_SECONDS shortens the run while developing.
 */

const RATE = 1_000_000;
const SECONDS = Number(process.env.BULKHEAD_FLOOD_SECONDS ?? 60);
const SAMPLE_MS = 100;

/** The generator: argv is sysdig's (ignored); writes paced lines to stdout, then exits 0. */
function generatorSource(rate: number, seconds: number): string {
  return `#!${process.execPath}
'use strict';
const RATE = ${rate}, SECONDS = ${seconds}, BATCH = 10000;
const ids = Array.from({ length: 800 }, (_, i) => (0x100000000000 + i * 7919).toString(16).slice(-12));
const names = ['read', 'write', 'openat', 'close', 'futex', 'epoll_wait', 'mmap', 'recvfrom'];
function batch(sec) {
  const lines = [];
  for (let i = 0; i < BATCH - 2; i++) {
    const c = i % 800, s = Math.floor(i / 800) % 8;
    lines.push(sec + ' ' + ids[c] + ' ' + names[(s + c) % 8] + ' flood-' + c);
  }
  lines.push('not a sysdig line');
  lines.push((sec - 3600) + ' ' + ids[0] + ' read flood-0');
  return Buffer.from(lines.join('\\n') + '\\n');
}
const fs = require('node:fs');
const t0 = Date.now();
let written = 0, sec = -1, buf = null;
function tick() {
  const elapsed = (Date.now() - t0) / 1000;
  if (elapsed >= SECONDS) { process.stderr.write('flood: ' + written + ' lines\\n'); process.exit(0); }
  const due = Math.min(RATE * SECONDS, Math.floor(RATE * elapsed));
  while (written + BATCH <= due) {
    // The pipe's backpressure blocks writeSync when the fold falls behind: stop on time all the same.
    if (Date.now() - t0 >= SECONDS * 1000) break;
    const now = Math.floor(Date.now() / 1000);
    if (now !== sec) { sec = now; buf = batch(now); }
    fs.writeSync(1, buf);
    written += BATCH;
  }
  setTimeout(tick, 5);
}
tick();
`;
}

const gc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** The baseline: the same generator into a reader that only counts line ends; lines per second. */
function baselineRate(program: string): Promise<{ lines: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let lines = 0;
    const child = spawn(program, [], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (b: Buffer) => {
      let i = b.indexOf(10);
      while (i !== -1) {
        lines++;
        i = b.indexOf(10, i + 1);
      }
    });
    child.once('error', reject);
    child.once('close', () => resolve({ lines, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** The most frames emitted within any 1 s. */
function maxPerSecond(times: readonly number[]): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Run the flood and print its figures. */
export async function runFloodBench(log: (line: string) => void): Promise<void> {
  log('');
  log(
    `flood: ${RATE.toLocaleString('en')} events/s for ${SECONDS} s into the live fold (generator in place of sysdig)`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'bh-flood-'));
  const program = join(dir, 'sysdig-flood');
  writeFileSync(program, generatorSource(RATE, SECONDS));
  chmodSync(program, 0o755);
  const baseProgram = join(dir, 'baseline-flood');
  const baseSeconds = Math.min(10, SECONDS);
  writeFileSync(baseProgram, generatorSource(RATE, baseSeconds));
  chmodSync(baseProgram, 0o755);
  try {
    const base = await baselineRate(baseProgram);
    const baseRate = base.lines / base.seconds;
    gc();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, SAMPLE_MS);

    // Only the frames' times and the newest frame are kept: holding every frame would measure the bench.
    const frameTimes: number[] = [];
    let last: SyscallFrame | undefined;
    let settle: (s: SourceState) => void = () => undefined;
    const settled = new Promise<SourceState>((r) => (settle = r));
    const t0 = performance.now();
    let streamingAt = t0;
    const source = startSysdigLive(
      {
        onState: (s) => {
          if (s.phase === 'streaming') streamingAt = performance.now();
          if (s.phase === 'exited' || s.phase === 'failed') settle(s);
        },
        onFrame: (frame) => {
          frameTimes.push(performance.now());
          last = frame;
        },
      },
      { clock: systemClock, program },
    );
    const end = await settled;
    const wall = (performance.now() - streamingAt) / 1000;
    clearInterval(sampler);
    const totals = source.totals();
    source.dispose();
    if (end.phase !== 'exited') throw new Error(`the flood source ended ${JSON.stringify(end)}`);
    const endMem = process.memoryUsage();
    gc();
    const afterGc = process.memoryUsage();

    if (last === undefined) throw new Error('no frame was emitted');
    const accepted = totals.reduce((n, t) => n + t.total, 0);
    const { overflow, late, malformed } = last.dropped;
    const offered = accepted + overflow + malformed;
    const span = frameTimes.length > 1 ? (frameTimes.at(-1)! - frameTimes[0]!) / 1000 : 0;
    const hz = span > 0 ? (frameTimes.length - 1) / span : 0;
    const busiest = maxPerSecond(frameTimes);

    log(`    memory     baseline (after GC)   rss ${mib(before.rss)}  heap ${mib(before.heapUsed)}`);
    log(
      `               peak while flooding   rss ${mib(peakRss)} (${(peakRss / before.rss).toFixed(2)}×)  heap ${mib(peakHeap)} (${(peakHeap / before.heapUsed).toFixed(2)}×)`,
    );
    log(`               at the end            rss ${mib(endMem.rss)}  heap ${mib(endMem.heapUsed)}`);
    log(`               after GC              rss ${mib(afterGc.rss)}  heap ${mib(afterGc.heapUsed)}`);
    const rate = offered / wall;
    log(
      `    baseline   the generator into a line counter: ${(baseRate / 1e6).toFixed(2)} M lines/s over ${base.seconds.toFixed(1)} s (what this machine pushes through a pipe now)`,
    );
    log(
      `    events     offered ${offered.toLocaleString('en')} in ${wall.toFixed(1)} s streaming = ${(rate / 1e6).toFixed(2)} M/s; ${(rate / RATE).toFixed(2)}× the 1 M/s target, ${(rate / baseRate).toFixed(2)}× the baseline`,
    );
    log(
      `               folded   ${accepted.toLocaleString('en')} into ${totals.length} subjects' totals (${late.toLocaleString('en')} of them late: older than the window, so not in any bucket)`,
    );
    log(
      `               dropped  ${(overflow + late + malformed).toLocaleString('en')} as the UI counts them: ${overflow.toLocaleString('en')} over the key bound, ${late.toLocaleString('en')} late, ${malformed.toLocaleString('en')} malformed (the last frame's counts)`,
    );
    log(
      `    frames     ${frameTimes.length}, ${hz.toFixed(2)} Hz between the first and the last (≤ 4 Hz: ${hz <= 4.05 ? 'MET' : 'NOT MET'}); at most ${busiest} in any 1 s (timer jitter)`,
    );
    const bounded = peakHeap < before.heapUsed + 256 * 1024 * 1024;
    log(
      `    verdict    memory ${bounded ? 'bounded' : 'NOT bounded'} (peak heap − baseline ${mib(peakHeap - before.heapUsed)}); drops counted ${overflow > 0 && malformed > 0 && late > 0 ? 'and reported' : 'INCOMPLETE'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await inProcessFlood(log);
}

/** The generator's batch of 10,000 lines for `sec`, in process (same shape: 800 × 8 pairs, 1 malformed, 1 late). */
function batchText(sec: number): string {
  const ids = Array.from({ length: 800 }, (_, i) => (0x100000000000 + i * 7919).toString(16).slice(-12));
  const names = ['read', 'write', 'openat', 'close', 'futex', 'epoll_wait', 'mmap', 'recvfrom'];
  const lines: string[] = [];
  for (let i = 0; i < 9998; i++) {
    const c = i % 800;
    const n = Math.floor(i / 800) % 8;
    lines.push(`${sec} ${ids[c]} ${names[(n + c) % 8]} flood-${c}`);
  }
  lines.push('not a sysdig line');
  lines.push(`${sec - 3600} ${ids[0]} read flood-0`);
  return `${lines.join('\n')}\n`;
}

/**
 * The same flood without a pipe: batches of 10,000 lines pushed into the line splitter and the rolling
 * aggregate at a paced 1 M events/s (the pipe and a generator process are what held the live path below
 * it on this machine), a frame made every 250 ms as the source does, memory sampled every 100 ms.
 */
async function inProcessFlood(log: (line: string) => void): Promise<void> {
  log(
    `flood: ${RATE.toLocaleString('en')} events/s for ${SECONDS} s straight into the aggregator (in process)`,
  );
  const agg = createAggregate(createKeyTable());
  const splitter = createSysdigLineSplitter(createAggregateSink(agg));
  gc();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let frames = 0;
  let last: SyscallFrame | undefined;
  let text = '';
  let textSecond = -1;
  let offered = 0;
  const t0 = performance.now();
  let nextFrame = t0 + 250;
  let nextSample = t0 + SAMPLE_MS;
  while (performance.now() - t0 < SECONDS * 1000) {
    const now = performance.now();
    const due = Math.floor(((now - t0) / 1000) * RATE);
    const sec = Math.floor(Date.now() / 1000);
    if (sec !== textSecond) {
      textSecond = sec;
      text = batchText(sec);
    }
    while (offered + 10_000 <= due) {
      splitter.push(text);
      offered += 10_000;
    }
    if (now >= nextFrame) {
      advanceTo(agg, sec);
      last = makeFrame(agg, sec, { seq: frames++ });
      nextFrame += 250;
    }
    if (now >= nextSample) {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      nextSample += SAMPLE_MS;
    }
    // Yield to the event loop between slices, as a source's reads do.
    await new Promise((r) => setImmediate(r));
  }
  splitter.end();
  const wall = (performance.now() - t0) / 1000;
  const endMem = process.memoryUsage();
  gc();
  const afterGc = process.memoryUsage();
  if (last === undefined) throw new Error('no frame was made');
  const { overflow, late, malformed } = last.dropped;
  log(`    memory     baseline (after GC)   rss ${mib(before.rss)}  heap ${mib(before.heapUsed)}`);
  log(
    `               peak while flooding   rss ${mib(peakRss)} (${(peakRss / before.rss).toFixed(2)}×)  heap ${mib(peakHeap)} (${(peakHeap / before.heapUsed).toFixed(2)}×)`,
  );
  log(`               at the end            rss ${mib(endMem.rss)}  heap ${mib(endMem.heapUsed)}`);
  log(`               after GC              rss ${mib(afterGc.rss)}  heap ${mib(afterGc.heapUsed)}`);
  const rate = offered / wall;
  log(
    `    events     offered ${offered.toLocaleString('en')} in ${wall.toFixed(1)} s = ${(rate / 1e6).toFixed(2)} M/s (${(rate / RATE).toFixed(2)}× the 1 M/s target); folded ${agg.totalEvents.toLocaleString('en')}`,
  );
  log(
    `               dropped  ${(overflow + late + malformed).toLocaleString('en')} as the UI counts them: ${overflow.toLocaleString('en')} over the key bound, ${late.toLocaleString('en')} late, ${malformed.toLocaleString('en')} malformed; ${frames} frames`,
  );
  const bounded = peakHeap < before.heapUsed + 256 * 1024 * 1024;
  log(
    `    verdict    memory ${bounded ? 'bounded' : 'NOT bounded'} (peak heap − baseline ${mib(peakHeap - before.heapUsed)}); ${rate >= 0.99 * RATE ? '1 M/s sustained' : '1 M/s NOT sustained'}`,
  );
}
