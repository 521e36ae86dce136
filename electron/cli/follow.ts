import type { SourceState } from '../../shared/domain/syscalls/model.js';

/** A sleep the caller can cancel (setTimeout in the CLI, a fake clock in tests). */
export type Sleep = (ms: number) => { promise: Promise<void>; cancel(): void };

/** Whether a source's state is final (`exited` or `failed`). */
export const isTerminal = (s: SourceState): boolean => s.phase === 'exited' || s.phase === 'failed';

/** Wakes a waiting follower when a push arrives. */
export interface Waker {
  wake(): void;
  wait(): Promise<void>;
}

/** Create a Waker: `wait()` resolves at the next `wake()`. */
export function createWaker(): Waker {
  let resolve: () => void = () => undefined;
  return {
    wake: () => resolve(),
    wait: () => new Promise<void>((r) => (resolve = r)),
  };
}

/**
 * Follow a subscription the way the CLI does: drain its pushes on every wake until the source has settled
 * — for a replay, its end; for a live source, only a failure before it ever streamed (the service
 * restarts one that dies after) — or, for a live source, until `durationMs` has passed.
 */
export async function followUntilDone(options: {
  readonly live: boolean;
  readonly durationMs: number;
  readonly sleep: Sleep;
  readonly waker: Waker;
  readonly drain: () => void;
  readonly state: () => SourceState | null;
  readonly streamed: () => boolean;
}): Promise<void> {
  const { live, waker, drain } = options;
  const finished = (): boolean => {
    const s = options.state();
    if (s === null || !isTerminal(s)) return false;
    return !live || !options.streamed();
  };
  const timer = live ? options.sleep(options.durationMs) : null;
  let timedOut = false;
  void timer?.promise.then(() => {
    timedOut = true;
    waker.wake();
  });
  drain();
  while (!finished() && !timedOut) {
    await waker.wait();
    drain();
  }
  timer?.cancel();
}
