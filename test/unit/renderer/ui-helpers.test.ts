import { afterEach, describe, expect, it, vi } from 'vitest';

import { webSocketUrl } from '../../../renderer/src/bridge.js';
import { nextCardIndex } from '../../../renderer/src/state/card-focus.js';
import { createDebouncer } from '../../../renderer/src/state/debounce.js';
import { engineLabel, formatTimestamp, secondsUntil } from '../../../renderer/src/state/format.js';
import { engineInfo } from './fixtures.js';

describe('nextCardIndex', () => {
  it.each([
    [0, 'ArrowRight', 3, 1],
    [2, 'ArrowRight', 3, 2],
    [1, 'ArrowLeft', 3, 0],
    [0, 'ArrowLeft', 3, 0],
    [1, 'Home', 3, 0],
    [0, 'End', 3, 2],
    [5, 'ArrowLeft', 3, 1],
    [0, 'Enter', 3, null],
    [0, 'ArrowDown', 3, null],
    [0, 'ArrowRight', 0, null],
  ])('from %i with %s among %i → %s', (current, key, count, expected) => {
    expect(nextCardIndex(current, key, count)).toBe(expected);
  });
});

describe('createDebouncer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const timers = {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };

  it('coalesces a burst into one run after the window', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const d = createDebouncer(run, 150, timers);
    for (let i = 0; i < 20; i++) d.trigger();
    vi.advanceTimersByTime(149);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('does not starve under a steady stream of triggers', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const d = createDebouncer(run, 150, timers);
    for (let t = 0; t < 1000; t += 50) {
      d.trigger();
      vi.advanceTimersByTime(50);
    }
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(6);
  });

  it('flushes now, and runs nothing after dispose', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const d = createDebouncer(run, 150, timers);
    d.trigger();
    d.flush();
    expect(run).toHaveBeenCalledTimes(1);
    d.trigger();
    d.dispose();
    d.trigger();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});

describe('format helpers', () => {
  it('formats timestamps in UTC', () => {
    expect(formatTimestamp(Date.UTC(2025, 0, 5, 7, 3))).toBe('2025-01-05 07:03 UTC');
    expect(formatTimestamp(Number.NaN)).toBe('an unknown date');
  });

  it('labels the engine by version and where it runs', () => {
    expect(engineLabel(engineInfo)).toEqual({ product: 'Docker 20.10.24', detail: 'host-1 · linux/amd64' });
    expect(engineLabel({ ...engineInfo, name: '', version: '', arch: '' })).toEqual({
      product: 'Docker',
      detail: 'linux',
    });
  });

  it('counts whole seconds to a deadline', () => {
    expect(secondsUntil(null, 0)).toBeNull();
    expect(secondsUntil(2_100, 0)).toBe(3);
    expect(secondsUntil(0, 5_000)).toBe(0);
  });
});

describe('webSocketUrl', () => {
  it('builds the endpoint from the page location and carries the token', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:4711', search: '?token=a+b/c' })).toBe(
      // '+' in a query means a space, for URLSearchParams here and on the server alike.
      'ws://127.0.0.1:4711/api?token=a%20b%2Fc',
    );
    expect(webSocketUrl({ protocol: 'http:', host: 'localhost:1', search: '?token=abc_-1' })).toBe(
      'ws://localhost:1/api?token=abc_-1',
    );
    expect(webSocketUrl({ protocol: 'https:', host: 'h:2', search: '' })).toBe('wss://h:2/api');
  });
});
