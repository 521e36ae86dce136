import type { EpochMillis } from '../../shared/domain/ids.js';
import type { Clock } from '../services/ports.js';

/**
 * The real Clock: `Date.now` and Node timers.
 *
 * Timers stay referenced: a watching process (browser mode, `bulkhead … --watch`) must stay alive while it
 * waits for an engine to come back; whoever started the watching disposes it to let the process exit.
 */
export const systemClock: Clock = {
  now: () => Date.now() as EpochMillis,
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(timer) };
  },
  setInterval(fn, ms) {
    const timer = setInterval(fn, ms);
    return { dispose: () => clearInterval(timer) };
  },
};
