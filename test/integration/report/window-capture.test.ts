import { resolve, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { startCaptureReplay } from '../../../electron/adapters/syscalls/capture-replay.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../../shared/domain/syscalls/model.js';

// The window counts of a real capture read by the real sysdig: the report's histogram source. Over a capture
// shorter than the rolling window, the whole window is the whole capture, so it must equal the totals
// (which test/integration/syscalls/sysdig-capture.test.ts checks against sysdig's own output); a shorter
// window holds only its seconds.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CAPTURE = resolve(ROOT, '../shared/data/scap/sysdig-inspect_502Error.scap');

describe('window counts of a real capture', () => {
  it('all of it equals the totals; the last seconds are a part of them', async () => {
    let done: (s: SourceState) => void = () => undefined;
    const settled = new Promise<SourceState>((r) => (done = r));
    const source = startCaptureReplay(
      CAPTURE,
      'max',
      {
        onState: (s) => {
          if (s.phase === 'exited' || s.phase === 'failed') done(s);
        },
        onFrame: () => undefined,
      },
      { clock: systemClock },
    );
    expect(await settled).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    // The position moves to the end on the replay's next tick.
    await new Promise((r) => setTimeout(r, 600));
    const totals = source.totals();
    const all = source.window?.(null);
    const last = source.window?.(3);
    source.dispose();
    if (all === undefined || all === null) throw new Error('no window');
    expect(all.to - all.from).toBeLessThan(600);
    const strip = (list: typeof totals): unknown =>
      list.map((t) => [subjectToken(t.subject), t.total, t.bySyscall]).sort();
    expect(strip(all.subjects)).toEqual(strip(totals));
    expect(all.subjects.reduce((n, s) => n + s.total, 0)).toBeGreaterThan(1000);
    expect(all.topOnly).toBe(false);
    if (last === undefined || last === null) throw new Error('no window');
    expect([last.from, last.to]).toEqual([all.to - 2, all.to]);
    const sum = (list: typeof totals): number => list.reduce((n, s) => n + s.total, 0);
    expect(sum(last.subjects)).toBeLessThan(sum(all.subjects));
    for (const s of last.subjects) {
      const whole = all.subjects.find((t) => subjectToken(t.subject) === subjectToken(s.subject));
      for (const [name, n] of Object.entries(s.bySyscall))
        expect(n).toBeLessThanOrEqual(whole?.bySyscall[name] ?? 0);
    }
  });
});
