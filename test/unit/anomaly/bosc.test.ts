import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type {
  BoscContainerState,
  BoscDetector,
  BoscSettings,
  BoscStream,
} from '../../../shared/domain/anomaly/bosc.js';
import {
  acknowledgeAnomalies,
  boscStream,
  checkBoscSettings,
  createBoscDetector,
  currentBagFrequency,
  DEFAULT_BOSC_SETTINGS,
  detectorStates,
  findStream,
  forgetStream,
  mismatchLimit,
  OTHER_SYSCALL,
  pushSequence,
  pushSyscall,
  raisedCount,
  resetWindow,
  streamState,
} from '../../../shared/domain/anomaly/bosc.js';

/** A detector and one stream, fed by syscall *names* (each letter or word one syscall). */
function setup(settings: Partial<BoscSettings>): {
  det: BoscDetector;
  stream: BoscStream;
  feed: (names: string, second?: number) => void;
  state: () => BoscContainerState;
} {
  const det = createBoscDetector(settings);
  const stream = boscStream(det, 'c1')!;
  return {
    det,
    stream,
    feed: (names, second = 100) => {
      for (const n of names.split(/\s+/).filter((x) => x !== '')) {
        pushSyscall(det, stream, det.vocabulary.indexOf(n), second);
      }
    },
    state: () => streamState(det, stream),
  };
}

describe('BoSC on sequences with known windows', () => {
  // Window 3, epochs of 10 windows, one training epoch.
  // Training: a b c a b c a b c a b c — 12 syscalls, 10 windows (positions 3…12), every one the bag
  // {a:1, b:1, c:1}: the database holds 1 bag, seen 10 times.
  const TRAIN = 'a b c a b c a b c a b c';
  // Detection, positions 13…22: a b c a b d d d a b. Windows (the syscall and the two before it):
  //   13 b c a ✓  14 c a b ✓  15 a b c ✓  16 b c a ✓  17 c a b ✓
  //   18 a b d ✗  19 b d d ✗  20 d d d ✗  21 d d a ✗  22 d a b ✗   → 5 mismatches in the epoch.
  const DETECT = 'a b c a b d d d a b';

  it('trains one bag from every permutation of the same syscalls', () => {
    const t = setup({ windowSize: 3, epochSize: 10, trainingEpochs: 1 });
    t.feed('a b');
    expect(t.state()).toMatchObject({ phase: 'learning', windows: 0, syscalls: 2 });
    t.feed(TRAIN.slice(4)); // the rest of the training sequence
    const s = t.state();
    expect(s).toMatchObject({ phase: 'watching', windows: 10, epochs: 1, epochsWatched: 0, syscalls: 12 });
    expect(s.database).toEqual({ bags: 1, maxBags: DEFAULT_BOSC_SETTINGS.maxBags, full: 0 });
    expect(currentBagFrequency(t.stream)).toBe(10);
  });

  it('counts exactly the hand-computed mismatches, and the threshold decides', () => {
    for (const [limit, phase] of [
      [4, 'anomalous'],
      [5, 'watching'],
    ] as const) {
      const t = setup({
        windowSize: 3,
        epochSize: 10,
        trainingEpochs: 1,
        threshold: { kind: 'count', value: limit },
      });
      t.feed(TRAIN, 100);
      t.feed(DETECT, 101);
      const s = t.state();
      expect(s.mismatches).toBe(5);
      expect(s.epochs).toBe(2);
      expect(s.phase).toBe(phase);
      if (s.phase === 'anomalous') {
        expect(s.anomalousEpochs).toBe(1);
        expect(s.anomalousMismatches).toBe(5);
        expect(s.anomalies).toEqual([
          expect.objectContaining({ epoch: 1, from: 101, to: 101, windows: 10, mismatches: 5 }),
        ]);
      }
    }
  });

  it('names the over-represented syscall as the hint', () => {
    const t = setup({
      windowSize: 3,
      epochSize: 10,
      trainingEpochs: 1,
      threshold: { kind: 'count', value: 0 },
    });
    t.feed(TRAIN);
    t.feed(DETECT);
    const s = t.state();
    expect(s.phase).toBe('anomalous');
    if (s.phase !== 'anomalous') return;
    // Mismatched windows hold a×3, b×3, d×9 (15). Training saw c×4, a×3, b×3 (10 windows' newest syscall).
    // Smoothed over 4 names + <other>: d: (9/15) / ((0+1)/(10+5)) = 9; a and b: (3/15) / (4/15) = 0.75 → no.
    expect(s.hint).toHaveLength(1);
    expect(s.hint[0]).toMatchObject({ syscall: 'd', inMismatches: 9, trainingShare: 0 });
    expect(s.hint[0]!.share).toBeCloseTo(0.6, 12);
    expect(s.hint[0]!.ratio).toBeCloseTo(9, 12);
    expect(s.anomalies[0]!.hint).toEqual(s.hint);
  });

  it('a fraction threshold is a share of the epoch', () => {
    expect(mismatchLimit({ kind: 'fraction', value: 0.05 }, 1000)).toBe(50);
    expect(mismatchLimit({ kind: 'count', value: 7 }, 1000)).toBe(7);
    // 5 mismatches in 10 windows: anomalous above 0.4, not at 0.5.
    for (const [value, phase] of [
      [0.4, 'anomalous'],
      [0.5, 'watching'],
    ] as const) {
      const t = setup({
        windowSize: 3,
        epochSize: 10,
        trainingEpochs: 1,
        threshold: { kind: 'fraction', value },
      });
      t.feed(TRAIN);
      t.feed(DETECT);
      expect(t.state().phase).toBe(phase);
    }
  });

  it('keeps the open epoch apart: mismatches count before the epoch closes, the verdict only when it does', () => {
    const t = setup({
      windowSize: 3,
      epochSize: 10,
      trainingEpochs: 1,
      threshold: { kind: 'count', value: 0 },
    });
    t.feed(TRAIN);
    t.feed('a b c a b d d'); // windows 13…19: 2 mismatches (18, 19), epoch still open
    expect(t.state()).toMatchObject({
      phase: 'watching',
      current: { windows: 7, mismatches: 2 },
      mismatches: 2,
    });
    t.feed('d a b');
    expect(t.state()).toMatchObject({ phase: 'anomalous', current: { windows: 0, mismatches: 0 } });
  });
});

