import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BpftraceSequenceSource } from '../../../electron/adapters/anomaly/bpftrace-sequence.js';
import { startBpftraceSequence } from '../../../electron/adapters/anomaly/bpftrace-sequence.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { BoscContainerState, BoscSettings } from '../../../shared/domain/anomaly/bosc.js';
import {
  boscStream,
  createBoscDetector,
  findStream,
  pushSyscall,
  streamState,
} from '../../../shared/domain/anomaly/bosc.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import { ensureTracefs } from '../../support/tracefs.js';

// BoSC on the real engine: a real container, the real kernel through bpftrace (as root), the eBPF
// sequence source of electron/adapters/anomaly/bpftrace-sequence.ts.
const run = promisify(execFile);
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = 'bulkhead.test=1';
const STEADY = 'while true; do cat /etc/hostname >/dev/null; usleep 2000; done';
// A shell doing file and network work the loop never does.
const UNUSUAL =
  'mkdir /tmp/x; ls -la /; wget -T1 http://127.0.0.1:9/ || true; echo hi | nc -w1 127.0.0.1 9 || true';

// Epochs of 1000 windows, 150 training epochs (≈ 15 s of the loop), anomalous above 5 % mismatches.
const SETTINGS: Partial<BoscSettings> = {
  epochSize: 1000,
  trainingEpochs: 150,
  threshold: { kind: 'fraction', value: 0.05 },
};
const EPOCH = 1000;
const TRAINING_EPOCHS = 150;
// After training, this many epochs of the loop are watched live and recorded before the workload.
const WATCH_EPOCHS = 60;

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let container = '';
let source: BpftraceSequenceSource | null = null;

beforeAll(async () => {
  await ensureTracefs();
  container = await docker('run', '-d', '--label', LABEL, IMAGE, 'sh', '-c', STEADY);
  await sleep(1000); // past the container's start-up: train on the loop itself
});

afterAll(async () => {
  source?.dispose();
  await source?.settled;
  if (container !== '') await docker('rm', '-f', container).catch(() => undefined);
});

