import { describe, expect, it } from 'vitest';

import { createPushOutbox } from '../../../electron/services/push-outbox.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import { createFakeClock } from '../../support/fake-clock.js';

describe('the push outbox', () => {
  it('sends states in order, summaries at most one per interval, the newest waiting one replacing the older', async () => {
    const clock = createFakeClock(1_000);
    const sent: string[] = [];
    const box = createPushOutbox<number>({
      clock,
      minIntervalMs: 250,
      sendSummary: (n) => sent.push(`f${n}`),
      sendState: (s) => sent.push(s.phase),
    });
    const state = (phase: 'starting' | 'streaming'): SourceState => ({ phase, since: 0 as EpochMillis });
    box.queueState(state('starting'));
    box.queueSummary(1);
    box.queueSummary(2); // waits: within 250 ms of f1
    box.queueSummary(3); // replaces f2
    box.queueState(state('streaming')); // after the waiting summary, in order
    expect(sent).toEqual(['starting', 'f1']);
    await clock.advance(249);
    expect(sent).toEqual(['starting', 'f1']);
    await clock.advance(1);
    expect(sent).toEqual(['starting', 'f1', 'f3', 'streaming']);
    box.queueSummary(4);
    box.dispose();
    await clock.advance(1_000);
    box.queueSummary(5);
    expect(sent).toEqual(['starting', 'f1', 'f3', 'streaming']);
    expect(clock.pending()).toBe(0);
  });
});