describe('phases', () => {
  it('learning → watching → anomalous → (acknowledged) watching, counting epochs', () => {
    const t = setup({
      windowSize: 2,
      epochSize: 10,
      trainingEpochs: 3,
      threshold: { kind: 'count', value: 2 },
    });
    // 1 + 30 syscalls of "x y" repeated: 30 windows = 3 training epochs, bags {x,y} only.
    t.feed(`x ${'y x '.repeat(15)}`);
    expect(t.state()).toMatchObject({
      phase: 'watching',
      epochs: 3,
      epochsWatched: 0,
      database: { bags: 1 },
    });
    // An epoch of known bags: watching.
    t.feed('y x '.repeat(5));
    expect(t.state()).toMatchObject({ phase: 'watching', epochsWatched: 1, mismatches: 0 });
    // z z z …: every window {z,z} or {x,z} is new → 10 mismatches > 2.
    t.feed('z '.repeat(10), 200);
    const a = t.state();
    expect(a).toMatchObject({ phase: 'anomalous', epochsWatched: 2, anomalousEpochs: 1, mismatches: 10 });
    expect(raisedCount(t.stream)).toBe(1);
    acknowledgeAnomalies(t.stream);
    expect(t.state()).toMatchObject({ phase: 'watching', epochsWatched: 2, mismatches: 10 });
    expect(raisedCount(t.stream)).toBe(1); // the counter only grows
  });

  it('keeps the newest maxAnomalies anomalous epochs and counts them all', () => {
    const t = setup({
      windowSize: 2,
      epochSize: 10,
      trainingEpochs: 1,
      threshold: { kind: 'count', value: 0 },
      maxAnomalies: 2,
    });
    t.feed(`x ${'y x '.repeat(5)}`);
    for (let e = 0; e < 5; e++) t.feed('z '.repeat(10), 300 + e);
    const s = t.state();
    expect(s.phase).toBe('anomalous');
    if (s.phase !== 'anomalous') return;
    expect(s.anomalousEpochs).toBe(5);
    expect(s.anomalies.map((x) => x.epoch)).toEqual([4, 5]);
    expect(s.anomalies.map((x) => [x.from, x.to])).toEqual([
      [303, 303],
      [304, 304],
    ]);
  });

  it('a restarted window makes no window until it is full again', () => {
    const t = setup({ windowSize: 3, epochSize: 10, trainingEpochs: 1 });
    t.feed('a b c d');
    expect(t.state().windows).toBe(2);
    resetWindow(t.stream);
    t.feed('e f');
    expect(t.state()).toMatchObject({ windows: 2, gaps: 1 });
    t.feed('g');
    expect(t.state().windows).toBe(3);
    // The window holds e f g only: its bag is new (not d e f, which spans the gap).
    expect(currentBagFrequency(t.stream)).toBe(1);
  });
});

