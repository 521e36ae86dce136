import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EpochMillis } from '../../../shared/domain/ids.js';
import type {
  EpochSeconds,
  SourceState,
  SubjectTotals,
  SyscallFrame,
} from '../../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../../shared/domain/syscalls/model.js';
import type { CaptureReplayOptions } from '../../../electron/adapters/syscalls/capture-replay.js';
import { startCaptureReplay } from '../../../electron/adapters/syscalls/capture-replay.js';
import {
  RECORDING_FORMAT,
  startRecordingReplay,
  writeRecording,
} from '../../../electron/adapters/syscalls/recording-replay.js';
import { startSysdigLive } from '../../../electron/adapters/syscalls/sysdig-live.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { SyscallSource, SyscallSourceListener } from '../../../electron/services/syscall-ports.js';
import { createFakeClock } from '../../support/fake-clock.js';

// Real captures (../shared/data/README.md), read by the real sysdig (0.29.3 from Debian).
const SCAP = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'scap');
const K8S = join(SCAP, 'bencer_k8s_capture.scap');
const ERR502 = join(SCAP, 'sysdig-inspect_502Error.scap');
const EMPTY = join(SCAP, 'falco_empty.scap');
const run = promisify(execFile);

/**
 * The oracle: sysdig itself, with the exact command of the acceptance criterion, and a plain count of its
 * output lines (`<container.id> <evt.type>` → how many).
 */
