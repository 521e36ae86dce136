import type { EpochMillis } from '../../shared/domain/ids.js';
import type { Clock, Disposable } from '../../electron/services/ports.js';

/** A Clock whose time moves only when the test says so. */
export interface FakeClock extends Clock {
  /**
   * Move time forward by `ms`, firing every due timer in time order (and letting the promise callbacks each
   * timer starts run before the next one fires).
   */
  advance(ms: number): Promise<void>;
  /** Let pending promise callbacks run without moving time. */
  flush(): Promise<void>;
  /** Timers still scheduled. */
  pending(): number;
}

interface Timer {
  readonly id: number;
  due: number;
  readonly every: number | null;
  readonly fn: () => void;
}

/** Let every queued promise callback (and those they queue) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Create a FakeClock starting at `start` (epoch ms). */
export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();

  const add = (fn: () => void, ms: number, every: number | null): Disposable => {
    const id = nextId++;
    timers.set(id, { id, due: now + Math.max(0, ms), every, fn });
    return { dispose: () => void timers.delete(id) };
  };

  return {
    now: () => now as EpochMillis,
    setTimeout: (fn, ms) => add(fn, ms, null),
    setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        let next: Timer | undefined;
        for (const t of timers.values()) {
          if (
            t.due <= end &&
            (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))
          ) {
            next = t;
          }
        }
        if (next === undefined) break;
        now = next.due;
        if (next.every === null) timers.delete(next.id);
        else next.due += next.every;
        next.fn();
        await settle();
      }
      now = end;
      await settle();
    },
    flush: settle,
    pending: () => timers.size,
  };
}