/** The model: the paper's algorithm written plainly, bags as sorted strings in a Set. */
function naive(
  seq: readonly number[],
  w: number,
  epochSize: number,
  training: number,
): { mismatches: number; bags: number } {
  const db = new Set<string>();
  let windows = 0;
  let mismatches = 0;
  for (let i = w - 1; i < seq.length; i++) {
    const key = seq
      .slice(i - w + 1, i + 1)
      .slice()
      .sort((a, b) => a - b)
      .join(',');
    if (windows < training * epochSize) db.add(key);
    else if (!db.has(key)) mismatches++;
    windows++;
  }
  return { mismatches, bags: db.size };
}

describe('exactness: the rolling hash never decides on its own', () => {
  const sequences = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 400 });

  for (const hashMask of [0xffffffff, 0x3, 0]) {
    it(`matches the plain algorithm on random sequences (hash mask 0x${hashMask.toString(16)})`, () => {
      fc.assert(
        fc.property(sequences, fc.integer({ min: 2, max: 6 }), (seq, w) => {
          const det = createBoscDetector({ windowSize: w, epochSize: 10, trainingEpochs: 10, hashMask });
          const stream = boscStream(det, 'k')!;
          // Vocabulary indices equal the values: intern 0…5 in order first.
          for (let v = 0; v <= 5; v++) expect(det.vocabulary.indexOf(String(v))).toBe(v);
          pushSequence(det, stream, seq, 1);
          const s = streamState(det, stream);
          const expected = naive(seq, w, 10, 10);
          expect(s.mismatches).toBe(expected.mismatches);
          expect(s.database.bags).toBe(expected.bags);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('with every hash equal (mask 0), different bags are still told apart', () => {
    const t = setup({ windowSize: 3, epochSize: 10, trainingEpochs: 1, hashMask: 0 });
    t.feed('a b c a b c a b c a b c');
    t.feed('a b d d d a b c a b');
    expect(t.state().mismatches).toBe(5);
  });
});

describe('bounded memory', () => {
  it('caps the database and counts the training windows that did not fit', () => {
    const t = setup({ windowSize: 2, epochSize: 10, trainingEpochs: 2, maxBags: 3 });
    // 21 syscalls, 20 windows: {a,b} {b,c} {c,d} {d,e} {e,f} … — far more than 3 distinct bags.
    t.feed('a b c d e f g h i j k l m n o p q r s t u');
    const s = t.state();
    expect(s.database.bags).toBe(3);
    expect(s.database.full).toBe(17);
  });

  it('grows the database past its first allocation without losing bags', () => {
    const t = setup({ windowSize: 2, epochSize: 1000, trainingEpochs: 1, maxBags: 5000 });
    const names = Array.from({ length: 60 }, (_, i) => `s${i}`);
    // Every ordered pair once: 60 × 59 / 2 distinct bags ({i,j} unordered) — 1770 — past 64, 128, … 2048.
    const seq: string[] = [];
    for (let i = 0; i < 60; i++) for (let j = i + 1; j < 60; j++) seq.push(names[i]!, names[j]!);
    t.feed(seq.slice(0, 1001).join(' '));
    const trained = t.state();
    expect(trained.phase).toBe('watching');
    expect(trained.database.bags).toBeGreaterThan(500);
    // Replaying the training data: every window is known.
    const before = trained.mismatches;
    t.feed(seq.slice(0, 1001).join(' '));
    // At most the seam window (the last syscall with the first) is new.
    expect(t.state().mismatches - before).toBeLessThanOrEqual(1);
  });

  it('saturates a bag frequency instead of wrapping', () => {
    const t = setup({ windowSize: 2, epochSize: 10, trainingEpochs: 1000 });
    t.feed('a b');
    expect(currentBagFrequency(t.stream)).toBe(1);
    // Reach the top quickly by setting the stored count (4 billion windows would take minutes).
    t.stream.s.freq[0] = 0xfffffffe;
    t.feed('a b');
    expect(currentBagFrequency(t.stream)).toBe(0xffffffff);
    t.feed('a b a b');
    expect(currentBagFrequency(t.stream)).toBe(0xffffffff);
  });

  it('maps syscall names beyond maxSyscalls to one <other> index', () => {
    const det = createBoscDetector({ maxSyscalls: 16 });
    for (let i = 0; i < 16; i++) expect(det.vocabulary.indexOf(`n${i}`)).toBe(i);
    expect(det.vocabulary.indexOf('n16')).toBe(16);
    expect(det.vocabulary.indexOf('n17')).toBe(16);
    expect(det.vocabulary.nameOf(16)).toBe(OTHER_SYSCALL);
    expect(det.vocabulary.overflowed).toBe(2);
    expect(det.vocabulary.size).toBe(16);
  });

  it('follows at most maxContainers containers; forgetting one makes room', () => {
    const det = createBoscDetector({ maxContainers: 2 });
    expect(boscStream(det, 'a')).not.toBeNull();
    expect(boscStream(det, 'b')).not.toBeNull();
    expect(boscStream(det, 'a')).toBe(findStream(det, 'a'));
    expect(boscStream(det, 'c')).toBeNull();
    expect(forgetStream(det, 'a')).toBe(true);
    expect(boscStream(det, 'c')).not.toBeNull();
    expect(detectorStates(det).map((s) => s.key)).toEqual(['b', 'c']);
  });
});

describe('settings', () => {
  it('defaults as documented', () => {
    expect(checkBoscSettings()).toEqual(DEFAULT_BOSC_SETTINGS);
    expect(DEFAULT_BOSC_SETTINGS).toMatchObject({
      windowSize: 10,
      epochSize: 1000,
      trainingEpochs: 200,
      threshold: { kind: 'fraction', value: 0.05 },
    });
  });

  it.each([
    [{ windowSize: 1 }, /windowSize/],
    [{ windowSize: 101 }, /windowSize/],
    [{ epochSize: 5 }, /epochSize/],
    [{ trainingEpochs: 0 }, /trainingEpochs/],
    [{ maxBags: 0 }, /maxBags/],
    [{ maxSyscalls: 70_000 }, /maxSyscalls/],
    [{ threshold: { kind: 'fraction', value: 1 } }, /fraction/],
    [{ threshold: { kind: 'count', value: 1000 } }, /threshold count/],
    [{ epochSize: 1.5 }, /epochSize/],
  ] as const)('refuses %j', (bad, message) => {
    expect(() => createBoscDetector(bad as Partial<BoscSettings>)).toThrow(message);
  });
});