async function oracle(file: string): Promise<Map<string, number>> {
  const { stdout } = await run('sysdig', ['-r', file, '-p', '*%container.id %evt.type', 'evt.dir=>'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const counts = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return counts;
}

/** Bulkhead's result in the oracle's shape. */
function asPairs(totals: readonly SubjectTotals[]): Map<string, number> {
  const pairs = new Map<string, number>();
  for (const t of totals) {
    for (const [syscall, n] of Object.entries(t.bySyscall))
      pairs.set(`${subjectToken(t.subject)} ${syscall}`, n);
  }
  return pairs;
}

const sorted = (m: Map<string, number>): [string, number][] =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

interface Run {
  source: SyscallSource;
  states: SourceState[];
  frames: SyscallFrame[];
  settled: Promise<SourceState>;
}

function replay(
  path: string,
  options: Partial<CaptureReplayOptions> = {},
  speed: 'max' | number = 'max',
): Run {
  const states: SourceState[] = [];
  const frames: SyscallFrame[] = [];
  let done: (s: SourceState) => void = () => undefined;
  const settled = new Promise<SourceState>((r) => (done = r));
  const listener: SyscallSourceListener = {
    onState: (s) => {
      states.push(s);
      if (s.phase === 'exited' || s.phase === 'failed') done(s);
    },
    onFrame: (f) => frames.push(f),
  };
  const source = startCaptureReplay(path, speed, listener, { clock: systemClock, ...options });
  return { source, states, frames, settled };
}

const work = mkdtempSync(join(tmpdir(), 'bulkhead-scap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each([
  ['bencer_k8s_capture.scap', K8S],
  ['sysdig-inspect_502Error.scap', ERR502],
])('capture replay of %s', (name, file) => {
  let expected: Map<string, number>;
  let r: Run;
  let end: SourceState;
  beforeAll(async () => {
    expected = await oracle(file);
    r = replay(file, { topN: 1000 });
    end = await r.settled;
  });
  afterAll(() => r.source.dispose());

  it('reads the capture to its end', () => {
    expect(end).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    expect(r.states.map((s) => s.phase)).toEqual(['starting', 'streaming', 'exited']);
  });

  it('per container and per syscall, counts equal the sysdig oracle', () => {
    const actual = asPairs(r.source.totals());
    expect(sorted(actual)).toEqual(sorted(expected));
    const events = [...expected.values()].reduce((a, b) => a + b, 0);
    console.log(
      `${name}: ${events} enter events, ${actual.size} (container, syscall) pairs equal the oracle`,
    );
  });

  it('the last frame says the same, and the replay is complete with nothing dropped', () => {
    const last = r.frames.at(-1)!;
    expect(last.replay).toMatchObject({ complete: true, playing: false });
    expect(last.dropped).toEqual({ overflow: 0, late: 0, malformed: 0 });
    const fromFrame = new Map<string, number>();
    for (const s of last.subjects) {
      expect(s.rest.syscalls).toBe(0);
      for (const c of s.top) fromFrame.set(`${subjectToken(s.subject)} ${c.syscall}`, c.total);
    }
    expect(sorted(fromFrame)).toEqual(sorted(expected));
    expect(last.totalEvents).toBe([...expected.values()].reduce((a, b) => a + b, 0));
  });

  it('events sysdig cannot place in a container are unattributed: neither dropped nor host', () => {
    const na = [...expected.entries()].filter(([k]) => k.startsWith('<NA> ')).reduce((a, [, n]) => a + n, 0);
    const host = [...expected.entries()]
      .filter(([k]) => k.startsWith('host '))
      .reduce((a, [, n]) => a + n, 0);
    const totals = r.source.totals();
    const unattributed = totals.find((t) => t.subject.kind === 'unattributed');
    expect(unattributed?.total ?? 0).toBe(na);
    expect(totals.find((t) => t.subject.kind === 'host')?.total).toBe(host);
    console.log(`${name}: ${na} unattributed (<NA>) events, ${host} host events`);
  });
});

describe('the k8s capture', () => {
  it('has the 12,155 unattributed events the data README describes, and names its containers', async () => {
    const r = replay(K8S);
    await r.settled;
    const totals = r.source.totals();
    r.source.dispose();
    expect(totals.find((t) => t.subject.kind === 'unattributed')?.total).toBe(12_155);
    const proxy = totals.find((t) => t.subject.kind === 'container' && t.subject.id === '53fe249c71de');
    expect(proxy?.subject).toEqual({ kind: 'container', id: '53fe249c71de', name: 'k8s-proxy' });
  });

  it('paced replay moves with the clock; seeking back re-folds to the counts up to that second', async () => {
    // Per-second oracle: the same sysdig, with the time added, counted plainly.
    const { stdout } = await run(
      'sysdig',
      ['-r', K8S, '-p', '*%evt.rawtime.s %container.id %evt.type', 'evt.dir=>'],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    const lines = stdout.split('\n').filter((l) => l !== '');
    const upTo = (second: number): Map<string, number> => {
      const m = new Map<string, number>();
      for (const l of lines) {
        const sp = l.indexOf(' ');
        if (Number(l.slice(0, sp)) <= second) m.set(l.slice(sp + 1), (m.get(l.slice(sp + 1)) ?? 0) + 1);
      }
      return m;
    };
    const first = Number(lines[0]!.split(' ')[0]);

    const clock = createFakeClock();
    const frames: SyscallFrame[] = [];
    let done: () => void = () => undefined;
    const loaded = new Promise<void>((r) => (done = r));
    const source = startCaptureReplay(
      K8S,
      10,
      {
        onState: (s) => (s.phase === 'exited' ? done() : undefined),
        onFrame: (f) => frames.push(f),
      },
      { clock, topN: 1000 },
    );
    await loaded;
    // Loaded, but the paced position has not moved: the clock has not.
    expect(frames.at(-1)!.replay).toMatchObject({
      position: first,
      start: first,
      end: 1481211711,
      speed: 10,
    });
    expect(sorted(asPairs(source.totals()))).toEqual(sorted(upTo(first)));
    await clock.advance(500); // 0.5 s at x10 = 5 s of capture
    expect(frames.at(-1)!.replay?.position).toBe(first + 5);
    expect(sorted(asPairs(source.totals()))).toEqual(sorted(upTo(first + 5)));
    source.replay!.seek((first + 2) as EpochSeconds);
    expect(sorted(asPairs(source.totals()))).toEqual(sorted(upTo(first + 2)));
    source.replay!.setPlaying(false);
    await clock.advance(2000);
    expect(sorted(asPairs(source.totals()))).toEqual(sorted(upTo(first + 2)));
    source.replay!.setSpeed('max');
    source.replay!.setPlaying(true);
    await clock.advance(250);
    expect(frames.at(-1)!.replay).toMatchObject({ position: 1481211711, playing: false, complete: true });
    expect(sorted(asPairs(source.totals()))).toEqual(sorted(upTo(1481211711)));
    source.dispose();
  });

  it('recorded frames replay as they were recorded', async () => {
    const r = replay(K8S, { topN: 5 });
    await r.settled;
    r.source.dispose();
    const path = join(work, 'k8s.jsonl');
    await writeRecording(
      path,
      {
        format: RECORDING_FORMAT,
        recordedAt: Date.now() as EpochMillis,
        recordedWith: 'capture replay of the k8s capture',
      },
      r.frames.map((frame, i) => ({ at: (1_700_000_000_000 + i * 250) as EpochMillis, frame })),
    );
    const frames: SyscallFrame[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((res) => (done = res));
    const rec = startRecordingReplay(
      path,
      'max',
      { onState: (s) => (s.phase === 'exited' ? done() : undefined), onFrame: (f) => frames.push(f) },
      { clock: systemClock },
    );
    await finished;
    rec.dispose();
    const { seq: _a, replay: _b, ...recorded } = r.frames.at(-1)!;
    const { seq: _c, replay: _d, ...replayed } = frames.at(-1)!;
    expect(replayed).toEqual(recorded);
  });
});

describe('captures that are empty or unreadable', () => {
  it('the empty capture gives an empty state, not an error', async () => {
    const r = replay(EMPTY);
    const end = await r.settled;
    r.source.dispose();
    expect(end).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    expect(r.source.totals()).toEqual([]);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]).toMatchObject({
      subjects: [],
      totalEvents: 0,
      replay: { start: null, complete: true },
    });
  });

  it('a text file is refused before sysdig runs, with a clear error', async () => {
    const path = join(work, 'notes.scap');
    writeFileSync(path, 'this is not a capture\n');
    const r = replay(path);
    const end = await r.settled;
    expect(end).toMatchObject({ phase: 'failed', error: { code: 'capture-unreadable' } });
    expect(end.phase === 'failed' && end.error.message).toBe(
      `${path} is not a sysdig capture: it starts with neither a scap nor a gzip header.`,
    );
  });

  it('garbage behind a gzip header is refused by sysdig, and said so', async () => {
    const path = join(work, 'garbage.scap');
    writeFileSync(path, gzipSync(Buffer.from('not a scap section header block at all')));
    const r = replay(path);
    const end = await r.settled;
    expect(end).toMatchObject({ phase: 'failed', error: { code: 'capture-unreadable' } });
    expect(end.phase === 'failed' && end.error.message).toMatch(
      new RegExp(`^sysdig cannot read ${path}: it is not a capture`),
    );
    expect(end.phase === 'failed' && end.diagnostics).toContain('Could not initialize reader');
  });

  it('a truncated copy fails clearly and keeps what was read before the cut', async () => {
    const path = join(work, 'truncated.scap');
    const bytes = readFileSync(K8S);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    const r = replay(path);
    const end = await r.settled;
    expect(end).toMatchObject({ phase: 'failed', error: { code: 'capture-unreadable' } });
    expect(end.phase === 'failed' && end.error.message).toMatch(
      new RegExp(`^The capture ${path} is truncated: .* The \\d+ events read before the error are kept\\.$`),
    );
    const kept = r.source.totals().reduce((a, t) => a + t.total, 0);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(90_658);
    expect(r.frames.at(-1)!.totalEvents).toBe(kept);
  });

  it('a missing file says there is no file', async () => {
    const r = replay(join(work, 'missing.scap'));
    const end = await r.settled;
    expect(end).toMatchObject({ phase: 'failed', error: { code: 'capture-unreadable' } });
    expect(end.phase === 'failed' && end.error.message).toBe(
      `There is no file at ${join(work, 'missing.scap')}.`,
    );
  });

  it('a copy in another place reads the same (the path is whatever the user chose)', async () => {
    const path = join(work, 'copy of 502.scap');
    copyFileSync(ERR502, path);
    const r = replay(path);
    await r.settled;
    r.source.dispose();
    expect(sorted(asPairs(r.source.totals()))).toEqual(sorted(await oracle(ERR502)));
  });
});

describe('live sysdig', () => {
  it.runIf(!existsSync('/dev/scap0'))(
    'fails with the driver error on a machine without the scap driver',
    async () => {
      const states: SourceState[] = [];
      let done: (s: SourceState) => void = () => undefined;
      const settled = new Promise<SourceState>((r) => (done = r));
      const source = startSysdigLive(
        {
          onState: (s) => {
            states.push(s);
            if (s.phase === 'failed' || s.phase === 'exited') done(s);
          },
          onFrame: () => undefined,
        },
        { clock: systemClock },
      );
      const end = await settled;
      source.dispose();
      expect(end.phase).toBe('failed');
      if (end.phase !== 'failed') return;
      expect(end.error.code).toBe('sysdig-driver-missing');
      expect(end.error.message).toMatch(
        /^sysdig is installed but its kernel driver is not loaded: it could not open \/dev\/scap0/,
      );
      expect(end.diagnostics).toContain('error opening device /dev/scap0');
      console.log(`live sysdig: ${end.error.message}`);
    },
  );

  it('without sysdig: sysdig-missing', async () => {
    let done: (s: SourceState) => void = () => undefined;
    const settled = new Promise<SourceState>((r) => (done = r));
    const source = startSysdigLive(
      { onState: (s) => (s.phase === 'failed' ? done(s) : undefined), onFrame: () => undefined },
      { clock: systemClock, program: join(work, 'no', 'sysdig') },
    );
    const end = await settled;
    source.dispose();
    expect(end).toMatchObject({ phase: 'failed', error: { code: 'sysdig-missing' } });
  });
});
