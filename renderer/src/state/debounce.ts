/** Timers, injectable so tests can use fake ones. */
export interface DebounceTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A coalescing debouncer. */
export interface Debouncer {
  /** Ask for a run; every request made within `ms` of the first pending one shares one run. */
  trigger(): void;
  /** Run now if a run is pending. */
  flush(): void;
  /** Drop a pending run; later triggers are ignored. */
  dispose(): void;
}

/**
 * Coalesce bursts of invalidations (`containers:changed`, `engine:state`) into one re-fetch.
 *
 * A `docker compose up` produces dozens of events in a second; the renderer asks for the list once per
 * window. The window starts at the first request and is not extended by later ones, so a steady stream of
 * events (a restart loop) still refreshes the view every `ms` instead of starving it. Nothing is lost: a
 * request after the window closed schedules the next run, whose answer is newer than the event.
 */
export function createDebouncer(run: () => void, ms: number, timers: DebounceTimers): Debouncer {
  let handle: unknown = null;
  let disposed = false;
  const fire = (): void => {
    handle = null;
    run();
  };
  return {
    trigger() {
      if (disposed || handle !== null) return;
      handle = timers.setTimeout(fire, ms);
    },
    flush() {
      if (handle === null) return;
      timers.clearTimeout(handle);
      fire();
    },
    dispose() {
      disposed = true;
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
    },
  };
}
