import { describe, expect, it } from 'vitest';

import { healthBoundary } from '../../../shared/domain/seccomp/health.js';

const probe = (start: string, end: string, exitCode: number): Record<string, unknown> => ({
  Start: start,
  End: end,
  ExitCode: exitCode,
  Output: '',
});

describe('healthBoundary', () => {
  it('is the end of the first successful probe, in epoch seconds', () => {
    const r = healthBoundary({
      State: {
        Health: {
          Status: 'healthy',
          Log: [
            probe('2026-12-03T10:00:03.100Z', '2026-12-03T10:00:03.200Z', 0),
            probe('2026-12-03T10:00:01.100Z', '2026-12-03T10:00:01.150Z', 1),
            probe('2026-12-03T10:00:02.100Z', '2026-12-03T10:00:02.900Z', 0),
          ],
        },
      },
    });
    expect(r).toEqual({
      healthyAt: Math.floor(Date.parse('2026-12-03T10:00:02.900Z') / 1000),
      exact: true,
      basis: 'health check first succeeded at 2026-12-03T10:00:02.900Z',
    });
  });

  it('says when the log is full and starts with a success (the first success may have been dropped)', () => {
    const log = [1, 2, 3, 4, 5].map((s) =>
      probe(`2026-12-03T10:00:0${s}.000Z`, `2026-12-03T10:00:0${s}.500Z`, 0),
    );
    const r = healthBoundary({ State: { Health: { Status: 'healthy', Log: log } } });
    expect(r.healthyAt).toBe(Math.floor(Date.parse('2026-12-03T10:00:01.500Z') / 1000));
    expect(r).toMatchObject({ exact: false });
    expect(r.basis).toContain('at or before');
  });

  it('has no boundary without a health check, before a success, or from a malformed document', () => {
    expect(healthBoundary({ State: { Running: true } }).healthyAt).toBeNull();
    expect(healthBoundary({ State: { Running: true } }).basis).toBe('the container has no health check');
    const starting = healthBoundary({
      State: {
        Health: { Status: 'starting', Log: [probe('2026-12-03T10:00:01Z', '2026-12-03T10:00:02Z', 1)] },
      },
    });
    expect(starting).toEqual({
      healthyAt: null,
      basis: 'the health check has not succeeded yet (status starting, 1 probe(s) in the log)',
    });
    for (const bad of [
      null,
      42,
      'x',
      [],
      { State: { Health: { Log: [{ Start: 'no', End: 3, ExitCode: '0' }] } } },
    ])
      expect(healthBoundary(bad).healthyAt).toBeNull();
  });
});
