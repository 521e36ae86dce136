import { describe, expect, it } from 'vitest';

import type { ReplayCursor } from '../../../shared/domain/syscalls/replay.js';
import { advanceReplay, cursorAt, replayEnded } from '../../../shared/domain/syscalls/replay.js';

// Frames recorded at 0, 250, 500, 1500 ms (a gap before the last one).
const ATS = [10_000, 10_250, 10_500, 11_500];
const WALL = 50_000;
const start = (): ReplayCursor => cursorAt(ATS, 0, WALL);

describe('advanceReplay', () => {
  it('follows the recorded pace times the speed, to the last frame recorded at or before', () => {
    const table: [speed: number, wallMs: number, index: number][] = [
      [1, 0, 0],
      [1, 249, 0],
      [1, 250, 1],
      [1, 1499, 2],
      [1, 1500, 3],
      [1, 9999, 3],
      [2, 125, 1],
      [2, 750, 3],
      [10, 149, 2],
      [10, 150, 3],
      [0.5, 1000, 2],
    ];
    for (const [speed, wall, index] of table)
      expect(
        advanceReplay(ATS, start(), WALL + wall, { speed, loop: false, holdMs: 1000 }).index,
        `x${speed} after ${wall} ms`,
      ).toBe(index);
  });

  it('ends at the last frame without loop; max jumps there at once', () => {
    const end = advanceReplay(ATS, start(), WALL + 60_000, { speed: 1, loop: false, holdMs: 1000 });
    expect(end.index).toBe(3);
    expect(replayEnded(ATS, end, false)).toBe(true);
    expect(replayEnded(ATS, end, true)).toBe(false);
    expect(advanceReplay(ATS, start(), WALL, { speed: 'max', loop: true, holdMs: 1000 }).index).toBe(3);
  });

  it('loops: the last frame is shown, held for holdMs of recorded time, then the first, paced anew', () => {
    const pace = { speed: 1, loop: true, holdMs: 1000 };
    // A long stall jumps to the last frame first (never past it)…
    const atLast = advanceReplay(ATS, start(), WALL + 60_000, pace);
    expect(atLast).toMatchObject({ index: 3, laps: 0 });
    // …and starts over on the next step, paced from then.
    const wrapped = advanceReplay(ATS, atLast, WALL + 60_001, pace);
    expect(wrapped).toEqual({ index: 0, paceWall: WALL + 60_001, paceAt: 10_000, laps: 1 });

    // In time: the last frame at 1500 ms, held until 2500 ms.
    let c = start();
    const seen: string[] = [];
    for (let wall = 0; wall <= 5000; wall += 250) {
      c = advanceReplay(ATS, c, WALL + wall, pace);
      seen.push(`${c.laps}:${c.index}`);
    }
    expect(seen.slice(0, 12)).toEqual([
      '0:0',
      '0:1',
      '0:2',
      '0:2',
      '0:2',
      '0:2',
      '0:3',
      '0:3',
      '0:3',
      '0:3',
      '1:0',
      '1:1',
    ]);
    expect(c.laps).toBe(2);
  });

  it('loops faster at a higher speed, and copes with one frame and none', () => {
    let c = start();
    let laps = 0;
    for (let wall = 0; wall <= 1000; wall += 50) {
      c = advanceReplay(ATS, c, WALL + wall, { speed: 10, loop: true, holdMs: 1000 });
      laps = c.laps;
    }
    expect(laps).toBeGreaterThanOrEqual(3);
    const one = [5];
    const c1 = advanceReplay(one, cursorAt(one, 0, 0), 2000, { speed: 1, loop: true, holdMs: 1000 });
    expect(c1).toMatchObject({ index: 0, laps: 1 });
    const none = { index: -1, paceWall: 0, paceAt: 0, laps: 0 };
    expect(advanceReplay([], none, 1000, { speed: 1, loop: true, holdMs: 1000 })).toBe(none);
    expect(replayEnded([], none, false)).toBe(false);
  });
});
