import type { ReplaySpeed } from './model.js';

/**
 * The pace of a frame-by-frame replay (a Bulkhead recording): which frame is shown at a wall time, and
 * where a looping replay starts over. Pure, so the loop is tested without timers.
 */

/** Where a replay stands: the frame shown and the pace that maps wall time to recorded time. */
export interface ReplayCursor {
  /** The frame shown (an index into the recording's frames). */
  readonly index: number;
  /** The wall time (ms) at which the recorded time `paceAt` was shown. */
  readonly paceWall: number;
  /** A recorded time (ms): the `at` of the frame shown when the pace was last set. */
  readonly paceAt: number;
  /** How often a looping replay has started over. */
  readonly laps: number;
}

/** How a replay moves on. */
export interface ReplayPace {
  readonly speed: ReplaySpeed;
  /** Start over at the first frame after the last one. */
  readonly loop: boolean;
  /** How long (recorded ms) the last frame stays before a loop starts over. */
  readonly holdMs: number;
}

/** A cursor on frame `index`, paced from `now`. */
export function cursorAt(ats: readonly number[], index: number, now: number, laps = 0): ReplayCursor {
  return { index, paceWall: now, paceAt: ats[index] ?? 0, laps };
}

/**
 * Advance a playing replay of frames recorded at `ats` (ms, in order) to the wall time `now`.
 *
 * At `max` it jumps to the last frame (and stays there: a loop needs a pace). At a numeric speed the
 * recorded time runs `speed` times as fast as the wall clock; the cursor moves to the last frame recorded
 * at or before it. Looping, once the last frame has been shown for `holdMs` of recorded time, the replay
 * starts over at the first frame, paced from `now` — one lap per call at most, so every lap shows its
 * last frame.
 */
export function advanceReplay(
  ats: readonly number[],
  cursor: ReplayCursor,
  now: number,
  pace: ReplayPace,
): ReplayCursor {
  if (ats.length === 0) return cursor;
  const last = ats.length - 1;
  if (pace.speed === 'max') return cursor.index === last ? cursor : { ...cursor, index: last };
  const t = cursor.paceAt + (now - cursor.paceWall) * pace.speed;
  if (pace.loop && cursor.index >= last && t >= ats[last]! + pace.holdMs)
    return cursorAt(ats, 0, now, cursor.laps + 1);
  let index = Math.max(0, cursor.index);
  while (index < last && ats[index + 1]! <= t) index++;
  return index === cursor.index ? cursor : { ...cursor, index };
}

/** Whether a replay has nothing more to show: not looping, at its last frame. */
export function replayEnded(ats: readonly number[], cursor: ReplayCursor, loop: boolean): boolean {
  return !loop && ats.length > 0 && cursor.index >= ats.length - 1;
}
