import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { EpochMillis } from '../../../shared/domain/ids.js';
import {
  addCount,
  createAggregate,
  createKeyTable,
  internKey,
  makeFrame,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { EpochSeconds, SourceState, SyscallFrame } from '../../../shared/domain/syscalls/model.js';
import type {
  RecordingEntry,
  RecordingHeader,
} from '../../../electron/adapters/syscalls/recording-replay.js';
import {
  formatRecording,
  parseRecording,
  RECORDING_FORMAT,
  startRecordingReplay,
  writeRecording,
} from '../../../electron/adapters/syscalls/recording-replay.js';
import { startSysdigLive } from '../../../electron/adapters/syscalls/sysdig-live.js';
import { checkSpeed } from '../../../electron/adapters/syscalls/capture-replay.js';
import type { SyscallSourceListener } from '../../../electron/services/syscall-ports.js';
import { createFakeClock } from '../../support/fake-clock.js';

const dir = mkdtempSync(join(tmpdir(), 'bulkhead-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function listener(): SyscallSourceListener & { states: SourceState[]; frames: SyscallFrame[] } {
  const states: SourceState[] = [];
  const frames: SyscallFrame[] = [];
  return { states, frames, onState: (s) => states.push(s), onFrame: (f) => frames.push(f) };
}

/** Poll (in real time) until `check` holds. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const stop = Date.now() + ms;
  while (!check()) {
    if (Date.now() > stop) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A stand-in for `sysdig` (live sysdig cannot run without its kernel driver): an executable that ignores
 * its arguments, prints `lines`, then either waits or exits with `exit` after printing `stderr`.
 */
function standIn(name: string, lines: string[], end: { exit: number; stderr?: string } | 'wait'): string {
  const path = join(dir, name);
  const body =
    end === 'wait'
      ? 'setInterval(() => {}, 1000);'
      : `process.stderr.write(${JSON.stringify(end.stderr ?? '')}); process.exitCode = ${end.exit};`;
  writeFileSync(
    path,
    `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(lines.map((l) => l + '\n').join(''))});\n${body}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('sysdig live (with a stand-in program)', () => {
  it('folds what sysdig prints into frames at most every 250 ms, for the current second', async () => {
    const clock = createFakeClock(1_700_000_000_000);
    const now = 1_700_000_000;
    const program = standIn(
      'live-ok',
      [
        `${now} 53fe249c71de futex k8s-proxy`,
        `${now} 53fe249c71de futex k8s-proxy`,
        `${now} <NA> read <NA>`,
        'junk',
      ],
      'wait',
    );
    const l = listener();
    const src = startSysdigLive(l, { clock, program, frameIntervalMs: 10 });
    expect(l.states.map((s) => s.phase)).toEqual(['starting']);
    await until(() => l.states.some((s) => s.phase === 'streaming'));
    await new Promise((r) => setTimeout(r, 100)); // let the pipe deliver everything
    await clock.advance(1000);
    // 10 ms was asked for; frames come at most every 250 ms, and only when something changed.
    expect(l.frames.length).toBeGreaterThanOrEqual(1);
    expect(l.frames.length).toBeLessThanOrEqual(4);
    const f = l.frames.at(-1)!;
    expect(f.now).toBe(now + 1);
    expect(f.subjects.map((s) => [s.subject.kind, s.total])).toEqual([
      ['container', 2],
      ['unattributed', 1],
    ]);
    expect(f.subjects[0]!.subject).toEqual({ kind: 'container', id: '53fe249c71de', name: 'k8s-proxy' });
    expect(f.dropped.malformed).toBe(1);
    expect(src.totals()).toHaveLength(2);
    expect(src.replay).toBeNull();
    src.dispose();
    expect(src.state).toMatchObject({ phase: 'exited', reason: 'disposed' });
    const count = l.frames.length;
    await clock.advance(2000);
    expect(l.frames.length).toBe(count);
  });

  it('fails with the driver message when sysdig cannot open its driver; no frames', async () => {
    const clock = createFakeClock();
    const program = standIn('live-nodriver', [], {
      exit: 1,
      stderr:
        'Unable to load the driver\nerror opening device /dev/scap0. Make sure you have root credentials and that the scap module is loaded.\n',
    });
    const l = listener();
    const src = startSysdigLive(l, { clock, program });
    await until(() => src.state.phase === 'failed');
    expect(l.states.map((s) => s.phase)).toEqual(['starting', 'failed']);
    const failed = l.states[1]!;
    expect(failed.phase === 'failed' && failed.error.message).toMatch(/kernel driver is not loaded/);
    await clock.advance(1000);
    expect(l.frames).toEqual([]);
    src.dispose();
    expect(l.states).toHaveLength(2);
  });
});

function sampleEntries(): RecordingEntry[] {
  const agg = createAggregate(createKeyTable(), 600);
  const entries: RecordingEntry[] = [];
  const t0 = 1_481_211_698;
  for (let i = 0; i < 4; i++) {
    const key = internKey(agg.keys, { kind: 'host' }, i % 2 === 0 ? 'read' : 'write');
    addCount(agg, t0 + i, key, 10 + i);
    entries.push({
      at: (1_700_000_000_000 + i * 1000) as EpochMillis,
      frame: makeFrame(agg, t0 + i, { seq: i }),
    });
  }
  return entries;
}

const HEADER: RecordingHeader = {
  format: RECORDING_FORMAT,
  recordedAt: 1_700_000_000_000 as EpochMillis,
  recordedWith: 'unit test fold',
};

describe('recordings', () => {
  it('round-trip through text; bad lines are counted and skipped', () => {
    const entries = sampleEntries();
    const text = formatRecording(HEADER, entries);
    expect(parseRecording(text, 'r')).toEqual({ header: HEADER, entries, malformed: 0 });
    const lines = text.split('\n');
    const damaged = [
      lines[0],
      lines[1],
      '{not json',
      JSON.stringify({ at: 1, frame: { seq: 0 } }),
      lines[2]!.slice(0, 40),
      lines[3],
      '',
    ].join('\n');
    const parsed = parseRecording(damaged, 'r');
    expect(parsed.entries).toEqual([entries[0], entries[2]]);
    expect(parsed.malformed).toBe(3);
  });

  it('refuse a file that is not a recording', () => {
    expect(() => parseRecording('{"format":"something-else"}\n', '/tmp/x')).toThrow(
      /\/tmp\/x is not a Bulkhead syscall recording/,
    );
    expect(() => parseRecording('', '/tmp/x')).toThrow(/not a Bulkhead syscall recording/);
  });

  it('replay at the recorded pace times the speed, seek, and report the replay position', async () => {
    const path = join(dir, 'rec.jsonl');
    const entries = sampleEntries();
    await writeRecording(path, HEADER, entries);
    const clock = createFakeClock();
    const l = listener();
    const src = startRecordingReplay(path, 2, l, { clock });
    await until(() => src.state.phase === 'exited');
    expect(l.states.map((s) => s.phase)).toEqual(['starting', 'streaming', 'exited']);
    expect(l.frames.map((f) => f.now)).toEqual([entries[0]!.frame.now]);
    await clock.advance(500); // 1 s of recording at x2
    expect(l.frames.map((f) => f.now)).toEqual([entries[0]!.frame.now, entries[1]!.frame.now]);
    await clock.advance(1000);
    expect(l.frames.at(-1)!.now).toBe(entries[3]!.frame.now);
    expect(l.frames.at(-1)!.replay).toEqual({
      start: entries[0]!.frame.now,
      end: entries[3]!.frame.now,
      position: entries[3]!.frame.now,
      speed: 2,
      playing: false,
      complete: true,
    });
    expect(src.totals()).toEqual([
      { subject: { kind: 'host' }, total: 46, bySyscall: { read: 22, write: 24 } },
    ]);
    src.replay!.seek((entries[1]!.frame.now + 0) as EpochSeconds);
    expect(l.frames.at(-1)!.now).toBe(entries[1]!.frame.now);
    expect(l.frames.at(-1)!.totalEvents).toBe(21);
    const seqs = l.frames.map((f) => f.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    src.dispose();
  });

  it('replay at max shows the last frame at once; a missing file fails clearly', async () => {
    const path = join(dir, 'rec-max.jsonl');
    await writeRecording(path, HEADER, sampleEntries());
    const clock = createFakeClock();
    const l = listener();
    const src = startRecordingReplay(path, 'max', l, { clock });
    await until(() => src.state.phase === 'exited');
    expect(l.frames).toHaveLength(1);
    expect(l.frames[0]!.totalEvents).toBe(46);

    const missing = listener();
    const bad = startRecordingReplay(join(dir, 'nope.jsonl'), 'max', missing, { clock });
    await until(() => bad.state.phase === 'failed');
    expect(bad.state).toMatchObject({ error: { code: 'capture-unreadable' } });
    expect(bad.state.phase === 'failed' && bad.state.error.message).toMatch(/^There is no file at /);
  });

  it('loop: start over a second after the last frame, streaming until disposed, frames still in seq order', async () => {
    const path = join(dir, 'rec-loop.jsonl');
    const entries = sampleEntries();
    await writeRecording(path, HEADER, entries);
    const clock = createFakeClock();
    const l = listener();
    const src = startRecordingReplay(path, 1, l, { clock, loop: true });
    await until(() => src.state.phase === 'streaming');
    const nows = () => l.frames.map((f) => f.now - entries[0]!.frame.now);
    await clock.advance(3000);
    expect(nows()).toEqual([0, 1, 2, 3]);
    // The last frame stays for LOOP_HOLD_MS (1 s of recording) before the replay wraps to the first.
    await clock.advance(750);
    expect(nows()).toEqual([0, 1, 2, 3]);
    await clock.advance(250);
    expect(nows()).toEqual([0, 1, 2, 3, 0]);
    await clock.advance(3000);
    expect(nows()).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(l.frames.at(-1)!.replay).toMatchObject({ playing: true, loop: true, complete: true });
    expect(l.frames.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // A loop never reads to an end: it streams on.
    expect(l.states.map((s) => s.phase)).toEqual(['starting', 'streaming']);
    // Faster: x10 wraps ten times as often.
    src.replay!.setSpeed(10);
    await clock.advance(1000);
    expect(l.frames.filter((f) => f.now === entries[0]!.frame.now).length).toBeGreaterThanOrEqual(3);
    src.dispose();
    expect(l.states.map((s) => s.phase)).toEqual(['starting', 'streaming', 'exited']);
  });

  it('speeds are max or 0.1 to 1000', () => {
    expect(checkSpeed('max')).toBe('max');
    expect(checkSpeed(10)).toBe(10);
    for (const bad of [0, -1, 1001, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => checkSpeed(bad)).toThrow(RangeError);
  });
});