describe('BoSC with the eBPF sequence source on a real container', () => {
  it('learns a steady busybox loop, raises an anomaly within one epoch of a shell doing file and network work, and none in an hour of the loop replayed', async () => {
    const short = container.slice(0, 12);
    // The container's syscall sequence, as the detector saw it, and where the exec'd shell began.
    const recorded: string[] = [];
    let recording = true;
    let shellAtWindow = -1;
    const states: SourceState[] = [];
    const s = startBpftraceSequence(
      { onState: (st) => states.push(st) },
      {
        clock: systemClock,
        bosc: SETTINGS,
        onSyscall: (key, syscall) => {
          if (recording && key === short) recorded.push(syscall);
        },
        onExec: (key, comm) => {
          if (key === short && comm === 'sh' && shellAtWindow < 0) {
            const stream = findStream(s.monitor.detector, short);
            shellAtWindow = stream === null ? 0 : streamState(s.monitor.detector, stream).windows;
          }
        },
      },
    );
    source = s;
    await until('streaming', () => s.state.phase === 'streaming', 20_000);

    const live = (): BoscContainerState | null => {
      const stream = findStream(s.monitor.detector, short);
      return stream === null ? null : streamState(s.monitor.detector, stream);
    };

    // Training, then watching the loop live: no anomaly.
    await until('training', () => live()?.phase === 'watching', 90_000);
    await until('watched epochs', () => (live()?.epochs ?? 0) >= TRAINING_EPOCHS + WATCH_EPOCHS, 60_000);
    const watched = live()!;
    expect(watched.phase, 'the steady loop, watched live').toBe('watching');
    recording = false;
    const beforeExec = watched.windows;
    const lostBefore = s.lost;

    // The unusual workload.
    await docker('exec', container, 'sh', '-c', UNUSUAL);
    await until('anomaly', () => live()?.phase === 'anomalous', 15_000);
    const raised = live()!;
    expect(raised.phase).toBe('anomalous');
    if (raised.phase !== 'anomalous') return;
    const first = raised.anomalies[0]!;
    expect(shellAtWindow, 'the exec of sh was seen').toBeGreaterThanOrEqual(0);
    const execEpoch = Math.floor(beforeExec / EPOCH);
    const shellEpoch = Math.floor(shellAtWindow / EPOCH);
    // Not before the exec was issued, and at the latest in the epoch after the one the shell started in.
    expect(first.epoch).toBeGreaterThanOrEqual(execEpoch);
    expect(first.epoch).toBeLessThanOrEqual(shellEpoch + 1);
    expect(first.mismatches).toBeGreaterThan(EPOCH * 0.05);
    const alerts = s.snapshot().alerts.filter((a) => a.container?.id === short);
    expect(alerts.map((a) => a.ruleId)).toContain('shell-in-container');
    process.stdout.write(
      `live: trained ${TRAINING_EPOCHS} epochs (${watched.database.bags} bags), watched ${WATCH_EPOCHS} epochs with ${watched.mismatches} mismatches in all; ` +
        `exec at window ${beforeExec} (epoch ${execEpoch}), sh exec'd at window ${shellAtWindow} (epoch ${shellEpoch}); ` +
        `anomalous epoch ${first.epoch}: ${first.mismatches}/${first.windows} mismatches, hint ${first.hint.map((h) => `${h.syscall} ×${h.ratio.toFixed(0)}`).join(', ')}; ` +
        `bpftrace lost ${s.lost} events\n`,
    );
    await sleep(1500); // let the workload's last epochs close
    const later = live()!;
    if (later.phase === 'anomalous') {
      for (const a of later.anomalies) {
        process.stdout.write(
          `  anomalous epoch ${a.epoch}: ${a.mismatches} mismatches, hint ${a.hint.map((h) => h.syscall).join(', ')}\n`,
        );
      }
    }

    // Replay: a fresh detector trained on the recorded training part, then the recorded steady part —
    // watched live without an anomaly above — over and over, for as many syscalls as an hour of the loop.
    const det = createBoscDetector(SETTINGS);
    const stream = boscStream(det, short)!;
    const seq = Int32Array.from(recorded, (name) => det.vocabulary.indexOf(name));
    const trainEnd = TRAINING_EPOCHS * EPOCH + 9; // 150 000 windows need 150 009 syscalls (window 10)
    expect(seq.length).toBeGreaterThan(trainEnd + 10 * EPOCH);
    for (let i = 0; i < trainEnd; i++) pushSyscall(det, stream, seq[i]!, 0);
    const trained = streamState(det, stream);
    expect(trained.phase).toBe('watching');
    if (lostBefore === 0) {
      // Nothing lost: the replayed training is exactly what the live detector learned.
      expect(trained.database.bags).toBe(watched.database.bags);
    }
    const steady = seq.subarray(trainEnd);
    // The loop's rate: the recorded syscalls over the seconds they took.
    const seconds = watched.lastSecond! - watched.firstSecond! + 1;
    const rate = seq.length / seconds;
    const hour = Math.ceil(rate * 3600);
    // Fed an epoch at a time (the window is full, so an epoch is EPOCH syscalls), to see each epoch's count.
    let fed = 0;
    let at = 0;
    let worst = 0;
    let mismatches = streamState(det, stream).mismatches;
    const t0 = performance.now();
    while (fed < hour) {
      const n = Math.min(EPOCH - streamState(det, stream).current.windows, hour - fed);
      for (let i = 0; i < n; i++) {
        pushSyscall(det, stream, steady[at]!, 1);
        at = at + 1 === steady.length ? 0 : at + 1;
      }
      fed += n;
      const now = streamState(det, stream).mismatches;
      worst = Math.max(worst, now - mismatches);
      mismatches = now;
    }
    const cycles = fed / steady.length;
    const ms = performance.now() - t0;
    const after = streamState(det, stream);
    process.stdout.write(
      `replay: ${steady.length} recorded steady syscalls (${(steady.length / rate).toFixed(1)} s of the loop at ${rate.toFixed(0)} syscalls/s) × ${cycles.toFixed(1)} = ${fed} syscalls ≈ 1 h; ` +
        `${after.epochs - TRAINING_EPOCHS} epochs watched, ${after.mismatches} mismatches (${((after.mismatches / fed) * 100).toFixed(3)} %), at most ${worst} in one epoch (anomalous above ${EPOCH * 0.05}), phase ${after.phase}; ` +
        `${(fed / ms / 1000).toFixed(1)} M syscalls/s\n`,
    );
    expect(fed).toBeGreaterThanOrEqual(rate * 3600);
    expect(after.phase, 'an hour of the steady loop').toBe('watching');
    expect(worst).toBeLessThanOrEqual(EPOCH * 0.05);
    expect(after.epochs - TRAINING_EPOCHS).toBeGreaterThanOrEqual(Math.floor(hour / EPOCH) - 1);

    s.dispose();
    expect((await s.settled).phase).toBe('exited');
    expect(states.map((x) => x.phase)).toEqual(['starting', 'streaming', 'exited']);
  }, 240_000);
});
