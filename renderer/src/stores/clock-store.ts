import { create } from 'zustand';

/**
 * Wall-clock time, ticking once a second.
 *
 * One interval for the whole app; only components that show a running duration or a countdown subscribe,
 * so cards of stopped containers do not re-render every second.
 */
export const useClockStore = create<{ readonly now: number }>()(() => ({ now: Date.now() }));

/** Start ticking; returns the function that stops it. */
export function startClock(): () => void {
  const handle = window.setInterval(() => useClockStore.setState({ now: Date.now() }), 1000);
  return () => window.clearInterval(handle);
}
